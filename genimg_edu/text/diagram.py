"""Chapter 07's architectures as matplotlib diagrams: CLIP's two towers and a cross-attention block.

    clip_diagram()             # image tower, text tower, one embedding space, the B x B similarity table
    cross_attention_diagram()  # pixels ask (Q), words answer (K, V): softmax(Q K^T / sqrt(d)) V

Drawn with the primitives of genimg_edu.diffusion.diagram, so they ship and test like the code. Notebook 07.
"""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..diffusion.diagram import COLOURS, arrow, blank_figure, box


def clip_diagram(*, batch: int = 4, embed_dim: int = 64) -> Figure:
    """CLIP: an image encoder and a text encoder map a batch of B pairs to unit vectors in one space;
    the B x B table of cosine similarities is trained to be largest on its diagonal (InfoNCE)."""
    if not isinstance(batch, int) or not 2 <= batch <= 8:
        raise ValueError(f"batch must be an int in [2, 8] (the drawn table is batch x batch), got {batch!r}")
    fig, ax = blank_figure(9.5, 4.2, xlim=(-0.3, 12.3), ylim=(-2.9, 2.6),
                           title="CLIP: two towers, one embedding space")
    for y, first, tower, colour in ((1.4, "images\nB×3×16×16", "image tower\n(CNN)", COLOURS["down"]),
                                    (-1.4, "captions\n'a small red circle …'", "text tower\n(tokenizer +\ntransformer)",
                                     COLOURS["up"])):
        box(ax, 1.1, y, first, width=2.2, height=0.95, colour=COLOURS["data"])
        box(ax, 3.9, y, tower, width=2.0, height=1.05, colour=colour)
        box(ax, 6.5, y, f"projection,\nthen ÷ its length\n(B×{embed_dim} unit vectors)", width=2.3, height=1.05,
            colour=COLOURS["cond"], fontsize=8)
        arrow(ax, (2.25, y), (2.85, y))
        arrow(ax, (4.95, y), (5.3, y))
        arrow(ax, (7.7, y), (8.9, 0.45 if y > 0 else -0.45), bend=-0.2 if y > 0 else 0.2)
    cell, x0, y0 = 0.42, 9.1, -batch * 0.42 / 2
    for i in range(batch):
        for j in range(batch):
            ax.add_patch(Rectangle((x0 + j * cell, y0 + (batch - 1 - i) * cell), cell, cell,
                                   facecolor="#2ca02c" if i == j else "#f0f0f0", edgecolor="#888888", lw=0.6))
    ax.text(x0 + batch * cell / 2, y0 + batch * cell + 0.12, "B×B similarities\n(cosine × 1/temperature)",
            ha="center", va="bottom", fontsize=8)
    ax.text(x0 + batch * cell / 2, y0 - 0.12, "diagonal = matching pairs\nInfoNCE: each row and column\n"
            "picks its own partner", ha="center", va="top", fontsize=7.5)
    return fig


def cross_attention_diagram(*, pixels: str = "H·W", tokens: str = "L") -> Figure:
    """Cross-attention inside the UNet: each pixel's features become a query, each text token's state a
    key and a value; attention weights (pixels x tokens, padding masked out) mix the values, and the
    result is added back to the feature map (residual)."""
    fig, ax = blank_figure(9.5, 4.6, xlim=(-0.3, 12.3), ylim=(-2.9, 2.9),
                           title="Cross-attention: pixels ask, words answer")
    box(ax, 1.2, 1.6, f"image features h\nB×C×H×W\n→ {pixels} pixel vectors", width=2.4, height=1.05,
        colour=COLOURS["down"], fontsize=8)
    box(ax, 1.2, -1.6, f"text states\n(one per token)\nB×{tokens}×d", width=2.4, height=1.05,
        colour=COLOURS["up"], fontsize=8)
    box(ax, 4.2, 1.6, "Q = norm(h) $W_Q$\nqueries", width=2.0, colour=COLOURS["cond"])
    box(ax, 4.2, -0.9, "K = text $W_K$\nkeys", width=2.0, colour=COLOURS["cond"])
    box(ax, 4.2, -2.1, "V = text $W_V$\nvalues", width=2.0, colour=COLOURS["cond"])
    arrow(ax, (2.4, 1.6), (3.2, 1.6))
    arrow(ax, (2.4, -1.4), (3.2, -0.9))
    arrow(ax, (2.4, -1.8), (3.2, -2.1))
    box(ax, 7.2, 0.4, "weights = softmax$(QK^T/\\sqrt{d})$\n" f"{pixels} × {tokens}, padding masked",
        width=3.0, height=0.95, colour=COLOURS["mid"], fontsize=8)
    arrow(ax, (5.2, 1.5), (6.2, 0.85))
    arrow(ax, (5.2, -0.9), (6.2, 0.0))
    box(ax, 7.2, -1.6, "weights · V\n(each pixel: a mix of words)", width=3.0, colour=COLOURS["mid"], fontsize=8)
    arrow(ax, (7.2, -0.08), (7.2, -1.22))
    arrow(ax, (5.2, -2.1), (5.7, -1.75))
    box(ax, 10.5, -1.6, "out $W_O$, then\nh + out (residual)", width=2.2, colour=COLOURS["down"], fontsize=8)
    arrow(ax, (8.7, -1.6), (9.4, -1.6))
    arrow(ax, (2.4, 2.0), (10.5, -1.22), bend=-0.35, dashed=True)
    ax.text(9.6, 1.7, "h (residual path)", ha="left", va="center", fontsize=7.5)
    return fig
