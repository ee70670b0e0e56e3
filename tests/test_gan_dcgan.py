"""DCGAN and conditional GAN for the digits: shapes, labels, errors, and a short real training run."""
import pytest
import torch

from genimg_edu.gan import DCGANDiscriminator, DCGANGenerator, GANConfig, GANTrainer, interpolate_latents, slerp


@pytest.mark.parametrize("size", [8, 16])
def test_generator_and_discriminator_shapes(size):
    g = DCGANGenerator(size=size, latent_dim=12, width=16, num_classes=10)
    d = DCGANDiscriminator(size=size, width=8, num_classes=10)
    labels = torch.tensor([0, 3, 9])
    x = g(torch.randn(3, 12), labels)
    assert x.shape == (3, 1, size, size)
    assert x.min() >= -1 and x.max() <= 1  # tanh output, the range the GAN trains in
    assert d(x, labels).shape == (3,)


def test_conditional_generator_uses_the_label():
    torch.manual_seed(0)
    g = DCGANGenerator(width=16, num_classes=10).eval()
    z = torch.randn(1, 32).repeat(10, 1)
    x = g(z, torch.arange(10))
    assert not torch.allclose(x[0], x[1])  # same z, different label, different image
    torch.testing.assert_close(g(z[:2], torch.tensor([4, 4]))[0], g(z[:2], torch.tensor([4, 4]))[1])


def test_projection_discriminator_depends_on_the_label():
    torch.manual_seed(0)
    d = DCGANDiscriminator(width=8, num_classes=10).eval()
    x = torch.rand(1, 1, 8, 8).repeat(2, 1, 1, 1)
    logits = d(x, torch.tensor([1, 7]))
    assert not torch.allclose(logits[0], logits[1])


def test_dcgan_bad_inputs():
    with pytest.raises(ValueError, match="size must be one of"):
        DCGANGenerator(size=12)
    g, d = DCGANGenerator(width=16, num_classes=10), DCGANDiscriminator(width=8, num_classes=10)
    with pytest.raises(ValueError, match="pass labels"):
        g(torch.randn(2, 32))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\)"):
        g(torch.randn(2, 32), torch.tensor([0, 10]))
    with pytest.raises(ValueError, match="long tensor"):
        g(torch.randn(2, 32), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"z must be \(B, 32\)"):
        g(torch.randn(2, 5), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"x must be \(B, 1, 8, 8\)"):
        d(torch.zeros(2, 1, 16, 16), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="unconditional"):
        DCGANGenerator(width=16)(torch.randn(2, 32), torch.tensor([0, 1]))


def test_slerp_keeps_the_norm_and_hits_the_ends():
    z0, z1 = torch.randn(64, generator=torch.Generator().manual_seed(0)), torch.randn(64)
    path = interpolate_latents(z0, z1, 7)
    assert path.shape == (7, 64)
    torch.testing.assert_close(path[0], z0)
    torch.testing.assert_close(path[-1], z1)
    z1 = z1 / z1.norm() * z0.norm()
    norms = interpolate_latents(z0, z1, 9).norm(dim=1)
    torch.testing.assert_close(norms, torch.full((9,), z0.norm().item()))  # the arc keeps the norm
    line = interpolate_latents(z0, z1, 9, mode="linear").norm(dim=1)
    assert line[4] < 0.9 * z0.norm()  # the straight line dips towards the origin
    torch.testing.assert_close(slerp(z0, z1, 0.5), interpolate_latents(z0, z1, 3)[1])
    with pytest.raises(ValueError, match="steps"):
        interpolate_latents(z0, z1, 1)
    with pytest.raises(ValueError, match="mode"):
        interpolate_latents(z0, z1, 3, mode="cubic")
    with pytest.raises(ValueError, match=r"\(D,\)"):
        interpolate_latents(z0[None], z1[None], 3)


@pytest.mark.slow
def test_short_conditional_gan_training_beats_chance_by_far_with_the_judge():
    from genimg_edu.data import load_dataset, to_unit
    from genimg_edu.metrics import load_judge

    judge = load_judge("digits", size=8)
    data = load_dataset("digits", split="train", size=8, value_range=(-1, 1))
    torch.manual_seed(0)
    g, d = DCGANGenerator(width=64, num_classes=10), DCGANDiscriminator(width=32, num_classes=10)
    trainer = GANTrainer(g, d, data, config=GANConfig(steps=150, batch_size=64, lr_g=5e-4, lr_d=5e-4,
                                                      device="cpu", progress=False))
    trainer.fit()
    labels = torch.arange(500) % 10
    samples = trainer.sample(500, labels=labels)
    # G ends in tanh, so samples are already in [-1, 1]; clamp only guards float round-off, then map to [0, 1].
    accuracy = judge.accuracy(to_unit(samples.clamp(-1, 1)), labels)
    assert accuracy > 0.5, accuracy  # chance is 0.1
