"""How robust is a watermark? Attacks a shared image goes through, and the measured table.

    ATTACKS["jpeg 75"](x)                     # x: (3, H, W) in [0, 1] -> attacked (3, H, W)
    table = robustness_table(images, embed_fn=embed, extract_fn=extract)
    # {attack: {"bit_accuracy", "detected"}} plus "psnr" and the false-positive rate on clean images

Cropping is undone by padding back to the original size at the same corner (the reader does not know
where the crop was); rotation by 2 degrees keeps the size. `package_embed` / `package_extract` use
the `invisible-watermark` package itself (optional extra: pip install genimg-edu[ethics]).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .detector import jpeg, resize
from .watermark import DEFAULT_BITS, bit_accuracy, detection_threshold, psnr, random_bits

INSTALL_HINT = "pip install 'genimg-edu[ethics]'"


def _one(fn):
    return lambda x: fn(x[None])[0]


def crop(x: torch.Tensor, keep: float = 0.9) -> torch.Tensor:
    """Keep the central `keep` share of each side, then pad with grey back to the original size."""
    _, H, W = x.shape
    h, w = round(H * keep), round(W * keep)
    top, left = (H - h) // 2, (W - w) // 2
    out = torch.full_like(x, 0.5)
    out[:, :h, :w] = x[:, top:top + h, left:left + w]
    return out


def rotate(x: torch.Tensor, degrees: float = 2.0) -> torch.Tensor:
    """Rotate about the centre by `degrees` (bilinear, border pixels repeated), same size."""
    angle = torch.tensor(degrees * np.pi / 180)
    theta = torch.tensor([[torch.cos(angle), -torch.sin(angle), 0.0],
                          [torch.sin(angle), torch.cos(angle), 0.0]])[None]
    grid = F.affine_grid(theta, (1, *x.shape), align_corners=False)
    return F.grid_sample(x[None], grid, mode="bilinear", padding_mode="border", align_corners=False)[0]


def noise(x: torch.Tensor, std: float = 0.02, *, seed: int = 0) -> torch.Tensor:
    """Add Gaussian noise of standard deviation `std` (in [0, 1] units) and clamp back to [0, 1]."""
    generator = torch.Generator().manual_seed(seed)
    return (x + std * torch.randn(x.shape, generator=generator)).clamp(0, 1)


ATTACKS = {
    "none": lambda x: x,
    "jpeg 90": _one(lambda x: jpeg(x, 90)),
    "jpeg 75": _one(lambda x: jpeg(x, 75)),
    "jpeg 50": _one(lambda x: jpeg(x, 50)),
    "resize 50%": _one(lambda x: resize(x, 0.5)),
    "crop 90%": crop,
    "rotate 2°": rotate,
    "noise σ=0.02": noise,
}


def robustness_table(images: torch.Tensor, *, embed_fn, extract_fn, n_bits: int = DEFAULT_BITS,
                     clean: torch.Tensor | None = None, attacks=None, seed: int = 0) -> dict:
    """Watermark every image (a different random message each), attack it, read it back.

    images: (N, 3, H, W) in [0, 1]; embed_fn(x, bits) -> x; extract_fn(x, n_bits) -> bits.
    Returns {"psnr": mean dB, "threshold": matching bits needed to say "watermarked",
    "false_positive": share of clean images (default: `images` themselves) that pass the threshold
    with a random message, "attacks": {name: {"bit_accuracy": mean, "detected": share}}}.
    """
    attacks = ATTACKS if attacks is None else {name: ATTACKS[name] for name in attacks}
    threshold = detection_threshold(n_bits)
    messages = [random_bits(n_bits, seed=seed + i) for i in range(len(images))]
    marked = [embed_fn(x, bits) for x, bits in zip(images, messages)]
    report = {"psnr": float(np.mean([psnr(a, b) for a, b in zip(images, marked)])), "threshold": threshold,
              "n_images": len(images), "n_bits": n_bits, "attacks": {}}
    for name, attack in attacks.items():
        accuracies = [bit_accuracy(bits, extract_fn(attack(x), n_bits)) for x, bits in zip(marked, messages)]
        report["attacks"][name] = {"bit_accuracy": float(np.mean(accuracies)),
                                   "detected": float(np.mean([a * n_bits >= threshold for a in accuracies]))}
    clean = images if clean is None else clean
    hits = [bit_accuracy(random_bits(n_bits, seed=seed + 10_000 + i), extract_fn(x, n_bits)) * n_bits >= threshold
            for i, x in enumerate(clean)]
    report["false_positive"] = float(np.mean(hits))
    report["n_clean"] = len(clean)
    return report


def _require_package():
    try:
        from imwatermark import WatermarkDecoder, WatermarkEncoder
    except ImportError as error:
        raise ImportError(f"the invisible-watermark package is not installed: {INSTALL_HINT}") from error
    return WatermarkEncoder, WatermarkDecoder


def _to_bgr(x: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray((x.permute(1, 2, 0).numpy()[..., ::-1] * 255).round().astype(np.uint8))


def package_embed(x: torch.Tensor, bits, *, method: str = "dwtDct") -> torch.Tensor:
    """The `invisible-watermark` package's embedder. x: (3, H, W) in [0, 1] (H, W >= 256 for dwtDct)."""
    encoder_cls, _ = _require_package()
    encoder = encoder_cls()
    encoder.set_watermark("bits", [int(b) for b in bits])
    bgr = encoder.encode(_to_bgr(x), method)
    return torch.from_numpy(bgr[..., ::-1].astype(np.float32) / 255).permute(2, 0, 1).contiguous()


def package_extract(x: torch.Tensor, n_bits: int = DEFAULT_BITS, *, method: str = "dwtDct") -> np.ndarray:
    """The `invisible-watermark` package's decoder: (n_bits,) int 0/1."""
    _, decoder_cls = _require_package()
    return np.asarray(decoder_cls("bits", n_bits).decode(_to_bgr(x), method), dtype=int)
