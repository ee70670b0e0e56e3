"""Chapter 04: autoencoders and VAEs, checked against references and by what they really achieve."""
import pytest
import torch
from torch.distributions import Normal, kl_divergence
from torch.nn import functional as F

from genimg_edu.autoencoders import (PCA, VAE, Autoencoder, add_noise, autoencoder_loss, compression_curve,
                                     decode_grid, decode_point, encode, interpolate, kl_to_standard_normal,
                                     latent_grid, mse, neighbour_accuracy, psnr, reconstruct, reparameterise,
                                     train_autoencoder, vae_batch_loss, vae_loss)
from genimg_edu.data import load_dataset


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", split="train"), load_dataset("digits", split="test")


@pytest.fixture(scope="module")
def trained_ae(digits):
    torch.manual_seed(0)
    model = Autoencoder(2)
    history = train_autoencoder(model, digits[0].images, steps=600, seed=0, log_every=100)
    return model, history


def test_models_shapes_and_input_checks():
    x = torch.rand(5, 1, 8, 8)
    ae, vae = Autoencoder(3), VAE(4)
    assert ae.encode(x).shape == (5, 3) and ae(x).shape == x.shape
    x_hat, mu, logvar = vae(x)
    assert x_hat.shape == x.shape and mu.shape == logvar.shape == (5, 4)
    assert 0 <= x_hat.min() and x_hat.max() <= 1
    assert vae.sample(6, generator=torch.Generator().manual_seed(0)).shape == (6, 1, 8, 8)
    with pytest.raises(ValueError, match=r"\(B, 1, 8, 8\)"):
        ae(torch.rand(5, 1, 16, 16))
    with pytest.raises(ValueError, match=r"z must have shape \(B, 3\)"):
        ae.decode(torch.zeros(5, 2))
    with pytest.raises(ValueError, match="latent_dim"):
        Autoencoder(0)
    with pytest.raises(ValueError, match="n must be a positive int"):
        vae.sample(0)


def test_kl_matches_torch_distributions():
    gen = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(8, 5, generator=gen), torch.randn(8, 5, generator=gen)
    reference = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(dim=1)
    torch.testing.assert_close(kl_to_standard_normal(mu, logvar), reference)
    assert torch.allclose(kl_to_standard_normal(torch.zeros(2, 3), torch.zeros(2, 3)), torch.zeros(2))
    with pytest.raises(ValueError, match=r"\(B, D\)"):
        kl_to_standard_normal(mu, logvar[:, :4])


