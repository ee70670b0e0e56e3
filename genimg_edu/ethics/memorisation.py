r"""Does the model copy its training images? Measured the way Gu et al. (2023) do it.

A sample x is a near-copy when its nearest training image is much nearer than the second nearest:

$$ \frac{\lVert x - x^{(1)} \rVert_2}{\lVert x - x^{(2)} \rVert_2} < \frac{1}{3} $$

(Gu, Du, Pang, Li, Lin & Wang 2023, "On Memorization in Diffusion Models"; Carlini et al. 2023 used a
similar rule on Stable Diffusion). The extreme case is the *optimal denoiser* for a finite training
set: the exact minimiser of the diffusion loss, written in closed form, which can only reproduce
training images:

$$ \hat x_0(x_t) = \sum_i w_i\, x_0^{(i)}, \qquad
   w = \mathrm{softmax}_i\!\left(-\frac{\lVert x_t - \sqrt{\bar\alpha_t}\, x_0^{(i)} \rVert^2}{2(1-\bar\alpha_t)}\right). $$

    ratio = nn_ratio(samples, train)             # (N,) d1 / d2
    memorised_share(samples, train)              # share of samples with ratio < 1/3
    model_fn = optimal_denoiser(train_signed, schedule)   # plug into diffusion.sample(...)
"""
from __future__ import annotations

import torch

from ..checks import check_number
from ..data import check_images

COPY_RATIO = 1 / 3


def nn_ratio(samples: torch.Tensor, train: torch.Tensor) -> torch.Tensor:
    """(N,) distance to the nearest training image / distance to the second nearest.
    samples: (N, C, H, W), train: (M, C, H, W) with M >= 2, same range and (C, H, W)."""
    if not isinstance(samples, torch.Tensor) or not isinstance(train, torch.Tensor):
        raise TypeError("samples and train must be tensors (N, C, H, W)")
    if samples.ndim != 4 or train.ndim != 4 or samples.shape[1:] != train.shape[1:]:
        raise ValueError(f"samples and train must be (N, C, H, W) with the same (C, H, W), got "
                         f"{tuple(samples.shape)} and {tuple(train.shape)}")
    if len(train) < 2:
        raise ValueError(f"train must hold at least 2 images, got {len(train)}")
    for name, x in (("samples", samples), ("train", train)):
        if not x.is_floating_point() or not len(x) or not torch.isfinite(x).all():
            raise ValueError(f"{name} must be a non-empty float batch with finite values, got {x.dtype} "
                             f"{tuple(x.shape)}")
    distances = torch.cdist(samples.flatten(1).double(), train.flatten(1).double())  # (N, M)
    two = distances.topk(2, dim=1, largest=False).values
    return (two[:, 0] / two[:, 1].clamp_min(1e-12)).float()


def memorised_share(samples: torch.Tensor, train: torch.Tensor, *, threshold: float = COPY_RATIO) -> float:
    """Share of samples that are near-copies of a training image (nn_ratio < threshold)."""
    check_number("threshold", threshold, low=0, high=1, low_open=True, high_open=True)
    return float((nn_ratio(samples, train) < threshold).float().mean())


def optimal_denoiser(train: torch.Tensor, schedule):
    """model_fn(xt, t) -> eps for the exact minimiser of the diffusion loss on `train`
    ((M, C, H, W) in [-1, 1]): the posterior mean of x0 over the training images, turned into eps."""
    check_images(train, value_range=(-1, 1), name="train")
    flat = train.flatten(1).double()                                    # (M, D)

    def model_fn(xt: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        ab = schedule.alpha_bar.to(xt.device)[t].double()                # (B,)
        x = xt.flatten(1).double()                                      # (B, D)
        d2 = ((x[:, None, :] - ab.sqrt()[:, None, None] * flat[None]) ** 2).sum(-1)  # (B, M)
        weights = torch.softmax(-d2 / (2 * (1 - ab))[:, None], dim=1)
        x0 = weights @ flat                                             # (B, D)
        eps = (x - ab.sqrt()[:, None] * x0) / (1 - ab).sqrt()[:, None]
        return eps.float().view_as(xt)

    return model_fn
