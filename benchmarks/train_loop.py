"""Overhead of the generic `train` loop against a hand-written loop doing the same work, and the
cost of one training checkpoint (model + AdamW state + RNG states, written atomically).

Prints JSON: microseconds per step for both loops, on a tiny model where overhead is most visible.
Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/train_loop.py
"""
import json
import time

import torch
import torch.nn.functional as F

from genimg_edu.train import TrainConfig, batch_indices, train


def loss_fn(model, batch):
    images, labels = batch
    return F.cross_entropy(model(images), labels)


def hand_written(model, images, labels, *, steps, batch_size):
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(steps):
        rows = torch.randint(len(images), (batch_size,), generator=generator)
        loss = loss_fn(model, (images.index_select(0, rows), labels.index_select(0, rows)))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return time.perf_counter() - start


def main(steps=400, batch_size=64):
    torch.set_num_threads(1)
    results = {"steps": steps, "batch_size": batch_size, "threads": 1, "cases": []}
    for n in (1438, 60000):
        images, labels = torch.rand(n, 1, 8, 8), torch.randint(0, 10, (n,))
        make = lambda: torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))  # noqa: E731
        hand = min(hand_written(make(), images, labels, steps=steps, batch_size=batch_size) for _ in range(3))
        ours = min(train(make(), loss_fn, (images, labels), config=TrainConfig(
            steps=steps, batch_size=batch_size, device="cpu", progress=False)).seconds for _ in range(3))
        start = time.perf_counter()
        for step in range(steps):
            batch_indices(step, n=n, batch_size=batch_size, seed=0)
        sampling = time.perf_counter() - start
        results["cases"].append({
            "dataset_size": n,
            "hand_written_us_per_step": round(1e6 * hand / steps, 1),
            "train_us_per_step": round(1e6 * ours / steps, 1),
            "batch_indices_us_per_step": round(1e6 * sampling / steps, 1),
        })
    results["checkpoint"] = checkpoint_cost()
    print(json.dumps(results, indent=2))


def checkpoint_cost(width=1024):
    """Save + load of a ~1M-parameter MLP with its AdamW state (~12 MB on disk)."""
    import tempfile
    from pathlib import Path

    from genimg_edu.checkpoint import load_checkpoint, save_checkpoint

    model = torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.ReLU(), torch.nn.Linear(width, 10))
    optimizer = torch.optim.AdamW(model.parameters())
    model(torch.randn(2, width)).sum().backward()
    optimizer.step()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.safetensors"
        start = time.perf_counter()
        for _ in range(5):
            save_checkpoint(path, modules={"model": model}, optimizers={"optimizer": optimizer}, rng=True)
        save = (time.perf_counter() - start) / 5
        start = time.perf_counter()
        for _ in range(5):
            load_checkpoint(path, modules={"model": model}, optimizers={"optimizer": optimizer}, restore_rng=True)
        load = (time.perf_counter() - start) / 5
        size = path.stat().st_size
    return {"parameters": sum(p.numel() for p in model.parameters()), "file_mb": round(size / 2**20, 1),
            "save_ms": round(1e3 * save, 1), "load_ms": round(1e3 * load, 1)}


if __name__ == "__main__":
    main()
