r"""Can we tell generated images from real ones? Two detectors and the ways they break.

Durall et al. (2020, "Watch your up-convolution") showed that generators leave a fingerprint in the
Fourier spectrum: the up-sampling layers cannot reproduce the natural fall-off of high frequencies.
Their detector is tiny: the azimuthally averaged log-magnitude spectrum (one number per ring of
frequencies) fed to a logistic regression. We also train a small CNN on the high-pass residual
x - blur(x), where the up-sampling traces live (on raw pixels the same CNN reaches only ~75 %).

    features = radial_spectrum(x)            # x: (N, C, H, W) in [0, 1] -> (N, H // 2 + 1)
    detector = SpectrumDetector().fit(real, fake)
    detector.accuracy(real_test, fake_test)   # fraction of images classified right
    degrade(x, quality=75, scale=0.75)        # JPEG + resize: what a social network does to an image

Wang et al. (2020) and Corvi et al. (2023): such detectors do well on the generator they were trained
on and drop on generators they never saw, and after compression. Notebook 10, section 1.
"""
from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from ..checks import check_number
from ..data import check_images


def radial_spectrum(x: torch.Tensor) -> torch.Tensor:
    """Azimuthally averaged log-magnitude Fourier spectrum (Durall et al. 2020).

    x: (N, C, H, W) in [0, 1] (colour is averaged to grey). Returns (N, R) float32 with
    R = min(H, W) // 2 + 1: entry r is the mean of log(1 + |FFT|) over frequencies whose distance
    from the centre rounds to r — ring 0 is the average brightness, the last ring the finest detail.
    """
    _check_batch(x)
    grey = x.float().mean(1)                                            # (N, H, W)
    H, W = grey.shape[-2:]
    spectrum = torch.fft.fftshift(torch.fft.fft2(grey), dim=(-2, -1)).abs()
    log_power = torch.log1p(spectrum)                                  # (N, H, W)
    fy, fx = torch.meshgrid(torch.arange(H) - H // 2, torch.arange(W) - W // 2, indexing="ij")
    ring = torch.sqrt(fy.float() ** 2 + fx.float() ** 2).round().long()  # (H, W) ring index
    R = min(H, W) // 2 + 1
    ring = ring.clamp(max=R - 1)
    sums = torch.zeros(len(x), R).index_add_(1, ring.flatten(), log_power.flatten(1))
    counts = torch.bincount(ring.flatten(), minlength=R).float()
    return sums / counts                                               # (N, R)


def _xy(real: torch.Tensor, fake: torch.Tensor, featurise) -> tuple[np.ndarray, np.ndarray]:
    check_images(real, name="real"), check_images(fake, name="fake")
    if real.shape[1:] != fake.shape[1:]:
        raise ValueError(f"real and fake must have the same (C, H, W), got {tuple(real.shape[1:])} "
                         f"and {tuple(fake.shape[1:])}")
    features = featurise(torch.cat([real, fake]))
    labels = np.r_[np.zeros(len(real)), np.ones(len(fake))]            # 1 = generated
    return np.asarray(features), labels


class SpectrumDetector:
    """Spectrum features -> standardised -> logistic regression. 1 = generated, 0 = real."""

    def __init__(self, *, C: float = 1.0):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        self.model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=2000))

    def fit(self, real: torch.Tensor, fake: torch.Tensor) -> "SpectrumDetector":
        """real, fake: (N, C, H, W) in [0, 1]. Returns self."""
        self.model.fit(*_xy(real, fake, radial_spectrum))
        return self

    def prob_generated(self, x: torch.Tensor) -> np.ndarray:
        """(N,) probability that each image is generated."""
        return self.model.predict_proba(np.asarray(radial_spectrum(x)))[:, 1]

    def accuracy(self, real: torch.Tensor, fake: torch.Tensor) -> float:
        """Share of real and fake images classified right (balanced: the mean of both accuracies)."""
        return _balanced_accuracy(self.prob_generated(real), self.prob_generated(fake))


def _balanced_accuracy(p_real: np.ndarray, p_fake: np.ndarray) -> float:
    return float(((p_real < 0.5).mean() + (p_fake >= 0.5).mean()) / 2)


def high_pass(x: torch.Tensor) -> torch.Tensor:
    """The noise residual x - blur(x) (blur = 3x3 box, edges replicated): what is left after removing
    the image content a 3x3 neighbourhood predicts. Forensic detectors look here because generators'
    up-sampling leaves its traces in the finest detail, and the picture itself would otherwise dominate.
    x: (N, C, H, W) -> (N, C, H, W), values in about [-1, 1]."""
    blurred = F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return x - blurred


