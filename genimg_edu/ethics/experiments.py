"""The measured experiments of chapter 10, one function per section, shared by notebook 10 and
benchmarks/ethics.py. Each returns a plain dict of numbers (and, under "images", a few tensors to show).
Trained models come from generators.py's cache, so a second call is fast.
"""
from __future__ import annotations

import torch

from ..data import load_dataset, to_signed


def _real_digits(size: int, n_train: int, n_test: int, seed: int = 0):
    real = torch.cat([load_dataset("digits", split=s, size=size).images for s in ("train", "test")])
    real = real[torch.randperm(len(real), generator=torch.Generator().manual_seed(seed))]
    if n_train + n_test > len(real):
        raise ValueError(f"n_train + n_test must be <= {len(real)}, got {n_train + n_test}")
    return real[:n_train], real[n_train:n_train + n_test]


def detector_experiment(*, n_train: int = 800, n_test: int = 400, cnn_steps: int = 1000, size: int = 16,
                        gan_steps: int | None = None, diffusion_steps: int | None = None, gan_width: int | None = None,
                        diffusion_width: int | None = None, quality: int = 75, scale: float = 0.75, seed: int = 0) -> dict:
    """Train both detectors on real digits vs chapter 05 GAN samples; test on held-out GAN samples
    (same generator), on chapter 06 diffusion samples (a generator never seen), and on both after
    resize + JPEG. Accuracies are balanced (mean of real and fake accuracy). Generator steps and
    widths default to generators.RECIPES (at 16x16: half of chapters 05/06's widths)."""
    from .detector import CNNDetector, SpectrumDetector, degrade
    from .generators import RECIPES, generated_digits
    real_train, real_test = _real_digits(size, n_train, n_test, seed)
    gan = generated_digits("gan", n=n_train + n_test, size=size, steps=gan_steps, width=gan_width, seed=seed)
    diffusion = generated_digits("diffusion", n=n_test, size=size, steps=diffusion_steps, width=diffusion_width,
                                 seed=seed)
    tests = {"same generator (GAN)": (real_test, gan[n_train:]), "unseen generator (diffusion)": (real_test, diffusion)}
    report = {"n_train": n_train, "n_test": n_test, "size": size, "degrade": {"jpeg": quality, "resize": scale},
              "generators": {kind: {"steps": steps or RECIPES[kind, size]["steps"],
                                    "width": RECIPES[kind, size]["width"] if width is None else width}
                             for kind, steps, width in (("gan", gan_steps, gan_width),
                                                        ("diffusion", diffusion_steps, diffusion_width))}}
    torch.manual_seed(seed)
    for name, detector in (("spectrum", SpectrumDetector()), ("cnn", CNNDetector())):
        if name == "cnn":
            detector.fit(real_train, gan[:n_train], steps=cnn_steps, seed=seed)
        else:
            detector.fit(real_train, gan[:n_train])
        row = {}
        for test, (real, fake) in tests.items():
            row[test] = detector.accuracy(real, fake)
            row[test + ", JPEG + resize"] = detector.accuracy(degrade(real, quality=quality, scale=scale),
                                                             degrade(fake, quality=quality, scale=scale))
        report[name] = row
    report["images"] = {"real": real_test[:8], "gan": gan[n_train:n_train + 8], "diffusion": diffusion[:8]}
    return report


def faceswap_experiment(*, a: int = 3, b: int = 8, steps: int = 3000, latent_dim: int = 4, seed: int = 0) -> dict:
    """Shared encoder + two decoders on digit a ("identity A") and digit b ("identity B"); swap the
    held-out a's. Measured: share judged as b, and how much of each a's stroke weight and slant survive."""
    from ..metrics import load_judge
    from .faceswap import SwapAutoencoder, correlation, ink, slant, train_swap
    train, test = load_dataset("digits", split="train", size=8), load_dataset("digits", split="test", size=8)
    torch.manual_seed(seed)
    model = SwapAutoencoder(latent_dim=latent_dim)
    losses = train_swap(model, train.images[train.labels == a], train.images[train.labels == b], steps=steps, seed=seed)
    source = test.images[test.labels == a]
    swapped = model.swap(source)
    judge = load_judge("digits", size=8)
    return {"a": a, "b": b, "n": len(source), "final_loss": sum(losses[-10:]) / len(losses[-10:]),  # last 100 steps
            "judged_as_b": judge.accuracy(swapped, torch.full((len(source),), b)),
            "source_judged_as_a": judge.accuracy(source, torch.full((len(source),), a)),
            "ink_correlation": correlation(ink(source), ink(swapped)),
            "slant_correlation": correlation(slant(source), slant(swapped)),
            "images": {"source": source[:8], "swapped": swapped[:8]}}


