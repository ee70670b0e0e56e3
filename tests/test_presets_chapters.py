"""Presets of chapters 04 (autoencoders), 08 (mini Stable Diffusion) and 09 (style transfer): the laptop
preset is the chapter's own recipe, and every gpu preset trains a few steps on the CPU with stand-in
data of its real shape (no download)."""
import dataclasses

import pytest
import torch

from genimg_edu import presets
from genimg_edu.device import choose_device_and_amp
from test_presets import stand_in_torchvision  # noqa: F401  (fixture: load_dataset("mnist") -> stand-in)


def weights(model):
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def same(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_the_new_recipes_have_both_presets():
    for recipe in ("autoencoder", "mini_sd", "style_transfer"):
        assert presets.recipes()[recipe] == ("laptop", "gpu")


# --- chapter 04 ---------------------------------------------------------------------------------------------

def test_autoencoder_laptop_preset_is_notebook_04s_vae():
    from genimg_edu.autoencoders import VAE, train_autoencoder
    from genimg_edu.autoencoders.recipe import AutoencoderConfig, train_recipe
    from genimg_edu.data import load_dataset
    p = presets.preset("autoencoder", "laptop", quiet=True)
    assert p.config == AutoencoderConfig() and p.judge == ("digits", 8)
    assert (p.config.kind, p.config.latent_dim, p.config.steps, p.config.amp) == ("vae", 2, 5000, "off")
    images = load_dataset("digits", split="train", size=8).images
    short = dataclasses.replace(p.config, steps=8)
    model, history = train_recipe(short, images=images)
    torch.manual_seed(0)
    by_hand = VAE(latent_dim=2)  # notebook 04's cell, same seed
    by_hand_history = train_autoencoder(by_hand, images, steps=8)
    assert same(weights(model), weights(by_hand)) and history == by_hand_history


def test_models_default_to_the_chapters_8x8_digits_bit_for_bit():
    """image_size / channels are new arguments: the defaults build the very same network (same seed ->
    same weights), so cached and measured chapter-04 results stay valid."""
    from genimg_edu.autoencoders import VAE, Autoencoder
    for cls in (Autoencoder, VAE):
        torch.manual_seed(3)
        default = weights(cls(4))
        torch.manual_seed(3)
        explicit = weights(cls(4, image_size=8, channels=1))
        assert same(default, explicit)
        assert default["encoder.1.weight"].shape == (128, 64)


def test_models_take_other_image_shapes_and_refuse_wrong_ones():
    from genimg_edu.autoencoders import VAE, Autoencoder
    vae = VAE(16, hidden=32, image_size=28)
    x = torch.rand(3, 1, 28, 28)
    x_hat, mu, logvar = vae(x)
    assert x_hat.shape == (3, 1, 28, 28) and mu.shape == (3, 16)
    assert vae.sample(2).shape == (2, 1, 28, 28)
    colour = Autoencoder(8, hidden=16, image_size=16, channels=3)
    assert colour(torch.rand(2, 3, 16, 16)).shape == (2, 3, 16, 16)
    with pytest.raises(ValueError, match=r"x must be images of shape \(B, 1, 28, 28\)"):
        vae.encode(torch.rand(2, 1, 8, 8))
    with pytest.raises(ValueError, match=r"x must be digits of shape \(B, 1, 8, 8\)"):
        VAE(2).encode(x)
    with pytest.raises(ValueError, match="image_size must be an int >= 1"):
        Autoencoder(2, image_size=0)
    with pytest.raises(ValueError, match="channels must be an int >= 1"):
        VAE(2, channels=2.0)
    with pytest.raises(ValueError, match=r"latent_dim must be an int in \[1, 784\]"):
        VAE(785, image_size=28)


def test_autoencoder_config_refuses_bad_values_by_name():
    from genimg_edu.autoencoders.recipe import AutoencoderConfig
    for bad, name in ((dict(kind="gan"), "kind"), (dict(dataset="cifar10"), "dataset"),
                      (dict(dataset="mnist"), "image_size"), (dict(latent_dim=0), "latent_dim"),
                      (dict(amp="fp8"), "amp"), (dict(steps=0), "steps"), (dict(lr=0), "lr"),
                      (dict(download="yes"), "download"), (dict(beta=-1), "beta")):
        with pytest.raises(ValueError, match=f"^{name} must be"):
            AutoencoderConfig(**bad)


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_gpu_autoencoder_preset_trains_on_cpu_with_stand_in_28px_data(stand_in_torchvision, dataset):  # noqa: F811
    from genimg_edu.autoencoders import reconstruct
    from genimg_edu.autoencoders.recipe import train_recipe
    p = presets.preset("autoencoder", "gpu", quiet=True)
    assert p.config.amp == choose_device_and_amp()[1] and p.judge == ("mnist", 28)
    config = dataclasses.replace(p.config, dataset=dataset, steps=3, batch_size=8)
    lines = []
    model, history = train_recipe(config, device="cpu", on_step=(p.eta(after=1, printer=lines.append),))
    assert stand_in_torchvision[0] == {"name": dataset, "split": "train", "download": True, "value_range": (0.0, 1.0)}
    assert history[-1]["step"] == 3 and torch.isfinite(torch.tensor(history[-1]["loss"])) and len(lines) == 1
    assert model.latent_dim == 16 and model.image_shape == (1, 28, 28)
    assert next(model.parameters()).device.type == "cpu"
    x = torch.rand(4, 1, 28, 28)
    assert reconstruct(model, x).shape == (4, 1, 28, 28) and model.sample(2).shape == (2, 1, 28, 28)


def test_vae_loss_is_float32_under_bf16_autocast():
    """The gpu preset trains the VAE under autocast: its binary cross-entropy is computed in float32."""
    from genimg_edu.autoencoders import VAE, vae_batch_loss
    torch.manual_seed(0)
    model, x = VAE(4, hidden=16), torch.rand(8, 1, 8, 8)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logs = vae_batch_loss(model, x)
    plain = vae_batch_loss(model, x)
    assert logs["loss"].dtype == torch.float32
    assert abs(logs["loss"].item() - plain["loss"].item()) < 0.05 * plain["loss"].item()  # bf16 rounding only
    logs["loss"].backward()
    assert all(p.grad is not None for p in model.parameters())


# --- chapter 08 ---------------------------------------------------------------------------------------------

def test_mini_sd_laptop_preset_is_the_chapters_config_and_gpu_is_bigger():
    from genimg_edu.stable_diffusion.config import MiniSDConfig
    laptop = presets.preset("mini_sd", "laptop", quiet=True)
    assert laptop.config == MiniSDConfig() and laptop.judge == ("shapes", 32)
    assert (laptop.steps, laptop.batch_size) == (MiniSDConfig().unet_steps, MiniSDConfig().unet_batch_size)
    gpu = presets.preset("mini_sd", "gpu", quiet=True).config
    for field in ("n_train", "vae_steps", "clip_steps", "unet_steps", "text_dim"):
        assert getattr(gpu, field) > getattr(laptop.config, field), field
    assert all(g > s for g, s in zip(gpu.unet_channels + gpu.vae_channels,
                                     laptop.config.unet_channels + laptop.config.vae_channels))
    assert gpu.latent_side == 8  # still 32 px shapes -> 8x8 latents
    for stage in ("vae", "text", "unet"):
        assert gpu.fingerprint(stage) != laptop.config.fingerprint(stage)  # never loads the laptop's cache


def test_gpu_mini_sd_preset_trains_every_stage_on_cpu(tmp_path):
    from genimg_edu.stable_diffusion.evaluation import generate
    from genimg_edu.stable_diffusion.pipeline import build_mini_sd
    p = presets.preset("mini_sd", "gpu", quiet=True)
    config = p.config.replace(n_train=12, vae_steps=2, vae_batch_size=4, clip_steps=2, clip_batch_size=8,
                              unet_steps=2, unet_batch_size=4)
    pipe, info = build_mini_sd(config, directory=tmp_path, progress=False, return_info=True)
    for stage in ("vae", "text", "unet"):
        assert not info[stage]["cached"] and all(torch.isfinite(torch.tensor(h["loss"])) for h in info[stage]["history"])
    assert pipe.unet.config.block_out_channels == (64, 128)
    images = generate(pipe, ["a large red circle in the center"], steps=2)
    assert images.shape == (1, 3, 32, 32) and images.min() >= 0 and images.max() <= 1


# --- chapter 09 ---------------------------------------------------------------------------------------------

def notebook_feed_forward_config():
    """The FeedForwardConfig(...) of notebook 09's feed-forward cell, its names resolved from the notebook's
    own assignments (steps(full=..., fast=...) -> the full value): whatever the notebook says today."""
    import ast
    import json
    from pathlib import Path

    from genimg_edu.style.feedforward import FeedForwardConfig
    path = Path(__file__).resolve().parents[1] / "notebooks" / "09_style_transfer.ipynb"
    trees = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            try:
                trees.append(ast.parse("".join(cell["source"])))
            except SyntaxError:  # shell / magic lines (the Colab install cell)
                pass
    nodes = [node for tree in trees for node in ast.walk(tree)]
    values = {}

    def value(node):
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "steps":
            return next(value(k.value) for k in node.keywords if k.arg == "full")
        return ast.literal_eval(node)

    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = value(node.value)
            except (ValueError, KeyError, StopIteration, TypeError):
                pass
    calls = [node for node in nodes
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "FeedForwardConfig"]
    assert len(calls) == 1, f"notebook 09 should build one FeedForwardConfig, found {len(calls)}"
    return FeedForwardConfig(**{k.arg: value(k.value) for k in calls[0].keywords})


def test_style_laptop_preset_is_notebook_09s_feed_forward_cell():
    from genimg_edu.style.feedforward import FeedForwardConfig
    p = presets.preset("style_transfer", "laptop", quiet=True)
    cell = notebook_feed_forward_config()
    assert p.config == cell == FeedForwardConfig()  # the cell's measured recipe is also the library's default
    assert p.data == {"name": "photos", "size": 128} and p.model == {"net": "random"}
    gpu = presets.preset("style_transfer", "gpu", quiet=True)
    assert gpu.config.crop > p.config.crop and gpu.config.steps > p.config.steps and gpu.data["size"] == 512
    assert gpu.model == {"net": "vgg19", "download": True}


def test_gpu_style_preset_trains_on_cpu_at_its_crop_size():
    """Real 512 px photos, the preset's 256 px crops and StyleNet; the random-filter net stands in for
    VGG19 (whose ImageNet weights are downloaded on a GPU machine)."""
    from genimg_edu.data import load_dataset
    from genimg_edu.style.features import feature_net
    from genimg_edu.style.feedforward import stylise_fast, train_feedforward
    from genimg_edu.style.images import style_image
    p = presets.preset("style_transfer", "gpu", quiet=True)
    photos = load_dataset(**{**p.data, "names": ["coffee"]}).images
    assert photos.shape == (1, 3, 512, 512)
    config = dataclasses.replace(p.config, steps=2, batch_size=1)
    model, history = train_feedforward(style_image("swirl", size=256, seed=1), net=feature_net("random", width=8),
                                       photos=photos, config=config)
    assert [h["step"] for h in history] == [1, 2] and all(torch.isfinite(torch.tensor(h["total"])) for h in history)
    assert len(model.res) == 5 and model.out.in_channels == 32  # the preset's 5 blocks, width 32
    out = stylise_fast(model, photos[:1, :, :256, :256])
    assert out.shape == (1, 3, 256, 256) and next(model.parameters()).device.type == "cpu"
