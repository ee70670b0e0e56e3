"""Checks for the chapter 01 exercises (exercises/01_pixels.ipynb): The Pixel Playground.

    q1 invert(img)               q4 blur_kernel (a 3x3 tensor)
    q2 greyscale(img)            q5 convolve(img, kernel), with loops
    q3 quantise_bits(img, bits)  q6 count_colour(img, colour)

Each check calls the learner's answer on small test images and compares it with the library's
own function from `genimg_edu.pixels`, explaining the most common mistakes.
"""
from __future__ import annotations

import torch

from .. import pixels
from .problem import Problem


def _images():
    generator = torch.Generator().manual_seed(101)
    return [torch.rand(3, 6, 5, generator=generator), torch.zeros(3, 2, 2), torch.ones(3, 3, 4)]


def _tensor_like(answer, expected, what: str):
    assert isinstance(answer, torch.Tensor), f"{what} should return a torch.Tensor, got {type(answer).__name__}"
    assert answer.shape == expected.shape, \
        f"{what} should have shape {tuple(expected.shape)}, got {tuple(answer.shape)}"
    assert answer.is_floating_point(), f"{what} should be a float tensor, got {answer.dtype}"


def check_invert(invert):
    for img in _images():
        original = img.clone()
        answer = invert(img)
        assert torch.equal(img, original), "invert changed its input image; return a new tensor instead"
        _tensor_like(answer, img, f"invert(img) for img of shape {tuple(img.shape)}")
        if img.max() == 0:
            assert torch.allclose(answer, torch.ones_like(img)), "black (all 0) should become white (all 1)"
        assert torch.allclose(answer, 1 - img, atol=1e-6), (
            "each value v should become 1 - v: white <-> black, and 0.25 -> 0.75; "
            f"for a pixel {img[:, 0, 0].tolist()} you gave {answer[:, 0, 0].tolist()}")


def check_greyscale(greyscale):
    red = torch.tensor([1.0, 0.0, 0.0]).view(3, 1, 1)
    answer = greyscale(red)
    _tensor_like(answer, torch.zeros(1, 1, 1), "greyscale of a (3, 1, 1) image (keep a channel dimension of size 1)")
    assert abs(answer.item() - 0.299) < 1e-4, (
        f"a pure red pixel should have brightness 0.299, got {answer.item():.4f}"
        + (" -- that is the plain average; use the luminance weights 0.299, 0.587, 0.114"
           if abs(answer.item() - 1 / 3) < 1e-4 else ""))
    for img in _images():
        answer = greyscale(img)
        expected = pixels.to_greyscale(img)
        _tensor_like(answer, expected, f"greyscale(img) for img of shape {tuple(img.shape)}")
        assert torch.allclose(answer, expected, atol=1e-5), (
            "use 0.299 * R + 0.587 * G + 0.114 * B for every pixel (R = img[0], G = img[1], B = img[2])")


def check_quantise_bits(quantise_bits):
    img = _images()[0]
    for bits in (1, 2, 3, 8):
        answer = quantise_bits(img, bits)
        expected = pixels.quantise(img, bits)
        _tensor_like(answer, expected, f"quantise_bits(img, {bits})")
        levels = len(torch.unique(answer))
        assert levels <= 2**bits, f"with {bits} bit(s) there may be at most {2**bits} levels, you have {levels}"
        ramp = torch.linspace(0, 1, 11).view(1, 1, 11)
        ends = quantise_bits(ramp, bits)
        assert ends.min() == 0 and abs(ends.max().item() - 1) < 1e-6, (
            f"black and white must survive: 0 and 1 should stay 0 and 1, got {ends.min().item():.3f} "
            f"and {ends.max().item():.3f} with {bits} bit(s). Levels are k / (2**bits - 1)")
        assert torch.allclose(answer, expected, atol=1e-6), (
            f"with {bits} bit(s) each value should snap to the NEAREST level k / {2**bits - 1} "
            "(torch.round, not floor); e.g. 0.4 with 1 bit -> 0.0, 0.6 -> 1.0")


def check_blur_kernel(blur_kernel):
    assert isinstance(blur_kernel, torch.Tensor), \
        f"blur_kernel should be a torch.Tensor, got {type(blur_kernel).__name__}"
    assert blur_kernel.shape == (3, 3), f"blur_kernel should have shape (3, 3), got {tuple(blur_kernel.shape)}"
    assert blur_kernel.is_floating_point(), f"blur_kernel should hold floats, got {blur_kernel.dtype}"
    total = blur_kernel.sum().item()
    assert abs(total - 1) < 1e-5, (f"the weights should add up to 1 so the image keeps its brightness; "
                                   f"yours add up to {total:.4f}")
    assert torch.allclose(blur_kernel, torch.full((3, 3), 1 / 9), atol=1e-6), (
        "a box blur gives the pixel and its 8 neighbours the same weight: all nine are 1/9")


