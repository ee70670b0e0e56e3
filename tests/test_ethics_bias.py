"""Chapter 10, section 2: skewed data, reweighting, the bias model's plumbing; data cards; widgets."""
import numpy as np
import pytest
import torch

from genimg_edu.data import OFFLINE, load_dataset
from genimg_edu.data.cards import CARDS, card
from genimg_edu.ethics.bias import (COLOURS, BiasConfig, amplification, balanced_colours, condition_labels, data_shares,
                                    generate_shapes, red_weight, reweight, shape_accuracy_by_colour, skewed_shapes,
                                    train_shapes_diffusion)


def test_skew_and_reweighting():
    assert red_weight(0.8) == pytest.approx(16.0)
    data = skewed_shapes(red_share=0.8, n=2000, size=16)
    assert tuple(data.value_range) == (-1.0, 1.0)
    assert data_shares(data)["red"] == pytest.approx(0.8, abs=0.03)
    fair = reweight(data, "colour", seed=0)
    shares = data_shares(fair)
    assert len(fair) == len(data)
    assert all(abs(v - 0.2) < 0.04 for v in shares.values()), shares
    assert amplification(0.9, 0.8) == pytest.approx(1.125)
    with pytest.raises(ValueError, match="red_share"):
        red_weight(1.0)
    with pytest.raises(ValueError, match="attribute"):
        reweight(data, "texture")


def test_bias_model_trains_and_samples():
    data = skewed_shapes(n=64, size=16)
    model, schedule = train_shapes_diffusion(data, config=BiasConfig(steps=3, batch_size=8))
    images = generate_shapes(model, schedule, n=8, scale=3.0, steps=2)
    assert images.shape == (8, 3, 16, 16) and 0 <= images.min() and images.max() <= 1
    with pytest.raises(ValueError, match="size"):
        BiasConfig(size=8)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        train_shapes_diffusion(load_dataset("shapes", n=8, size=16), config=BiasConfig(steps=1))


def test_shape_and_colour_conditioning_asks_every_colour_equally():
    """The mitigation: a shape-and-colour model, and the system draws the colour uniformly."""
    data = skewed_shapes(n=64, size=16)
    labels = condition_labels(data, "shape+colour")
    assert torch.equal(labels // 5, data.labels) and torch.equal(labels % 5, data.attributes["colour"])
    assert torch.equal(condition_labels(data, "shape"), data.labels)
    with pytest.raises(ValueError, match="condition"):
        condition_labels(data, "colour")
    colours = balanced_colours(23, seed=1)
    assert torch.bincount(colours, minlength=5).tolist() == [5, 5, 5, 4, 4]
    assert not torch.equal(colours, torch.arange(23) % 5)            # shuffled, not in a fixed order
    model, schedule = train_shapes_diffusion(data, config=BiasConfig(steps=2, batch_size=8), condition="shape+colour")
    assert model.config.num_classes == 20
    seen = []
    model.register_forward_pre_hook(lambda module, args: seen.append(args[2].clone()))
    images = generate_shapes(model, schedule, n=20, scale=3.0, steps=1, seed=1)
    assert images.shape == (20, 3, 16, 16)
    asked = torch.cat(seen)
    asked = asked[asked < 20]                                      # drop the "no label" half of guidance
    assert torch.equal(asked[:20] // 5, torch.arange(20) % 4)       # the shapes the user asked for
    assert torch.bincount(asked[:20] % 5, minlength=5).tolist() == [4] * 5  # every colour equally often


def test_shape_accuracy_by_colour_on_real_renders():
    from genimg_edu.metrics import load_judge
    judge = load_judge("shapes", size=16)
    shapes = load_dataset("shapes", n=200, size=16, seed=3)
    by_colour = shape_accuracy_by_colour(judge, shapes.images, shapes.labels)
    assert set(by_colour) == set(COLOURS)
    assert all(v is not None and v >= 0.8 for v in by_colour.values()), by_colour   # real shapes: recognised
    wrong = shape_accuracy_by_colour(judge, shapes.images, (shapes.labels + 1) % 4)
    assert all(v is None or v <= 0.2 for v in wrong.values()), wrong


def test_every_data_set_has_a_card():
    for name in [*OFFLINE, *CARDS]:
        c = card(name)
        for field in (c.source, c.licence, c.collection, c.consent):
            assert isinstance(field, str) and len(field) > 20
        assert c.sources and str(c).startswith("Data card")
    assert "CC0" in card("photos").licence   # read from scikit-image's own notes
    assert load_dataset("digits", size=8).card is CARDS["digits"]
    assert "not asked" in load_dataset("faces").card.consent
    with pytest.raises(ValueError, match="no data card"):
        card("imagenet")


def test_watermark_widget_follows_the_slider():
    from genimg_edu.ethics.widgets import jpeg_watermark_view, watermark_widget
    photo = load_dataset("photos", size=128, names=["coffee"]).images[0]
    widget = watermark_widget(photo)
    assert widget.error is None and widget.result["quality"] == 75
    widget.controls["quality"].value = 95
    assert widget.result["quality"] == 95 and widget.result["bit_accuracy"] == 1.0
    widget.controls["quality"].value = 5
    low = widget.result["bit_accuracy"]
    assert low < 1.0
    assert jpeg_watermark_view(widget.marked, widget.bits, quality=5)["bit_accuracy"] == low


def test_anonymise_widget_switches_method():
    from genimg_edu.ethics.widgets import anonymise_view, anonymise_widget
    image = torch.rand(3, 64, 64, generator=torch.Generator().manual_seed(0))
    boxes = [(8, 8, 32, 32)]
    widget = anonymise_widget(image, boxes)
    assert torch.equal(widget.result, anonymise_view(image, boxes, method="pixelate", strength=8))
    widget.controls["method"].value = "blur"
    assert torch.equal(widget.result, anonymise_view(image, boxes, method="blur", strength=8))
    with pytest.raises(ValueError, match="method"):
        anonymise_view(image, boxes, method="erase", strength=3)
