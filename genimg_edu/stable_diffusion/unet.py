"""Stage 3, the UNet: a diffusers `UNet2DConditionModel` that denoises latents while reading the text.

Training is chapter 06's denoising loss, moved into the VAE's latent space and conditioned on the
frozen text states through cross-attention (queries from the latent pixels, keys and values from
the tokens):

    z0 = scaling_factor * (mu + sigma * eps')          a latent of a training image (cached mu, sigma)
    zt = sqrt(alpha_bar_t) z0 + sqrt(1 - alpha_bar_t) eps
    v  = sqrt(alpha_bar_t) eps - sqrt(1 - alpha_bar_t) z0       (prediction_type="v_prediction")
    loss = || unet(zt, t, text states) - v ||^2 * w(t)      w(t) = min(SNR, gamma) / (SNR + 1)   (Min-SNR)

The noise is added by a diffusers `DDPMScheduler` (`add_noise`, `get_velocity`): the very schedule
the sampling scheduler in the pipeline uses. v-prediction (Salimans & Ho 2022) keeps the target
sensible at the noisiest steps (chapter 07 measured why). With probability `caption_dropout` the
prompt is "", so the same network also learns the unconditional prediction guidance needs.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..device import resolve_device
from ..ema import EMA
from ..train import TrainConfig, train
from .config import MiniSDConfig
from .prompts import choose_versions, pick_prompts


def build_unet(config: MiniSDConfig):
    """A randomly initialised UNet2DConditionModel for latents (4, side, side) that attends to
    text states of width text_dim at the levels `attention_levels` marks (and in the middle)."""
    from diffusers import UNet2DConditionModel
    down = tuple("CrossAttnDownBlock2D" if a else "DownBlock2D" for a in config.attention_levels)
    up = tuple("CrossAttnUpBlock2D" if a else "UpBlock2D" for a in reversed(config.attention_levels))
    return UNet2DConditionModel(
        sample_size=config.latent_side, in_channels=config.latent_channels, out_channels=config.latent_channels,
        block_out_channels=config.unet_channels, layers_per_block=1, down_block_types=down, up_block_types=up,
        cross_attention_dim=config.text_dim, attention_head_dim=config.attention_head_dim,
        norm_num_groups=min(16, config.unet_channels[0]))


def build_noise_scheduler(config: MiniSDConfig):
    """The training scheduler (DDPM, 1000 steps): it adds noise and computes the v target."""
    from diffusers import DDPMScheduler
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule=config.schedule, prediction_type=config.prediction,
                         clip_sample=False)


def build_sampling_scheduler(config: MiniSDConfig):
    """The pipeline's scheduler: DDIM on the same betas; "trailing" spacing starts at t = 999."""
    from diffusers import DDIMScheduler
    return DDIMScheduler(num_train_timesteps=1000, beta_schedule=config.schedule, prediction_type=config.prediction,
                         clip_sample=False, set_alpha_to_one=False, steps_offset=1, timestep_spacing="trailing")


def pick_context(index: torch.Tensor, text_states: torch.Tensor, *, caption_dropout: float,
                 partial_caption: float) -> torch.Tensor:
    """index (B, 16): each image's 16 prompt versions as rows of text_states (P, L, d). Picks one
    version per image (EMPTY with P caption_dropout, a random part with P partial_caption, else the
    caption) and returns its text states (B, L, d)."""
    versions = choose_versions(len(index), caption_dropout=caption_dropout, partial_caption=partial_caption)
    chosen, _ = pick_prompts(index, versions)
    return text_states[chosen]


