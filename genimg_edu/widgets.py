"""Interactive widgets that wrap pure functions: move a slider, see the function's answer.

The pattern every chapter uses::

    def noisy(t):                                   # a pure function: values in, result out
        return add_noise(x0, t)

    w = FunctionWidget(noisy, {"t": IntSlider(0, 0, 999)}, render=image_view)
    w                                               # shows the slider and the picture
    w.controls["t"].value = 500                     # what a learner's drag does; w.result updates

Unlike `ipywidgets.interactive`, errors are never swallowed: the last exception is kept in
`w.error`, printed in the output area, and the previous `w.result` is left untouched. Tests (and
teachers) drive widgets without a browser by setting `.value` and calling `.click()`.
"""
from __future__ import annotations

import html
from functools import partial

import ipywidgets
import numpy as np
import torch


class FunctionWidget:
    """Controls -> fn(**values) -> render(result) into an Output area.

    fn: a pure function whose keyword arguments are the control names. controls: name ->
    ipywidgets ValueWidget (IntSlider, Dropdown, Checkbox...). render: draws a result into the
    output (e.g. `image_view`, or a function making a matplotlib figure); None displays the result
    itself. auto: recompute on every change (use continuous_update=False on slow sliders);
    auto=False adds a "Run" button instead. Attributes: result, error, controls, output, widget.
    """

    def __init__(self, fn, controls: dict, *, render=None, auto: bool = True, title: str | None = None):
        if not callable(fn):
            raise TypeError(f"fn must be callable, got {type(fn).__name__}")
        if not isinstance(controls, dict):
            raise TypeError(f"controls must be a dict of name -> ipywidgets ValueWidget, got {type(controls).__name__}")
        for name, control in controls.items():
            if not isinstance(control, ipywidgets.ValueWidget):
                raise TypeError(f"controls[{name!r}] must be an ipywidgets ValueWidget (IntSlider, Dropdown...), "
                                f"got {type(control).__name__}")
        if render is not None and not callable(render):
            raise TypeError(f"render must be callable or None, got {type(render).__name__}")
        self.fn, self.controls, self.render = fn, dict(controls), render
        for control in self.controls.values():
            _fit_description(control)
        self.result, self.error = None, None
        self.output = ipywidgets.Output()
        self.buttons = ipywidgets.HBox([])
        header = [ipywidgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        self.widget = ipywidgets.VBox(header + list(self.controls.values()) + [self.buttons, self.output])
        self.button = None
        if auto:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
            self.update()
        else:
            self.button = self.add_button("Run")

    @property
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Recompute fn(**values) and redraw; returns the new result (None if fn raised)."""
        return self._run(self.fn)

    def add_button(self, label: str, fn=None) -> ipywidgets.Button:
        """Add a button that runs fn(**values) (default: this widget's fn) and renders its result."""
        button = ipywidgets.Button(description=label)
        button.on_click(lambda _: self._run(fn if fn is not None else self.fn))
        self.buttons.children = self.buttons.children + (button,)
        return button

    def click(self):
        """Press the first button (the "Run" button of auto=False widgets); returns the result."""
        if not self.buttons.children:
            raise ValueError("this widget has no buttons; use update() or add_button()")
        self.buttons.children[0].click()
        return self.result

    def _on_change(self, change):
        self.update()

    def _run(self, fn):
        from . import viz

        for button in self.buttons.children:  # greyed out while a slow action runs
            button.disabled = True
        try:
            with viz._collect_figures() as made:  # figures fn draws belong to this widget's output
                result = fn(**self.values)
        except Exception as error:  # kept and shown, never swallowed
            self._fail(error)
            return None
        finally:
            for button in self.buttons.children:
                button.disabled = False
        self.result, self.error = result, None
        self._draw(result, made)
        return result

    def _fail(self, error: Exception):
        self.error = error
        self.output.clear_output(wait=True)
        self.output.append_stderr(f"{type(error).__name__}: {error}\n")

    def _draw(self, result, made: list):
        import matplotlib.pyplot as plt
        from IPython.display import display
        from matplotlib.figure import Figure

        from . import viz

        viz._prepared_shell()
        self.output.clear_output(wait=True)
        before = set(plt.get_fignums())
        with self.output:
            try:
                with viz._collect_figures() as rendered:
                    drawn = self.render(result) if self.render is not None else result
                # New figures are shown here, in the widget's output, and nowhere else: pyplot ones are
                # closed (or Jupyter would show them again under the next cell), viz ones were
                # collected instead of being shown where they were drawn.
                new = made + rendered
                new += [plt.figure(number) for number in sorted(set(plt.get_fignums()) - before)]
                for figure in new + ([drawn] if isinstance(drawn, viz.CourseFigure) else []):
                    figure._genimg_shown = None  # the output was cleared: show it again, changed or not
                for figure in new:
                    display(figure)
                    plt.close(figure)  # no-op for figures pyplot does not manage
                if isinstance(drawn, Figure) and drawn not in new:
                    display(drawn)  # a figure made without pyplot
                elif self.render is None and drawn is not None:
                    display(drawn)
            except Exception as error:
                for number in set(plt.get_fignums()) - before:
                    plt.close(number)
                self._fail(error)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.widget)


def _fit_description(control) -> None:
    """Widen a control's label column when its description would be cut off ("learning r…"):
    ipywidgets gives descriptions a fixed width that fits about 10 characters. Explicit widths are kept."""
    style = getattr(control, "style", None)
    if style is not None and hasattr(style, "description_width") and not style.description_width \
            and len(getattr(control, "description", "")) > 10:
        style.description_width = "initial"


class ButtonWidget(FunctionWidget):
    """A FunctionWidget for actions (train, sample): fn runs only when its button is clicked.

    `ButtonWidget(sample, {"seed": IntText(0)}, label="Sample", render=image_view).click()`
    """

    def __init__(self, fn, controls: dict | None = None, *, label: str = "Run", render=None,
                 title: str | None = None):
        super().__init__(fn, controls or {}, render=render, auto=False, title=title)
        self.button.description = label


def _as_batch(x) -> torch.Tensor:
    """Tensors (N,C,H,W) | (C,H,W) | (H,W), or NumPy (H,W) | (H,W,C) -> (N, C, H, W) float tensor."""
    if isinstance(x, np.ndarray):
        if x.ndim == 2:
            x = x[None]
        elif x.ndim == 3 and x.shape[-1] in (1, 3):
            x = x.transpose(2, 0, 1)
        else:
            raise ValueError(f"a NumPy image must be (H, W) or (H, W, C) with C in (1, 3), got {x.shape}")
        x = torch.from_numpy(np.ascontiguousarray(x))
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"expected an image tensor or NumPy array, got {type(x).__name__}")
    x = x.detach().cpu().float()
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"expected images (N, C, H, W), (C, H, W) or (H, W), got {tuple(x.shape)}")
    return x


