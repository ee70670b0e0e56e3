"""Measure the mini Stable Diffusion with the 32x32 shapes judge, never by eye.

- `reconstruction_report`: PSNR of VAE reconstructions of held-out renders (the test split) and how
  often the judge still reads every attribute from them (compared with the true attributes).
- `prompt_following`: one image per caption through `pipe(...)`; the judge reads size, colour, shape
  and position, and each is compared with the caption (seen and held-out captions separately).
- `short_prompt_following`: prompts that name one attribute ("a red shape", "a shape at the top"); the
  judge reads that attribute.
- `negative_prompt_effect`: the share of judged-red outputs for a prompt that names no colour, with
  and without a negative prompt.
"""
from __future__ import annotations

import torch

from ..checks import check_int, check_number, check_seed
from ..data import load_dataset
from ..data.shapes import ATTRIBUTES
from .config import check_held_out
from .prompts import (CAPTION_ATTRIBUTES, all_captions, check_prompts, is_held_out, one_attribute_prompts,
                      parse_caption)
from .vae import psnr, reconstruct


@torch.no_grad()
def generate(pipe, prompts, *, guidance: float = 3.0, steps: int = 25, seed: int = 0, negative_prompt=None,
             batch_size: int = 50) -> torch.Tensor:
    """pipe(...) for each prompt, batched: (N, 3, 32, 32) in [0, 1]. Seeds: seed + batch start."""
    prompts = check_prompts(prompts)
    check_number("guidance", guidance, low=0)
    check_int("steps", steps, low=1)
    check_seed("seed", seed)
    check_int("batch_size", batch_size, low=1)
    if negative_prompt is not None and not isinstance(negative_prompt, str):
        raise TypeError(f"negative_prompt must be a str (one for every prompt) or None, got {negative_prompt!r:.60}")
    images = []
    for start in range(0, len(prompts), batch_size):
        chunk = prompts[start:start + batch_size]
        negative = None if negative_prompt is None else [negative_prompt] * len(chunk)
        out = pipe(chunk, height=32, width=32, num_inference_steps=steps, guidance_scale=guidance,
                   negative_prompt=negative, output_type="pt",
                   generator=torch.Generator().manual_seed(seed + start))
        images.append(out.images.float().cpu())
    return torch.cat(images)


def check_judge(judge):
    """judge must be the 32x32 shapes judge (`metrics.load_judge("shapes", size=32)`)."""
    if not callable(getattr(judge, "predict", None)):
        raise TypeError(f"judge must be the shapes judge, load_judge('shapes', size=32), got {type(judge).__name__}")
    return judge


def _accuracy(predicted: dict, wanted: list[dict], rows) -> dict[str, float]:
    rows = list(rows)
    hits = {name: [int(predicted[name][r]) == ATTRIBUTES[name].index(wanted[r][name]) for r in rows]
            for name in CAPTION_ATTRIBUTES}
    scores = {name: sum(v) / max(1, len(v)) for name, v in hits.items()}
    scores["all"] = sum(all(hits[n][i] for n in CAPTION_ATTRIBUTES) for i in range(len(rows))) / max(1, len(rows))
    scores["n"] = len(rows)
    return scores


@torch.no_grad()
def prompt_following(pipe, judge, *, prompts=None, held_out=(), guidance: float = 3.0, steps: int = 25,
                     seed: int = 0) -> dict:
    """One image per prompt (default: all 200 captions). Returns {"all": scores, "seen": scores,
    "held_out": scores, "images": (N, 3, 32, 32)}, scores = accuracy per attribute, "all" (every
    attribute right) and "n"."""
    check_judge(judge)
    held_out = check_held_out(held_out)
    prompts = check_prompts(prompts) if prompts is not None else all_captions()
    wanted = [parse_caption(p) for p in prompts]
    images = generate(pipe, prompts, guidance=guidance, steps=steps, seed=seed)
    predicted = judge.predict(images)
    held = [i for i, p in enumerate(prompts) if held_out and is_held_out(p, held_out)]
    seen = [i for i in range(len(prompts)) if i not in set(held)]
    return {"all": _accuracy(predicted, wanted, range(len(prompts))), "seen": _accuracy(predicted, wanted, seen),
            "held_out": _accuracy(predicted, wanted, held), "images": images, "prompts": prompts}


