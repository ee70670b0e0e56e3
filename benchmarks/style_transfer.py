"""Chapter 09 benchmark: style transfer, measured. Prints JSON.

Sections (run all, or name some): speed tradeoff judge wide feedforward chance
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/style_transfer.py            # everything
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/style_transfer.py judge      # one section
    STYLE_BENCH_WIDE=moon,brick,face0 ... benchmarks/style_transfer.py wide      # part of the wider set

judge: the four photos the chapter uses (CONTENTS); wide: every other scikit-image photo the course
ships, the three textures and two LFW faces (WIDE_CONTENTS), never used to choose anything.
chance: every output of both sets against every other photo -- what SSIM an unrelated photo scores
(STYLE_BENCH_OUTPUTS=<folder> keeps the 80 outputs there, so a second run only compares).

Bars (issue 9): 128 px, 200 optimiser steps <= 30 s on 2 cores; style loss falls to <= 10 % of its
start; across three style weights the Gram distance to the style and the SSIM to the content both
move monotonically; the style judge is >= 95 % right on held-out patches and labels >= 90 % of
stylised outputs with the intended style while greyscale SSIM to the content stays >= SSIM_FLOOR;
one-pass (feed-forward) stylising <= 50 ms per 128 px image, its training <= 3 min.
GENIMG_FAST=1 runs a tiny smoke version (no bars).
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

from genimg_edu.data.images import PHOTOS, TEXTURES, load_faces
from genimg_edu.device import fast_mode, steps
from genimg_edu.style import (STYLES, FeedForwardConfig, RandomFeatures, StyleConfig, content_image, gram_matrix,
                              grey_ssim, load_style_judge, style_image, style_loss, stylise, stylise_fast,
                              texture_image, train_feedforward)

SIZE = 128
STEPS = steps(200, 5)          # full-size optimiser steps
COARSE_STEPS = steps(100, 3)   # half-size steps before them (StyleConfig's coarse-to-fine default)
CONTENTS = tuple(os.environ.get("STYLE_BENCH_CONTENTS", "astronaut,chelsea,coffee,rocket").split(","))
CONTENTS = CONTENTS if not fast_mode() else CONTENTS[:1]
_WIDE = [p for p in PHOTOS if p not in ("astronaut", "chelsea", "coffee", "rocket")] + [*TEXTURES, "face0", "face1"]
WIDE_CONTENTS = tuple(os.environ.get("STYLE_BENCH_WIDE", ",".join(_WIDE)).split(","))
WIDE_CONTENTS = WIDE_CONTENTS if not fast_mode() else WIDE_CONTENTS[:1]
STYLE_WEIGHTS = (0.1, 1.0, 10.0)
DEFAULT_STYLE_WEIGHT = StyleConfig().style_weight  # 3: content at all five scales of RandomFeatures (1 at scale4 only)
SSIM_FLOOR = 0.15             # greyscale structure the stylised output must keep (see docs)
STYLE_SEED = 1                # style images drawn with this seed (the judge trained on seeds 100..107)


def machine() -> dict:
    return {"torch_threads": torch.get_num_threads(), "load_average_1min": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count()}


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, round(time.perf_counter() - wall, 2), round(time.process_time() - cpu, 2)


def load_content(name: str) -> torch.Tensor:
    """A content picture (1, 3, SIZE, SIZE) in [0, 1]: a scikit-image photo, a texture, or "faceK" --
    the K-th face of the LFW test split (25x25 grey), enlarged with bicubic interpolation."""
    if name.startswith("face"):
        faces = load_faces(split="test")
        face = faces.images[faces.labels == 1][int(name[4:])][None]
        return F.interpolate(face, size=SIZE, mode="bicubic", align_corners=False).clamp(0, 1).repeat(1, 3, 1, 1)
    if name in TEXTURES:
        return texture_image(name, size=SIZE)
    return content_image(name, size=SIZE)


def gram_distance(net, x, style) -> float:
    """Normalised Gram distance of x to the style over all style layers (the style loss itself)."""
    with torch.no_grad():
        grams = {k: gram_matrix(v) for k, v in net(style).items()}
        return float(style_loss(net(x), grams, layers=net.style_layers))


def speed(net) -> dict:
    content, style = content_image("astronaut", size=SIZE), style_image("swirl", size=SIZE, seed=STYLE_SEED)
    out = {}
    runs = {"lbfgs": ("lbfgs", 0.5), "adam": ("adam", 0.5), "lbfgs_full_size_only": ("lbfgs", None)}
    for name, (optimiser, coarse_scale) in runs.items():
        config = StyleConfig(steps=STEPS, optimiser=optimiser, style_weight=DEFAULT_STYLE_WEIGHT,
                             coarse_scale=coarse_scale, coarse_steps=COARSE_STEPS)
        result, wall, cpu = timed(lambda: stylise(content, style, net=net, config=config))
        ratio = result.history[-1]["style"] / result.history[0]["style"]  # history[0]: the photo, full size
        coarse = COARSE_STEPS if result.coarse_history else 0
        out[name] = {"full_size_steps": result.steps - coarse, "half_size_steps": coarse, "wall_s": wall, "cpu_s": cpu,
                     "style_loss_start": result.history[0]["style"], "style_loss_end": result.history[-1]["style"],
                     "style_loss_ratio": round(ratio, 5), **machine()}
    return out


def tradeoff(net) -> dict:
    content, style = content_image("astronaut", size=SIZE), style_image("stained_glass", size=SIZE, seed=STYLE_SEED)
    rows = []
    for weight in STYLE_WEIGHTS:
        config = StyleConfig(steps=STEPS, style_weight=weight, coarse_steps=COARSE_STEPS)
        result = stylise(content, style, net=net, config=config)
        rows.append({"style_weight": weight, "gram_distance": gram_distance(net, result.image, style),
                     "ssim_to_content": grey_ssim(result.image, content)})
    grams, ssims = [r["gram_distance"] for r in rows], [r["ssim_to_content"] for r in rows]
    return {"rows": rows, "gram_distance_decreasing": all(a > b for a, b in zip(grams, grams[1:])),
            "ssim_decreasing": all(a > b for a, b in zip(ssims, ssims[1:])), **machine()}


def judge_section(net, contents=None) -> dict:
    """Stylise every content x every style; the bar: judged as the intended style AND SSIM >= SSIM_FLOOR."""
    contents = CONTENTS if contents is None else contents
    judge, wall, _ = timed(load_style_judge)
    rows = []
    for content_name in contents:
        content = load_content(content_name)
        for index, name in enumerate(STYLES):
            image = _stylised(content_name, name, net, content=content)
            label = int(judge.classify(image)[0])
            ssim = grey_ssim(image, content)
            rows.append({"content": content_name, "style": name, "judged": STYLES[label], "ssim": round(ssim, 3),
                         "passed": bool(label == index and ssim >= SSIM_FLOOR)})
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)  # progress
    baseline = {name: round(grey_ssim(style_image(name, size=SIZE, seed=STYLE_SEED), load_content(c)), 3)
                for name in STYLES for c in contents[:1]}
    photos = torch.cat([load_content(c) for c in contents])
    correct = sum(r["judged"] == r["style"] for r in rows)
    return {"judge_held_out_accuracy": judge.accuracy, "judge_load_or_train_s": wall,
            "stylised_judged_correct": correct / len(rows), "min_ssim": min(r["ssim"] for r in rows),
            "ssim_floor": SSIM_FLOOR, "all_above_floor": all(r["ssim"] >= SSIM_FLOOR for r in rows),
            "passed": sum(r["passed"] for r in rows), "cases": len(rows),
            "bar_share": round(sum(r["passed"] for r in rows) / len(rows), 4),
            "ssim_style_image_to_content": baseline,
            "photos_judged_as": [STYLES[i] for i in judge.classify(photos).tolist()], "rows": rows, **machine()}


def wide_section(net) -> dict:
    return judge_section(net, WIDE_CONTENTS)


def feedforward(net) -> dict:
    style = style_image("swirl", size=SIZE, seed=STYLE_SEED)
    config = FeedForwardConfig(steps=steps(400, 5), style_weight=DEFAULT_STYLE_WEIGHT)
    (model, history), wall, cpu = timed(lambda: train_feedforward(style, net=net, config=config))
    photos = torch.cat([content_image(c, size=SIZE) for c in ("astronaut", "chelsea", "coffee", "rocket")])
    stylise_fast(model, photos[:1])  # warm-up
    repeats = steps(20, 2)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(repeats):
        stylise_fast(model, photos[i % len(photos):i % len(photos) + 1])
    per_image_ms = (time.perf_counter() - start) / repeats * 1000
    cpu_per_image_ms = (time.process_time() - cpu) / repeats * 1000
    outputs = stylise_fast(model, photos)
    judge = load_style_judge()
    judged = [STYLES[i] for i in judge.classify(outputs).tolist()]
    ssims = [round(grey_ssim(o[None], p[None]), 3) for o, p in zip(outputs, photos)]
    return {"train_steps": config.steps, "train_wall_s": wall, "train_cpu_s": cpu,
            "style_loss_start": history[0]["style"], "style_loss_end": history[-1]["style"],
            "ms_per_128px_image": round(per_image_ms, 2),
            "cpu_ms_per_128px_image": round(cpu_per_image_ms, 2), "judged": judged, "ssim": ssims, **machine()}


def _stylised(content_name: str, style_name: str, net, *, content: torch.Tensor | None = None) -> torch.Tensor:
    """One pair stylised with the benchmark's defaults (content: the loaded picture, if the caller has it);
    kept in $STYLE_BENCH_OUTPUTS (a folder) if that is set, so the judge and chance sections share it."""
    folder = os.environ.get("STYLE_BENCH_OUTPUTS")
    path = os.path.join(folder, f"{content_name}__{style_name}.pt") if folder else None
    if path and os.path.exists(path):
        return torch.load(path, weights_only=True)
    content = load_content(content_name) if content is None else content
    image = stylise(content, style_image(style_name, size=SIZE, seed=STYLE_SEED), net=net,
                    config=StyleConfig(steps=STEPS, style_weight=DEFAULT_STYLE_WEIGHT,
                                       coarse_steps=COARSE_STEPS)).image
    if path:
        os.makedirs(folder, exist_ok=True)
        torch.save(image, path)
    return image


def chance_section(net) -> dict:
    """Is the SSIM floor above chance? Every output of the chapter and wider sets is compared with its own
    photo and with every other photo of both sets: the SSIM an output reaches against an unrelated photo
    is what "no content kept" scores. Reports that null distribution's quantiles, the pass counts with the
    fixed floor and with its 95th percentile, and a photo-relative test: judged right and closer (SSIM)
    to its own photo than to any other photo of the 20."""
    judge = load_style_judge()
    names = list(CONTENTS) + [c for c in WIDE_CONTENTS if c not in CONTENTS]
    photos = {name: load_content(name) for name in names}
    rows, null = [], []
    for content_name in names:
        for index, style_name in enumerate(STYLES):
            image = _stylised(content_name, style_name, net)
            others = [grey_ssim(image, photos[o]) for o in names if o != content_name]
            null += others
            rows.append({"content": content_name, "style": style_name, "wide": content_name not in CONTENTS,
                         "judged_right": int(judge.classify(image)[0]) == index,
                         "ssim_own": round(grey_ssim(image, photos[content_name]), 3),
                         "ssim_best_other": round(max(others), 3) if others else None})
    null_t = torch.tensor(null) if null else torch.zeros(1)
    quantiles = {f"q{int(q * 100)}": round(float(torch.quantile(null_t, q)), 3) for q in (0.5, 0.95, 0.99, 1.0)}
    report = {"photos": len(names), "null_pairs": len(null), "null_ssim": quantiles, **machine()}
    for group, wide in (("chapter", False), ("wide", True)):
        g = [r for r in rows if r["wide"] == wide]
        report[group] = {
            "pairs": len(g),
            "judged_right_and_ssim_at_least_floor": sum(r["judged_right"] and r["ssim_own"] >= SSIM_FLOOR for r in g),
            "judged_right_and_ssim_at_least_null_q95": sum(r["judged_right"] and r["ssim_own"] >= quantiles["q95"] for r in g),
            "judged_right_and_own_photo_closest": sum(r["judged_right"] and r["ssim_best_other"] is not None
                                                      and r["ssim_own"] > r["ssim_best_other"] for r in g)}
    report["rows"] = rows
    return report


SECTIONS = {"speed": speed, "tradeoff": tradeoff, "judge": judge_section, "wide": wide_section,
            "feedforward": feedforward, "chance": chance_section}

if __name__ == "__main__":
    wanted = sys.argv[1:] or list(SECTIONS)
    unknown = [w for w in wanted if w not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
    net = RandomFeatures()
    report = {"size": SIZE, "steps": STEPS, "fast": fast_mode(), "start": machine()}
    for name in wanted:
        report[name] = SECTIONS[name](net)
        print(json.dumps({name: report[name]}), file=sys.stderr, flush=True)  # progress
    report["end"] = machine()
    print(json.dumps(report, indent=1))
