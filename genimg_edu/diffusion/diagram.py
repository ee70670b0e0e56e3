"""Architecture diagram of chapter 06's UNet, drawn with matplotlib (no image files to ship).

    fig = unet_diagram(image_size=8, base_channels=32, channel_mults=(1, 2, 2))

Left column: the way down (each level halves H and W and widens the channels); bottom: the
bottleneck; right column: the way up, where every level also receives the activations saved on the
way down (the skip connections). The timestep (and the class label) enter every block through an
embedding. `box` and `arrow` are the drawing primitives chapter 07's diagrams reuse. Notebook 06a.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

COLOURS = {"data": "#dbe9f6", "down": "#cfe8cf", "mid": "#f6e3b4", "up": "#f4cccc", "cond": "#e4d7f0"}


def box(ax, x: float, y: float, text: str, *, width: float = 2.2, height: float = 0.7, colour: str = "#eeeeee",
        fontsize: float = 8.5):
    """A rounded box centred at (x, y) with `text` in it (data coordinates)."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.05",
                                facecolor=colour, edgecolor="#444444", linewidth=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def arrow(ax, start: tuple, end: tuple, *, text: str | None = None, colour: str = "#333333", dashed: bool = False,
          bend: float = 0.0, fontsize: float = 7.5):
    """An arrow from start to end (x, y), optionally curved (bend) and labelled at its middle."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=colour, lw=1.1,
                                 linestyle="--" if dashed else "-", connectionstyle=f"arc3,rad={bend}"))
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12, text, ha="center", va="bottom",
                fontsize=fontsize, color=colour)


def blank_figure(width: float, height: float, *, xlim: tuple, ylim: tuple, title: str) -> tuple[Figure, object]:
    """A figure with one axis-free drawing area in data coordinates."""
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    return fig, ax


def unet_diagram(*, image_size: int = 8, in_channels: int = 1, base_channels: int = 32,
                 channel_mults: tuple = (1, 2, 2), conditioning: str | None = "class label") -> Figure:
    """The UNet as a diagram. image_size: H = W of the input (divisible by 2 ** (levels - 1));
    channel_mults: width per level (as UNetConfig); conditioning: what joins the timestep in the
    embedding (None: the timestep only). Returns the Figure (display it, or fig.savefig)."""
    levels = len(channel_mults)
    if levels < 1 or image_size % 2 ** (levels - 1):
        raise ValueError(f"image_size={image_size} must be divisible by 2 ** (levels - 1) for "
                         f"channel_mults={channel_mults}")
    sizes = [image_size // 2 ** i for i in range(levels)]
    widths = [base_channels * m for m in channel_mults]
    fig, ax = blank_figure(9, 1.6 + 1.15 * levels, xlim=(-0.5, 10.5), ylim=(-1.6 - 1.15 * levels, 1.3),
                           title="UNet: down, bottleneck, up — with skip connections")
    ys = [-1.15 * i for i in range(levels)]
    left, right = 2.2, 7.8
    box(ax, left, 0.85, f"noisy image $x_t$\n{in_channels}×{image_size}×{image_size}", colour=COLOURS["data"])
    box(ax, right, 0.85, f"predicted noise $\\epsilon_\\theta$\n{in_channels}×{image_size}×{image_size}",
        colour=COLOURS["data"], width=2.5)
    for i, (y, s, w) in enumerate(zip(ys, sizes, widths)):
        y = y - 0.4
        box(ax, left, y, f"down {i + 1}: ResBlock\n{w}×{s}×{s}", colour=COLOURS["down"])
        box(ax, right, y, f"up {i + 1}: ResBlock\n{w}×{s}×{s}", colour=COLOURS["up"])
        arrow(ax, (left + 1.15, y), (right - 1.15, y), text="skip (concatenate)", colour="#1f77b4")
        if i + 1 < levels:
            arrow(ax, (left, y - 0.38), (left, ys[i + 1] - 0.4 + 0.38), text=None)
            ax.text(left - 1.25, (y + ys[i + 1] - 0.4) / 2, "downsample\n÷2", ha="right", va="center", fontsize=7)
            arrow(ax, (right, ys[i + 1] - 0.4 + 0.38), (right, y - 0.38))
            ax.text(right + 1.25, (y + ys[i + 1] - 0.4) / 2, "upsample\n×2", ha="left", va="center", fontsize=7)
    arrow(ax, (left, 0.85 - 0.38), (left, ys[0] - 0.4 + 0.38))
    arrow(ax, (right, ys[0] - 0.4 + 0.38), (right, 0.85 - 0.38))
    bottom = ys[-1] - 1.5
    box(ax, 5.0, bottom, f"bottleneck (mid)\n{widths[-1]}×{sizes[-1]}×{sizes[-1]}", colour=COLOURS["mid"])
    arrow(ax, (left, ys[-1] - 0.78), (5.0 - 1.15, bottom), bend=0.2)
    arrow(ax, (5.0 + 1.15, bottom), (right, ys[-1] - 0.78), bend=0.2)
    cond = "timestep $t$" + (f" + {conditioning}" if conditioning else "")
    box(ax, 5.0, 0.85, f"{cond}\n→ embedding", colour=COLOURS["cond"], width=2.6)
    ax.text(5.0, 0.25, "scale & shift in every ResBlock", ha="center", va="top", fontsize=7, color="#7b4fa0")
    return fig
