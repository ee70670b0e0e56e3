"""Chapter 10, section 1: the spectrum feature, both detectors, the degradations, the face swap."""
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.data import load_dataset
from genimg_edu.ethics.detector import CNNDetector, SpectrumDetector, degrade, high_pass, jpeg, radial_spectrum, resize
from genimg_edu.ethics.faceswap import SwapAutoencoder, correlation, ink, slant, train_swap


def real_and_upsampled():
    """Real 16x16 digits (bilinear from 8x8) vs an 'up-convolution generator': the same digits blown
    up with nearest neighbours, the artefact Durall et al. found in GAN spectra."""
    small = load_dataset("digits", split="train", size=8).images[:600]
    real = load_dataset("digits", split="test", size=16).images[:300]
    fake = F.interpolate(small, scale_factor=2, mode="nearest")
    return real, fake


def test_radial_spectrum_rings():
    x = torch.full((2, 1, 16, 16), 0.5)
    s = radial_spectrum(x)
    assert s.shape == (2, 9)
    assert s[0, 0] == pytest.approx(torch.log1p(torch.tensor(0.5 * 256)).item(), rel=1e-5)  # ring 0 = DC
    assert torch.allclose(s[:, 1:], torch.zeros(2, 8), atol=1e-5)  # a flat image has no other frequency
    stripes = torch.zeros(1, 1, 16, 16)
    stripes[..., ::2] = 1.0  # the finest vertical stripes: all energy at the Nyquist frequency
    rings = radial_spectrum(stripes)[0]
    assert rings[8] > rings[1:8].max()
    with pytest.raises(ValueError, match="must lie in"):
        radial_spectrum(torch.full((1, 1, 8, 8), 2.0))


def test_spectrum_detector_finds_upsampling_and_jpeg_blurs_it():
    real, fake = real_and_upsampled()
    detector = SpectrumDetector().fit(real[:150], fake[:300])
    assert detector.accuracy(real[150:], fake[300:]) >= 0.95
    assert detector.prob_generated(fake[300:]).shape == (300,)


def test_cnn_detector_learns_the_same_cue():
    torch.manual_seed(0)
    real, fake = real_and_upsampled()
    detector = CNNDetector(width=16).fit(real[:150], fake[:300], steps=150)
    assert detector.accuracy(real[150:], fake[300:]) >= 0.9


def test_high_pass_residual_removes_the_picture():
    flat = torch.full((2, 1, 16, 16), 0.7)
    assert torch.allclose(high_pass(flat), torch.zeros_like(flat), atol=1e-6)   # no detail, no residual
    ramp = torch.linspace(0, 1, 16).repeat(16, 1)[None, None]
    assert high_pass(ramp)[..., 1:-1, 1:-1].abs().max() < 1e-5                  # smooth content vanishes
    stripes = torch.zeros(1, 1, 16, 16)
    stripes[..., ::2] = 1.0
    assert high_pass(stripes).abs().mean() > 0.3                                # fine detail stays
    with pytest.raises(ValueError, match="inputs"):
        CNNDetector(inputs="spectrum")


def test_residual_input_beats_pixels_on_a_subtle_trace():
    """A faint checkerboard (the up-convolution trace) on top of real digits: on the residual the CNN
    finds it within 100 steps; on raw pixels the digits drown it in the same budget (about 50 %)."""
    real = load_dataset("digits", split="train", size=16).images[:400]
    checker = ((torch.arange(16)[:, None] + torch.arange(16)[None]) % 2).float() * 0.1
    fake = (load_dataset("digits", split="test", size=16).images[:200] + checker).clamp(0, 1)
    torch.manual_seed(0)
    residual = CNNDetector(width=8).fit(real[:200], fake[:100], steps=100, seed=0)
    torch.manual_seed(0)
    pixels = CNNDetector(width=8, inputs="pixels").fit(real[:200], fake[:100], steps=100, seed=0)
    assert residual.accuracy(real[200:], fake[100:]) >= 0.95
    assert pixels.accuracy(real[200:], fake[100:]) <= 0.75
    assert residual.history[-1]["loss"] < residual.history[0]["loss"]


