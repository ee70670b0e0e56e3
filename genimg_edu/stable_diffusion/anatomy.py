"""The anatomy of Stable Diffusion with diffusers: four parts and one loop.

    prompt --CLIPTokenizer--> ids (B, 77) --CLIPTextModel--> text embeddings (B, 77, d)
    noise latents (B, 4, H/8, W/8) --[UNet2DConditionModel(latents, t, text) + guidance,
                                      scheduler.step] x steps--> clean latents
    clean latents / scaling_factor --AutoencoderKL.decode--> image (B, 3, H, W)

The same code runs two ways. Offline (here, in CI) on a *tiny, randomly initialised* pipeline
built from the same classes (`build_tiny_pipeline`): every shape is real, the pictures are noise.
On a Colab GPU `load_pretrained_pipeline("stable-diffusion-v1-5/stable-diffusion-v1-5")` loads
the real weights (about 4 GB) and the very same loop draws real pictures. The *trained* mini
pipeline of notebook 08 is built in `pipeline.py` from the same classes. Notebook 08.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..checks import check_int, check_number, check_seed
from .tokenizer import _require_transformers, tiny_clip_tokenizer

SD_MODEL_ID = "stable-diffusion-v1-5/stable-diffusion-v1-5"


def build_tiny_pipeline(*, seed: int = 0, text_dim: int = 32):
    """A StableDiffusionPipeline of tiny, randomly initialised parts (a few MB, builds in seconds).
    Same classes and data flow as SD 1.5: CLIP text encoder (77 tokens, d = text_dim), a UNet with
    cross-attention, a KL autoencoder with 4 latent channels and scale factor 8, a DDIM scheduler."""
    _require_transformers()
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(seed)
    tokenizer = tiny_clip_tokenizer()
    text_encoder = CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=text_dim, intermediate_size=2 * text_dim, num_attention_heads=4,
        num_hidden_layers=2, max_position_embeddings=77, bos_token_id=0, eos_token_id=1, pad_token_id=1))
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, block_out_channels=(16, 32), layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=text_dim, attention_head_dim=4, norm_num_groups=8)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16, 16, 16),
        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
        layers_per_block=1, norm_num_groups=8, sample_size=64, scaling_factor=0.18215)
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                              clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    pipe = StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def load_pretrained_pipeline(model_id: str = SD_MODEL_ID, *, device=None, dtype=None,
                             local_files_only: bool = False):
    """StableDiffusionPipeline.from_pretrained: a hub id (downloads ~4 GB: Colab GPU) or a local
    folder written by `pipe.save_pretrained`. dtype: float16 on CUDA, else float32 by default.
    The safety checker is left out (it is another 1 GB model; this course makes shapes and forests)."""
    _require_transformers()
    from diffusers import StableDiffusionPipeline
    device = torch.device(device) if device is not None else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if dtype is None:
        dtype = torch.float16 if device.type == "cuda" else torch.float32
    try:  # newer diffusers call the argument `dtype`, older ones (Colab may have them) `torch_dtype`
        from diffusers.utils.deprecation_utils import _TORCH_DTYPE_DEPRECATION_MESSAGE  # noqa: F401
        dtype_argument = {"dtype": dtype}
    except ImportError:
        dtype_argument = {"torch_dtype": dtype}
    pipe = StableDiffusionPipeline.from_pretrained(model_id, safety_checker=None, feature_extractor=None,
                                                   requires_safety_checker=False, local_files_only=local_files_only,
                                                   **dtype_argument)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def vae_scale_factor(pipe) -> int:
    """How much smaller latents are than images per side: 2 ** (VAE levels - 1) = 8 for SD."""
    return 2 ** (len(pipe.vae.config.block_out_channels) - 1)


@dataclass
class Anatomy:
    """What `denoise_step_by_step` saw. shapes: stage -> shape; latents: one (B, 4, h, w) per step."""
    images: torch.Tensor                              # (B, 3, H, W) in [0, 1]
    shapes: dict = field(default_factory=dict)        # e.g. "text embeddings": (2B, 77, d)
    latents: list = field(default_factory=list)
    timesteps: list = field(default_factory=list)


@torch.no_grad()
def encode_prompt(pipe, prompts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Tokenize (pad to 77) and encode: (ids (B, 77), text embeddings (B, 77, d))."""
    tokens = pipe.tokenizer(prompts, padding="max_length", max_length=pipe.tokenizer.model_max_length,
                            truncation=True, return_tensors="pt")
    ids = tokens.input_ids.to(pipe.text_encoder.device)
    return ids, pipe.text_encoder(ids)[0]


