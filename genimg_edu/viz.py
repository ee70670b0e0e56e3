"""Pictures of tensors: image grids, side-by-side comparisons, animations and loss curves.

Every function checks its input -- images are (N, C, H, W) tensors with C = 1 or 3, in the stated
value_range -- and raises ValueError otherwise; nothing is rescaled behind your back.

Figures are made with `matplotlib.figure.Figure`, not pyplot, so they never pile up in memory. In
Jupyter each figure is shown the moment it is drawn, where the code draws it: a grid and then a printed
score come out in that order. A figure returned as the cell's last value is not shown a second time
(unless it was changed since) -- `show_images(x)` just works, with or without a `;`. Inside a widget's
function the figures go to the widget's own output instead. Outside Jupyter, keep the returned Figure
and `figure.savefig("grid.png")`.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

from .data import check_images, check_value_range
from .notebook import _in_ipython

MAX_WIDTH_INCHES = 12.0

# ---- showing figures in Jupyter, where they are drawn ------------------------------------------
class CourseFigure(Figure):
    """The Figure the drawing functions return. In Jupyter it is shown as soon as it is drawn; the same
    cell shows it again (as its result, or by display()) only if it changed since; later cells always can."""

    _genimg_shown = None  # the execution count of the cell that last showed it


_collectors: list[list] = []  # while a widget runs its function, its figures are collected, not shown


@contextlib.contextmanager
def _collect_figures():
    """Within this block figures are not shown where they are drawn but gathered into the yielded list
    (a widget then shows them in its own output area)."""
    collected: list[Figure] = []
    _collectors.append(collected)
    try:
        yield collected
    finally:
        _collectors.remove(collected)


def _display_course_figure(figure: CourseFigure) -> None:
    """IPython's display hook for CourseFigure: its PNG, unless this cell shows it already, unchanged."""
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure
    from IPython.display import publish_display_data
    cell = getattr(get_ipython(), "execution_count", None)
    if figure._genimg_shown is not None and figure._genimg_shown == cell and not figure.stale:
        return  # already on screen in this cell, unchanged
    png = print_figure(figure, "png", bbox_inches="tight")
    figure._genimg_shown = cell
    figure.stale = False
    publish_display_data({"image/png": png, "text/plain": repr(figure)})


def _prepared_shell():
    """The running IPython shell, set up to show figures (None outside IPython).

    Installs, once: a PNG formatter for Figures (pyplot would normally do this when imported) and the
    display hook that shows a CourseFigure only when it is new or changed."""
    if not _in_ipython():
        return None
    from IPython import get_ipython
    shell = get_ipython()
    if not getattr(shell, "_genimg_viz_display", False):
        png = shell.display_formatter.formatters["image/png"]
        try:
            png.lookup_by_type(Figure)
        except KeyError:
            from IPython.core.pylabtools import print_figure
            png.for_type(Figure, lambda figure: print_figure(figure, "png", bbox_inches="tight"))
        shell.display_formatter.ipython_display_formatter.for_type(CourseFigure, _display_course_figure)
        shell._genimg_viz_display = True
    return shell


def _new_figure(**kwargs) -> CourseFigure:
    return CourseFigure(**kwargs)


def _show(figure: CourseFigure) -> CourseFigure:
    """Show a finished figure now, in Jupyter (or hand it to the widget collecting figures)."""
    if _collectors:
        _collectors[-1].append(figure)
    elif _prepared_shell() is not None:
        from IPython.display import display
        display(figure)
    return figure


# ---- images ------------------------------------------------------------------------------------

def _check_batch(x, value_range, name="x") -> torch.Tensor:
    if isinstance(x, torch.Tensor) and x.ndim == 4 and x.shape[1] not in (1, 3):
        raise ValueError(f"{name} must have 1 or 3 channels (N, C, H, W), got {tuple(x.shape)}")
    check_images(x, value_range=value_range, name=name)
    if len(x) == 0:
        raise ValueError(f"{name} holds no images: shape {tuple(x.shape)}")
    return x


