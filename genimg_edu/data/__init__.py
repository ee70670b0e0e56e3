"""One entry point for every data set in the course: `load_dataset(name, ...)`.

Offline by default: digits (scikit-learn), shapes (rendered here), photos / textures / faces
(scikit-image's bundled images). mnist / fashion_mnist / cifar10 come through torchvision and
download only when asked with `download=True`.
"""
from __future__ import annotations

from .imageset import ImageSet, check_images, check_value_range, to_signed, to_unit


def _digits(**kwargs):
    from .digits import load_digits
    return load_digits(**kwargs)


def _shapes(**kwargs):
    from .shapes import load_shapes
    return load_shapes(**kwargs)


def _photos(**kwargs):
    from .images import load_photos
    return load_photos(**kwargs)


def _textures(**kwargs):
    from .images import load_textures
    return load_textures(**kwargs)


def _faces(**kwargs):
    from .images import load_faces
    return load_faces(**kwargs)


def _torchvision(name):
    def load(**kwargs):
        from .online import load_torchvision
        return load_torchvision(name, **kwargs)
    return load


LOADERS = {
    "digits": _digits,
    "shapes": _shapes,
    "photos": _photos,
    "textures": _textures,
    "faces": _faces,
    "mnist": _torchvision("mnist"),
    "fashion_mnist": _torchvision("fashion_mnist"),
    "cifar10": _torchvision("cifar10"),
}
OFFLINE = ("digits", "shapes", "photos", "textures", "faces")


def load_dataset(name: str, **kwargs) -> ImageSet:
    """Load a course data set by name; keyword arguments go to its loader (see each loader's doc).

    >>> ds = load_dataset("digits", split="train", size=16)
    >>> ds.images.shape          # (1438, 1, 16, 16), float32 in [0, 1]
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, one of {sorted(LOADERS)}, got {type(name).__name__}")
    if name not in LOADERS:
        raise ValueError(f"unknown data set {name!r}; choose one of {sorted(LOADERS)}")
    try:
        return LOADERS[name](**kwargs)
    except TypeError as error:
        if "unexpected keyword argument" in str(error):
            raise TypeError(f"load_dataset({name!r}, ...): {error}") from None
        raise


__all__ = ["ImageSet", "LOADERS", "OFFLINE", "check_images", "check_value_range", "load_dataset",
           "to_signed", "to_unit"]