@torch.no_grad()
def denoise_step_by_step(pipe, prompt: str, *, steps: int = 25, guidance: float = 7.5, height: int = 64,
                         width: int = 64, seed: int = 0, num_images: int = 1) -> Anatomy:
    """The pipeline's loop written out: encode text (and "" for guidance), start from noise latents,
    ask the UNet for the noise, combine with classifier-free guidance, let the scheduler step,
    decode with the VAE. height/width: multiples of 8 (the VAE scale factor)."""
    if not isinstance(prompt, str):
        raise TypeError(f"prompt must be a str, got {type(prompt).__name__}")
    check_int("steps", steps, low=1)
    check_number("guidance", guidance, low=0)
    check_int("height", height, low=1)
    check_int("width", width, low=1)
    check_int("num_images", num_images, low=1)
    check_seed("seed", seed)
    factor = vae_scale_factor(pipe)
    if height % factor or width % factor:
        raise ValueError(f"height and width must be multiples of the VAE scale factor {factor}, got {height}x{width}")
    report = Anatomy(images=torch.empty(0))
    device, dtype = pipe.unet.device, pipe.unet.dtype
    # 1. words -> token ids -> one vector per token, for the prompt and for the empty prompt
    ids, text = encode_prompt(pipe, [prompt] * num_images)
    _, null = encode_prompt(pipe, [""] * num_images)
    context = torch.cat([null, text])                                         # (2B, 77, d)
    report.shapes.update({"token ids": tuple(ids.shape), "text embeddings": tuple(text.shape),
                          "context (empty + prompt)": tuple(context.shape)})
    # 2. start from Gaussian noise in latent space, 8x smaller than the image per side
    generator = torch.Generator(device="cpu").manual_seed(seed)
    shape = (num_images, pipe.unet.config.in_channels, height // factor, width // factor)
    latents = torch.randn(shape, generator=generator).to(device, dtype) * pipe.scheduler.init_noise_sigma
    report.shapes["latents"] = tuple(latents.shape)
    pipe.scheduler.set_timesteps(steps, device=device)
    for t in pipe.scheduler.timesteps:
        # 3. the UNet predicts the noise, once without and once with the text (one batch of 2B)
        model_input = pipe.scheduler.scale_model_input(torch.cat([latents, latents]), t)
        eps_null, eps_text = pipe.unet(model_input, t, encoder_hidden_states=context).sample.chunk(2)
        eps = eps_null + guidance * (eps_text - eps_null)                     # classifier-free guidance
        # 4. the scheduler removes a little noise
        latents = pipe.scheduler.step(eps, t, latents).prev_sample
        report.latents.append(latents.float().cpu())
        report.timesteps.append(int(t))
    report.shapes["noise prediction"] = tuple(eps.shape)
    # 5. the VAE decoder turns latents into pixels (latents were scaled by scaling_factor in training)
    decoded = pipe.vae.decode(latents / pipe.vae.config.scaling_factor).sample
    report.shapes["decoded image"] = tuple(decoded.shape)
    report.images = ((decoded.float().cpu() + 1) / 2).clamp(0, 1)
    return report


def count_parameters(pipe) -> dict[str, int]:
    """Parameters per part: text encoder, UNet, VAE."""
    return {name: sum(p.numel() for p in getattr(pipe, name).parameters())
            for name in ("text_encoder", "unet", "vae")}


def can_download_weights() -> bool:
    """True on a CUDA machine that can reach the Hugging Face hub (a Colab GPU runtime)."""
    if not torch.cuda.is_available():
        return False
    import socket
    try:
        socket.create_connection(("huggingface.co", 443), timeout=3).close()
        return True
    except OSError:
        return False
