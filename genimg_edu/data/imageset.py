"""`ImageSet`: the one dataset type every loader returns, and explicit range conversions."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch.utils.data import Dataset

VALUE_RANGES = ((0.0, 1.0), (-1.0, 1.0))


def check_value_range(value_range) -> tuple[float, float]:
    """Accept (0, 1) or (-1, 1); anything else is a ValueError naming the choices."""
    try:
        pair = (float(value_range[0]), float(value_range[1]))
    except (TypeError, IndexError, ValueError):
        raise TypeError(f"value_range must be a pair, one of {VALUE_RANGES}, got {value_range!r}") from None
    if pair not in VALUE_RANGES or len(value_range) != 2:
        raise ValueError(f"value_range must be one of {VALUE_RANGES}, got {tuple(value_range)!r}")
    return pair


def check_images(x: torch.Tensor, *, value_range=(0.0, 1.0), channels: int | None = None,
                 name: str = "images", atol: float = 1e-4) -> torch.Tensor:
    """Raise a clear error unless `x` is a float (N, C, H, W) tensor inside `value_range`."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (N, C, H, W), got {type(x).__name__}")
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got {tuple(x.shape)}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} must have {channels} channel(s) (N, {channels}, H, W), got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must be floating point, got {x.dtype}")
    low, high = check_value_range(value_range)
    if x.numel() and not torch.isfinite(x).all():
        bad = int((~torch.isfinite(x)).sum())
        raise ValueError(f"{name} contains {bad} NaN or infinite value(s); images must be finite numbers "
                         f"in [{low:g}, {high:g}] (a NaN usually means training diverged)")
    if x.numel() and (x.min() < low - atol or x.max() > high + atol):
        raise ValueError(f"{name} must lie in [{low:g}, {high:g}], got values in "
                         f"[{x.min().item():.3f}, {x.max().item():.3f}]")
    return x


def to_signed(x: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], the range generative models train in."""
    check_images(x, value_range=(0, 1), name="x")
    return x * 2 - 1


def to_unit(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] -> [0, 1], the range for display and for the judges.

    Applying it twice (to_unit(to_unit(x))) cannot be caught: an image already in [0, 1] is also a
    valid [-1, 1] image (a dark one), so any check would raise false alarms on real model outputs.
    Only values outside [-1, 1] are refused; keep track of which range your tensor is in."""
    check_images(x, value_range=(-1, 1), name="x")
    return (x + 1) / 2


@dataclass
class ImageSet(Dataset):
    """Images with labels and (optionally) attributes and captions.

    images: (N, C, H, W) float32 in `value_range`; labels: (N,) int64 indexing `classes`.
    attributes: name -> (N,) int64 indexing `attribute_values[name]`. captions: N strings or None.
    `ds[i]` is `(image, label)`, so an ImageSet drops into a `DataLoader`.
    """

    images: torch.Tensor
    labels: torch.Tensor
    classes: list[str]
    value_range: tuple[float, float] = (0.0, 1.0)
    attributes: dict[str, torch.Tensor] = field(default_factory=dict)
    attribute_values: dict[str, list[str]] = field(default_factory=dict)
    captions: list[str] | None = None
    name: str = ""

    def __post_init__(self):
        if self.images.ndim != 4:
            raise ValueError(f"images must be (N, C, H, W), got {tuple(self.images.shape)}")
        if self.labels.shape != (len(self.images),):
            raise ValueError(f"labels must be ({len(self.images)},), got {tuple(self.labels.shape)}")
        if self.captions is not None and len(self.captions) != len(self.images):
            raise ValueError("need exactly one caption per image")

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of one image."""
        return tuple(self.images.shape[1:])

    @property
    def card(self):
        """The data card of this data set (source, licence, collection, consent): data/cards.py."""
        from .cards import card
        return card(self.name)

    def subset(self, index) -> "ImageSet":
        """A new ImageSet of the rows picked by `index` (slice, bool mask or index tensor)."""
        if isinstance(index, slice):
            rows = torch.arange(len(self))[index]
        else:
            rows = torch.as_tensor(index)
            if rows.dtype == torch.bool:
                rows = rows.nonzero().flatten()
        return ImageSet(
            images=self.images[rows], labels=self.labels[rows], classes=self.classes,
            value_range=self.value_range,
            attributes={k: v[rows] for k, v in self.attributes.items()},
            attribute_values=self.attribute_values,
            captions=None if self.captions is None else [self.captions[i] for i in rows.tolist()],
            name=self.name,
        )

    def per_class(self, n: int, *, seed: int = 0) -> "ImageSet":
        """A class-balanced subset: `n` examples of every class (fewer where a class has fewer),
        picked at random but deterministically by `seed`. Used for learning curves and low-data
        experiments (chapters 10 and 11)."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"n must be an int (examples per class), got {type(n).__name__}")
        if n < 1:
            raise ValueError(f"n must be >= 1 example per class, got {n}")
        generator = torch.Generator().manual_seed(seed)
        rows = []
        for label in range(len(self.classes)):
            members = (self.labels == label).nonzero().flatten()
            rows.append(members[torch.randperm(len(members), generator=generator)[:n]])
        return self.subset(torch.cat(rows).sort().values)
