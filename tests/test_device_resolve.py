"""resolve_device: the one rule every recipe uses for its `device` argument (None -> pick_device()).

CUDA and MPS availability are faked with monkeypatch, so the choices are tested on any machine."""
import re

import pytest
import torch

import genimg_edu.device as device_module
import genimg_edu.train as train_module
from genimg_edu import colab
from genimg_edu.device import DEVICE_RULE, is_device, resolve_device
from genimg_edu.gan.dcgan import DCGANDiscriminator, DCGANGenerator
from genimg_edu.gan.training import GANConfig, GANTrainer


def fake_hardware(monkeypatch, *, cuda: bool, mps: bool):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)


@pytest.mark.parametrize("cuda, mps, expected", [
    (True, True, "cuda"),    # cuda wins
    (True, False, "cuda"),
    (False, True, "mps"),    # Apple silicon
    (False, False, "cpu"),
])
def test_none_picks_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    fake_hardware(monkeypatch, cuda=cuda, mps=mps)
    assert resolve_device(None) == torch.device(expected)
    assert resolve_device() == device_module.pick_device() == torch.device(expected)


@pytest.mark.parametrize("name", ["cpu", "cuda", "cuda:0", "cuda:1", "mps"])
def test_a_named_device_is_that_device_and_pick_device_is_not_asked(monkeypatch, name):
    def refuse():
        raise AssertionError("pick_device must not be called for an explicit device")
    monkeypatch.setattr(device_module, "pick_device", refuse)
    fake_hardware(monkeypatch, cuda=False, mps=False)  # named devices are not checked for availability
    result = resolve_device(name)
    assert isinstance(result, torch.device) and result == torch.device(name)


def test_a_torch_device_passes_through_unchanged():
    for device in (torch.device("cpu"), torch.device("cuda", 1), torch.device("mps")):
        assert resolve_device(device) is device


@pytest.mark.parametrize("bad", [0, 1, True, False, 1.5, "", "gpu", "gpu0", "cuda:x", "CPU ", ["cpu"], b"cpu"])
def test_anything_else_is_refused_with_the_accepted_values(bad):
    expected = f"device must be {DEVICE_RULE}, got {bad!r}"
    with pytest.raises(ValueError, match=re.escape(expected)) as error:
        resolve_device(bad)
    assert str(error.value) == expected
    for accepted in ("None", "'cpu'", "'cuda'", "'cuda:N'", "'mps'"):
        assert accepted in str(error.value)
    assert not is_device(bad)


def test_train_re_exports_the_same_rule():
    assert train_module.is_device is device_module.is_device
    assert train_module.DEVICE_RULE == DEVICE_RULE
    with pytest.raises(ValueError, match=re.escape(f"device must be {DEVICE_RULE}, got 'gpu0'")):
        train_module.TrainConfig(steps=1, device="gpu0")


@pytest.fixture
def recorded_picks(monkeypatch):
    """Replace pick_device with a recorder returning the CPU: who resolves None through it?"""
    picks = []

    def fake_pick_device():
        picks.append(True)
        return torch.device("cpu")
    monkeypatch.setattr(device_module, "pick_device", fake_pick_device)
    return picks


def test_train_gan_and_describe_device_resolve_none_through_pick_device(recorded_picks):
    model = torch.nn.Linear(2, 1)
    data = (torch.randn(8, 2), torch.randn(8, 1))
    config = train_module.TrainConfig(steps=1, batch_size=4, progress=False)
    train_module.train(model, lambda m, batch: ((m(batch[0]) - batch[1]) ** 2).mean(), data, config=config)
    assert recorded_picks == [True]
    trainer = GANTrainer(DCGANGenerator(size=8), DCGANDiscriminator(size=8), torch.rand(8, 1, 8, 8) * 2 - 1,
                         config=GANConfig(steps=1, progress=False))
    assert trainer.device == torch.device("cpu") and recorded_picks == [True, True]
    assert colab.describe_device().startswith("CPU") and recorded_picks == [True, True, True]


def test_describe_device_refuses_a_bad_device(recorded_picks):
    with pytest.raises(ValueError, match="device must be None"):
        colab.describe_device("gpu0")
    assert recorded_picks == []
