"""Chapter 08 mini Stable Diffusion: tokenizer, prompts, config and scoring (no training)."""
import tempfile

import pytest
import torch

pytest.importorskip("transformers")

from genimg_edu.stable_diffusion import MiniSDConfig, course_tokenizer  # noqa: E402
from genimg_edu.stable_diffusion.evaluation import _accuracy  # noqa: E402
from genimg_edu.stable_diffusion.prompts import (EMPTY, FULL, SUBSETS, all_captions, choose_versions,  # noqa: E402
                                                 is_held_out, parse_caption, partial_caption, prompt_table,
                                                 training_images)
from genimg_edu.stable_diffusion.vae import psnr  # noqa: E402


def test_course_tokenizer_makes_one_token_per_course_word_and_splits_unknown_words():
    tokenizer = course_tokenizer()
    assert tokenizer.tokenize("a small red circle on the left") == [
        "a</w>", "small</w>", "red</w>", "circle</w>", "on</w>", "the</w>", "left</w>"]
    assert tokenizer.tokenize("a red shape") == ["a</w>", "red</w>", "shape</w>"]
    pieces = tokenizer.tokenize("a tiny circle")
    assert pieces[0] == "a</w>" and pieces[-1] == "circle</w>" and len(pieces) > 3  # "tiny" falls into pieces
    ids = tokenizer("a large blue square at the top", padding="max_length", max_length=16).input_ids
    assert len(ids) == 16 and ids[0] == tokenizer.bos_token_id and ids[-1] == tokenizer.pad_token_id
    with pytest.raises(ValueError, match="max_length"):
        course_tokenizer(max_length=1)


