"""Laptop / GPU presets: choice, laptop = the chapters' own defaults, and every GPU preset trains a few
steps on the CPU with stand-in data of the real shape and range (no download), judged by a judge of
its data set trained the real way on stand-in data."""
import dataclasses

import pytest
import torch

from genimg_edu import presets
from genimg_edu.data import ImageSet, online
from genimg_edu.metrics import evaluate_samples, frechet, judge as judge_module, load_judge

SHAPES = {"mnist": (1, 28), "fashion_mnist": (1, 28), "cifar10": (3, 32)}


def stand_in_images(name: str, n: int, seed: int):
    """(images (n, C, S, S) in [0, 1], labels (n,)): noise plus a bright 6x6 patch whose place says the
    class, so a judge can learn the labels (it cannot from pure noise)."""
    channels, size = SHAPES[name]
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    images = torch.rand(n, channels, size, size, generator=g) * 0.3
    for k in range(10):
        row, col = 2 + (k // 5) * 12, 1 + (k % 5) * 5
        images[labels == k, :, row:row + 6, col:col + 4] = 1.0
    return images, labels


@pytest.fixture
def stand_in_torchvision(monkeypatch, no_network, tmp_path):
    """load_dataset("mnist" | "fashion_mnist" | "cifar10") returns stand-in data; records each call."""
    calls = []

    def fake_load_torchvision(name, *, split="train", root=None, download=False, value_range=(0.0, 1.0),
                              limit=None):
        calls.append({"name": name, "split": split, "download": download, "value_range": tuple(value_range)})
        images, labels = stand_in_images(name, 400 if split == "train" else 100, seed=int(split == "test"))
        low, high = value_range
        images, labels = images[:limit], labels[:limit]
        return ImageSet(images=images * (high - low) + low, labels=labels, classes=[str(i) for i in range(10)],
                        value_range=(low, high), name=name)

    monkeypatch.setattr(online, "load_torchvision", fake_load_torchvision)
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path))
    frechet._real_images.cache_clear()
    yield calls
    frechet._real_images.cache_clear()


