"""MNIST, Fashion-MNIST and CIFAR-10 through torchvision — downloaded only when you ask.

The course runs offline on `digits` and `shapes`; these bigger classics are an optional extra::

    ds = load_torchvision("mnist", download=True)   # once, needs the internet (about 12 MB)
    ds = load_torchvision("mnist")                  # afterwards, from the local cache

Files live in `cache_dir() / "torchvision"` unless `root` says otherwise.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .imageset import ImageSet, check_value_range

TORCHVISION_SETS = ("mnist", "fashion_mnist", "cifar10")
_CLASS_NAMES = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "cifar10": "CIFAR10"}
_OFFLINE_HINT = ('The course\'s offline data sets need no download: load_dataset("digits") for '
                 'handwritten digits, load_dataset("shapes") for coloured shapes with captions.')


class DatasetNotDownloadedError(FileNotFoundError):
    """The data set's files are not on disk and downloading was not asked for."""


class DatasetDownloadError(RuntimeError):
    """download=True was asked for but the files could not be fetched (e.g. no internet)."""


def default_root() -> Path:
    """Where torchvision data sets are kept: cache_dir() / "torchvision"."""
    from ..device import cache_dir
    return cache_dir() / "torchvision"


def _open(name: str, *, train: bool, root: Path, download: bool):
    import torchvision.datasets

    dataset_class = getattr(torchvision.datasets, _CLASS_NAMES[name])
    if not download:
        try:
            return dataset_class(str(root), train=train, download=False)
        except RuntimeError as error:  # torchvision: "Dataset not found ..."
            raise DatasetNotDownloadedError(
                f"{name} is not in {root} ({error}). To download it once (internet needed), call "
                f'load_dataset("{name}", download=True) or load_torchvision("{name}", download=True). '
                + _OFFLINE_HINT) from None
    try:
        return dataset_class(str(root), train=train, download=True)
    except (OSError, RuntimeError) as error:  # URLError is an OSError; mirrors fail as RuntimeError
        raise DatasetDownloadError(
            f"could not download {name} into {root}: {type(error).__name__}: {error}. Check the "
            "internet connection (or download the files elsewhere and copy them into root). "
            + _OFFLINE_HINT) from None


def load_torchvision(name: str, *, split: str = "train", root=None, download: bool = False,
                     value_range=(0.0, 1.0), limit: int | None = None) -> ImageSet:
    """A torchvision data set as an ImageSet.

    name: "mnist" (60k/10k, 28x28 grey), "fashion_mnist" (same shape, clothing) or "cifar10"
    (50k/10k, 32x32 colour). split: "train" or "test". root: folder for the files (default
    `default_root()`). download: fetch the files if missing (the only time the network is used).
    limit: keep only the first `limit` images.
    Returns images (N, 1, 28, 28) or (N, 3, 32, 32) float32 in value_range, labels (N,) int64.
    Raises DatasetNotDownloadedError (a FileNotFoundError) if the files are missing and
    download=False, DatasetDownloadError (a RuntimeError) if the download fails.
    """
    if name not in TORCHVISION_SETS:
        raise ValueError(f"unknown torchvision data set {name!r}; choose one of {list(TORCHVISION_SETS)}")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ValueError(f"limit must be a positive int or None, got {limit!r}")
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False, got {download!r}")
    low, high = check_value_range(value_range)
    root = Path(root) if root is not None else default_root()

    dataset = _open(name, train=split == "train", root=root, download=download)
    pixels = dataset.data[:limit]  # MNIST: (N, 28, 28) uint8 tensor; CIFAR: (N, 32, 32, 3) numpy
    if isinstance(pixels, np.ndarray):
        images = torch.from_numpy(np.ascontiguousarray(pixels)).permute(0, 3, 1, 2)
    else:
        images = pixels.unsqueeze(1)
    images = images.float() / 255  # (N, C, H, W) in [0, 1]
    labels = torch.as_tensor(np.asarray(dataset.targets)[:limit], dtype=torch.int64)
    classes = [str(d) for d in range(10)] if name == "mnist" else list(dataset.classes)
    return ImageSet(images=images * (high - low) + low, labels=labels, classes=classes,
                    value_range=(low, high), name=name)
