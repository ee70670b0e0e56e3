"""Chapter 05 benchmark: conditional GAN and unconditional DCGAN on the 8x8 digits, graded by the
judge, plus mode collapse on the ring of Gaussians.

Bars (issue 4): conditional GAN >= 90% judge agreement with the requested digit; unconditional DCGAN
class-histogram entropy >= 0.95 ln 10; each within 3 minutes of training on 2 CPU cores.
Prints JSON. GENIMG_FAST=1 runs a tiny smoke version (no bars). Run (one benchmark at a time):
    .venv/bin/python benchmarks/gan.py
"""
import json
import math
import os
import platform
import time

import torch

from genimg_edu.data import load_dataset, to_unit
from genimg_edu.device import fast_mode, seed_everything, steps
from genimg_edu.gan import (DCGANDiscriminator, DCGANGenerator, GANConfig, GANTrainer, ToyGANSession,
                            mode_radius, modes_covered)
from genimg_edu.metrics import class_entropy, evaluate_samples, load_judge

SIZE = 8
TIME_BUDGET = 170.0          # seconds of training per model (the bar is 180)
MAX_STEPS = steps(1500, 40)
N_SAMPLES = steps(2000, 200)
TOY_STEPS = steps(1500, 50)
COLLAPSE = dict(lr_g=1e-3, lr_d=1e-4)                       # D learns too slowly: G piles onto one mode
FIX = dict(lr_g=2e-4, lr_d=1e-3, minibatch_std=True)        # D leads and sees the batch spread


def train_digits(conditional: bool) -> tuple[GANTrainer, dict]:
    seed_everything(0)
    data = load_dataset("digits", split="train", size=SIZE, value_range=(-1, 1))
    classes = 10 if conditional else None
    trainer = GANTrainer(DCGANGenerator(size=SIZE, num_classes=classes),
                         DCGANDiscriminator(size=SIZE, num_classes=classes), data,
                         config=GANConfig(steps=MAX_STEPS, loss="hinge", device="cpu", progress=False))
    start = time.perf_counter()
    while trainer.step < MAX_STEPS and time.perf_counter() - start < TIME_BUDGET:
        trainer.fit(min(trainer.step + 10, MAX_STEPS))  # small chunks: the budget is checked often
    seconds = time.perf_counter() - start
    return trainer, {"train_seconds": round(seconds, 1), "steps": trainer.step,
                     "steps_per_second": round(trainer.step / seconds, 2)}


def grade(trainer: GANTrainer, judge, *, conditional: bool) -> dict:
    labels = torch.arange(N_SAMPLES) % 10 if conditional else None
    samples = trainer.sample(N_SAMPLES, labels=labels, seed=123)
    # G ends in tanh, so samples lie in [-1, 1]; the clamp only guards round-off. Judges take [0, 1].
    report = evaluate_samples(judge, to_unit(samples.clamp(-1, 1)), labels=labels)
    copying = report.pop("copying")
    raw = to_unit(trainer.sample(N_SAMPLES, labels=labels, seed=123, ema=False).clamp(-1, 1))
    predicted = judge.predict(raw)
    report["raw_generator"] = {"entropy": class_entropy(predicted, 10),  # without the EMA average of G
                               "accuracy": None if labels is None else float((predicted == labels).float().mean())}
    report["raw_generator"] = {k: (None if v is None else round(v, 4)) for k, v in report["raw_generator"].items()}
    return {**{k: (round(v, 4) if isinstance(v, float) else v) for k, v in report.items()},
            "copying": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in copying.items()}}


def toy_modes(settings: dict, seed: int) -> int:
    session = ToyGANSession("ring", seed=seed, **settings)
    session.step(TOY_STEPS)
    return modes_covered(session.fake_points(), session.centres, radius=mode_radius("ring"), min_count=5)


def main():
    threads = int(os.environ.get("GENIMG_BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpu": platform.processor(),
               "fast_mode": fast_mode(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    judge = load_judge("digits", size=SIZE)
    for name, conditional in (("conditional_gan", True), ("dcgan", False)):
        trainer, timing = train_digits(conditional)
        results[name] = {**timing, **grade(trainer, judge, conditional=conditional)}
        print(json.dumps({name: results[name]}), flush=True)
    results["toy_ring"] = {"steps": TOY_STEPS, "collapse_settings": COLLAPSE, "fix_settings": FIX,
                           "modes_collapse": [toy_modes(COLLAPSE, s) for s in (0, 1, 2)],
                           "modes_fix": [toy_modes(FIX, s) for s in (0, 1, 2)], "modes_total": 8}
    cond, uncond = results["conditional_gan"], results["dcgan"]
    results["bars"] = {
        "conditional_accuracy_>=_0.90": cond["accuracy"] >= 0.90,
        "dcgan_entropy_>=_0.95ln10": uncond["entropy"] >= 0.95 * math.log(10),
        "train_seconds_<=_180": max(cond["train_seconds"], uncond["train_seconds"]) <= 180,
    }
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
