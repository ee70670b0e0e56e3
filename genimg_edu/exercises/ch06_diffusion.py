"""Checks for the chapter 06 exercises (exercises/06_diffusion.ipynb): Diffusion.

    q1 alpha_bar_from_betas(betas)              q4 cfg(eps_cond, eps_uncond, scale)
    q2 add_noise(x0, t, eps, alpha_bar)         q5 flow_velocity_target(x0, eps)
    q3 ddim_update(xt, eps, ab_t, ab_prev)

Each check compares the learner's answer with `genimg_edu.diffusion` (itself tested against
diffusers) on small inputs and explains the most common mistakes.
"""
from __future__ import annotations

import torch

from ..diffusion import combine_guidance, make_schedule, q_sample
from ..diffusion.flow import flow_target
from .problem import Problem


def _close(answer, expected, what: str, atol=1e-5):
    assert isinstance(answer, torch.Tensor), f"{what} should return a torch.Tensor, got {type(answer).__name__}"
    assert answer.shape == expected.shape, f"{what} should have shape {tuple(expected.shape)}, got {tuple(answer.shape)}"
    return torch.allclose(answer.float(), expected.float(), atol=atol, rtol=1e-4)


def check_alpha_bar(alpha_bar_from_betas):
    betas = make_schedule("linear", T=1000).betas
    expected = torch.cumprod(1 - betas, dim=0)
    answer = alpha_bar_from_betas(betas)
    if isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        if torch.allclose(answer, torch.cumprod(betas, 0), atol=1e-6):
            raise AssertionError("you multiplied the betas; multiply the alphas = 1 - betas instead")
        if torch.allclose(answer, 1 - betas, atol=1e-6):
            raise AssertionError("that is alpha_t for one step; alpha_bar_t is the PRODUCT of alpha_1..alpha_t "
                                 "(torch.cumprod)")
    assert _close(answer, expected, "alpha_bar_from_betas(betas) for betas of shape (1000,)"), (
        "alpha_bar[t] = (1 - beta_0) * (1 - beta_1) * ... * (1 - beta_t)")
    assert 0.99 < float(answer[0]) < 1 and float(answer[-1]) < 1e-3, "alpha_bar should fall from ~1 to ~0"


def check_add_noise(add_noise):
    schedule = make_schedule("cosine")
    g = torch.Generator().manual_seed(1)
    x0, eps = torch.rand(4, 1, 8, 8, generator=g) * 2 - 1, torch.randn(4, 1, 8, 8, generator=g)
    t = torch.tensor([0, 250, 600, 999])
    expected = q_sample(x0, t, eps, schedule=schedule)
    answer = add_noise(x0, t, eps, schedule.alpha_bar)
    if isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        ab = schedule.alpha_bar[t].reshape(-1, 1, 1, 1)
        if torch.allclose(answer, ab * x0 + (1 - ab) * eps, atol=1e-5):
            raise AssertionError("use the SQUARE ROOTS: sqrt(alpha_bar) * x0 + sqrt(1 - alpha_bar) * eps "
                                 "(then the variance stays 1)")
    assert _close(answer, expected, "add_noise(x0 (4,1,8,8), t (4,), eps, alpha_bar)"), (
        "pick alpha_bar[t] for each image, reshape it to (B, 1, 1, 1) so it broadcasts, then "
        "sqrt(ab) * x0 + sqrt(1 - ab) * eps")


def check_ddim_update(ddim_update):
    g = torch.Generator().manual_seed(2)
    xt, eps = torch.randn(3, 1, 4, 4, generator=g), torch.randn(3, 1, 4, 4, generator=g)
    ab_t, ab_prev = torch.tensor(0.3), torch.tensor(0.6)
    x0 = (xt - (1 - ab_t).sqrt() * eps) / ab_t.sqrt()
    expected = ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps
    answer = ddim_update(xt, eps, ab_t, ab_prev)
    if isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        if torch.allclose(answer, x0, atol=1e-5):
            raise AssertionError("you returned the x0 estimate; step to t_prev: "
                                 "sqrt(ab_prev) * x0 + sqrt(1 - ab_prev) * eps")
    assert _close(answer, expected, "ddim_update(xt, eps, ab_t, ab_prev)", atol=1e-4), (
        "first x0 = (xt - sqrt(1 - ab_t) * eps) / sqrt(ab_t), then sqrt(ab_prev) * x0 + sqrt(1 - ab_prev) * eps")
    same = ddim_update(xt, eps, ab_t, ab_t)
    assert torch.allclose(same, xt, atol=1e-5), "stepping from t to the same noise level should give xt back"


