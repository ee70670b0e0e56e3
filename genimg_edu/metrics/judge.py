"""The judges: small CNNs trained only on real data, used by every chapter to grade generated images.

A generator is only as good as the evidence for it. Instead of "it looks like a 3", a judge that has
never seen a generated image says which digit it is (or which shape, colour, size, position and
background), and gives a feature vector per image for the Fréchet distance.

    judge = load_judge("digits", size=8)        # trains in seconds, then loads from the cache
    judge.predict(x)                            # x: (N, 1, 8, 8) in [0, 1] -> (N,) long
    judge.accuracy(x, labels)                   # fraction right
    judge.features(x)                           # (N, 128) penultimate features

    judge = load_judge("shapes", size=32)
    judge.predict(x)                            # dict attr -> (N,) long
    judge.attribute_accuracy(x, {"colour": c})  # dict attr -> fraction right

Training uses the train split only, with light augmentation (shifts of a pixel or two, mild noise)
so the judge copes with what generators produce; `judge.test_accuracy` is measured on the held-out
test split. Judges are cached as safetensors in `cache_dir()`, and retrained when the cache is
missing or corrupt. Built in notebook 03.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checkpoint import load_checkpoint, save_checkpoint
from ..data import check_images, load_dataset
from ..data.shapes import ATTRIBUTES as SHAPES_ATTRIBUTE_VALUES
from ..device import cache_dir
from ..train import TrainConfig, train

VERSION = "2"  # bump when the architecture or the training recipe changes: old caches are ignored
TORCHVISION_KINDS = {"mnist": 28, "fashion_mnist": 28, "cifar10": 32}  # kind -> its one image size
KINDS = ("digits", "shapes", *TORCHVISION_KINDS)
CLASS_NAMES = {  # single-label kinds: what the predicted indices mean (torchvision's order)
    "digits": [str(d) for d in range(10)], "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                      "Bag", "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
DIGIT_SIZES = (8, 16, 28, 32)
SHAPE_VALUES = SHAPES_ATTRIBUTE_VALUES
SHAPE_ATTRIBUTES = {name: len(values) for name, values in SHAPE_VALUES.items()}
FEATURE_DIM = 128


@dataclass
class Recipe:
    """How a judge is trained (the same recipe for every size of one kind)."""

    epochs: dict[int, int]  # size -> passes over the train split (bigger images, fewer passes)
    batch_size: int
    lr: float            # peak learning rate of a one-cycle schedule (AdamW)
    max_shift: float     # random shift, as a fraction of the image side
    max_noise: float     # Gaussian noise with sigma ~ U(0, max_noise), then clamped to [0, 1]
    seed: int = 0


RECIPES = {
    "digits": Recipe(epochs={8: 40, 16: 30, 28: 20, 32: 20}, batch_size=64, lr=3e-3,
                     max_shift=1 / 8, max_noise=0.1),
    "shapes": Recipe(epochs={16: 12, 32: 8}, batch_size=64, lr=3e-3,
                     max_shift=1 / 16, max_noise=0.1),
    # the torchvision sets are 35-40x bigger than digits: a few passes suffice (GPU presets use them)
    "mnist": Recipe(epochs={28: 3}, batch_size=128, lr=3e-3, max_shift=1 / 14, max_noise=0.1),
    "fashion_mnist": Recipe(epochs={28: 6}, batch_size=128, lr=3e-3, max_shift=1 / 14, max_noise=0.1),
    "cifar10": Recipe(epochs={32: 15}, batch_size=128, lr=3e-3, max_shift=1 / 16, max_noise=0.05),
}


def _heads(kind: str) -> dict[str, int]:
    """The classifier heads of a kind: one ("digit" / "label") or the five shapes attributes."""
    if kind == "shapes":
        return SHAPE_ATTRIBUTES
    return {"digit" if kind in ("digits", "mnist") else "label": 10}


def _channels(kind: str) -> int:
    return 3 if kind in ("shapes", "cifar10") else 1


class JudgeNet(nn.Module):
    """Conv stages (conv-BN-ReLU, then 2x2 max-pool) down to 4x4, a 128-d feature layer, one head per
    attribute. x: (N, C, size, size) in [0, 1] -> dict head -> (N, classes) logits.

    Chapter 03's `SmallCNN` (genimg_edu.vision) is the same idea kept minimal for teaching (two conv
    blocks, no batch norm, no feature layer); the judge needs a conv stage per halving down to 4x4,
    batch norm and the 128-d feature layer the Fréchet distance reads. Building the judge from
    SmallCNN would change every judge's weights and with them every chapter's measured numbers."""

    def __init__(self, in_channels: int, size: int, heads: dict[str, int]):
        super().__init__()
        n_pools = 0
        while size >> n_pools > 4 and (size >> n_pools) % 2 == 0:
            n_pools += 1
        base = max(16, 64 >> n_pools)
        layers, channels = [], in_channels
        for stage in range(n_pools + 1):
            width = min(64, base << stage)
            layers += [nn.Conv2d(channels, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                       nn.ReLU()]
            if stage < n_pools:
                layers.append(nn.MaxPool2d(2))
            channels = width
        layers.append(nn.AdaptiveAvgPool2d(4))  # 28 -> 7 -> 4; a no-op for powers of two
        self.body = nn.Sequential(*layers)
        self.embed = nn.Sequential(nn.Flatten(), nn.Linear(channels * 16, FEATURE_DIM), nn.ReLU())
        self.drop = nn.Dropout(0.2)
        self.heads = nn.ModuleDict({name: nn.Linear(FEATURE_DIM, k) for name, k in heads.items()})

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.embed(self.body(x))  # (N, 128)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = self.drop(self.features(x))
        return {name: head(h) for name, head in self.heads.items()}


def _augment(x: torch.Tensor, recipe: Recipe, generator: torch.Generator) -> torch.Tensor:
    """Shift each image by a few whole pixels (zero-free: edge pixels repeat) and add mild noise."""
    n, _, size, _ = x.shape
    shift = max(1, round(recipe.max_shift * size))
    padded = F.pad(x, (shift,) * 4, mode="replicate")
    dy, dx = torch.randint(0, 2 * shift + 1, (2, n), generator=generator)
    rows = (dy[:, None] + torch.arange(size))[:, :, None]  # (n, size, 1)
    cols = (dx[:, None] + torch.arange(size))[:, None, :]  # (n, 1, size)
    batch = torch.arange(n)[:, None, None]
    shifted = padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)
    sigma = torch.rand(n, 1, 1, 1, generator=generator) * recipe.max_noise
    return (shifted + sigma * torch.randn(shifted.shape, generator=generator)).clamp(0, 1)


def _real_data(kind: str, size: int, split: str, download: bool = False):
    """(images, dict head -> labels) of the real data a judge trains / is tested on."""
    if kind in TORCHVISION_KINDS:  # not on disk and download=False: DatasetNotDownloadedError says how
        ds = load_dataset(kind, split=split, download=download)
        return ds.images, {next(iter(_heads(kind))): ds.labels}
    if kind == "digits":
        ds = load_dataset("digits", split=split, size=size)
        return ds.images, {"digit": ds.labels}
    ds = load_dataset("shapes", split=split, size=size)
    return ds.images, dict(ds.attributes)


def _check_kind_size(kind, size):
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "digits" and size not in DIGIT_SIZES:
        raise ValueError(f"digits judges exist for size in {DIGIT_SIZES}, got {size!r}")
    if kind == "shapes" and (not isinstance(size, int) or not 16 <= size <= 128):
        raise ValueError(f"shapes judges exist for int size in [16, 128], got {size!r}")
    if kind in TORCHVISION_KINDS and size != TORCHVISION_KINDS[kind]:
        raise ValueError(f"{kind} judges exist for size {TORCHVISION_KINDS[kind]} only, got {size!r}")


class Judge:
    """A trained judge: `predict`, `features`, `accuracy` / `attribute_accuracy`, `test_accuracy`."""

    def __init__(self, kind: str, size: int, net: JudgeNet, meta: dict):
        self.kind, self.size, self.net, self.meta = kind, size, net.eval(), meta
        self.channels = _channels(kind)
        self.heads = list(net.heads)
        # what the predicted indices mean: digits ["0".."9"], cifar10 names...; shapes attr -> value names
        self.classes = dict(SHAPE_VALUES) if kind == "shapes" else CLASS_NAMES[kind]
        self.test_accuracy = meta.get("test_accuracy")  # float (digits) or dict attr -> float
        self.train_seconds = meta.get("train_seconds")

    def __repr__(self):
        return f"Judge(kind={self.kind!r}, size={self.size}, test_accuracy={self.test_accuracy})"

    def _check(self, x: torch.Tensor) -> torch.Tensor:
        check_images(x, value_range=(0, 1), channels=self.channels, name="x")
        if not torch.isfinite(x).all():
            raise ValueError("x contains NaN or infinite values (did the generator diverge?)")
        if tuple(x.shape[2:]) != (self.size, self.size):
            raise ValueError(f"this judge takes (N, {self.channels}, {self.size}, {self.size}) images, "
                             f"got {tuple(x.shape)}; load_judge({self.kind!r}, size={x.shape[-1]}) "
                             "for other sizes")
        return x.detach().to("cpu", torch.float32)

    @torch.no_grad()
    def _batched(self, fn, x: torch.Tensor, batch_size: int = 512):
        x = self._check(x)
        outs = [fn(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
        if not outs:
            raise ValueError("x is empty: need at least one image")
        if isinstance(outs[0], dict):
            return {k: torch.cat([o[k] for o in outs]) for k in outs[0]}
        return torch.cat(outs)

    def logits(self, x: torch.Tensor):
        """Digits: (N, 10); shapes: dict attr -> (N, classes)."""
        out = self._batched(self.net, x)
        return out if self.kind == "shapes" else out[self.heads[0]]

    def predict(self, x: torch.Tensor):
        """x: (N, C, size, size) in [0, 1]. Digits: (N,) long; shapes: dict attr -> (N,) long."""
        out = self._batched(self.net, x)
        labels = {k: v.argmax(1) for k, v in out.items()}
        return labels if self.kind == "shapes" else labels[self.heads[0]]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 128) penultimate features (what the Fréchet distance compares)."""
        return self._batched(self.net.features, x)

    def accuracy(self, x: torch.Tensor, labels: torch.Tensor) -> float:
        """Fraction of x classified as `labels` (digits: the digit; shapes: the shape index)."""
        head = "shape" if self.kind == "shapes" else self.heads[0]
        return self._accuracies(x, {head: labels})[head]

    def attribute_accuracy(self, x: torch.Tensor, attributes: dict) -> dict[str, float]:
        """Shapes: attributes is a (partial) dict attr -> (N,) long; returns dict attr -> fraction."""
        if self.kind != "shapes":
            raise ValueError("attribute_accuracy is for the shapes judge; use accuracy(x, labels)")
        if not isinstance(attributes, dict) or not attributes:
            raise TypeError(f"attributes must be a non-empty dict with keys from {self.heads}")
        return self._accuracies(x, attributes)

    def _accuracies(self, x, wanted: dict) -> dict[str, float]:
        for name, labels in wanted.items():
            if name not in self.net.heads:
                raise ValueError(f"unknown attribute {name!r}; choose from {self.heads}")
            if (not isinstance(labels, torch.Tensor) or labels.shape != (len(x),)
                    or labels.is_floating_point()):
                raise ValueError(f"{name} labels must be an integer tensor of shape ({len(x)},)")
            k = self.net.heads[name].out_features
            if labels.numel() and (labels.min() < 0 or labels.max() >= k):
                raise ValueError(f"{name} labels must lie in [0, {k}), got [{labels.min()}, {labels.max()}]")
        out = self._batched(self.net, x)
        return {name: (out[name].argmax(1) == labels.cpu()).float().mean().item()
                for name, labels in wanted.items()}


