"""Chapter 08 Stable Diffusion anatomy: a tiny offline pipeline, and loading from a local folder."""
import pytest
import torch

pytest.importorskip("transformers")

from genimg_edu.stable_diffusion.anatomy import (build_tiny_pipeline, count_parameters, denoise_step_by_step,  # noqa: E402
                                        load_pretrained_pipeline, tiny_clip_tokenizer, vae_scale_factor)


@pytest.fixture(scope="module")
def pipe():
    return build_tiny_pipeline(seed=0)


def test_tiny_tokenizer_is_a_real_clip_tokenizer(tmp_path):
    tokenizer = tiny_clip_tokenizer(tmp_path)
    assert tokenizer.tokenize("a lush, moonlit forest") == ["a</w>", "lush</w>", ",</w>", "moonlit</w>", "forest</w>"]
    ids = tokenizer("a red fox", padding="max_length", max_length=77).input_ids
    assert len(ids) == 77 and ids[0] == 0 and ids[-1] == 1  # [start] ... padded with [end]


def test_step_by_step_loop_shapes_and_agreement_with_the_pipeline(pipe):
    report = denoise_step_by_step(pipe, "a lush, moonlit forest", steps=3, height=64, width=64, seed=0)
    d = pipe.text_encoder.config.hidden_size
    assert vae_scale_factor(pipe) == 8
    assert report.shapes["token ids"] == (1, 77) and report.shapes["text embeddings"] == (1, 77, d)
    assert report.shapes["context (empty + prompt)"] == (2, 77, d)
    assert report.shapes["latents"] == (1, 4, 8, 8) and report.shapes["decoded image"] == (1, 3, 64, 64)
    assert len(report.latents) == len(report.timesteps) == 3 and report.timesteps[0] > report.timesteps[-1]
    assert report.images.min() >= 0 and report.images.max() <= 1
    reference = pipe("a lush, moonlit forest", num_inference_steps=3, guidance_scale=7.5, height=64, width=64,
                     output_type="pt", generator=torch.Generator().manual_seed(0)).images
    torch.testing.assert_close(report.images, reference.cpu(), atol=1e-4, rtol=1e-4)
    with pytest.raises(ValueError, match="multiples"):
        denoise_step_by_step(pipe, "a forest", steps=1, height=60)
    sizes = count_parameters(pipe)
    assert set(sizes) == {"text_encoder", "unet", "vae"} and all(v > 1000 for v in sizes.values())


def test_load_pretrained_pipeline_from_a_local_folder(pipe, tmp_path):
    pipe.save_pretrained(tmp_path)
    loaded = load_pretrained_pipeline(str(tmp_path), device="cpu", local_files_only=True)
    assert loaded.unet.dtype == torch.float32 and loaded.device.type == "cpu"
    for name in ("unet", "vae", "text_encoder"):
        ours, theirs = getattr(pipe, name).state_dict(), getattr(loaded, name).state_dict()
        assert ours.keys() == theirs.keys() and all(torch.equal(ours[k], theirs[k]) for k in ours)
    a = denoise_step_by_step(pipe, "a red circle", steps=2, seed=1).images
    b = denoise_step_by_step(loaded, "a red circle", steps=2, seed=1).images
    torch.testing.assert_close(a, b)


def test_real_weights_are_only_fetched_on_a_gpu(monkeypatch):
    from genimg_edu.stable_diffusion import anatomy as sd_anatomy
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert sd_anatomy.can_download_weights() is False  # no GPU: never touches the network
