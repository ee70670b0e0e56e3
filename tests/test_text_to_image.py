"""Chapter 07 text-to-image: held-out data, the UNet, guidance, generation, evaluation, caching."""
import pytest
import torch

from genimg_edu.data.shapes import ATTRIBUTES, parse_caption
from genimg_edu.diffusion import predict_x0, q_sample
from genimg_edu.text.encoder import TextEncoding
from genimg_edu.text import (HELD_OUT, TextToImage, TextToImageConfig, diffusion_loss, evaluate_prompts, generate,
                             guided_eps, is_held_out, load_or_train, split_prompts, train_text_to_image, training_data,
                             v_target)
from genimg_edu.text.text_unet import TextUNet, TextUNetConfig
from genimg_edu.text.tokenizer import UnknownWordError, shapes_tokenizer

TINY = dict(n_train=64, steps=3, batch_size=8, base_channels=8, text_dim=16, text_depth=1, T=50)


def test_held_out_combinations_never_appear_in_training():
    config = TextToImageConfig(n_train=1500)
    data = training_data(config)
    names = {name: [ATTRIBUTES[name][i] for i in codes.tolist()] for name, codes in data.attributes.items()}
    for combo in HELD_OUT:
        hits = sum(all(names[k][row] == v for k, v in combo.items()) for row in range(len(data)))
        assert hits == 0, combo
    assert not any(is_held_out(c) for c in data.captions)
    assert data.images.min() >= -1 and data.images.max() <= 1 and data.images.min() < -0.5
    seen, held = split_prompts()
    assert len(seen) + len(held) == 200 and len(held) == 30 and not set(seen) & set(held)
    assert "a small blue triangle on the left" in held and "a small blue square on the left" in seen


def test_parse_caption():
    assert parse_caption("a small red circle on the left") == {"size": "small", "colour": "red", "shape": "circle",
                                                              "position": "left"}
    assert parse_caption("a large blue cross in the center")["position"] == "center"
    for bad in ("a lush moonlit forest", "a huge red circle on the left", "red circle"):
        with pytest.raises(ValueError):
            parse_caption(bad)


@pytest.mark.parametrize("conditioning", ["cross_attention", "film"])
def test_text_unet_shapes_and_text_dependence(conditioning):
    torch.manual_seed(0)
    unet = TextUNet(TextUNetConfig(base_channels=8, channel_mults=(1, 2, 2), context_dim=16,
                                   conditioning=conditioning))
    for p in unet.parameters():  # leave the identity start so the text can matter
        torch.nn.init.normal_(p, std=0.1)
    x, t = torch.randn(2, 3, 16, 16), torch.tensor([3, 500])
    text_a = TextEncoding(torch.randn(2, 5, 16), torch.randn(2, 16), torch.ones(2, 5, dtype=torch.bool))
    text_b = TextEncoding(torch.randn(2, 5, 16), torch.randn(2, 16), torch.ones(2, 5, dtype=torch.bool))
    out = unet(x, t, text_a)
    assert out.shape == x.shape
    assert not torch.allclose(out, unet(x, t, text_b))
    with pytest.raises(ValueError):
        unet(torch.randn(2, 3, 15, 15), t, text_a)
    with pytest.raises(ValueError, match="conditioning"):
        TextUNet(TextUNetConfig(conditioning="concat"))