@torch.no_grad()
def short_prompt_following(pipe, judge, *, n: int = 20, guidance: float = 3.0, steps: int = 25,
                           seed: int = 0) -> dict:
    """`n` images for each prompt that names a single attribute value ("a red shape", "a large shape",
    "a circle", "a shape at the top": 16 prompts); the judge reads that attribute. Returns
    {attribute: share of images showing the named value (mean over its values)} and
    "prompts": {prompt: share}. The captions the models trained on name all four attributes; these
    are what a learner types first, and what a negative prompt is made of."""
    check_int("n", n, low=1)
    check_judge(judge)
    shares, result = {}, {}
    for name in CAPTION_ATTRIBUTES:
        prompts = one_attribute_prompts(name)
        for value, prompt in zip(ATTRIBUTES[name], prompts):
            read = judge.predict(generate(pipe, [prompt] * n, guidance=guidance, steps=steps, seed=seed))[name]
            shares[prompt] = (read == ATTRIBUTES[name].index(value)).float().mean().item()
        result[name] = sum(shares[p] for p in prompts) / len(prompts)
    return {**result, "prompts": shares}


@torch.no_grad()
def reconstruction_report(vae, judge, *, n: int = 500, seed: int = 0) -> dict:
    """VAE round trip on `n` held-out renders (the shapes test split, never trained on): PSNR in dB
    and the judge's accuracy per attribute on reconstructions and, for reference, on the originals."""
    check_judge(judge)
    if not all(callable(getattr(vae, name, None)) for name in ("encode", "decode")):
        raise TypeError(f"vae must be an AutoencoderKL (pipe.vae), got {type(vae).__name__}")
    data = load_dataset("shapes", split="test", n=n, size=32, seed=seed)
    recon = reconstruct(vae, data.images)
    return {"psnr_db": psnr(recon, data.images), "n": n,
            "judge_on_reconstructions": judge.attribute_accuracy(recon, data.attributes),
            "judge_on_originals": judge.attribute_accuracy(data.images, data.attributes),
            "originals": data.images[:16], "reconstructions": recon[:16]}


@torch.no_grad()
def negative_prompt_effect(pipe, judge, *, prompt: str = "a large shape in the center",
                           negative: str = "a red shape", colour: str = "red", n: int = 100,
                           guidance: float = 3.0, steps: int = 25, seed: int = 0,
                           images_without: torch.Tensor | None = None) -> dict:
    """Share of outputs the judge reads as `colour`, for `prompt` without and with `negative` as the
    negative prompt (same seeds). images_without: (n, 3, 32, 32), the outputs without a negative prompt if
    already drawn with these settings (`generate(pipe, [prompt] * n, ...)`), so they are not drawn twice.
    Returns {"without", "with", "images_without", "images_with"}."""
    if colour not in ATTRIBUTES["colour"]:
        raise ValueError(f"colour must be one of {ATTRIBUTES['colour']}, got {colour!r}")
    if images_without is not None and (not isinstance(images_without, torch.Tensor) or
                                       tuple(images_without.shape[:2]) != (n, 3)):
        raise ValueError(f"images_without must be the n = {n} outputs (n, 3, H, W) drawn without a negative prompt, "
                         f"got {getattr(images_without, 'shape', type(images_without).__name__)}")
    check_judge(judge)
    index = ATTRIBUTES["colour"].index(colour)
    result = {}
    for key, neg in (("without", None), ("with", negative)):
        if key == "without" and images_without is not None:
            images = images_without
        else:
            images = generate(pipe, [prompt] * n, guidance=guidance, steps=steps, seed=seed, negative_prompt=neg)
        result[key] = (judge.predict(images)["colour"] == index).float().mean().item()
        result[f"images_{key}"] = images
    return result
