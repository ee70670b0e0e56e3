"""An independent style judge: a small CNN that tells the course's procedural styles apart.

It is trained only on patches of the style images themselves (seeds STYLE_TRAIN_SEEDS) and tested on
patches of images drawn with other seeds (STYLE_TEST_SEEDS), so it never sees a photo or a stylised
output. It then grades stylisation: does the output carry the intended style?

    judge = load_style_judge()            # trained once (150 steps), cached in cache_dir()
    judge.accuracy                        # on held-out patches
    judge.classify(images)                # (B, 3, H, W) in [0, 1] -> (B,) style index (averaged over crops)
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checks import check_int, check_seed
from ..device import cache_dir
from .features import check_image
from .images import STYLES, style_image

VERSION = 1
PATCH = 48                                  # side of the patches it is trained and judged on
STYLE_TRAIN_SEEDS = tuple(range(100, 108))  # style images it learns from
STYLE_TEST_SEEDS = (200, 201, 202)          # held-out style images it is tested on


class StyleJudgeNet(nn.Module):
    """(B, 3, PATCH, PATCH) in [0, 1] -> (B, len(STYLES)) logits: three strided convs, then the mean
    AND the standard deviation of each channel over positions (texture statistics), then a linear layer."""

    def __init__(self, width: int = 24):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, width, 3, 1, 1), nn.ReLU(), nn.Conv2d(width, 2 * width, 3, 2, 1),
                                  nn.ReLU(), nn.Conv2d(2 * width, 2 * width, 3, 2, 1), nn.ReLU())
        self.head = nn.Linear(4 * width, len(STYLES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(x - 0.5)
        return self.head(torch.cat([h.mean(dim=(2, 3)), h.std(dim=(2, 3))], dim=1))


def _patches(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One random PATCH x PATCH crop of each image, in order: (N, 3, H, W) -> (N, 3, PATCH, PATCH)."""
    n, _, h, w = images.shape
    tops = torch.randint(0, h - PATCH + 1, (n,), generator=generator).tolist()
    lefts = torch.randint(0, w - PATCH + 1, (n,), generator=generator).tolist()
    return torch.stack([image[:, t:t + PATCH, l:l + PATCH] for image, t, l in zip(images, tops, lefts)])


def style_set(seeds, size: int = 128):
    """Every style drawn with each seed: images (len(seeds) * len(STYLES), 3, size, size) in [0, 1] and
    labels (same length), the index into STYLES, in the order seed by seed, style by style."""
    images = torch.cat([style_image(name, size=size, seed=seed) for seed in seeds for name in STYLES])
    labels = torch.arange(len(STYLES)).repeat(len(seeds))
    return images, labels


@dataclass
class StyleJudge:
    net: StyleJudgeNet
    accuracy: float  # on held-out patches (STYLE_TEST_SEEDS)

    @torch.no_grad()
    def probabilities(self, images: torch.Tensor, *, crops: int = 9) -> torch.Tensor:
        """images (B, 3, H, W) in [0, 1], H, W >= PATCH -> (B, len(STYLES)): softmax averaged over a
        regular grid of crops x crops patches."""
        check_image(images, "images")
        b, _, h, w = images.shape
        if min(h, w) < PATCH:
            raise ValueError(f"images must be at least {PATCH}x{PATCH}, got {h}x{w}")
        side = int(round(crops ** 0.5))
        tops = torch.linspace(0, h - PATCH, side).long().tolist()
        lefts = torch.linspace(0, w - PATCH, side).long().tolist()
        patches = torch.stack([images[:, :, t:t + PATCH, l:l + PATCH] for t in tops for l in lefts], dim=1)
        logits = self.net(patches.reshape(-1, 3, PATCH, PATCH)).reshape(b, -1, len(STYLES))
        return logits.softmax(-1).mean(1)

    def classify(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) in [0, 1] -> (B,) index into STYLES."""
        return self.probabilities(images).argmax(-1)


def train_style_judge(*, steps: int = 150, seed: int = 0) -> StyleJudge:
    """Train a StyleJudgeNet on patches of the training-seed style images; measure held-out accuracy."""
    check_int("steps", steps, low=1)
    check_seed("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    images, labels = style_set(STYLE_TRAIN_SEEDS)
    net = StyleJudgeNet()
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    for _ in range(steps):
        index = torch.randint(0, len(images), (64,), generator=generator)
        x = _patches(images[index], generator)  # one crop of each chosen image, labels aligned
        loss = F.cross_entropy(net(x), labels[index])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    net.eval()
    return StyleJudge(net=net, accuracy=held_out_accuracy(net))


@torch.no_grad()
def held_out_accuracy(net: StyleJudgeNet, *, patches_per_image: int = 40) -> float:
    """Share of random patches of held-out style images (STYLE_TEST_SEEDS) classified correctly."""
    generator = torch.Generator().manual_seed(12345)
    images, labels = style_set(STYLE_TEST_SEEDS)
    index = torch.arange(len(images)).repeat_interleave(patches_per_image)
    x = _patches(images[index], generator)
    return float((net(x).argmax(-1) == labels[index]).float().mean())


def load_style_judge(*, steps: int = 150, retrain: bool = False) -> StyleJudge:
    """The style judge, trained (for `steps` Adam steps) on first use and cached as safetensors in cache_dir()."""
    from ..checkpoint import CheckpointError, load_checkpoint, save_checkpoint

    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    path = cache_dir() / f"style-judge-{steps}-v{VERSION}.safetensors"
    if path.is_file() and not retrain:
        net = StyleJudgeNet()
        try:
            meta = load_checkpoint(path, modules={"net": net})["meta"]
            return StyleJudge(net=net.eval(), accuracy=float(meta["accuracy"]))
        except (CheckpointError, KeyError):
            pass  # a stale or broken cache: train again
    judge = train_style_judge(steps=steps)
    save_checkpoint(path, modules={"net": judge.net}, meta={"accuracy": judge.accuracy, "styles": list(STYLES)})
    return judge
