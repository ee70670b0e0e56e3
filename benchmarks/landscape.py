"""Chapter 11 landscape: the learning curve (same diffusion steps, less data), synthetic data for a
low-data classifier, and this machine's FLOP/s with published training budgets on it.

Prints one JSON line per part, then everything. Training is budgeted in optimizer steps; the seconds
are reported beside them with the torch thread count and the load average.
Run (one benchmark at a time on a shared machine):
    .venv/bin/python benchmarks/landscape.py [--only learning_curve,synthetic,synthetic_pretrained,compute]
        [--seeds 0,1,2,3,4] [--steps 200] [--threads 1]
"""
import argparse
import json
import os
import platform
import time

import torch

from genimg_edu.landscape.compute import (SD_V1_BUDGET, budget_on_machine, count_flops, describe_duration,
                                          measure_machine)
from genimg_edu.landscape.learning_curve import LearningCurveConfig, run_learning_curve, train_on_fraction
from genimg_edu.landscape.synthetic_data import SyntheticDataConfig, run_synthetic_data

PARTS = ("learning_curve", "synthetic", "synthetic_pretrained", "compute")


def rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    return value


def without_tensors(row: dict) -> dict:
    return {k: v for k, v in row.items() if not isinstance(v, (torch.Tensor, tuple))}


def learning_curve(args):
    config = LearningCurveConfig(steps=args.steps)
    rows = run_learning_curve(config)
    return {"config": {"fractions": config.fractions, "steps": config.steps, "n_samples": config.n_samples,
                       "sample_steps": config.sample_steps, "scale": config.scale, "seed": config.seed},
            "rows": [without_tensors(r) for r in rows]}


def synthetic(args, generator="same"):
    config = SyntheticDataConfig(seeds=tuple(args.seeds), generator_steps=args.steps)
    result = run_synthetic_data(config, generator=generator)
    return {"config": {"real_per_class": config.real_per_class, "synthetic_per_class": config.synthetic_per_class,
                       "classifier_steps": config.classifier_steps, "generator_steps": config.generator_steps,
                       "seeds": config.seeds},
            "generator": result["generator"], "summary": result["summary"], "verdict": result["verdict"],
            "runs": [without_tensors(r) for r in result["runs"]]}


def synthetic_pretrained(args):
    """The same experiment with one generator trained on ALL training digits (more data than the
    classifier sees: the 'foundation model' case)."""
    model, schedule, row = train_on_fraction(1.0, LearningCurveConfig(steps=args.steps))
    out = synthetic(args, generator=(model, schedule))
    out["generator_training"] = without_tensors(row)
    return out


def compute(args):
    rows = measure_machine()
    cpu_matmul = next(r for r in rows if r["op"] == "matmul" and r["device"] == "cpu")
    # wall-clock rate (what this machine delivered under its current load) and the rate per CPU-second
    # the process actually got (load-independent; per core at one thread)
    budgets = {f"{rate}, u={u}": budget_on_machine(SD_V1_BUDGET, local_flops=cpu_matmul[rate], utilization=u)
               for rate in ("flops_per_second", "flops_per_cpu_second") for u in (0.3, 0.5)}
    for value in budgets.values():
        value["readable"] = describe_duration(value["seconds"])
    # FLOPs of one training step of the course's own digits diffusion UNet (batch 128, 8x8), counted by torch
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig, make_digits_unet
    unet = make_digits_unet(DigitsDiffusionConfig())
    x, t, y = torch.randn(128, 1, 8, 8), torch.randint(0, 1000, (128,)), torch.randint(0, 10, (128,))
    step_flops = count_flops(lambda: unet(x, t, y).square().mean().backward())
    return {"measured": rows, "sd_v1_on_this_cpu": budgets,
            "course_unet_step_flops": step_flops, "course_200_steps_flops": 200 * step_flops}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--seeds", default="0,1,2,3,4", help="seeds of the synthetic-data runs")
    parser.add_argument("--steps", type=int, default=200, help="diffusion training steps per model")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args()
    args.seeds = [int(s) for s in args.seeds.split(",")]
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {PARTS}")
    if args.threads:
        torch.set_num_threads(args.threads)
    results = {"machine": {"platform": platform.platform(), "processor": platform.processor(),
                           "torch": torch.__version__, "threads": torch.get_num_threads(),
                           "cuda": torch.cuda.is_available(), "load_at_start": os.getloadavg()}}
    for part in parts:
        start, cpu = time.perf_counter(), time.process_time()
        out = {"learning_curve": learning_curve, "synthetic": synthetic, "synthetic_pretrained": synthetic_pretrained,
               "compute": compute}[part](args)
        out.update(wall_seconds=time.perf_counter() - start, cpu_seconds=time.process_time() - cpu,
                   load_after=os.getloadavg())
        results[part] = rounded(out)
        print(json.dumps({part: results[part]}), flush=True)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
