"""Checks for the chapter 10 exercises (exercises/10_ethics.ipynb): ethics, hands-on.

    q1 ring_average(x)                      the Fourier-spectrum feature of the detector
    q2 copy_ratio(samples, train)           Gu et al.'s nearest / second-nearest ratio
    q3 attack_auc(member, nonmember)        ROC AUC of a loss-threshold membership attack
    q4 pixelate(x, block)                   mean colour per square
    q5 qim(c, bit, delta)                   hide one bit in a coefficient (quantisation index modulation)

Each check compares the learner's answer with `genimg_edu.ethics` on small inputs and names the most
common mistakes.
"""
from __future__ import annotations

import numpy as np
import torch

from ..ethics.anonymise import pixelate as library_pixelate
from ..ethics.detector import radial_spectrum
from ..ethics.membership import membership_auc
from ..ethics.memorisation import nn_ratio
from .problem import Problem


def check_ring_average(ring_average):
    x = torch.rand(3, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    expected = radial_spectrum(x)
    answer = ring_average(x)
    assert isinstance(answer, torch.Tensor), f"return a torch.Tensor, got {type(answer).__name__}"
    assert answer.shape == expected.shape, f"expected shape {tuple(expected.shape)} (N, H // 2 + 1), got {tuple(answer.shape)}"
    grey = x.mean(1)
    unshifted = torch.log1p(torch.fft.fft2(grey).abs())
    if torch.allclose(answer[:, 0], unshifted[:, 0, 0]) and not torch.allclose(answer, expected, atol=1e-4):
        raise AssertionError("ring 0 is right but the others are not: did you fftshift the spectrum so that "
                             "frequency 0 sits in the middle before measuring distances from the centre?")
    if torch.allclose(answer, expected.exp() - 1, atol=1e-3) or torch.allclose(answer[:, 0], torch.fft.fft2(grey).abs()[:, 0, 0]):
        raise AssertionError("take log(1 + |F|) before averaging over each ring")
    assert torch.allclose(answer, expected, atol=1e-4), "the ring averages differ from radial_spectrum(x)"


def check_copy_ratio(copy_ratio):
    g = torch.Generator().manual_seed(1)
    train = torch.rand(20, 1, 8, 8, generator=g)
    samples = torch.cat([train[:3] + 0.01 * torch.randn(3, 1, 8, 8, generator=g), torch.rand(4, 1, 8, 8, generator=g)])
    expected = nn_ratio(samples, train)
    answer = torch.as_tensor(copy_ratio(samples, train)).float()
    assert answer.shape == expected.shape, f"expected one ratio per sample, shape {tuple(expected.shape)}, got {tuple(answer.shape)}"
    if torch.allclose(answer, 1 / expected, rtol=1e-3):
        raise AssertionError("the ratio is upside down: nearest distance / second-nearest distance (always <= 1)")
    if torch.allclose(answer, expected ** 2, rtol=1e-3):
        raise AssertionError("those are squared distances: take the square root (torch.cdist gives plain distances)")
    assert torch.allclose(answer, expected, rtol=1e-3), "the ratios differ from nn_ratio(samples, train)"
    assert (answer[:3] < 1 / 3).all(), "near-copies of training images should have a ratio below 1/3"


def check_attack_auc(attack_auc):
    rng = np.random.default_rng(0)
    members, others = rng.normal(0.8, 0.3, 40), rng.normal(1.0, 0.3, 50)
    expected = membership_auc(members, others)
    answer = float(attack_auc(members, others))
    if abs(answer - (1 - expected)) < 1e-6:
        raise AssertionError("the attack is upside down: LOW loss means member (count pairs where the member's loss is lower)")
    assert abs(answer - expected) < 1e-6, f"expected AUC {expected:.4f}, got {answer:.4f}"
    tie = float(attack_auc(np.ones(3), np.ones(4)))
    assert abs(tie - 0.5) < 1e-9, f"with every loss equal the attack is a coin flip (0.5): count ties as half, got {tie}"


def check_pixelate(pixelate):
    x = torch.rand(2, 3, 12, 12, generator=torch.Generator().manual_seed(2))
    answer = pixelate(x, 4)
    expected = library_pixelate(x, block=4)
    assert isinstance(answer, torch.Tensor) and answer.shape == x.shape, \
        f"return a tensor of the input's shape {tuple(x.shape)}, got {getattr(answer, 'shape', type(answer).__name__)}"
    if torch.allclose(answer, x[..., ::4, ::4].repeat_interleave(4, -1).repeat_interleave(4, -2)):
        raise AssertionError("that keeps one pixel per square; pixelation keeps each square's MEAN colour")
    assert torch.allclose(answer, expected, atol=1e-6), "each 4x4 square should be filled with its mean colour"


def check_qim(qim):
    delta = 36.0
    for c in (0.0, 10.0, 17.9, 18.1, 100.0, 123.4, -40.0):
        for bit in (0, 1):
            answer = float(qim(c, bit, delta))
            expected = delta * (np.round(c / delta - bit / 2) + bit / 2)
            if bit == 1 and abs(answer - delta * np.round(c / delta)) < 1e-6 and abs(answer - expected) > 1e-6:
                raise AssertionError("bit 1 must land half-way between the multiples of delta: add bit / 2 "
                                     "inside the rounding and after it")
            assert abs(answer - expected) < 1e-6, f"qim({c}, {bit}, {delta}) should be {expected}, got {answer}"
            assert int(np.round(2 * answer / delta)) % 2 == bit, "reading round(2 c' / delta) mod 2 must give the bit back"


q1 = Problem("ring_average", title="1. The detector's feature: ring averages of the spectrum", check=check_ring_average,
             prompt="Write ring_average(x): x (N, 1, H, W) -> (N, H // 2 + 1), the mean of log(1 + |FFT|) of the "
                    "image over each ring of frequencies at distance round(r) from the centre (the last ring also "
                    "takes the corners).",
             hint=["F = torch.fft.fftshift(torch.fft.fft2(x.mean(1)), dim=(-2, -1)) puts frequency 0 in the middle.",
                   "ring = sqrt(fy**2 + fx**2).round().long().clamp(max=R - 1) with fy, fx = arange(H) - H // 2 "
                   "(meshgrid); then out[:, r] = log_power[:, ring == r].mean(1)."],
             notebook="10_ethics")
q2 = Problem("copy_ratio", title="2. Is it a copy? Gu et al.'s ratio", check=check_copy_ratio,
             prompt="Write copy_ratio(samples, train): for each sample, its distance to the nearest training image "
                    "divided by its distance to the second nearest. Returns (N,).",
             hint=["torch.cdist(samples.flatten(1), train.flatten(1)) is the (N, M) table of distances.",
                   "two = d.topk(2, dim=1, largest=False).values; return two[:, 0] / two[:, 1]"],
             notebook="10_ethics")
q3 = Problem("attack_auc", title="3. How well does the membership attack work?", check=check_attack_auc,
             prompt="Write attack_auc(member_losses, nonmember_losses): the ROC AUC of 'low loss = member', which is "
                    "the probability that a random member has a lower loss than a random non-member (ties count 1/2).",
             hint=["Compare every member with every non-member: m[:, None] < o[None, :] is the (M, O) table.",
                   "return ((m[:, None] < o[None, :]).mean() + 0.5 * (m[:, None] == o[None, :]).mean())"],
             notebook="10_ethics")
q4 = Problem("pixelate", title="4. Pixelate", check=check_pixelate,
             prompt="Write pixelate(x, block): x (N, C, H, W) with H, W multiples of block; fill every block x block "
                    "square with its mean colour. Same shape out.",
             hint=["F.avg_pool2d(x, block) gives one mean per square.",
                   "return F.interpolate(F.avg_pool2d(x, block), scale_factor=block, mode='nearest')"],
             notebook="10_ethics")
q5 = Problem("qim", title="5. Hide one bit: quantisation index modulation", check=check_qim,
             prompt="Write qim(c, bit, delta): the value nearest to c among delta * (k + bit / 2) for integers k. "
                    "Bit 0 lives on multiples of delta, bit 1 half-way between them.",
             hint=["Shift by bit / 2 steps, round to an integer, shift back.",
                   "return delta * (np.round(c / delta - bit / 2) + bit / 2)"],
             notebook="10_ethics")

__all__ = ["q1", "q2", "q3", "q4", "q5"]
