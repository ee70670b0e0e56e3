"""Checks for the chapter 09 exercises (exercises/09_style_transfer.ipynb): style transfer.

    q1 gram(features)                          q3 pick_weight(rows, min_ssim)
    q2 layer_style_loss(features, style_gram)

Each check compares the learner's answer with `genimg_edu.style` on small inputs and names the most
common mistakes.
"""
from __future__ import annotations

import torch

from ..style import gram_matrix, style_loss
from .problem import Problem

_F = torch.randn(2, 4, 5, 6, generator=torch.Generator().manual_seed(0))
_S = torch.randn(1, 4, 7, 3, generator=torch.Generator().manual_seed(1))
# measured (rounded): `OMP_NUM_THREADS=1 .venv/bin/python benchmarks/style_transfer.py tradeoff` -- astronaut +
# stained glass, 128 px, 100 half-size + 200 full-size L-BFGS steps, RandomFeatures() (docs/performance/style_transfer.md,
# eighth round)
TRADE_OFF = [
    {"style_weight": 0.1, "gram_distance": 0.309, "ssim_to_content": 0.704},
    {"style_weight": 1.0, "gram_distance": 0.0203, "ssim_to_content": 0.499},
    {"style_weight": 10.0, "gram_distance": 0.00236, "ssim_to_content": 0.404},
]


def check_gram(gram):
    expected = gram_matrix(_F)
    answer = gram(_F)
    assert isinstance(answer, torch.Tensor), f"gram should return a tensor, got {type(answer).__name__}"
    if answer.shape == (2, 30, 30):
        raise AssertionError("that is (positions x positions): multiply F by its transpose the other way round, "
                             "F @ F^T with F of shape (B, C, H*W), to get (B, C, C)")
    assert answer.shape == (2, 4, 4), f"for features (2, 4, 5, 6) the Gram matrix is (2, 4, 4), got {tuple(answer.shape)}"
    if torch.allclose(answer, expected * 30, rtol=1e-4):
        raise AssertionError("almost: divide by the number of positions H * W, so the Gram is a mean")
    if torch.allclose(answer, expected / 4, rtol=1e-4):
        raise AssertionError("divide by H * W only (the positions), not by C * H * W")
    assert torch.allclose(answer, expected, rtol=1e-4, atol=1e-6), "G[b, i, j] = sum over positions of F[b, i, p] F[b, j, p] / (H W)"


def check_layer_style_loss(layer_style_loss):
    target = gram_matrix(_S)
    expected = float(style_loss({"l": _F}, {"l": target}, layers=("l",)))
    answer = layer_style_loss(_F, target)
    assert isinstance(answer, torch.Tensor) and answer.ndim == 0, "return one number: a 0-d tensor"
    zero = float(layer_style_loss(_S, target))
    assert abs(zero) < 1e-6, f"the style image compared with its own Gram should give 0, got {zero:.4g}"
    unnormalised = float(((gram_matrix(_F) - target) ** 2).sum(dim=(1, 2)).mean())
    if abs(float(answer) - unnormalised) < 1e-4 * max(1.0, unnormalised):
        raise AssertionError("divide each image's squared difference by the squared size of the style's Gram, "
                             "(style_gram ** 2).sum()")
    assert abs(float(answer) - expected) < 1e-4 * max(1.0, expected), (
        f"expected {expected:.4f}, got {float(answer):.4f}: ((G(F) - style_gram)^2).sum over (C, C), divided by "
        "(style_gram^2).sum, averaged over the batch")


def check_pick_weight(pick_weight):
    for floor in (0.7, 0.45, 0.4, 0.1):
        allowed = [row for row in TRADE_OFF if row["ssim_to_content"] >= floor]
        expected = min(allowed, key=lambda row: row["gram_distance"])["style_weight"]
        answer = pick_weight(TRADE_OFF, floor)
        if answer == max(row["style_weight"] for row in TRADE_OFF) and expected != answer:
            raise AssertionError(f"with min_ssim={floor}: the largest weight loses too much of the photo; "
                                 "keep only rows whose ssim_to_content >= min_ssim")
        assert answer == expected, (f"with min_ssim={floor} expected style weight {expected}, got {answer}: among "
                                    "the rows that keep enough content, the one closest to the style")


q1 = Problem("gram", title="1. The Gram matrix", check=check_gram,
             prompt="Write gram(features): features (B, C, H, W) -> (B, C, C), G = F F^T / (H W) with F the "
                    "features flattened to (B, C, H*W).",
             hint=["f = features.reshape(b, c, h * w); f @ f.transpose(1, 2) multiplies every pair of channels.",
                   "b, c, h, w = features.shape; f = features.reshape(b, c, h * w); "
                   "return f @ f.transpose(1, 2) / (h * w)"],
             notebook="09_style_transfer")
q2 = Problem("layer_style_loss", title="2. The style loss of one layer", check=check_layer_style_loss,
             prompt="Write layer_style_loss(features, style_gram): the squared difference between gram(features) and "
                    "style_gram summed over (C, C), divided by (style_gram ** 2).sum(), averaged over the batch.",
             hint=["Use your gram (or genimg_edu.style.gram_matrix) on the features first.",
                   "g = gram_matrix(features); return (((g - style_gram) ** 2).sum(dim=(1, 2)) / "
                   "(style_gram ** 2).sum()).mean()"],
             notebook="09_style_transfer")
q3 = Problem("pick_weight", title="3. The content-style trade-off", check=check_pick_weight,
             prompt="Write pick_weight(rows, min_ssim): rows are dicts with style_weight, gram_distance and "
                    "ssim_to_content. Among rows with ssim_to_content >= min_ssim, return the style_weight of the one "
                    "with the smallest gram_distance.",
             hint=["First filter: [r for r in rows if r['ssim_to_content'] >= min_ssim].",
                   "return min(allowed, key=lambda r: r['gram_distance'])['style_weight']"],
             notebook="09_style_transfer")

__all__ = ["TRADE_OFF", "q1", "q2", "q3"]
