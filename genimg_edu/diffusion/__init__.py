"""Chapter 06 — diffusion: noise schedules, forward noising, DDPM/DDIM samplers, guidance, a small
UNet, a 2-D toy and flow matching. Notebooks 06a (from scratch) and 06b (with diffusers)."""
from .forward import predict_eps, predict_x0, q_sample
from .samplers import Trajectory, ddim_step, ddpm_step, sample
from .schedule import NoiseSchedule, from_betas, make_schedule, timesteps_for

__all__ = ["NoiseSchedule", "Trajectory", "ddim_step", "ddpm_step", "from_betas", "make_schedule",
           "predict_eps", "predict_x0", "q_sample", "sample", "timesteps_for"]