def test_course_tokenizer_leaves_no_temporary_folder_and_still_saves(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temp"))
    (tmp_path / "temp").mkdir()
    tokenizer = course_tokenizer()
    assert list((tmp_path / "temp").iterdir()) == []  # its vocabulary files were removed after loading
    tokenizer.save_pretrained(tmp_path / "saved")     # works from memory, the files are gone
    from transformers import CLIPTokenizer
    again = CLIPTokenizer.from_pretrained(tmp_path / "saved")
    prompt = "a large blue square at the top"
    assert again(prompt).input_ids == tokenizer(prompt).input_ids and again.model_max_length == 16
    kept = course_tokenizer(tmp_path / "kept")        # a folder the caller names is kept
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["merges.txt", "vocab.json"]
    assert kept.tokenize(prompt) == tokenizer.tokenize(prompt)


def test_partial_captions_and_the_prompt_table():
    attrs = {"size": "small", "colour": "red", "shape": "circle", "position": "left"}
    assert partial_caption(attrs, ()) == "" and SUBSETS[EMPTY] == ()
    assert partial_caption(attrs, ("colour",)) == "a red shape"
    assert partial_caption(attrs, ("size", "position")) == "a small shape on the left"
    assert partial_caption(attrs, SUBSETS[FULL]) == "a small red circle on the left"
    data = training_images(MiniSDConfig.fast(n_train=40))
    prompts, index = prompt_table(data)
    assert index.shape == (40, 16) and len(set(prompts)) == len(prompts)
    assert [prompts[i] for i in index[:, FULL]] == data.captions and all(prompts[i] == "" for i in index[:, EMPTY])
    versions = choose_versions(20000, caption_dropout=0.1, partial_caption=0.2, generator=torch.Generator().manual_seed(0))
    assert abs((versions == EMPTY).float().mean() - 0.1) < 0.01 and abs((versions == FULL).float().mean() - 0.7) < 0.015


def test_training_data_leaves_out_the_held_out_combinations():
    config = MiniSDConfig.fast(n_train=300)
    data = training_images(config)
    assert not any(is_held_out(c, config.held_out) for c in data.captions)
    assert sum(is_held_out(c, config.held_out) for c in all_captions()) == 30 and len(all_captions()) == 200
    assert parse_caption("a large blue triangle at the top") == {"size": "large", "colour": "blue",
                                                                 "shape": "triangle", "position": "top"}
    with pytest.raises(ValueError, match="shapes caption"):
        parse_caption("a blue thing")


def test_config_validation_and_fingerprints():
    base = MiniSDConfig()
    assert base.latent_side == 8
    assert base.fingerprint("vae") != base.replace(kl_weight=0.01).fingerprint("vae")
    assert base.fingerprint("text") == base.replace(kl_weight=0.01).fingerprint("text")
    assert base.fingerprint("unet") != base.replace(kl_weight=0.01).fingerprint("unet")  # new VAE -> new UNet
    assert base.fingerprint("vae") != base.replace(vae_edge_weight=0.0).fingerprint("vae")
    for bad, match in (({"unet_steps": 0}, "unet_steps"), ({"caption_dropout": 1.0}, "caption_dropout"),
                       ({"schedule": "cosine"}, "schedule"), ({"attention_levels": (True,)}, "attention_levels"),
                       ({"text_dim": 30}, "divisible"), ({"vae_edge_weight": -1.0}, "vae_edge_weight"),
                       ({"snr_gamma": 0.0}, "snr_gamma"), ({"snr_gamma": float("inf")}, "snr_gamma")):
        with pytest.raises(ValueError, match=match):
            MiniSDConfig(**bad)
    with pytest.raises(ValueError, match="stage"):
        base.fingerprint("decoder")
    with pytest.raises(TypeError, match="snr_gamma"):
        MiniSDConfig(snr_gamma="5")
    assert base.fingerprint("unet") != base.replace(snr_gamma=None).fingerprint("unet")
    assert base.fingerprint("text") == base.replace(snr_gamma=None).fingerprint("text")


@pytest.mark.parametrize("bad, error, message", [
    ({"max_length": 8}, ValueError, "max_length must be >= 9"),             # the longest caption is 7 tokens
    ({"unet_channels": (30, 64)}, ValueError, "divisible by 16"),           # GroupNorm would fail at build time
    ({"unet_channels": (16, 36)}, ValueError, "divisible by 16"),
    ({"vae_channels": (0, 32, 32)}, ValueError, "each width in vae_channels"),
    ({"vae_channels": (16, "32", 32)}, TypeError, "each width in vae_channels"),
    ({"attention_head_dim": 5}, ValueError, "attention_head_dim"),
    ({"vae_steps": 2.5}, TypeError, "vae_steps"), ({"n_train": 0}, ValueError, "n_train"),
    ({"held_out": "blue triangles"}, TypeError, "held_out"),
    ({"held_out": ("blue triangles",)}, TypeError, "non-empty dict"),
    ({"held_out": ({"colour": "pink"},)}, ValueError, "colour must be one of"),
    ({"held_out": ({"texture": "rough"},)}, ValueError, "size, colour, shape, position")])
def test_config_refuses_what_would_fail_later(bad, error, message):
    with pytest.raises(error, match=message):
        MiniSDConfig(**bad)


def test_partial_captions_and_training_images_check_their_arguments():
    attrs = {"size": "small", "colour": "red", "shape": "circle", "position": "left"}
    assert partial_caption(attrs, "colour") == "a red shape"
    with pytest.raises(ValueError, match="keep must hold attributes"):
        partial_caption(attrs, ("bogus",))                      # was the empty prompt, silently
    for bad, error in ((0, ValueError), (2.5, TypeError)):
        with pytest.raises(error, match="n must be"):
            training_images(MiniSDConfig.fast(), n=bad)


@pytest.mark.parametrize("prediction", ["v_prediction", "epsilon"])
def test_min_snr_weights_match_diffusers_snr(prediction):
    from diffusers import DDPMScheduler
    from diffusers.training_utils import compute_snr

    from genimg_edu.stable_diffusion.unet import min_snr_weights
    scheduler = DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", prediction_type=prediction)
    t = torch.tensor([0, 10, 100, 400, 700, 999])
    snr = compute_snr(scheduler, t)
    expected = snr.clamp(max=5.0) / ((snr + 1) if prediction == "v_prediction" else snr)
    weights = min_snr_weights(t, alphas_cumprod=scheduler.alphas_cumprod, gamma=5.0, prediction=prediction)
    torch.testing.assert_close(weights, expected, rtol=1e-5, atol=1e-7)
    assert weights[0] < weights[-2]  # the nearly clean step counts least under v-prediction and epsilon alike


def test_latent_diffusion_loss_weights_each_sample_by_min_snr():
    from genimg_edu.stable_diffusion.unet import build_noise_scheduler, latent_diffusion_loss, min_snr_weights

    config = MiniSDConfig.fast()
    scheduler = build_noise_scheduler(config)
    mean, std, context = torch.randn(6, 4, 8, 8), torch.rand(6, 4, 8, 8) * 0.1, torch.randn(6, 16, 32)

    class Echo(torch.nn.Module):  # "predicts" a fixed function of its input, so the error is known
        def forward(self, zt, t, encoder_hidden_states):
            return type("Out", (), {"sample": 0.5 * zt})()

    def by_hand(gamma):
        torch.manual_seed(3)
        z0 = 1.3 * (mean + std * torch.randn_like(mean))
        t = torch.randint(0, 1000, (6,))
        eps = torch.randn_like(z0)
        zt = scheduler.add_noise(z0, eps, t)
        error = ((0.5 * zt - scheduler.get_velocity(z0, eps, t)) ** 2).mean(dim=(1, 2, 3))
        if gamma is None:
            return error.mean()
        w = min_snr_weights(t, alphas_cumprod=scheduler.alphas_cumprod, gamma=gamma, prediction="v_prediction")
        return (w * error).mean()

    for gamma in (None, 5.0, 0.5):
        torch.manual_seed(3)
        loss = latent_diffusion_loss(Echo(), mean, std, context, noise_scheduler=scheduler, scaling_factor=1.3,
                                     snr_gamma=gamma)
        torch.testing.assert_close(loss, by_hand(gamma))
    # v-prediction: w = min(SNR, gamma) / (SNR + 1) < 1 for every t, and a smaller cap weighs every step less
    assert by_hand(0.5) < by_hand(5.0) < by_hand(None)


def test_scoring_compares_the_judges_reading_with_the_caption():
    captions = ["a small red circle on the left", "a large blue square at the top"]
    wanted = [parse_caption(c) for c in captions]
    from genimg_edu.data.shapes import ATTRIBUTES
    truth = {n: torch.tensor([ATTRIBUTES[n].index(w[n]) for w in wanted]) for n in wanted[0]}
    assert _accuracy(truth, wanted, range(2)) == {"size": 1.0, "colour": 1.0, "shape": 1.0, "position": 1.0,
                                                  "all": 1.0, "n": 2}
    all_red = {**truth, "colour": torch.zeros(2, dtype=torch.long)}
    scores = _accuracy(all_red, wanted, range(2))
    assert scores["colour"] == 0.5 and scores["all"] == 0.5 and scores["shape"] == 1.0


def test_psnr():
    a = torch.zeros(1, 3, 4, 4)
    assert psnr(a, a + 0.1) == pytest.approx(20.0)
    with pytest.raises(ValueError, match="shape"):
        psnr(a, torch.zeros(1, 3, 2, 2))


def test_edge_loss_is_the_squared_error_of_neighbour_differences():
    from genimg_edu.stable_diffusion.vae import edge_loss
    g = torch.Generator().manual_seed(0)
    x, x_hat = torch.rand(2, 3, 5, 6, generator=g), torch.rand(2, 3, 5, 6, generator=g)
    e = x_hat - x                                   # the edge loss only sees differences of the error
    down = sum(float(e[b, c, i + 1, j] - e[b, c, i, j]) ** 2
               for b in range(2) for c in range(3) for i in range(4) for j in range(6)) / (2 * 3 * 4 * 6)
    across = sum(float(e[b, c, i, j + 1] - e[b, c, i, j]) ** 2
                 for b in range(2) for c in range(3) for i in range(5) for j in range(5)) / (2 * 3 * 5 * 5)
    assert float(edge_loss(x_hat, x)) == pytest.approx(down + across, rel=1e-5)
    assert float(edge_loss(x, x)) == 0.0
    # outlines, not brightness: a blurred square costs edge loss, a uniform shift with the same MSE none
    square = torch.zeros(1, 1, 16, 16)
    square[..., 4:12, 4:12] = 1.0
    blurred = torch.nn.functional.avg_pool2d(square, 3, stride=1, padding=1, count_include_pad=False)
    shifted = square + (blurred - square).pow(2).mean().sqrt()
    assert (shifted - square).pow(2).mean() == pytest.approx(float((blurred - square).pow(2).mean()))
    assert float(edge_loss(shifted, square)) == pytest.approx(0.0, abs=1e-10)
    assert float(edge_loss(blurred, square)) > 0.05


def test_the_diagram_draws_every_box_and_arrow():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from genimg_edu.stable_diffusion.diagram import ARROWS, BOXES, draw_latent_diffusion
    ax = draw_latent_diffusion()
    assert len(ax.patches) == len(BOXES)
    from matplotlib.text import Annotation
    assert sum(isinstance(text, Annotation) for text in ax.texts) == len(ARROWS)
    assert all(start in BOXES and end in BOXES for start, end in ARROWS)
    plt.close("all")


def test_short_prompt_following_reads_only_the_named_attribute():
    """A stand-in pipeline draws what the prompt names (unnamed attributes: a fixed value), except that
    it draws every blue shape red; a stand-in judge reads back what was drawn. "a blue shape" is then
    never followed, the other one-attribute prompts always: colour 4 / 5, every other attribute 1."""
    from types import SimpleNamespace

    from genimg_edu.data.shapes import ATTRIBUTES
    from genimg_edu.stable_diffusion.evaluation import short_prompt_following
    from genimg_edu.stable_diffusion.prompts import CAPTION_ATTRIBUTES, one_attribute_prompts

    def drawn(prompt):
        words = prompt.split()
        values = [next((ATTRIBUTES[n].index(v) for v in ATTRIBUTES[n] if v in words), 0) for n in CAPTION_ATTRIBUTES]
        values[1] = 0 if values[1] == ATTRIBUTES["colour"].index("blue") else values[1]
        return torch.tensor(values, dtype=torch.float32)

    def pipe(prompts, **kwargs):
        images = torch.zeros(len(prompts), 3, 32, 32)
        images[:, 0, 0, :4] = torch.stack([drawn(p) for p in prompts])
        return SimpleNamespace(images=images)
    judge = SimpleNamespace(predict=lambda images: {n: images[:, 0, 0, i].long() for i, n in enumerate(CAPTION_ATTRIBUTES)})
    result = short_prompt_following(pipe, judge, n=3, steps=2)
    assert result["colour"] == pytest.approx(0.8) and result["prompts"]["a blue shape"] == 0.0
    assert result["size"] == result["shape"] == result["position"] == 1.0
    assert len(result["prompts"]) == 16 and result["prompts"]["a shape at the top"] == 1.0
    assert one_attribute_prompts("colour")[:2] == ["a red shape", "a green shape"]
    assert one_attribute_prompts("shape") == ["a circle", "a square", "a triangle", "a cross"]
    with pytest.raises(ValueError, match="attribute must be one of"):
        one_attribute_prompts("texture")
    with pytest.raises(ValueError, match="n must be"):
        short_prompt_following(pipe, judge, n=0)


def test_negative_prompt_effect_reuses_outputs_already_drawn_without_a_negative():
    """A stand-in pipeline draws red (colour index 0) with probability 0.6 per seeded sample, never when the
    negative prompt is given. Handing in the outputs drawn without the negative gives the same result with
    half the pipeline calls; outputs of the wrong count are refused."""
    from types import SimpleNamespace

    from genimg_edu.stable_diffusion.evaluation import generate, negative_prompt_effect
    calls = []

    def pipe(prompts, *, negative_prompt, generator, **kwargs):
        calls.append(negative_prompt is not None)
        red = (torch.rand(len(prompts), generator=generator) < 0.6) & (negative_prompt is None)
        images = torch.zeros(len(prompts), 3, 32, 32)
        images[:, 0, 0, 0] = (~red).float()   # the judge reads colour index 0 (red) where this is 0
        return SimpleNamespace(images=images)
    judge = SimpleNamespace(predict=lambda images: {"colour": images[:, 0, 0, 0].long()})
    full = negative_prompt_effect(pipe, judge, n=60, steps=2)
    assert calls == [False, False, True, True] and 0.4 < full["without"] < 0.8 and full["with"] == 0.0
    drawn = generate(pipe, ["a large shape in the center"] * 60, steps=2)
    calls.clear()
    reused = negative_prompt_effect(pipe, judge, n=60, steps=2, images_without=drawn)
    assert calls == [True, True]                      # only the negative prompt is drawn
    assert (reused["without"], reused["with"]) == (full["without"], full["with"])
    with pytest.raises(ValueError, match="images_without must be the n = 60 outputs"):
        negative_prompt_effect(pipe, judge, n=60, steps=2, images_without=drawn[:10])


def test_evaluation_refuses_a_wrong_judge_vae_or_negative_prompt_before_drawing():
    from types import SimpleNamespace

    from genimg_edu.stable_diffusion.evaluation import (generate, negative_prompt_effect, prompt_following,
                                                        reconstruction_report)
    calls = []

    def pipe(prompts, **kwargs):
        calls.append(len(prompts))
        return SimpleNamespace(images=torch.zeros(len(prompts), 3, 32, 32))
    judge = SimpleNamespace(predict=lambda images: {n: torch.zeros(len(images), dtype=torch.long)
                                                    for n in ("size", "colour", "shape", "position")})
    caption = "a small red circle on the left"
    with pytest.raises(TypeError, match="judge must be the shapes judge"):
        prompt_following(pipe, None, prompts=[caption])
    with pytest.raises(TypeError, match="held_out must be a tuple of dicts"):
        prompt_following(pipe, judge, prompts=[caption], held_out="blue")
    with pytest.raises(TypeError, match="judge must be the shapes judge"):
        negative_prompt_effect(pipe, "judge", n=2, steps=2)
    with pytest.raises(TypeError, match="negative_prompt must be a str"):
        generate(pipe, [caption], negative_prompt=["a red shape", "a blue shape"])
    with pytest.raises(TypeError, match="vae must be an AutoencoderKL"):
        reconstruction_report(None, judge, n=4)
    assert calls == []                                       # nothing was drawn
    one = prompt_following(pipe, judge, prompts=caption, steps=2)   # one prompt as a str
    assert one["prompts"] == [caption] and one["all"]["n"] == 1 and one["all"]["colour"] == 1.0