def test_generators_refuse_other_sizes():
    from genimg_edu.ethics.generators import digits_diffusion, generated_digits
    with pytest.raises(ValueError, match="size"):
        digits_diffusion(size=12)
    with pytest.raises(ValueError, match="kind"):
        generated_digits("vae", n=4)
    for width in (3, 0, True, 8.0):  # the GAN's discriminator gets half the width: an even int
        with pytest.raises(ValueError, match="width"):
            generated_digits("gan", n=4, width=width)


def test_generator_width_is_part_of_the_cached_recipe(tmp_path, monkeypatch):
    from genimg_edu.ethics.generators import RECIPES, digits_diffusion, generated_digits
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path))
    assert RECIPES["gan", 16]["width"] == 64 and RECIPES["diffusion", 16]["width"] == 16  # half of chapters 05/06
    gan = generated_digits("gan", n=6, size=16, steps=2, width=8)
    assert gan.shape == (6, 1, 16, 16) and 0 <= gan.min() and gan.max() <= 1
    assert torch.equal(gan, generated_digits("gan", n=6, size=16, steps=2, width=8))   # read back from the cache
    model, _ = digits_diffusion(size=16, steps=2, width=8, batch_size=16)
    again, _ = digits_diffusion(size=16, steps=2, width=8, batch_size=16)
    assert model.config.base_channels == 8
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))
    names = sorted(path.name for path in (tmp_path / "ethics").iterdir())
    assert names == ["diffusion16_pcNone_s2_w8_b16_seed0.safetensors", "gan16_s2_w8_seed0.safetensors"]


def test_a_batch_never_holds_more_images_than_the_training_set(tmp_path, monkeypatch):
    from genimg_edu.ethics.generators import digits_diffusion
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path))
    for per_class in (1, 3):   # 10 and 30 training digits: batches of 10 and 30, not 32
        digits_diffusion(per_class=per_class, steps=1, width=8, batch_size=32)
    digits_diffusion(per_class=None, steps=1, width=8, batch_size=32)   # ~1,440 digits: batches of 32
    names = sorted(path.name for path in (tmp_path / "ethics").iterdir())
    assert names == ["diffusion8_pc1_s1_w8_b10_seed0.safetensors", "diffusion8_pc3_s1_w8_b30_seed0.safetensors",
                     "diffusion8_pcNone_s1_w8_b32_seed0.safetensors"]


def test_jpeg_and_resize():
    x = load_dataset("photos", size=64, names=["astronaut"]).images
    assert (jpeg(x, 95) - x).abs().mean() < 0.02
    assert (jpeg(x, 10) - x).abs().mean() > (jpeg(x, 90) - x).abs().mean()
    assert torch.allclose(resize(x, 1.0), x, atol=1e-5)
    assert degrade(x).shape == x.shape
    with pytest.raises(ValueError, match="quality"):
        jpeg(x, 100)
    with pytest.raises(ValueError, match="scale"):
        resize(x, 0.0)


def test_face_swap_architecture_shares_the_encoder():
    model = SwapAutoencoder(latent_dim=4)
    x = torch.rand(5, 1, 8, 8)
    assert model(x, "a").shape == x.shape
    assert torch.equal(model.swap(x), model.decoders["b"](model.encoder(x)))
    with pytest.raises(ValueError, match="identity"):
        model(x, "c")
    digits = load_dataset("digits", split="train", size=8)
    losses = train_swap(model, digits.images[digits.labels == 3], digits.images[digits.labels == 8], steps=300)
    assert len(losses) == 30 and sum(losses[-3:]) / 3 < 0.8 * sum(losses[:3]) / 3  # one mean per 10 steps


def test_pose_features():
    x = torch.zeros(2, 1, 8, 8)
    for r in range(8):
        x[0, 0, r, min(7, 7 - r)] = 1.0  # top leans right
        x[1, 0, r, r] = 1.0              # top leans left
    s = slant(x)
    assert s[0] > 0 > s[1]
    assert torch.allclose(ink(x), torch.tensor([8.0, 8.0]))
    a = torch.randn(50)
    assert correlation(a, 2 * a + 1) == pytest.approx(1.0)
    assert correlation(a, -a) == pytest.approx(-1.0)
