"""Chapters 06-07 teaching pieces: the architecture diagrams, show_source on decorated functions, and the
sampler split into checks (`sample`) and idea (`sampling_loop`)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from genimg_edu import notebook  # noqa: E402
from genimg_edu.diffusion import make_schedule, sample, sampling_loop, timesteps_for  # noqa: E402
from genimg_edu.diffusion.diagram import unet_diagram  # noqa: E402
from genimg_edu.notebook import show_source  # noqa: E402
from genimg_edu.text.diagram import clip_diagram, cross_attention_diagram  # noqa: E402


def texts(fig) -> str:
    fig.canvas.draw()   # the whole figure renders (mathtext included) without error
    return " | ".join(t.get_text() for ax in fig.axes for t in ax.texts + [ax.title])


def test_unet_diagram_labels_every_level_its_skips_and_the_embedding():
    fig = unet_diagram(image_size=8, base_channels=32, channel_mults=(1, 2, 2))
    shown = texts(fig)
    for label in ("32×8×8", "64×4×4", "64×2×2", "bottleneck", "$x_t$", "timestep $t$ + class label", "upsample"):
        assert label in shown, label
    assert shown.count("skip (concatenate)") == 3
    plt.close(fig)
    fig = unet_diagram(image_size=16, base_channels=16, channel_mults=(1, 2), conditioning=None)
    shown = texts(fig)
    assert "16×16×16" in shown and "32×8×8" in shown and shown.count("skip (concatenate)") == 2 and "class label" not in shown
    plt.close(fig)


def test_unet_diagram_refuses_a_size_the_levels_cannot_halve():
    with pytest.raises(ValueError, match="image_size"):
        unet_diagram(image_size=6, channel_mults=(1, 2, 2))


def test_clip_diagram_draws_two_towers_and_a_batch_by_batch_table():
    fig = clip_diagram(batch=5, embed_dim=32)
    shown = texts(fig)
    assert "image tower" in shown and "text tower" in shown and "B×32 unit vectors" in shown and "InfoNCE" in shown
    squares = [p for p in fig.axes[0].patches if type(p).__name__ == "Rectangle"]
    assert len(squares) == 25 and sum(p.get_facecolor()[1] > 0.5 and p.get_facecolor()[0] < 0.3 for p in squares) == 5
    plt.close(fig)
    with pytest.raises(ValueError, match="batch"):
        clip_diagram(batch=1)


def test_cross_attention_diagram_names_queries_keys_values_and_the_softmax():
    fig = cross_attention_diagram()
    shown = texts(fig)
    for label in ("queries", "keys", "values", "softmax$(QK^T/\\sqrt{d})$", "padding masked", "residual"):
        assert label in shown, label
    plt.close(fig)


def test_show_source_of_a_decorated_function_names_its_own_file(capsys, monkeypatch):
    monkeypatch.setattr(notebook, "_in_ipython", lambda: False)
    assert sample.__wrapped__ is not sample   # torch.no_grad() wraps it
    source = show_source(sample)
    printed = capsys.readouterr().out
    assert "genimg_edu.diffusion.samplers.sample — genimg_edu/diffusion/samplers.py, line" in printed
    assert "_contextlib" not in printed
    assert source.startswith("@torch.no_grad()\ndef sample(")


def test_sampling_loop_is_what_sample_runs_and_carries_no_checks():
    schedule = make_schedule("cosine")
    model_fn = lambda x, t: 0.3 * x + 0.01 * t[:, None, None, None]   # noqa: E731
    for sampler in ("ddim", "ddpm"):
        via_sample = sample(model_fn, shape=(3, 1, 4, 4), schedule=schedule, steps=5, sampler=sampler,
                            generator=torch.Generator().manual_seed(1), progress=False)
        via_loop = sampling_loop(model_fn, shape=(3, 1, 4, 4), timesteps=timesteps_for(5, T=1000), schedule=schedule,
                                 sampler=sampler, generator=torch.Generator().manual_seed(1))
        assert torch.equal(via_sample, via_loop)
    loop_source = show_source(sampling_loop, display=False)
    assert "raise" not in loop_source and "raise ValueError" in show_source(sample, display=False)


def test_sample_still_refuses_bad_input():
    schedule = make_schedule("cosine")
    with pytest.raises(ValueError, match="eta"):
        sample(lambda x, t: x, shape=(1, 1, 2, 2), schedule=schedule, steps=2, eta=-1.0)
    with pytest.raises(ValueError, match="sampler"):
        sample(lambda x, t: x, shape=(1, 1, 2, 2), schedule=schedule, steps=2, sampler="euler")
