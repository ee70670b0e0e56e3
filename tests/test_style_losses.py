"""Chapter 09 losses: the Gram matrix's properties, the three losses, AdaIN, and bad input."""
import pytest
import torch

from genimg_edu.style import (RandomFeatures, adain, content_image, content_loss, gram_matrix, grey_ssim, style_image,
                              style_loss, total_loss, total_variation_loss)


def features(seed=0, shape=(2, 5, 6, 7)):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def test_gram_equals_direct_einsum_and_is_symmetric_psd():
    f = features()
    gram = gram_matrix(f)
    expected = torch.einsum("bihw,bjhw->bij", f, f) / (6 * 7)
    assert gram.shape == (2, 5, 5)
    torch.testing.assert_close(gram, expected)
    torch.testing.assert_close(gram, gram.transpose(1, 2))
    assert torch.linalg.eigvalsh(gram.double()).min() > -1e-6  # positive semi-definite


def test_gram_is_blind_to_where_things_are():
    f = features(1)
    flat = f.reshape(2, 5, -1)
    shuffled = flat[:, :, torch.randperm(42, generator=torch.Generator().manual_seed(3))].reshape(f.shape)
    torch.testing.assert_close(gram_matrix(shuffled), gram_matrix(f))
    assert not torch.allclose(shuffled, f)
    # ... but not to which channels fire together
    mixed = torch.cat([f[:, :1], f[:, 1:2].roll(5, dims=-1), f[:, 2:]], dim=1)
    assert not torch.allclose(gram_matrix(mixed), gram_matrix(f))


def test_style_loss_of_the_style_image_to_itself_is_zero_and_positive_otherwise():
    net = RandomFeatures(width=8)
    style, other = style_image("stripes", size=32), style_image("swirl", size=32)
    grams = {k: gram_matrix(v) for k, v in net(style).items()}
    assert float(style_loss(net(style), grams, layers=net.style_layers)) == 0.0
    assert float(style_loss(net(other), grams, layers=net.style_layers)) > 0.01
    # normalised: each layer's term is relative to the style's own Gram size
    one = float(style_loss(net(other), grams, layers=("scale1",)))
    unnormalised = float(style_loss(net(other), grams, layers=("scale1",), normalise=False))
    g = gram_matrix(net(other)["scale1"])
    assert one == pytest.approx(float(((g - grams["scale1"]) ** 2).sum() / (grams["scale1"] ** 2).sum()), rel=1e-5)
    assert unnormalised == pytest.approx(float(((g - grams["scale1"]) ** 2).sum() / g.shape[1] ** 2), rel=1e-5)


def test_content_loss_is_the_mean_squared_feature_difference():
    a, b = {"l": features(0)}, {"l": features(1)}
    assert float(content_loss(a, b, layers=("l",))) == pytest.approx(float(((a["l"] - b["l"]) ** 2).mean()))
    assert float(content_loss(a, a, layers="l")) == 0.0


def test_normalised_content_loss_compares_layout_not_channel_mean_and_spread():
    a = features(0, shape=(1, 4, 16, 16))
    # each channel made brighter and more contrasted (what a dotted texture does to the activations)
    scaled = {"l": a * torch.tensor([3.0, 0.5, 2.0, 7.0]).view(1, 4, 1, 1) + torch.tensor([1.0, -2.0, 0.0, 5.0]).view(1, 4, 1, 1)}
    plain = float(content_loss(scaled, {"l": a}, layers="l"))
    normalised = float(content_loss(scaled, {"l": a}, layers="l", normalise=True))
    assert plain > 1.0 and normalised < 1e-6
    # reference: per channel, mean((z_x - z_c)^2) = 2 (1 - r) with z = (F - mean) / std, r the correlation
    b = features(1, shape=(1, 4, 16, 16))
    mixed = {"l": 0.6 * a + 0.8 * b}
    flat_a, flat_m = a.reshape(4, -1), mixed["l"].reshape(4, -1)
    r = torch.stack([torch.corrcoef(torch.stack([x, y]))[0, 1] for x, y in zip(flat_m, flat_a)])
    expected = float((2 * (1 - r) * (255 / 256)).mean())  # std is the unbiased one: n-1 over n
    assert float(content_loss(mixed, {"l": a}, layers="l", normalise=True)) == pytest.approx(expected, rel=1e-3)
    assert float(content_loss({"l": b}, {"l": a}, layers="l", normalise=True)) == pytest.approx(2.0, abs=0.3)
    # a constant (dead) content channel does not blow up
    dead = a.clone()
    dead[:, 0] = 0.0
    assert torch.isfinite(content_loss({"l": a}, {"l": dead}, layers="l", normalise=True))


