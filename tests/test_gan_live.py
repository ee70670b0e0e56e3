"""The GAN-Lab-style live session and its widget, driven headlessly."""
import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from genimg_edu.gan import ToyGANSession, ToyGANWidget


def _params(module):
    return [p.detach().clone() for p in module.parameters()]


def _changed(before, module):
    return not all(torch.equal(a, b) for a, b in zip(before, module.parameters()))


def test_session_step_does_one_d_and_one_g_update_per_step():
    session = ToyGANSession("ring", seed=0)
    assert session.state()["step"] == 0
    counts = {"d": 0, "g": 0}
    session.d_optimizer.register_step_post_hook(lambda *a: counts.__setitem__("d", counts["d"] + 1))
    session.g_optimizer.register_step_post_hook(lambda *a: counts.__setitem__("g", counts["g"] + 1))
    g0, d0 = _params(session.generator), _params(session.discriminator)
    losses = session.step()
    assert counts == {"d": 1, "g": 1}
    assert _changed(g0, session.generator) and _changed(d0, session.discriminator)
    assert set(losses) >= {"d_loss", "g_loss"}
    session.step(3)
    assert counts == {"d": 4, "g": 4} and session.state()["step"] == 4 and len(session.history) == 4


def test_state_and_render():
    session = ToyGANSession("ring", seed=0)
    session.step(2)
    state = session.state()
    assert state["modes"] == 8 and 0 <= state["modes_covered"] <= 8
    assert state["lr_g"] == session.lr_g
    xs, ys, p = session.decision_surface(resolution=20)
    assert p.shape == (20, 20) and (p >= 0).all() and (p <= 1).all()
    fig = session.render()
    ax = fig.axes[0]
    assert "step 2" in ax.get_title()
    assert len(ax.collections) >= 3  # heatmap, real points, fake points (+ arrows)
    assert len(ax.lines) == 18  # the 9 + 9 lines of the generator's bent latent grid
    assert session.render_png()[:4] == b"\x89PNG"


def test_same_seed_same_run():
    a, b = ToyGANSession("grid", seed=3), ToyGANSession("grid", seed=3)
    a.step(5), b.step(5)
    torch.testing.assert_close(a.fake_points(), b.fake_points())


def test_widget_step_button_advances_exactly_one_gan_step():
    session = ToyGANSession("ring", seed=0)
    widget = ToyGANWidget(session)
    counts = {"d": 0, "g": 0}
    session.d_optimizer.register_step_post_hook(lambda *a: counts.__setitem__("d", counts["d"] + 1))
    session.g_optimizer.register_step_post_hook(lambda *a: counts.__setitem__("g", counts["g"] + 1))
    before = widget.image.value
    widget.step_button.click()
    assert counts == {"d": 1, "g": 1} and session.steps_done == 1
    assert widget.image.value != before  # redrawn
    assert "step <b>1</b>" in widget.status.value


def test_widget_play_ticks_step_the_session():
    session = ToyGANSession("ring", seed=0)
    widget = ToyGANWidget(session)
    widget.steps_per_tick.value = 3
    widget.play.value += 1
    assert session.steps_done == 3
    widget.play.value = 0  # rewinding the Play counter does not train
    assert session.steps_done == 3


def test_widget_play_drops_a_backlog_of_ticks_only_when_asked():
    session = ToyGANSession("ring", seed=0)
    widget = ToyGANWidget(session)                    # skip_backlog=True
    widget.steps_per_tick.value = 1
    widget.speed.value = 1500                         # the slow-motion slider sets the frame interval
    assert widget.play.interval == 1500
    widget.play.interval = 60_000                     # a tick within 15 s of the last frame is backlog
    widget.play.value += 1
    widget.play.value += 1                            # arrives right after the first frame: dropped
    assert session.steps_done == 1
    keep_all = ToyGANWidget(ToyGANSession("ring", seed=0), skip_backlog=False)
    keep_all.steps_per_tick.value = 1
    keep_all.play.value += 1
    keep_all.play.value += 1
    assert keep_all.session.steps_done == 2


def test_widget_learning_rate_sliders_take_effect_on_the_optimizers():
    session = ToyGANSession("ring", seed=0)
    widget = ToyGANWidget(session)
    widget.lr_g.value, widget.lr_d.value = 1e-4, 3e-3
    widget.step_button.click()
    assert session.g_optimizer.param_groups[0]["lr"] == pytest.approx(1e-4)
    assert session.d_optimizer.param_groups[0]["lr"] == pytest.approx(3e-3)
    widget.lr_g.value = 2e-2
    widget.step_button.click()
    assert session.g_optimizer.param_groups[0]["lr"] == pytest.approx(2e-2)


def test_session_rejects_bad_settings():
    with pytest.raises(ValueError, match="dataset must be one of"):
        ToyGANSession("spiral")
    with pytest.raises(ValueError, match="loss must be one of"):
        ToyGANSession(loss="wgan")
    with pytest.raises(ValueError, match=r"lr_g must be in \(0, 1\]"):
        ToyGANSession(lr_g=0)
    session = ToyGANSession()
    with pytest.raises(TypeError, match="lr_d must be a number"):
        session.lr_d = "fast"
    with pytest.raises(ValueError, match="positive int"):
        session.step(0)