def test_preset_name_env_cuda_and_explicit(monkeypatch):
    monkeypatch.delenv(presets.PRESET_ENV, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert presets.preset_name() == "laptop"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert presets.preset_name() == "gpu"
    monkeypatch.setenv(presets.PRESET_ENV, "laptop")
    assert presets.preset_name() == "laptop"              # the variable overrides CUDA
    assert presets.preset_name("gpu") == "gpu"            # an explicit name overrides the variable
    monkeypatch.setenv(presets.PRESET_ENV, "tpu")
    with pytest.raises(ValueError, match="GENIMG_PRESET must be one of"):
        presets.preset_name()
    with pytest.raises(ValueError, match="name must be one of"):
        presets.preset_name("huge")


def test_recipes_and_bad_requests():
    assert {"gan", "diffusion", "text_to_image"} <= set(presets.recipes())
    with pytest.raises(ValueError, match="unknown recipe"):
        presets.preset("painting")
    with pytest.raises(ValueError, match="name must be one of"):
        presets.register("x", "cloud", lambda: None)
    with pytest.raises(TypeError, match="factory must be callable"):
        presets.register("x", "gpu", None)


def test_laptop_presets_are_the_chapters_defaults():
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig
    from genimg_edu.gan.training import GANConfig
    from genimg_edu.text import TextToImageConfig
    assert presets.preset("diffusion", "laptop", quiet=True).config == DigitsDiffusionConfig()
    assert presets.preset("text_to_image", "laptop", quiet=True).config == TextToImageConfig()
    assert presets.preset("gan", "laptop", quiet=True).config == GANConfig(steps=1500, loss="hinge")
    for recipe in presets.recipes():
        p = presets.preset(recipe, "laptop", quiet=True)
        assert getattr(p.config, "amp", "off") == "off", f"{recipe}: the laptop path must not change precision"
        if hasattr(p.config, "steps"):  # mini_sd's stages and the detector's CNN have their own (test_presets_*.py)
            assert p.steps == p.config.steps and p.batch_size == p.config.batch_size


def test_preset_prints_what_trains_and_a_measured_estimate(monkeypatch, capsys):
    monkeypatch.setenv(presets.PRESET_ENV, "laptop")
    p = presets.preset("diffusion")
    line = capsys.readouterr().out.strip()
    assert line == p.announce("cpu") or "no timing measured" in line  # on a GPU machine the device differs
    assert p.announce("cpu").endswith("estimated 64 s on cpu (measured with 2 CPU threads)")
    assert "an estimate follows after the first steps" in presets.preset("diffusion", "gpu", quiet=True).announce("cuda")


def test_eta_hook_prints_once_from_measured_steps():
    lines = []
    hook = presets.EtaHook(100, after=3, printer=lines.append)
    for step in range(1, 10):
        hook(step, "model", "schedule")
    assert len(lines) == 1 and "remaining 96 steps" in lines[0]
    assert hook.seconds_per_step is not None and hook.seconds_per_step >= 0
    with pytest.raises(ValueError, match="after"):
        presets.EtaHook(10, after=0)


def test_gpu_presets_use_mixed_precision_and_the_big_data():
    from genimg_edu.device import choose_device_and_amp
    amp = choose_device_and_amp()[1]
    diffusion = presets.preset("diffusion", "gpu", quiet=True)
    assert (diffusion.config.dataset, diffusion.config.size, diffusion.config.amp) == ("mnist", 28, amp)
    assert diffusion.config.preload and diffusion.judge == ("mnist", 28)
    gan = presets.preset("gan", "gpu", quiet=True)
    assert gan.data["name"] == "cifar10" and gan.model["generator"]["size"] == 32 and gan.judge == ("cifar10", 32)
    text = presets.preset("text_to_image", "gpu", quiet=True)
    assert text.config.image_size == 32 and text.judge == ("shapes", 32) and text.config.amp == amp


@pytest.mark.slow
def test_gpu_diffusion_preset_trains_on_cpu_with_stand_in_mnist(stand_in_torchvision):
    from genimg_edu.diffusion.digits import generate_digits, train_digits_diffusion
    p = presets.preset("diffusion", "gpu", quiet=True)
    config = dataclasses.replace(p.config, steps=3, batch_size=4)
    eta_lines = []
    model, schedule, result = train_digits_diffusion(config, progress=False, device="cpu",
                                                     watch=p.eta(after=1, printer=eta_lines.append))
    assert stand_in_torchvision[0] == {"name": "mnist", "split": "train", "download": True, "value_range": (-1, 1)}
    assert result.step == 3 and torch.isfinite(torch.tensor(result.final_loss))
    assert len(eta_lines) == 1
    images = generate_digits(model, labels=torch.arange(2), schedule=schedule, size=28, steps=1)
    assert images.shape == (2, 1, 28, 28) and images.min() >= 0 and images.max() <= 1


@pytest.mark.slow
def test_gpu_gan_preset_trains_on_cpu_with_stand_in_cifar10(stand_in_torchvision):
    from genimg_edu.data import load_dataset
    from genimg_edu.gan.dcgan import DCGANDiscriminator, DCGANGenerator
    from genimg_edu.gan.training import GANTrainer
    p = presets.preset("gan", "gpu", quiet=True)
    data = load_dataset(**p.data)
    assert data.images.shape[1:] == (3, 32, 32) and stand_in_torchvision[0]["download"] is True
    torch.manual_seed(0)
    trainer = GANTrainer(DCGANGenerator(**p.model["generator"]), DCGANDiscriminator(**p.model["discriminator"]),
                         data, config=dataclasses.replace(p.config, steps=2, batch_size=4, device="cpu",
                                                          progress=False, log_every=1))
    before = [w.detach().clone() for w in trainer.generator.parameters()]
    history = trainer.fit()
    assert len(history) == 2 and all(torch.isfinite(torch.tensor(h["g_loss"])) for h in history)
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.generator.parameters()))
    fake = trainer.sample(2, labels=torch.arange(2))
    assert fake.shape == (2, 3, 32, 32) and fake.dtype == torch.float32


