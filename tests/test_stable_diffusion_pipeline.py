"""Chapter 08 mini Stable Diffusion, end to end on tiny configs: stages train, cache and resume; the
assembled StableDiffusionPipeline runs, equals its unrolled loop, round-trips through save_pretrained;
img2img and the latent cost helpers work."""
import pytest
import torch

pytest.importorskip("diffusers")

from genimg_edu.stable_diffusion import MiniSDConfig, build_mini_sd, denoise_step_by_step, load_pipeline  # noqa: E402
from genimg_edu.stable_diffusion.img2img import img2img, img2img_pipeline  # noqa: E402
from genimg_edu.stable_diffusion.widgets import strength_widget  # noqa: E402
from genimg_edu.stable_diffusion.latent_cost import latent_vs_pixel_cost  # noqa: E402
from genimg_edu.stable_diffusion.prompts import training_images  # noqa: E402
from genimg_edu.stable_diffusion.training import load_or_train_vae, partial_path, stage_path  # noqa: E402
from genimg_edu.stable_diffusion.vae import build_vae, reconstruct, train_vae  # noqa: E402

CONFIG = MiniSDConfig.fast(n_train=128, vae_steps=8, clip_steps=6, unet_steps=8)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mini_sd")
    pipe, info = build_mini_sd(CONFIG, directory=folder, progress=False, return_info=True)
    return pipe, info, folder


def test_stages_train_once_then_load_from_the_cache(built):
    pipe, info, folder = built
    assert not any(info[s]["cached"] for s in ("vae", "text", "unet"))
    assert all(info[s]["cpu_seconds"] > 0 for s in ("vae", "text", "unet"))
    for stage in ("vae", "text", "unet", "latents"):
        assert stage_path(CONFIG, stage, folder).exists()
    again, info2 = build_mini_sd(CONFIG, directory=folder, progress=False, return_info=True)
    assert all(info2[s]["cached"] for s in ("vae", "text", "unet"))
    for name in ("vae", "unet", "text_encoder"):
        ours, theirs = getattr(pipe, name).state_dict(), getattr(again, name).state_dict()
        assert all(torch.equal(ours[k], theirs[k]) for k in ours)
    assert again.vae.config.scaling_factor == pytest.approx(pipe.vae.config.scaling_factor)
    assert not any(p.requires_grad for p in again.text_encoder.parameters())  # frozen, as in SD


def test_an_interrupted_stage_resumes_to_the_same_weights_and_a_longer_run_continues(tmp_path):
    config = CONFIG.replace(vae_steps=6)
    data = training_images(config)
    torch.manual_seed(config.seed)
    half = build_vae(config)
    train_vae(half, data.images, config.replace(vae_steps=3), progress=False,  # "interrupted" after 3 of 6 steps
              checkpoint_path=partial_path(config, "vae", tmp_path))
    resumed, info = load_or_train_vae(config, directory=tmp_path, progress=False, data=data)
    assert info["resumed_from"] == 3
    straight, _ = load_or_train_vae(config, directory=tmp_path / "straight", progress=False, data=data)
    for key, value in straight.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[key], value)
    assert partial_path(config, "vae", tmp_path) == partial_path(config.replace(vae_steps=8), "vae", tmp_path)
    _, longer = load_or_train_vae(config.replace(vae_steps=8), directory=tmp_path, progress=False, data=data)
    assert longer["resumed_from"] == 6 and not longer["cached"]


def test_the_pipeline_follows_the_diffusers_interface_and_equals_the_unrolled_loop(built):
    pipe, _, _ = built
    assert type(pipe).__name__ == "StableDiffusionPipeline" and pipe.vae_scale_factor == 4
    out = pipe("a small red circle on the left", height=32, width=32, guidance_scale=4.0, num_inference_steps=3,
               negative_prompt="a blue shape", output_type="pt", generator=torch.Generator().manual_seed(0)).images
    assert out.shape == (1, 3, 32, 32) and 0 <= out.min() and out.max() <= 1
    report = denoise_step_by_step(pipe, "a large green cross at the bottom", steps=3, guidance=4.0, height=32,
                                  width=32, seed=3)
    reference = pipe("a large green cross at the bottom", height=32, width=32, guidance_scale=4.0, num_inference_steps=3,
                     output_type="pt", generator=torch.Generator().manual_seed(3)).images
    torch.testing.assert_close(report.images, reference, atol=1e-5, rtol=1e-5)
    assert report.shapes["latents"] == (1, 4, 8, 8) and report.shapes["text embeddings"] == (1, 16, 32)


