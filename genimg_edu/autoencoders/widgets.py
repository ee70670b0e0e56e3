"""The latent-space explorer of notebook 04: two sliders pick a point z = (z1, z2) and show its digit;
two digit numbers pick test digits and show the morph between them. Both wrap pure functions."""
from __future__ import annotations

import ipywidgets
import torch
from matplotlib.figure import Figure

from .latent import decode_point, encode, interpolate


def point_view(model, codes: torch.Tensor, labels: torch.Tensor, z1: float, z2: float) -> dict:
    """Everything the explorer draws for one slider position: {"z": (z1, z2), "image": (1, 1, 8, 8),
    "codes": (N, 2), "labels": (N,)}. codes / labels: the test digits' codes, drawn as a map."""
    if codes.ndim != 2 or codes.shape[1] != 2 or labels.shape != (len(codes),):
        raise ValueError(f"codes must be (N, 2) with labels (N,), got {tuple(codes.shape)}, {tuple(labels.shape)}")
    return {"z": (float(z1), float(z2)), "image": decode_point(model, z1, z2), "codes": codes, "labels": labels}


def draw_point(view: dict) -> Figure:
    """The map of codes coloured by digit, a cross at z, and the decoded digit beside it."""
    figure = Figure(figsize=(7, 3.4), layout="constrained")
    map_ax, digit_ax = figure.subplots(1, 2, width_ratios=(1.6, 1))
    codes, labels = view["codes"].numpy(), view["labels"].numpy()
    points = map_ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=6, vmin=-0.5, vmax=9.5)
    figure.colorbar(points, ax=map_ax, ticks=range(10), label="digit")
    map_ax.plot(*view["z"], marker="x", color="black", markersize=14, markeredgewidth=3)
    map_ax.set(xlabel="z1", ylabel="z2", title="where the test digits live")
    digit_ax.imshow(view["image"][0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
    digit_ax.set_title(f"decoded at ({view['z'][0]:.1f}, {view['z'][1]:.1f})")
    digit_ax.set_axis_off()
    return figure


def interpolation_view(model, images: torch.Tensor, index_a: int, index_b: int, steps: int) -> torch.Tensor:
    """Morph test digit `index_a` into `index_b` in `steps` frames: (steps, 1, 8, 8)."""
    for name, index in (("index_a", index_a), ("index_b", index_b)):
        if not isinstance(index, int) or not 0 <= index < len(images):
            raise ValueError(f"{name} must be an int in [0, {len(images)}), got {index!r}")
    return interpolate(model, images[index_a], images[index_b], steps)


class LatentExplorer:
    """Two widgets over a trained 2-D Autoencoder or VAE: `.point` (sliders z1, z2) and
    `.morph` (digit a, digit b, steps). Display the explorer itself to see both."""

    def __init__(self, model, images: torch.Tensor, labels: torch.Tensor, *, span: float = 3.0):
        from functools import partial

        from ..widgets import FunctionWidget, image_view

        if model.latent_dim != 2:
            raise ValueError(f"the explorer needs a model with latent_dim=2, got {model.latent_dim}")
        codes = encode(model, images)
        slider = dict(min=-span, max=span, step=0.1, continuous_update=False)
        self.point = FunctionWidget(
            partial(point_view, model, codes, labels),
            {"z1": ipywidgets.FloatSlider(value=0.0, description="z1", **slider),
             "z2": ipywidgets.FloatSlider(value=0.0, description="z2", **slider)},
            render=draw_point, title="Move through the latent space")
        last = len(images) - 1
        self.morph = FunctionWidget(
            partial(interpolation_view, model, images),
            {"index_a": ipywidgets.BoundedIntText(value=0, min=0, max=last, description="digit a"),
             "index_b": ipywidgets.BoundedIntText(value=1, min=0, max=last, description="digit b"),
             "steps": ipywidgets.IntSlider(value=8, min=2, max=12, description="steps")},
            render=image_view(nrow=12), title="Morph one test digit into another")

    def _ipython_display_(self):
        from IPython.display import display
        display(ipywidgets.VBox([self.point.widget, self.morph.widget]))
