"""The UNet, the 2-D toy, flow matching, the diffusers bridge, the sliders, and a short real training run."""
import pytest
import torch

from genimg_edu.diffusion import DiffusionLoss, UNet, UNetConfig, make_schedule, sample
from genimg_edu.diffusion.flow import FlowMatchingLoss, euler_sample, flow_interpolate, flow_target
from genimg_edu.diffusion.toy2d import ToyDenoiser, make_moons, score_field
from genimg_edu.train import TrainConfig, train


@pytest.mark.parametrize("size,mults", [(8, (1, 2)), (16, (1, 2, 2))])
def test_unet_shapes_with_and_without_labels(size, mults):
    torch.manual_seed(0)
    x, t = torch.randn(3, 1, size, size), torch.tensor([0, 500, 999])
    conditional = UNet(UNetConfig(base_channels=16, channel_mults=mults, num_classes=10, attention=True))
    for name, p in conditional.named_parameters():  # zero-initialised layers would hide the labels
        if name.endswith("weight") and p.ndim == 4:
            torch.nn.init.normal_(p, std=0.1)
    a = conditional(x, t, torch.tensor([1, 2, 3]))
    b = conditional(x, t)  # None -> the "no label" token
    assert a.shape == b.shape == x.shape and not torch.allclose(a, b)
    with_cond = UNet(UNetConfig(base_channels=16, channel_mults=mults, cond_dim=5))
    assert with_cond(x, t, cond=torch.randn(3, 5)).shape == x.shape
    with pytest.raises(ValueError, match="labels must lie in"):
        conditional(x, t, torch.tensor([0, 1, 11]))
    with pytest.raises(ValueError, match="divisible"):
        conditional(torch.randn(1, 1, size - 1, size - 1), t[:1])
    with pytest.raises(ValueError, match="no classes"):
        with_cond(x, t, torch.tensor([1, 2, 3]))


def test_flow_interpolation_and_target():
    x0, eps = torch.zeros(2, 3), torch.ones(2, 3)
    torch.testing.assert_close(flow_interpolate(x0, eps, torch.tensor([0.0, 0.25])),
                               torch.tensor([[0.0] * 3, [0.25] * 3]))
    torch.testing.assert_close(flow_target(x0, eps), eps)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        flow_interpolate(x0, eps, torch.tensor([0.0, 1.5]))


class _Velocity(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, 64), torch.nn.SiLU(), torch.nn.Linear(64, 64),
                                       torch.nn.SiLU(), torch.nn.Linear(64, 2))

    def forward(self, x, t):
        return self.net(torch.cat([x, t[:, None] / 1000], dim=1))


def test_flow_matching_learns_a_shifted_gaussian():
    mean = torch.tensor([0.6, -0.4])
    data = mean + 0.1 * torch.randn(2048, 2, generator=torch.Generator().manual_seed(0))
    model = _Velocity()
    train(model, FlowMatchingLoss(), data, config=TrainConfig(steps=600, batch_size=256, lr=3e-3, progress=False,
                                                              device="cpu"))
    with torch.no_grad():
        x = euler_sample(model, shape=(2000, 2), steps=20, generator=torch.Generator().manual_seed(1))
    assert (x.mean(0) - mean).abs().max() < 0.08, x.mean(0)
    assert x.std(0).max() < 0.35  # collapsed from N(0, I) towards the narrow data


def test_toy_diffusion_learns_moons_and_score_points_inward():
    data = make_moons(2000)
    assert data.shape == (2000, 2) and data.abs().max() <= 1
    schedule = make_schedule("linear", T=1000)
    model = ToyDenoiser(hidden=64)
    train(model, DiffusionLoss(schedule), data, config=TrainConfig(steps=400, batch_size=256, lr=3e-3,
                                                                   progress=False, device="cpu"))
    points, score = score_field(model, t=600, schedule=schedule, lim=1.5, n=11)
    far = points.norm(dim=1) > 1.3  # far from the data the score must point back in
    assert ((score[far] * -points[far]).sum(1) > 0).float().mean() > 0.9
    with torch.no_grad():
        x = sample(model, shape=(500, 2), schedule=schedule, steps=50, clip_x0=False, progress=False,
                   generator=torch.Generator().manual_seed(0))
    nearest = torch.cdist(x, data).min(1).values
    assert nearest.median() < 0.1  # samples land on the moons, not in a blob


