"""Training autoencoders, denoising, and the compression race against PCA. Notebook 04."""
from __future__ import annotations

import math
from contextlib import nullcontext
from functools import partial

import torch
from torch.nn import functional as F

from ..data import check_images
from ..device import pick_device, single_thread
from ..train import TrainConfig, train
from .models import VAE, Autoencoder, vae_loss


def add_noise(x: torch.Tensor, *, std: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Gaussian pixel noise, then clipped back to [0, 1] (the corruption is 'noise + clip').

    x: (B, 1, H, W) in [0, 1]; std >= 0. Returns a new tensor in [0, 1].
    """
    check_images(x, value_range=(0, 1), name="x")
    if not std >= 0:
        raise ValueError(f"std must be >= 0, got {std!r}")
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype) * std
    return (x + noise).clamp(0, 1)


def mse(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean squared error between two image batches of the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    return F.mse_loss(a, b).item()


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1]: 10 log10(1 / MSE). Higher is closer."""
    error = mse(a, b)
    return math.inf if error == 0 else 10 * math.log10(1.0 / error)


def autoencoder_loss(model: Autoencoder, batch: torch.Tensor, *, noise_std: float = 0.0) -> torch.Tensor:
    """Mean squared reconstruction error of a batch (B, C, H, W). With noise_std > 0 the model sees a
    noisy copy and must give back the clean digit: a denoising autoencoder."""
    inputs = add_noise(batch, std=noise_std) if noise_std > 0 else batch
    return F.mse_loss(model(inputs), batch)


def vae_batch_loss(model: VAE, batch: torch.Tensor, *, beta: float = 1.0) -> dict[str, torch.Tensor]:
    """vae_loss on a batch, as the dict genimg_edu.train logs: {"loss", "reconstruction", "kl"}."""
    x_hat, mu, logvar = model(batch)
    if x_hat.dtype != torch.float32:  # under bf16/fp16 autocast: the loss in float32 (BCE is unsafe in half)
        with torch.autocast(batch.device.type, enabled=False):
            parts = vae_loss(x_hat.float(), batch.float(), mu.float(), logvar.float(), beta=beta)
    else:
        parts = vae_loss(x_hat, batch, mu, logvar, beta=beta)
    return {"loss": parts.total, "reconstruction": parts.reconstruction, "kl": parts.kl}


def train_autoencoder(model, images: torch.Tensor, *, steps: int = 2000, lr: float = 2e-3,
                      batch_size: int = 128, noise_std: float = 0.0, beta: float = 1.0, seed: int = 0,
                      log_every: int = 50, callbacks=(), progress: bool = False, device: str | None = "cpu",
                      amp: str = "off", on_step=()) -> list[dict]:
    """Train an Autoencoder (MSE; denoising when noise_std > 0) or a VAE (vae_loss with `beta`).

    images: (N, C, H, W) in [0, 1], the model's image shape ((N, 1, 8, 8) for the chapter's digits).
    Uses genimg_edu.train, by default on the CPU with one thread (these nets are tiny); device=None
    picks the GPU when there is one and amp is TrainConfig.amp ("auto": device.amp_choice). The model
    comes back on the CPU, where the chapter's tools use it. Returns the history [{"step", "loss", ...}];
    callback(step, record) every `log_every` steps; on_step: hook(step, model) after every step.
    """
    check_images(images, value_range=(0, 1), channels=getattr(model, "image_shape", (1,))[0], name="images")
    if isinstance(model, VAE):
        loss_fn = partial(vae_batch_loss, beta=beta)
    elif isinstance(model, Autoencoder):
        loss_fn = partial(autoencoder_loss, noise_std=noise_std)
    else:
        raise TypeError(f"model must be an Autoencoder or VAE, got {type(model).__name__}")
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, log_every=log_every,
                         grad_clip=None, device=device, progress=progress, amp=amp)
    on_cpu = config.device is None and pick_device().type == "cpu" or str(config.device) == "cpu"
    with single_thread() if on_cpu else nullcontext():   # tiny networks: one CPU thread is faster than two
        result = train(model, loss_fn, images, config=config, callbacks=callbacks, on_step=on_step)
    model.cpu().eval()
    return result.history


@torch.no_grad()
def reconstruct(model, x: torch.Tensor) -> torch.Tensor:
    """x -> decode(encode(x)); for a VAE the mean code mu is used (no sampling)."""
    check_images(x, value_range=(0, 1), channels=getattr(model, "image_shape", (1,))[0], name="x")
    model.eval()
    if isinstance(model, VAE):
        return model.decode(model.encode(x)[0])
    return model(x)


class PCA:
    """Principal component analysis on flattened images, the linear baseline for compression.

    fit: x (N, 1, H, W). encode -> (N, k); decode -> (N, 1, H, W) (not clipped; PCA is linear).
    """

    def __init__(self, x: torch.Tensor, k: int):
        check_images(x, value_range=(0, 1), name="x")
        flat = x.flatten(1).double()
        if not isinstance(k, int) or not 1 <= k <= flat.shape[1]:
            raise ValueError(f"k must be an int in [1, {flat.shape[1]}], got {k!r}")
        self.k, self.image_shape = k, tuple(x.shape[1:])
        self.mean = flat.mean(dim=0)
        _, _, vh = torch.linalg.svd(flat - self.mean, full_matrices=False)
        self.components = vh[:k]                                  # (k, D) orthonormal rows

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return ((x.flatten(1).double() - self.mean) @ self.components.T).float()   # (N, k)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        flat = z.double() @ self.components + self.mean
        return flat.float().reshape(len(z), *self.image_shape)


def compression_curve(train_images: torch.Tensor, test_images: torch.Tensor, *, ks=(1, 2, 4, 8, 16),
                      steps: int = 2000, seed: int = 0) -> list[dict]:
    """For each k: test MSE when a digit is squeezed into k numbers, by PCA and by an autoencoder.

    Returns [{"k", "pca_mse", "autoencoder_mse"}]. Trains one Autoencoder(k) per k.
    """
    rows = []
    for k in ks:
        torch.manual_seed(seed)
        model = Autoencoder(k)
        train_autoencoder(model, train_images, steps=steps, seed=seed)
        pca = PCA(train_images, k)
        rows.append({"k": k, "pca_mse": mse(pca.decode(pca.encode(test_images)), test_images),
                     "autoencoder_mse": mse(reconstruct(model, test_images), test_images)})
    return rows
