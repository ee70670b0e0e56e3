"""The pixel explorer: zoom into a picture until you see the numbers. Notebook 01.

`explore_pixels` is a pure function (image in, everything the explorer shows out) so tests and
notebooks can call it directly; `pixel_explorer(image)` wraps it in sliders with
`genimg_edu.widgets.FunctionWidget`, and `plot_pixels` draws its result.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .colour import to_greyscale
from .images import check_image

CHANNELS = ("all", "R", "G", "B", "grey")


def explore_pixels(image: torch.Tensor, *, zoom: int = 1, centre: tuple[int, int] | None = None,
                   channel: str = "all", brightness: float = 0.0, patch: int = 5) -> dict:
    """Everything the explorer shows for one setting of its controls.

    image: (3, H, W) or (1, H, W) in [0, 1]. zoom: int >= 1; the crop is (H // zoom, W // zoom)
    around `centre` = (row, col) (default: the middle), shown `zoom` times larger with nearest
    upsampling, so pixels become visible squares. channel: one of CHANNELS ("R"/"G"/"B" need an RGB
    image). brightness in [-1, 1] is added to every value, then values are clipped to [0, 1]:
    the clipping is the lesson (pushed past white, a pixel stays white and detail is lost), and
    "clipped" reports the fraction of values it hit.

    Returns {"shown": (C', H, W) the image after brightness and channel choice (C' = 3 for "all" on
    RGB, else 1), "view": (C', h * zoom, w * zoom), "region": (top, left, h, w), "patch": (C', p, p)
    the numbers around the centre, "pixel": list of the centre pixel's values, "clipped": float}.
    """
    check_image(image, name="image", batch=False)
    height, width = image.shape[-2:]
    if not isinstance(zoom, int) or isinstance(zoom, bool) or not 1 <= zoom <= min(height, width):
        raise ValueError(f"zoom must be an int in [1, {min(height, width)}], got {zoom!r}")
    row, col = (height // 2, width // 2) if centre is None else centre
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(f"centre must be (row, col) inside the {height}x{width} image, got {centre!r}")
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}")
    if channel in ("R", "G", "B") and image.shape[0] != 3:
        raise ValueError(f"channel {channel!r} needs an RGB image (3, H, W), got {tuple(image.shape)}")
    if not -1 <= brightness <= 1:
        raise ValueError(f"brightness must be in [-1, 1], got {brightness!r}")
    if not isinstance(patch, int) or patch < 1 or patch % 2 == 0:
        raise ValueError(f"patch must be a positive odd int, got {patch!r}")

    # 1. Brightness: add, then clip to the displayable range (and count what was clipped).
    brighter = image + brightness
    clipped = ((brighter < 0) | (brighter > 1)).float().mean().item()
    shown = brighter.clamp(0, 1)
    # 2. Channel: keep one plane, or mix the three into grey.
    if channel == "grey":
        shown = to_greyscale(shown) if shown.shape[0] == 3 else shown
    elif channel != "all":
        shown = shown["RGB".index(channel)].unsqueeze(0)
    # 3. Crop an (h, w) window around the centre, slid back inside the image at the borders.
    h, w = height // zoom, width // zoom
    top, left = min(max(row - h // 2, 0), height - h), min(max(col - w // 2, 0), width - w)
    crop = shown[:, top:top + h, left:left + w]
    # 4. Upscale with nearest: each pixel becomes a zoom x zoom square.
    view = F.interpolate(crop.unsqueeze(0), scale_factor=zoom, mode="nearest")[0]
    # 5. The numbers of the tiny patch around the centre (zeros where it leaves the image).
    r = patch // 2
    padded = F.pad(shown, (r, r, r, r))
    numbers = padded[:, row:row + patch, col:col + patch]
    return {"shown": shown, "view": view, "region": (top, left, h, w), "patch": numbers,
            "pixel": shown[:, row, col].tolist(), "clipped": clipped}


def plot_pixels(result: dict, *, figsize=(11, 3.8)):
    """Draw an explore_pixels result: the image with the zoom window, the zoomed view, and the
    patch with its values written as 0..255 numbers. Returns the matplotlib Figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    def imshow(ax, x):
        ax.imshow(x.permute(1, 2, 0).numpy() if x.shape[0] == 3 else x[0].numpy(),
                  cmap=None if x.shape[0] == 3 else "gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])

    fig, axes = plt.subplots(1, 3, figsize=figsize)
    top, left, h, w = result["region"]
    imshow(axes[0], result["shown"])
    axes[0].add_patch(Rectangle((left - 0.5, top - 0.5), w, h, fill=False, color="yellow", lw=2))
    axes[0].set_title("whole image (yellow: zoom window)")
    imshow(axes[1], result["view"])
    axes[1].set_title(f"zoomed: {h}x{w} pixels")
    patch = result["patch"]
    imshow(axes[2], patch)
    for i in range(patch.shape[1]):
        for j in range(patch.shape[2]):
            values = (patch[:, i, j] * 255).round().int().tolist()
            grey = patch[:, i, j].mean().item()
            axes[2].text(j, i, "\n".join(map(str, values)), ha="center", va="center", fontsize=7,
                         color="black" if grey > 0.5 else "white")
    axes[2].set_title(f"the numbers (0..255); clipped {result['clipped']:.0%}")
    fig.tight_layout()
    return fig


def pixel_explorer(image: torch.Tensor):
    """Sliders for zoom, centre row/column, channel and brightness over `image` (3 or 1, H, W) in
    [0, 1]. Returns a FunctionWidget; `display(widget)` shows it, `.result` is the last dict."""
    import ipywidgets as widgets

    from ..widgets import FunctionWidget

    check_image(image, name="image", batch=False)
    height, width = image.shape[-2:]
    channels = CHANNELS if image.shape[0] == 3 else ("all", "grey")

    def explore(zoom, row, col, channel, brightness):
        return explore_pixels(image, zoom=zoom, centre=(row, col), channel=channel, brightness=brightness)

    slow = {"continuous_update": False}  # redraw when the slider is released, not while dragging
    controls = {
        "zoom": widgets.IntSlider(value=1, min=1, max=min(16, height, width), description="zoom", **slow),
        "row": widgets.IntSlider(value=height // 2, min=0, max=height - 1, description="row", **slow),
        "col": widgets.IntSlider(value=width // 2, min=0, max=width - 1, description="column", **slow),
        "channel": widgets.Dropdown(options=channels, value="all", description="channel"),
        "brightness": widgets.FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.05, description="brightness",
                                          **slow),
    }
    return FunctionWidget(explore, controls, render=plot_pixels, title="Pixel explorer")
