"""Checks for the chapter 04 exercises (exercises/04_autoencoders.ipynb): Autoencoders.

    q1 reconstruction_mse(x_hat, x)     q4 kl_term(mu, logvar)
    q2 psnr(x_hat, x)                   q5 lerp_latents(z_a, z_b, steps)
    q3 sample_latent(mu, logvar, eps)

Each check compares the learner's answer with torch (F.mse_loss, torch.distributions) or with
`genimg_edu.autoencoders`, on small random inputs, and explains the most common mistakes.
"""
from __future__ import annotations

import math

import torch
from torch.distributions import Normal, kl_divergence
from torch.nn import functional as F

from .problem import Problem


def _pair(seed: int, shape=(4, 1, 8, 8)):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=generator), torch.rand(shape, generator=generator)


def _number(answer, what: str) -> float:
    if isinstance(answer, torch.Tensor):
        assert answer.numel() == 1, f"{what} should be one number, got a tensor of shape {tuple(answer.shape)}"
        return answer.item()
    assert isinstance(answer, (int, float)), f"{what} should be a number, got {type(answer).__name__}"
    return float(answer)


def check_reconstruction_mse(reconstruction_mse):
    x_hat, x = _pair(1)
    answer = _number(reconstruction_mse(x_hat, x), "reconstruction_mse(x_hat, x)")
    expected = F.mse_loss(x_hat, x).item()
    if abs(answer - (x_hat - x).abs().mean().item()) < 1e-6:
        raise AssertionError("that is the mean ABSOLUTE error; square the differences instead")
    if abs(answer - math.sqrt(expected)) < 1e-6:
        raise AssertionError("you took the square root (that is the RMSE); the MSE stays squared")
    if abs(answer - expected * x.numel()) < 1e-3:
        raise AssertionError("you summed the squared errors; take the mean over every pixel of every image")
    assert abs(answer - expected) < 1e-6, f"expected the mean of (x_hat - x)**2 = {expected:.5f}, got {answer:.5f}"
    assert _number(reconstruction_mse(x, x), "reconstruction_mse(x, x)") == 0, "a perfect rebuild has error 0"


def check_psnr(psnr):
    x = torch.zeros(2, 1, 8, 8)
    answer = _number(psnr(x + 0.1, x), "psnr(x_hat, x)")
    if abs(answer - 10.0) < 1e-4:
        raise AssertionError("10 * log10(1 / MSE) with MSE = 0.01 is 20 dB; did you use the RMSE (0.1)?")
    if abs(answer + 20.0) < 1e-4:
        raise AssertionError("the sign is flipped: PSNR is 10 * log10(1 / MSE), positive for small errors")
    assert abs(answer - 20.0) < 1e-4, (
        f"an error of 0.1 on every pixel is MSE 0.01, so PSNR = 10 * log10(1 / 0.01) = 20 dB; got {answer:.3f}")
    x_hat, x = _pair(2)
    expected = 10 * math.log10(1 / F.mse_loss(x_hat, x).item())
    answer = _number(psnr(x_hat, x), "psnr(x_hat, x)")
    assert abs(answer - expected) < 1e-4, f"expected {expected:.3f} dB, got {answer:.3f}"


def check_sample_latent(sample_latent):
    generator = torch.Generator().manual_seed(3)
    mu, logvar, eps = (torch.randn(5, 2, generator=generator) for _ in range(3))
    answer = sample_latent(mu, logvar, eps)
    assert isinstance(answer, torch.Tensor) and answer.shape == mu.shape, (
        f"sample_latent should return a tensor of shape {tuple(mu.shape)}, like mu")
    expected = mu + torch.exp(0.5 * logvar) * eps
    if torch.allclose(answer, mu + torch.exp(logvar) * eps, atol=1e-5):
        raise AssertionError("exp(logvar) is the VARIANCE; the standard deviation is exp(logvar / 2)")
    if torch.allclose(answer, mu + logvar * eps, atol=1e-5):
        raise AssertionError("logvar is the LOG of the variance: sigma = exp(0.5 * logvar)")
    assert torch.allclose(answer, expected, atol=1e-5), "z = mu + sigma * eps with sigma = exp(0.5 * logvar)"
    leaf = mu.clone().requires_grad_(True)
    sample_latent(leaf, logvar, eps).sum().backward()
    assert leaf.grad is not None and torch.allclose(leaf.grad, torch.ones_like(mu)), (
        "gradients must flow back to mu: build z from mu with tensor arithmetic (no .detach(), no torch.no_grad)")


