"""The GPU presets on a GPU: each trains within a time budget, then the judge grades it.

For every `gpu` preset (genimg_edu.presets): time the first steps, fit as many optimizer steps as the
budget allows (at most the preset's own count), train, sample, judge. Prints one JSON line per preset
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
import time

import torch

from genimg_edu import presets
from genimg_edu.colab import describe_device
from genimg_edu.data import ImageSet, load_dataset, online, to_unit
from genimg_edu.metrics import evaluate_samples, load_judge
from genimg_edu.style.images import STYLES as STYLE_NAMES

N_SAMPLES = 1000
PROBE_STEPS = 20


def _judge(p, device):
    kind, size = p.judge
    if kind == "style":  # chapter 09 grades with its own style judge (run_style_transfer loads it)
        return "style"
    return load_judge(kind, size=size, download=True, device=device)


def _summary(report):
    accuracy = report["accuracy"]
    return {"accuracy": round(accuracy, 4) if isinstance(accuracy, float) else accuracy,
            "frechet": round(report["frechet"], 2), "frechet_floor": round(report["frechet_floor"], 2)}


def run_diffusion(p, steps, device, judge):
    from genimg_edu.diffusion.digits import balanced_labels, generate_digits, train_digits_diffusion
    model, schedule, result = train_digits_diffusion(dataclasses.replace(p.config, steps=steps), progress=False,
                                                     device=device)
    if judge is None:
        return result.seconds, {}
    labels = balanced_labels(N_SAMPLES)
    images = generate_digits(model, labels=labels, schedule=schedule, size=p.config.size, steps=20, scale=2.0)
    return result.seconds, _summary(evaluate_samples(judge, images, labels=labels, copying=False))


def run_gan(p, steps, device, judge):
    from genimg_edu.diffusion.digits import balanced_labels
    from genimg_edu.gan.dcgan import DCGANDiscriminator, DCGANGenerator
    from genimg_edu.gan.training import GANTrainer
    torch.manual_seed(0)
    trainer = GANTrainer(DCGANGenerator(**p.model["generator"]), DCGANDiscriminator(**p.model["discriminator"]),
                         load_dataset(**p.data), config=dataclasses.replace(p.config, steps=steps, device=device,
                                                                            progress=False))
    start = time.perf_counter()
    trainer.fit()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    if judge is None:
        return seconds, {}
    labels = balanced_labels(N_SAMPLES)
    images = torch.cat([to_unit(trainer.sample(200, labels=labels[i:i + 200], seed=i).clamp(-1, 1))
                        for i in range(0, N_SAMPLES, 200)])
    return seconds, _summary(evaluate_samples(judge, images, labels=labels, copying=False))


def run_text_to_image(p, steps, device, judge):
    from genimg_edu.text import evaluate_prompts, split_prompts, train_text_to_image
    model, result = train_text_to_image(dataclasses.replace(p.config, steps=steps), progress=False, device=device)
    if judge is None:
        return result.seconds, {}
    seen, held_out = split_prompts()
    return result.seconds, {"seen": evaluate_prompts(model, seen, judge, steps=25),
                            "held_out": evaluate_prompts(model, held_out, judge, steps=25)}


def run_autoencoder(p, steps, device, judge):
    from genimg_edu.autoencoders import reconstruct
    from genimg_edu.autoencoders.recipe import train_recipe
    start = time.perf_counter()
    model, _ = train_recipe(dataclasses.replace(p.config, steps=steps), device=None if device == "cuda" else device)
    seconds = time.perf_counter() - start
    if judge is None:
        return seconds, {}
    test = load_dataset(p.config.dataset, split="test", download=True)
    images = model.sample(N_SAMPLES, generator=torch.Generator().manual_seed(0))  # unconditional: no labels
    report = evaluate_samples(judge, images, labels=None, copying=False)
    recon = reconstruct(model, test.images[:N_SAMPLES])
    # a VAE samples unconditionally: no accuracy, only Fréchet and the class spread; reconstructions are graded
    return seconds, {**_summary(report), "entropy": round(report["entropy"], 3),
                     "judge_on_reconstructions": round(judge.accuracy(recon, test.labels[:N_SAMPLES]), 4)}


def run_mini_sd(p, steps, device, judge):
    """The three stages with steps scaled like the UNet's, each trained on `device`."""
    import tempfile

    from genimg_edu.stable_diffusion.evaluation import prompt_following
    from genimg_edu.stable_diffusion.pipeline import build_mini_sd
    scale = steps / p.config.unet_steps
    config = p.config.replace(unet_steps=steps, vae_steps=max(1, round(p.config.vae_steps * scale)),
                              clip_steps=max(1, round(p.config.clip_steps * scale)))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        pipe = build_mini_sd(config, directory=directory, progress=False, device=device)
    seconds = time.perf_counter() - start
    if judge is None:
        return seconds, {}
    scores = prompt_following(pipe, judge, held_out=config.held_out)
    return seconds, {"prompt_following": {k: v for k, v in scores.items() if k != "images"}}


