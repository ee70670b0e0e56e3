r"""An invisible watermark built from scratch: DWT + DCT + quantisation (the idea behind
`invisible-watermark`'s "dwtDct" method, which Stable Diffusion's reference scripts use).

Recipe (embed), on the brightness channel Y of an RGB image in [0, 255]:
1. one level of the Haar wavelet transform, keep the low-frequency band LL (half size);
2. cut LL into 4x4 blocks and take each block's DCT;
3. in each block, quantise the DC coefficient c to the lattice that encodes its bit b (blocks
   carry the L bits in turn, in an order shuffled by a key)
   (quantisation index modulation):  c' = delta * (round(c / delta - b / 2) + b / 2);
4. invert the DCT, the wavelet transform, and the colour conversion.
Extract: repeat 1-2, read b_k = round(2 c / delta) mod 2 in every block, majority vote per bit.

    marked = embed(x, bits)                  # x: (3, H, W) in [0, 1], bits: (L,) 0/1
    extract(marked, len(bits))              # -> (L,) bits
    bit_accuracy(bits, extract(attack(marked), len(bits)))

The low-frequency band survives JPEG, resizing and noise; nothing here survives cropping or rotation
(the block grid no longer lines up) — the measured table in notebook 10, section 5 shows both.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy.fft import dctn, idctn

from ..autoencoders.training import psnr  # noqa: F401  (chapter 04's; the robustness table and widget use it)
from ..checks import check_int, check_number, check_seed
from ..data import check_images

BLOCK = 4          # DCT block size inside the LL band (= 8x8 pixels of the image)
DELTA = 36.0       # quantisation step of the DC coefficient (larger: more robust, less invisible)
DEFAULT_BITS = 32  # message length used by the course
KEY = 2026         # seeds which blocks carry which bit (the secret shared by embedder and reader)


def _rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) -> (H, W, 3) YUV (BT.601), same scale."""
    m = np.array([[0.299, 0.587, 0.114], [-0.14713, -0.28886, 0.436], [0.615, -0.51499, -0.10001]])
    return rgb @ m.T


def _yuv_to_rgb(yuv: np.ndarray) -> np.ndarray:
    m = np.array([[1.0, 0.0, 1.13983], [1.0, -0.39465, -0.58060], [1.0, 2.03211, 0.0]])
    return yuv @ m.T


def _check(x: torch.Tensor, bits) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[0] != 3:
        raise ValueError(f"x must be one RGB image (3, H, W) in [0, 1], got "
                         f"{tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__}")
    check_images(x[None], name="x")
    if x.shape[1] < 8 * BLOCK or x.shape[2] < 8 * BLOCK:
        raise ValueError(f"x must be at least {8 * BLOCK}x{8 * BLOCK} pixels, got {tuple(x.shape[1:])}")
    if bits is None:
        return x.permute(1, 2, 0).double().numpy() * 255, None
    bits = np.asarray(bits)
    if bits.ndim != 1 or len(bits) < 1 or not np.isin(bits, (0, 1)).all():
        raise ValueError(f"bits must be a 1-D sequence of 0/1, got {bits!r}")
    return x.permute(1, 2, 0).double().numpy() * 255, bits.astype(int)


def _bit_of_block(n_blocks: int, n_bits: int) -> np.ndarray:
    """(n_blocks,) which message bit each block carries: every bit equally often, in an order shuffled
    by KEY so that a flat or saturated region never holds all the copies of one bit."""
    return np.random.default_rng(KEY).permutation(n_blocks) % n_bits


def _blocks(shape) -> list[tuple[int, int]]:
    """Top-left corners of the whole 4x4 blocks of an LL band of `shape`, row by row."""
    return [(i, j) for i in range(0, shape[0] - BLOCK + 1, BLOCK) for j in range(0, shape[1] - BLOCK + 1, BLOCK)]


def _lattice_point(c: float, b: int, delta: float, pixels: np.ndarray) -> float:
    """The nearest DC value that encodes bit b — unless moving there would push the block's pixels
    past 0 or 255 (clipping would undo it): then the lattice point on the other side.
    A DC change of d moves every pixel of the 8x8 block by d / 8 (Haar: x2, 4x4 ortho DCT: x4)."""
    lo = delta * (np.floor(c / delta - b / 2) + b / 2)   # the encoding values just below and above c
    hi = lo + delta
    fits_hi, fits_lo = pixels.max() + (hi - c) / 8 <= 255, pixels.min() - (c - lo) / 8 >= 0
    if fits_hi and (hi - c < c - lo or not fits_lo):
        return hi
    return lo if fits_lo or not fits_hi else hi


