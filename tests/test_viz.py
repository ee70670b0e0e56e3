import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from genimg_edu import viz  # noqa: E402
from genimg_edu.viz import (LiveLossPlot, animate, animation_html, compare, image_grid, plot_losses,  # noqa: E402
                            show_images)


def numbered(n, channels=1, size=4):
    """Image i is filled with the value i / n, so every tile is recognisable."""
    return (torch.arange(n, dtype=torch.float32) / n).view(n, 1, 1, 1).expand(n, channels, size, size).clone()


def test_image_grid_places_each_image_in_its_tile():
    x = numbered(10, channels=3, size=4)
    grid = image_grid(x, nrow=4, padding=1)
    assert grid.shape == (3 * 5 + 1, 4 * 5 + 1, 3) and grid.dtype == np.float32
    for i in range(10):
        row, col = divmod(i, 4)
        tile = grid[1 + row * 5: 1 + row * 5 + 4, 1 + col * 5: 1 + col * 5 + 4]
        np.testing.assert_allclose(tile, i / 10)
    assert (grid[0] == 1.0).all() and (grid[:, 5] == 1.0).all()  # white padding lines
    assert (grid[11:15, 11:] == 1.0).all()  # the two unused tiles of the last row stay padding


def test_image_grid_keeps_the_picture_and_maps_signed_range():
    x = torch.rand(1, 1, 5, 7)
    np.testing.assert_allclose(image_grid(x, padding=0)[..., 0], x[0, 0].numpy())
    signed = image_grid(x * 2 - 1, value_range=(-1, 1), padding=0)
    np.testing.assert_allclose(signed[..., 0], x[0, 0].numpy(), atol=1e-6)
    assert image_grid(torch.rand(3, 1, 2, 2), nrow=8, padding=2).shape == (2 + 4, 3 * 4 + 2, 1)


@pytest.mark.parametrize("x, match", [
    (torch.rand(2, 2, 4, 4), "1 or 3 channels"),
    (torch.rand(2, 4, 4), r"\(N, C, H, W\)"),
    (torch.rand(2, 1, 4, 4) + 1.0, r"\[0, 1\]"),
    (torch.rand(0, 1, 4, 4), "no images"),
])
def test_image_grid_rejects_bad_images(x, match):
    with pytest.raises(ValueError, match=match):
        image_grid(x)


def test_image_grid_rejects_bad_types_and_options():
    with pytest.raises(TypeError):
        image_grid(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="value_range"):
        image_grid(torch.rand(1, 1, 4, 4), value_range=(0, 255))
    with pytest.raises(ValueError, match="nrow"):
        image_grid(torch.rand(1, 1, 4, 4), nrow=0)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        show_images(torch.full((1, 1, 4, 4), -1.5), value_range=(-1, 1))


def test_show_images_returns_a_figure_with_the_grid():
    x = torch.rand(5, 3, 6, 6)
    figure = show_images(x, nrow=2, title="five")
    assert isinstance(figure, Figure) and len(figure.axes) == 1
    np.testing.assert_allclose(figure.axes[0].images[0].get_array(), image_grid(x, nrow=2))
    assert figure.axes[0].get_title() == "five"


def test_show_images_with_titles_and_into_an_axes():
    x = numbered(5)
    figure = show_images(x, nrow=3, titles=["a", "b", "c", "d", "e"])
    assert len(figure.axes) == 6  # 2 x 3, the last one blank
    assert [axis.get_title() for axis in figure.axes[:5]] == ["a", "b", "c", "d", "e"]
    np.testing.assert_allclose(figure.axes[3].images[0].get_array(), 3 / 5)
    assert not figure.axes[5].images
    with pytest.raises(ValueError, match="one title per image"):
        show_images(x, titles=["only one"])

    host = Figure()
    axis = host.add_subplot()
    assert show_images(x, ax=axis) is host and len(axis.images) == 1


