"""Assemble the trained parts into a genuine `diffusers.StableDiffusionPipeline`.

    pipe = build_mini_sd()                       # trains the three stages once, then loads them
    pipe("a small red circle on the left", height=32, width=32, guidance_scale=4.0,
         negative_prompt="a blue shape", num_inference_steps=25).images[0]

The pipeline is the library's own class, unchanged: the same object that runs Stable Diffusion
1.5 on a GPU runs our 32x32 toy, because it only talks to its parts through their interfaces
(tokenizer -> text_encoder -> unet + scheduler -> vae.decode). `pipe.save_pretrained(folder)`
writes the usual diffusers folder; `StableDiffusionPipeline.from_pretrained(folder)` reads it back.
"""
from __future__ import annotations

from ..device import resolve_device
from .config import MiniSDConfig
from .tokenizer import course_tokenizer
from .training import load_or_train_text_encoder, load_or_train_unet, load_or_train_vae
from .unet import build_sampling_scheduler


def assemble_pipeline(*, vae, text_encoder, tokenizer, unet, scheduler):
    """StableDiffusionPipeline from the parts, without a safety checker (the parts draw shapes)."""
    from diffusers import StableDiffusionPipeline
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def build_mini_sd(config: MiniSDConfig | None = None, *, directory=None, progress: bool = True,
                  return_info: bool = False, device=None):
    """Train (or load from the cache) VAE, text encoder and UNet for `config` and assemble them on
    `device` (None: pick_device(): cuda -> mps -> cpu; it trains there too).
    return_info: also return {"vae": info, "text": info, "unet": info, "clip": the contrastive pair}."""
    config = config or MiniSDConfig()
    if not isinstance(config, MiniSDConfig):
        raise TypeError(f"config must be a MiniSDConfig, got {type(config).__name__}")
    device = resolve_device(device)  # a bad device fails here, before anything trains
    tokenizer = course_tokenizer(max_length=config.max_length)
    where = dict(directory=directory, progress=progress, device=device)
    vae, vae_info = load_or_train_vae(config, **where)
    pair, text_info = load_or_train_text_encoder(config, tokenizer, **where)
    unet, unet_info = load_or_train_unet(config, vae, pair.text_encoder, tokenizer, **where)
    pipe = assemble_pipeline(vae=vae, text_encoder=pair.text_encoder, tokenizer=tokenizer, unet=unet,
                             scheduler=build_sampling_scheduler(config)).to(device)
    if return_info:
        return pipe, {"vae": vae_info, "text": text_info, "unet": unet_info, "clip": pair}
    return pipe


def load_pipeline(folder):
    """A pipeline written by `pipe.save_pretrained(folder)`, read back offline."""
    from diffusers import StableDiffusionPipeline
    pipe = StableDiffusionPipeline.from_pretrained(str(folder), safety_checker=None, feature_extractor=None,
                                                   requires_safety_checker=False, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe
