"""Chapter 10 benchmark: every measured number of the ethics chapter, one section at a time.

Sections: detector, faceswap, bias, memorisation, membership, depixelate, watermark, credentials.
Bars (issue 10): detector >= 95 % on the generator it was trained on (report the drop on an unseen
generator and after JPEG 75 + resize; both detectors); bias after mitigation within +-10 points of the
20 % target at guidance 1, 3 and 5; de-pixelated faces re-identified by an eigenface matcher;
membership ROC AUC >= 0.8 (overfit) vs about 0.5 (generalising); watermark 100 % bits and >= 38 dB
without attack. Prints JSON (with wall and CPU seconds per section). Trained models are cached in
cache_dir()/ethics; pass --fresh to retrain (a private cache); --seed re-measures with other data
orders, initial weights and samples (every section but watermark and credentials). Run (one
benchmark at a time):
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ethics.py --threads 1 [--only detector,bias] [--fresh] [--seed 1]
"""
import argparse
import json
import os
import tempfile
import time

import torch

SECTIONS = ("detector", "faceswap", "bias", "memorisation", "membership", "depixelate", "watermark", "credentials")


def _plain(value):
    """Numbers, strings, lists and dicts only (tensors become lists, models and images are dropped)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if k not in ("images", "model")}
    if isinstance(value, torch.Tensor):
        return [round(float(v), 5) for v in value.flatten()] if value.numel() <= 8 else None
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def credentials() -> dict:
    import numpy as np
    from genimg_edu.data import load_dataset
    from genimg_edu.ethics import credentials as cr
    from genimg_edu.ethics.metadata import png_with_text, read_text
    image = (load_dataset("photos", size=256, names=["astronaut"]).images[0].permute(1, 2, 0).numpy() * 255)
    image = image.round().astype(np.uint8)
    tagged = png_with_text(image, {"prompt": "an astronaut", "generator": "genimg-edu"})
    report = {"metadata": {"written": read_text(tagged), "after_reencode": read_text(cr.reencode(tagged, format="PNG"))}}
    try:
        chain = cr.make_test_chain()
    except ImportError as error:
        return {**report, "c2pa": str(error)}
    signed = cr.sign_image(cr.png_bytes(image), chain=chain, generator="genimg-edu")
    strip = lambda r: None if r is None else {k: v for k, v in r.items() if k != "manifest"}
    report["c2pa"] = {"signed": strip(cr.read_credentials(signed)),
                      "one_pixel_changed": strip(cr.read_credentials(cr.change_one_pixel(signed))),
                      "reencoded_jpeg": strip(cr.read_credentials(cr.reencode(signed))),
                      "bytes_added": len(signed) - len(cr.png_bytes(image))}
    return report


def run(section: str, *, detector_size: int = 16, seed: int = 0) -> dict:
    from genimg_edu.ethics import experiments as ex
    if section == "detector":
        return ex.detector_experiment(size=detector_size, seed=seed)
    if section == "faceswap":
        return ex.faceswap_experiment(seed=seed)
    if section == "bias":  # also the shape-only model on reweighted data: the mitigation guidance undoes
        return ex.bias_experiment(reweighting_only=True, seed=seed)
    if section == "memorisation":
        return ex.memorisation_experiment(seed=seed)
    if section == "membership":
        result = ex.membership_experiment(seed=seed)
        for name in ("overfit", "generalising"):
            for key in ("member_losses", "nonmember_losses"):
                losses = result[name].pop(key)
                result[name][key.replace("losses", "median_loss")] = float(losses.median())
        return result
    if section == "depixelate":
        return ex.depixelation_experiment(seed=seed)
    if section == "watermark":
        return ex.watermark_experiment()
    return credentials()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--fresh", action="store_true", help="retrain everything in a private cache")
    parser.add_argument("--detector-size", type=int, default=16, choices=(8, 16),
                        help="digit size for the detector section (the notebook uses 16)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every trained section (the notebook uses 0)")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    for section in chosen:
        if section not in SECTIONS:
            parser.error(f"unknown section {section!r}; choose from {SECTIONS}")
    torch.set_num_threads(args.threads)
    if args.fresh:
        os.environ["GENIMG_CACHE"] = tempfile.mkdtemp(prefix="genimg_ethics_")
    out = {"threads": args.threads, "seed": args.seed, "load_average_start": os.getloadavg(), "sections": {}}
    for section in chosen:
        wall, cpu = time.perf_counter(), time.process_time()
        result = _plain(run(section, detector_size=args.detector_size, seed=args.seed))
        result["wall_seconds"] = round(time.perf_counter() - wall, 1)
        result["cpu_seconds"] = round(time.process_time() - cpu, 1)
        out["sections"][section] = result
        print(json.dumps({section: result}), flush=True)
    out["load_average_end"] = os.getloadavg()
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