def test_gan_bf16_autocast_runs_and_bad_amp_is_refused():
    from genimg_edu.gan.dcgan import DCGANDiscriminator, DCGANGenerator
    from genimg_edu.gan.training import GANConfig, GANTrainer
    data = torch.rand(16, 1, 8, 8) * 2 - 1
    trainer = GANTrainer(DCGANGenerator(size=8), DCGANDiscriminator(size=8), data,
                         config=GANConfig(steps=2, batch_size=8, device="cpu", progress=False, amp="bf16"))
    assert trainer.amp_dtype == torch.bfloat16
    assert len(trainer.fit()) == 1
    with pytest.raises(ValueError, match="amp must be"):
        GANTrainer(DCGANGenerator(size=8), DCGANDiscriminator(size=8), data, config=GANConfig(amp="fp16"))


def test_gpu_text_preset_trains_on_cpu_with_32px_shapes():
    from genimg_edu.text import generate, train_text_to_image
    p = presets.preset("text_to_image", "gpu", quiet=True)
    config = dataclasses.replace(p.config, n_train=16, steps=2, batch_size=4)
    model, result = train_text_to_image(config, progress=False, device="cpu")
    assert result.step == 2 and torch.isfinite(torch.tensor(result.final_loss))
    images = generate(model, ["a large red circle in the center"], steps=1)
    assert images.shape == (1, 3, 32, 32)


@pytest.mark.parametrize("kind", ["mnist", "fashion_mnist", "cifar10"])
def test_judges_for_the_gpu_data_sets_train_the_real_way(kind, stand_in_torchvision, monkeypatch):
    """Same recipe code as the digits judge (fewer passes here): it must learn the stand-in classes."""
    monkeypatch.setitem(judge_module.RECIPES, kind,
                        dataclasses.replace(judge_module.RECIPES[kind], batch_size=32,
                                            epochs={judge_module.TORCHVISION_KINDS[kind]: 3}))
    channels, size = SHAPES[kind]
    judge = load_judge(kind, size=size)
    assert judge.test_accuracy > 0.8, judge.test_accuracy  # chance is 0.1
    assert judge_module.judge_path(kind, size).exists()  # cached ...
    assert load_judge(kind, size=size).test_accuracy == judge.test_accuracy  # ... and loaded back
    images, labels = stand_in_images(kind, 50, seed=7)
    assert judge.accuracy(images, labels) > 0.8
    assert judge.predict(images).shape == (50,) and len(judge.classes) == 10
    report = evaluate_samples(judge, images, labels=labels, copying=False)
    assert report["accuracy"] > 0.8 and report["frechet"] >= 0 and report["n"] == 50
    with pytest.raises(ValueError, match=f"{kind} judges exist for size {size} only"):
        load_judge(kind, size=16)
    with pytest.raises(ValueError, match=f"takes \\(N, {channels}, {size}, {size}\\)"):
        judge.predict(torch.rand(2, channels, 16, 16))


def test_a_torchvision_judge_without_its_data_says_how_to_get_it(monkeypatch, no_network, tmp_path):
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path))
    with pytest.raises(online.DatasetNotDownloadedError, match="download=True"):
        load_judge("mnist", size=28)


def test_the_gpu_benchmark_has_a_runner_for_every_gpu_preset():
    import importlib.util
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu.py"
    spec = importlib.util.spec_from_file_location("gpu_benchmark", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert set(module.RUNNERS) == {r for r, names in presets.recipes().items() if "gpu" in names}
