"""Our schedule, forward noising, DDPM step and DDIM step equal diffusers' schedulers to 1e-5.

Conventions matched explicitly (diffusers' defaults differ in places):
- schedules: our "linear" = beta_schedule="linear", our "cosine" = "squaredcos_cap_v2";
- DDPM: variance_type="fixed_small" (posterior variance), prediction_type="epsilon"; our
  clip_x0 is diffusers' clip_sample (clip_sample_range=1). With fewer steps than T, diffusers steps to
  the next timestep of set_timesteps; we pass that t_prev explicitly.
- DDIM: set_alpha_to_one=True (the step after the last goes to alpha_bar = 1, the clean image),
  steps_offset=0, timestep_spacing="leading" (its default; diffusers' DDIM always steps to
  t - T // steps), and use_clipped_model_output=True: that is the "recompute eps after clipping x0"
  our sampler always does (diffusers' default False skips it).
"""
import pytest
import torch
from diffusers import DDIMScheduler, DDPMScheduler

from genimg_edu.diffusion import ddim_step, ddpm_step, make_schedule, q_sample, timesteps_for

TOL = dict(atol=1e-5, rtol=1e-5)
KINDS = {"linear": "linear", "cosine": "squaredcos_cap_v2"}


def _inputs(seed=0, shape=(4, 1, 8, 8)):
    g = torch.Generator().manual_seed(seed)
    x0 = torch.rand(shape, generator=g) * 2 - 1
    eps = torch.randn(shape, generator=g)
    return x0, eps


@pytest.mark.parametrize("kind", KINDS)
def test_schedule_matches_diffusers(kind):
    ours = make_schedule(kind, T=1000)
    ref = DDPMScheduler(num_train_timesteps=1000, beta_schedule=KINDS[kind])
    torch.testing.assert_close(ours.betas, ref.betas, **TOL)
    torch.testing.assert_close(ours.alpha_bar, ref.alphas_cumprod, **TOL)


@pytest.mark.parametrize("kind", KINDS)
def test_q_sample_matches_add_noise(kind):
    schedule = make_schedule(kind)
    ref = DDPMScheduler(num_train_timesteps=1000, beta_schedule=KINDS[kind])
    x0, eps = _inputs()
    t = torch.tensor([0, 10, 500, 999])
    torch.testing.assert_close(q_sample(x0, t, eps, schedule=schedule), ref.add_noise(x0, eps, t), **TOL)


@pytest.mark.parametrize("spacing", ["leading", "trailing", "linspace"])
def test_timesteps_match_set_timesteps(spacing):
    ref = DDPMScheduler(num_train_timesteps=1000, timestep_spacing=spacing)
    for steps in (1, 7, 10, 50, 1000):
        ref.set_timesteps(steps)
        assert timesteps_for(steps, T=1000, spacing=spacing) == ref.timesteps.tolist()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("clip", [False, True])
@pytest.mark.parametrize("steps", [1000, 10])
def test_ddpm_step_matches_diffusers(kind, clip, steps):
    schedule = make_schedule(kind)
    ref = DDPMScheduler(num_train_timesteps=1000, beta_schedule=KINDS[kind], clip_sample=clip,
                        variance_type="fixed_small", prediction_type="epsilon")
    ref.set_timesteps(steps)
    timesteps = ref.timesteps.tolist()
    xt, eps_pred = _inputs(1)
    eps_pred = eps_pred * 1.5  # large enough that x0 leaves [-1, 1] and clipping bites
    for i in (0, 1, len(timesteps) // 2, len(timesteps) - 1):
        t = timesteps[i]
        t_prev = timesteps[i + 1] if i + 1 < len(timesteps) else -1
        expected = ref.step(eps_pred, t, xt, generator=torch.Generator().manual_seed(7))
        ours, x0 = ddpm_step(eps_pred, t, xt, schedule=schedule, clip_x0=clip, t_prev=t_prev,
                             generator=torch.Generator().manual_seed(7))
        torch.testing.assert_close(x0, expected.pred_original_sample, **TOL)
        torch.testing.assert_close(ours, expected.prev_sample, **TOL)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("clip", [False, True])
@pytest.mark.parametrize("eta", [0.0, 1.0])
def test_ddim_step_matches_diffusers(kind, clip, eta):
    schedule = make_schedule(kind)
    ref = DDIMScheduler(num_train_timesteps=1000, beta_schedule=KINDS[kind], clip_sample=clip,
                        set_alpha_to_one=True, steps_offset=0, timestep_spacing="leading",
                        prediction_type="epsilon")
    ref.set_timesteps(10)
    xt, eps_pred = _inputs(2)
    eps_pred = eps_pred * 1.5
    for t in ref.timesteps.tolist():
        t_prev = max(t - 1000 // 10, -1)  # diffusers: any negative t_prev means "clean"
        expected = ref.step(eps_pred, t, xt, eta=eta, use_clipped_model_output=True,
                            generator=torch.Generator().manual_seed(3))
        ours, x0 = ddim_step(eps_pred, t, t_prev, xt, schedule=schedule, eta=eta, clip_x0=clip,
                             generator=torch.Generator().manual_seed(3))
        torch.testing.assert_close(x0, expected.pred_original_sample, **TOL)
        torch.testing.assert_close(ours, expected.prev_sample, **TOL)


def test_ddim_full_loop_matches_diffusers():
    """Ten DDIM steps of a fixed toy 'model' give the same image in both libraries."""
    schedule = make_schedule("cosine")
    ref = DDIMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", clip_sample=True,
                        set_alpha_to_one=True, timestep_spacing="leading")
    ref.set_timesteps(10)

    def model_fn(x, t):
        return torch.tanh(x) * 0.8 + 0.001 * t.float().reshape(-1, *[1] * (x.ndim - 1))

    x_ours = x_ref = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(5))
    for t in ref.timesteps.tolist():
        x_ref = ref.step(model_fn(x_ref, torch.full((3,), t)), t, x_ref, use_clipped_model_output=True).prev_sample
        x_ours, _ = ddim_step(model_fn(x_ours, torch.full((3,), t)), t, max(t - 100, -1), x_ours,
                              schedule=schedule)
    torch.testing.assert_close(x_ours, x_ref, **TOL)