CNN_INPUTS = ("pixels", "residual")


class CNNDetector(nn.Module):
    """A small CNN: (N, C, H, W) in [0, 1] -> (N,) logit of "generated". `inputs="residual"` (default)
    feeds it the high-pass residual (scaled by 4 to about unit size); "pixels" the image itself."""

    def __init__(self, *, channels: int = 1, width: int = 32, inputs: str = "residual"):
        super().__init__()
        if inputs not in CNN_INPUTS:
            raise ValueError(f"inputs must be one of {CNN_INPUTS}, got {inputs!r}")
        self.inputs = inputs
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, width, 3, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2 * width, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(4 * high_pass(x) if self.inputs == "residual" else x).squeeze(1)

    def fit(self, real: torch.Tensor, fake: torch.Tensor, *, steps: int = 1000, batch_size: int = 64,
            lr: float = 2e-3, seed: int = 0) -> "CNNDetector":
        """Binary cross-entropy on shuffled real (0) and fake (1) images with the generic `train()` loop
        (AdamW, one-cycle learning rate: warm up, then anneal to ~0). Returns self, in eval mode."""
        from ..train import TrainConfig, train
        check_images(real, name="real"), check_images(fake, name="fake")
        if not isinstance(steps, int) or steps < 1:
            raise ValueError(f"steps must be a positive int, got {steps!r}")
        data = (torch.cat([real, fake]), torch.cat([torch.zeros(len(real)), torch.ones(len(fake))]))
        optimiser = torch.optim.AdamW(self.parameters(), lr=lr, weight_decay=0.0)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr, total_steps=steps)
        self.history = train(self, detector_loss, data, optimizer=optimiser, on_step=[lambda step, m: schedule.step()],
                             config=TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, grad_clip=None,
                                                log_every=max(steps // 20, 1), progress=False, device="cpu")).history
        return self.eval()

    @torch.no_grad()
    def prob_generated(self, x: torch.Tensor) -> np.ndarray:
        check_images(x, name="x")
        return torch.sigmoid(self(x)).numpy()

    def accuracy(self, real: torch.Tensor, fake: torch.Tensor) -> float:
        return _balanced_accuracy(self.prob_generated(real), self.prob_generated(fake))


def detector_loss(model: CNNDetector, batch) -> torch.Tensor:
    """batch = (images (B, C, H, W) in [0, 1], is_generated (B,) 0/1): binary cross-entropy of the logits."""
    images, is_generated = batch
    return F.binary_cross_entropy_with_logits(model(images), is_generated.float())


def _check_batch(x) -> None:
    """x: a non-empty (N, C, H, W) batch in [0, 1]."""
    check_images(x, name="x")
    if not len(x):
        raise ValueError("x must hold at least one image, got an empty batch")


def jpeg(x: torch.Tensor, quality: int) -> torch.Tensor:
    """Round-trip every image through JPEG at `quality` (1..95). x: (N, C, H, W) in [0, 1], C in {1, 3}."""
    _check_batch(x)
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 95:
        raise ValueError(f"quality must be an int in [1, 95], got {quality!r}")
    if x.shape[1] not in (1, 3):
        raise ValueError(f"x must have 1 or 3 channels, got {x.shape[1]}")
    out = []
    for image in x:
        array = (image.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        pil = Image.fromarray(array[..., 0] if x.shape[1] == 1 else array)
        buffer = io.BytesIO()
        pil.save(buffer, format="JPEG", quality=quality)
        back = np.asarray(Image.open(buffer), dtype=np.float32) / 255
        out.append(torch.from_numpy(back).reshape(x.shape[2], x.shape[3], -1).permute(2, 0, 1))
    return torch.stack(out)


def resize(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Shrink by `scale` (0 < scale <= 1, bilinear, antialiased) and enlarge back to the original size."""
    _check_batch(x)
    check_number("scale", scale, low=0, high=1, low_open=True)
    H, W = x.shape[-2:]
    small = F.interpolate(x, size=(max(1, round(H * scale)), max(1, round(W * scale))), mode="bilinear",
                          antialias=True, align_corners=False)
    return F.interpolate(small, size=(H, W), mode="bilinear", align_corners=False).clamp(0, 1)


def degrade(x: torch.Tensor, *, quality: int = 75, scale: float = 0.75) -> torch.Tensor:
    """What sharing does to an image: resize (down and back up), then JPEG at `quality`."""
    return jpeg(resize(x, scale), quality)
