"""Can pixelation be undone? A small network learns to un-pixelate faces it has never seen.

    model = Depixelator()
    train_depixelator(model, faces_train, block=5, steps=1500)   # the course's generic train() loop
    report = depixelation_gain(model, faces_test, block=5)
    # {"psnr_pixelated", "psnr_restored", "gain_db", ...}: dB closer to the original face

Pixelation keeps the mean colour of every square; a model that has seen many faces knows what
detail usually goes with those means (McPherson, Shokri & Shmatikov 2016 re-identified pixelated and
blurred faces with neural networks). Notebook 10, section 4.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import check_images
from .anonymise import pixelate
from .watermark import psnr


class Depixelator(nn.Module):
    """Pixelated (N, 1, H, W) in [0, 1] -> restored (N, 1, H, W) in [0, 1]: a residual CNN."""

    def __init__(self, *, width: int = 48, depth: int = 5, channels: int = 1):
        super().__init__()
        layers, c = [], channels
        for _ in range(depth - 1):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU()]
            c = width
        layers.append(nn.Conv2d(c, channels, 3, padding=1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x + self.net(x)).clamp(0, 1)


def _augment(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Random horizontal flips and shifts of up to 2 pixels (so the pixel grid falls everywhere)."""
    flip = torch.rand(len(x), generator=generator) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(-1), x)
    dy, dx = torch.randint(-2, 3, (2,), generator=generator).tolist()
    return torch.roll(x, shifts=(dy, dx), dims=(-2, -1))


def depixelation_loss(model: Depixelator, faces: torch.Tensor, *, block: int) -> torch.Tensor:
    """MSE between model(pixelate(x)) and x, x = a randomly flipped and shifted batch of `faces`
    (N, 1, H, W) in [0, 1]. The loss_fn of the course's generic train() loop."""
    x = _augment(faces)
    return F.mse_loss(model(pixelate(x, block=block)), x)


def train_depixelator(model: Depixelator, faces: torch.Tensor, *, block: int = 5, steps: int = 1500,
                      batch_size: int = 32, lr: float = 2e-3, seed: int = 0) -> list[float]:
    """Fit model(pixelate(x)) ~ x on `faces` (N, 1, H, W) in [0, 1] with the generic `train()` loop
    (AdamW, one-cycle learning rate). Returns the mean loss of every 10 steps."""
    from ..train import TrainConfig, train
    check_images(faces, name="faces")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
    result = train(model, lambda m, x: depixelation_loss(m, x, block=block), faces, optimizer=optimiser,
                   config=TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, grad_clip=None,
                                      log_every=10, progress=False, device="cpu"),
                   on_step=[lambda step, m: schedule.step()])
    model.eval()
    return [record["loss"] for record in result.history]


@torch.no_grad()
def depixelation_gain(model: Depixelator, faces: torch.Tensor, *, block: int = 5) -> dict:
    """How much closer to the original the model gets than the pixelated image, on `faces` it never saw.
    Returns mean PSNR (dB) of pixelated and restored images against the originals, and their difference."""
    check_images(faces, name="faces")
    pixelated = pixelate(faces, block=block)
    restored = model(pixelated)
    before = sum(psnr(p, f) for p, f in zip(pixelated, faces)) / len(faces)
    after = sum(psnr(r, f) for r, f in zip(restored, faces)) / len(faces)
    return {"psnr_pixelated": before, "psnr_restored": after, "gain_db": after - before,
            "block": block, "n": len(faces)}
