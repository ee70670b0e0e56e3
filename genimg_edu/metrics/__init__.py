"""Honest measurement of generated images: judges trained only on real data, and metrics built on them.

    from genimg_edu.metrics import load_judge, evaluate_samples
    judge = load_judge("digits", size=8)              # trained once (seconds), then cached
    report = evaluate_samples(judge, samples, labels=wanted_digits)
    # {"accuracy", "frechet", "frechet_floor", "entropy", "max_entropy", "copying": {...}, "n"}

Every generative chapter grades its samples this way; notebook 03 builds the judges.
"""
from __future__ import annotations

import torch

from .diversity import (class_entropy, copying_report, max_entropy, nearest_neighbour_distance,
                        nearest_neighbours)
from .frechet import (feature_stats, frechet_distance, frechet_floor, frechet_from_stats,
                      frechet_report)
from .judge import Judge, judge_path, load_judge, train_judge


def evaluate_samples(judge: Judge, samples: torch.Tensor, *, labels=None, copying: bool = True) -> dict:
    """Every metric for a batch of generated images, in one dict.

    samples: (N, C, size, size) in [0, 1] for `judge`. labels: what was asked for, if anything —
    digits: (N,) long; shapes: (N,) shape indices or a dict attr -> (N,) long. Returns accuracy
    (digits: float; shapes: dict attr -> float; None without labels), frechet and frechet_floor
    (same n, lower is better), entropy of the predicted class histogram with max_entropy = ln K,
    and (copying=True) the copying report against the real train split.
    """
    from .frechet import _real_images

    head = "shape" if judge.kind == "shapes" else judge.heads[0]
    predicted = judge.predict(samples)
    predicted = predicted["shape"] if judge.kind == "shapes" else predicted
    k = judge.net.heads[head].out_features
    report = {"n": len(samples), "entropy": class_entropy(predicted, k), "max_entropy": max_entropy(k)}
    if labels is None:
        report["accuracy"] = None
    elif isinstance(labels, dict):
        report["accuracy"] = judge.attribute_accuracy(samples, labels)
    else:
        report["accuracy"] = judge.accuracy(samples, labels)
    fd = frechet_report(judge, samples)
    report.update(frechet=fd["frechet"], frechet_floor=fd["floor"], frechet_n=fd["n"])
    if copying:
        train = _real_images(judge.kind, judge.size, "train")
        heldout = _real_images(judge.kind, judge.size, "test")
        report["copying"] = copying_report(samples.detach().cpu(), train, heldout)
    return report


__all__ = ["Judge", "class_entropy", "copying_report", "evaluate_samples", "feature_stats",
           "frechet_distance", "frechet_floor", "frechet_from_stats", "frechet_report", "judge_path",
           "load_judge", "max_entropy", "nearest_neighbour_distance", "nearest_neighbours",
           "train_judge"]
