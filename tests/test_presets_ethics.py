"""Presets of chapter 10 (the detector of generated images): the laptop preset is notebook 10's
experiment with its own defaults, and the gpu preset runs end to end on the CPU with stand-in MNIST of
the real shape (no download): both generators, both detectors, the degraded tests."""
import dataclasses
import inspect

import pytest
import torch

from genimg_edu import presets
from genimg_edu.device import choose_device_and_amp
from genimg_edu.ethics import detector_recipe, experiments
from genimg_edu.ethics.detector import CNNDetector
from genimg_edu.ethics.detector_recipe import DetectorConfig, run_detector
from test_presets import stand_in_torchvision  # noqa: F401  (fixture: load_dataset("mnist") -> stand-in)

SHARED = ("n_train", "n_test", "cnn_steps", "size", "gan_steps", "diffusion_steps", "quality", "scale", "seed")


def test_detector_has_both_presets():
    assert presets.recipes()["detector"] == ("laptop", "gpu")


def test_detector_laptop_preset_runs_notebook_10s_experiment_with_its_defaults(monkeypatch):
    """run_detector(laptop config) calls detector_experiment with exactly that function's own defaults,
    and the CNN settings are CNNDetector's and CNNDetector.fit's defaults."""
    p = presets.preset("detector", "laptop", quiet=True)
    assert p.config == DetectorConfig() and p.judge == ("digits", 16)
    assert (p.steps, p.batch_size) == (p.config.cnn_steps, p.config.batch_size)
    defaults = {k: v.default for k, v in inspect.signature(experiments.detector_experiment).parameters.items()}
    assert {k: getattr(p.config, k) for k in SHARED} == {k: defaults[k] for k in SHARED}
    fit = inspect.signature(CNNDetector.fit).parameters
    assert (p.config.batch_size, p.config.lr) == (fit["batch_size"].default, fit["lr"].default)
    assert p.config.cnn_width == inspect.signature(CNNDetector.__init__).parameters["width"].default
    calls = []
    monkeypatch.setattr(experiments, "detector_experiment", lambda **kwargs: calls.append(kwargs) or {"ran": True})
    assert run_detector(p.config) == {"ran": True}
    assert calls == [{k: defaults[k] for k in SHARED}]  # widths left to the chapter (None is not passed)
    run_detector(dataclasses.replace(p.config, cnn_steps=5, gan_width=64))
    assert calls[-1]["cnn_steps"] == 5 and calls[-1]["gan_width"] == 64


def test_detector_config_refuses_bad_values_by_name():
    good = dict(dataset="mnist", size=28, gan_steps=1, gan_width=8, diffusion_steps=1, diffusion_width=8)
    DetectorConfig(**good)
    for bad, name in ((dict(dataset="cifar10"), "dataset"), (dict(size=28), "size"), (dict(n_train=0), "n_train"),
                      (dict(quality=100), "quality"), (dict(scale=0), "scale"), (dict(amp="fp8"), "amp"),
                      (dict(gan_width=7), "gan_width"), (dict(lr=0), "lr"), (dict(download="yes"), "download"),
                      ({**good, "gan_steps": None}, "gan_steps"), ({**good, "diffusion_width": None}, "diffusion_width"),
                      ({**good, "size": 32}, "size")):
        with pytest.raises(ValueError, match=f"^{name} must be"):
            DetectorConfig(**bad)
    with pytest.raises(TypeError, match="config must be a DetectorConfig"):
        run_detector({"dataset": "digits"})


def test_detector_gpu_preset_is_bigger_and_uses_the_devices_precision():
    laptop = presets.preset("detector", "laptop", quiet=True).config
    p = presets.preset("detector", "gpu", quiet=True)
    assert (p.config.dataset, p.config.size, p.judge) == ("mnist", 28, ("mnist", 28))
    assert p.config.amp == choose_device_and_amp()[1] and p.config.download
    for field in ("n_train", "n_test", "cnn_steps", "cnn_width", "batch_size"):
        assert getattr(p.config, field) > getattr(laptop, field), field
    assert "an estimate follows after the first steps" in p.announce("cuda")


@pytest.mark.slow
def test_gpu_detector_preset_runs_on_cpu_with_stand_in_28px_mnist(stand_in_torchvision):  # noqa: F811
    """The preset's models (DCGAN width 256, UNet 64-128-128, CNN width 64) and precision, with few
    images and steps: every stage runs and the report has the chapter's shape."""
    p = presets.preset("detector", "gpu", quiet=True)
    config = dataclasses.replace(p.config, n_train=40, n_test=20, cnn_steps=3, batch_size=8, gan_steps=2,
                                 gan_batch_size=8, diffusion_steps=2, diffusion_batch_size=8)
    lines = []
    report = run_detector(config, device="cpu", on_step=(p.eta(after=1, printer=lines.append),))
    assert {(c["name"], c["split"], c["download"]) for c in stand_in_torchvision} == {
        ("mnist", "train", True), ("mnist", "test", True)}
    assert len(lines) == 1 and "remaining 3998 steps" in lines[0]  # timed on the CNN's steps, of the preset's 4,000
    fakes = report["fakes"]
    assert fakes["gan"].shape == (20, 1, 28, 28) and fakes["diffusion"].shape == (20, 1, 28, 28)
    for images in (fakes["gan"], fakes["diffusion"], *report["images"].values()):
        assert images.dtype == torch.float32 and images.min() >= 0 and images.max() <= 1
    assert torch.equal(fakes["diffusion_labels"], torch.arange(20) % 10)
    tests = ["same generator (GAN)", "unseen generator (diffusion)"]
    for name in ("spectrum", "cnn"):
        assert sorted(report[name]) == sorted(tests + [t + ", JPEG + resize" for t in tests])
        assert all(0 <= v <= 1 for v in report[name].values())
    # 2 GAN steps leave smooth blobs, unlike the stand-in digits: the spectrum detector must see it
    assert report["spectrum"]["same generator (GAN)"] > 0.8, report["spectrum"]
    assert set(report["seconds"]) == {"gan", "diffusion", "spectrum", "cnn"}
    assert report["generators"] == {"gan": {"steps": 2, "width": 256}, "diffusion": {"steps": 2, "width": 64}}


def test_gpu_detector_refuses_more_images_than_the_data_has(stand_in_torchvision):  # noqa: F811
    config = dataclasses.replace(presets.preset("detector", "gpu", quiet=True).config, n_train=401)
    with pytest.raises(ValueError, match="n_train must be <= 400"):
        detector_recipe._real(config)
