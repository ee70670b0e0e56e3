"""Train a preset and grade it: any recipe's laptop or gpu preset, end to end, in one call.

    from genimg_edu.presets import preset
    from genimg_edu.preset_runs import run_preset
    big = run_preset(preset("diffusion"))      # train on the best device, sample, grade with the preset's judge
    big["scores"]                              # the judge's numbers (accuracy, Frechet distance, ...)
    big["images"]                              # (N, C, H, W) samples or outputs in [0, 1], ready for show_images

Each recipe has one runner here: it trains `p.config` for the asked number of steps (recipes with several
stages -- mini SD, the detector -- scale every stage's steps like the main one), then makes pictures and,
with grade=True, lets the preset's judge (`p.judge`: `metrics.load_judge`, or chapter 09's style judge)
grade them. `benchmarks/gpu.py` times these runs on a GPU; chapter notebooks call `run_preset` in their
"Bigger, on a GPU" section. `tiny_preset(p)` shrinks batches and data sets for code-path checks on a CPU.
"""
from __future__ import annotations

import dataclasses
import tempfile
import time

import torch

from .presets import EtaHook, Preset
from .train import is_int

N_SAMPLES = 1000   # images generated and graded per run (the samples-based recipes)
N_SHOW = 16        # images made when nothing is graded: enough to look at


