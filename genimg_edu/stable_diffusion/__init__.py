"""Chapter 08 — a mini Stable Diffusion trained on a laptop, and the anatomy of the real one.

VAE (diffusers AutoencoderKL) -> text encoder (transformers CLIPTextModel, trained contrastively,
frozen) -> UNet (diffusers UNet2DConditionModel with cross-attention) on cached latents -> a genuine
`StableDiffusionPipeline`. `anatomy` keeps the tiny random pipeline and the Colab loader for the
real pretrained weights. Notebook 08.
"""
from .anatomy import (SD_MODEL_ID, build_tiny_pipeline, can_download_weights, count_parameters,
                      denoise_step_by_step, load_pretrained_pipeline, vae_scale_factor)
from .config import HELD_OUT, MiniSDConfig
from .pipeline import assemble_pipeline, build_mini_sd, load_pipeline
from .tokenizer import course_tokenizer, tiny_clip_tokenizer

__all__ = ["HELD_OUT", "SD_MODEL_ID", "MiniSDConfig", "assemble_pipeline", "build_mini_sd", "build_tiny_pipeline",
           "can_download_weights", "count_parameters", "course_tokenizer", "denoise_step_by_step",
           "load_pipeline", "load_pretrained_pipeline", "tiny_clip_tokenizer", "vae_scale_factor"]
