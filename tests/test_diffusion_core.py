"""Schedules, forward noising, samplers and guidance: behaviour checked against direct computations."""
import math

import pytest
import torch

from genimg_edu.diffusion import ddim_step, ddpm_step, make_schedule, predict_eps, predict_x0, q_sample, sample
from genimg_edu.diffusion.guidance import classifier_free_guidance, combine_guidance, guided_model_fn


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_schedule_shapes_and_monotone_snr(kind):
    s = make_schedule(kind, T=1000)
    assert s.T == 1000 and s.betas.shape == s.alpha_bar.shape == (1000,)
    torch.testing.assert_close(s.alpha_bar, torch.cumprod(1 - s.betas, 0))
    snr = s.snr(torch.arange(1000))
    assert (snr[1:] < snr[:-1]).all(), "SNR must fall with every step"
    assert snr[0] > 100 and snr[-1] < 1e-3  # starts almost clean, ends almost pure noise


def test_linear_alpha_bar_by_hand():
    s = make_schedule("linear", T=10, beta_start=0.1, beta_end=0.1)
    assert math.isclose(float(s.alpha_bar[4]), 0.9**5, rel_tol=1e-6)
    assert math.isclose(float(s.snr(4)), 0.9**5 / (1 - 0.9**5), rel_tol=1e-5)


def test_q_sample_statistics():
    s = make_schedule("linear")
    x0 = torch.full((20000, 1, 1, 1), 0.5)
    g = torch.Generator().manual_seed(0)
    for t in (0, 300, 999):
        xt = q_sample(x0, t, torch.randn(x0.shape, generator=g), schedule=s)
        ab = float(s.alpha_bar[t])
        assert abs(xt.mean().item() - 0.5 * math.sqrt(ab)) < 0.02
        assert abs(xt.var().item() - (1 - ab)) < 0.03 + 0.03 * (1 - ab)


def test_predict_x0_and_eps_invert_q_sample():
    s = make_schedule("cosine")
    x0, eps = torch.rand(4, 1, 8, 8) * 2 - 1, torch.randn(4, 1, 8, 8)
    t = torch.tensor([1, 100, 500, 900])
    xt = q_sample(x0, t, eps, schedule=s)
    torch.testing.assert_close(predict_x0(xt, t, eps, schedule=s), x0, atol=1e-3, rtol=1e-3)
    torch.testing.assert_close(predict_eps(xt, t, x0, schedule=s), eps, atol=1e-4, rtol=1e-4)


def test_perfect_model_is_recovered_by_ddim_and_ddpm():
    """A model that knows the data is a single image x* must lead every sampler to x*."""
    s = make_schedule("cosine")
    target = torch.rand(1, 1, 8, 8) * 1.6 - 0.8

    def oracle(xt, t):  # the exact eps if x0 is `target`
        return predict_eps(xt, t, target.expand_as(xt), schedule=s)

    for sampler in ("ddim", "ddpm"):
        x = sample(oracle, shape=(3, 1, 8, 8), schedule=s, steps=10, sampler=sampler, progress=False,
                   generator=torch.Generator().manual_seed(0))
        torch.testing.assert_close(x, target.expand(3, -1, -1, -1), atol=1e-4, rtol=1e-4)


