"""bf16 autocast on a CPU with native bfloat16 (AVX512-BF16 / AMX): is it faster, and is it as good?

For each recipe: speed = milliseconds per optimizer step (wall clock, and CPU time of the process) of the real recipe (model, batch size, data,
channels_last), fp32 and bf16 timed in alternation (off, bf16, off, bf16, ...) so a change in the
machine's load hits both alike; the median over the repeats is reported beside every repeat.
Quality = the recipe trained to its full step count with amp="off" and with amp="bf16" (same seed),
then 1000 samples (100 per digit, 10 DDIM steps, guidance 2, sampled in float32) graded by the judge:
agreement with the asked-for digit and the Fréchet distance (beside the real-vs-real floor).

Prints one JSON line per measurement, then everything. Run (one benchmark at a time):
    .venv/bin/python benchmarks/bf16.py --threads 2 [--only diffusion8,diffusion16,text_to_image] [--repeats 7]
    [--no-speed | --no-quality]   (on a shared machine: CPU ms with --threads 1 are the steadier measure)
"""
import argparse
import json
import os
import platform
import statistics
import time
from dataclasses import replace

import torch

from genimg_edu.device import cpu_has_fast_bf16
from genimg_edu.diffusion.digits import DigitsDiffusionConfig, balanced_labels, generate_digits, train_digits_diffusion
from genimg_edu.metrics import evaluate_samples, load_judge

RECIPES = {  # name -> (config of the recipe as the course trains it, judge size or None: speed only)
    "diffusion8": (DigitsDiffusionConfig(size=8), 8),
    "diffusion16": (DigitsDiffusionConfig(size=16, steps=1000, batch_size=64, channel_mults=(1, 2, 2)), 16),
    "text_to_image": (None, None),
}
N_SAMPLES = 1000


def _clock():
    """(wall seconds, CPU seconds of this process): on a loaded machine the CPU time is the steadier one."""
    return time.perf_counter(), time.process_time()


def _ms(times, first, last, steps):
    return tuple(1000 * (times[last][i] - times[first][i]) / steps for i in (0, 1))


def ms_per_step_diffusion(config, amp, steps):
    """(wall, CPU) ms per optimizer step over `steps` steps (after 3 warm-up steps, not counted)."""
    times = []
    train_digits_diffusion(replace(config, steps=steps + 3, amp=amp), progress=False, device="cpu",
                           watch=lambda step, *_: times.append(_clock()))
    return _ms(times, 2, -1, steps)


def ms_per_step_text(amp, steps):
    """The text-to-image trainer logs every 50 steps: time steps 50 -> 100 (the first 50 warm up)."""
    from genimg_edu.text import TextToImageConfig, train_text_to_image
    times = []
    train_text_to_image(TextToImageConfig(steps=100, n_train=2000, amp=amp), progress=False, device="cpu",
                        callbacks=(lambda step, _: times.append(_clock()),))
    return _ms(times, 0, 1, 50)


def speed(name, repeats, steps):
    wall, cpu = {"off": [], "bf16": []}, {"off": [], "bf16": []}
    for _ in range(repeats):
        for amp in ("off", "bf16"):
            ms = (ms_per_step_text(amp, steps) if name == "text_to_image"
                  else ms_per_step_diffusion(RECIPES[name][0], amp, steps))
            wall[amp].append(round(ms[0], 1))
            cpu[amp].append(round(ms[1], 1))
    med = {f"{kind}_{amp}": statistics.median(v[amp]) for kind, v in (("wall", wall), ("cpu", cpu)) for amp in v}
    return {"steps_timed": 50 if name == "text_to_image" else steps, "repeats": repeats,
            "wall_ms_per_step": wall, "cpu_ms_per_step": cpu, "medians": med,
            "speedup_wall": round(med["wall_off"] / med["wall_bf16"], 2),
            "speedup_cpu": round(med["cpu_off"] / med["cpu_bf16"], 2)}


def quality(name, amps=("off", "bf16")):
    config, size = RECIPES[name]
    judge, labels, out = load_judge("digits", size=size), balanced_labels(N_SAMPLES), {}
    for amp in amps:
        model, schedule, result = train_digits_diffusion(replace(config, amp=amp), progress=False, device="cpu")
        images = generate_digits(model, labels=labels, schedule=schedule, size=size, steps=10, scale=2.0)
        report = evaluate_samples(judge, images, labels=labels)
        out[amp] = {"train_steps": config.steps, "train_seconds": round(result.seconds, 1),
                    "final_loss": round(result.final_loss, 4), "accuracy": round(report["accuracy"], 4),
                    "frechet": round(report["frechet"], 3), "frechet_floor": round(report["frechet_floor"], 3)}
        print(json.dumps({name: {"quality": {amp: out[amp]}}}), flush=True)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="diffusion8,diffusion16", help=f"comma-separated subset of {list(RECIPES)}")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=30, help="optimizer steps per speed repeat")
    parser.add_argument("--no-quality", action="store_true", help="speed only")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--quality-amps", default="off,bf16", help="which arms to train for quality")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpu": platform.processor(),
               "cpu_has_fast_bf16": cpu_has_fast_bf16(),
               "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "recipes": {}}
    if not cpu_has_fast_bf16():
        print(json.dumps({"note": "this CPU has no native bf16: bf16 autocast is emulated and expected slower"}))
    for name in args.only.split(","):
        if name not in RECIPES:
            raise SystemExit(f"unknown recipe {name!r}; choose from {list(RECIPES)}")
        entry = {}
        if not args.no_speed:
            entry = {"speed": speed(name, args.repeats, args.steps),
                     "load_average_after_speed": [round(x, 2) for x in os.getloadavg()]}
            print(json.dumps({name: entry}), flush=True)
        if not args.no_quality and RECIPES[name][1] is not None:
            entry["quality"] = quality(name, tuple(args.quality_amps.split(",")))
        results["recipes"][name] = entry
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
