"""Chapter 08's stages train on the device they are given (a Colab GPU when present), and a decaying
learning rate keeps each stage's length in its checkpoint name."""
import pytest
import torch

pytest.importorskip("diffusers")

import genimg_edu.device as device_module  # noqa: E402
import genimg_edu.stable_diffusion.text_encoder as text_module  # noqa: E402
import genimg_edu.stable_diffusion.unet as unet_module  # noqa: E402
import genimg_edu.stable_diffusion.vae as vae_module  # noqa: E402
from genimg_edu.stable_diffusion import MiniSDConfig, build_mini_sd  # noqa: E402
from genimg_edu.stable_diffusion.training import partial_path  # noqa: E402
from genimg_edu.train import train as real_train  # noqa: E402

CONFIG = MiniSDConfig.fast(n_train=64, vae_steps=3, clip_steps=3, unet_steps=3)


@pytest.fixture
def devices_used(monkeypatch):
    """Wrap the training loop each stage calls: record the device of every TrainConfig it builds."""
    used = []

    def recording_train(model, loss_fn, data, *, config, **kwargs):
        used.append(config.device)
        return real_train(model, loss_fn, data, config=config, **kwargs)
    for module in (vae_module, text_module, unet_module):
        monkeypatch.setattr(module, "train", recording_train)
    return used


def test_every_stage_trains_on_the_device_asked_for(devices_used, tmp_path):
    pipe = build_mini_sd(CONFIG, directory=tmp_path, progress=False, device="cpu")
    assert [torch.device(d) for d in devices_used] == [torch.device("cpu")] * 3
    assert pipe.device.type == "cpu"
    assert all(p.device.type == "cpu" for part in (pipe.vae, pipe.unet, pipe.text_encoder) for p in part.parameters())


def test_without_a_device_the_stages_use_pick_device(devices_used, tmp_path, monkeypatch):
    asked = []

    def fake_pick_device():
        asked.append(True)
        return torch.device("cpu")
    monkeypatch.setattr(device_module, "pick_device", fake_pick_device)  # what resolve_device(None) asks
    build_mini_sd(CONFIG, directory=tmp_path, progress=False)
    assert asked == [True] and [torch.device(d) for d in devices_used] == [torch.device("cpu")] * 3


@pytest.mark.parametrize("bad", ["gpu0", 3, "cuda:x"])
def test_a_bad_device_is_refused_before_anything_trains(devices_used, tmp_path, bad):
    with pytest.raises(ValueError, match="device must be None"):
        build_mini_sd(CONFIG, directory=tmp_path, progress=False, device=bad)
    assert devices_used == [] and not list(tmp_path.iterdir())


def test_cosine_keeps_the_step_count_in_the_resumable_checkpoint_name(tmp_path):
    constant = CONFIG.replace(vae_lr_schedule="constant", unet_lr_schedule="constant")
    cosine = CONFIG.replace(vae_lr_schedule="cosine", unet_lr_schedule="cosine")
    assert partial_path(constant, "vae", tmp_path) == partial_path(constant.replace(vae_steps=9), "vae", tmp_path)
    assert partial_path(constant, "unet", tmp_path) == partial_path(constant.replace(unet_steps=9), "unet", tmp_path)
    assert partial_path(cosine, "vae", tmp_path) != partial_path(cosine.replace(vae_steps=9), "vae", tmp_path)
    assert partial_path(cosine, "unet", tmp_path) != partial_path(cosine.replace(unet_steps=9), "unet", tmp_path)
    assert partial_path(cosine, "text", tmp_path) == partial_path(cosine.replace(clip_steps=9), "text", tmp_path)
    assert cosine.fingerprint("vae") != constant.fingerprint("vae")  # a different recipe, cached apart
    assert cosine.fingerprint("text") == constant.fingerprint("text")  # the text stage does not use it


def test_each_stage_has_its_own_schedule():
    default = MiniSDConfig()
    assert (default.vae_lr_schedule, default.unet_lr_schedule) == ("constant", "cosine")  # measured choices
    unet_only = default.replace(unet_lr_schedule="constant")
    assert unet_only.fingerprint("vae") == default.fingerprint("vae")    # the VAE is reused
    assert unet_only.fingerprint("unet") != default.fingerprint("unet")  # the UNet is not
    vae_only = default.replace(vae_lr_schedule="cosine")
    assert vae_only.fingerprint("unet") != default.fingerprint("unet")   # a new VAE means new latents
    for name in ("vae_lr_schedule", "unet_lr_schedule"):
        with pytest.raises(ValueError, match=f"{name} must be one of"):
            CONFIG.replace(**{name: "linear"})
