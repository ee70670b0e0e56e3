"""Diversity and copying: does a generator make every class, and does it make *new* images?

- `class_entropy`: the entropy of the judge's predicted-class histogram. Uniform over K classes gives
  ln K; a collapsed generator that draws one class gives 0 (mode collapse, notebook 05).
- `nearest_neighbour_distance`: for each sample, the pixel-space L2 distance to its closest
  training image. A generator that memorises shows distances far below those of fresh real images.
- `copying_report`: compares the samples' distances with those of held-out real images, which are
  new by construction: the honest yardstick for "close to the training set".
"""
from __future__ import annotations

import math

import torch

from ..data import check_images


def class_entropy(labels: torch.Tensor, num_classes: int) -> float:
    """Entropy in nats of the histogram of `labels` ((N,) ints in [0, num_classes)). Max ln K."""
    if not isinstance(num_classes, int) or isinstance(num_classes, bool) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    if not isinstance(labels, torch.Tensor) or labels.ndim != 1 or labels.is_floating_point():
        raise TypeError("labels must be a 1-D integer tensor (N,)")
    if len(labels) == 0:
        raise ValueError("labels is empty")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes}), got [{labels.min()}, {labels.max()}]")
    p = torch.bincount(labels.cpu(), minlength=num_classes).double() / len(labels)
    p = p[p > 0]
    return float(-(p * p.log()).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0


def max_entropy(num_classes: int) -> float:
    """ln K: the entropy of a perfectly balanced histogram over K classes."""
    return math.log(num_classes)


def nearest_neighbours(samples: torch.Tensor, reference: torch.Tensor, *,
                       chunk: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """For each sample its nearest reference image: (distances (N,) L2 in pixel space, indices (N,)).

    samples: (N, C, H, W), reference: (M, C, H, W), same (C, H, W), same value range. Computed in
    chunks of `chunk` samples, so memory stays at chunk x M distances.
    """
    for x, name in ((samples, "samples"), (reference, "reference")):
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or not x.is_floating_point():
            raise TypeError(f"{name} must be a float tensor (N, C, H, W), got "
                            f"{getattr(x, 'shape', type(x).__name__)}")
    if samples.shape[1:] != reference.shape[1:]:
        raise ValueError(f"samples {tuple(samples.shape[1:])} and reference {tuple(reference.shape[1:])} "
                         "must have the same (C, H, W)")
    if len(samples) == 0 or len(reference) == 0:
        raise ValueError("samples and reference must both be non-empty")
    ref = reference.detach().flatten(1).double().cpu()
    ref_sq = (ref**2).sum(1)
    distances, indices = [], []
    for start in range(0, len(samples), chunk):
        x = samples[start:start + chunk].detach().flatten(1).double().cpu()
        d2 = (x**2).sum(1, keepdim=True) + ref_sq[None] - 2 * x @ ref.T  # (chunk, M)
        best, index = d2.min(1)
        distances.append(best.clamp_min(0).sqrt().float())
        indices.append(index)
    return torch.cat(distances), torch.cat(indices)


def nearest_neighbour_distance(samples: torch.Tensor, reference: torch.Tensor, *,
                               chunk: int = 256) -> torch.Tensor:
    """(N,) L2 pixel distance from each sample to its nearest reference image (see nearest_neighbours)."""
    return nearest_neighbours(samples, reference, chunk=chunk)[0]


def copying_report(samples: torch.Tensor, train: torch.Tensor, heldout: torch.Tensor) -> dict:
    """Are the samples closer to the training images than new real images are?

    samples, train, heldout: (N, C, H, W) in [0, 1], same (C, H, W). Returns a dict:
      sample_median / heldout_median: median nearest-train distance of samples / held-out real images;
      ratio: sample_median / heldout_median (about 1 or above: new images; far below 1: copying);
      close_fraction: fraction of samples nearer to train than the closest 5% of held-out images
        (about 0.05 for a generator that does not copy; near 1 for one that memorises);
      exact_copies: samples within 1e-3 per pixel (RMS) of a training image.
    """
    for x, name in ((samples, "samples"), (train, "train"), (heldout, "heldout")):
        check_images(x, value_range=(0, 1), name=name)
    sample_nn = nearest_neighbour_distance(samples, train)
    heldout_nn = nearest_neighbour_distance(heldout, train)
    threshold = torch.quantile(heldout_nn, 0.05)
    pixels = samples[0].numel()
    return {
        "sample_median": sample_nn.median().item(),
        "heldout_median": heldout_nn.median().item(),
        "ratio": (sample_nn.median() / heldout_nn.median().clamp_min(1e-12)).item(),
        "close_fraction": (sample_nn < threshold).float().mean().item(),
        "exact_copies": int((sample_nn < 1e-3 * math.sqrt(pixels)).sum()),
        "n_samples": len(samples),
    }
