"""Checks for the chapter 08 exercises (exercises/08_stable_diffusion.ipynb): Stable Diffusion.

    q1 compression_factor(image_shape, latent_shape)     q3 img2img_steps(strength, steps)
    q2 guide(eps_uncond, eps_text, w)                    q4 strength_for(steps_to_run, steps)

Each check compares the learner's answer with a reference (diffusers' own img2img step logic for
q3 and q4) and names the most common mistakes.
"""
from __future__ import annotations

from types import SimpleNamespace

import torch

from .problem import Problem


def check_compression_factor(compression_factor):
    cases = {((3, 32, 32), (4, 8, 8)): 12.0, ((3, 512, 512), (4, 64, 64)): 48.0, ((1, 28, 28), (2, 7, 7)): 8.0}
    for (image, latent), expected in cases.items():
        answer = compression_factor(image, latent)
        assert isinstance(answer, (int, float)), f"return a number, got {type(answer).__name__}"
        if abs(answer - 1 / expected) < 1e-9:
            raise AssertionError("upside down: the factor is image numbers / latent numbers (> 1)")
        side = image[1] / latent[1]
        if abs(answer - side) < 1e-9 or abs(answer - side**2) < 1e-9:
            raise AssertionError("count every number, channels included: C * H * W of the image over C * H * W "
                                 "of the latent (the latent has more channels than the image)")
        assert abs(answer - expected) < 1e-9, f"compression_factor({image}, {latent}) should be {expected}, got {answer}"


def check_guide(guide):
    g = torch.Generator().manual_seed(0)
    uncond, text = torch.randn(2, 4, 8, 8, generator=g), torch.randn(2, 4, 8, 8, generator=g)
    w = 4.0
    answer = guide(uncond, text, w)
    assert isinstance(answer, torch.Tensor) and answer.shape == uncond.shape, \
        f"return a tensor of the noise predictions' shape {tuple(uncond.shape)}"
    if torch.allclose(answer, text + w * (uncond - text), atol=1e-5):
        raise AssertionError("the two predictions are swapped: start from the unconditional one and step "
                             "w times towards the text")
    if torch.allclose(answer, w * text, atol=1e-5) or torch.allclose(answer, w * (text - uncond), atol=1e-5):
        raise AssertionError("add the unconditional prediction back: eps_uncond + w (eps_text - eps_uncond)")
    for w in (0.0, 1.0, 4.0, 7.5):
        answer = guide(uncond, text, w)
        expected = uncond + w * (text - uncond)
        assert torch.allclose(answer, expected, atol=1e-5), f"wrong for w = {w}: expected eps_uncond + w (eps_text - eps_uncond)"
    assert torch.allclose(guide(uncond, text, 1.0), text, atol=1e-5), "w = 1 must give the plain text prediction"


def _diffusers_steps(strength: float, steps: int) -> int:
    """What StableDiffusionImg2ImgPipeline.get_timesteps runs (diffusers' own code, on a stand-in pipeline)."""
    from diffusers import DDIMScheduler, StableDiffusionImg2ImgPipeline
    scheduler = DDIMScheduler()
    scheduler.set_timesteps(steps)
    _, run = StableDiffusionImg2ImgPipeline.get_timesteps(SimpleNamespace(scheduler=scheduler), steps, strength, "cpu")
    return int(run)


def check_img2img_steps(img2img_steps):
    for strength, steps in ((0.6, 25), (1.0, 25), (0.05, 25), (0.5, 7), (0.99, 50), (0.3, 10)):
        answer = img2img_steps(strength, steps)
        expected = _diffusers_steps(strength, steps)
        assert isinstance(answer, int), f"return an int (a number of steps), got {type(answer).__name__}"
        if strength == 0.5 and steps == 7 and answer == round(strength * steps):
            raise AssertionError("diffusers rounds down: int(steps * strength), not round(...)")
        if answer == steps - expected and answer != expected:
            raise AssertionError("that is the number of steps *skipped*; strength says how much is redrawn")
        assert answer == expected, f"img2img_steps({strength}, {steps}) should be {expected}, got {answer}"


def check_strength_for(strength_for):
    for run, steps in ((15, 25), (10, 25), (25, 25), (3, 10), (29, 100), (57, 100)):
        strength = strength_for(run, steps)
        assert isinstance(strength, (int, float)) and 0 < strength <= 1, f"a strength is a number in (0, 1], got {strength!r}"
        got = _diffusers_steps(strength, steps)
        assert got == run, (f"strength {strength} with {steps} steps runs {got} denoising steps, not {run} "
                            "(check against int(steps * strength); mind floating point: 0.29 * 100 = 28.999999999999996)")


q1 = Problem("compression_factor", title="1. How much smaller is a latent?", check=check_compression_factor,
             prompt="Write compression_factor(image_shape, latent_shape): how many numbers an image (C, H, W) has "
                    "per number of its latent (c, h, w). Ours: (3, 32, 32) -> (4, 8, 8); SD 1.5: (3, 512, 512) -> (4, 64, 64).",
             hint=["Multiply out C * H * W for each.",
                   "return (image_shape[0] * image_shape[1] * image_shape[2]) / (latent_shape[0] * latent_shape[1] * latent_shape[2])"],
             notebook="08_stable_diffusion")
q2 = Problem("guide", title="2. The classifier-free guidance line", check=check_guide,
             prompt="Write guide(eps_uncond, eps_text, w): the guided prediction the pipeline uses at every step.",
             hint=["Start at the unconditional prediction and move w times along the direction the text points.",
                   "return eps_uncond + w * (eps_text - eps_uncond)"],
             notebook="08_stable_diffusion")
q3 = Problem("img2img_steps", title="3. How many steps does img2img run?", check=check_img2img_steps,
             prompt="Write img2img_steps(strength, steps): how many denoising steps StableDiffusionImg2ImgPipeline "
                    "runs for a strength in (0, 1] and num_inference_steps = steps (diffusers rounds down).",
             hint=["strength is the fraction of the schedule that is redrawn.",
                   "return min(int(steps * strength), steps)"],
             notebook="08_stable_diffusion")
q4 = Problem("strength_for", title="4. Choose a strength", check=check_strength_for,
             prompt="Write strength_for(steps_to_run, steps): a strength that makes img2img run exactly steps_to_run "
                    "of `steps` denoising steps (e.g. keep the layout: redraw 15 of 25).",
             hint=["steps_to_run / steps is the idea, but int() rounds down and products are not exact in floating "
                   "point (0.29 * 100 = 28.999999999999996): aim half a step above.",
                   "return min(1.0, (steps_to_run + 0.5) / steps)"],
             notebook="08_stable_diffusion")

__all__ = ["q1", "q2", "q3", "q4"]