class _EpochBatches:
    """The judge recipe's batch order: each epoch a fresh permutation of the train split, drawn from
    the recipe's generator (which also draws the augmentation), cut into batches with a shorter last
    one. A `train()` batch_rows(step); called once per step, in order."""

    def __init__(self, n: int, batch_size: int, generator: torch.Generator, rng_after_init: torch.Tensor):
        self.n, self.batch_size, self.generator = n, batch_size, generator
        self.steps_per_epoch = -(-n // batch_size)
        self.rng_after_init, self.order = rng_after_init, None

    def __call__(self, step: int) -> torch.Tensor:
        if step == 0:  # train() reseeds torch at its start; dropout continues the stream the weights came from
            torch.set_rng_state(self.rng_after_init)
        i = step % self.steps_per_epoch
        if i == 0:
            self.order = torch.randperm(self.n, generator=self.generator)
        return self.order[i * self.batch_size:(i + 1) * self.batch_size]


def train_judge(kind: str, *, size: int, progress: bool = False, download: bool = False,
                device=None) -> Judge:
    """Train a judge from scratch on the real train split with `genimg_edu.train.train` (AdamW, a
    one-cycle schedule, no gradient clipping); measure it on the held-out test split.
    download: torchvision kinds only, fetch the data if missing. device: where to train (default cpu;
    the weights come back to the cpu)."""
    _check_kind_size(kind, size)
    recipe = RECIPES[kind]
    device = torch.device(device or "cpu")
    start = time.perf_counter()
    images, labels = _real_data(kind, size, "train", download)
    heads = _heads(kind)
    generator = torch.Generator().manual_seed(recipe.seed)  # batch order and augmentation
    torch.manual_seed(recipe.seed)  # weight init
    net = JudgeNet(images.shape[1], size, heads).to(device)
    batches = _EpochBatches(len(images), recipe.batch_size, generator, torch.get_rng_state())
    epochs = recipe.epochs.get(size, 8)
    total = epochs * batches.steps_per_epoch
    optimizer = torch.optim.AdamW(net.parameters(), lr=recipe.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=recipe.lr, total_steps=total)

    def loss_fn(model, batch):
        x, *targets = batch  # augmented on the cpu, where the recipe's generator lives
        out = model(_augment(x.cpu(), recipe, generator).to(device, non_blocking=True))
        return sum(F.cross_entropy(out[k], y) for k, y in zip(heads, targets))

    config = TrainConfig(steps=total, batch_size=recipe.batch_size, lr=recipe.lr, seed=recipe.seed,
                         grad_clip=None, device=device, log_every=batches.steps_per_epoch, progress=progress)
    train(net, loss_fn, (images, *(labels[k] for k in heads)), config=config, optimizer=optimizer,
          on_step=[lambda step, model: schedule.step()], batch_rows=batches)
    seconds = time.perf_counter() - start
    judge = Judge(kind, size, net.cpu(), {})
    test_images, test_labels = _real_data(kind, size, "test", download)
    accuracy = judge._accuracies(test_images, test_labels)
    judge.test_accuracy = accuracy if kind == "shapes" else accuracy[judge.heads[0]]
    judge.train_seconds = seconds
    judge.meta = {"kind": kind, "size": size, "version": VERSION, "test_accuracy": judge.test_accuracy,
                  "train_seconds": round(seconds, 2), "epochs": epochs}
    return judge


def judge_path(kind: str, size: int) -> Path:
    """Where the judge for (kind, size) is cached."""
    return cache_dir() / f"judge-{kind}-{size}-v{VERSION}.safetensors"


def _save(judge: Judge, path: Path) -> None:
    """Write the judge's weights and meta atomically (safetensors, temp file + os.replace)."""
    save_checkpoint(path, modules={"net": judge.net}, meta=judge.meta)


def _load(kind: str, size: int, path: Path) -> Judge:
    """Read a cached judge; any problem (garbage, truncation, stale version) raises ValueError."""
    net = JudgeNet(_channels(kind), size, _heads(kind))
    meta = load_checkpoint(path, modules={"net": net})["meta"]
    if (meta.get("kind"), meta.get("size"), meta.get("version")) != (kind, size, VERSION):
        raise ValueError(f"{path} holds {meta.get('kind')}/{meta.get('size')}/v{meta.get('version')}")
    if meta.get("test_accuracy") is None:
        raise ValueError(f"{path} has no recorded test accuracy")
    return Judge(kind, size, net, meta)


def load_judge(kind: str, *, size: int, cache: bool = True, retrain: bool = False,
               progress: bool = False, download: bool = False, device=None) -> Judge:
    """The judge for `kind` ("digits" | "shapes" | "mnist" | "fashion_mnist" | "cifar10") at `size`
    pixels: loaded from its safetensors cache, or trained (seconds for 8x8 digits, under a minute for
    32x32 shapes on 2 CPU cores) and cached. The torchvision kinds (28 px; cifar10 32 px) train on
    their real train split, which must be on disk or fetched with download=True; device: where to
    train them (a GPU preset passes its GPU).

    cache=False never touches the disk; retrain=True trains afresh and overwrites the cache. A missing
    or unreadable cache file is retrained and rewritten. Writes are atomic, so notebooks that train
    the same judge at once are safe.
    """
    _check_kind_size(kind, size)
    path = judge_path(kind, size) if cache else None  # cache=False: not even the cache folder is made
    if cache and not retrain and path.exists():
        try:
            return _load(kind, size, path)
        except (ValueError, OSError) as error:  # corrupt, truncated or stale: retrain below
            warnings.warn(f"judge cache {path.name} unreadable ({type(error).__name__}: {error}); "
                          "retraining", stacklevel=2)
    judge = train_judge(kind, size=size, progress=progress, download=download, device=device)
    if cache:
        try:
            _save(judge, path)
        except OSError as error:  # the trained judge is still good: keep it, say why it is not cached
            warnings.warn(f"could not cache the judge in {path} ({error.strerror or error}); it is used "
                          "anyway but will be trained again next time: set GENIMG_CACHE to a folder you "
                          "can write to", stacklevel=2)
    return judge