def image_view(x=None, *, nrow: int = 8, value_range=(0.0, 1.0), titles=None, title=None, scale: float = 1.0):
    """Draw image(s) as a matplotlib figure: the usual `render` of a FunctionWidget.

    x: tensor (N, C, H, W) | (C, H, W) | (H, W), or NumPy (H, W) | (H, W, C); C in (1, 3); values
    in value_range ((0, 1) or (-1, 1)), else ValueError. Returns the Figure. Called without x it
    returns a renderer with these options: `render=image_view(value_range=(-1, 1), nrow=4)`.
    """
    if x is None:
        return partial(image_view, nrow=nrow, value_range=value_range, titles=titles, title=title, scale=scale)
    from .viz import show_images
    return show_images(_as_batch(x), nrow=nrow, value_range=value_range, titles=titles, title=title, scale=scale)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of PNG bytes (or a widget's memoryview of them), read from the header."""
    if isinstance(png, memoryview):
        png = png.tobytes()
    if not isinstance(png, (bytes, bytearray)) or png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise ValueError("png must be the bytes of a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def show_png(image_widget, png: bytes) -> None:
    """Put PNG bytes into an `ipywidgets.Image` at their natural size, so the browser never stretches
    (and blurs) the picture to the page width; widgets upscale with nearest-neighbour before this."""
    width, height = png_size(png)
    layout = image_widget.layout
    layout.width, layout.height, layout.flex = f"{width}px", f"{height}px", "0 0 auto"
    image_widget.value = png


__all__ = ["ButtonWidget", "FunctionWidget", "image_view", "png_size", "show_png"]
