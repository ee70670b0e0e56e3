"""The latent diffusion diagram of notebook 08, drawn with matplotlib (boxes and arrows, no images).

Top row: training — an image goes through the VAE encoder to a latent z0, noise makes zt, and the
UNet learns to predict the noise (or v) while cross-attending to the frozen text encoder's states.
Bottom row: sampling — start from noise zT, denoise with the UNet + scheduler under classifier-free
guidance, decode with the VAE decoder.
"""
from __future__ import annotations

BOXES = {  # name: (x, y, label, colour) in axes units (0..12.6 x 0..6)
    "image": (1.0, 4.6, "image x\n32x32x3", "#e8e8e8"),
    "encoder": (3.5, 4.6, "VAE encoder E\n(AutoencoderKL)", "#cfe2f3"),
    "z0": (6.0, 4.6, "latent z0\n8x8x4", "#fff2cc"),
    "noise": (8.5, 4.6, "add noise\nzt = sqrt(ab) z0\n+ sqrt(1-ab) eps", "#f4cccc"),
    "unet_train": (11.3, 4.6, "UNet(zt, t, text)\nloss ||v - pred||^2", "#d9ead3"),
    "prompt": (1.0, 2.7, "prompt\n\"a red circle\"", "#e8e8e8"),
    "tokenizer": (3.5, 2.7, "CLIPTokenizer\nids (B, 16)", "#ead1dc"),
    "text": (6.0, 2.7, "CLIPTextModel\n(frozen) (B, 16, d)", "#ead1dc"),
    "zT": (1.0, 0.8, "noise zT\n8x8x4", "#f4cccc"),
    "unet_sample": (4.6, 0.8, "UNet + CFG +\nscheduler, x 25", "#d9ead3"),
    "zhat": (8.0, 0.8, "latent z0\n8x8x4", "#fff2cc"),
    "decoder": (11.3, 0.8, "VAE decoder D\nimage 32x32x3", "#cfe2f3"),
}
ARROWS = [("image", "encoder"), ("encoder", "z0"), ("z0", "noise"), ("noise", "unet_train"),
          ("prompt", "tokenizer"), ("tokenizer", "text"), ("text", "unet_train"), ("text", "unet_sample"),
          ("zT", "unet_sample"), ("unet_sample", "zhat"), ("zhat", "decoder")]


def draw_latent_diffusion(ax=None):
    """Draw the diagram into `ax` (a new 12x5.5-inch figure if None). Returns the axes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch
    if ax is None:
        _, ax = plt.subplots(figsize=(12.5, 5.5))
    width, height = 2.1, 1.0
    for x, y, label, colour in BOXES.values():
        ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.08",
                                    facecolor=colour, edgecolor="#444444"))
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5)
    for start, end in ARROWS:
        (x0, y0), (x1, y1) = BOXES[start][:2], BOXES[end][:2]
        dx, dy = x1 - x0, y1 - y0
        shrink = (width / 2 + 0.12) / max(abs(dx), 1e-9) if abs(dx) * height >= abs(dy) * width else \
            (height / 2 + 0.12) / abs(dy)
        ax.annotate("", xy=(x1 - dx * shrink, y1 - dy * shrink), xytext=(x0 + dx * shrink, y0 + dy * shrink),
                    arrowprops={"arrowstyle": "->", "color": "#444444", "lw": 1.4})
    ax.text(0.0, 5.55, "training (each stage once; the VAE and text encoder are then frozen)", fontsize=10, weight="bold")
    ax.text(0.0, 1.75, "sampling: StableDiffusionPipeline(prompt)", fontsize=10, weight="bold")
    ax.set_xlim(-0.3, 12.6)
    ax.set_ylim(0.0, 5.8)
    ax.axis("off")
    return ax
