"""Chapter 01 library: checked against scikit-image, SciPy and torch where they have the same idea."""
import numpy as np
import pytest
import scipy.signal
import skimage.color
import skimage.transform
import torch
import torch.nn.functional as F

from genimg_edu import pixels as P


@pytest.fixture
def rgb():
    return torch.rand(3, 12, 16, generator=torch.Generator().manual_seed(0))


def hwc(x):
    return x.permute(1, 2, 0).numpy().astype(np.float64)


def test_uint8_round_trip_and_layout():
    array = np.random.default_rng(0).integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    img = P.from_uint8(array)
    assert img.shape == (3, 5, 7) and img.dtype == torch.float32
    assert img[1, 2, 3].item() == pytest.approx(array[2, 3, 1] / 255)
    np.testing.assert_array_equal(P.to_uint8(img), array)
    assert P.from_uint8(array[:, :, 0]).shape == (1, 5, 7)
    with pytest.raises(TypeError, match="uint8"):
        P.from_uint8(array.astype(np.float32))


@pytest.mark.parametrize("bad, error, words", [
    (np.zeros((3, 4, 4), np.float32), TypeError, "from_uint8"),
    (torch.zeros(4, 4), ValueError, r"\(C, H, W\)"),
    (torch.zeros(3, 4, 4, dtype=torch.uint8), TypeError, "floating point"),
    (torch.full((3, 4, 4), 255.0), ValueError, r"\[0, 1\]"),
    (torch.zeros(2, 4, 4), ValueError, "channel"),
])
def test_bad_images_are_refused_clearly(bad, error, words):
    with pytest.raises(error, match=words):
        P.to_greyscale(bad) if not (isinstance(bad, torch.Tensor) and bad.shape[0] == 2) else P.quantise(bad, 2)


def test_split_and_merge_channels(rgb):
    r, g, b = P.split_channels(rgb)
    assert r.shape == (12, 16) and torch.equal(g, rgb[1])
    assert torch.equal(P.merge_channels(r, g, b), rgb)
    with pytest.raises(ValueError, match="share"):
        P.merge_channels(r, g, b[:5])
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        P.merge_channels(rgb, g, b)


def test_greyscale_weights_match_scikit_image(rgb):
    assert P.to_greyscale(torch.tensor([1.0, 0, 0]).view(3, 1, 1)).item() == pytest.approx(0.299)
    bt709 = P.to_greyscale(rgb, weights="bt709")[0].numpy()
    np.testing.assert_allclose(bt709, skimage.color.rgb2gray(hwc(rgb)), atol=1e-6)
    # BT.601 luminance is the Y of studio-range YCbCr: Y = 16 + 219 * luma (on 0..255)
    y = skimage.color.rgb2ycbcr(hwc(rgb))[..., 0]
    np.testing.assert_allclose(16 + 219 * P.to_greyscale(rgb)[0].numpy(), y, atol=1e-3)
    assert P.to_greyscale(rgb.unsqueeze(0)).shape == (1, 1, 12, 16)
    with pytest.raises(ValueError, match="bt601"):
        P.to_greyscale(rgb, weights="average")


def test_hsv_matches_scikit_image_and_round_trips(rgb):
    hsv = P.rgb_to_hsv(rgb)
    np.testing.assert_allclose(hwc(hsv), skimage.color.rgb2hsv(hwc(rgb)), atol=1e-5)
    torch.testing.assert_close(P.hsv_to_rgb(hsv), rgb, atol=1e-5, rtol=0)
    np.testing.assert_allclose(hwc(P.hsv_to_rgb(hsv)), skimage.color.hsv2rgb(hwc(hsv)), atol=1e-5)
    pure = torch.tensor([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]]).T.reshape(3, 1, 4)
    torch.testing.assert_close(P.rgb_to_hsv(pure)[0, 0], torch.tensor([0, 1 / 3, 2 / 3, 0]))
    assert P.rgb_to_hsv(pure)[1, 0, 3] == 0  # grey has no saturation


def test_ycbcr_matches_scikit_image_studio_range(rgb):
    ycbcr = P.rgb_to_ycbcr(rgb)
    studio = skimage.color.rgb2ycbcr(hwc(rgb))  # 16 + 219 Y, 128 + 224 (Cb - 0.5), ...
    full = np.stack([(studio[..., 0] - 16) / 219, (studio[..., 1] - 128) / 224 + 0.5,
                     (studio[..., 2] - 128) / 224 + 0.5], axis=-1)
    np.testing.assert_allclose(hwc(ycbcr), full, atol=1e-5)
    torch.testing.assert_close(P.ycbcr_to_rgb(ycbcr), rgb, atol=1e-5, rtol=0)


