r"""The same digits model, built from diffusers parts: UNet2DModel + DDPMScheduler for training,
DDIMScheduler or DPMSolverMultistepScheduler for sampling.

Nothing new in the mathematics: `DDPMScheduler.add_noise` is our q_sample, `DDIMScheduler.step`
our ddim_step (the reference tests prove it to 1e-5). What diffusers adds is a catalogue of
interchangeable parts: swap the sampler without retraining, e.g. DPM-Solver++ (Lu et al. 2022), a
second-order ODE solver that needs fewer steps. All schedulers share one config, so they agree
on the betas. Notebook 06b.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from .guidance import check_scale

SCHEDULERS = ("ddpm", "ddim", "dpm")
NUM_CLASSES = 10  # label 10 is the "no label" token of classifier-free guidance


def make_diffusers_unet(*, size: int = 8, base_channels: int = 32, num_classes: int = NUM_CLASSES):
    """A small class-conditional UNet2DModel (two levels, no attention) for (B, 1, size, size) digits."""
    from diffusers import UNet2DModel

    return UNet2DModel(sample_size=size, in_channels=1, out_channels=1, layers_per_block=1,
                       block_out_channels=(base_channels, 2 * base_channels),
                       down_block_types=("DownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "UpBlock2D"),
                       norm_num_groups=8, add_attention=False, num_class_embeds=num_classes + 1)


def make_scheduler(name: str, *, T: int = 1000, beta_schedule: str = "squaredcos_cap_v2"):
    """A diffusers scheduler by name: "ddpm" (training + ancestral sampling), "ddim", "dpm"
    (DPM-Solver++ 2M). All use trailing timesteps (start from pure noise) and the same betas."""
    from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler

    if name not in SCHEDULERS:
        raise ValueError(f"name must be one of {SCHEDULERS}, got {name!r}")
    common = dict(num_train_timesteps=T, beta_schedule=beta_schedule, timestep_spacing="trailing")
    if name == "ddpm":
        return DDPMScheduler(**common, clip_sample=True, variance_type="fixed_small")
    if name == "ddim":
        return DDIMScheduler(**common, clip_sample=True, set_alpha_to_one=True)
    # The cosine schedule ends at alpha_bar ~ 2e-9, where x0 = (xt - ...) / sqrt(alpha_bar) magnifies the
    # model's error 20,000x. DDIM clips x0; DPM-Solver++ must be told to (thresholding with
    # sample_max_value=1 is plain clipping to [-1, 1]), and lambda_min_clipped keeps it off that last
    # sliver of log-SNR, as diffusers recommends for cosine schedules. Without both: Fréchet ~670.
    return DPMSolverMultistepScheduler(**common, algorithm_type="dpmsolver++", solver_order=2,
                                       final_sigmas_type="zero", thresholding=True, sample_max_value=1.0,
                                       lambda_min_clipped=-5.1)


class DiffusersLoss:
    """loss_fn(model, batch) for genimg_edu.train with a UNet2DModel: noise with scheduler.add_noise,
    predict eps with class labels (dropped to the "no label" token with probability label_dropout)."""

    def __init__(self, scheduler, *, label_dropout: float = 0.15, num_classes: int = NUM_CLASSES):
        self.scheduler, self.label_dropout, self.num_classes = scheduler, label_dropout, num_classes

    def __call__(self, model, batch) -> torch.Tensor:
        x0, labels = batch
        t = torch.randint(0, self.scheduler.config.num_train_timesteps, (x0.shape[0],), device=x0.device)
        eps = torch.randn_like(x0)
        xt = self.scheduler.add_noise(x0, eps, t)
        drop = torch.rand(labels.shape, device=labels.device) < self.label_dropout
        labels = torch.where(drop, torch.full_like(labels, self.num_classes), labels)
        return F.mse_loss(model(xt, t, class_labels=labels).sample, eps)


@torch.no_grad()
def diffusers_sample(model, scheduler, *, labels: torch.Tensor, steps: int, scale: float = 2.0,
                     size: int = 8, seed: int = 0, progress: bool = False, num_classes: int = NUM_CLASSES):
    """Generate digits with any diffusers scheduler and classifier-free guidance.
    labels: (N,) long in 0..9. Returns (N, 1, size, size) in [-1, 1]. The loop of pipeline_ddpm.py."""
    scale = check_scale(scale)
    device = next(model.parameters()).device
    labels = labels.to(device)
    generator = torch.Generator(device).manual_seed(seed)
    scheduler.set_timesteps(steps, device=device)
    x = torch.randn((len(labels), 1, size, size), generator=generator, device=device) * scheduler.init_noise_sigma
    none = torch.full_like(labels, num_classes)
    extra = {"use_clipped_model_output": True} if type(scheduler).__name__ == "DDIMScheduler" else {}
    for t in tqdm(scheduler.timesteps, desc=type(scheduler).__name__, disable=not progress):
        model_in = scheduler.scale_model_input(x, t)
        eps = model(torch.cat([model_in, model_in]), t, class_labels=torch.cat([labels, none])).sample
        eps_cond, eps_uncond = eps.chunk(2)
        eps = eps_uncond + scale * (eps_cond - eps_uncond)
        x = scheduler.step(eps, t, x, generator=generator, **extra).prev_sample
    return x.clamp(-1, 1)  # DPM-Solver does not clip; the last step can overshoot a little
