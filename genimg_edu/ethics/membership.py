r"""Membership inference: was this image in the training set? A loss-threshold attack.

A model fits its training images better than new ones. The attacker computes the diffusion loss of
an image at a few fixed noise levels and noises,

$$ \ell(x_0) = \frac{1}{K}\sum_{k=1}^{K} \lVert \epsilon_\theta(\sqrt{\bar\alpha_{t_k}}\,x_0 + \sqrt{1-\bar\alpha_{t_k}}\,\epsilon_k,\ t_k) - \epsilon_k \rVert^2 , $$

and says "member" when the loss is low. The ROC AUC over members and non-members measures the leak:
0.5 = a coin flip (nothing leaks), 1.0 = every member identified. (Yeom et al. 2018 for the
loss-threshold attack; SecMI, Duan et al. 2023, is the stronger research version for diffusion.)

    losses = diffusion_losses(model, schedule, images, labels)   # images (N, 1, S, S) in [-1, 1]
    membership_auc(member_losses, nonmember_losses)              # ROC AUC in [0, 1]
"""
from __future__ import annotations

import numpy as np
import torch

from ..data import check_images
from ..diffusion import q_sample

ATTACK_TIMESTEPS = (50, 100, 150, 200, 300)  # small-to-middle noise: where fitting shows most (SecMI)


@torch.no_grad()
def diffusion_losses(model, schedule, images: torch.Tensor, labels: torch.Tensor | None = None, *,
                     timesteps=ATTACK_TIMESTEPS, noises: int = 4, seed: int = 0) -> torch.Tensor:
    """(N,) mean squared noise-prediction error of each image over `timesteps` x `noises` fixed draws.
    images: (N, C, H, W) in [-1, 1]; labels: (N,) long for a class-conditional model (else None).
    model: a network model(xt, t[, labels]) -> eps, or any such callable (e.g. optimal_denoiser)."""
    check_images(images, value_range=(-1, 1), name="images")
    generator = torch.Generator().manual_seed(seed)
    parameters = list(model.parameters()) if isinstance(model, torch.nn.Module) else []
    device = parameters[0].device if parameters else torch.device("cpu")
    total = torch.zeros(len(images))
    for t_value in timesteps:
        for _ in range(noises):
            eps = torch.randn(images.shape, generator=generator)
            t = torch.full((len(images),), int(t_value), dtype=torch.long)
            xt = q_sample(images, t, eps, schedule=schedule)
            args = (xt.to(device), t.to(device)) + (() if labels is None else (labels.to(device),))
            pred = model(*args).float().cpu()
            total += ((pred - eps) ** 2).flatten(1).mean(1)
    return total / (len(timesteps) * noises)


def membership_auc(member_losses, nonmember_losses) -> float:
    """ROC AUC of the attack "lower loss = member" (0.5: no leak, 1: every member identified)."""
    from sklearn.metrics import roc_auc_score
    members, others = np.asarray(member_losses, dtype=float), np.asarray(nonmember_losses, dtype=float)
    if members.ndim != 1 or others.ndim != 1 or len(members) == 0 or len(others) == 0:
        raise ValueError("member_losses and nonmember_losses must be non-empty 1-D sequences")
    truth = np.r_[np.ones(len(members)), np.zeros(len(others))]
    return float(roc_auc_score(truth, -np.r_[members, others]))


def roc_points(member_losses, nonmember_losses) -> tuple[np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate) of the attack at every threshold, for plotting."""
    from sklearn.metrics import roc_curve
    members, others = np.asarray(member_losses, dtype=float), np.asarray(nonmember_losses, dtype=float)
    truth = np.r_[np.ones(len(members)), np.zeros(len(others))]
    fpr, tpr, _ = roc_curve(truth, -np.r_[members, others])
    return fpr, tpr