def test_downsample_is_a_block_average_and_upsample_copies(rgb):
    small = P.downsample(rgb, 4)
    assert small.shape == (3, 3, 4)
    np.testing.assert_allclose(hwc(small), skimage.transform.downscale_local_mean(hwc(rgb), (4, 4, 1)), atol=1e-6)
    big = P.upsample(small, 4)
    assert torch.equal(big, small.repeat_interleave(4, dim=1).repeat_interleave(4, dim=2))
    assert P.upsample(small, 2, mode="bilinear").shape == (3, 6, 8)
    assert P.downsample(rgb.unsqueeze(0), 2).shape == (1, 3, 6, 8)
    with pytest.raises(ValueError, match="divisible"):
        P.downsample(rgb, 5)
    with pytest.raises(ValueError, match="positive int"):
        P.upsample(rgb, 0)
    with pytest.raises(ValueError, match="nearest"):
        P.upsample(rgb, 2, mode="cubic")


@pytest.mark.parametrize("bits", [1, 2, 3, 5, 8])
def test_quantise_levels_and_error(rgb, bits):
    q = P.quantise(rgb, bits)
    assert len(torch.unique(q)) <= 2**bits
    ramp_levels = torch.unique(P.quantise(torch.linspace(0, 1, 1000).view(1, 1, -1), bits))
    torch.testing.assert_close(ramp_levels, torch.arange(2**bits) / (2**bits - 1))  # evenly spaced, 0 and 1 in
    stats = P.quantisation_error(rgb, bits)
    assert stats["levels"] == 2**bits
    assert stats["max_error"] <= 0.5 / (2**bits - 1) + 1e-6
    assert stats["mean_error"] == pytest.approx((q - rgb).abs().mean().item())
    assert 0 < stats["psnr_db"] < 100


def test_quantise_8_bits_keeps_8_bit_pictures_and_rejects_bad_bits():
    img = P.from_uint8(np.arange(256, dtype=np.uint8).reshape(16, 16))
    np.testing.assert_array_equal(P.to_uint8(P.quantise(img, 8)), P.to_uint8(img))
    assert P.quantisation_error(img, 8)["max_error"] < 1e-6
    for bad in (0, 17, 2.0, True):
        with pytest.raises(ValueError, match="bits"):
            P.quantise(img, bad)


def test_letter_a_is_a_176_binary_a():
    a = P.letter_a()
    assert a.shape == (1, 176, 176) and set(torch.unique(a).tolist()) == {0.0, 1.0}
    assert torch.equal(a, a.flip(-1))  # symmetric left-right
    assert a[0, 0].sum() == 0 and a[0, -1].sum() == 0  # paper above and below
    row = a[0, int(0.62 * 176)]  # the crossbar is one run of ink
    assert row[40:136].all()
    middle = a[0, int(0.8 * 176)]  # below the bar: two legs with paper in between
    runs = (middle[1:] != middle[:-1]).sum().item()
    assert runs == 4 and middle[88] == 0
    assert P.letter_a(44).shape == (1, 44, 44)
    with pytest.raises(ValueError, match="size"):
        P.letter_a(4)


def test_convolve2d_matches_scipy_and_torch(rgb):
    kernel = torch.randn(3, 5, generator=torch.Generator().manual_seed(1))
    same = P.convolve2d(rgb, kernel)
    for c in range(3):
        expected = scipy.signal.correlate2d(rgb[c].double(), kernel.double(), mode="same", boundary="fill")
        np.testing.assert_allclose(same[c].numpy(), expected, atol=1e-5)
        flipped = scipy.signal.convolve2d(rgb[c].double(), kernel.flip(0, 1).double(), mode="same")
        np.testing.assert_allclose(same[c].numpy(), flipped, atol=1e-5)
    valid = P.convolve2d(rgb, kernel, padding="valid")
    torch_out = F.conv2d(rgb.unsqueeze(1), kernel.view(1, 1, 3, 5))[:, 0]
    assert valid.shape == (3, 10, 12)
    torch.testing.assert_close(valid, torch_out, atol=1e-5, rtol=0)
    assert P.convolve2d(rgb[0], kernel).shape == (12, 16)  # a single (H, W) plane works too


@pytest.mark.parametrize("name", sorted(P.KERNELS))
def test_named_kernels_match_torch_conv2d(rgb, name):
    kernel = P.get_kernel(name)
    expected = F.conv2d(rgb.unsqueeze(1), kernel.view(1, 1, 3, 3), padding=1)[:, 0]
    torch.testing.assert_close(P.apply_kernel(rgb, name), expected, atol=1e-5, rtol=0)


def test_kernel_meanings(rgb):
    torch.testing.assert_close(P.apply_kernel(rgb, "identity"), rgb)
    for blur in ("box_blur", "gaussian_blur"):
        assert P.get_kernel(blur).sum().item() == pytest.approx(1.0)
        assert P.apply_kernel(rgb, blur)[:, 1:-1, 1:-1].std() < rgb.std()  # smoother
    step = torch.zeros(1, 8, 8)
    step[:, :, 4:] = 1.0  # a vertical edge between columns 3 and 4
    sx, sy = P.apply_kernel(step, "sobel_x"), P.apply_kernel(step, "sobel_y")
    assert sx[0, 2:6, 3].tolist() == [4.0] * 4 and sx[0, 2:6, 1].abs().sum() == 0
    assert sy[0, 2:6, 1:7].abs().sum() == 0  # no horizontal edge inside
    edges = P.edge_magnitude(step)
    assert edges[0, 4, 3] > 3 and edges[0, 4, 1] == 0
    with pytest.raises(ValueError, match="sobel_x"):
        P.get_kernel("blurry")


