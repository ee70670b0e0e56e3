"""Chapter 08's widget: a strength slider and a prompt box around `img2img`. Notebook 08."""
from __future__ import annotations

import torch

from ..checks import check_int
from .img2img import check_picture, img2img, img2img_pipeline


def strength_widget(pipe, image: torch.Tensor, *, prompt: str = "a large blue square in the center",
                    strength: float = 0.6, n_images: int = 4):
    """A strength slider and a prompt box around `img2img` (FunctionWidget; `w.result` is the images)."""
    import ipywidgets

    from ..widgets import FunctionWidget, image_view

    check_int("n_images", n_images, low=1)
    image = check_picture(image)   # fails now, not at the first slider move
    runner = img2img_pipeline(pipe)

    def run(prompt, strength, seed):
        return img2img(runner, image, prompt, strength=strength, seed=seed, n_images=n_images)

    controls = {
        "prompt": ipywidgets.Text(value=prompt, description="prompt", continuous_update=False),
        "strength": ipywidgets.FloatSlider(value=strength, min=0.05, max=1.0, step=0.05, description="strength",
                                           continuous_update=False),
        "seed": ipywidgets.IntText(value=0, description="seed"),
    }
    return FunctionWidget(run, controls, render=image_view, title="img2img: how much of the picture to redraw")
