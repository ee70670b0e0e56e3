"""Chapter 06 — diffusion: noise schedules, forward noising, DDPM/DDIM samplers, classifier-free
guidance, a small UNet, a 2-D toy with its score field and flow matching. Notebooks 06a (from
scratch) and 06b (with diffusers). Chapter 07 reuses the schedule, samplers, guidance and UNet blocks."""
from .forward import predict_eps, predict_x0, q_sample
from .guidance import classifier_free_guidance, combine_guidance, guided_model_fn
from .samplers import Trajectory, ddim_step, ddpm_step, sample, sampling_loop
from .schedule import NoiseSchedule, from_betas, make_schedule, timesteps_for
from .training import EMA, DiffusionLoss
from .unet import ResBlock, SelfAttention, UNet, UNetConfig, timestep_embedding

__all__ = ["EMA", "DiffusionLoss", "NoiseSchedule", "ResBlock", "SelfAttention", "Trajectory", "UNet",
           "UNetConfig", "classifier_free_guidance", "combine_guidance", "ddim_step", "ddpm_step", "from_betas",
           "guided_model_fn", "make_schedule", "predict_eps", "predict_x0", "q_sample", "sample", "sampling_loop",
           "timestep_embedding", "timesteps_for"]
