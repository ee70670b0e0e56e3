"""Chapter 06 diffusion: judge agreement, Fréchet distance, step-count and guidance sweeps, copying,
flow matching and the diffusers version, with training and sampling speed.

Prints one JSON line per experiment, then everything. Training is budgeted in optimizer steps (so
runs are reproducible); the seconds they took are reported beside them.
Run (one benchmark at a time on a shared machine):
    .venv/bin/python benchmarks/diffusion.py [--only digits8,sweep,...]
"""
import argparse
import json
import os
import platform
import time

import torch

from genimg_edu.diffusion.digits import (DigitsDiffusionConfig, balanced_labels, generate_digits,
                                         train_digits_diffusion)
from genimg_edu.metrics import evaluate_samples, load_judge

EXPERIMENTS = ("digits8_short", "digits8", "sweep", "guidance", "digits16", "flow", "diffusers")
N_SAMPLES = 1000  # judged samples per setting (100 of each digit)
N_SWEEP = 400     # samples per step count in the step sweep (1000 steps x 1000 samples is too slow on a CPU)


def judged(judge, images, labels, *, copying=False):
    report = evaluate_samples(judge, images, labels=labels, copying=copying)
    out = {"accuracy": round(report["accuracy"], 4), "frechet": round(report["frechet"], 3),
           "frechet_floor": round(report["frechet_floor"], 3), "entropy": round(report["entropy"], 3)}
    if copying:
        out["copying"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in report["copying"].items()}
    return out


def timed_generate(model, schedule, labels, *, size, steps, scale, sampler="ddim"):
    start = time.perf_counter()
    images = generate_digits(model, labels=labels, schedule=schedule, size=size, steps=steps, scale=scale,
                             sampler=sampler)
    return images, time.perf_counter() - start


def train_recipe(config, *, judge, checkpoints=()):
    """Train; at each step in `checkpoints` judge 500 samples (10 DDIM steps, guidance 2) of the EMA
    model and note the training seconds so far (judging time excluded)."""
    start, judging, progress = time.perf_counter(), 0.0, []

    def watch(step, model, schedule):
        nonlocal judging
        if step in checkpoints:
            begin = time.perf_counter()
            labels = balanced_labels(500)
            images = generate_digits(model, labels=labels, schedule=schedule, size=config.size, steps=10, scale=2.0)
            progress.append({"step": step, "train_seconds": round(begin - start - judging, 1),
                             "accuracy": round(judge.accuracy(images, labels), 4)})
            print(json.dumps({"checkpoint": progress[-1]}), flush=True)
            judging += time.perf_counter() - begin

    model, schedule, result = train_digits_diffusion(config, progress=False, device="cpu", watch=watch)
    seconds = result.seconds - judging
    return model, schedule, {"train_steps": config.steps, "batch_size": config.batch_size,
                             "train_seconds": round(seconds, 1),
                             "train_steps_per_second": round(config.steps / seconds, 2),
                             "final_loss": round(result.final_loss, 4), "checkpoints": progress}


def run(only):
    labels = balanced_labels(N_SAMPLES)
    out, cache = {}, {}
    if "digits8_short" in only:  # how early is the 8x8 goal reached?
        judge = load_judge("digits", size=8)
        _, _, info = train_recipe(DigitsDiffusionConfig(size=8, steps=250), judge=judge,
                                  checkpoints=(100, 150, 200, 250))
        out["digits8_short"] = info
        yield "digits8_short", info
    if {"digits8", "sweep", "guidance"} & only:
        config = DigitsDiffusionConfig(size=8)
        judge = load_judge("digits", size=8)
        model, schedule, info = train_recipe(config, judge=judge, checkpoints=(300, 500, 700, 1000, 1500))
        cache["8"] = (model, schedule)
        images, seconds = timed_generate(model, schedule, labels, size=8, steps=10, scale=2.0)
        plain, _ = timed_generate(model, schedule, labels, size=8, steps=10, scale=1.0)
        out["digits8"] = {**info, "sampler": "ddim", "sampling_steps": 10, "guidance": 2.0,
                          "sampling_seconds_per_1000": round(seconds, 2), **judged(judge, images, labels, copying=True),
                          "guidance_1": judged(judge, plain, labels, copying=True)}
        yield "digits8", out["digits8"]
    if "sweep" in only:
        model, schedule = cache["8"]
        rows, sweep_labels = [], balanced_labels(N_SWEEP)
        for steps in (5, 10, 20, 50, 100, 1000):
            images, seconds = timed_generate(model, schedule, sweep_labels, size=8, steps=steps, scale=2.0)
            rows.append({"steps": steps, "n": N_SWEEP, "seconds": round(seconds, 1),
                         **judged(judge, images, sweep_labels)})
            yield "sweep_row", rows[-1]
        by = {r["steps"]: r["frechet"] for r in rows}
        out["sweep"] = {"rows": rows, "ratio_20_to_1000": round(by[20] / by[1000], 3)}
        yield "sweep", {"ratio_20_to_1000": out["sweep"]["ratio_20_to_1000"]}
    if "guidance" in only:
        model, schedule = cache["8"]
        rows = []
        for scale in (0.0, 1.0, 2.0, 3.0, 5.0):
            images, _ = timed_generate(model, schedule, labels, size=8, steps=10, scale=scale)
            rows.append({"scale": scale, **judged(judge, images, labels)})
            yield "guidance_row", rows[-1]
        out["guidance"] = rows
    if "digits16" in only:
        config = DigitsDiffusionConfig(size=16, steps=1000, batch_size=64, channel_mults=(1, 2, 2))
        judge16 = load_judge("digits", size=16)
        model, schedule, info = train_recipe(config, judge=judge16, checkpoints=(400, 700, 1000))
        images, seconds = timed_generate(model, schedule, labels, size=16, steps=10, scale=2.0)
        out["digits16"] = {**info, "sampling_steps": 10, "guidance": 2.0, "sampling_seconds_per_1000": round(seconds, 2),
                           **judged(judge16, images, labels, copying=True)}
        yield "digits16", out["digits16"]
    if "flow" in only:
        out["flow"] = run_flow(labels)
        yield "flow", out["flow"]
    if "diffusers" in only:
        out["diffusers"] = run_diffusers(labels)
        yield "diffusers", out["diffusers"]