def check_kl_term(kl_term):
    generator = torch.Generator().manual_seed(4)
    mu, logvar = torch.randn(6, 3, generator=generator), torch.randn(6, 3, generator=generator)
    answer = kl_term(mu, logvar)
    expected = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(dim=1)
    assert isinstance(answer, torch.Tensor), f"kl_term should return a tensor, got {type(answer).__name__}"
    if answer.shape == (6, 3):
        raise AssertionError("sum over the latent dimensions (dim=1): one KL value per example, shape (6,)")
    if answer.numel() == 1:
        raise AssertionError("return one KL value per example, shape (B,): sum over dim=1 but not over the batch")
    assert answer.shape == (6,), f"kl_term should have shape (6,), got {tuple(answer.shape)}"
    if torch.allclose(answer, -expected, atol=1e-5):
        raise AssertionError("the sign is flipped: KL = -0.5 * sum(1 + logvar - mu**2 - exp(logvar)) is >= 0")
    assert torch.allclose(answer, expected, atol=1e-5), (
        f"KL = -0.5 * sum(1 + logvar - mu**2 - exp(logvar)); for the first example expected "
        f"{expected[0].item():.4f}, got {answer[0].item():.4f}")
    zero = kl_term(torch.zeros(2, 3), torch.zeros(2, 3))
    assert torch.allclose(zero, torch.zeros(2)), "a cloud that IS the standard normal (mu=0, logvar=0) has KL 0"


def check_lerp_latents(lerp_latents):
    z_a, z_b = torch.tensor([0.0, 2.0]), torch.tensor([4.0, -2.0])
    answer = lerp_latents(z_a, z_b, 5)
    assert isinstance(answer, torch.Tensor) and answer.shape == (5, 2), (
        f"lerp_latents(z_a, z_b, 5) for codes of shape (2,) should be (5, 2), got "
        f"{tuple(answer.shape) if isinstance(answer, torch.Tensor) else type(answer).__name__}")
    assert torch.allclose(answer[0], z_a) and torch.allclose(answer[-1], z_b), (
        "the first row must be z_a and the last z_b: t runs from 0 to 1 INCLUDING both ends (torch.linspace)")
    expected = torch.tensor([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0], [3.0, -1.0], [4.0, -2.0]])
    assert torch.allclose(answer, expected, atol=1e-6), f"expected {expected.tolist()}, got {answer.tolist()}"
    generator = torch.Generator().manual_seed(5)
    z_a, z_b = torch.randn(7, generator=generator), torch.randn(7, generator=generator)
    t = torch.linspace(0, 1, 3).unsqueeze(1)
    assert torch.allclose(lerp_latents(z_a, z_b, 3), (1 - t) * z_a + t * z_b, atol=1e-6), (
        "row i is (1 - t_i) * z_a + t_i * z_b")


q1 = Problem("reconstruction_mse", title="1. Reconstruction error", check=check_reconstruction_mse,
             prompt="Write reconstruction_mse(x_hat, x): the mean over all pixels of all images of (x_hat - x)**2.",
             hint="Subtract, square, then .mean() over everything.",
             notebook="04_autoencoders")
q2 = Problem("psnr", title="2. PSNR in decibels", check=check_psnr,
             prompt="Write psnr(x_hat, x) for images in [0, 1]: 10 * log10(1 / MSE).",
             hint=["Use your reconstruction_mse (or compute the MSE again).",
                   "math.log10 for a float, torch.log10 for a tensor."],
             notebook="04_autoencoders")
q3 = Problem("sample_latent", title="3. The reparameterisation trick", check=check_sample_latent,
             prompt="Write sample_latent(mu, logvar, eps): z = mu + sigma * eps with sigma = exp(0.5 * logvar).",
             hint=["logvar is log(sigma**2), so sigma = exp(logvar / 2).",
                   "return mu + torch.exp(0.5 * logvar) * eps"],
             notebook="04_autoencoders")
q4 = Problem("kl_term", title="4. The KL term", check=check_kl_term,
             prompt="Write kl_term(mu, logvar): KL(N(mu, sigma^2) || N(0, 1)) per example, (B, D) -> (B,).",
             hint=["KL = -0.5 * sum over the D latent numbers of (1 + logvar - mu**2 - exp(logvar)).",
                   "(...).sum(dim=1) sums over the latent numbers and keeps one value per example."],
             notebook="04_autoencoders")
q5 = Problem("lerp_latents", title="5. Walk between two codes", check=check_lerp_latents,
             prompt="Write lerp_latents(z_a, z_b, steps): (steps, D), row i = (1 - t_i) z_a + t_i z_b with t "
                    "from 0 to 1 in `steps` evenly spaced values, both ends included.",
             hint=["t = torch.linspace(0, 1, steps) gives the mixing amounts.",
                   "t.unsqueeze(1) has shape (steps, 1) and broadcasts against z_a of shape (D,)."],
             notebook="04_autoencoders")

__all__ = ["q1", "q2", "q3", "q4", "q5"]
