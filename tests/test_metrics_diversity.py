"""Class entropy and nearest-neighbour distances against direct computations."""
import math

import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.metrics import (class_entropy, copying_report, max_entropy, nearest_neighbour_distance,
                                nearest_neighbours)


def test_entropy_uniform_one_class_and_a_worked_example():
    assert class_entropy(torch.arange(10).repeat(7), 10) == pytest.approx(math.log(10))
    assert max_entropy(10) == pytest.approx(math.log(10))
    assert class_entropy(torch.full((30,), 4), 10) == 0.0
    labels = torch.tensor([0, 0, 0, 1])  # p = (3/4, 1/4)
    assert class_entropy(labels, 3) == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))


def test_entropy_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        class_entropy(torch.tensor([0, 3]), 3)
    with pytest.raises(TypeError, match="integer"):
        class_entropy(torch.tensor([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match="num_classes"):
        class_entropy(torch.tensor([0]), 0)
    with pytest.raises(ValueError, match="empty"):
        class_entropy(torch.tensor([], dtype=torch.long), 3)


def test_nearest_neighbour_matches_brute_force_in_any_chunking():
    gen = torch.Generator().manual_seed(0)
    samples, reference = torch.rand(37, 3, 5, 5, generator=gen), torch.rand(50, 3, 5, 5, generator=gen)
    brute = torch.stack([min(((s - r) ** 2).sum().sqrt() for r in reference) for s in samples])
    for chunk in (1, 8, 1000):
        distances, indices = nearest_neighbours(samples, reference, chunk=chunk)
        torch.testing.assert_close(distances, brute, rtol=1e-5, atol=1e-5)
        torch.testing.assert_close((samples - reference[indices]).flatten(1).norm(dim=1), brute)
    assert nearest_neighbour_distance(reference[:5], reference).abs().max() < 1e-5  # itself: 0


def test_nearest_neighbour_bad_input():
    with pytest.raises(ValueError, match="same"):
        nearest_neighbour_distance(torch.rand(2, 1, 8, 8), torch.rand(2, 1, 16, 16))
    with pytest.raises(TypeError, match="float tensor"):
        nearest_neighbour_distance(torch.rand(2, 64), torch.rand(2, 64))
    with pytest.raises(ValueError, match="non-empty"):
        nearest_neighbour_distance(torch.rand(0, 1, 8, 8), torch.rand(2, 1, 8, 8))


def test_copying_report_tells_copies_from_new_images():
    train = load_dataset("digits", split="train", size=8).images
    heldout = load_dataset("digits", split="test", size=8).images
    copied = copying_report(train[:100], train, heldout)
    assert copied["exact_copies"] == 100 and copied["ratio"] < 0.01 and copied["close_fraction"] == 1.0
    fresh = copying_report(heldout[:150], train, heldout[150:])
    assert fresh["exact_copies"] == 0 and 0.7 < fresh["ratio"] < 1.4 and fresh["close_fraction"] < 0.2
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        copying_report(train[:10] * 2 - 1, train, heldout)
