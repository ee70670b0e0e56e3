"""The judges: training time, held-out accuracy and the real-vs-real Fréchet floor, per kind and size.

Prints JSON. Every judge is trained from scratch (the cache is neither read nor written).
Run (one benchmark at a time on a shared machine):
    .venv/bin/python benchmarks/judges.py
"""
import json
import os
import platform
import time

import torch

from genimg_edu.metrics import frechet_floor, train_judge

JUDGES = [("digits", 8), ("digits", 16), ("digits", 28), ("digits", 32), ("shapes", 16), ("shapes", 32)]


def main():
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpu": platform.processor(),
               "load_average_at_start": [round(x, 2) for x in os.getloadavg()], "judges": []}
    for kind, size in JUDGES:
        judge = train_judge(kind, size=size)
        start = time.perf_counter()
        floor_full = frechet_floor(judge)
        floor_200 = frechet_floor(judge, n=200)
        results["judges"].append({
            "kind": kind, "size": size, "train_seconds": round(judge.train_seconds, 1),
            "epochs": judge.meta["epochs"],
            "test_accuracy": (round(judge.test_accuracy, 4) if kind == "digits"
                              else {k: round(v, 4) for k, v in judge.test_accuracy.items()}),
            "frechet_floor": {"n_test": 1000 if kind == "shapes" else 359, "value": round(floor_full, 2)},
            "frechet_floor_n200": round(floor_200, 2),
            "floor_seconds": round(time.perf_counter() - start, 1),
        })
        print(json.dumps(results["judges"][-1]), flush=True)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