def bias_experiment(*, red_share: float = 0.8, n: int = 3000, steps: int = 800, n_samples: int = 200,
                    scales=(1.0, 3.0, 5.0), sample_steps: int = 20, reweighting_only: bool = False,
                    seed: int = 0) -> dict:
    """Skewed shapes (red_share red) -> shape-conditional diffusion -> ask for shapes only -> the judge
    reads the colours at every guidance scale, and how recognisable the asked shape is in each colour
    (why guidance moves colours). Mitigation: the reweighted data, a shape-and-colour model, and a
    colour drawn uniformly for every prompt. reweighting_only=True also trains the shape-only model on
    the reweighted data (the mitigation that guidance undoes)."""
    from ..metrics import load_judge
    from .bias import BiasConfig, colour_shares, data_shares, generate_shapes, reweight, shape_accuracy_by_colour, \
        skewed_shapes, train_shapes_diffusion
    config = BiasConfig(steps=steps, seed=seed)
    judge = load_judge("shapes", size=config.size)
    data = skewed_shapes(red_share=red_share, n=n, size=config.size, seed=seed)
    fair = reweight(data, "colour", seed=seed)
    report = {"red_share_asked": red_share, "target_after_mitigation": 1 / 5, "steps": steps, "n_samples": n_samples,
              "data": data_shares(data)["red"], "data_reweighted": data_shares(fair)["red"], "images": {}}
    runs = [("skewed", data, "shape")] + ([("reweighted only", fair, "shape")] if reweighting_only else []) + \
        [("mitigated", fair, "shape+colour")]
    shapes = torch.arange(n_samples) % 4
    for name, train_data, condition in runs:
        model, schedule = train_shapes_diffusion(train_data, config=config, condition=condition)
        report[name] = {}
        for scale in scales:
            images = generate_shapes(model, schedule, n=n_samples, scale=scale, size=config.size,
                                     steps=sample_steps, seed=seed + 1)
            report[name][f"guidance {scale:g}"] = colour_shares(judge, images)["red"]
            report[name][f"shape accuracy, guidance {scale:g}"] = judge.attribute_accuracy(images, {"shape": shapes})["shape"]
            report[name][f"shape accuracy by colour, guidance {scale:g}"] = shape_accuracy_by_colour(judge, images, shapes)
            report["images"][f"{name}, guidance {scale:g}"] = images[:8]
    return report


def memorisation_experiment(*, per_class=(1, 10, None), steps: int = 600, n_samples: int = 200,
                            optimal_samples: int = 50, seed: int = 0) -> dict:
    """Chapter 06's diffusion trained on 10 / 100 / all training digits: share of near-copies
    (Gu et al.'s ratio < 1/3) and the course's copying ratio; the optimal denoiser as the extreme."""
    from ..diffusion import sample
    from ..diffusion.digits import balanced_labels, generate_digits
    from ..metrics import copying_report
    from .generators import digits_diffusion
    from .memorisation import memorised_share, optimal_denoiser
    train, test = load_dataset("digits", split="train", size=8), load_dataset("digits", split="test", size=8)
    report, images = {"steps": steps, "n_samples": n_samples, "rows": []}, {}
    for pc in per_class:
        subset = train if pc is None else train.per_class(pc, seed=seed)
        model, schedule = digits_diffusion(per_class=pc, steps=steps, seed=seed)
        samples = generate_digits(model, labels=balanced_labels(n_samples), schedule=schedule, size=8, steps=10,
                                  scale=1.0, seed=seed + 1)
        copying = copying_report(samples, subset.images, test.images)
        report["rows"].append({"training_images": len(subset), "memorised_share": memorised_share(samples, subset.images),
                               "copying_ratio": copying["ratio"], "close_fraction": copying["close_fraction"]})
        images[len(subset)] = samples[:10]
    subset = train.per_class(10, seed=seed)
    x = sample(optimal_denoiser(to_signed(subset.images), schedule), shape=(optimal_samples, 1, 8, 8),
               schedule=schedule, steps=10, progress=False, generator=torch.Generator().manual_seed(seed))
    optimal = ((x + 1) / 2).clamp(0, 1)
    report["optimal_denoiser"] = {"training_images": len(subset), "memorised_share": memorised_share(optimal, subset.images)}
    images["optimal"] = optimal[:10]
    report["images"] = images
    return report


