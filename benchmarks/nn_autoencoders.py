"""Chapters 02 and 04, measured: MLP accuracy, AE vs PCA compression, denoising, VAE samples judged.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/nn_autoencoders.py   # prints JSON

Settings are those of the notebooks in full mode. Numbers go to docs/PERFORMANCE.md.
"""
from __future__ import annotations

import json
import time

import torch

from genimg_edu.autoencoders import (PCA, VAE, Autoencoder, add_noise, compression_curve, encode,
                                     neighbour_accuracy, psnr, reconstruct, train_autoencoder)
from genimg_edu.data import load_dataset
from genimg_edu.metrics import class_entropy, load_judge
from genimg_edu.neural_nets import ScratchMLP, accuracy, digits_as_vectors, train_mlp, train_scratch_mlp


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - start, 2)


def judged(judge, images):
    """Judge confidence and class spread of a batch of digits in [0, 1]."""
    probs = torch.softmax(judge.logits(images), dim=1)
    return {"confident_fraction": round((probs.max(1).values > 0.9).float().mean().item(), 3),
            "class_entropy": round(class_entropy(probs.argmax(1), 10), 3)}


def main():
    report = {"threads": torch.get_num_threads()}
    x_train, y_train = digits_as_vectors("train")
    x_test, y_test = digits_as_vectors("test")
    scratch = []
    for seed in range(3):
        model = ScratchMLP(64, 32, 10, seed=seed)
        _, seconds = timed(lambda: train_scratch_mlp(model, x_train, y_train, lr=0.5, steps=1500, seed=seed))
        scratch.append({"seed": seed, "test_accuracy": round(accuracy(model, x_test, y_test), 4), "seconds": seconds})
    report["scratch_mlp_1500_steps"] = scratch
    torch_runs = []
    for seed in range(3):
        run, seconds = timed(lambda: train_mlp(hidden=64, lr=0.01, steps=1500, seed=seed))
        torch_runs.append({"seed": seed, "test_accuracy": round(run.test_accuracy, 4), "seconds": seconds})
    report["torch_mlp_1500_steps"] = torch_runs

    train, test = load_dataset("digits", split="train"), load_dataset("digits", split="test")
    curve, seconds = timed(lambda: compression_curve(train.images, test.images, ks=(1, 2, 4, 8, 16), steps=2000))
    report["compression_curve_2000_steps"] = {"rows": [{k: round(v, 5) for k, v in r.items()} for r in curve],
                                              "seconds": seconds}

    torch.manual_seed(0)
    ae = Autoencoder(2)
    _, seconds = timed(lambda: train_autoencoder(ae, train.images, steps=3000))
    pca = PCA(train.images, 2)
    report["latent_2d_knn_accuracy"] = {
        "autoencoder": round(neighbour_accuracy(encode(ae, train.images), train.labels,
                                                encode(ae, test.images), test.labels), 4),
        "pca": round(neighbour_accuracy(pca.encode(train.images), train.labels,
                                        pca.encode(test.images), test.labels), 4),
        "autoencoder_train_seconds": seconds}

    torch.manual_seed(0)
    denoiser = Autoencoder(8)
    _, seconds = timed(lambda: train_autoencoder(denoiser, train.images, steps=3000, noise_std=0.3))
    noisy = add_noise(test.images, std=0.3, generator=torch.Generator().manual_seed(1))
    report["denoising_std_0.3"] = {"noisy_psnr": round(psnr(noisy, test.images), 2),
                                   "denoised_psnr": round(psnr(reconstruct(denoiser, noisy), test.images), 2),
                                   "seconds": seconds}

    torch.manual_seed(0)
    vae = VAE(2)
    history, seconds = timed(lambda: train_autoencoder(vae, train.images, steps=5000))
    judge = load_judge("digits", size=8)
    samples = vae.sample(1000, generator=torch.Generator().manual_seed(0))
    codes = encode(ae, train.images)
    low, high = codes.min(0).values, codes.max(0).values
    box = low + (high - low) * torch.rand(1000, 2, generator=torch.Generator().manual_seed(0))
    report["vae_2d_5000_steps"] = {
        "seconds": seconds, "final": {k: round(v, 3) for k, v in history[-1].items()},
        "judge_test_accuracy": round(judge.test_accuracy, 4),
        "vae_samples": judged(judge, samples),
        "autoencoder_random_codes": judged(judge, ae.decode(box).detach()),
        "real_test_digits": judged(judge, test.images)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
