"""The Fréchet distance against closed forms and a direct computation, and its real-vs-real floor."""
import numpy as np
import pytest
import scipy.linalg
import torch

from genimg_edu.metrics import (evaluate_samples, feature_stats, frechet_distance, frechet_floor,
                                frechet_from_stats, frechet_report, load_judge)


def direct_frechet(mu_a, sigma_a, mu_b, sigma_b):
    """The textbook formula with scipy's general matrix square root."""
    covmean = scipy.linalg.sqrtm(sigma_a @ sigma_b).real
    return ((mu_a - mu_b) ** 2).sum() + np.trace(sigma_a + sigma_b - 2 * covmean)


def test_identical_gaussians_are_zero_apart():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 6))
    sigma = a.T @ a / 50
    assert frechet_from_stats(np.ones(6), sigma, np.ones(6), sigma) == pytest.approx(0, abs=1e-8)


def test_shifted_means_give_squared_distance():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(40, 5))
    sigma = a.T @ a / 40
    mu_a, mu_b = rng.normal(size=5), rng.normal(size=5)
    assert frechet_from_stats(mu_a, sigma, mu_b, sigma) == pytest.approx(((mu_a - mu_b) ** 2).sum(), rel=1e-8)


def test_diagonal_covariances_closed_form():
    var_a, var_b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    mu_a, mu_b = np.zeros(3), np.array([1.0, 0.0, 2.0])
    expected = 5.0 + ((np.sqrt(var_a) - np.sqrt(var_b)) ** 2).sum()  # = 5 + 4 + 1 + 0
    got = frechet_from_stats(mu_a, np.diag(var_a), mu_b, np.diag(var_b))
    assert got == pytest.approx(expected) and expected == pytest.approx(10.0)


def test_matches_scipy_on_random_full_covariances():
    rng = np.random.default_rng(2)
    for dim in (3, 16):
        a, b = rng.normal(size=(200, dim)), rng.normal(size=(200, dim)) @ rng.normal(size=(dim, dim))
        stats_a, stats_b = (a.mean(0), np.cov(a, rowvar=False)), (b.mean(0), np.cov(b, rowvar=False))
        assert frechet_distance(a, b) == pytest.approx(direct_frechet(*stats_a, *stats_b), rel=1e-6)


def test_samples_from_gaussians_converge_to_the_closed_form():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 2, generator=gen)
    b = torch.randn(20000, 2, generator=gen) * torch.tensor([2.0, 1.0]) + torch.tensor([3.0, 0.0])
    assert frechet_distance(a, b) == pytest.approx(9.0 + 1.0, rel=0.03)  # 3^2 + (2 - 1)^2


def test_feature_stats_and_bad_input():
    mu, sigma = feature_stats(torch.tensor([[0.0, 1.0], [2.0, 3.0]]))
    np.testing.assert_allclose(mu, [1.0, 2.0])
    np.testing.assert_allclose(sigma, [[2.0, 2.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="N >= 2"):
        frechet_distance(torch.zeros(1, 3), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="feature sizes"):
        frechet_distance(torch.rand(12, 3), torch.rand(12, 4))
    with pytest.raises(ValueError, match="feats_b has 9 samples.*at least 10"):
        frechet_distance(torch.rand(12, 3), torch.rand(9, 3))
    with pytest.warns(UserWarning, match="feats_a has 20 samples of 128-d features"):
        frechet_distance(torch.randn(20, 128), torch.randn(200, 128))
    with pytest.raises(TypeError, match="numpy"):
        frechet_distance([[1, 2]], torch.rand(5, 2))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(torch.full((12, 2), float("nan")), torch.rand(12, 2))


@pytest.fixture(scope="module")
def digits_judge():
    return load_judge("digits", size=8)  # from the cache when there is one (its training is tested elsewhere)


def test_floor_is_small_and_noise_is_far_above_it(digits_judge):
    floor = frechet_floor(digits_judge, "digits", 8, n=200)
    assert floor == pytest.approx(frechet_floor(digits_judge, n=200))
    assert floor > frechet_floor(digits_judge)  # fewer samples, more finite-sample bias
    noise = frechet_report(digits_judge, torch.rand(200, 1, 8, 8))
    assert noise["n"] == 200 and noise["floor"] == pytest.approx(floor)
    assert noise["frechet"] > 10 * floor
    with pytest.raises(ValueError, match="do not match"):
        frechet_floor(digits_judge, "shapes", 32)


def test_evaluate_samples_separates_real_noise_and_copies(digits_judge):
    from genimg_edu.data import load_dataset
    test = load_dataset("digits", split="test", size=8)
    real = evaluate_samples(digits_judge, test.images, labels=test.labels)
    assert real["accuracy"] >= 0.98 and real["entropy"] > 0.98 * real["max_entropy"]
    assert real["frechet"] == pytest.approx(real["frechet_floor"])  # held-out digits ARE the floor
    assert real["copying"]["ratio"] == pytest.approx(1.0)
    copies = evaluate_samples(digits_judge, load_dataset("digits", split="train", size=8).images[:300])
    assert copies["copying"]["exact_copies"] == 300 and copies["copying"]["close_fraction"] == 1.0
    ones = test.images[test.labels == 1]
    collapsed = evaluate_samples(digits_judge, ones, copying=False)
    assert collapsed["entropy"] < 0.3 and "copying" not in collapsed
