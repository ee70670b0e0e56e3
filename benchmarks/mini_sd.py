"""Benchmark for chapter 08: the mini Stable Diffusion, trained once and judged by the 32x32 shapes judge.

    OMP_NUM_THREADS=1 python benchmarks/mini_sd.py            # full (trains the three stages once, cached)
    GENIMG_FAST=1 python benchmarks/mini_sd.py                # CI smoke run, tiny configs, no quality claims

Reports, as JSON: the training time of each stage (wall and process CPU seconds, whether it was
cached), the VAE's reconstruction PSNR on 500 held-out renders and the judge's reading of them, the text
encoder's retrieval and word-swap accuracy on 1,000 held-out renders,
prompt following of the assembled StableDiffusionPipeline on all 200 captions (seen and held-out
combinations separately), short prompts that name one attribute ("a red shape"), the effect of a
negative prompt on the share of red outputs, the time
to sample 16 prompts with 25 steps, the cost of one UNet step in latent vs pixel space, and
whether save_pretrained -> from_pretrained gives identical images. Also the thread count and load.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
import time

import torch

from genimg_edu.data import load_dataset
from genimg_edu.device import fast_mode
from genimg_edu.metrics import load_judge
from genimg_edu.stable_diffusion import MiniSDConfig, build_mini_sd, load_pipeline
from genimg_edu.stable_diffusion.evaluation import (generate, negative_prompt_effect, prompt_following,
                                                    reconstruction_report, short_prompt_following)
from genimg_edu.stable_diffusion.latent_cost import latent_vs_pixel_cost
from genimg_edu.stable_diffusion.prompts import all_captions
from genimg_edu.stable_diffusion.text_encoder import retrieval_accuracy, word_swap_accuracy


def rounded(scores: dict) -> dict:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in scores.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guidance", type=float, default=3.0, help="classifier-free guidance scale w")
    parser.add_argument("--steps", type=int, default=25, help="sampling steps (DDIM)")
    parser.add_argument("--skip-cost", action="store_true", help="skip the latent-vs-pixel timing")
    parser.add_argument("--vae-steps", type=int, help="override MiniSDConfig.vae_steps")
    parser.add_argument("--unet-steps", type=int, help="override MiniSDConfig.unet_steps")
    args = parser.parse_args()
    fast = fast_mode()
    config = MiniSDConfig.fast() if fast else MiniSDConfig()
    overrides = {k: v for k, v in (("vae_steps", args.vae_steps), ("unet_steps", args.unet_steps)) if v is not None}
    config = dataclasses.replace(config, **overrides)
    steps = 3 if fast else args.steps
    report = {"threads": torch.get_num_threads(), "load_average_start": os.getloadavg(), "fast": fast}

    pipe, info = build_mini_sd(config, progress=False, return_info=True)
    report["training"] = {stage: {"seconds": round(info[stage]["seconds"], 1),
                                  "cpu_seconds": round(info[stage]["cpu_seconds"], 1),
                                  "was_cached": info[stage]["cached"], "final_loss": round(info[stage]["history"][-1]["loss"], 4)}
                          for stage in ("vae", "text", "unet")}
    report["training"]["total_cpu_seconds"] = round(sum(report["training"][s]["cpu_seconds"] for s in ("vae", "text", "unet")), 1)
    report["parameters"] = {name: sum(p.numel() for p in getattr(pipe, name).parameters())
                            for name in ("vae", "text_encoder", "unet")}
    report["config"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.as_dict().items()
                        if k != "held_out"}

    judge = load_judge("shapes", size=32)
    test = load_dataset("shapes", split="test", n=100 if fast else 1000, size=32)
    pair, tokenizer = info["clip"], pipe.tokenizer
    report["text_encoder"] = {"retrieval_top1": round(retrieval_accuracy(pair, tokenizer, test.images, test.captions), 3),
                              "word_swap": {attribute: round(word_swap_accuracy(pair, tokenizer, test, attribute=attribute), 3)
                                            for attribute in ("size", "colour", "shape", "position")}}
    recon = reconstruction_report(pipe.vae, judge, n=100 if fast else 500)
    report["vae"] = {"psnr_db": round(recon["psnr_db"], 2), "held_out_renders": recon["n"],
                     "scaling_factor": round(pipe.vae.config.scaling_factor, 4),
                     "judge_on_reconstructions": rounded(recon["judge_on_reconstructions"]),
                     "judge_on_originals": rounded(recon["judge_on_originals"])}

    start, cpu = time.perf_counter(), time.process_time()
    follow = prompt_following(pipe, judge, held_out=config.held_out, guidance=args.guidance, steps=steps)
    report["prompt_following"] = {"guidance": args.guidance, "sampling_steps": steps,
                                  **{part: rounded(follow[part]) for part in ("all", "seen", "held_out")},
                                  "seconds": round(time.perf_counter() - start, 1),
                                  "cpu_seconds": round(time.process_time() - cpu, 1)}

    short = short_prompt_following(pipe, judge, n=4 if fast else 20, guidance=args.guidance, steps=steps)
    report["short_prompts"] = {"images_per_prompt": 4 if fast else 20,
                               **{k: (rounded(v) if isinstance(v, dict) else round(v, 3)) for k, v in short.items()}}

    negative = negative_prompt_effect(pipe, judge, n=20 if fast else 100, guidance=args.guidance, steps=steps)
    report["negative_prompt"] = {"prompt": "a large shape in the center", "negative_prompt": "a red shape",
                                 "red_share_without": round(negative["without"], 3),
                                 "red_share_with": round(negative["with"], 3)}

    prompts = all_captions()[::13][:16]
    generate(pipe, prompts[:2], steps=2)  # warm up
    start, cpu = time.perf_counter(), time.process_time()
    generate(pipe, prompts, guidance=args.guidance, steps=25, batch_size=16)
    report["sampling_16_prompts_25_steps"] = {"seconds": round(time.perf_counter() - start, 2),
                                              "cpu_seconds": round(time.process_time() - cpu, 2)}

    with tempfile.TemporaryDirectory() as folder:
        pipe.save_pretrained(folder)
        again = load_pipeline(folder)
        a = generate(pipe, prompts[:4], steps=steps, seed=7)
        b = generate(again, prompts[:4], steps=steps, seed=7)
        report["save_load_identical"] = bool(torch.equal(a, b))

    if not args.skip_cost:
        cost = latent_vs_pixel_cost(config, batch_size=32, repeats=1 if fast else 3)
        report["unet_step_latent_vs_pixel"] = {k: ({kk: round(vv, 4) for kk, vv in v.items()} if isinstance(v, dict)
                                                   else round(v, 2) if isinstance(v, float) else v)
                                               for k, v in cost.items()}
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