def test_reparameterise_has_the_right_distribution_and_gradients():
    mu = torch.tensor([[2.0, -1.0]]).expand(20000, 2).clone().requires_grad_(True)
    logvar = torch.log(torch.tensor([[0.25, 4.0]])).expand(20000, 2).clone().requires_grad_(True)
    z = reparameterise(mu, logvar, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(z.mean(0), torch.tensor([2.0, -1.0]), atol=0.05, rtol=0)
    torch.testing.assert_close(z.std(0), torch.tensor([0.5, 2.0]), atol=0.05, rtol=0)
    z.sum().backward()                      # the whole point: gradients reach mu and logvar
    assert torch.allclose(mu.grad, torch.ones_like(mu))
    assert logvar.grad.abs().sum() > 0
    again = reparameterise(mu, logvar, generator=torch.Generator().manual_seed(0))
    assert torch.equal(z, again)
    with pytest.raises(ValueError, match="same shape"):
        reparameterise(mu, logvar[:, :1])


def test_vae_loss_is_bce_plus_beta_kl():
    gen = torch.Generator().manual_seed(1)
    x, x_hat = torch.rand(4, 1, 8, 8, generator=gen), torch.rand(4, 1, 8, 8, generator=gen) * 0.9 + 0.05
    mu, logvar = torch.randn(4, 2, generator=gen), torch.randn(4, 2, generator=gen)
    parts = vae_loss(x_hat, x, mu, logvar, beta=0.5)
    bce = -(x * x_hat.log() + (1 - x) * (1 - x_hat).log()).sum() / 4
    torch.testing.assert_close(parts.reconstruction, bce)
    torch.testing.assert_close(parts.kl, kl_to_standard_normal(mu, logvar).mean())
    torch.testing.assert_close(parts.total, bce + 0.5 * parts.kl)
    with pytest.raises(ValueError, match="same shape"):
        vae_loss(x_hat[:2], x, mu, logvar)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        vae_loss(x_hat, x * 2 - 1, mu, logvar)
    with pytest.raises(ValueError, match="beta"):
        vae_loss(x_hat, x, mu, logvar, beta=-1)


def test_autoencoder_loss_and_noise():
    model = Autoencoder(2)
    x = torch.rand(6, 1, 8, 8)
    torch.testing.assert_close(autoencoder_loss(model, x), F.mse_loss(model(x), x))
    noisy = add_noise(x, std=0.5, generator=torch.Generator().manual_seed(0))
    assert noisy.shape == x.shape and 0 <= noisy.min() and noisy.max() <= 1 and not torch.equal(noisy, x)
    assert torch.equal(add_noise(x, std=0.0), x)
    with pytest.raises(ValueError, match="std"):
        add_noise(x, std=-0.1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        add_noise(x * 2 - 1, std=0.1)
    logs = vae_batch_loss(VAE(2), x, beta=1.0)
    assert set(logs) == {"loss", "reconstruction", "kl"}


def test_mse_and_psnr():
    a = torch.zeros(2, 1, 8, 8)
    assert mse(a, a + 0.1) == pytest.approx(0.01)
    assert psnr(a, a + 0.1) == pytest.approx(20.0)
    assert psnr(a, a) == float("inf")
    with pytest.raises(ValueError, match="shapes differ"):
        mse(a, a[:1])


def test_pca_matches_scikit_learn(digits):
    from sklearn.decomposition import PCA as SkPCA
    train, test = digits
    pca = PCA(train.images, 5)
    reference = SkPCA(5, svd_solver="full").fit(train.images.flatten(1).numpy())
    expected = reference.inverse_transform(reference.transform(test.images.flatten(1).numpy()))
    torch.testing.assert_close(pca.decode(pca.encode(test.images)).flatten(1), torch.tensor(expected),
                               atol=1e-5, rtol=0)
    full = PCA(train.images, 64)
    torch.testing.assert_close(full.decode(full.encode(test.images)), test.images, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="k must be"):
        PCA(train.images, 65)


def test_autoencoder_trains_and_beats_pca_in_two_numbers(digits, trained_ae):
    train, test = digits
    model, history = trained_ae
    assert [r["step"] for r in history] == [100, 200, 300, 400, 500, 600]
    assert history[-1]["loss"] < 0.7 * history[0]["loss"]
    pca = PCA(train.images, 2)
    ae_error = mse(reconstruct(model, test.images), test.images)
    pca_error = mse(pca.decode(pca.encode(test.images)), test.images)
    assert ae_error < 0.9 * pca_error          # measured 0.035 vs 0.053 at 600 steps
    # the 2-D codes keep digits apart better than PCA's 2-D projection (measured 0.82 vs 0.65)
    ae_knn = neighbour_accuracy(encode(model, train.images), train.labels, encode(model, test.images), test.labels)
    pca_knn = neighbour_accuracy(pca.encode(train.images), train.labels, pca.encode(test.images), test.labels)
    assert ae_knn > pca_knn


def test_compression_curve_rows(digits):
    train, test = digits
    rows = compression_curve(train.images, test.images, ks=(2,), steps=300)
    assert list(rows[0]) == ["k", "pca_mse", "autoencoder_mse"] and rows[0]["k"] == 2
    assert rows[0]["autoencoder_mse"] < rows[0]["pca_mse"]   # measured 0.041 vs 0.053


def test_denoising_autoencoder_removes_noise(digits):
    train, test = digits
    torch.manual_seed(0)
    model = Autoencoder(8)
    train_autoencoder(model, train.images, steps=400, noise_std=0.3, seed=0)
    noisy = add_noise(test.images, std=0.3, generator=torch.Generator().manual_seed(1))
    # measured 12.8 dB -> 15.3 dB at 400 steps (16.7 dB at 2000)
    assert psnr(reconstruct(model, noisy), test.images) > psnr(noisy, test.images) + 1.5


def test_vae_trains_and_kl_stays_finite(digits):
    torch.manual_seed(0)
    model = VAE(2)
    history = train_autoencoder(model, digits[0].images, steps=300, seed=0, log_every=100)
    assert history[-1]["reconstruction"] < history[0]["reconstruction"]
    assert 0 < history[-1]["kl"] < 20
    with pytest.raises(TypeError, match="Autoencoder or VAE"):
        train_autoencoder(torch.nn.Linear(64, 2), digits[0].images, steps=1)


def test_neighbour_accuracy_matches_scikit_learn():
    from sklearn.neighbors import KNeighborsClassifier
    gen = torch.Generator().manual_seed(0)
    train_codes, test_codes = torch.randn(200, 2, generator=gen), torch.randn(50, 2, generator=gen)
    train_labels = (train_codes[:, 0] > 0).long() + (train_codes[:, 1] > 0).long()
    test_labels = (test_codes[:, 0] > 0).long() + (test_codes[:, 1] > 0).long()
    knn = KNeighborsClassifier(5).fit(train_codes.numpy(), train_labels.numpy())
    expected = (torch.tensor(knn.predict(test_codes.numpy())) == test_labels).float().mean().item()
    assert neighbour_accuracy(train_codes, train_labels, test_codes, test_labels, k=5) == pytest.approx(expected)
    with pytest.raises(ValueError, match="same D"):
        neighbour_accuracy(train_codes, train_labels, test_codes[:, :1], test_labels)


def test_interpolate_goes_from_a_to_b_linearly_in_latent_space(trained_ae, digits):
    model, _ = trained_ae
    x_a, x_b = digits[1].images[0], digits[1].images[1]
    frames = interpolate(model, x_a, x_b, steps=5)
    assert frames.shape == (5, 1, 8, 8)
    z_a, z_b = encode(model, torch.stack([x_a, x_b]))
    torch.testing.assert_close(frames[0], model.decode(z_a[None])[0].detach())
    torch.testing.assert_close(frames[-1], model.decode(z_b[None])[0].detach())
    torch.testing.assert_close(frames[2], model.decode((0.5 * (z_a + z_b))[None])[0].detach())
    with pytest.raises(ValueError, match="steps"):
        interpolate(model, x_a, x_b, steps=1)
    with pytest.raises(ValueError, match="one digit"):
        interpolate(model, digits[1].images[:2], x_b)


def test_latent_grid_reads_like_a_page():
    grid = latent_grid(((-1, 1), (0, 4)), 3)
    assert grid.shape == (9, 2)
    assert grid[0].tolist() == [-1.0, 4.0] and grid[2].tolist() == [1.0, 4.0] and grid[-1].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="low < high"):
        latent_grid(((1, -1), (0, 4)), 3)
    with pytest.raises(ValueError, match="ranges must be"):
        latent_grid((1, 2), 3)


def test_decode_grid_and_point_agree(trained_ae):
    model, _ = trained_ae
    images = decode_grid(model, ((-2, 2), (-1, 1)), 4)
    assert images.shape == (16, 1, 8, 8)
    torch.testing.assert_close(images[0], decode_point(model, -2, 1)[0])
    torch.testing.assert_close(images[15], decode_point(model, 2, -1)[0])
    with pytest.raises(ValueError, match="latent_dim=2"):
        decode_grid(Autoencoder(3), ((-1, 1), (-1, 1)), 3)


def test_latent_explorer_is_driven_by_its_pure_functions(trained_ae, digits):
    import matplotlib
    matplotlib.use("Agg")
    from genimg_edu.autoencoders import LatentExplorer, draw_point, interpolation_view, point_view

    model, _ = trained_ae
    test = digits[1]
    explorer = LatentExplorer(model, test.images, test.labels)
    explorer.point.controls["z1"].value = 1.5
    explorer.point.controls["z2"].value = -0.5
    view = explorer.point.result
    assert view["z"] == (1.5, -0.5) and explorer.point.error is None
    torch.testing.assert_close(view["image"], decode_point(model, 1.5, -0.5))
    assert len(draw_point(view).axes) == 3              # map, digit, colour bar
    explorer.morph.controls["index_a"].value = 3
    explorer.morph.controls["steps"].value = 4
    torch.testing.assert_close(explorer.morph.result, interpolate(model, test.images[3], test.images[1], 4))
    with pytest.raises(ValueError, match="index_b must be an int"):
        interpolation_view(model, test.images, 0, len(test.images), 4)
    with pytest.raises(ValueError, match=r"codes must be \(N, 2\)"):
        point_view(model, torch.zeros(5, 3), torch.zeros(5), 0.0, 0.0)
    with pytest.raises(ValueError, match="latent_dim=2"):
        LatentExplorer(Autoencoder(3), test.images, test.labels)


def test_exercise_checks_accept_the_library_and_explain_common_mistakes():
    from genimg_edu.exercises import CORRECT, INCORRECT
    from genimg_edu.exercises.ch04_autoencoders import q1, q2, q3, q4, q5

    def message(problem, answer):
        feedback = problem.evaluate(answer)
        assert feedback.kind == INCORRECT, f"{problem.title} accepted a wrong answer"
        return feedback.message

    assert q1.evaluate(lambda a, b: F.mse_loss(a, b)).kind == CORRECT
    assert q2.evaluate(psnr).kind == CORRECT
    assert q3.evaluate(lambda mu, logvar, eps: mu + torch.exp(0.5 * logvar) * eps).kind == CORRECT
    assert q4.evaluate(kl_to_standard_normal).kind == CORRECT
    walk = lambda a, b, n: torch.stack([torch.lerp(a, b, t) for t in torch.linspace(0, 1, n)])  # noqa: E731
    assert q5.evaluate(walk).kind == CORRECT
    assert "ABSOLUTE" in message(q1, lambda a, b: (a - b).abs().mean())
    assert "RMSE" in message(q2, lambda a, b: 10 * torch.log10(1 / F.mse_loss(a, b).sqrt()))
    assert "VARIANCE" in message(q3, lambda mu, logvar, eps: mu + torch.exp(logvar) * eps)
    assert "per example" in message(q4, lambda mu, logvar: kl_to_standard_normal(mu, logvar).mean())
    assert "sign" in message(q4, lambda mu, logvar: -kl_to_standard_normal(mu, logvar))
    assert "INCLUDING" in message(q5, lambda a, b, n: torch.stack([torch.lerp(a, b, i / n) for i in range(n)]))