def membership_experiment(*, steps: int = 600, per_class: int = 10, seed: int = 0) -> dict:
    """Loss-threshold membership inference against an overfit model (trained on `per_class` digits per
    class) and a generalising one (all digits). Members: those per_class x 10 training digits;
    non-members: as many held-out test digits. Returns ROC AUCs and the losses."""
    from .generators import digits_diffusion
    from .membership import diffusion_losses, membership_auc
    train, test = load_dataset("digits", split="train", size=8), load_dataset("digits", split="test", size=8)
    members, others = train.per_class(per_class, seed=seed), test.per_class(per_class, seed=seed)
    report = {"n_members": len(members), "n_nonmembers": len(others), "steps": steps}
    for name, pc in (("overfit", per_class), ("generalising", None)):
        model, schedule = digits_diffusion(per_class=pc, steps=steps, seed=seed)
        m = diffusion_losses(model, schedule, to_signed(members.images), members.labels, seed=seed)
        o = diffusion_losses(model, schedule, to_signed(others.images), others.labels, seed=seed)
        report[name] = {"auc": membership_auc(m, o), "training_images": len(members) if pc else len(train),
                        "member_losses": m, "nonmember_losses": o}
    return report


def depixelation_experiment(*, block: int = 4, steps: int = 600, width: int = 32, depth: int = 4,
                            components: int = 20, seed: int = 0) -> dict:
    """Train the de-pixelator on the 80 training faces; PSNR gain on the 20 held-out faces; and how often
    an eigenface matcher (fitted on the training faces) picks the right face out of a gallery of all 100
    originals from the pixelated and from the de-pixelated held-out faces (chance: 1 %)."""
    from .anonymise import pixelate
    from .depixelate import Depixelator, depixelation_gain, train_depixelator
    from .reidentify import EigenfaceMatcher, reidentification_rate
    train, test = load_dataset("faces", split="train", seed=seed), load_dataset("faces", split="test", seed=seed)
    faces_train, faces_test = train.images[train.labels == 1], test.images[test.labels == 1]
    torch.manual_seed(seed)
    model = Depixelator(width=width, depth=depth)
    train_depixelator(model, faces_train, block=block, steps=steps, seed=seed)
    report = depixelation_gain(model, faces_test, block=block)
    pixelated = pixelate(faces_test, block=block)
    with torch.no_grad():
        restored = model(pixelated)
    matcher = EigenfaceMatcher(components=components).fit(faces_train)
    gallery = torch.cat([faces_test, faces_train])        # probe i's own face is gallery face i
    report["reidentified"] = {"pixelated": reidentification_rate(matcher, pixelated, gallery),
                              "de-pixelated": reidentification_rate(matcher, restored, gallery),
                              "gallery": len(gallery), "chance": 1 / len(gallery)}
    report["steps"] = steps
    report["model"] = model
    return report


def watermark_experiment(*, size: int = 256, package: bool = True) -> dict:
    """Robustness tables for the course's DWT+DCT watermark and (if installed) invisible-watermark's
    dwtDct, on the photos (each a different random 32-bit message); the false-positive rate is read
    on the 4 x 15 quarters of the photos at twice the size, none of them marked."""
    from .robustness import package_embed, package_extract, robustness_table
    from .watermark import embed, extract
    photos = load_dataset("photos", size=size).images
    big = load_dataset("photos", size=2 * size).images  # clean images for the false-positive rate:
    clean = torch.cat([big[:, :, :size, :size], big[:, :, :size, size:], big[:, :, size:, :size],
                       big[:, :, size:, size:]])       # the four quarters of every photo, never marked
    report = {"course": robustness_table(photos, embed_fn=embed, extract_fn=extract, clean=clean)}
    if package:
        try:
            report["invisible-watermark"] = robustness_table(photos, embed_fn=package_embed,
                                                             extract_fn=package_extract, clean=clean)
        except ImportError as error:
            report["invisible-watermark"] = str(error)
    return report
