"""Pictures from prompts with classifier-free guidance (Ho & Salimans 2022):

    eps = eps(xt, "") + w * (eps(xt, caption) - eps(xt, ""))       w = guidance scale

w = 1 is the plain conditional model; w > 1 pushes further in the direction the words point.
Chapter 06's samplers run unchanged on the guided eps. Notebook 07.
"""
from __future__ import annotations

import torch

from ..data import to_unit
from ..diffusion import sample
from ..diffusion.guidance import combine_guidance
from .encoder import TextEncoding
from .text_to_image import TextToImage


def guided_eps(model: TextToImage, xt, t, text: TextEncoding, null: TextEncoding, *, guidance: float):
    """Classifier-free guidance: eps_null + w (eps_text - eps_null), both from one batched call.
    (eps is affine in v for a fixed xt, so guiding v and converting is the same thing.)"""
    both = TextEncoding(states=torch.cat([text.states, null.states]), pooled=torch.cat([text.pooled, null.pooled]),
                        mask=torch.cat([text.mask, null.mask]))
    v_text, v_null = model.unet(torch.cat([xt, xt]), torch.cat([t, t]), both).chunk(2)
    return model.predict_eps(xt, t, combine_guidance(v_text, v_null, guidance))


@torch.no_grad()
def generate(model: TextToImage, prompts, *, guidance: float = 3.0, steps: int = 25, seed: int = 0,
             sampler: str = "ddim", progress: bool = False, return_trajectory: bool = False):
    """Images for a list of prompts: (B, 3, s, s) in [0, 1]. guidance: CFG scale w >= 0
    (0 = ignore the text, 1 = conditional only). Unknown words raise UnknownWordError."""
    if isinstance(prompts, str):
        prompts = [prompts]
    if not isinstance(prompts, (list, tuple)) or not all(isinstance(p, str) for p in prompts):
        raise TypeError(f"prompts must be a str or a list of str such as ['a small red circle on the left'], "
                        f"got {type(prompts).__name__}")
    if not prompts:
        raise ValueError("prompts is empty: give at least one prompt")
    if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not 0 <= guidance < float("inf"):
        raise ValueError(f"guidance must be a finite number >= 0, got {guidance!r}")
    model.eval()
    text = model.encode_prompts(list(prompts))
    null = model.encode_prompts([""] * len(prompts))
    size = model.config.image_size
    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    out = sample(lambda xt, t: guided_eps(model, xt, t, text, null, guidance=guidance),
                 shape=(len(prompts), 3, size, size), schedule=model.schedule.to(device), steps=steps,
                 sampler=sampler, generator=generator, progress=progress, return_trajectory=return_trajectory,
                 device=device)
    if return_trajectory:
        x, trajectory = out
        return to_unit(x.cpu()), trajectory
    return to_unit(out.cpu())