def check_cfg(cfg):
    g = torch.Generator().manual_seed(3)
    cond, uncond = torch.randn(2, 1, 4, 4, generator=g), torch.randn(2, 1, 4, 4, generator=g)
    for scale in (0.0, 1.0, 3.0):
        answer = cfg(cond, uncond, scale)
        expected = combine_guidance(cond, uncond, scale)
        if scale == 3.0 and isinstance(answer, torch.Tensor) and torch.allclose(answer, cond + 3.0 * (cond - uncond)):
            raise AssertionError("start from the UNCONDITIONAL prediction: eps_uncond + scale * (eps_cond - eps_uncond)")
        assert _close(answer, expected, f"cfg(eps_cond, eps_uncond, scale={scale})"), (
            f"with scale={scale}: scale 0 gives eps_uncond, scale 1 gives eps_cond, larger scales go beyond it")


def check_flow_target(flow_velocity_target):
    g = torch.Generator().manual_seed(4)
    x0, eps = torch.rand(5, 2, generator=g), torch.randn(5, 2, generator=g)
    answer = flow_velocity_target(x0, eps)
    if isinstance(answer, torch.Tensor) and answer.shape == x0.shape and torch.allclose(answer, x0 - eps):
        raise AssertionError("the sign is flipped: xt moves FROM x0 (t=0) TO eps (t=1), so d xt/dt = eps - x0")
    assert _close(answer, flow_target(x0, eps), "flow_velocity_target(x0, eps)"), (
        "xt = (1 - t) x0 + t eps; differentiate with respect to t")


q1 = Problem("alpha_bar_from_betas", title="1. From betas to alpha_bar", check=check_alpha_bar,
             prompt="Write alpha_bar_from_betas(betas): (T,) betas -> (T,) alpha_bar, the running product of 1 - beta.",
             hint=["alpha_t = 1 - beta_t; alpha_bar_t multiplies all alphas up to and including t.",
                   "torch.cumprod(1 - betas, dim=0)"],
             notebook="06_diffusion")
q2 = Problem("add_noise", title="2. Noise an image in one jump", check=check_add_noise,
             prompt="Write add_noise(x0, t, eps, alpha_bar): xt = sqrt(alpha_bar[t]) x0 + sqrt(1 - alpha_bar[t]) eps, "
                    "for a batch x0 (B, C, H, W) and t (B,).",
             hint=["alpha_bar[t] has shape (B,); .reshape(-1, 1, 1, 1) makes it broadcast over (C, H, W).",
                   "ab = alpha_bar[t].reshape(-1, 1, 1, 1); return ab.sqrt() * x0 + (1 - ab).sqrt() * eps"],
             notebook="06_diffusion")
q3 = Problem("ddim_update", title="3. One DDIM step", check=check_ddim_update,
             prompt="Write ddim_update(xt, eps, ab_t, ab_prev): estimate x0 from xt and eps, then re-noise it to "
                    "the level ab_prev with the same eps (deterministic DDIM, eta = 0).",
             hint=["Invert xt = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps for x0.",
                   "x0 = (xt - (1 - ab_t).sqrt() * eps) / ab_t.sqrt(); "
                   "return ab_prev.sqrt() * x0 + (1 - ab_prev).sqrt() * eps"],
             notebook="06_diffusion")
q4 = Problem("cfg", title="4. Classifier-free guidance", check=check_cfg,
             prompt="Write cfg(eps_cond, eps_uncond, scale): the guided noise prediction.",
             hint=["Start at the unconditional prediction and move along (eps_cond - eps_uncond).",
                   "return eps_uncond + scale * (eps_cond - eps_uncond)"],
             notebook="06_diffusion")
q5 = Problem("flow_velocity_target", title="5. The flow-matching target", check=check_flow_target,
             prompt="Write flow_velocity_target(x0, eps): the velocity d xt / dt of xt = (1 - t) x0 + t eps.",
             hint=["The path is a straight line; its velocity does not depend on t.",
                   "return eps - x0"],
             notebook="06_diffusion")

__all__ = ["q1", "q2", "q3", "q4", "q5"]
