"""Chapter 11 synthetic data: statistics and verdicts are honest, both arms really train, and the
experiment's wiring (same real images, given generator) works. The measured result is in the benchmark."""
import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.landscape.synthetic_data import (SyntheticDataConfig, mean_spread, run_synthetic_data,
                                                 train_and_test, verdict)


def test_mean_spread():
    s = mean_spread([0.1, 0.2, 0.3])
    assert s["mean"] == pytest.approx(0.2) and s["std"] == pytest.approx(0.1) and (s["min"], s["max"]) == (0.1, 0.3)
    assert mean_spread([0.5])["std"] == 0.0
    with pytest.raises(ValueError):
        mean_spread([])


@pytest.mark.parametrize("gains, word", [
    ([0.05, 0.06, 0.04], "helped"),
    ([-0.05, -0.06, -0.04], "hurt"),
    ([0.05, -0.04, 0.01], "no clear effect"),
    ([0.001, 0.2, -0.01], "no clear effect"),   # mean > 0 but one seed lost: not called a help
    ([0.05], "one seed only"),
])
def test_verdict_says_plainly_what_happened(gains, word):
    assert verdict(mean_spread(gains)).startswith(word.split()[0]) or word in verdict(mean_spread(gains))


def test_config_validation():
    with pytest.raises(ValueError, match="seeds must be distinct"):
        SyntheticDataConfig(seeds=(1, 1))
    with pytest.raises(ValueError, match="real_per_class"):
        SyntheticDataConfig(real_per_class=0)
    with pytest.raises(ValueError, match="seeds must be a non-empty"):
        SyntheticDataConfig(seeds=())


def test_a_classifier_on_ten_real_digits_per_class_learns():
    real = load_dataset("digits", split="train", size=8).per_class(10, seed=0)
    test = load_dataset("digits", split="test", size=8)
    acc = train_and_test(real.images, real.labels, test, config=SyntheticDataConfig(classifier_steps=300), seed=0)
    assert acc > 0.6          # chance is 0.1; 100 real digits are enough for a usable classifier


def test_tiny_run_wiring():
    config = SyntheticDataConfig(seeds=(0, 1), synthetic_per_class=2, classifier_steps=5, generator_steps=2,
                                 sample_steps=2)
    result = run_synthetic_data(config)
    assert [r["seed"] for r in result["runs"]] == [0, 1]
    for run in result["runs"]:
        assert run["n_real"] == 100 and run["n_synthetic"] == 20
        assert run["gain"] == pytest.approx(run["real_plus_synthetic"] - run["real"])
        assert run["synthetic_examples"].shape == (20, 1, 8, 8)
    assert result["summary"]["gain"]["n"] == 2 and result["generator"].startswith("trained on the same")


def test_a_given_generator_is_used_and_bad_ones_are_refused():
    from genimg_edu.diffusion import make_schedule
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig, make_digits_unet

    model = make_digits_unet(DigitsDiffusionConfig()).eval()
    config = SyntheticDataConfig(seeds=(0,), synthetic_per_class=1, classifier_steps=2, sample_steps=2)
    result = run_synthetic_data(config, generator=(model, make_schedule("cosine", T=1000)))
    assert result["generator"].startswith("given") and result["runs"][0]["generator_seconds"] < 30
    with pytest.raises(ValueError, match="generator must be"):
        run_synthetic_data(config, generator="pretrained")


def test_plot_synthetic_data():
    import matplotlib
    matplotlib.use("Agg")
    from genimg_edu.landscape.synthetic_data import plot_synthetic_data

    runs = [{"real": 0.7, "real_plus_synthetic": 0.75}, {"real": 0.72, "real_plus_synthetic": 0.74}]
    summary = {k: mean_spread([r[k] for r in runs]) for k in ("real", "real_plus_synthetic")}
    fig = plot_synthetic_data({"runs": runs, "summary": summary, "verdict": "no clear effect"})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) >= 2
    with pytest.raises(ValueError, match="run_synthetic_data"):
        plot_synthetic_data({"runs": []})
