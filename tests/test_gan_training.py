"""The two-step update, the losses, and the trainer's checkpoint/resume."""
import copy

import pytest
import torch
import torch.nn.functional as F

from genimg_edu.gan import (DCGANDiscriminator, DCGANGenerator, GANConfig, GANTrainer, ToyDiscriminator,
                            ToyGenerator, discriminator_loss, gan_step, generator_loss, sample_toy)


def _params(module):
    return [p.detach().clone() for p in module.parameters()]


def _same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_losses_match_their_formulas():
    real, fake = torch.tensor([2.0, -1.0, 0.5]), torch.tensor([-3.0, 0.2, 1.0])
    bce = (-torch.log(torch.sigmoid(real)).mean() - torch.log(1 - torch.sigmoid(fake)).mean())
    torch.testing.assert_close(discriminator_loss(real, fake), bce)
    torch.testing.assert_close(generator_loss(fake), -torch.log(torch.sigmoid(fake)).mean())
    torch.testing.assert_close(discriminator_loss(real, fake, kind="hinge"),
                               F.relu(1 - real).mean() + F.relu(1 + fake).mean())
    torch.testing.assert_close(generator_loss(fake, kind="hinge"), -fake.mean())
    smoothed = discriminator_loss(real, fake, label_smoothing=0.1)
    expected = F.binary_cross_entropy_with_logits(real, torch.full((3,), 0.9)) + \
        F.binary_cross_entropy_with_logits(fake, torch.zeros(3))
    torch.testing.assert_close(smoothed, expected)


def test_loss_bad_inputs():
    with pytest.raises(ValueError, match="one of"):
        generator_loss(torch.zeros(2), kind="wasserstein")
    with pytest.raises(ValueError, match="label_smoothing"):
        discriminator_loss(torch.zeros(2), torch.zeros(2), label_smoothing=0.7)


def test_gan_step_updates_d_first_then_g_and_g_step_leaves_d_alone():
    torch.manual_seed(0)
    g, d = ToyGenerator(), ToyDiscriminator()
    g_opt, d_opt = torch.optim.Adam(g.parameters(), 1e-2), torch.optim.Adam(d.parameters(), 1e-2)
    g0, d0 = _params(g), _params(d)
    seen = {}

    def after_d_step():  # between the two updates: D has moved, G not yet
        seen["d_moved"] = not _same(_params(d), d0)
        seen["g_still"] = _same(_params(g), g0)
        seen["d_after_step1"] = _params(d)

    losses = gan_step(g, d, g_opt, d_opt, sample_toy("ring", 64), on_d_step=after_d_step)
    assert seen == {"d_moved": True, "g_still": True, "d_after_step1": seen["d_after_step1"]}
    assert not _same(_params(g), g0), "step 2 must update G"
    assert _same(_params(d), seen["d_after_step1"]), "G's update must not change D"
    assert all(p.requires_grad for p in d.parameters()), "D must be unfrozen again after the step"
    assert set(losses) == {"d_loss", "g_loss", "d_fake"} and all(isinstance(v, float) for v in losses.values())


def test_gan_step_leaves_spectral_norm_buffers_of_d_alone_in_the_g_step():
    torch.manual_seed(0)
    g, d = DCGANGenerator(width=16), DCGANDiscriminator(width=8)
    g_opt, d_opt = torch.optim.Adam(g.parameters()), torch.optim.Adam(d.parameters())
    seen = {}
    gan_step(g, d, g_opt, d_opt, torch.rand(8, 1, 8, 8) * 2 - 1,
             on_d_step=lambda: seen.setdefault("d", copy.deepcopy(d.state_dict())))
    after = d.state_dict()
    assert all(torch.equal(seen["d"][k], after[k]) for k in after)
    assert d.training


