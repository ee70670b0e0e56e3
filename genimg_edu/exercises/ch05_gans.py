"""Checks for the chapter 05 exercises (exercises/05_gans.ipynb): GANs.

    q1 d_loss(real_logits, fake_logits)        q3 d_step(G, D, opt_D, real, z)
    q2 g_loss(fake_logits)                     q4 count_modes(points, centres, radius)

(The latent walk is an exercise of chapter 04, where latent codes first appear.)

Each check compares the learner's answer with `genimg_edu.gan` on small inputs and names the most
common mistakes.
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F

from ..gan import ToyDiscriminator, ToyGenerator, discriminator_loss, generator_loss, modes_covered, ring_centres
from .problem import Problem

_REAL = torch.tensor([2.0, -0.5, 1.0, 0.3])
_FAKE = torch.tensor([-1.5, 0.4, -3.0, 0.9])


def _scalar(answer, what: str) -> float:
    assert isinstance(answer, torch.Tensor), f"{what} should return a torch.Tensor, got {type(answer).__name__}"
    assert answer.ndim == 0, f"{what} should return one number (a 0-d tensor: take the .mean()), got shape {tuple(answer.shape)}"
    return float(answer)


def check_d_loss(d_loss):
    expected = float(discriminator_loss(_REAL, _FAKE))
    answer = _scalar(d_loss(_REAL, _FAKE), "d_loss(real_logits, fake_logits)")
    swapped = float(discriminator_loss(_FAKE, _REAL))
    if abs(answer - swapped) < 1e-5:
        raise AssertionError("real and fake are swapped: real logits should be pushed UP (target 1), fake DOWN (target 0)")
    if abs(answer + expected) < 1e-5:
        raise AssertionError("the sign is flipped: a loss is minimised, so use -log(sigmoid(real)) - log(1 - sigmoid(fake))")
    probs = float(F.binary_cross_entropy(_REAL.clamp(0, 1), torch.ones(4)) + F.binary_cross_entropy(_FAKE.clamp(0, 1), torch.zeros(4)))
    if abs(answer - probs) < 1e-4:
        raise AssertionError("the inputs are logits, not probabilities: use F.binary_cross_entropy_with_logits "
                             "(or apply torch.sigmoid first)")
    assert abs(answer - expected) < 1e-5, (
        f"expected {expected:.4f}, got {answer:.4f}: the mean of -log(sigmoid(real)) plus the mean of "
        "-log(1 - sigmoid(fake))")
    confident = float(d_loss(torch.full((3,), 20.0), torch.full((3,), -20.0)))
    assert confident < 1e-6, "a D that is sure and right (real logits +20, fake -20) should have a loss near 0"


def check_g_loss(g_loss):
    expected = float(generator_loss(_FAKE))
    answer = _scalar(g_loss(_FAKE), "g_loss(fake_logits)")
    minimax = float(torch.log(1 - torch.sigmoid(_FAKE)).mean())
    if abs(answer - minimax) < 1e-5:
        raise AssertionError("that is the original minimax loss log(1 - sigmoid(D(G(z)))): it saturates when D wins. "
                             "Use the non-saturating one, -log(sigmoid(D(G(z))))")
    if abs(answer + expected) < 1e-5:
        raise AssertionError("the sign is flipped: G minimises -log(sigmoid(fake_logits))")
    if abs(answer - float(F.softplus(_FAKE).mean())) < 1e-5:
        raise AssertionError("that loss is low when D says FAKE; G wants D to say REAL (target 1)")
    assert abs(answer - expected) < 1e-5, f"expected {expected:.4f}, got {answer:.4f}: the mean of -log(sigmoid(fake_logits))"


def check_d_step(d_step):
    torch.manual_seed(0)
    G, D = ToyGenerator(hidden=8), ToyDiscriminator(hidden=8)
    G_ref, D_ref = copy.deepcopy(G), copy.deepcopy(D)
    opt_D = torch.optim.SGD(D.parameters(), lr=0.1)
    opt_ref = torch.optim.SGD(D_ref.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(1)
    real, z = torch.randn(16, 2, generator=g), torch.randn(16, 2, generator=g)
    G_before = [p.detach().clone() for p in G.parameters()]
    D_before = [p.detach().clone() for p in D.parameters()]

    answer = d_step(G, D, opt_D, real, z)

    loss = discriminator_loss(D_ref(real), D_ref(G_ref(z).detach()))
    opt_ref.zero_grad()
    loss.backward()
    opt_ref.step()
    assert all(torch.equal(a, b) for a, b in zip(G_before, G.parameters())), "d_step must not change G's weights"
    assert all(p.grad is None or not p.grad.any() for p in G.parameters()), (
        "gradients reached G: call .detach() on the fakes, so the D step does not touch G")
    assert isinstance(answer, float), f"d_step should return the loss as a float (.item()), got {type(answer).__name__}"
    assert abs(answer - loss.item()) < 1e-5, f"the returned loss should be D's loss before the update ({loss.item():.4f}), got {answer:.4f}"
    moved = [not torch.allclose(a, b) for a, b in zip(D.parameters(), D_ref.parameters())]
    unchanged = all(torch.equal(a, b) for a, b in zip(D.parameters(), D_before))
    assert not unchanged, "D did not change: call opt_D.step() after loss.backward()"
    assert not any(moved), ("D moved, but not by one clean step: zero the old gradients (opt_D.zero_grad()) before "
                            "backward(), then step once")


def check_count_modes(count_modes):
    centres = ring_centres(8, 2.0)
    cases = [
        (centres[:3].repeat_interleave(4, 0), 0.1),                           # 3 modes hit
        (torch.zeros(20, 2), 0.5),                                            # all in the middle: none
        (centres + 0.05, 0.1),                                                # every mode, slightly off
        (torch.cat([centres[:1], centres[:1] + torch.tensor([0.25, 0.0])]), 0.2),  # one mode, one near miss
    ]
    for points, radius in cases:
        expected = modes_covered(points, centres, radius=radius)
        answer = count_modes(points, centres, radius)
        assert isinstance(answer, int), f"count_modes should return an int (use int(...)), got {type(answer).__name__}"
        if answer == len(points) and expected != len(points):
            raise AssertionError("you counted points near some centre; count CENTRES that have at least one point nearby")
        assert answer == expected, (f"for {len(points)} points and radius {radius}: expected {expected} modes covered, "
                                    f"got {answer}. A centre counts once, however many points are near it")


q1 = Problem("d_loss", title="1. The discriminator's loss", check=check_d_loss,
             prompt="Write d_loss(real_logits, fake_logits): binary cross-entropy with real = 1 and fake = 0, "
                    "on logits (B,) each, averaged, summed over the two halves.",
             hint=["-log(sigmoid(x)) is F.softplus(-x), and -log(1 - sigmoid(x)) is F.softplus(x).",
                   "return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()"],
             notebook="05_gans")
q2 = Problem("g_loss", title="2. The generator's (non-saturating) loss", check=check_g_loss,
             prompt="Write g_loss(fake_logits): G wants D to call its fakes real: the mean of -log(sigmoid(fake_logits)).",
             hint=["It is D's loss on the fakes, but with the target 'real' (1).",
                   "return F.softplus(-fake_logits).mean()"],
             notebook="05_gans")
q3 = Problem("d_step", title="3. One discriminator step", check=check_d_step,
             prompt="Write d_step(G, D, opt_D, real, z): make fakes G(z) without letting gradients reach G, compute "
                    "D's loss, and take one optimizer step on D. Return the loss as a float.",
             hint=["fake = G(z).detach(); loss = d_loss(D(real), D(fake))",
                   "opt_D.zero_grad(); loss.backward(); opt_D.step(); return loss.item()"],
             notebook="05_gans")
q4 = Problem("count_modes", title="4. Count the modes covered", check=check_count_modes,
             prompt="Write count_modes(points, centres, radius): how many centres (K, 2) have at least one of the "
                    "points (N, 2) within `radius`. Return an int.",
             hint=["torch.cdist(centres, points) is the (K, N) table of distances.",
                   "return int(((torch.cdist(centres, points) <= radius).any(dim=1)).sum())"],
             notebook="05_gans")

__all__ = ["q1", "q2", "q3", "q4"]
