"""A prompt box for the shapes text-to-image model: type a caption, pick a guidance scale, Generate.

`generate_from_prompt` is the pure function behind the widget; it never raises for a bad
prompt. Unknown words, an over-long prompt or a bad setting come back as a clear message in
`PromptResult.message` (with close known words suggested), because a learner typing "a lush
moonlit forest" should get an explanation, not a traceback. Notebook 07.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import torch

from .sampling import generate
from .text_to_image import TextToImage
from .tokenizer import UnknownWordError


@dataclass
class PromptResult:
    prompt: str
    ok: bool                              # True when images were generated
    message: str                          # what happened, in words (the error, if any)
    images: torch.Tensor | None = None    # (n, 3, s, s) in [0, 1] when ok


def generate_from_prompt(prompt: str, *, model: TextToImage, guidance: float = 3.0, steps: int = 25,
                         seed: int = 0, n_images: int = 4) -> PromptResult:
    """Generate n_images for `prompt` with classifier-free guidance; problems become messages.
    The empty prompt is allowed: it samples the unconditional model (any shape, any colour)."""
    if not isinstance(prompt, str):
        return PromptResult(str(prompt), False, f"the prompt must be text, got {type(prompt).__name__}")
    try:
        images = generate(model, [prompt] * n_images, guidance=guidance, steps=steps, seed=seed)
    except UnknownWordError as error:
        return PromptResult(prompt, False, f"Sorry, {error}")
    except ValueError as error:  # too long, bad guidance / steps
        return PromptResult(prompt, False, f"Sorry, {error}")
    what = "no text: the unconditional model" if not prompt.strip() else repr(prompt)
    return PromptResult(prompt, True, f"{n_images} images for {what}, guidance {guidance:g}, {steps} steps, seed {seed}",
                        images)


def render_prompt_result(result: PromptResult):
    """Show the images (or the message, in red when something went wrong)."""
    from IPython.display import HTML, display

    from ..viz import show_images
    colour = "#1b7f3b" if result.ok else "#b3261e"
    display(HTML(f'<span style="color:{colour}">{html.escape(result.message)}</span>'))
    if result.ok:
        return show_images(result.images, nrow=len(result.images), title=result.prompt or "(empty prompt)")
    return None


def prompt_widget(model: TextToImage, *, prompt: str = "a large red circle in the center",
                  guidance: float = 3.0, steps: int = 25, n_images: int = 4):
    """Prompt box + guidance slider + steps + seed + a Generate button (a ButtonWidget:
    `w.controls["prompt"].value = ...; w.click(); w.result` is a PromptResult).

    Moving the guidance or steps slider regenerates at once for the current prompt: the sliders report
    only when released (continuous_update=False), so a drag makes one generation, not dozens."""
    import ipywidgets

    from ..widgets import ButtonWidget

    live = {"continuous_update": False}  # debounced: one generation per release, not one per pixel dragged
    controls = {
        "prompt": ipywidgets.Text(value=prompt, description="prompt", layout=ipywidgets.Layout(width="32em")),
        "guidance": ipywidgets.FloatSlider(value=guidance, min=0.0, max=8.0, step=0.5, description="guidance",
                                           **live),
        "steps": ipywidgets.IntSlider(value=steps, min=1, max=100, description="steps", **live),
        "seed": ipywidgets.IntText(value=0, description="seed"),
    }

    def run(prompt, guidance, steps, seed):
        return generate_from_prompt(prompt, model=model, guidance=guidance, steps=steps, seed=seed, n_images=n_images)

    widget = ButtonWidget(run, controls, label="Generate", render=render_prompt_result, title="Type a caption")
    for name in ("guidance", "steps"):  # "slide it and see": these re-render without pressing Generate
        controls[name].observe(lambda change: widget.update(), names="value")
    return widget
