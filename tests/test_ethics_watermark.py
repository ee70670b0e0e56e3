"""Chapter 10, section 5: the course's DWT+DCT watermark, its attacks, and the invisible-watermark package."""
import numpy as np
import pytest
import torch
from scipy.stats import binom

from genimg_edu.data import load_dataset
from genimg_edu.ethics.robustness import ATTACKS, crop, robustness_table, rotate
from genimg_edu.ethics.watermark import (bit_accuracy, detection_threshold, embed, extract, psnr,
                                         random_bits)


@pytest.fixture(scope="module")
def photos():
    return load_dataset("photos", size=128, names=["astronaut", "coffee", "logo"]).images


def test_round_trip_is_exact_and_invisible(photos):
    for i, x in enumerate(photos):
        bits = random_bits(32, seed=i)
        marked = embed(x, bits)
        assert marked.shape == x.shape and marked.dtype == torch.float32
        assert np.array_equal(extract(marked, 32), bits)
        assert psnr(x, marked) >= 38.0
        assert torch.allclose(marked * 255, (marked * 255).round(), atol=1e-3)  # an 8-bit image


def test_survives_jpeg_but_not_crop(photos):
    from genimg_edu.ethics.detector import jpeg
    x, bits = photos[0], random_bits(32, seed=7)
    marked = embed(x, bits)
    assert bit_accuracy(bits, extract(jpeg(marked[None], 75)[0], 32)) >= 0.95
    assert bit_accuracy(bits, extract(crop(marked, 0.9), 32)) < 0.8  # the block grid moved
    assert rotate(marked, 0.0).sub(marked).abs().max() < 1e-5


def test_clean_images_are_not_detected(photos):
    threshold = detection_threshold(32)
    assert binom.sf(threshold - 1, 32, 0.5) <= 1e-4 < binom.sf(threshold - 2, 32, 0.5)
    hits = [bit_accuracy(random_bits(32, seed=100 + i), extract(x, 32)) * 32 >= threshold
            for i, x in enumerate(photos)]
    assert not any(hits)


def test_robustness_table_shape(photos):
    table = robustness_table(photos[:2], embed_fn=embed, extract_fn=extract, attacks=["none", "jpeg 50"])
    assert table["attacks"]["none"]["bit_accuracy"] == 1.0
    assert set(table["attacks"]) == {"none", "jpeg 50"}
    assert table["false_positive"] == 0.0
    assert set(ATTACKS) >= {"jpeg 90", "jpeg 75", "jpeg 50", "resize 50%", "crop 90%", "rotate 2°", "noise σ=0.02"}


def test_bad_input(photos):
    with pytest.raises(ValueError, match="bits"):
        embed(photos[0], [0, 2, 1])
    with pytest.raises(ValueError, match=r"\(3, H, W\)"):
        embed(photos[0][:1], [0, 1])
    with pytest.raises(ValueError, match="too small"):
        extract(photos[0][:, :32, :32], 128)
    with pytest.raises(ValueError, match="same shape"):
        bit_accuracy([0, 1], [0, 1, 1])


def test_invisible_watermark_package(photos):
    pytest.importorskip("imwatermark", reason="pip install 'genimg-edu[ethics]'")
    from genimg_edu.ethics.robustness import package_embed, package_extract
    x = load_dataset("photos", size=256, names=["astronaut"]).images[0]
    bits = random_bits(32, seed=3)
    marked = package_embed(x, bits)
    assert marked.shape == x.shape
    assert bit_accuracy(bits, package_extract(marked, 32)) >= 0.9
    assert psnr(x, marked) > 30
