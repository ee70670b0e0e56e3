r"""The chapter's two sliders, as pure functions plus thin FunctionWidget wrappers.

- noise_at(x0, kind=..., t=...): an image at any timestep t with its signal-to-noise ratio;
- guided_digits(model, schedule, digit=..., scale=...): one digit, several seeds, one guidance scale.
Tests drive the pure functions directly and the widgets by setting `.value`. Notebook 06a.
"""
from __future__ import annotations

import ipywidgets
import torch

from ..data import to_unit
from ..widgets import FunctionWidget
from .digits import generate_digits
from .forward import q_sample
from .schedule import make_schedule

_SCHEDULES = {}


def _schedule(kind: str, T: int):
    if (kind, T) not in _SCHEDULES:
        _SCHEDULES[kind, T] = make_schedule(kind, T=T)
    return _SCHEDULES[kind, T]


def noise_at(x0: torch.Tensor, *, kind: str = "linear", t: int = 0, T: int = 1000, seed: int = 0) -> dict:
    """x0: (N, C, H, W) in [-1, 1]. Returns {"xt": (N, C, H, W), "t", "snr", "alpha_bar", "kind"}:
    the images noised to step t of the `kind` schedule with fixed noise (so moving t is smooth)."""
    schedule = _schedule(kind, T)
    eps = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))
    xt = q_sample(x0, t, eps, schedule=schedule)
    return {"xt": xt, "t": t, "kind": kind, "snr": float(schedule.snr(t)), "alpha_bar": float(schedule.alpha_bar[t])}


def render_noise(result: dict):
    """Draw noise_at's result: the noisy images and where t sits on both SNR curves."""
    import matplotlib.pyplot as plt

    from ..viz import image_grid

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2))
    left.imshow(image_grid(to_unit(result["xt"].clamp(-1, 1)), nrow=4)[..., 0], cmap="gray", vmin=0, vmax=1)
    left.set_title(f"{result['kind']} t={result['t']}  SNR={result['snr']:.3g}", fontsize=9)
    left.axis("off")
    for kind in ("linear", "cosine"):
        right.semilogy(_schedule(kind, 1000).snr(torch.arange(1000)), label=kind)
    right.axvline(result["t"], color="k", lw=0.8)
    right.set(xlabel="t", ylabel="SNR = alpha_bar / (1 - alpha_bar)")
    right.legend()
    return fig


def schedule_widget(x0: torch.Tensor, *, T: int = 1000) -> FunctionWidget:
    """Slider over t and a choice of schedule, showing x0 noised to step t and its SNR."""
    controls = {"kind": ipywidgets.Dropdown(options=["linear", "cosine"], value="linear", description="schedule"),
                "t": ipywidgets.IntSlider(value=250, min=0, max=T - 1, step=10, description="t",
                                          continuous_update=False)}
    return FunctionWidget(lambda kind, t: noise_at(x0, kind=kind, t=t, T=T), controls, render=render_noise,
                          title="The forward process")


def guided_digits(model, schedule, *, digit: int, scale: float, n: int = 8, steps: int = 10,
                  size: int = 8) -> torch.Tensor:
    """n samples of one digit (0..9) with guidance `scale`, same seeds for every scale: (n, 1, S, S) in [0, 1]."""
    if isinstance(digit, bool) or not isinstance(digit, int) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an int in 0..9, got {digit!r}")
    labels = torch.full((n,), digit, dtype=torch.long)
    return generate_digits(model, labels=labels, schedule=schedule, size=size, steps=steps, scale=scale)


def guidance_widget(model, schedule, *, size: int = 8, steps: int = 10) -> FunctionWidget:
    """Sliders for the digit and the guidance scale; the same 8 seeds redrawn at every setting."""
    from ..widgets import image_view

    controls = {"digit": ipywidgets.IntSlider(value=3, min=0, max=9, description="digit"),
                "scale": ipywidgets.FloatSlider(value=1.0, min=0.0, max=6.0, step=0.5, description="guidance",
                                                continuous_update=False)}
    return FunctionWidget(lambda digit, scale: guided_digits(model, schedule, digit=digit, scale=scale,
                                                             steps=steps, size=size),
                          controls, render=image_view(nrow=8), title="Classifier-free guidance")
