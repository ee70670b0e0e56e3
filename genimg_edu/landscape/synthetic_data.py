r"""Synthetic data for a low-data problem, measured: does a generator's output help a classifier?

The situation of medical imaging, where labelled examples are scarce, played out on digits: a
classifier gets only `real_per_class` labelled digits of each class. Arm **real**: train on those.
Arm **real + synthetic**: the same images plus `synthetic_per_class` digits of each class drawn
from the course's class-conditional diffusion model (chapter 06). Both arms start from the same
weights, take the same number of steps and are graded on the held-out test split; repeated over
several seeds (each seed draws different real images, a new generator and new classifier weights).

Where does the generator come from? `generator="same"` (the fair case): it is trained on the very
same few labelled images, so it adds no information the classifier could not have had. Passing a
trained (model, schedule) instead plays a generator pre-trained on *more* data (like a foundation
model); then the gain, if any, partly comes from that extra data, and the report says so.

    result = run_synthetic_data(SyntheticDataConfig(seeds=(0, 1, 2)))
    result["summary"]  # mean and spread of held-out accuracy per arm, and of the paired gain

Notebook 11; `benchmarks/landscape.py --only synthetic` records the numbers.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch

from ..checks import check_int, check_number
from ..data import load_dataset
from ..diffusion.digits import DigitsDiffusionConfig, balanced_labels, generate_digits, train_digits_diffusion
from ..vision import SmallCNN, accuracy, train_classifier

NUM_CLASSES = 10


@dataclass(frozen=True)
class SyntheticDataConfig:
    real_per_class: int = 10         # labelled real digits of each class (the scarce data)
    synthetic_per_class: int = 50    # generated digits of each class added in the second arm
    seeds: tuple = (0, 1, 2)         # one run per seed: real subset, generator, classifier weights
    classifier_steps: int = 400      # Adam steps of each classifier (the same in both arms)
    classifier_lr: float = 3e-3      # classifier learning rate
    generator_steps: int = 200       # diffusion training steps when the generator is trained here
    sample_steps: int = 10           # DDIM steps per synthetic digit
    scale: float = 2.0               # classifier-free guidance scale of the synthetic digits

    def __post_init__(self):
        for name in ("real_per_class", "synthetic_per_class", "classifier_steps", "generator_steps", "sample_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not isinstance(self.seeds, (tuple, list)):
            raise TypeError(f"seeds must be a non-empty sequence of ints, got {self.seeds!r}")
        seeds = tuple(self.seeds)
        if not seeds or any(isinstance(s, bool) or not isinstance(s, int) for s in seeds):
            raise ValueError(f"seeds must be a non-empty sequence of ints, got {self.seeds!r}")
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"seeds must be distinct, got {self.seeds!r}")
        object.__setattr__(self, "seeds", seeds)
        check_number("classifier_lr", self.classifier_lr, low=0, low_open=True)
        check_number("scale", self.scale, low=0)


def mean_spread(values) -> dict:
    """{"mean", "std" (sample standard deviation; 0 for one value), "min", "max", "n"} of a list of numbers."""
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, (int, float)) for v in values):
        raise TypeError(f"values must be a list of numbers, got {values!r:.60}")
    values = [check_number("values", float(v)) for v in values]
    if not values:
        raise ValueError("values is empty")
    return {"mean": statistics.fmean(values), "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values), "n": len(values)}


def train_and_test(images: torch.Tensor, labels: torch.Tensor, test, *, config: SyntheticDataConfig,
                   seed: int) -> float:
    """A fresh chapter 03 SmallCNN (weights seeded by `seed`) trained on images (N, 1, S, S) in [0, 1]
    with labels (N,) long; returns its accuracy on the ImageSet `test`."""
    torch.manual_seed(seed)
    model = SmallCNN(1, NUM_CLASSES, size=images.shape[-1])
    train_classifier(model, images, labels, steps=config.classifier_steps, lr=config.classifier_lr, seed=seed)
    return accuracy(model, test.images, test.labels)


def one_seed(seed: int, config: SyntheticDataConfig, *, generator="same", size: int = 8) -> dict:
    """Both arms for one seed. generator: "same" (train one on the same real images) or a trained
    (model, schedule) pair. Returns accuracies, the generator's training time and a few synthetic digits."""
    train = load_dataset("digits", split="train", size=size)
    test = load_dataset("digits", split="test", size=size)
    real = train.per_class(config.real_per_class, seed=seed)
    start = time.perf_counter()
    if generator == "same":
        # per_class with the same seed picks the same rows: the generator sees exactly `real`
        recipe = DigitsDiffusionConfig(size=size, steps=config.generator_steps, per_class=config.real_per_class,
                                       seed=seed)
        model, schedule, _ = train_digits_diffusion(recipe, progress=False, device="cpu")
    elif isinstance(generator, tuple) and len(generator) == 2:
        model, schedule = generator
    else:
        raise ValueError(f"generator must be 'same' or a (model, schedule) pair, got {generator!r}")
    wanted = balanced_labels(NUM_CLASSES * config.synthetic_per_class)
    synthetic = generate_digits(model, labels=wanted, schedule=schedule, size=size, steps=config.sample_steps,
                                scale=config.scale, seed=seed)
    generator_seconds = time.perf_counter() - start
    real_only = train_and_test(real.images, real.labels, test, config=config, seed=seed)
    mixed = train_and_test(torch.cat([real.images, synthetic]), torch.cat([real.labels, wanted]), test,
                           config=config, seed=seed)
    return {"seed": seed, "real": real_only, "real_plus_synthetic": mixed, "gain": mixed - real_only,
            "n_real": len(real), "n_synthetic": len(synthetic), "generator_seconds": generator_seconds,
            "synthetic_examples": synthetic[:2 * NUM_CLASSES]}


