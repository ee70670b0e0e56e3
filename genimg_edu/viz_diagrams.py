"""Architecture diagrams of chapters 02-05, drawn with matplotlib (boxes and arrows, no image files).

    mlp_diagram(hidden=32)                 # 02: pixels -> W1 -> ReLU -> W2 -> softmax, and the backward pass
    cnn_diagram(size=8, widths=(16, 32))   # 03: two conv + ReLU + max-pool blocks, then a linear layer
    autoencoder_diagram(variational=True)  # 04: encoder -> (mu, sigma) -> z = mu + sigma eps -> decoder
    gan_diagram()                          # 05: the game between the generator and the discriminator

Every function returns the Figure; in Jupyter it is shown where it is drawn (genimg_edu.viz). The box
and arrow primitives are chapter 06's (`genimg_edu.diffusion.diagram`).
"""
from __future__ import annotations

from .diffusion.diagram import COLOURS, arrow, box
from .viz import _new_figure, _show

LOSS = "#fde2c8"
BACKWARD = "#b3261e"


def _canvas(width: float, height: float, *, xlim: tuple, ylim: tuple, title: str):
    figure = _new_figure(figsize=(width, height), layout="constrained")
    ax = figure.add_subplot()
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)
    return figure, ax


def _check_positive(**values) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def mlp_diagram(*, inputs: int = 64, hidden: int = 32, classes: int = 10):
    """Chapter 02's two-layer perceptron: the forward pass left to right (top row) and the gradients of
    the backward pass right to left (red, bottom row). Shapes are per example; a batch adds a B in front."""
    _check_positive(inputs=inputs, hidden=hidden, classes=classes)
    figure, ax = _canvas(12.5, 3.6, xlim=(0, 15.2), ylim=(0, 4.3),
                         title=f"a {inputs}-{hidden}-{classes} MLP: forward (black) and backward (red)")
    xs = [1.0, 3.5, 6.0, 8.5, 11.0, 13.8]
    labels = [f"x\n{inputs} pixels", f"z1 = x W1 + b1\nW1: {inputs}×{hidden}", f"h = ReLU(z1)\n{hidden} numbers",
              f"s = h W2 + b2\nW2: {hidden}×{classes}", f"p = softmax(s)\n{classes} probabilities", "L = −log p[y]"]
    colours = [COLOURS["data"], COLOURS["down"], COLOURS["mid"], COLOURS["down"], COLOURS["up"], LOSS]
    for x, label, colour in zip(xs, labels, colours):
        box(ax, x, 3.0, label, width=2.2, height=0.9, colour=colour)
    for a, b in zip(xs, xs[1:]):
        arrow(ax, (a + 1.15, 3.0), (b - 1.15, 3.0))
    grads = [(13.8, 11.0, "dL/ds = p − onehot(y)"), (11.0, 8.5, "dL/dW2 = hᵀ dL/ds"), (8.5, 6.0, "dL/dh = dL/ds W2ᵀ"),
             (6.0, 3.5, "dL/dz1 = dL/dh · [z1 > 0]"), (3.5, 1.0, "dL/dW1 = xᵀ dL/dz1")]
    for a, b, text in grads:
        arrow(ax, (a - 0.3, 2.45), (b + 0.3, 2.45), colour=BACKWARD, bend=-0.35)
        ax.text((a + b) / 2, 1.45, text, ha="center", va="center", fontsize=8, color=BACKWARD)
    ax.text(7.6, 0.5, "gradient descent: every weight moves a step against its gradient, θ ← θ − lr · dL/dθ",
            ha="center", fontsize=8.5)
    return _show(figure)


def cnn_diagram(*, in_channels: int = 1, size: int = 8, widths: tuple = (16, 32), classes: int = 10):
    """Chapter 03's SmallCNN: blocks of 3×3 convolution + ReLU + 2×2 max-pool (each halves the side),
    then one linear layer from the flattened maps to the class scores."""
    _check_positive(in_channels=in_channels, size=size, classes=classes)
    if not widths or any(isinstance(w, bool) or not isinstance(w, int) or w < 1 for w in widths):
        raise ValueError(f"widths must be a non-empty tuple of positive ints, got {widths!r}")
    if size % 2 ** len(widths):
        raise ValueError(f"size must be divisible by 2 ** len(widths) = {2 ** len(widths)}, got {size}")
    steps = [(f"image\n{in_channels}×{size}×{size}", COLOURS["data"])]
    side, channels = size, in_channels
    for width in widths:
        steps.append((f"conv 3×3, {width} filters\n+ ReLU → {width}×{side}×{side}", COLOURS["down"]))
        side //= 2
        steps.append((f"max-pool 2×2\n→ {width}×{side}×{side}", COLOURS["mid"]))
        channels = width
    steps.append((f"flatten → {channels * side * side}\nlinear → {classes} scores", COLOURS["up"]))
    gap = 2.5
    figure, ax = _canvas(2.0 + gap * len(steps) * 0.85, 2.2, xlim=(0, gap * len(steps)), ylim=(0, 2.2),
                         title="a small convolutional network: the same small filters slide over every position")
    for i, (label, colour) in enumerate(steps):
        box(ax, gap * (i + 0.5), 1.1, label, width=2.2, height=0.9, colour=colour, fontsize=8)
        if i:
            arrow(ax, (gap * (i - 0.5) + 1.12, 1.1), (gap * (i + 0.5) - 1.12, 1.1))
    return _show(figure)


