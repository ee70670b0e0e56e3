"""run_preset: every registered preset (laptop and gpu) trains a few steps on the CPU through the one
call the notebooks make, on stand-in data of the real shape (no download, no VGG19), and returns
finite numbers and pictures in [0, 1] at the preset's image size; the laptop digit presets are graded
by the real digits judge; bad arguments are refused by name."""
import dataclasses
import math

import pytest
import torch

from genimg_edu import presets
from genimg_edu.diffusion.digits import balanced_labels
from genimg_edu.metrics import evaluate_samples, load_judge
from genimg_edu.preset_runs import RUNNERS, load_preset_judge, run_preset, tiny_preset
from test_presets import stand_in_torchvision  # noqa: F401  (fixture: load_dataset("mnist") -> stand-in)

EVERY_PRESET = [(recipe, name) for recipe, names in presets.recipes().items() for name in names]


def numbers(tree):
    """Every int / float inside nested dicts (strings such as the feature net's name are skipped)."""
    if isinstance(tree, dict):
        return [x for value in tree.values() for x in numbers(value)]
    return [tree] if isinstance(tree, (int, float)) and not isinstance(tree, bool) else []


@pytest.fixture(scope="module")
def digits_judge():
    return load_judge("digits", size=8)  # from the cache when there is one (its training is tested elsewhere)


def test_every_recipe_has_a_runner():
    assert set(RUNNERS) == set(presets.recipes())


@pytest.mark.parametrize("recipe, name", EVERY_PRESET)
def test_every_preset_trains_and_draws_on_the_cpu(recipe, name, stand_in_torchvision):  # noqa: F811
    p = tiny_preset(presets.preset(recipe, name, quiet=True), n_train=16)
    assert p.config != presets.preset(recipe, name, quiet=True).config  # smaller batches / data only
    asked, shown = (40, 16) if recipe == "detector" else (2, 2)  # the detector shows at most 8 + 8 of its fakes
    run = run_preset(p, steps=2, device="cpu", grade=False, n_samples=asked, progress=name == "gpu")  # bars: both ways
    assert (run["recipe"], run["preset"], run["device"], run["steps"], run["preset_steps"]) == (
        recipe, name, "cpu", 2, p.steps)
    assert 0 < run["seconds"] < math.inf
    assert all(math.isfinite(x) for x in numbers(run["scores"]))
    images = run["images"]
    side = p.data["size"] if recipe == "style_transfer" else p.judge[1]  # what the preset draws at
    assert images.shape[0] == shown and images.shape[1] in (1, 3) and images.shape[2:] == (side, side), images.shape
    assert images.dtype == torch.float32 and torch.isfinite(images).all()
    assert images.min() >= 0 and images.max() <= 1
    if recipe == "detector":  # the detectors' own accuracies come without any judge
        accuracies = numbers({k: run["scores"][k] for k in ("spectrum", "cnn")})
        assert len(accuracies) == 8 and all(0 <= a <= 1 for a in accuracies)
    if recipe == "style_transfer" and name == "gpu":
        assert run["scores"]["feature_net"] == "random"  # VGG19 is downloaded on a CUDA GPU only


@pytest.mark.parametrize("recipe", ["diffusion", "gan", "autoencoder"])
def test_laptop_digit_presets_are_graded_by_the_digits_judge(recipe, digits_judge, stand_in_torchvision):  # noqa: F811
    p = tiny_preset(presets.preset(recipe, "laptop", quiet=True))
    assert p.judge == ("digits", 8)
    run = run_preset(p, steps=3, device="cpu", judge=digits_judge, n_samples=20)
    scores, images = run["scores"], run["images"]
    assert images.shape == (20, 1, 8, 8)
    conditional = recipe != "autoencoder"
    again = evaluate_samples(digits_judge, images, labels=balanced_labels(20) if conditional else None, copying=False)
    assert scores["frechet"] == round(again["frechet"], 2) >= 0  # the grades are of the returned images
    assert math.isfinite(scores["frechet_floor"]) and scores["frechet_floor"] >= 0
    if conditional:
        assert scores["accuracy"] == round(again["accuracy"], 4) and 0 <= scores["accuracy"] <= 1
    else:
        assert 0 <= scores["entropy"] <= math.log(10) + 1e-6
        assert 0 <= scores["judge_on_reconstructions"] <= 1


def test_the_preset_judge_is_the_one_it_names(digits_judge):
    judge = load_preset_judge(presets.preset("diffusion", "laptop", quiet=True))
    x = torch.rand(16, 1, 8, 8)
    assert torch.equal(judge.predict(x), digits_judge.predict(x))


def test_bad_arguments_are_refused_by_name():
    p = presets.preset("diffusion", "laptop", quiet=True)
    with pytest.raises(TypeError, match="p must be a Preset"):
        run_preset("diffusion")
    with pytest.raises(ValueError, match="no runner for recipe 'painting'"):
        run_preset(dataclasses.replace(p, recipe="painting"))
    for bad in (0, 2.5, True, "10"):
        with pytest.raises(ValueError, match="steps must be None"):
            run_preset(p, steps=bad)
    for bad in (3, "gpu0"):
        with pytest.raises(TypeError, match="device must be None, a torch.device or a name"):
            run_preset(p, device=bad)
    with pytest.raises(TypeError, match="grade must be True or False"):
        run_preset(p, grade="yes")
    with pytest.raises(TypeError, match="progress must be True or False"):
        run_preset(p, progress=1)
    with pytest.raises(ValueError, match="n_samples must be None or an int >= 1"):
        run_preset(p, n_samples=0)
    with pytest.raises(TypeError, match="p must be a Preset"):
        tiny_preset(p.config)
    with pytest.raises(ValueError, match="batch_size and n_train must be ints >= 1"):
        tiny_preset(p, batch_size=0)
