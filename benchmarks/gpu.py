"""The GPU presets on a GPU: each trains within a time budget, then the judge grades it.

For every `gpu` preset (genimg_edu.presets): time the first steps, fit as many optimizer steps as the
budget allows (at most the preset's own count), train, sample, judge -- each run is
`genimg_edu.preset_runs.run_preset`, the call the chapter notebooks make. Prints one JSON line per preset
(steps, seconds, steps/s, images/s, judge accuracy, Fréchet distance and its floor), then everything.

    # on a Colab GPU runtime, after the notebook install cell (downloads MNIST and CIFAR-10 once):
    python benchmarks/gpu.py --budget 600
    # on a CPU it refuses; --smoke runs 3 steps of every preset on stand-in data (no judging, no download)
    python benchmarks/gpu.py --smoke
"""
import argparse
import dataclasses
import json
import os
import platform

import torch

from genimg_edu import presets
from genimg_edu.colab import describe_device
from genimg_edu.data import ImageSet, online
from genimg_edu.preset_runs import RUNNERS, load_preset_judge, run_preset, tiny_preset

PROBE_STEPS = 20


def _probe(p):
    """The preset for the timing probe: the detector's images capped at 1,000 + 200 each, so that making
    them does not swamp the per-step time (the other recipes' sampling is outside the timed training)."""
    if p.recipe != "detector":
        return p
    return dataclasses.replace(p, config=dataclasses.replace(p.config, n_train=min(p.config.n_train, 1000),
                                                             n_test=min(p.config.n_test, 200)))


def stand_in_torchvision(name, *, split="train", root=None, download=False, value_range=(0.0, 1.0), limit=None):
    """--smoke only: random images of the data set's shape and range (nothing is downloaded)."""
    channels, size = {"mnist": (1, 28), "fashion_mnist": (1, 28), "cifar10": (3, 32)}[name]
    low, high = value_range
    images = torch.rand(64, channels, size, size) * (high - low) + low
    return ImageSet(images=images, labels=torch.arange(64) % 10, classes=[str(i) for i in range(10)],
                    value_range=(low, high), name=f"{name} (stand-in)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=600, help="training seconds per preset")
    parser.add_argument("--presets", default=",".join(RUNNERS), help=f"comma-separated subset of {list(RUNNERS)}")
    parser.add_argument("--smoke", action="store_true", help="3 steps per preset on stand-in data, no judging")
    args = parser.parse_args()
    missing = sorted(r for r, names in presets.recipes().items() if "gpu" in names and r not in RUNNERS)
    if missing:
        raise SystemExit(f"gpu presets without a runner here: {missing}")
    unknown = sorted(set(args.presets.split(",")) - set(RUNNERS))
    if unknown:
        raise SystemExit(f"unknown presets {unknown}; choose from {list(RUNNERS)}")
    cuda = torch.cuda.is_available()
    if not cuda and not args.smoke:
        raise SystemExit("no CUDA device: run this on a GPU (Colab: Runtime > Change runtime type > GPU), "
                         "or pass --smoke to check the code path on the CPU with stand-in data")
    if args.smoke:
        online.load_torchvision = stand_in_torchvision
    device = "cuda" if cuda else "cpu"
    results = {"device": describe_device(device), "torch": torch.__version__, "cpu": platform.processor(),
               "threads": torch.get_num_threads(), "smoke": args.smoke, "budget_seconds": args.budget,
               "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "presets": {}}
    for recipe in args.presets.split(","):
        p = presets.preset(recipe, "gpu")
        if args.smoke:
            p = tiny_preset(p, n_train=16 if recipe == "mini_sd" else 32 if recipe == "detector" else 64)
            run = run_preset(p, steps=3, device=device, grade=False, n_samples=4)
        else:
            judge = load_preset_judge(p, device)
            # the probe includes warm-up: a safe over-estimate of the time per step
            probe = run_preset(_probe(p), steps=PROBE_STEPS, device=device, grade=False)
            steps = max(PROBE_STEPS, min(p.steps, int(args.budget / (probe["seconds"] / PROBE_STEPS))))
            run = run_preset(p, steps=steps, device=device, judge=judge)
        steps, seconds, scores = run["steps"], run["seconds"], run["scores"]
        row = {"summary": p.summary, "steps": steps, "preset_steps": p.steps, "train_seconds": round(seconds, 1),
               "steps_per_second": round(steps / seconds, 2), "images_per_second": round(steps * p.batch_size / seconds, 1),
               **scores}
        if cuda:
            row["max_memory_gb"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
        print(json.dumps({recipe: row}), flush=True)
        results["presets"][recipe] = row
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