def autoencoder_diagram(*, variational: bool = False, pixels: int = 64, latent: int = 2):
    """Chapter 04's autoencoder: encoder -> code z -> decoder, trained to rebuild its input. With
    variational=True the VAE: the encoder gives mu and log sigma², z = mu + sigma·eps, and the loss adds a KL term."""
    _check_positive(pixels=pixels, latent=latent)
    width = 14.0 if variational else 11.5
    figure, ax = _canvas(width, 3.0, xlim=(0, width), ylim=(0, 3.0),
                         title="a variational autoencoder (VAE)" if variational else "an autoencoder")
    if variational:
        items = [(1.1, f"x\n{pixels} pixels", COLOURS["data"]), (3.5, "encoder\n(MLP)", COLOURS["down"]),
                 (5.9, f"μ, log σ²\n{latent} + {latent} numbers", COLOURS["mid"]),
                 (8.3, "z = μ + σ·ε\nε ~ N(0, I)", COLOURS["cond"]), (10.7, "decoder\n(MLP)", COLOURS["up"]),
                 (13.0, f"x̂\n{pixels} pixels", COLOURS["data"])]
        loss = "loss = −ELBO = BCE(x̂, x) + KL( N(μ, σ²) ‖ N(0, I) )"
    else:
        items = [(1.1, f"x\n{pixels} pixels", COLOURS["data"]), (3.6, "encoder\n(MLP)", COLOURS["down"]),
                 (6.1, f"code z\n{latent} numbers", COLOURS["mid"]), (8.6, "decoder\n(MLP)", COLOURS["up"]),
                 (10.7, f"x̂\n{pixels} pixels", COLOURS["data"])]
        loss = "loss = mean squared error ‖x̂ − x‖²: the image is its own target"
    for x, label, colour in items:
        box(ax, x, 1.9, label, width=1.9 if "pixels" in label else 2.2, height=0.9, colour=colour)
    for (a, *_), (b, label, _) in zip(items, items[1:]):
        arrow(ax, (a + 1.05, 1.9), (b - (0.95 if "pixels" in label else 1.1), 1.9))
    box(ax, width / 2, 0.55, loss, width=width - 2.5, height=0.55, colour=LOSS)
    return _show(figure)


def gan_diagram():
    """Chapter 05's game: G turns noise into fakes; D scores real and fake samples with one logit each;
    D's loss pushes real logits up and fake ones down, G's loss pushes fake logits up through D."""
    figure, ax = _canvas(11.5, 4.2, xlim=(0, 12.2), ylim=(0, 4.4), title="the GAN game: a forger and a detective")
    box(ax, 1.2, 1.2, "noise\nz ~ N(0, I)", width=1.9, height=0.9, colour=COLOURS["cond"])
    box(ax, 3.8, 1.2, "generator G\n(the forger)", width=2.1, height=0.9, colour=COLOURS["up"])
    box(ax, 6.4, 1.2, "fake sample\nG(z)", width=1.9, height=0.9, colour=COLOURS["mid"])
    box(ax, 6.4, 3.3, "real sample\nx from the data", width=1.9, height=0.9, colour=COLOURS["data"])
    box(ax, 8.9, 2.25, "discriminator D\n(the detective)\none logit", width=2.1, height=1.1, colour=COLOURS["down"])
    box(ax, 11.1, 3.3, "D's loss\nreal → 1, fake → 0", width=1.9, height=0.9, colour=LOSS)
    box(ax, 11.1, 1.2, "G's loss\nfake → 1", width=1.9, height=0.9, colour=LOSS)
    arrow(ax, (2.15, 1.2), (2.75, 1.2))
    arrow(ax, (4.85, 1.2), (5.45, 1.2))
    arrow(ax, (7.35, 1.45), (7.85, 1.85))
    arrow(ax, (7.35, 3.05), (7.85, 2.65))
    arrow(ax, (9.95, 2.6), (10.15, 3.0))
    arrow(ax, (9.95, 1.9), (10.15, 1.5))
    arrow(ax, (10.5, 0.55), (3.8, 0.55), colour=BACKWARD)
    ax.text(7.1, 0.1, "G's gradient flows back through D into G: 'move the fake so that it looks more real'",
            ha="center", fontsize=8, color=BACKWARD)
    ax.text(9.6, 4.15, "step 1: update D only (fakes detached)   step 2: update G only", ha="center", fontsize=8.5)
    return _show(figure)


__all__ = ["autoencoder_diagram", "cnn_diagram", "gan_diagram", "mlp_diagram"]
