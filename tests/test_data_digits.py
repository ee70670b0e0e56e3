"""scikit-learn digits: fixed seeded split, sizes, ranges, and clear errors."""
from collections import Counter

import numpy as np
import pytest
import sklearn.datasets
import torch

from genimg_edu.data import load_dataset
from genimg_edu.data.digits import load_digits


def _fingerprints(ds):
    """One hashable key per (image, label), so splits can be compared as multisets."""
    return Counter((x.numpy().tobytes(), int(y)) for x, y in zip(ds.images, ds.labels))


def test_split_sizes_and_types():
    train, test, whole = load_digits(split="train"), load_digits(split="test"), load_digits(split="all")
    assert len(train) == 1438 and len(test) == 359 and len(whole) == 1797
    assert train.images.shape == (1438, 1, 8, 8) and train.images.dtype == torch.float32
    assert train.labels.dtype == torch.int64 and train.classes == [str(d) for d in range(10)]
    assert set(test.labels.tolist()) == set(range(10))


def test_all_is_scikit_learns_digits_scaled_to_unit_range():
    raw = sklearn.datasets.load_digits()
    whole = load_digits(split="all")
    np.testing.assert_allclose(whole.images[:, 0].numpy(), raw.images / 16, atol=1e-6)
    assert whole.labels.tolist() == raw.target.tolist()
    assert whole.images.min() == 0 and whole.images.max() == 1


def test_train_and_test_partition_the_data():
    train, test, whole = load_digits(split="train"), load_digits(split="test"), load_digits(split="all")
    assert _fingerprints(train) + _fingerprints(test) == _fingerprints(whole)
    # disjoint: no (image, label) of the test split appears in train more often than in the data
    overlap = _fingerprints(train) & _fingerprints(test)
    assert all(_fingerprints(whole)[key] >= 2 for key in overlap)


def test_split_is_deterministic_by_seed():
    first, again = load_digits(split="test", seed=0), load_digits(split="test", seed=0)
    torch.testing.assert_close(first.images, again.images)
    assert torch.equal(first.labels, again.labels)
    other = load_digits(split="test", seed=1)
    assert _fingerprints(other) != _fingerprints(first)


@pytest.mark.parametrize("size", [8, 16, 28, 32])
def test_sizes_keep_the_ink(size):
    base = load_digits(split="test", size=8)
    ds = load_digits(split="test", size=size)
    assert ds.images.shape == (359, 1, size, size)
    assert 0 <= ds.images.min() and ds.images.max() <= 1
    # resizing redistributes ink but keeps its average brightness per image
    np.testing.assert_allclose(ds.images.mean(dim=(1, 2, 3)).numpy(),
                               base.images.mean(dim=(1, 2, 3)).numpy(), atol=0.03)
    assert torch.equal(ds.labels, base.labels)


def test_signed_value_range():
    unit = load_digits(split="test", size=16)
    signed = load_dataset("digits", split="test", size=16, value_range=(-1, 1))
    assert signed.value_range == (-1.0, 1.0)
    torch.testing.assert_close(signed.images, unit.images * 2 - 1)
    assert signed.images.min() == -1 and signed.images.max() <= 1


@pytest.mark.parametrize("kwargs, words", [
    ({"split": "validation"}, ["train", "test", "all"]),
    ({"size": 10}, ["8", "16", "28", "32"]),
    ({"value_range": (0, 255)}, ["(0.0, 1.0)", "(-1.0, 1.0)"]),
])
def test_bad_arguments_name_the_choices(kwargs, words):
    with pytest.raises(ValueError) as info:
        load_digits(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_seed_must_be_an_int():
    with pytest.raises(TypeError, match="seed"):
        load_digits(seed="0")