def test_loss_guidance_and_generation():
    torch.manual_seed(0)
    model = TextToImage(shapes_tokenizer(), TextToImageConfig(**TINY))
    data = training_data(model.config, n=8)
    ids, mask = model.tokenizer(data.captions)
    loss = diffusion_loss(model, (data.images, ids, mask), caption_dropout=0.5)
    assert loss.ndim == 0 and torch.isfinite(loss)
    for p in model.unet.conv_out.parameters():
        torch.nn.init.normal_(p, std=0.1)
    xt, t = torch.randn(2, 3, 16, 16), torch.tensor([10, 40])
    text, null = model.encode_prompts(["a small red circle on the left"] * 2), model.encode_prompts(["", ""])
    eps_text = model.predict_eps(xt, t, model.unet(xt, t, text))
    eps_null = model.predict_eps(xt, t, model.unet(xt, t, null))
    torch.testing.assert_close(guided_eps(model, xt, t, text, null, guidance=1.0), eps_text, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(guided_eps(model, xt, t, text, null, guidance=0.0), eps_null, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(guided_eps(model, xt, t, text, null, guidance=3.0),
                               eps_null + 3 * (eps_text - eps_null), atol=1e-5, rtol=1e-4)
    images = generate(model, ["a small red circle on the left", "a large blue cross in the center"], steps=3)
    assert images.shape == (2, 3, 16, 16) and images.min() >= 0 and images.max() <= 1
    again = generate(model, ["a small red circle on the left", "a large blue cross in the center"], steps=3)
    assert torch.equal(images, again)  # same seed, same pictures
    with pytest.raises(UnknownWordError, match="did you mean 'circle'"):
        generate(model, ["a small red circel"], steps=2)
    with pytest.raises(ValueError, match="guidance"):
        generate(model, ["a small red circle"], steps=2, guidance=-1)


def test_v_prediction_converts_back_to_the_true_noise():
    model = TextToImage(shapes_tokenizer(), TextToImageConfig(**TINY))
    x0 = torch.rand(3, 3, 16, 16) * 2 - 1
    eps, t = torch.randn_like(x0), torch.tensor([0, 20, 40])
    xt = q_sample(x0, t, eps, schedule=model.schedule)
    v = v_target(x0, t, eps, schedule=model.schedule)
    torch.testing.assert_close(model.predict_eps(xt, t, v), eps, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(predict_x0(xt, t, eps, schedule=model.schedule), x0, atol=1e-4, rtol=1e-4)


def test_caption_dropout_one_means_every_caption_is_empty(monkeypatch):
    model = TextToImage(shapes_tokenizer(), TextToImageConfig(**TINY))
    seen = []
    monkeypatch.setattr(model, "forward", lambda xt, t, ids, mask: (seen.append((ids, mask)), torch.zeros_like(xt))[1])
    data = training_data(model.config, n=4)
    diffusion_loss(model, (data.images, *model.tokenizer(data.captions)), caption_dropout=1.0)
    null_ids, _ = model.tokenizer([""])
    assert (seen[0][0] == null_ids).all() and seen[0][1].sum() == 4 * 2


class ReadsTheCaption:
    """A stand-in judge that answers from the prompt (perfect) or always 'circle/red/...' (wrong)."""

    def __init__(self, prompts, perfect):
        self.prompts, self.perfect = prompts, perfect

    def predict(self, images):
        rows = [parse_caption(p) for p in self.prompts]
        return {name: torch.tensor([ATTRIBUTES[name].index(r[name]) if self.perfect else
                                    (ATTRIBUTES[name].index(r[name]) + 1) % len(ATTRIBUTES[name]) for r in rows])
                for name in ("size", "colour", "shape", "position")}


def test_evaluate_prompts_compares_judge_with_caption():
    model = TextToImage(shapes_tokenizer(), TextToImageConfig(**TINY))
    prompts = ["a small red circle on the left", "a large blue cross in the center", "a small green square at the top"]
    right = evaluate_prompts(model, prompts, ReadsTheCaption(prompts, True), steps=2)
    wrong = evaluate_prompts(model, prompts, ReadsTheCaption(prompts, False), steps=2)
    assert right == {"size": 1.0, "colour": 1.0, "shape": 1.0, "position": 1.0, "all": 1.0}
    assert wrong == {"size": 0.0, "colour": 0.0, "shape": 0.0, "position": 0.0, "all": 0.0}


def test_training_runs_and_the_cache_round_trips(tmp_path, monkeypatch):
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path))
    config = TextToImageConfig(**TINY)
    model, result = train_text_to_image(config, progress=False)
    assert result.step == 3 and all(torch.isfinite(torch.tensor(h["loss"])) for h in result.history)
    first, info = load_or_train(config, progress=False)
    assert not info["cached"] and list(tmp_path.glob("text_to_image_cross_attention_*.safetensors"))
    second, info = load_or_train(config, progress=False)
    assert info["cached"]
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert not list(tmp_path.glob("*.partial.safetensors"))


def test_the_fingerprint_naming_cached_weights_is_stable():
    # Cached weights are found by this name; a changed fingerprint silently forces a ~6 min retrain.
    # The values are those of the configs notebook 07 and the benchmark use (full and fast mode).
    assert TextToImageConfig().fingerprint() == "175365adb9"
    assert TextToImageConfig(conditioning="film").fingerprint() == "73b31c5d91"
    fast = dict(steps=25, n_train=512, base_channels=8, text_dim=16)
    assert TextToImageConfig(**fast).fingerprint() == "f096e7284b"
    assert TextToImageConfig(**fast, amp="off", preload=False).fingerprint() == "f096e7284b"  # speed-only fields
    assert TextToImageConfig(**fast, caption_dropout=0.1).fingerprint() != "f096e7284b"