def test_save_pretrained_round_trip_gives_identical_images(built, tmp_path):
    pipe, _, _ = built
    pipe.save_pretrained(tmp_path)
    loaded = load_pipeline(tmp_path)
    kwargs = dict(height=32, width=32, guidance_scale=3.0, num_inference_steps=2, output_type="pt")
    a = pipe(["a large red square in the center"] * 2, generator=torch.Generator().manual_seed(5), **kwargs).images
    b = loaded(["a large red square in the center"] * 2, generator=torch.Generator().manual_seed(5), **kwargs).images
    assert torch.equal(a, b)
    assert loaded.scheduler.config.prediction_type == "v_prediction"


def test_img2img_keeps_more_of_the_picture_at_low_strength(built):
    pipe, _, _ = built
    image = training_images(CONFIG).images[0]
    start = reconstruct(pipe.vae, image[None])
    runner = img2img_pipeline(pipe)
    assert runner.unet is pipe.unet  # same components, no copies
    calls = []
    hook = pipe.unet.register_forward_hook(lambda module, args, out: calls.append(1))
    try:
        gentle = img2img(runner, image, "a large blue square in the center", strength=0.3, steps=10)
        assert len(calls) == 3  # strength 0.3 of 10 steps: only the last 3 are run (one batched CFG call each)
        calls.clear()
        full = img2img(runner, image, "a large blue square in the center", strength=1.0, steps=10)
        assert len(calls) == 10
    finally:
        hook.remove()
    assert gentle.shape == full.shape == start.shape and not torch.equal(gentle, full)
    widget = strength_widget(pipe, image, n_images=1)
    widget.controls["strength"].value = 0.5
    assert widget.error is None and widget.result.shape == (1, 3, 32, 32)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"strength": 0.0}, ValueError, "strength"), ({"strength": 1.5}, ValueError, "strength"),
    ({"strength": "half"}, TypeError, "strength"), ({"strength": True}, TypeError, "strength"),
    ({"strength": 0.01, "steps": 25}, ValueError, "at least one denoising step"),   # int(0.25) = 0 steps
    ({"steps": 0}, ValueError, "steps"), ({"guidance": -1.0}, ValueError, "guidance"),
    ({"seed": -1}, ValueError, "seed"), ({"n_images": 0}, ValueError, "n_images"), ({"prompt": 3}, TypeError, "prompt"),
    ({"image": torch.rand(2, 3, 32, 32)}, ValueError, "one picture"),
    ({"image": torch.rand(3, 30, 30)}, ValueError, "multiples of 4"),   # was silently cropped to 28x28
    ({"image": torch.rand(1, 32, 32)}, ValueError, "3 channel"), ({"image": torch.rand(3, 32, 32) * 4}, ValueError, r"\[0, 1\]"),
    ({"image": torch.full((3, 32, 32), float("nan"))}, ValueError, "NaN")])
def test_img2img_refuses_bad_input_before_drawing(built, kwargs, error, message):
    pipe, _, _ = built
    call = {"image": torch.rand(3, 32, 32), "prompt": "a red shape", "steps": 4, **kwargs}
    with pytest.raises(error, match=message):
        img2img(pipe, call.pop("image"), call.pop("prompt"), **call)


def test_strength_widget_checks_its_picture_when_built(built):
    pipe, _, _ = built
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        strength_widget(pipe, torch.rand(3, 32, 32) * 255)
    with pytest.raises(ValueError, match="n_images"):
        strength_widget(pipe, torch.rand(3, 32, 32), n_images=0)


def test_latent_vs_pixel_cost_measures_both_spaces():
    cost = latent_vs_pixel_cost(CONFIG, batch_size=4, repeats=1)
    assert cost["positions"] == {"latent": 64, "pixel": 1024}
    assert cost["latent"]["cpu_seconds"] > 0 and cost["pixel"]["cpu_seconds"] > 0
    with pytest.raises(TypeError, match="MiniSDConfig"):
        latent_vs_pixel_cost("fast")
    for bad in ({"batch_size": 0}, {"repeats": 0}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            latent_vs_pixel_cost(CONFIG, **bad)
