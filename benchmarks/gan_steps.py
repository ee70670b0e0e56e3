"""Chapter 05's GANs graded after exactly 1,500 steps, whatever the load: `benchmarks/gan.py` stops
at a wall-clock budget, which a heavily shared machine reaches long before 1,500 steps. Same models,
data, seeds and grading as gan.py; prints one JSON line per model with its CPU seconds.
Run (one torch thread):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/gan_steps.py
"""
import json
import os
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
import gan as bench  # noqa: E402  (benchmarks/gan.py)

from genimg_edu.metrics import load_judge  # noqa: E402


def main():
    torch.set_num_threads(1)
    bench.TIME_BUDGET = float("inf")  # exactly MAX_STEPS steps
    judge = load_judge("digits", size=bench.SIZE)
    for name, conditional in (("conditional_gan", True), ("dcgan", False)):
        start = time.process_time()
        trainer, timing = bench.train_digits(conditional)
        cpu = time.process_time() - start
        report = bench.grade(trainer, judge, conditional=conditional)
        print(json.dumps({name: {**timing, "cpu_seconds": round(cpu, 1), "accuracy": report["accuracy"],
                                 "entropy": report["entropy"], "frechet": report["frechet"],
                                 "raw": report["raw_generator"],
                                 "load_average": [round(x, 2) for x in os.getloadavg()]}}), flush=True)


if __name__ == "__main__":
    main()