def _cuda_seconds(start: float, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def _summary(report: dict) -> dict:
    accuracy = report["accuracy"]
    return {"accuracy": round(accuracy, 4) if isinstance(accuracy, float) else accuracy,
            "frechet": round(report["frechet"], 2), "frechet_floor": round(report["frechet_floor"], 2)}


def _run_diffusion(p, steps, device, judge, n, progress):
    from .diffusion.digits import balanced_labels, generate_digits, train_digits_diffusion
    from .metrics import evaluate_samples
    model, schedule, result = train_digits_diffusion(dataclasses.replace(p.config, steps=steps), progress=progress,
                                                     device=str(device))
    labels = balanced_labels(n)
    images = generate_digits(model, labels=labels, schedule=schedule, size=p.config.size, steps=20, scale=2.0)
    scores = {} if judge is None else _summary(evaluate_samples(judge, images, labels=labels, copying=False))
    return result.seconds, scores, images


def _run_gan(p, steps, device, judge, n, progress):
    from .data import load_dataset, to_unit
    from .diffusion.digits import balanced_labels
    from .gan.dcgan import DCGANDiscriminator, DCGANGenerator
    from .gan.training import GANTrainer
    from .metrics import evaluate_samples
    torch.manual_seed(0)
    trainer = GANTrainer(DCGANGenerator(**p.model["generator"]), DCGANDiscriminator(**p.model["discriminator"]),
                         load_dataset(**p.data), config=dataclasses.replace(p.config, steps=steps, device=str(device),
                                                                            progress=progress))
    start = time.perf_counter()
    trainer.fit()
    seconds = _cuda_seconds(start, device)
    labels = balanced_labels(n)
    images = torch.cat([to_unit(trainer.sample(len(labels[i:i + 200]), labels=labels[i:i + 200], seed=i).clamp(-1, 1))
                        for i in range(0, n, 200)])
    scores = {} if judge is None else _summary(evaluate_samples(judge, images, labels=labels, copying=False))
    return seconds, scores, images


def _run_text_to_image(p, steps, device, judge, n, progress):
    from .text import evaluate_prompts, generate, split_prompts, train_text_to_image
    model, result = train_text_to_image(dataclasses.replace(p.config, steps=steps), progress=progress,
                                        device=str(device))
    seen, held_out = split_prompts()
    images = generate(model, seen[:n], steps=25)  # the first seen captions, to look at
    scores = {} if judge is None else {"seen": evaluate_prompts(model, seen, judge, steps=25),
                                       "held_out": evaluate_prompts(model, held_out, judge, steps=25)}
    return result.seconds, scores, images


def _run_autoencoder(p, steps, device, judge, n, progress):
    from .autoencoders import reconstruct
    from .autoencoders.recipe import train_recipe
    from .data import load_dataset
    from .metrics import evaluate_samples
    start = time.perf_counter()
    model, _ = train_recipe(dataclasses.replace(p.config, steps=steps), device=str(device), progress=progress)
    seconds = _cuda_seconds(start, device)
    images = model.sample(n, generator=torch.Generator().manual_seed(0))  # unconditional: no labels
    if judge is None:
        return seconds, {}, images
    report = evaluate_samples(judge, images, labels=None, copying=False)
    test = (load_dataset("digits", split="test", size=p.config.image_size) if p.config.dataset == "digits" else
            load_dataset(p.config.dataset, split="test", download=p.config.download))
    recon = reconstruct(model, test.images[:N_SAMPLES])
    # a VAE samples unconditionally: no accuracy, only Frechet and the class spread; reconstructions are graded
    return seconds, {**_summary(report), "entropy": round(report["entropy"], 3),
                     "judge_on_reconstructions": round(judge.accuracy(recon, test.labels[:N_SAMPLES]), 4)}, images


def _run_mini_sd(p, steps, device, judge, n, progress):
    from .data.shapes import all_captions
    from .stable_diffusion.evaluation import generate, prompt_following
    from .stable_diffusion.pipeline import build_mini_sd
    scale = steps / p.config.unet_steps
    config = p.config.replace(unet_steps=steps, vae_steps=max(1, round(p.config.vae_steps * scale)),
                              clip_steps=max(1, round(p.config.clip_steps * scale)))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:  # never loads (or overwrites) the chapter's cached stages
        pipe = build_mini_sd(config, directory=directory, progress=progress, device=device)
    seconds = _cuda_seconds(start, device)
    if judge is None:
        return seconds, {}, generate(pipe, all_captions()[:n])
    scores = prompt_following(pipe, judge, held_out=config.held_out)
    images = scores.pop("images")[:n]
    scores.pop("prompts")
    return seconds, {"prompt_following": scores}, images


def _run_style_transfer(p, steps, device, judge, n, progress):  # train_feedforward has no progress bar
    from .data import load_dataset
    from .style import feature_net, style_image, stylise_fast, train_feedforward
    from .style.images import STYLES
    photos = load_dataset(**p.data).images
    # VGG19's ImageNet weights are downloaded only where the preset is meant to run (a CUDA GPU)
    net_args = dict(p.model) if device.type == "cuda" or not p.model.get("download") else {"net": "random"}
    net_name = net_args.pop("net")
    start = time.perf_counter()
    model, history = train_feedforward(style_image("swirl", size=p.data["size"], seed=1),
                                       net=feature_net(net_name, **net_args),
                                       photos=photos, config=dataclasses.replace(p.config, steps=steps),
                                       device=str(device))
    seconds = _cuda_seconds(start, device)
    images = torch.cat([stylise_fast(model, photo[None]) for photo in photos[:n]])
    scores = {"feature_net": net_name,
              "final_losses": {k: round(float(v), 4) for k, v in history[-1].items() if k != "step"}}
    if judge is not None:
        says_swirl = judge.classify(images) == STYLES.index("swirl")
        scores["style_judge_says_swirl"] = round(float(says_swirl.float().mean()), 4)
    return seconds, scores, images


def _run_detector(p, steps, device, judge, n, progress):
    """Chapter 10: the GAN, the diffusion model and the CNN detector. Steps count the CNN's; with other
    steps than the preset's, both generators' steps are scaled alike (the chapter's digits: from its
    generator recipes). Scores: the detectors' own accuracies, and with a judge its grades of the fakes."""
    from .ethics.detector_recipe import run_detector
    from .ethics.generators import RECIPES
    from .metrics import evaluate_samples
    config = p.config
    if steps != config.cnn_steps:
        scale = steps / config.cnn_steps
        base = {kind: getattr(config, f"{kind}_steps") or RECIPES[kind, config.size]["steps"]
                for kind in ("gan", "diffusion")}
        config = dataclasses.replace(config, cnn_steps=steps, **{f"{kind}_steps": max(1, round(s * scale))
                                                                 for kind, s in base.items()})
    start = time.perf_counter()
    hooks = (EtaHook(steps),) if progress and config.dataset != "digits" else ()  # time left after 10 CNN steps
    report = run_detector(config, device=None if config.dataset == "digits" else str(device), on_step=hooks)
    seconds = _cuda_seconds(start, device)
    scores = {"generator_steps": report["generators"],
              **{name: {k: round(v, 4) for k, v in report[name].items()} for name in ("spectrum", "cnn")}}
    if "seconds" in report:
        scores["stage_seconds"] = {k: round(v, 1) for k, v in report["seconds"].items()}
    fakes = report.get("fakes") or {"gan": report["images"]["gan"], "diffusion": report["images"]["diffusion"]}
    shown = min(n, N_SHOW)  # to look at: the judge grades every held-out fake
    images = torch.cat([fakes["gan"][: (shown + 1) // 2], fakes["diffusion"][: shown // 2]])  # GAN, then diffusion
    if judge is not None and "fakes" in report:  # the chapter's digits report keeps 8 fakes only: nothing to grade
        gan = evaluate_samples(judge, fakes["gan"], labels=None, copying=False)  # the DCGAN is unconditional
        diffusion = evaluate_samples(judge, fakes["diffusion"], labels=fakes["diffusion_labels"], copying=False)
        scores.update(gan_samples={**_summary(gan), "entropy": round(gan["entropy"], 3)},
                      diffusion_samples=_summary(diffusion))
    return seconds, scores, images


RUNNERS = {"diffusion": _run_diffusion, "gan": _run_gan, "text_to_image": _run_text_to_image,
           "autoencoder": _run_autoencoder, "mini_sd": _run_mini_sd, "style_transfer": _run_style_transfer,
           "detector": _run_detector}


def load_preset_judge(p: Preset, device=None):
    """The judge named by `p.judge`: chapter 09's style judge for ("style", _), else
    `metrics.load_judge(kind, size=size)` (the torchvision kinds are downloaded and trained if missing)."""
    kind, size = p.judge
    if kind == "style":
        from .style import load_style_judge
        return load_style_judge()
    from .metrics import load_judge
    return load_judge(kind, size=size, download=True, device=device)


def run_preset(p: Preset, *, steps: int | None = None, device=None, grade: bool = True,
               n_samples: int | None = None, judge=None, progress: bool = False) -> dict:
    """Train preset `p` (from `presets.preset`), make pictures, and grade them.

    steps: optimizer steps (None: the preset's own `p.steps`; mini SD and the detector scale their other
    stages alike). device: "cpu", "cuda", a torch.device, ... (None: `device.pick_device()`). grade: let
    the preset's judge grade the pictures (False: train and make pictures only). n_samples: pictures to
    make and grade (None: 1,000 with grade, 16 without; text-to-image shows that many seen captions,
    chapter 09 stylises that many photos, the detector shows at most 16 of its fakes, the first half from
    the GAN). judge: a judge to use instead of loading `p.judge`.
    progress: progress bars with the time left (the detector: one line after its first CNN steps).

    Returns {"recipe", "preset", "device", "steps", "preset_steps", "seconds" (training, wall clock),
    "scores" (the judge's numbers; the detector adds its own accuracies even without grade),
    "images" (N, C, H, W) float32 in [0, 1]}.
    """
    from .device import is_device, resolve_device
    if not isinstance(p, Preset):
        raise TypeError(f"p must be a Preset from presets.preset(recipe), got {type(p).__name__}")
    if p.recipe not in RUNNERS:
        raise ValueError(f"no runner for recipe {p.recipe!r}; choose a preset of one of {sorted(RUNNERS)}")
    if steps is not None and not is_int(steps, 1):
        raise ValueError(f"steps must be None (the preset's {p.steps}) or an int >= 1, got {steps!r}")
    if not is_device(device):
        raise TypeError(f"device must be None, a torch.device or a name such as 'cpu' or 'cuda', got {device!r}")
    for name, flag in (("grade", grade), ("progress", progress)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if n_samples is not None and not is_int(n_samples, 1):
        raise ValueError(f"n_samples must be None or an int >= 1, got {n_samples!r}")
    device = resolve_device(device)
    steps = p.steps if steps is None else steps
    n = n_samples or (N_SAMPLES if grade else N_SHOW)
    if grade and judge is None:
        judge = load_preset_judge(p, device)
    seconds, scores, images = RUNNERS[p.recipe](p, steps, device, judge if grade else None, n, progress)
    images = images.detach().float().cpu()
    return {"recipe": p.recipe, "preset": p.name, "device": device.type, "steps": steps, "preset_steps": p.steps,
            "seconds": seconds, "scores": scores, "images": images}


def tiny_preset(p: Preset, *, batch_size: int = 4, n_train: int = 64) -> Preset:
    """The same preset with tiny batches and data sets (models, sizes and steps unchanged): a code-path
    check that runs in seconds on a CPU. Pair it with a small `steps` in `run_preset`."""
    if not isinstance(p, Preset):
        raise TypeError(f"p must be a Preset from presets.preset(recipe), got {type(p).__name__}")
    if not (is_int(batch_size, 1) and is_int(n_train, 1)):
        raise ValueError(f"batch_size and n_train must be ints >= 1, got {batch_size!r}, {n_train!r}")
    fields = {f.name for f in dataclasses.fields(p.config)}
    small = {name: batch_size for name in ("batch_size", "vae_batch_size", "unet_batch_size", "gan_batch_size",
                                           "diffusion_batch_size") if name in fields}
    small.update({name: min(getattr(p.config, name), n_train) for name in ("n_train",) if name in fields})
    if "clip_batch_size" in fields:
        small["clip_batch_size"] = 2 * batch_size  # the contrastive stage needs negatives in its batch
    if "n_test" in fields:
        small["n_test"] = min(p.config.n_test, max(2, n_train // 2))
    if p.recipe == "style_transfer":
        small["batch_size"] = min(batch_size, 2)
    return dataclasses.replace(p, config=dataclasses.replace(p.config, **small), batch_size=batch_size)