def test_bad_convolution_inputs():
    img = torch.rand(1, 5, 5)
    with pytest.raises(ValueError, match="odd"):
        P.convolve2d(img, torch.ones(2, 2))
    with pytest.raises(ValueError, match="odd"):
        P.convolve2d(img, torch.ones(3))
    with pytest.raises(TypeError, match="float"):
        P.convolve2d(torch.ones(5, 5, dtype=torch.int64), torch.ones(3, 3))
    with pytest.raises(ValueError, match="padding"):
        P.convolve2d(img, torch.ones(3, 3), padding="reflect")
    with pytest.raises(ValueError, match="smaller"):
        P.convolve2d(img, torch.ones(7, 7), padding="valid")
    assert P.convolve2d(img, [[0, 0, 0], [0, 2, 0], [0, 0, 0]]).allclose(2 * img)  # lists are fine


def test_rescale_for_display():
    x = torch.tensor([-2.0, 0.0, 2.0])
    assert P.rescale_for_display(x).tolist() == [0.0, 0.5, 1.0]
    assert P.rescale_for_display(torch.ones(3)).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(TypeError):
        P.rescale_for_display(torch.ones(3, dtype=torch.int64))


# -- the pixel explorer ----------------------------------------------------------------------
from genimg_edu.pixels.widgets import CHANNELS, explore_pixels, plot_pixels  # noqa: E402


def test_explore_pixels_zoom_crop_and_numbers(rgb):
    result = explore_pixels(rgb, zoom=4, centre=(6, 8))
    assert result["region"] == (5, 6, 3, 4)  # a 3x4 window centred on (6, 8)
    assert torch.equal(result["view"], P.upsample(rgb[:, 5:8, 6:10], 4))
    assert result["patch"].shape == (3, 5, 5)
    assert torch.equal(result["patch"][:, 2, 2], rgb[:, 6, 8])  # the centre of the patch
    assert result["pixel"] == rgb[:, 6, 8].tolist() and result["clipped"] == 0
    whole = explore_pixels(rgb)
    assert torch.equal(whole["view"], rgb) and whole["region"] == (0, 0, 12, 16)


def test_explore_pixels_window_stays_inside_and_patch_pads_with_zeros(rgb):
    result = explore_pixels(rgb, zoom=2, centre=(0, 15))
    assert result["region"] == (0, 8, 6, 8)
    assert result["patch"][:, :2].abs().sum() == 0 and result["patch"][:, :, 3:].abs().sum() == 0


def test_explore_pixels_channels_and_brightness(rgb):
    assert torch.equal(explore_pixels(rgb, channel="G")["shown"], rgb[1:2])
    torch.testing.assert_close(explore_pixels(rgb, channel="grey")["shown"], P.to_greyscale(rgb))
    bright = explore_pixels(rgb, brightness=0.5)
    assert torch.equal(bright["shown"], (rgb + 0.5).clamp(0, 1))
    assert bright["clipped"] == pytest.approx((rgb > 0.5).float().mean().item())
    grey = rgb[:1]
    assert explore_pixels(grey, channel="grey")["shown"].shape == (1, 12, 16)
    with pytest.raises(ValueError, match="RGB"):
        explore_pixels(grey, channel="R")


@pytest.mark.parametrize("kwargs, words", [
    ({"zoom": 0}, "zoom"), ({"zoom": 13}, "zoom"), ({"centre": (12, 0)}, "centre"),
    ({"channel": "red"}, "channel"), ({"brightness": 2}, "brightness"), ({"patch": 4}, "patch"),
])
def test_explore_pixels_bad_controls(rgb, kwargs, words):
    with pytest.raises(ValueError, match=words):
        explore_pixels(rgb, **kwargs)


def test_plot_pixels_writes_the_numbers(rgb):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig = plot_pixels(explore_pixels(rgb, zoom=2, centre=(3, 3), patch=3))
    texts = [t.get_text() for t in fig.axes[2].texts]
    assert len(texts) == 9 and texts[4] == "\n".join(str(round(v * 255)) for v in rgb[:, 3, 3].tolist())
    plt.close(fig)
    assert CHANNELS == ("all", "R", "G", "B", "grey")


def test_pixel_explorer_widget_is_driven_by_its_controls(rgb):
    import matplotlib
    matplotlib.use("Agg")
    from genimg_edu.pixels.widgets import pixel_explorer

    widget = pixel_explorer(rgb)
    assert widget.error is None and torch.equal(widget.result["view"], rgb)  # zoom 1 on start
    widget.controls["zoom"].value = 4
    widget.controls["row"].value = 2
    widget.controls["channel"].value = "B"
    widget.controls["brightness"].value = -0.25
    expected = explore_pixels(rgb, zoom=4, centre=(2, 8), channel="B", brightness=-0.25)
    assert widget.error is None and widget.result["region"] == expected["region"] == (1, 6, 3, 4)
    assert torch.equal(widget.result["view"], expected["view"])
    assert list(pixel_explorer(rgb[:1]).controls["channel"].options) == ["all", "grey"]
