"""Benchmark for chapter 07: text-to-image on the shapes captions, judged by the shapes judge.

    python benchmarks/text_to_image.py --plot sweep.png      # full (trains once, caches the weights)
    GENIMG_FAST=1 python benchmarks/text_to_image.py         # CI smoke run

The default model (cross-attention, 6000 steps), and cross-attention vs FiLM at 2000 steps each:
train (or load the cached weights the notebook reuses), generate one image per caption seen in
training (170 captions) and two per held-out caption (30 captions: blue triangles, yellow squares,
circles at the top), and compare the judge's reading
with the caption. Then a guidance sweep (cross-attention) and the mini-CLIP (retrieval, CLIP score).
Prints JSON; with --plot also saves the guidance sweep figure.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import time

import torch

from genimg_edu.data import load_dataset
from genimg_edu.device import fast_mode, seed_everything
from genimg_edu.metrics import load_judge
from genimg_edu.text.clip import MiniCLIP, clip_score, retrieval_accuracy, train_clip
from genimg_edu.text import HELD_OUT, TextToImageConfig, evaluate_prompts, generate, load_or_train, split_prompts
from genimg_edu.text.tokenizer import shapes_tokenizer

GUIDANCE = 3.0
SWEEP = (0.0, 1.0, 2.0, 3.0, 5.0, 8.0)
COMPARE_STEPS = 2000


def config_for(conditioning: str, fast: bool, train_steps: int | None = None) -> TextToImageConfig:
    if fast:
        return TextToImageConfig(conditioning=conditioning, steps=20, n_train=512, base_channels=8, text_dim=16)
    return TextToImageConfig(conditioning=conditioning, **({"steps": train_steps} if train_steps else {}))


def bench_model(conditioning, *, judge, fast, sample_steps, train_steps=None):
    model, info = load_or_train(config_for(conditioning, fast, train_steps), progress=False)
    seen, held = split_prompts()
    start = time.perf_counter()
    seen_scores = evaluate_prompts(model, seen, judge, guidance=GUIDANCE, steps=sample_steps, seed=0)
    held_scores = evaluate_prompts(model, held * 2, judge, guidance=GUIDANCE, steps=sample_steps, seed=1000)
    seconds = time.perf_counter() - start
    return model, {"train_seconds": round(info["seconds"], 1), "weights_were_cached": info["cached"],
                   "train_steps": model.config.steps, "final_loss": round(info["history"][-1]["loss"], 4),
                   "seen": {k: round(v, 3) for k, v in seen_scores.items()},
                   "held_out": {k: round(v, 3) for k, v in held_scores.items()},
                   "eval_images": len(seen) + 2 * len(held), "eval_seconds": round(seconds, 1)}


def bench_clip(*, fast, generated, prompts):
    train_set = load_dataset("shapes", split="train", n=512 if fast else 5000, size=16)
    test_set = load_dataset("shapes", split="test", n=200 if fast else 1000, size=16)
    seed_everything(0)
    clip = MiniCLIP(shapes_tokenizer(), image_width=16)
    start = time.perf_counter()
    history = train_clip(clip, train_set.images, train_set.captions, steps=20 if fast else 400, progress=False)
    seconds = time.perf_counter() - start
    shuffled = prompts[1:] + prompts[:1]
    return {"train_seconds": round(seconds, 1), "final_loss": round(history[-1]["loss"], 3),
            "retrieval_test": {k: round(v, 4) for k, v in retrieval_accuracy(clip, test_set.images, test_set.captions).items()},
            "clip_score_real": round(clip_score(clip, test_set.images, test_set.captions).mean().item(), 1),
            "clip_score_generated": round(clip_score(clip, generated, prompts).mean().item(), 1),
            "clip_score_generated_wrong_caption": round(clip_score(clip, generated, shuffled).mean().item(), 1)}


def guidance_sweep(model, *, judge, sample_steps, n_prompts):
    seen, held = split_prompts()
    random.seed(0)
    prompts = random.sample(seen, n_prompts)
    rows = []
    for w in SWEEP:
        seen_scores = evaluate_prompts(model, prompts, judge, guidance=w, steps=sample_steps, seed=0)
        held_scores = evaluate_prompts(model, held, judge, guidance=w, steps=sample_steps, seed=0)
        rows.append({"guidance": w, "seen_all": round(seen_scores["all"], 3), "seen_colour": round(seen_scores["colour"], 3),
                     "seen_shape": round(seen_scores["shape"], 3), "held_out_all": round(held_scores["all"], 3)})
    return rows


def plot_sweep(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ws = [r["guidance"] for r in rows]
    for key, label in (("seen_all", "seen captions: all 4 right"), ("seen_shape", "seen: shape right"),
                       ("held_out_all", "held-out: all 4 right")):
        ax.plot(ws, [r[key] for r in rows], marker="o", label=label)
    ax.set(xlabel="guidance scale w", ylabel="judge accuracy", ylim=(0, 1.02), title="Classifier-free guidance sweep")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", default=None, help="save the guidance sweep figure here (png)")
    args = parser.parse_args()
    fast = fast_mode()
    sample_steps = 4 if fast else 25
    report = {"mode": "fast" if fast else "full", "torch_threads": torch.get_num_threads(),
              "load_average_at_start": [round(v, 1) for v in os.getloadavg()], "guidance": GUIDANCE,
              "sampler": f"DDIM, {sample_steps} steps", "held_out_combinations": list(HELD_OUT)}
    start = time.perf_counter()
    judge = load_judge("shapes", size=16)
    models = {}
    models["cross_attention"], report["cross_attention"] = bench_model("cross_attention", judge=judge, fast=fast,
                                                                       sample_steps=sample_steps)
    compare_steps = None if fast else COMPARE_STEPS  # FiLM vs cross-attention, same (shorter) training
    report[f"comparison_at_{compare_steps or 'fast'}_steps"] = {
        conditioning: bench_model(conditioning, judge=judge, fast=fast, sample_steps=sample_steps,
                                  train_steps=compare_steps)[1] for conditioning in ("cross_attention", "film")}
    report["guidance_sweep_cross_attention"] = guidance_sweep(models["cross_attention"], judge=judge,
                                                              sample_steps=sample_steps, n_prompts=10 if fast else 60)
    seen, _ = split_prompts()
    generated = generate(models["cross_attention"], seen, guidance=GUIDANCE, steps=sample_steps, seed=0)
    report["mini_clip"] = bench_clip(fast=fast, generated=generated, prompts=seen)
    report["total_seconds"] = round(time.perf_counter() - start, 1)
    report["load_average_at_end"] = [round(v, 1) for v in os.getloadavg()]
    if args.plot:
        plot_sweep(report["guidance_sweep_cross_attention"], args.plot)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
