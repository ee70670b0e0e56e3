"""Why latent diffusion: the measured cost of one UNet step in latent space vs in pixel space.

The same UNet (same widths, same blocks) is built twice: once for latents (4, 8, 8), once for pixels
(3, 32, 32), and one training step (forward + backward) is timed on each. Convolutions cost in
proportion to the number of positions (16x fewer at 8x8), and self-attention to its square, so the
saving per step — paid at every one of thousands of training steps and every sampling step — is
large; the VAE is paid once per image.
"""
from __future__ import annotations

import time
from dataclasses import replace

import torch

from ..checks import check_int
from .config import MiniSDConfig
from .unet import build_unet


def _unet_for(config: MiniSDConfig, *, channels: int, side: int):
    unet = build_unet(replace(config, latent_channels=channels))
    unet.register_to_config(sample_size=side)
    return unet


def time_unet_step(unet, *, channels: int, side: int, batch_size: int = 32, text_len: int = 16,
                   text_dim: int = 64, repeats: int = 3) -> dict:
    """Median wall and CPU seconds of one training step (forward + backward) on (B, channels, side, side)."""
    x = torch.randn(batch_size, channels, side, side)
    context = torch.randn(batch_size, text_len, text_dim)
    t = torch.randint(0, 1000, (batch_size,))
    walls, cpus = [], []
    for i in range(repeats + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        unet.zero_grad(set_to_none=True)
        unet(x, t, encoder_hidden_states=context).sample.pow(2).mean().backward()
        if i:  # the first call warms up
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return {"wall_seconds": sorted(walls)[len(walls) // 2], "cpu_seconds": sorted(cpus)[len(cpus) // 2]}


def latent_vs_pixel_cost(config: MiniSDConfig | None = None, *, batch_size: int = 32, repeats: int = 3) -> dict:
    """Time one UNet training step on latents (4, s/4, s/4) and on pixels (3, 32, 32), same widths.
    Returns {"latent": timing, "pixel": timing, "speedup_cpu": pixel CPU / latent CPU, "positions": ...}."""
    config = MiniSDConfig() if config is None else config
    if not isinstance(config, MiniSDConfig):
        raise TypeError(f"config must be a MiniSDConfig or None, got {type(config).__name__}")
    check_int("batch_size", batch_size, low=1)
    check_int("repeats", repeats, low=1)
    side = config.latent_side
    latent = time_unet_step(_unet_for(config, channels=config.latent_channels, side=side), channels=config.latent_channels,
                            side=side, batch_size=batch_size, text_len=config.max_length, text_dim=config.text_dim,
                            repeats=repeats)
    pixel = time_unet_step(_unet_for(config, channels=3, side=32), channels=3, side=32, batch_size=batch_size,
                           text_len=config.max_length, text_dim=config.text_dim, repeats=repeats)
    return {"latent": latent, "pixel": pixel, "speedup_cpu": pixel["cpu_seconds"] / latent["cpu_seconds"],
            "speedup_wall": pixel["wall_seconds"] / latent["wall_seconds"],
            "positions": {"latent": side * side, "pixel": 32 * 32}, "batch_size": batch_size}