def test_gan_step_checks_labels():
    g, d = DCGANGenerator(width=16, num_classes=10), DCGANDiscriminator(width=8, num_classes=10)
    opt = torch.optim.Adam(g.parameters())
    with pytest.raises(ValueError, match=r"labels must be \(4,\)"):
        gan_step(g, d, opt, opt, torch.zeros(4, 1, 8, 8), labels=torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="one of"):
        gan_step(g, d, opt, opt, torch.zeros(4, 1, 8, 8), loss="wgan")


def _tiny_trainer(path, steps, seed=0):
    images = torch.rand(40, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    torch.manual_seed(seed)  # the weights' initial values
    labels = torch.arange(40) % 10
    g = DCGANGenerator(width=16, latent_dim=8, num_classes=10)
    d = DCGANDiscriminator(width=8, num_classes=10)
    config = GANConfig(steps=steps, batch_size=8, log_every=2, checkpoint_path=str(path) if path else None,
                       device="cpu", progress=False)
    return GANTrainer(g, d, (images, labels), config=config)


def test_trainer_resume_gives_identical_continuation(tmp_path):
    straight = _tiny_trainer(None, 8)
    straight.fit()
    first = _tiny_trainer(tmp_path / "gan.safetensors", 4)
    first.fit()
    resumed = _tiny_trainer(tmp_path / "gan.safetensors", 8, seed=1)  # different init: must be overwritten
    assert resumed.step == 4
    resumed.fit()
    assert resumed.history == straight.history
    for a, b in ((resumed.generator, straight.generator), (resumed.discriminator, straight.discriminator),
                 (resumed.ema, straight.ema)):
        for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
            torch.testing.assert_close(x, y, rtol=0, atol=0, msg=name)


def test_trainer_history_and_samples():
    trainer = _tiny_trainer(None, 6)
    history = trainer.fit()
    assert [r["step"] for r in history] == [2, 4, 6]
    x = trainer.sample(5, labels=torch.tensor([0, 1, 2, 3, 4]))
    assert x.shape == (5, 1, 8, 8) and x.min() >= -1 and x.max() <= 1
    torch.testing.assert_close(x, trainer.sample(5, labels=torch.tensor([0, 1, 2, 3, 4])))  # seeded


def test_trainer_rejects_bad_data():
    g, d = DCGANGenerator(width=16, num_classes=10), DCGANDiscriminator(width=8, num_classes=10)
    with pytest.raises(ValueError, match="labelled data"):
        GANTrainer(g, d, torch.zeros(4, 1, 8, 8), config=GANConfig(device="cpu"))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        GANTrainer(g, d, (torch.full((4, 1, 8, 8), 3.0), torch.zeros(4, dtype=torch.long)),
                   config=GANConfig(device="cpu"))
    with pytest.raises(TypeError, match="ImageSet"):
        GANTrainer(g, d, [1, 2], config=GANConfig(device="cpu"))
    from genimg_edu.data import load_dataset
    with pytest.raises(ValueError, match="value_range"):
        GANTrainer(g, d, load_dataset("digits"), config=GANConfig(device="cpu"))


def test_trainer_follows_train_conventions(tmp_path):
    """Batches without replacement from train.batch_indices, AdamW, checkpoint_every None."""
    trainer = _tiny_trainer(None, 5)  # 40 images, batches of 8: the first five batches are one epoch
    seen = []
    draw = trainer._batch
    trainer._batch = lambda: (seen.append(draw()), seen[-1])[1]
    trainer.fit()
    rows = torch.cat([real.flatten(1) for real, _ in seen])
    assert len(torch.unique(rows, dim=0)) == 40  # every image once in the epoch
    assert all(isinstance(o, torch.optim.AdamW) for o in (trainer.g_optimizer, trainer.d_optimizer))
    assert GANConfig().checkpoint_every is None
    with pytest.raises(ValueError, match="checkpoint_every needs a checkpoint_path"):
        GANConfig(checkpoint_every=10)
    with pytest.raises(ValueError, match="checkpoint_every"):
        GANConfig(checkpoint_every=0, checkpoint_path=str(tmp_path / "x.safetensors"))