def run_synthetic_data(config: SyntheticDataConfig = SyntheticDataConfig(), *, generator="same",
                       size: int = 8) -> dict:
    """Every seed of `one_seed`, and a summary: {"runs": [...], "summary": {"real", "real_plus_synthetic",
    "gain": mean_spread dicts}, "verdict": a plain sentence}. The gain is paired (same seed, same real images)."""
    runs = [one_seed(seed, config, generator=generator, size=size) for seed in config.seeds]
    summary = {key: mean_spread([run[key] for run in runs]) for key in ("real", "real_plus_synthetic", "gain")}
    return {"runs": runs, "summary": summary, "verdict": verdict(summary["gain"]),
            "generator": "trained on the same real images" if generator == "same" else "given (trained elsewhere)"}


def verdict(gain: dict) -> str:
    """A plain sentence about a paired gain summary (mean_spread of accuracy differences): it helps only
    if the mean gain is positive and larger than its spread, and it hurts only in the mirror case."""
    mean, std, n = gain["mean"], gain["std"], gain["n"]
    text = f"mean gain {mean * 100:+.1f} points (spread ±{std * 100:.1f}, {n} seeds)"
    if n < 2:
        return f"one seed only, no verdict: {text}"
    if mean > std and gain["min"] > 0:
        return f"synthetic digits helped: {text}"
    if mean < -std and gain["max"] < 0:
        return f"synthetic digits hurt: {text}"
    return f"no clear effect: {text}, within the seed-to-seed spread"


def plot_synthetic_data(result: dict, *, title: str = "10 real digits per class, with and without synthetic ones"):
    """Held-out accuracy of both arms, one line per seed (paired), and the means with their spread.
    result: the output of run_synthetic_data. Returns the Figure."""
    import matplotlib.pyplot as plt

    if not isinstance(result, dict) or "runs" not in result or not result["runs"]:
        raise ValueError("result must be the dict returned by run_synthetic_data (with a non-empty 'runs')")
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for run in result["runs"]:
        ax.plot([0, 1], [100 * run["real"], 100 * run["real_plus_synthetic"]], "o-", color="grey", alpha=0.6)
    for x, key in enumerate(("real", "real_plus_synthetic")):
        s = result["summary"][key]
        ax.errorbar([x + 0.08], [100 * s["mean"]], yerr=[100 * s["std"]], fmt="s", color="C3", capsize=5)
    ax.set_xticks([0, 1], ["real only", "real + synthetic"])
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylabel("held-out accuracy (%)")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(result["verdict"], fontsize=8)
    fig.tight_layout()
    return fig