def run_style_transfer(p, steps, device, judge):
    from genimg_edu.style import feature_net, load_style_judge, style_image, stylise_fast, train_feedforward
    photos = load_dataset(**p.data).images
    net = feature_net(**p.model) if device == "cuda" else feature_net("random")  # --smoke: no VGG19 download
    config = dataclasses.replace(p.config, steps=steps)
    start = time.perf_counter()
    model, history = train_feedforward(style_image("swirl", size=p.data["size"], seed=1), net=net, photos=photos,
                                       config=config, device=device)
    seconds = time.perf_counter() - start
    if judge is None:
        return seconds, {}
    style_judge = load_style_judge()
    out = torch.cat([stylise_fast(model, photo[None]) for photo in photos])
    swirl = STYLE_NAMES.index("swirl")
    return seconds, {"style_judge_says_swirl": round(float((style_judge.classify(out) == swirl).float().mean()), 4),
                     "final_losses": {k: round(float(v), 4) for k, v in history[-1].items() if k != "step"}}


def run_detector(p, steps, device, judge):
    """Chapter 10: the GAN, the diffusion model and the CNN detector, each stage's steps scaled like the
    CNN's. Steps (and steps/s) count the CNN's; seconds cover all stages (see stage_seconds). Without a
    judge (the probe, --smoke) at most 1,000 + 200 images each, so sampling does not swamp the timing."""
    from genimg_edu.ethics.detector_recipe import run_detector as run
    scale = steps / p.config.cnn_steps
    config = dataclasses.replace(p.config, cnn_steps=steps, gan_steps=max(1, round(p.config.gan_steps * scale)),
                                 diffusion_steps=max(1, round(p.config.diffusion_steps * scale)))
    if judge is None:
        config = dataclasses.replace(config, n_train=min(config.n_train, 1000), n_test=min(config.n_test, 200))
    report = run(config, device=device)
    seconds = sum(report["seconds"].values())
    scores = {"stage_seconds": report["seconds"], "generator_steps": report["generators"],
              **{name: {k: round(v, 4) for k, v in report[name].items()} for name in ("spectrum", "cnn")}}
    if judge is None:
        return seconds, scores
    fakes = report["fakes"]
    gan = evaluate_samples(judge, fakes["gan"], labels=None, copying=False)  # the DCGAN is unconditional
    diffusion = evaluate_samples(judge, fakes["diffusion"], labels=fakes["diffusion_labels"], copying=False)
    return seconds, {**scores, "gan_samples": {**_summary(gan), "entropy": round(gan["entropy"], 3)},
                     "diffusion_samples": _summary(diffusion)}


RUNNERS = {"diffusion": run_diffusion, "gan": run_gan, "text_to_image": run_text_to_image,
           "autoencoder": run_autoencoder, "mini_sd": run_mini_sd, "style_transfer": run_style_transfer,
           "detector": run_detector}


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
        runner = RUNNERS[recipe]
        if args.smoke:
            small = ({"n_train": 16, "vae_batch_size": 4, "clip_batch_size": 8, "unet_batch_size": 4}
                     if recipe == "mini_sd" else
                     {"n_train": 32, "n_test": 16, "batch_size": 4, "gan_batch_size": 4, "diffusion_batch_size": 4}
                     if recipe == "detector" else {"batch_size": 2 if recipe == "style_transfer" else 4,
                                                   **({"n_train": 64} if hasattr(p.config, "n_train") else {})})
            p = dataclasses.replace(p, config=dataclasses.replace(p.config, **small), batch_size=4)
            steps, judge = 3, None
        else:
            judge = _judge(p, device)
            probe_seconds, _ = runner(p, PROBE_STEPS, device, None)  # includes warm-up: a safe over-estimate
            steps = max(PROBE_STEPS, min(p.steps, int(args.budget / (probe_seconds / PROBE_STEPS))))
        seconds, scores = runner(p, steps, device, judge)
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