def test_total_variation_and_total_loss_weights():
    flat = torch.full((1, 3, 8, 8), 0.3)
    assert float(total_variation_loss(flat)) == 0.0
    checker = (torch.arange(8)[:, None] + torch.arange(8)[None]) % 2
    assert float(total_variation_loss(checker.float().expand(1, 3, 8, 8))) == pytest.approx(2.0)
    net = RandomFeatures(width=8)
    x, c, s = content_image("coffee", size=32), content_image("astronaut", size=32), style_image("stripes", size=32)
    fc = net(c)
    grams = {k: gram_matrix(v) for k, v in net(s).items()}
    loss, parts = total_loss(x, net(x), fc, grams, content_layers=("scale4",), style_layers=net.style_layers,
                             content_weight=2.0, style_weight=3.0, tv_weight=5.0)
    assert float(loss) == pytest.approx(2 * parts["content"] + 3 * parts["style"] + 5 * parts["tv"], rel=1e-5)
    assert parts["total"] == pytest.approx(float(loss))


def test_adain_gives_the_style_channel_statistics_and_keeps_the_layout():
    c, s = features(0, (1, 4, 9, 9)), features(1, (1, 4, 5, 5)) * 3 + 2
    out = adain(c, s)
    torch.testing.assert_close(out.mean(dim=(2, 3)), s.mean(dim=(2, 3)), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(out.std(dim=(2, 3)), s.std(dim=(2, 3)), atol=1e-3, rtol=1e-3)
    corr = torch.corrcoef(torch.stack([out[0, 0].flatten(), c[0, 0].flatten()]))[0, 1]
    assert corr > 0.999


def test_grey_ssim_is_one_for_the_same_image_and_low_for_unrelated_ones():
    a, b = content_image("astronaut", size=64), style_image("stripes", size=64)
    assert grey_ssim(a, a) == pytest.approx(1.0)
    assert grey_ssim(b, a) < 0.3


@pytest.mark.parametrize("call, message", [
    (lambda: gram_matrix(torch.zeros(3, 4, 5)), "B, C, H, W"),
    (lambda: gram_matrix([[1.0]]), "torch.Tensor"),
    (lambda: content_loss({"a": torch.zeros(1, 2, 3, 3)}, {"a": torch.zeros(1, 2, 3, 3)}, layers=("b",)), "must be in both features"),
    (lambda: content_loss({"a": torch.zeros(1, 2, 3, 3)}, {"a": torch.zeros(1, 2, 3, 3)}, layers=()), "at least one"),
    (lambda: style_loss({"a": torch.zeros(1, 2, 3, 3)}, {"a": torch.zeros(1, 3, 3)}, layers=("a",)), "style_grams"),
    (lambda: total_loss(torch.zeros(1, 3, 4, 4), {}, {}, {}, content_layers=(), style_layers=(), content_weight=-1.0,
                        style_weight=1.0), "content_weight"),
    (lambda: adain(torch.zeros(1, 2, 3, 3), torch.zeros(1, 3, 3, 3)), "channels"),
    (lambda: grey_ssim(torch.zeros(1, 3, 8, 8), torch.zeros(1, 3, 9, 9)), "same size"),
    (lambda: grey_ssim(torch.rand(1, 3, 16, 16) * 5, torch.rand(1, 3, 16, 16)), r"x must lie in \[0, 1\]"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