def run_flow(labels):
    from genimg_edu.data import load_dataset, to_unit
    from genimg_edu.diffusion.digits import make_digits_unet
    from genimg_edu.diffusion.flow import FlowMatchingLoss, euler_sample
    from genimg_edu.diffusion.guidance import guided_model_fn
    from genimg_edu.diffusion.training import EMA
    from genimg_edu.train import TrainConfig, train

    config = DigitsDiffusionConfig(size=8)
    torch.manual_seed(0)
    model = make_digits_unet(config)
    ema = EMA(model, decay=config.ema_decay)
    data = load_dataset("digits", split="train", size=8, value_range=(-1, 1))
    result = train(model, FlowMatchingLoss(conditional=True, label_dropout=config.label_dropout), data,
                   config=TrainConfig(steps=config.steps, batch_size=config.batch_size, lr=config.lr, progress=False,
                                      device="cpu", channels_last=True), on_step=[ema])
    judge, rows = load_judge("digits", size=8), []
    for steps in (5, 10, 20):
        x = euler_sample(guided_model_fn(ema.model.eval(), labels, scale=2.0), shape=(len(labels), 1, 8, 8),
                         steps=steps, generator=torch.Generator().manual_seed(0))
        rows.append({"euler_steps": steps, **judged(judge, to_unit(x.clamp(-1, 1)), labels)})
    return {"train_steps": config.steps, "train_seconds": round(result.seconds, 1), "rows": rows}


def run_diffusers(labels):
    from genimg_edu.data import load_dataset, to_unit
    from genimg_edu.diffusion.diffusers_bridge import DiffusersLoss, diffusers_sample, make_diffusers_unet, make_scheduler
    from genimg_edu.train import TrainConfig, train

    config = DigitsDiffusionConfig(size=8)
    torch.manual_seed(0)
    model = make_diffusers_unet(size=8, base_channels=config.base_channels)
    data = load_dataset("digits", split="train", size=8, value_range=(-1, 1))
    result = train(model, DiffusersLoss(make_scheduler("ddpm")), data,
                   config=TrainConfig(steps=config.steps, batch_size=config.batch_size, lr=config.lr, progress=False,
                                      device="cpu"))
    judge, rows = load_judge("digits", size=8), []
    for name, steps in (("ddim", 10), ("dpm", 5), ("dpm", 10), ("dpm", 20)):
        start = time.perf_counter()
        x = diffusers_sample(model.eval(), make_scheduler(name), labels=labels, steps=steps, scale=2.0)
        rows.append({"scheduler": name, "steps": steps, "seconds": round(time.perf_counter() - start, 1),
                     **judged(judge, to_unit(x), labels)})
    return {"train_steps": config.steps, "train_seconds": round(result.seconds, 1),
            "train_steps_per_second": round(config.steps / result.seconds, 2), "rows": rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(EXPERIMENTS), help=f"comma-separated subset of {EXPERIMENTS}")
    only = set(parser.parse_args().only.split(","))
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpu": platform.processor(),
               "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "n_samples": N_SAMPLES}
    for name, value in run(only):
        print(json.dumps({name: value}), flush=True)
        results.setdefault("log", []).append({name: value})
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