def image_grid(x: torch.Tensor, *, nrow: int = 8, value_range=(0.0, 1.0), padding: int = 1,
               pad_value: float = 1.0) -> np.ndarray:
    """Tile a batch of images into one picture.

    x: (N, C, H, W) float tensor, C in (1, 3), values in value_range ((0, 1) or (-1, 1)).
    Image i lands in row i // nrow, column i % nrow. padding: pixels between and around tiles,
    filled with pad_value (0..1, white by default). Returns a NumPy array
    (rows*(H+padding)+padding, cols*(W+padding)+padding, C) in [0, 1].
    """
    if not isinstance(nrow, int) or isinstance(nrow, bool) or nrow < 1:
        raise ValueError(f"nrow must be a positive int, got {nrow!r}")
    if not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an int >= 0, got {padding!r}")
    low, high = check_value_range(value_range)
    x = _check_batch(x, value_range).detach().cpu().float()
    unit = ((x - low) / (high - low)).clamp(0, 1)  # clamp only the 1e-4 tolerance check_images allows
    n, channels, height, width = unit.shape
    cols, rows = min(n, nrow), math.ceil(n / nrow)
    grid = np.full((rows * (height + padding) + padding, cols * (width + padding) + padding, channels),
                   pad_value, dtype=np.float32)
    for i, image in enumerate(unit.permute(0, 2, 3, 1).numpy()):  # (H, W, C)
        top = padding + (i // nrow) * (height + padding)
        left = padding + (i % nrow) * (width + padding)
        grid[top:top + height, left:left + width] = image
    return grid


def _imshow(ax, grid: np.ndarray, title=None):
    if grid.shape[-1] == 1:
        ax.imshow(grid[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    else:
        ax.imshow(grid, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)


def _figsize(cols: int, rows: int, scale: float, extra_height: float = 0.0):
    width, height = cols * scale, rows * scale + extra_height
    shrink = min(1.0, MAX_WIDTH_INCHES / width)
    return width * shrink, height * shrink


def show_images(x: torch.Tensor, *, nrow: int = 8, titles=None, value_range=(0.0, 1.0), title=None,
                ax=None, scale: float = 1.0) -> Figure:
    """Show a batch of images as a grid and return the matplotlib Figure.

    x: (N, C, H, W), C in (1, 3), values in value_range. titles: N strings, one above each image
    (e.g. predicted labels). title: one heading. ax: draw into an existing Axes (without titles).
    scale: inches per image. Notebook 00 onward.
    """
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < math.inf:
        raise ValueError(f"scale must be a finite number > 0 (inches per image), got {scale!r}")
    if titles is None:
        grid = image_grid(x, nrow=nrow, value_range=value_range)
        if ax is not None:  # drawn into the caller's figure: the caller shows it
            _imshow(ax, grid, title)
            return ax.figure
        cols, rows = min(len(x), nrow), math.ceil(len(x) / nrow)
        figure = _new_figure(figsize=_figsize(cols, rows, scale, 0.4 if title else 0.0), layout="constrained")
        _imshow(figure.add_subplot(), grid, title)
        return _show(figure)
    if ax is not None:
        raise ValueError("titles need one axes per image; pass ax=None")
    _check_batch(x, value_range)
    if len(titles) != len(x):
        raise ValueError(f"need one title per image: {len(x)} images, {len(titles)} titles")
    cols, rows = min(len(x), nrow), math.ceil(len(x) / nrow)
    figure = _new_figure(figsize=_figsize(cols, rows, scale, 0.3 * rows), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for i, axis in enumerate(axes):
        if i < len(x):
            _imshow(axis, image_grid(x[i:i + 1], value_range=value_range, padding=0), str(titles[i]))
        else:
            axis.set_axis_off()
    if title:
        figure.suptitle(title)
    return _show(figure)


def compare(named: dict, *, nrow: int = 8, value_range=(0.0, 1.0), scale: float = 1.0) -> Figure:
    """Panels side by side, one per entry: `compare({"real": x, "generated": y})`.

    named: title -> images (N, C, H, W) in value_range (panels may differ in size). Returns the Figure.
    """
    if not isinstance(named, dict) or not named:
        raise TypeError("named must be a non-empty dict of title -> images (N, C, H, W)")
    grids = {name: image_grid(x, nrow=nrow, value_range=value_range) for name, x in named.items()}
    cols = sum(min(len(x), nrow) for x in named.values())
    rows = max(math.ceil(len(x) / nrow) for x in named.values())
    figure = _new_figure(figsize=_figsize(cols + len(named) - 1, rows, scale, 0.4), layout="constrained")
    for axis, (name, grid) in zip(figure.subplots(1, len(named), squeeze=False).ravel(), grids.items()):
        _imshow(axis, grid, name)
    return _show(figure)


def animate(frames, *, interval: int = 100, nrow: int = 8, value_range=(0.0, 1.0), titles=None,
            scale: float = 1.0) -> FuncAnimation:
    """An animation of image batches, e.g. a sampler turning noise into digits.

    frames: (T, N, C, H, W) tensor or a list of T tensors (N, C, H, W) in value_range.
    titles: T strings shown above each frame (e.g. "t = 999"). interval: ms per frame.
    Returns a matplotlib FuncAnimation; in a notebook show it with
    `HTML(animation_html(anim))`. Notebook 06.
    """
    if isinstance(frames, torch.Tensor):
        if frames.ndim != 5:
            raise ValueError(f"frames must be (T, N, C, H, W), got {tuple(frames.shape)}")
        frames = list(frames)
    if not isinstance(frames, (list, tuple)) or not frames:
        raise TypeError("frames must be a (T, N, C, H, W) tensor or a non-empty list of (N, C, H, W) tensors")
    if len({tuple(f.shape) for f in frames}) != 1:
        raise ValueError(f"every frame must have the same shape, got {sorted({tuple(f.shape) for f in frames})}")
    if titles is not None and len(titles) != len(frames):
        raise ValueError(f"need one title per frame: {len(frames)} frames, {len(titles)} titles")
    grids = [image_grid(f, nrow=nrow, value_range=value_range) for f in frames]
    n = len(frames[0])
    figure = Figure(figsize=_figsize(min(n, nrow), math.ceil(n / nrow), scale, 0.4), layout="constrained")
    ax = figure.add_subplot()
    _imshow(ax, grids[0], titles[0] if titles else None)
    image = ax.images[0]

    def draw(i):
        image.set_data(grids[i][..., 0] if grids[i].shape[-1] == 1 else grids[i])
        if titles:
            ax.set_title(str(titles[i]), fontsize=10)
        return (image,)

    return FuncAnimation(figure, draw, frames=len(grids), interval=interval, blit=False)


# matplotlib's player draws its buttons with Font Awesome icons from a CDN; offline they are blank.
_PLAYER_ICONS = {"fa fa-minus": "&minus;", "fa fa-fast-backward": "&#x23EE;", "fa fa-step-backward": "&#x23F4;&#x2759;",
                 "fa fa-play fa-flip-horizontal": "&#x25C0;", "fa fa-pause": "&#x23F8;", "fa fa-play": "&#x25B6;",
                 "fa fa-step-forward": "&#x2759;&#x23F5;", "fa fa-fast-forward": "&#x23ED;", "fa fa-plus": "+"}


def animation_html(anim: FuncAnimation) -> str:
    """The animation as self-contained HTML with play controls: `display(HTML(animation_html(anim)))`.
    Works offline: no stylesheet or font is fetched (the buttons are plain Unicode symbols)."""
    import re

    html = anim.to_jshtml(default_mode="loop")
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*font-awesome[^"]*">', "", html)
    for icon, symbol in _PLAYER_ICONS.items():
        html = html.replace(f'<i class="{icon}"></i>', symbol)
    return html


# ---- loss curves -------------------------------------------------------------------------------

def _smoothed(values: list[float], smooth: float) -> list[float]:
    """Debiased exponential moving average (as TensorBoard does): smooth in [0, 1), 0 = raw."""
    out, average = [], 0.0
    for i, value in enumerate(values, start=1):
        average = smooth * average + (1 - smooth) * value
        out.append(average / (1 - smooth ** i))
    return out


def _draw_losses(ax, history, keys, smooth, logy):
    ax.clear()
    for key in keys:
        points = [(r["step"], r[key]) for r in history if key in r]
        if points:
            steps, values = zip(*points)
            ax.plot(steps, _smoothed(list(values), smooth), label=key)
    ax.set_xlabel("step")
    ax.set_yscale("log" if logy else "linear")
    ax.grid(alpha=0.3)
    ax.legend()


def plot_losses(history, *, keys=("loss",), smooth: float = 0.0, logy: bool = False, ax=None,
                title=None) -> Figure:
    """Loss curves from a training history: one line per key.

    history: list of {"step": int, "loss": float, ...} (TrainResult.history), or a TrainResult.
    smooth: exponential moving average in [0, 1) (0.9 is strong smoothing). Returns the Figure.
    """
    history = getattr(history, "history", history)
    if isinstance(keys, str):
        keys = (keys,)
    if not isinstance(history, (list, tuple)) or not history:
        raise ValueError("history must be a non-empty list of {'step': ..., 'loss': ...} records")
    available = sorted({k for record in history for k in record} - {"step"})
    missing = [k for k in keys if k not in available]
    if missing:
        raise ValueError(f"no {missing} in history; it has {available}")
    if not 0 <= smooth < 1:
        raise ValueError(f"smooth must be in [0, 1), got {smooth!r}")
    own = ax is None  # a figure of its own is shown here; one passed in via ax is the caller's to show
    if own:
        ax = _new_figure(figsize=(6, 3.5), layout="constrained").add_subplot()
    _draw_losses(ax, history, keys, smooth, logy)
    if title:
        ax.set_title(title)
    return _show(ax.figure) if own else ax.figure


class LiveLossPlot:
    """A `train` callback that redraws the loss curve in place while training runs.

    `train(..., callbacks=[LiveLossPlot()])`. In Jupyter the plot updates in one output; outside
    IPython it only records `.history`. keys / smooth / logy as in plot_losses.
    """

    def __init__(self, *, keys=("loss",), smooth: float = 0.0, logy: bool = False):
        if not 0 <= smooth < 1:
            raise ValueError(f"smooth must be in [0, 1), got {smooth!r}")
        self.keys, self.smooth, self.logy = (keys,) if isinstance(keys, str) else tuple(keys), smooth, logy
        self.history: list[dict] = []
        self.figure, self._handle = None, None

    def __call__(self, step: int, logs: dict):
        self.history.append({"step": step, **logs})
        if _prepared_shell() is None:
            return
        from IPython.display import display
        if self.figure is None:
            self.figure = Figure(figsize=(6, 3.5), layout="constrained")
            self.figure.add_subplot()
        _draw_losses(self.figure.axes[0], self.history, [k for k in self.keys if k in logs], self.smooth, self.logy)
        if self._handle is None:
            self._handle = display(self.figure, display_id=True)
        else:
            self._handle.update(self.figure)