def test_compare_draws_one_titled_panel_per_entry():
    real, fake = numbered(4), numbered(6, size=8)
    figure = compare({"real": real, "generated": fake}, nrow=2)
    assert [axis.get_title() for axis in figure.axes] == ["real", "generated"]
    np.testing.assert_allclose(figure.axes[1].images[0].get_array(), image_grid(fake, nrow=2)[..., 0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        compare({"real": real, "bad": real - 2})


def test_animate_has_one_frame_per_step_and_renders_html():
    frames = torch.rand(5, 2, 1, 4, 4)
    anim = animate(frames, interval=50, titles=[f"t = {t}" for t in range(5)])
    assert isinstance(anim, FuncAnimation)
    assert len(list(anim.new_frame_seq())) == 5
    anim._func(3)  # draw frame 3
    np.testing.assert_allclose(anim._fig.axes[0].images[0].get_array(), image_grid(frames[3])[..., 0])
    assert anim._fig.axes[0].get_title() == "t = 3"
    html = animation_html(anim)
    assert "<img" in html and html.count("data:image/png") == 5
    as_list = animate(list(frames[:3]))
    assert len(list(as_list.new_frame_seq())) == 3
    assert animation_html(as_list).count("data:image/png") == 3


def test_animate_rejects_bad_frames():
    with pytest.raises(ValueError, match=r"\(T, N, C, H, W\)"):
        animate(torch.rand(2, 1, 4, 4))
    with pytest.raises(ValueError, match="same shape"):
        animate([torch.rand(2, 1, 4, 4), torch.rand(3, 1, 4, 4)])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        animate(torch.rand(2, 1, 1, 4, 4) + 2)


HISTORY = [{"step": s, "loss": 1.0 / s, "kl": 0.1 * s} for s in range(1, 11)]


def test_plot_losses_draws_one_line_per_key():
    figure = plot_losses(HISTORY, keys=("loss", "kl"))
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["loss", "kl"]
    np.testing.assert_allclose(lines[0].get_xdata(), range(1, 11))
    np.testing.assert_allclose(lines[0].get_ydata(), [1.0 / s for s in range(1, 11)])
    assert len(plot_losses(HISTORY).axes[0].get_lines()) == 1


def test_plot_losses_smoothing_is_a_debiased_moving_average():
    history = [{"step": 1, "loss": 4.0}, {"step": 2, "loss": 2.0}]
    smoothed = plot_losses(history, smooth=0.5).axes[0].get_lines()[0].get_ydata()
    # EMA: 0.5*0 + 0.5*4 = 2 -> /(1-0.5) = 4;  0.5*2 + 0.5*2 = 2 -> /(1-0.25) = 8/3
    np.testing.assert_allclose(smoothed, [4.0, 8.0 / 3.0])


def test_plot_losses_rejects_bad_input():
    with pytest.raises(ValueError, match="no \\['fid'\\]"):
        plot_losses(HISTORY, keys=("fid",))
    with pytest.raises(ValueError, match="non-empty"):
        plot_losses([])
    with pytest.raises(ValueError, match="smooth"):
        plot_losses(HISTORY, smooth=1.0)


def test_live_loss_plot_records_headless_and_works_as_a_train_callback():
    from genimg_edu.train import TrainConfig, train
    live = LiveLossPlot()
    model = torch.nn.Linear(3, 1)
    data = (torch.randn(16, 3), torch.randn(16, 1))
    train(model, lambda m, b: torch.nn.functional.mse_loss(m(b[0]), b[1]), data, callbacks=[live],
          config=TrainConfig(steps=6, batch_size=4, log_every=2, device="cpu", progress=False))
    assert [record["step"] for record in live.history] == [2, 4, 6]
    assert live.figure is None  # nothing drawn outside IPython


def test_live_loss_plot_updates_one_display_in_ipython(monkeypatch):
    events = []

    class Handle:
        def update(self, figure):
            events.append(("update", len(figure.axes[0].get_lines()[0].get_xdata())))

    monkeypatch.setattr(viz, "_prepared_shell", lambda: object())
    monkeypatch.setattr("IPython.display.display",
                        lambda figure, display_id: events.append(("display", display_id)) or Handle())
    live = LiveLossPlot()
    for step in (10, 20, 30):
        live(step, {"loss": 1.0 / step})
    assert events == [("display", True), ("update", 2), ("update", 3)]


def test_each_figure_is_shown_exactly_once_in_a_real_kernel(run_in_kernel):
    cells = [
        "import torch\nfrom genimg_edu.viz import show_images, plot_losses\nx = torch.rand(4, 1, 8, 8)\nshow_images(x)",
        "figure = show_images(x)",
        "show_images(x)\nplot_losses([{'step': 1, 'loss': 1.0}])",
        "from genimg_edu.widgets import FunctionWidget, image_view\nfrom ipywidgets import IntSlider\n"
        "w = FunctionWidget(lambda n: torch.rand(n, 1, 8, 8), {'n': IntSlider(2, 1, 4)}, render=image_view)",
        "w.controls['n'].value = 3",
        "w2 = FunctionWidget(lambda n: show_images(torch.rand(n, 1, 8, 8)), {'n': IntSlider(2, 1, 4)})\n"
        "w2.controls['n'].value = 4",
        "w3 = FunctionWidget(lambda n: 1 / 0, {'n': IntSlider(2, 1, 4)})\nshow_images(x)",
    ]
    notebook = run_in_kernel(cells)
    pngs = [sum("image/png" in output.get("data", {}) for output in cell.outputs) for cell in notebook.cells]
    assert pngs == [1, 1, 2, 0, 0, 0, 1]  # widget figures go to the widget's output area only