def embed_pass(rgb: np.ndarray, bits: np.ndarray, delta: float = DELTA) -> np.ndarray:
    """One embedding pass on rgb (H, W, 3) float in [0, 255]; returns the marked image rounded to 8 bits."""
    import pywt
    H, W = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    yuv = _rgb_to_yuv(rgb[:H, :W])
    LL, details = pywt.dwt2(yuv[..., 0], "haar")                       # LL: (H/2, W/2)
    corners = _blocks(LL.shape)
    carried = bits[_bit_of_block(len(corners), len(bits))]
    for (i, j), b in zip(corners, carried):
        block = dctn(LL[i:i + BLOCK, j:j + BLOCK], norm="ortho")
        block[0, 0] = _lattice_point(block[0, 0], b, delta, rgb[2 * i:2 * i + 2 * BLOCK, 2 * j:2 * j + 2 * BLOCK])
        LL[i:i + BLOCK, j:j + BLOCK] = idctn(block, norm="ortho")
    yuv[..., 0] = pywt.idwt2((LL, details), "haar")
    out = rgb.copy()
    out[:H, :W] = _yuv_to_rgb(yuv)
    return np.clip(np.round(out), 0, 255)                              # what an 8-bit file stores


def embed(x: torch.Tensor, bits, *, delta: float = DELTA, passes: int = 3) -> torch.Tensor:
    """Hide `bits` in x: (3, H, W) in [0, 1] -> watermarked (3, H, W) in [0, 1], on the 8-bit grid.
    Clipping to [0, 255] and rounding can push a coefficient off its lattice point, so the embedding is
    repeated (`passes` times at most) until every block reads back right."""
    if bits is None:
        raise TypeError("bits must be a 1-D sequence of 0/1 (the message to hide), got None")
    check_number("delta", delta, low=0, low_open=True)
    check_int("passes", passes, low=1)
    rgb, bits = _check(x, bits)
    for _ in range(passes):
        rgb = embed_pass(rgb, bits, delta)
        read = _read_blocks(rgb, delta)
        if (read == bits[_bit_of_block(len(read), len(bits))]).all():
            break
    return torch.from_numpy(rgb / 255).float().permute(2, 0, 1)


def _read_blocks(rgb: np.ndarray, delta: float) -> np.ndarray:
    """The bit each 4x4 LL block carries, block by block. rgb: (H, W, 3) in [0, 255]."""
    import pywt
    H, W = (rgb.shape[0] // 2) * 2, (rgb.shape[1] // 2) * 2
    LL, _ = pywt.dwt2(_rgb_to_yuv(rgb[:H, :W])[..., 0], "haar")
    return np.array([int(np.round(2 * dctn(LL[i:i + BLOCK, j:j + BLOCK], norm="ortho")[0, 0] / delta)) % 2
                     for i, j in _blocks(LL.shape)])


def extract(x: torch.Tensor, n_bits: int = DEFAULT_BITS, *, delta: float = DELTA) -> np.ndarray:
    """Read an n_bits message back from x: (3, H, W) in [0, 1]. Returns (n_bits,) int 0/1
    (each bit is the majority vote of every block that carries it)."""
    import pywt
    if not isinstance(n_bits, int) or n_bits < 1:
        raise ValueError(f"n_bits must be a positive int, got {n_bits!r}")
    rgb, _ = _check(x, None)
    block_bits = _read_blocks(rgb, delta)
    if len(block_bits) < n_bits:
        raise ValueError(f"the image holds only {len(block_bits)} blocks: too small for {n_bits} bits")
    k = _bit_of_block(len(block_bits), n_bits)
    votes, counts = np.bincount(k, weights=block_bits, minlength=n_bits), np.bincount(k, minlength=n_bits)
    return (votes / counts > 0.5).astype(int)


def bit_accuracy(sent, received) -> float:
    """Share of bits read back correctly."""
    sent, received = np.asarray(sent), np.asarray(received)
    if sent.shape != received.shape:
        raise ValueError(f"sent and received must have the same shape, got {sent.shape} and {received.shape}")
    return float((sent == received).mean())


def random_bits(n: int = DEFAULT_BITS, *, seed: int = 0) -> np.ndarray:
    """A reproducible random message of n bits."""
    check_int("n", n, low=1)
    check_seed("seed", seed)
    return np.random.default_rng(seed).integers(0, 2, n)


def detection_threshold(n_bits: int = DEFAULT_BITS, *, false_positive: float = 1e-4) -> int:
    """Smallest number of matching bits k with P(Binomial(n_bits, 1/2) >= k) <= false_positive:
    a clean image matches each bit by chance with probability 1/2."""
    from scipy.stats import binom
    check_int("n_bits", n_bits, low=1)
    check_number("false_positive", false_positive, low=0, high=1, low_open=True, high_open=True)
    for k in range(n_bits + 1):
        if binom.sf(k - 1, n_bits, 0.5) <= false_positive:
            return k
    raise ValueError(f"no threshold reaches false_positive={false_positive} with {n_bits} bits")
