"""Toy 2-D GAN pieces: data, tiny G and D, the mode counter, and a GAN that learns a Gaussian."""
import math

import pytest
import torch

from genimg_edu.gan import (MinibatchStd, ToyDiscriminator, ToyGenerator, gan_step, grid_centres,
                            high_quality_fraction, mode_radius, modes_covered, ring_centres, sample_toy,
                            toy_centres)


def test_ring_centres_lie_on_the_circle_evenly_spaced():
    centres = ring_centres(8, 2.0)
    assert centres.shape == (8, 2)
    torch.testing.assert_close(centres.norm(dim=1), torch.full((8,), 2.0))
    gaps = torch.cdist(centres, centres)[torch.arange(8), (torch.arange(8) + 1) % 8]
    torch.testing.assert_close(gaps, torch.full((8,), 2 * 2.0 * math.sin(math.pi / 8)))


def test_grid_centres_are_a_centred_lattice():
    centres = grid_centres(5, 1.0)
    assert centres.shape == (25, 2)
    torch.testing.assert_close(centres.mean(0), torch.zeros(2))
    assert sorted(set(centres[:, 0].tolist())) == [-2.0, -1.0, 0.0, 1.0, 2.0]


def test_sample_toy_points_sit_near_their_modes_and_use_every_mode():
    points = sample_toy("ring", 4000, generator=torch.Generator().manual_seed(0))
    centres = toy_centres("ring")
    nearest = torch.cdist(points, centres).min(dim=1)
    assert nearest.values.max() < 0.3  # std 0.05: 6 sigma
    counts = torch.bincount(nearest.indices, minlength=8)
    assert counts.min() > 400  # 500 expected per mode
    gaussian = sample_toy("gaussian", 4000, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(gaussian.mean(0), torch.tensor([1.0, 1.0]), atol=0.03, rtol=0)
    torch.testing.assert_close(gaussian.std(0), torch.tensor([0.3, 0.3]), atol=0.02, rtol=0)


def test_modes_covered_counts_modes_with_enough_points_nearby():
    centres = ring_centres(8, 2.0)
    points = torch.cat([centres[:3].repeat_interleave(10, 0), torch.zeros(50, 2)])  # 3 modes + junk at 0
    assert modes_covered(points, centres, radius=0.15) == 3
    assert modes_covered(points, centres, radius=0.15, min_count=11) == 0
    assert modes_covered(sample_toy("ring", 2000), centres, radius=mode_radius("ring")) == 8
    assert high_quality_fraction(points, centres, radius=0.15) == pytest.approx(30 / 80)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="one of"):
        sample_toy("spiral", 10)
    with pytest.raises(TypeError, match="int"):
        sample_toy("ring", 2.5)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        modes_covered(torch.zeros(10, 3), ring_centres(), radius=0.1)
    with pytest.raises(ValueError, match="radius"):
        modes_covered(torch.zeros(10, 2), ring_centres(), radius=0)
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        ToyGenerator()(torch.zeros(4, 3))
    with pytest.raises(ValueError, match=r"\(B, 2\)"):
        ToyDiscriminator()(torch.zeros(4))


def test_minibatch_std_appends_the_batch_spread():
    h = torch.tensor([[0.0, 0.0], [2.0, 4.0]])
    out = MinibatchStd()(h)
    assert out.shape == (2, 3)
    torch.testing.assert_close(out[:, 2], torch.full((2,), (1.0 + 2.0) / 2))  # std per feature, averaged
    d = ToyDiscriminator(minibatch_std=True)
    assert d(torch.randn(7, 2)).shape == (7,)


def test_toy_gan_learns_the_mean_of_a_single_gaussian():
    torch.manual_seed(0)
    rng = torch.Generator().manual_seed(0)
    g, d = ToyGenerator(hidden=32), ToyDiscriminator(hidden=32)
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-3, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-3, betas=(0.5, 0.999))
    z = torch.randn(2000, 2)
    target = torch.tensor([1.0, 1.0])
    assert (g(z).mean(0).detach() - target).norm() > 0.5  # it really starts far away
    means = []
    for _ in range(300):
        gan_step(g, d, g_opt, d_opt, sample_toy("gaussian", 128, generator=rng), rng=rng)
        with torch.no_grad():
            means.append(g(z).mean(0))
    # GAN dynamics orbit the equilibrium rather than sit on it, so judge the last 100 steps' average.
    recent = torch.stack(means[-100:]).mean(0)
    assert (recent - target).norm() < 0.15, recent
