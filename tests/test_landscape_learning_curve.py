"""Chapter 11 learning curve: fractions map to the right subsets, a tiny run produces judged rows,
and the plot draws them. (The measured curve is in benchmarks/landscape.py.)"""
import pytest
import torch

from genimg_edu.data import load_dataset, to_signed
from genimg_edu.landscape.learning_curve import LearningCurveConfig, per_class_for, plot_learning_curve, run_learning_curve


def test_per_class_for_the_issue_s_fractions():
    n = len(load_dataset("digits", split="train", size=8))
    assert [per_class_for(f, n_train=n) for f in (0.01, 0.05, 0.2, 1.0)] == [1, 7, 29, None]
    assert per_class_for(0.0001, n_train=n) == 1                      # never zero images
    with pytest.raises(ValueError, match="fraction must be"):
        per_class_for(0, n_train=n)
    with pytest.raises(ValueError, match="n_train"):
        per_class_for(0.5, n_train=3)


def test_config_validation():
    with pytest.raises(ValueError, match="fractions"):
        LearningCurveConfig(fractions=(0.5, 0.1))
    with pytest.raises(ValueError, match="fractions"):
        LearningCurveConfig(fractions=(0.0, 1.0))
    with pytest.raises(ValueError, match="multiple of 10"):
        LearningCurveConfig(n_samples=25)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        LearningCurveConfig(steps=0)


def test_the_trainer_s_subset_is_imageset_per_class():
    """DigitsDiffusionConfig(per_class=n, seed=s) must train on exactly ImageSet.per_class(n, seed=s):
    the synthetic-data experiment relies on it (its generator sees only the classifier's images)."""
    unit = load_dataset("digits", split="train", size=8).per_class(10, seed=3)
    signed = load_dataset("digits", split="train", size=8, value_range=(-1, 1)).per_class(10, seed=3)
    assert torch.equal(signed.labels, unit.labels)
    assert torch.allclose(signed.images, to_signed(unit.images))


def test_tiny_learning_curve_rows_and_plot():
    import matplotlib
    matplotlib.use("Agg")
    config = LearningCurveConfig(fractions=(0.01, 1.0), steps=3, n_samples=20, sample_steps=2)
    rows = run_learning_curve(config)
    assert [r["n_images"] for r in rows] == [10, 1438]
    assert [r["per_class"] for r in rows] == [1, None]
    for row in rows:
        assert 0 <= row["accuracy"] <= 1 and row["steps"] == 3
        assert row["frechet_excess"] == pytest.approx(row["frechet"] - row["frechet_floor"])
        assert row["samples"].shape == (20, 1, 8, 8) and row["copying_ratio"] > 0
    fig = plot_learning_curve(rows)
    assert len(fig.axes) == 3 and fig.axes[0].get_xscale() == "log"
    with pytest.raises(ValueError, match="rows is empty"):
        plot_learning_curve([])
    with pytest.raises(ValueError, match="rows lack"):
        plot_learning_curve([{"n_images": 3}])