def test_sample_shapes_trajectory_and_determinism():
    s = make_schedule("linear")
    model = lambda x, t: 0.1 * x  # noqa: E731
    x, traj = sample(model, shape=(2, 1, 4, 4), schedule=s, steps=5, progress=False, return_trajectory=True,
                     generator=torch.Generator().manual_seed(1))
    assert x.shape == (2, 1, 4, 4) and traj.xt.shape == (6, 2, 1, 4, 4) and traj.x0_pred.shape == (5, 2, 1, 4, 4)
    assert traj.timesteps == [999, 799, 599, 399, 199]
    torch.testing.assert_close(traj.xt[-1], x)
    assert x.abs().max() <= 1.0  # clip_x0 keeps the final x0 in range
    again = sample(model, shape=(2, 1, 4, 4), schedule=s, steps=5, progress=False,
                   generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(again, x)


def test_ddim_recomputes_eps_after_clipping():
    """With clipping, the DDIM update must use the eps that agrees with the clipped x0."""
    s = make_schedule("cosine")
    xt, eps_pred = torch.randn(2, 1, 8, 8), 3 * torch.randn(2, 1, 8, 8)  # x0 estimate far outside [-1, 1]
    t, t_prev = 500, 400
    x_prev, x0 = ddim_step(eps_pred, t, t_prev, xt, schedule=s)
    assert x0.abs().max() <= 1.0
    ab_prev = s.alpha_bar[t_prev]
    eps_consistent = predict_eps(xt, t, x0, schedule=s)
    torch.testing.assert_close(x_prev, ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps_consistent)
    stale = ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps_pred  # the bug: clipped x0, unclipped eps
    assert (x_prev - stale).abs().max() > 0.1
    # without clipping, the raw eps is used and x0 leaves the range
    x_prev_raw, x0_raw = ddim_step(eps_pred, t, t_prev, xt, schedule=s, clip_x0=False)
    assert x0_raw.abs().max() > 1.0
    torch.testing.assert_close(x_prev_raw, ab_prev.sqrt() * x0_raw + (1 - ab_prev).sqrt() * eps_pred)


def test_ddpm_last_step_returns_x0_and_adds_no_noise():
    s = make_schedule("linear")
    xt, eps = torch.randn(2, 1, 4, 4), torch.randn(2, 1, 4, 4)
    x_prev, x0 = ddpm_step(eps, 0, xt, schedule=s, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(x_prev, x0)


def test_cfg_formula_and_batched_helper():
    cond, uncond = (lambda x, t: x + 1), (lambda x, t: x - 1)
    x, t = torch.zeros(2, 1, 2, 2), torch.zeros(2, dtype=torch.long)
    torch.testing.assert_close(classifier_free_guidance(cond, uncond, 3.0)(x, t), torch.full_like(x, 5.0))
    torch.testing.assert_close(classifier_free_guidance(cond, uncond, 0.0)(x, t), uncond(x, t))
    torch.testing.assert_close(combine_guidance(torch.ones(1), torch.zeros(1), 2.5), torch.tensor([2.5]))

    class Toy(torch.nn.Module):  # eps = label value, so guidance is easy to predict
        class config:
            num_classes = 10

        def forward(self, x, t, labels):
            return x * 0 + labels.float().reshape(-1, 1, 1, 1)

    labels = torch.tensor([2, 4])
    out = guided_model_fn(Toy(), labels, scale=2.0)(x, t)
    expected = 10 + 2.0 * (labels.float() - 10)  # uncond = 10 (the null label)
    torch.testing.assert_close(out[:, 0, 0, 0], expected)


def test_bad_inputs_raise_clear_errors():
    s = make_schedule("linear")
    with pytest.raises(ValueError, match="kind must be one of"):
        make_schedule("quadratic")
    with pytest.raises(ValueError, match="T must be"):
        make_schedule("linear", T=1)
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1000\)"):
        q_sample(torch.zeros(1, 1, 2, 2), 1000, torch.zeros(1, 1, 2, 2), schedule=s)
    with pytest.raises(TypeError, match="integer"):
        q_sample(torch.zeros(1, 1, 2, 2), torch.tensor([0.5]), torch.zeros(1, 1, 2, 2), schedule=s)
    with pytest.raises(ValueError, match="same shape"):
        q_sample(torch.zeros(1, 1, 2, 2), 0, torch.zeros(1, 1, 2, 3), schedule=s)
    with pytest.raises(ValueError, match="sampler must be one of"):
        sample(lambda x, t: x, shape=(1, 1, 2, 2), schedule=s, steps=2, sampler="euler")
    with pytest.raises(ValueError, match="steps must be"):
        sample(lambda x, t: x, shape=(1, 1, 2, 2), schedule=s, steps=0)
    with pytest.raises(ValueError, match="scale must be >= 0"):
        classifier_free_guidance(lambda x, t: x, lambda x, t: x, -1.0)
    with pytest.raises(ValueError, match="eta must be >= 0"):
        ddim_step(torch.zeros(1, 1, 2, 2), 5, 4, torch.zeros(1, 1, 2, 2), schedule=s, eta=-1)
    with pytest.raises(ValueError, match="t_prev"):
        ddim_step(torch.zeros(1, 1, 2, 2), 5, -7, torch.zeros(1, 1, 2, 2), schedule=s)
