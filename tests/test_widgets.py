import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from ipywidgets import Checkbox, Dropdown, FloatSlider, IntSlider  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from genimg_edu.widgets import ButtonWidget, FunctionWidget, image_view  # noqa: E402


def brighten(image_value, amount):
    if amount > 0.8:
        raise ValueError(f"amount must be <= 0.8, got {amount}")
    return image_value + amount


def test_changing_a_control_recomputes_the_pure_function():
    calls = []

    def fn(a, b):
        calls.append((a, b))
        return a * 10 + b

    widget = FunctionWidget(fn, {"a": IntSlider(value=1, min=0, max=9), "b": IntSlider(value=2, min=0, max=9)})
    assert widget.result == 12 and widget.error is None  # computed once at start
    widget.controls["a"].value = 3
    assert widget.result == 32
    widget.controls["b"].value = 7
    assert widget.result == 37
    assert calls == [(1, 2), (3, 2), (3, 7)]
    assert widget.values == {"a": 3, "b": 7}


def test_errors_are_kept_shown_and_leave_the_result_alone():
    widget = FunctionWidget(brighten, {"image_value": FloatSlider(value=0.1, min=0, max=1),
                                       "amount": FloatSlider(value=0.2, min=0, max=1)})
    assert widget.result == pytest.approx(0.3)
    widget.controls["amount"].value = 0.9
    assert isinstance(widget.error, ValueError) and "<= 0.8" in str(widget.error)
    assert widget.result == pytest.approx(0.3)  # unchanged
    shown = "".join(o.get("text", "") for o in widget.output.outputs)
    assert "ValueError: amount must be <= 0.8" in shown
    widget.controls["amount"].value = 0.5
    assert widget.error is None and widget.result == pytest.approx(0.6)


def test_render_receives_each_result_and_render_errors_are_kept():
    rendered = []
    widget = FunctionWidget(lambda flag: "on" if flag else "off", {"flag": Checkbox(value=False)},
                            render=rendered.append)
    widget.controls["flag"].value = True
    assert rendered == ["off", "on"]

    def bad_render(result):
        raise RuntimeError("cannot draw")

    broken = FunctionWidget(lambda choice: choice, {"choice": Dropdown(options=["a", "b"])}, render=bad_render)
    assert broken.result == "a" and isinstance(broken.error, RuntimeError)


def test_auto_false_waits_for_the_run_button():
    calls = []
    widget = FunctionWidget(lambda n: calls.append(n) or n * n, {"n": IntSlider(value=3)}, auto=False)
    assert widget.result is None and calls == []
    widget.controls["n"].value = 4
    assert calls == []
    assert widget.click() == 16
    assert widget.button.description == "Run"


def test_button_widget_and_add_button():
    counter = {"clicks": 0}

    def sample(seed):
        counter["clicks"] += 1
        return torch.Generator().manual_seed(seed).initial_seed()

    widget = ButtonWidget(sample, {"seed": IntSlider(value=5)}, label="Sample")
    assert widget.button.description == "Sample" and counter["clicks"] == 0
    widget.click()
    assert counter["clicks"] == 1 and widget.result == 5

    reset = widget.add_button("Double", lambda seed: seed * 2)
    reset.click()  # the ipywidgets Button API
    assert widget.result == 10
    assert widget.buttons.children == (widget.button, reset)
    assert not reset.disabled


def test_widget_layout_holds_title_controls_and_output():
    slider = IntSlider()
    widget = FunctionWidget(lambda t: t, {"t": slider}, title="Noise level <t>")
    children = widget.widget.children
    assert children[0].value == "<b>Noise level &lt;t&gt;</b>"
    assert children[1] is slider and children[-1] is widget.output


def test_bad_arguments_raise_type_error():
    with pytest.raises(TypeError, match="callable"):
        FunctionWidget(3, {})
    with pytest.raises(TypeError, match="ValueWidget"):
        FunctionWidget(lambda t: t, {"t": 5})
    with pytest.raises(ValueError, match="no buttons"):
        FunctionWidget(lambda: 1, {}).click()


def test_image_view_draws_tensors_and_arrays():
    x = torch.rand(6, 1, 8, 8)
    figure = image_view(x, nrow=3)
    assert isinstance(figure, Figure)
    drawn = figure.axes[0].images[0].get_array()
    assert drawn.shape == (2 * 9 + 1, 3 * 9 + 1)  # 2 rows x 3 columns of 8x8 tiles, 1 pixel padding
    np.testing.assert_allclose(drawn[1:9, 10:18], x[1, 0].numpy())

    rgb = np.random.rand(5, 7, 3).astype(np.float32)  # NumPy (H, W, C)
    np.testing.assert_allclose(image_view(rgb).axes[0].images[0].get_array()[1:6, 1:8], rgb)
    signed = image_view(value_range=(-1, 1))  # a renderer with options
    assert isinstance(signed(torch.zeros(3, 4, 4)), Figure)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        signed(torch.full((1, 4, 4), 2.0))
    with pytest.raises(ValueError, match="NumPy image"):
        image_view(np.zeros((2, 3, 4, 5)))


def test_widget_with_image_view_renders_new_images():
    def noisy(sigma):
        return (0.5 + sigma * torch.randn(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))).clamp(0, 1)

    shown = []
    widget = FunctionWidget(noisy, {"sigma": FloatSlider(value=0.0, min=0, max=1)},
                            render=lambda x: shown.append(image_view(x)))
    widget.controls["sigma"].value = 0.3
    assert len(shown) == 2 and torch.allclose(widget.result[0, 0, 0, 0], noisy(0.3)[0, 0, 0, 0])


def test_pyplot_figures_made_by_render_are_closed():
    def render(value):
        plt.figure()
        plt.plot([0, value])

    before = len(plt.get_fignums())
    widget = FunctionWidget(lambda v: v, {"v": IntSlider(value=1)}, render=render)
    widget.controls["v"].value = 2
    assert len(plt.get_fignums()) == before and widget.error is None
