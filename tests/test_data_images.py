"""scikit-image photos, textures and faces: offline, right shapes and ranges, honest splits."""

import numpy as np
import pytest
import skimage.data
import torch

from genimg_edu.data import load_dataset
from genimg_edu.data.images import PHOTOS, TEXTURES, load_faces, load_photo, load_photos, load_textures


@pytest.mark.parametrize("name", PHOTOS + TEXTURES)
def test_every_picture_loads_offline_as_rgb_uint8(name, no_network):
    image = load_photo(name)
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert image.shape[0] >= 100 and image.shape[1] >= 100
    assert image.max() > image.min(), "a real picture has contrast"


def test_grey_pictures_become_three_equal_channels():
    camera = load_photo("camera")
    np.testing.assert_array_equal(camera[:, :, 0], skimage.data.camera())
    np.testing.assert_array_equal(camera[:, :, 0], camera[:, :, 2])
    colour = load_photo("astronaut")
    np.testing.assert_array_equal(colour, skimage.data.astronaut())
    assert np.abs(colour[:, :, 0].astype(int) - colour[:, :, 2]).mean() > 5


def test_rgba_logo_is_composited_to_rgb():
    rgba = skimage.data.logo()
    rgb = load_photo("logo")
    assert rgba.shape[2] == 4 and rgb.shape == rgba.shape[:2] + (3,)
    alpha = rgba[:, :, 3:] / 255
    expected = rgba[:, :, :3] * alpha + 255 * (1 - alpha)
    assert np.abs(rgb - expected).max() <= 0.5 + 1e-9


def test_unknown_picture_lists_the_choices():
    with pytest.raises(ValueError, match="astronaut") as info:
        load_photo("mona_lisa")
    assert "brick" in str(info.value)
    with pytest.raises(TypeError):
        load_photo(3)


def test_load_photos_square_crops_in_range():
    ds = load_photos(size=32, names=["astronaut", "coffee", "camera"])
    assert ds.images.shape == (3, 3, 32, 32) and ds.images.dtype == torch.float32
    assert ds.classes == ["astronaut", "coffee", "camera"] and ds.labels.tolist() == [0, 1, 2]
    assert 0 <= ds.images.min() and ds.images.max() <= 1
    # coffee is 400x600: the crop is the central 400x400, so its mean matches that region's mean
    coffee = skimage.data.coffee()[:, 100:500] / 255
    np.testing.assert_allclose(ds.images[1].mean(dim=(1, 2)).numpy(), coffee.mean(axis=(0, 1)), atol=0.01)
    signed = load_photos(size=32, names=["astronaut"], value_range=(-1, 1))
    torch.testing.assert_close(signed.images[0], ds.images[0] * 2 - 1)


def test_load_photos_default_is_every_photo():
    ds = load_dataset("photos", size=16)
    assert ds.images.shape == (len(PHOTOS), 3, 16, 16) and ds.classes == list(PHOTOS)


def test_resize_is_antialiased():
    # brick has fine mortar lines; naive subsampling keeps extremes, antialiasing averages them
    ds = load_textures(size=16)
    raw = skimage.data.brick() / 255
    blocks = raw.reshape(16, 32, 16, 32).mean(axis=(1, 3))
    assert np.abs(ds.images[0, 0].numpy() - blocks).mean() < 0.03
    assert np.abs(raw[::32, ::32] - blocks).mean() > np.abs(ds.images[0, 0].numpy() - blocks).mean()


def test_textures():
    ds = load_dataset("textures", size=64, value_range=(-1, 1))
    assert ds.images.shape == (3, 1, 64, 64) and ds.classes == list(TEXTURES) == ["brick", "grass", "gravel"]
    assert -1 <= ds.images.min() and ds.images.max() <= 1 and ds.images.min() < -0.5


@pytest.mark.parametrize("kwargs", [{"size": 4}, {"size": 1000}, {"size": 32.0},
                                    {"names": ["brick"]}, {"names": []}, {"value_range": (0, 255)}])
def test_bad_photo_arguments(kwargs):
    with pytest.raises(ValueError):
        load_photos(**kwargs)


def test_faces_labels_follow_scikit_image():
    """scikit-image documents lfw_subset as 100 faces followed by 100 non-faces."""
    ds = load_faces()
    raw = skimage.data.lfw_subset()
    assert ds.images.shape == (200, 1, 25, 25) and ds.classes == ["not face", "face"]
    np.testing.assert_allclose(ds.images[:, 0].numpy(), raw, atol=1e-6)
    assert ds.labels[:100].tolist() == [1] * 100 and ds.labels[100:].tolist() == [0] * 100
    assert "100 first images are faces" in " ".join(skimage.data.lfw_subset.__doc__.split())


def _rows(part, whole):
    """Index of each image of `part` inside `whole` (images are distinct)."""
    flat = whole.images.flatten(1)
    return [int((flat - x.flatten()).abs().sum(1).argmin()) for x in part.images]


def test_faces_splits_are_balanced_disjoint_and_seeded():
    whole = load_faces()
    train, test = load_faces(split="train"), load_faces(split="test")
    assert len(train) == 160 and len(test) == 40
    assert train.labels.sum() == 80 and test.labels.sum() == 20
    train_rows, test_rows = _rows(train, whole), _rows(test, whole)
    assert not set(train_rows) & set(test_rows) and len(set(train_rows) | set(test_rows)) == 200
    assert train.labels.tolist() == whole.labels[train_rows].tolist()
    torch.testing.assert_close(load_faces(split="test").images, test.images)
    assert _rows(load_faces(split="test", seed=1), whole) != test_rows
    signed = load_faces(split="test", value_range=(-1, 1))
    torch.testing.assert_close(signed.images, test.images * 2 - 1)
    with pytest.raises(ValueError, match="train"):
        load_faces(split="validation")
