"""`load_dataset` by name, `ImageSet`, and the explicit range helpers."""
import pytest
import torch
from torch.utils.data import DataLoader

from genimg_edu.data import (LOADERS, OFFLINE, ImageSet, check_images, check_value_range,
                             load_dataset, to_signed, to_unit)

SMALL = {"digits": {"split": "test"}, "shapes": {"n": 8}, "photos": {"size": 16, "names": ["camera"]},
         "textures": {"size": 16}, "faces": {"split": "test"}}


@pytest.mark.parametrize("name", OFFLINE)
def test_every_offline_set_loads_by_name(name):
    ds = load_dataset(name, **SMALL[name])
    assert isinstance(ds, ImageSet) and ds.name == name and len(ds) > 0
    assert ds.images.dtype == torch.float32 and ds.images.ndim == 4
    check_images(ds.images, value_range=(0, 1))
    assert int(ds.labels.max()) < len(ds.classes)


def test_offline_names_are_registered():
    assert set(OFFLINE) <= set(LOADERS) and {"mnist", "fashion_mnist", "cifar10"} <= set(LOADERS)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError) as info:
        load_dataset("imagenet")
    for name in LOADERS:
        assert repr(name) in str(info.value)
    with pytest.raises(TypeError, match="digits"):
        load_dataset(7)


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="load_dataset\\('digits'.*colour"):
        load_dataset("digits", colour="red")
    with pytest.raises(TypeError, match="resolution"):
        load_dataset("faces", resolution=32)


def test_imageset_indexing_dataloader_and_subset():
    ds = load_dataset("shapes", n=10, size=16)
    image, label = ds[3]
    assert image.shape == (3, 16, 16) and label == ds.labels[3] and ds.image_shape == (3, 16, 16)
    batch_images, batch_labels = next(iter(DataLoader(ds, batch_size=4)))
    assert batch_images.shape == (4, 3, 16, 16) and torch.equal(batch_labels, ds.labels[:4])
    picked = ds.subset(torch.tensor([1, 4]))
    assert torch.equal(picked.images, ds.images[[1, 4]]) and picked.captions == [ds.captions[1], ds.captions[4]]
    assert torch.equal(picked.attributes["colour"], ds.attributes["colour"][[1, 4]])
    mask = ds.labels == ds.labels[0]
    assert len(ds.subset(mask)) == int(mask.sum()) and len(ds.subset(slice(2, 5))) == 3


def test_imageset_rejects_inconsistent_parts():
    with pytest.raises(ValueError, match="N, C, H, W"):
        ImageSet(images=torch.zeros(2, 8, 8), labels=torch.zeros(2, dtype=torch.long), classes=["a"])
    with pytest.raises(ValueError, match="labels"):
        ImageSet(images=torch.zeros(2, 1, 8, 8), labels=torch.zeros(3, dtype=torch.long), classes=["a"])
    with pytest.raises(ValueError, match="caption"):
        ImageSet(images=torch.zeros(2, 1, 8, 8), labels=torch.zeros(2, dtype=torch.long), classes=["a"],
                 captions=["one"])


def test_range_conversions_are_explicit_and_checked():
    x = torch.rand(2, 3, 4, 4)
    torch.testing.assert_close(to_unit(to_signed(x)), x)
    assert to_signed(torch.zeros(1, 1, 2, 2)).eq(-1).all()
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        to_signed(x * 2 - 1 - 0.5)  # values below 0 are not silently accepted
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        to_unit(x * 3)


def test_check_images_names_the_problem():
    with pytest.raises(TypeError, match="torch.Tensor"):
        check_images([[0.0]])
    with pytest.raises(ValueError, match="N, C, H, W"):
        check_images(torch.zeros(3, 4, 4))
    with pytest.raises(ValueError, match="3 channel"):
        check_images(torch.zeros(1, 1, 4, 4), channels=3)
    with pytest.raises(TypeError, match="floating"):
        check_images(torch.zeros(1, 1, 4, 4, dtype=torch.uint8))
    assert check_value_range((-1, 1)) == (-1.0, 1.0)
    with pytest.raises(ValueError, match="one of"):
        check_value_range((0, 255))
    with pytest.raises(TypeError):
        check_value_range(None)


def test_per_class_is_balanced_deterministic_and_validated():
    digits = load_dataset("digits", split="train", size=8)
    a, b = digits.per_class(7, seed=3), digits.per_class(7, seed=3)
    assert a.labels.bincount().tolist() == [7] * 10
    assert torch.equal(a.images, b.images)
    assert not torch.equal(a.images, digits.per_class(7, seed=4).images)
    assert len(digits.per_class(10_000)) == len(digits)  # a class with fewer gives all it has
    with pytest.raises(ValueError, match="n must be >= 1"):
        digits.per_class(0)
    with pytest.raises(TypeError, match="n must be an int"):
        digits.per_class(2.5)
