"""Real photographs, textures and tiny faces that ship inside scikit-image: no download needed.

    load_photo("astronaut")           -> numpy (512, 512, 3) uint8, the raw picture (notebook 01)
    load_photos(size=128)             -> ImageSet (N, 3, 128, 128): square crops of every photo
    load_textures(size=128)           -> ImageSet (3, 1, 128, 128): brick, grass, gravel (grey)
    load_faces(split="train")         -> ImageSet (160, 1, 25, 25): face / not face (LFW subset)

Every file is in scikit-image's own `data` folder, so these load offline.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .imageset import ImageSet, check_value_range

# course name -> scikit-image loader name. Colour and grey photographs, plus two graphics
# (the colour wheel and the scikit-image logo) that make colour channels easy to see.
_SKIMAGE_NAMES = {
    "astronaut": "astronaut", "camera": "camera", "coffee": "coffee", "chelsea": "chelsea",
    "rocket": "rocket", "ihc": "immunohistochemistry", "hubble_deep_field": "hubble_deep_field",
    "retina": "retina", "moon": "moon", "coins": "coins", "page": "page", "text": "text",
    "clock": "clock", "color": "colorwheel", "logo": "logo",
    "brick": "brick", "grass": "grass", "gravel": "gravel",
}
TEXTURES = ("brick", "grass", "gravel")
PHOTOS = tuple(name for name in _SKIMAGE_NAMES if name not in TEXTURES)
FACE_CLASSES = ["not face", "face"]
FACES_TEST_PER_CLASS = 20  # 20 faces + 20 non-faces held out; 80 + 80 for training


def _raw(name: str) -> np.ndarray:
    import skimage.data

    if name not in _SKIMAGE_NAMES:
        raise ValueError(f"unknown image {name!r}; choose one of {list(PHOTOS) + list(TEXTURES)}")
    return np.asarray(getattr(skimage.data, _SKIMAGE_NAMES[name])())


def load_photo(name: str) -> np.ndarray:
    """One picture as a numpy array (H, W, 3) uint8 in 0..255, ready for `plt.imshow`.

    name: one of PHOTOS or TEXTURES. Grey pictures are repeated into 3 equal channels; the
    transparent logo is laid over white. Taught raw in notebook 01 (pixels are just numbers).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, one of {list(PHOTOS) + list(TEXTURES)}")
    image = _raw(name)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    elif image.shape[2] == 4:  # RGBA: composite over a white background
        alpha = image[:, :, 3:].astype(np.float32) / 255
        image = np.round(image[:, :, :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(image, dtype=np.uint8)


def _square(image: np.ndarray, size: int) -> torch.Tensor:
    """(H, W, C) uint8 -> (C, size, size) float32 in [0, 1]: centre crop, antialiased resize."""
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    crop = torch.from_numpy(image[top:top + side, left:left + side].copy()).float() / 255
    crop = crop.permute(2, 0, 1).unsqueeze(0)  # (1, C, side, side)
    if side != size:
        crop = F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False,
                             antialias=True)
    return crop[0].clamp(0, 1)


def _check_size(size) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or not 8 <= size <= 512:
        raise ValueError(f"size must be an int in [8, 512] (pixels per side), got {size!r}")
    return size


def load_photos(*, size: int = 128, names=None, value_range=(0.0, 1.0)) -> ImageSet:
    """Square photos as an ImageSet: images (N, 3, size, size) float32 in value_range.

    names: which photos (default: all of PHOTOS, in that order); labels index `classes` = names.
    Each photo is centre-cropped to a square, then resized with antialiasing.
    """
    size = _check_size(size)
    low, high = check_value_range(value_range)
    if isinstance(names, str):
        raise TypeError(f"names must be a list of photo names, e.g. [{names!r}], got the string {names!r}")
    if names is not None and not isinstance(names, (list, tuple)):
        raise TypeError(f"names must be a list of photo names from {list(PHOTOS)}, got {type(names).__name__}")
    names = list(PHOTOS) if names is None else list(names)
    if not names:
        raise ValueError(f"names must list at least one of {list(PHOTOS)}")
    for name in names:
        if name not in PHOTOS:
            raise ValueError(f"names: unknown photo {name!r}; choose from {list(PHOTOS)}")
    images = torch.stack([_square(load_photo(name), size) for name in names])
    return ImageSet(images=images * (high - low) + low, labels=torch.arange(len(names)),
                    classes=names, value_range=(low, high), name="photos")


def load_textures(*, size: int = 128, value_range=(0.0, 1.0)) -> ImageSet:
    """The three grey textures as an ImageSet: images (3, 1, size, size) float32 in value_range.

    classes = ["brick", "grass", "gravel"]; each 512x512 original is resized with antialiasing.
    """
    size = _check_size(size)
    low, high = check_value_range(value_range)
    images = torch.stack([_square(_raw(name)[:, :, None], size) for name in TEXTURES])
    return ImageSet(images=images * (high - low) + low, labels=torch.arange(len(TEXTURES)),
                    classes=list(TEXTURES), value_range=(low, high), name="textures")


def load_faces(*, split: str = "all", seed: int = 0, value_range=(0.0, 1.0)) -> ImageSet:
    """scikit-image's LFW subset: 100 faces and 100 non-faces, 25x25 grey.

    split: "all" (200), "train" (160) or "test" (40); train and test each hold equal numbers of
    faces and non-faces, chosen by `seed`. Returns images (N, 1, 25, 25) float32 in value_range,
    labels (N,) with 1 = face, 0 = not face (classes ["not face", "face"]).
    """
    import skimage.data

    if split not in ("all", "train", "test"):
        raise ValueError(f"split must be one of 'all', 'train', 'test', got {split!r}")
    low, high = check_value_range(value_range)
    raw = np.asarray(skimage.data.lfw_subset(), dtype=np.float32)  # (200, 25, 25) in [0, 1]
    if raw.max() > 1.0:  # some versions store 0..255
        raw = raw / 255
    images = torch.from_numpy(raw).unsqueeze(1)
    half = len(images) // 2  # scikit-image: the first 100 are faces, the last 100 are not
    labels = torch.cat([torch.ones(half, dtype=torch.int64), torch.zeros(half, dtype=torch.int64)])

    if split != "all":
        generator = torch.Generator().manual_seed(seed)
        test, train = [], []
        for start in (0, half):  # the same number of each class in each split
            order = start + torch.randperm(half, generator=generator)
            test.append(order[:FACES_TEST_PER_CLASS])
            train.append(order[FACES_TEST_PER_CLASS:])
        rows = torch.cat(test if split == "test" else train)
        rows = rows[torch.randperm(len(rows), generator=generator)]  # mix the two classes
        images, labels = images[rows], labels[rows]
    return ImageSet(images=images * (high - low) + low, labels=labels, classes=list(FACE_CLASSES),
                    value_range=(low, high), name="faces")