def check_convolve(convolve):
    generator = torch.Generator().manual_seed(7)
    img, kernel = torch.rand(5, 6, generator=generator), torch.randn(3, 3, generator=generator)
    answer = convolve(img, kernel)
    expected = pixels.convolve2d(img, kernel, padding="valid")
    _tensor_like(answer, expected, "convolve of a (5, 6) image with a 3x3 kernel (the kernel fits in 3x4 places)")
    flipped = pixels.convolve2d(img, kernel.flip(0, 1), padding="valid")
    if torch.allclose(answer, flipped, atol=1e-5) and not torch.allclose(flipped, expected, atol=1e-5):
        raise AssertionError("you flipped the kernel: like torch's conv2d, multiply img[r + i, c + j] "
                             "by kernel[i, j] directly")
    assert torch.allclose(answer, expected, atol=1e-5), (
        "out[r, c] should be the sum over i, j in 0..2 of img[r + i, c + j] * kernel[i, j]; "
        f"at (0, 0) expected {expected[0, 0].item():.4f}, got {answer[0, 0].item():.4f}")


def check_count_colour(count_colour):
    img = torch.zeros(3, 4, 5)
    img[0, :2] = 1.0                       # 10 red pixels in the top two rows
    img[:, 3, :3] = 1.0                    # 3 white pixels
    img[:, 2, 4] = torch.tensor([1.0, 0.0, 1.0])  # one magenta: red in R, but not red
    cases = [((1.0, 0.0, 0.0), 10), ((1.0, 1.0, 1.0), 3), ((0.0, 0.0, 0.0), 6), ((0.0, 1.0, 0.0), 0)]
    for colour, expected in cases:
        answer = count_colour(img, colour)
        assert not isinstance(answer, torch.Tensor) or answer.numel() == 1, (
            f"count_colour should return one number, got a tensor of shape {tuple(answer.shape)}")
        answer = int(answer)
        if colour == (1.0, 0.0, 0.0) and answer > expected:
            raise AssertionError("a pixel counts only when ALL THREE channels match: compare all channels, "
                                 "then .all(dim=0), then count")
        assert answer == expected, f"count_colour(img, {colour}) should be {expected}, got {answer}"


q1 = Problem("invert", title="1. Invert an image", check=check_invert,
             prompt="Write invert(img): the photographic negative of a (C, H, W) image in [0, 1].",
             hint="Black (0) becomes white (1) and white becomes black. What single arithmetic "
                  "operation on every value does that?",
             notebook="01_pixels")
q2 = Problem("greyscale", title="2. Greyscale with luminance weights", check=check_greyscale,
             prompt="Write greyscale(img): (3, H, W) RGB -> (1, H, W) using 0.299 R + 0.587 G + 0.114 B.",
             hint=["img[0], img[1] and img[2] are the red, green and blue planes, each (H, W).",
                   "Combine them with the weights, then add the channel dimension back with .unsqueeze(0)."],
             notebook="01_pixels")
q3 = Problem("quantise_bits", title="3. Quantise to n bits", check=check_quantise_bits,
             prompt="Write quantise_bits(img, bits): snap every value to the nearest of 2**bits evenly "
                    "spaced levels 0, 1/(2**bits - 1), ..., 1.",
             hint=["With 2 bits the levels are 0, 1/3, 2/3, 1: there are 2**bits - 1 gaps between them.",
                   "Stretch to 0..steps, round to whole numbers, shrink back: torch.round(img * steps) / steps."],
             notebook="01_pixels")
q4 = Problem("blur_kernel", title="4. A 3x3 blur kernel", check=check_blur_kernel,
             prompt="Set blur_kernel to the 3x3 box blur: every output pixel becomes the average of "
                    "itself and its 8 neighbours.",
             hint="Nine pixels, equal weights that add up to 1: torch.ones(3, 3) divided by something.",
             notebook="01_pixels")
q5 = Problem("convolve", title="5. Convolution with your own loops", check=check_convolve,
             prompt="Write convolve(img, kernel) for an (H, W) image and a 3x3 kernel with plain loops: "
                    "out[r, c] = sum over i, j of img[r + i, c + j] * kernel[i, j]; out is (H - 2, W - 2).",
             hint=["Make out = torch.zeros(H - 2, W - 2); loop r over H - 2 rows and c over W - 2 columns.",
                   "Inside: out[r, c] = (img[r:r + 3, c:c + 3] * kernel).sum()"],
             notebook="01_pixels")
q6 = Problem("count_colour", title="6. Count the pixels of a colour", check=check_count_colour,
             prompt="Write count_colour(img, colour): how many pixels of a (3, H, W) image are exactly "
                    "`colour`, an (R, G, B) tuple.",
             hint=["torch.tensor(colour).view(3, 1, 1) lines the colour up with every pixel.",
                   "(img == that) is True per channel; a pixel matches when .all(dim=0) of it is True; "
                   ".sum() counts them."],
             notebook="01_pixels")

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]
