r"""Data is the new oil, measured: the same diffusion recipe trained on less and less data.

Chapter 06's class-conditional digits diffusion model is trained on 1 %, 5 %, 20 % and 100 % of the
training digits (class-balanced subsets, `DigitsDiffusionConfig(per_class=...)`) with the *same*
budget of optimizer steps. Each model draws the same balanced batch of digits, graded by the
independent judge (`genimg_edu.metrics.evaluate_samples`):

- **judge accuracy**: does the judge read the digit that was asked for?
- **Fréchet excess**: Fréchet distance minus its real-vs-real floor (0 would be perfect);
- **copying ratio**: median nearest-training-image distance of the samples over that of held-out real
  digits (about 1: new digits; far below 1: the model reproduces its training images).

    rows = run_learning_curve(LearningCurveConfig(fractions=(0.01, 0.05, 0.2, 1.0), steps=200))
    plot_learning_curve(rows)

Notebook 11; `benchmarks/landscape.py --only learning_curve` records the numbers.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from ..checks import check_int, check_number, check_seed
from ..data import load_dataset
from ..diffusion.digits import DigitsDiffusionConfig, balanced_labels, generate_digits, train_digits_diffusion
from ..metrics import evaluate_samples, load_judge

NUM_CLASSES = 10


@dataclass(frozen=True)
class LearningCurveConfig:
    fractions: tuple = (0.01, 0.05, 0.2, 1.0)  # shares of the training digits, each in (0, 1]
    steps: int = 200                            # optimizer steps for every fraction (the same budget)
    batch_size: int = 128                       # images per step (small subsets are repeated)
    n_samples: int = 200                        # judged samples per model, an equal number of each digit
    sample_steps: int = 10                      # DDIM steps per sample
    scale: float = 2.0                          # classifier-free guidance scale when sampling
    seed: int = 0                               # seeds the subset, the weights and the sampling noise

    def __post_init__(self):
        if not isinstance(self.fractions, (tuple, list)):
            raise TypeError(f"fractions must be a sequence of numbers in (0, 1], got {self.fractions!r}")
        fractions = tuple(self.fractions)
        if not fractions or any(not isinstance(f, (int, float)) or not 0 < f <= 1 for f in fractions):
            raise ValueError(f"fractions must be a non-empty sequence of numbers in (0, 1], got {self.fractions!r}")
        if list(fractions) != sorted(set(fractions)):
            raise ValueError(f"fractions must be increasing and distinct, got {self.fractions!r}")
        object.__setattr__(self, "fractions", fractions)
        for name in ("steps", "batch_size", "n_samples", "sample_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.n_samples % NUM_CLASSES:
            raise ValueError(f"n_samples must be a multiple of {NUM_CLASSES} (equal numbers of every digit), "
                             f"got {self.n_samples}")
        check_number("scale", self.scale, low=0)
        check_seed("seed", self.seed)


def per_class_for(fraction: float, *, n_train: int, num_classes: int = NUM_CLASSES) -> int | None:
    """How many digits of each class make `fraction` of a training set of `n_train` images.

    Rounded, at least 1; None for fraction 1 (all of them, for `DigitsDiffusionConfig(per_class=None)`).
    Example: 1 % of 1438 digits is 14.4 images, 1.4 per class -> 1 (10 images, 0.7 %).
    """
    if not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise ValueError(f"fraction must be a number in (0, 1], got {fraction!r}")
    check_int("num_classes", num_classes, low=1)
    if not isinstance(n_train, int) or n_train < num_classes:
        raise ValueError(f"n_train must be an int >= {num_classes}, got {n_train!r}")
    if fraction == 1:
        return None
    return max(1, round(fraction * n_train / num_classes))


def train_on_fraction(fraction: float, config: LearningCurveConfig, *, size: int = 8, progress: bool = False):
    """Train the chapter 06 recipe on `fraction` of the training digits for `config.steps` steps.
    Returns (ema_model, schedule, row) where row has fraction, per_class, n_images, train_seconds."""
    train_set = load_dataset("digits", split="train", size=size)
    per_class = per_class_for(fraction, n_train=len(train_set))
    n_images = len(train_set) if per_class is None else len(train_set.per_class(per_class, seed=config.seed))
    recipe = DigitsDiffusionConfig(size=size, steps=config.steps, batch_size=config.batch_size, seed=config.seed,
                                   per_class=per_class)
    start = time.process_time(), time.perf_counter()
    model, schedule, _ = train_digits_diffusion(recipe, progress=progress, device="cpu")
    row = {"fraction": fraction, "per_class": per_class, "n_images": n_images,
           "share": n_images / len(train_set), "steps": config.steps,
           "train_seconds": time.perf_counter() - start[1], "train_cpu_seconds": time.process_time() - start[0]}
    return model, schedule, row


def judge_model(model, schedule, config: LearningCurveConfig, *, size: int = 8) -> tuple[dict, torch.Tensor]:
    """Sample `config.n_samples` balanced digits and grade them. Returns (metrics, images (N, 1, S, S) in [0, 1])."""
    labels = balanced_labels(config.n_samples)
    images = generate_digits(model, labels=labels, schedule=schedule, size=size, steps=config.sample_steps,
                             scale=config.scale, seed=config.seed)
    report = evaluate_samples(load_judge("digits", size=size), images, labels=labels)
    metrics = {"accuracy": report["accuracy"], "frechet": report["frechet"], "frechet_floor": report["frechet_floor"],
               "frechet_excess": report["frechet"] - report["frechet_floor"],
               "copying_ratio": report["copying"]["ratio"], "close_fraction": report["copying"]["close_fraction"],
               "exact_copies": report["copying"]["exact_copies"], "entropy": report["entropy"]}
    return metrics, images


def run_learning_curve(config: LearningCurveConfig = LearningCurveConfig(), *, size: int = 8,
                       progress: bool = False, keep_models: bool = False) -> list[dict]:
    """One row per fraction: what `train_on_fraction` reports plus the judged metrics of `judge_model`
    and `samples` (the first 20 images: two of each digit). keep_models=True adds (model, schedule)
    under "model" (e.g. to reuse the 100 % model as a data generator)."""
    rows = []
    for fraction in config.fractions:
        model, schedule, row = train_on_fraction(fraction, config, size=size, progress=progress)
        metrics, images = judge_model(model, schedule, config, size=size)
        row.update(metrics, samples=images[:2 * NUM_CLASSES])
        if keep_models:
            row["model"] = (model, schedule)
        rows.append(row)
    return rows


def plot_learning_curve(rows: list[dict], *, title: str = "Same training steps, less data"):
    """Three panels against the number of training images (log axis): judge accuracy, Fréchet excess
    over the floor, copying ratio (with the line 1 = as new as fresh real digits). Returns the Figure."""
    import matplotlib.pyplot as plt

    if not rows:
        raise ValueError("rows is empty: run run_learning_curve first")
    missing = {"n_images", "accuracy", "frechet_excess", "copying_ratio"} - set(rows[0])
    if missing:
        raise ValueError(f"rows lack {sorted(missing)}: pass the output of run_learning_curve")
    n = [row["n_images"] for row in rows]
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    panels = (("accuracy", "judge accuracy (higher is better)", 100.0),
              ("frechet_excess", "Fréchet − floor (lower is better)", 1.0),
              ("copying_ratio", "copying ratio (≈1 new, ≪1 copies)", 1.0))
    for ax, (key, label, factor) in zip(axes, panels):
        ax.plot(n, [row[key] * factor for row in rows], "o-")
        ax.set_xscale("log")
        ax.set_xlabel("training images")
        ax.set_title(label, fontsize=10)
        for x, row in zip(n, rows):
            ax.annotate(f"{row['share']:.0%}", (x, row[key] * factor), textcoords="offset points", xytext=(4, 4),
                        fontsize=8)
    axes[0].set_ylim(0, 105)
    axes[2].axhline(1.0, color="grey", linestyle="--", linewidth=1)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