def min_snr_weights(t: torch.Tensor, *, alphas_cumprod: torch.Tensor, gamma: float, prediction: str) -> torch.Tensor:
    """Min-SNR-gamma loss weights (Hang et al. 2023, "Efficient Diffusion Training via Min-SNR Weighting
    Strategy"), one per sample: t (B,) integer timesteps -> (B,) weights.

    SNR(t) = alpha_bar_t / (1 - alpha_bar_t). For epsilon-prediction the weight is min(SNR, gamma) / SNR,
    for v-prediction min(SNR, gamma) / (SNR + 1). Both cap what the nearly clean steps (huge SNR: fine
    detail only) contribute, so the noisy steps -- where layout and colour are decided -- get a larger
    share of every gradient; v-prediction's own weight SNR + 1 is divided out first."""
    alpha_bar = alphas_cumprod.to(t.device)[t]
    snr = alpha_bar / (1 - alpha_bar)
    if prediction == "v_prediction":
        return snr.clamp(max=gamma) / (snr + 1)
    return (gamma / snr).clamp(max=1.0)  # = min(SNR, gamma) / SNR, and 1 where SNR underflows to 0


def latent_diffusion_loss(unet, mean: torch.Tensor, std: torch.Tensor, context: torch.Tensor, *,
                          noise_scheduler, scaling_factor: float, snr_gamma: float | None = None) -> torch.Tensor:
    """mean, std: (B, C, h, w) of q(z | x), not yet scaled; context: (B, L, d) text states.
    Draws z0 ~ q(z | x), t and noise; MSE between the UNet's output and the target (v or eps),
    each sample weighted by `min_snr_weights` when snr_gamma is a number (None: plain MSE)."""
    z0 = scaling_factor * (mean + std * torch.randn_like(mean))
    t = torch.randint(0, noise_scheduler.config.num_train_timesteps, (len(z0),), device=z0.device)
    eps = torch.randn_like(z0)
    zt = noise_scheduler.add_noise(z0, eps, t)
    prediction = noise_scheduler.config.prediction_type
    target = eps if prediction == "epsilon" else noise_scheduler.get_velocity(z0, eps, t)
    output = unet(zt, t, encoder_hidden_states=context).sample
    if snr_gamma is None:
        return F.mse_loss(output, target)
    per_sample = ((output - target) ** 2).mean(dim=(1, 2, 3))
    weights = min_snr_weights(t, alphas_cumprod=noise_scheduler.alphas_cumprod, gamma=snr_gamma, prediction=prediction)
    return (weights * per_sample).mean()


def train_unet(unet, latents: tuple[torch.Tensor, torch.Tensor, torch.Tensor], text_states: torch.Tensor,
               scaling_factor: float, config: MiniSDConfig, *, progress: bool = True, checkpoint_path=None,
               callbacks=(), device=None):
    """Train on cached latents = (mean, std, prompt index) with an EMA copy (resumable: the EMA
    weights are in the checkpoint too) on `device` (None: pick_device()). Returns (EMA UNet in eval
    mode, on the training device, TrainResult)."""
    device = resolve_device(device)
    unet.to(device)
    text_states = text_states.to(device)
    noise_scheduler = build_noise_scheduler(config)
    ema = EMA(unet, decay=config.ema_decay, warmup=10)

    def loss_fn(model, batch):
        mean, std, index = batch
        context = pick_context(index, text_states, caption_dropout=config.caption_dropout,
                               partial_caption=config.partial_caption)
        return latent_diffusion_loss(model, mean, std, context, noise_scheduler=noise_scheduler,
                                     scaling_factor=scaling_factor, snr_gamma=config.snr_gamma)

    result = train(unet, loss_fn, latents,
                   config=TrainConfig(steps=config.unet_steps, batch_size=config.unet_batch_size, lr=config.unet_lr,
                                      seed=config.seed, progress=progress, lr_schedule=config.unet_lr_schedule, device=device,
                                      log_every=min(50, config.unet_steps), checkpoint_path=checkpoint_path,
                                      checkpoint_every=250 if checkpoint_path else None),
                   callbacks=callbacks, on_step=(ema,), checkpoint_modules={"ema": ema.model})
    return ema.model.eval().requires_grad_(False), result
