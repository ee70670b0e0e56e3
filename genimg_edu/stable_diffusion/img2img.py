"""img2img: start the reverse process from a *noised* version of an image instead of pure noise.

`StableDiffusionImg2ImgPipeline` is built from the same trained components. With strength s in
[0, 1] it encodes the image to a latent z0, noises it to step t = s * T (`scheduler.add_noise`),
and runs only the last s * steps denoising steps under the new prompt: s near 0 returns the image
almost untouched, s = 1 ignores it (plain text-to-image). In between, the layout (what the noise
has not destroyed yet) survives and the prompt changes the rest.
"""
from __future__ import annotations

import torch

from ..checks import check_int, check_number, check_seed
from ..data import check_images


def img2img_pipeline(pipe):
    """A StableDiffusionImg2ImgPipeline sharing `pipe`'s components (no copies of the weights)."""
    from diffusers import StableDiffusionImg2ImgPipeline
    out = StableDiffusionImg2ImgPipeline(**pipe.components, requires_safety_checker=False)
    out.set_progress_bar_config(disable=True)
    return out


def check_picture(image) -> torch.Tensor:
    """image: one picture (3, H, W) or (1, 3, H, W) in [0, 1]. Returns it as (1, 3, H, W)."""
    if isinstance(image, torch.Tensor) and image.ndim == 3:
        image = image[None]
    check_images(image, value_range=(0, 1), channels=3, name="image")
    if image.shape[0] != 1:
        raise ValueError(f"image must be one picture (3, H, W) or (1, 3, H, W), got {tuple(image.shape)}")
    return image


@torch.no_grad()
def img2img(pipe, image: torch.Tensor, prompt: str, *, strength: float = 0.6, guidance: float = 4.0,
            steps: int = 25, seed: int = 0, n_images: int = 1) -> torch.Tensor:
    """image: (3, 32, 32) or (1, 3, 32, 32) in [0, 1]; pipe: a text-to-image or img2img pipeline.
    Returns (n_images, 3, 32, 32) in [0, 1]."""
    check_number("strength", strength, low=0, high=1, low_open=True)
    check_int("steps", steps, low=1)
    if int(steps * strength) < 1:   # diffusers runs int(steps * strength) of the steps
        raise ValueError(f"strength x steps must give at least one denoising step: strength {strength} with "
                         f"{steps} steps gives {steps * strength:.2f}; raise strength to >= {1 / steps:.3g} "
                         "or use more steps")
    check_number("guidance", guidance, low=0)
    check_seed("seed", seed)
    check_int("n_images", n_images, low=1)
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {prompt!r:.60}")
    image = check_picture(image)
    factor = getattr(pipe, "vae_scale_factor", None)   # pixels per latent cell: 4 here, 8 in SD
    if not isinstance(factor, int):
        raise TypeError(f"pipe must be a StableDiffusionPipeline or its img2img twin, got {type(pipe).__name__}")
    if image.shape[2] % factor or image.shape[3] % factor:
        raise ValueError(f"image height and width must be multiples of {factor} (the VAE's downscaling), got "
                         f"{tuple(image.shape[2:])}; the mini SD draws 32x32")
    from diffusers import StableDiffusionImg2ImgPipeline
    runner = pipe if isinstance(pipe, StableDiffusionImg2ImgPipeline) else img2img_pipeline(pipe)
    out = runner([prompt] * n_images, image=image.expand(n_images, -1, -1, -1), strength=float(strength),
                 num_inference_steps=steps, guidance_scale=guidance, output_type="pt",
                 generator=torch.Generator().manual_seed(seed))
    return out.images.float().cpu()
