"""Chapter 09, a second opinion: a style judge built differently from the course's, run on saved outputs. Prints JSON.

    OMP_NUM_THREADS=1 STYLE_BENCH_OUTPUTS=<folder> .venv/bin/python benchmarks/style_transfer.py judge wide
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/style_second_judge.py <folder> [<folder> ...]

The course's judge (genimg_edu.style.judge) is a small CNN trained on patches of the style images drawn
with seeds 100-107. This one shares nothing with it but the task: hand-made texture statistics of a
48-pixel patch (a histogram of each colour channel, of the greyscale gradient's magnitude and of its
orientation, the energy of four band-pass filters, mean and spread of brightness and saturation) and a
logistic regression, trained on style images drawn with seeds 300-315 and tested on seeds 400-402.
Each output `<content>__<style>.pt` in a folder is judged on the same 3 x 3 grid of patches as the
course's judge (probabilities averaged). A judge that reads different cues guards against outputs that
only fool the first one.
"""
import glob
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

from genimg_edu.style import STYLES
from genimg_edu.style.judge import PATCH, style_set  # the course judge's patch size and style images

TRAIN_SEEDS = tuple(range(300, 316))
TEST_SEEDS = (400, 401, 402)
GREY = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
SOBEL = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]).view(1, 1, 3, 3)


def histograms(values: torch.Tensor, bins: int, high: float, weights: torch.Tensor | None = None) -> torch.Tensor:
    """values (N, P) in [0, high) -> (N, bins) normalised histograms (weighted by `weights` if given)."""
    index = (values / high * bins).long().clamp(0, bins - 1)
    weights = torch.ones_like(values) if weights is None else weights
    counts = torch.zeros(len(values), bins).scatter_add_(1, index, weights)
    return counts / counts.sum(1, keepdim=True).clamp_min(1e-8)


def texture_statistics(patches: torch.Tensor) -> np.ndarray:
    """patches (N, 3, PATCH, PATCH) in [0, 1] -> (N, 61) hand-made features."""
    colour = [histograms(patches[:, c].flatten(1), 8, 1.0 + 1e-6) for c in range(3)]
    grey = (patches * GREY).sum(1, keepdim=True)
    gx, gy = F.conv2d(grey, SOBEL), F.conv2d(grey, SOBEL.transpose(2, 3))
    magnitude = (gx ** 2 + gy ** 2).sqrt().flatten(1)
    angle = torch.atan2(gy, gx).flatten(1) % math.pi
    bands = []
    for k in (1, 2, 4, 8):
        fine = F.avg_pool2d(grey, 2 * k + 1, stride=1, padding=k)
        coarse = F.avg_pool2d(grey, 4 * k + 1, stride=1, padding=2 * k)
        bands.append(((fine - coarse) ** 2).mean(dim=(1, 2, 3)).sqrt())
    saturation = (patches.max(1).values - patches.min(1).values).flatten(1)
    flat_grey = grey.flatten(1)
    return torch.cat([*colour, histograms(magnitude, 8, 4.0), histograms(angle, 8, math.pi, magnitude),
                      torch.stack(bands, 1), flat_grey.mean(1, keepdim=True), flat_grey.std(1, keepdim=True),
                      saturation.mean(1, keepdim=True), saturation.std(1, keepdim=True)], 1).numpy()


def random_patches(images: torch.Tensor, per_image: int, generator: torch.Generator) -> torch.Tensor:
    side = images.shape[-1]
    crops = []
    for image in images:
        for _ in range(per_image):
            top, left = torch.randint(0, side - PATCH + 1, (2,), generator=generator).tolist()
            crops.append(image[:, top:top + PATCH, left:left + PATCH])
    return torch.stack(crops)


def train_second_judge():
    """(scaler, classifier, held-out patch accuracy)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    generator = torch.Generator().manual_seed(0)
    images, labels = style_set(TRAIN_SEEDS)
    x = texture_statistics(random_patches(images, 30, generator))
    scaler = StandardScaler().fit(x)
    classifier = LogisticRegression(max_iter=3000).fit(scaler.transform(x), np.repeat(labels.numpy(), 30))
    test_images, test_labels = style_set(TEST_SEEDS)
    x_test = scaler.transform(texture_statistics(random_patches(test_images, 40, generator)))
    accuracy = float((classifier.predict(x_test) == np.repeat(test_labels.numpy(), 40)).mean())
    return scaler, classifier, accuracy


def judge(scaler, classifier, image: torch.Tensor) -> str:
    """image (1, 3, H, W) in [0, 1] -> the style name: probabilities averaged over a 3 x 3 grid of patches."""
    _, _, h, w = image.shape
    tops, lefts = torch.linspace(0, h - PATCH, 3).long().tolist(), torch.linspace(0, w - PATCH, 3).long().tolist()
    patches = torch.stack([image[0, :, t:t + PATCH, l:l + PATCH] for t in tops for l in lefts])
    probabilities = classifier.predict_proba(scaler.transform(texture_statistics(patches))).mean(0)
    return STYLES[int(probabilities.argmax())]


def main(folders):
    scaler, classifier, accuracy = train_second_judge()
    report = {"held_out_patch_accuracy": round(accuracy, 4), "train_seeds": list(TRAIN_SEEDS),
              "test_seeds": list(TEST_SEEDS), "folders": {}}
    for folder in folders:
        rows = []
        for path in sorted(glob.glob(os.path.join(folder, "*__*.pt"))):
            content, style = os.path.basename(path)[:-3].split("__")
            rows.append({"content": content, "style": style,
                         "judged": judge(scaler, classifier, torch.load(path, weights_only=True))})
        right = sum(r["judged"] == r["style"] for r in rows)
        per_style = {s: f"{sum(r['judged'] == s for r in rows if r['style'] == s)}/{sum(r['style'] == s for r in rows)}"
                     for s in STYLES}
        report["folders"][os.path.basename(os.path.normpath(folder))] = {
            "judged_right": right, "outputs": len(rows), "share": round(right / max(len(rows), 1), 4),
            "per_style": per_style, "misses": [f"{r['content']}+{r['style']}->{r['judged']}" for r in rows
                                               if r["judged"] != r["style"]]}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
