"""Stage 1, the VAE: a diffusers `AutoencoderKL` that squeezes 32x32x3 images into 8x8x4 latents.

Stable Diffusion never diffuses pixels. Its autoencoder (Rombach et al. 2022) maps an image x to
a Gaussian q(z | x) = N(mu(x), sigma(x)^2) over a latent 8x smaller per side (4x here), and back:

    loss = ||D(z) - x||^2  +  edge_weight * ||grad D(z) - grad x||^2  +  kl_weight * KL(q(z | x) || N(0, I))

with z = mu + sigma * eps and grad the differences between neighbouring pixels (down and across).
The reconstruction term makes the latent keep what the image shows. Squared error alone is content
with soft, blurred edges, and a small shape's outline is what tells a triangle from a circle; the
edge term (a gradient loss, as in Mathieu, Couprie & LeCun 2016) charges for blurred outlines. SD's
own VAE does the same job with a perceptual (LPIPS) and an adversarial loss. The small KL term keeps
the latent space smooth and near the origin, so the diffusion model has a well-behaved space to work in.
After training, latents are multiplied by `scaling_factor` = 1 / std(latents) so the UNet sees
unit-variance numbers, as SD does (its 0.18215 was measured the same way). Images are in [-1, 1]
inside the VAE, as in diffusers; these helpers take and return [0, 1].
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..autoencoders.training import psnr  # noqa: F401  (chapter 04's; evaluation.py uses it from here)
from ..data import check_images, to_signed, to_unit
from ..style.losses import total_variation_loss
from ..train import TrainConfig, train
from .config import MiniSDConfig


def build_vae(config: MiniSDConfig):
    """A randomly initialised AutoencoderKL for 32x32 RGB: len(vae_channels) levels, each after the
    first halves the side, so 32x32x3 -> (32 / 2^(levels-1))^2 x latent_channels."""
    from diffusers import AutoencoderKL
    levels = len(config.vae_channels)
    return AutoencoderKL(in_channels=3, out_channels=3, latent_channels=config.latent_channels,
                         block_out_channels=config.vae_channels, down_block_types=("DownEncoderBlock2D",) * levels,
                         up_block_types=("UpDecoderBlock2D",) * levels, layers_per_block=1,
                         norm_num_groups=min(8, config.vae_channels[0]), sample_size=32, scaling_factor=1.0)


def edge_loss(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean squared difference of the neighbouring-pixel differences (down and across) of x_hat and x,
    both (B, C, H, W). Differences are linear, so grad x_hat - grad x = grad (x_hat - x): this is chapter
    09's total variation of the reconstruction error."""
    return total_variation_loss(x_hat - x)


def vae_loss(vae, x: torch.Tensor, *, kl_weight: float, edge_weight: float) -> dict:
    """x: (B, 3, 32, 32) in [-1, 1]. Returns {"loss", "mse", "edge", "kl"}; kl is per latent number."""
    posterior = vae.encode(x).latent_dist
    z = posterior.sample()
    x_hat = vae.decode(z).sample
    mse = F.mse_loss(x_hat, x)
    edge = edge_loss(x_hat, x)
    kl = posterior.kl().mean() / z[0].numel()
    return {"loss": mse + edge_weight * edge + kl_weight * kl, "mse": mse.detach(), "edge": edge.detach(),
            "kl": kl.detach()}


def train_vae(vae, images: torch.Tensor, config: MiniSDConfig, *, progress: bool = True, checkpoint_path=None,
              callbacks=(), device=None):
    """Train on images (N, 3, 32, 32) in [0, 1] with the course's loop (resumable through
    checkpoint_path) on `device` (None: pick_device()). Returns the TrainResult."""
    check_images(images, value_range=(0, 1), channels=3)
    def loss_fn(model, batch):
        return vae_loss(model, batch, kl_weight=config.kl_weight, edge_weight=config.vae_edge_weight)
    return train(vae, loss_fn, to_signed(images),
                 config=TrainConfig(steps=config.vae_steps, batch_size=config.vae_batch_size, lr=config.vae_lr,
                                    seed=config.seed, progress=progress, lr_schedule=config.vae_lr_schedule, log_every=min(50, config.vae_steps),
                                    device=device, checkpoint_path=checkpoint_path,
                                    checkpoint_every=250 if checkpoint_path else None),
                 callbacks=callbacks)


@torch.no_grad()
def encode(vae, images: torch.Tensor, *, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """images (N, 3, 32, 32) in [0, 1] -> (mean, std), each (N, C, h, w): the posterior q(z | x),
    not yet multiplied by scaling_factor. Runs on the VAE's device; returns CPU tensors."""
    check_images(images, value_range=(0, 1), channels=3)
    device = next(vae.parameters()).device
    means, stds = [], []
    for i in range(0, len(images), batch_size):
        posterior = vae.encode(to_signed(images[i:i + batch_size]).to(device)).latent_dist
        means.append(posterior.mean.cpu())
        stds.append(posterior.std.cpu())
    return torch.cat(means), torch.cat(stds)


@torch.no_grad()
def reconstruct(vae, images: torch.Tensor) -> torch.Tensor:
    """Encode to the posterior mean and decode: (N, 3, 32, 32) in [0, 1] -> same shape in [0, 1]."""
    mean, _ = encode(vae, images)
    return to_unit(vae.decode(mean.to(next(vae.parameters()).device)).sample.clamp(-1, 1)).cpu()


def measure_scaling_factor(mean: torch.Tensor) -> float:
    """1 / std of the latents (SD's `scaling_factor`): the UNet then works on unit-variance numbers."""
    return float(1 / mean.std())