def test_diffusers_bridge_trains_and_samples_with_three_schedulers():
    from genimg_edu.diffusion.diffusers_bridge import DiffusersLoss, diffusers_sample, make_diffusers_unet, make_scheduler

    torch.manual_seed(0)
    model = make_diffusers_unet(size=8, base_channels=16)
    loss = DiffusersLoss(make_scheduler("ddpm"))(model, (torch.rand(4, 1, 8, 8) * 2 - 1, torch.tensor([0, 1, 2, 3])))
    assert loss.ndim == 0 and loss.item() > 0
    for name in ("ddim", "dpm", "ddpm"):
        x = diffusers_sample(model.eval(), make_scheduler(name), labels=torch.tensor([1, 7]), steps=3)
        assert x.shape == (2, 1, 8, 8) and x.abs().max() <= 1
    with pytest.raises(ValueError, match="name must be one of"):
        make_scheduler("euler")


def test_schedule_and_guidance_widgets_headless():
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig, make_digits_unet
    from genimg_edu.diffusion.widgets import guidance_widget, guided_digits, noise_at, schedule_widget

    x0 = torch.rand(4, 1, 8, 8) * 2 - 1
    out = noise_at(x0, kind="cosine", t=0)
    assert out["snr"] > 1000 and (out["xt"] - x0).abs().max() < 0.05
    w = schedule_widget(x0)
    w.controls["t"].value = 999
    assert w.error is None and w.result["t"] == 999 and w.result["snr"] < 1e-3
    w.controls["kind"].value = "cosine"
    assert w.result["kind"] == "cosine"

    model = make_digits_unet(DigitsDiffusionConfig(base_channels=8)).eval()
    schedule = make_schedule("cosine")
    images = guided_digits(model, schedule, digit=3, scale=2.0, n=4, steps=2)
    assert images.shape == (4, 1, 8, 8) and 0 <= images.min() and images.max() <= 1
    with pytest.raises(ValueError, match="digit must be"):
        guided_digits(model, schedule, digit=12, scale=1.0)
    g = guidance_widget(model, schedule, steps=2)
    g.controls["scale"].value = 3.0
    assert g.error is None and g.result.shape == (8, 1, 8, 8)


@pytest.mark.slow
def test_short_real_training_beats_chance_with_the_judge():
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig, balanced_labels, generate_digits, train_digits_diffusion
    from genimg_edu.metrics import load_judge

    config = DigitsDiffusionConfig(size=8, steps=150, base_channels=16, batch_size=64)
    model, schedule, result = train_digits_diffusion(config, progress=False, device="cpu")
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    labels = balanced_labels(100)
    images = generate_digits(model, labels=labels, schedule=schedule, size=8, steps=10, scale=3.0)
    accuracy = load_judge("digits", size=8).accuracy(images, labels)
    assert accuracy > 0.3, f"judge agreement {accuracy:.2f} should beat chance (0.1) clearly"


def test_dpm_solver_survives_an_imperfect_model_on_the_cosine_schedule():
    """At t = 999 the cosine schedule has alpha_bar ~ 2e-9: a small eps error becomes a huge x0 error
    unless x0 is clipped. An oracle with a little noise must still land near its target."""
    from genimg_edu.diffusion import predict_eps
    from genimg_edu.diffusion.diffusers_bridge import make_scheduler

    schedule = make_schedule("cosine")
    g = torch.Generator().manual_seed(0)
    target = torch.rand(1, 1, 8, 8, generator=g) * 1.6 - 0.8
    for name in ("dpm", "ddim"):
        scheduler = make_scheduler(name)
        scheduler.set_timesteps(10)
        x = torch.randn(4, 1, 8, 8, generator=g)
        for t in scheduler.timesteps:
            eps = predict_eps(x, int(t), target.expand_as(x), schedule=schedule) + 0.05 * torch.randn(x.shape, generator=g)
            kwargs = {"use_clipped_model_output": True} if name == "ddim" else {}
            x = scheduler.step(eps, t, x, **kwargs).prev_sample
            assert x.abs().max() < 5, f"{name} at t={int(t)}: |x| reached {x.abs().max():.0f}; x0 was not clipped"
        assert (x - target).abs().mean() < 0.15, f"{name}: mean error {(x - target).abs().mean():.3f}"
