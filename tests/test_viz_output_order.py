"""Figures appear where the code draws them: a grid, then a printed score, come out in that order."""
import pytest
import torch

from genimg_edu import viz
from genimg_edu.viz import compare, plot_losses, show_images


@pytest.fixture
def fake_jupyter(monkeypatch, capsys):
    """A display hook that records, in order, what is displayed and what is printed."""
    events = []
    monkeypatch.setattr(viz, "_prepared_shell", lambda: object())

    def display(figure):
        events.append(("figure", figure))

    def printed():
        out = capsys.readouterr().out
        if out:
            events.append(("print", out.strip()))

    monkeypatch.setattr("IPython.display.display", lambda figure: (printed(), display(figure)))
    return events, printed


def test_figures_are_displayed_the_moment_they_are_drawn(fake_jupyter):
    events, printed = fake_jupyter
    x = torch.rand(4, 1, 8, 8)
    print("before")
    grid = show_images(x)
    print("score: 0.9")
    losses = plot_losses([{"step": 1, "loss": 1.0}, {"step": 2, "loss": 0.5}])
    panels = compare({"a": x, "b": x})
    printed()
    assert events == [("print", "before"), ("figure", grid), ("print", "score: 0.9"), ("figure", losses),
                      ("figure", panels)]


def test_a_figure_drawn_into_the_callers_axes_is_left_to_the_caller(fake_jupyter):
    events, _ = fake_jupyter
    figure = viz.CourseFigure()
    axes = figure.subplots(1, 2)
    assert show_images(torch.rand(2, 1, 8, 8), ax=axes[0]) is figure
    assert plot_losses([{"step": 1, "loss": 1.0}], ax=axes[1]) is figure
    assert events == []


def test_a_widget_collects_its_figures_instead_of_showing_them(fake_jupyter):
    events, _ = fake_jupyter
    with viz._collect_figures() as made:
        figure = show_images(torch.rand(2, 1, 8, 8))
    assert made == [figure] and events == []


def test_in_a_real_kernel_output_keeps_the_order_of_the_code(run_in_kernel):
    cells = [
        "import torch\nfrom genimg_edu.viz import show_images\nx = torch.rand(4, 1, 8, 8)\n"
        "show_images(x)\nprint('score: 0.9')",
        "figure = show_images(x)\nfigure.suptitle('changed after it was shown')\nfigure",  # changed: shown again
        "figure",  # a later cell shows it again on request
        "display(figure)\nfigure",  # but not twice in one cell while unchanged: display(figure) then the result
    ]
    notebook = run_in_kernel(cells)
    kinds = [["png" if "image/png" in o.get("data", {}) else o["output_type"] for o in cell.outputs]
             for cell in notebook.cells]
    assert kinds == [["png", "stream"], ["png", "png"], ["png"], ["png"]]
