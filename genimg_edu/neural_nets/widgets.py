"""The training playground of notebook 02: pick a hidden size and a learning rate, press Train."""
from __future__ import annotations

import ipywidgets
from matplotlib.figure import Figure

from .torch_mlp import MLPRun, first_layer_weights, train_mlp


def plot_run(run: MLPRun, *, n_weights: int = 16) -> Figure:
    """Three panels: the loss, train / test accuracy, and the first `n_weights` hidden neurons' weights."""
    if not isinstance(run, MLPRun):
        raise TypeError(f"run must be the MLPRun returned by train_mlp, got {type(run).__name__}")
    from ..viz import image_grid

    steps = [r["step"] for r in run.history]
    figure = Figure(figsize=(11, 3.2), layout="constrained")
    loss_ax, acc_ax, weights_ax = figure.subplots(1, 3, width_ratios=(1, 1, 0.8))
    loss_ax.plot(steps, [r["loss"] for r in run.history])
    loss_ax.set(xlabel="step", title="training loss", yscale="log")
    for key in ("train_accuracy", "test_accuracy"):
        acc_ax.plot(steps, [r[key] for r in run.history], label=key.replace("_", " "))
    acc_ax.set(xlabel="step", ylim=(0, 1.02), title=f"test accuracy {run.test_accuracy:.1%}")
    acc_ax.legend(loc="lower right")
    for ax in (loss_ax, acc_ax):
        ax.grid(alpha=0.3)
    weights = first_layer_weights(run.model)[:n_weights]
    weights_ax.imshow(image_grid(weights, nrow=4)[..., 0], cmap="gray")
    weights_ax.set_title("first-layer weights")
    weights_ax.set_axis_off()
    return figure


def training_playground(*, hidden: int = 32, lr: float = 0.01, steps: int = 300, seed: int = 0):
    """A ButtonWidget around `train_mlp`: sliders for hidden size, learning rate, steps and seed, a
    Train button, live loss / test-accuracy curves while it trains, then `plot_run` of the result.
    Drive it headlessly: set `.controls[...].value`, then `.click()`; `.result` is the MLPRun (the
    same as train_mlp(**values)), `.error` the last exception."""
    from ..widgets import ButtonWidget

    controls = {
        "hidden": ipywidgets.IntSlider(value=hidden, min=1, max=256, description="hidden"),
        "lr": ipywidgets.FloatLogSlider(value=lr, base=10, min=-5, max=1, description="learning rate",
                                        readout_format=".0e", style={"description_width": "initial"}),
        "steps": ipywidgets.IntSlider(value=steps, min=10, max=2000, step=10, description="steps"),
        "seed": ipywidgets.IntSlider(value=seed, min=0, max=9, description="seed"),
    }

    def train_and_watch(**values) -> MLPRun:
        """train_mlp(**values), with the loss and test accuracy redrawn live in the widget's output."""
        from ..viz import LiveLossPlot

        live = LiveLossPlot(keys=("loss", "test_accuracy"))
        with widget.output:
            widget.output.clear_output(wait=True)
            return train_mlp(**values, callbacks=[live])

    widget = ButtonWidget(train_and_watch, controls, label="Train", render=plot_run,
                          title="Train a digit classifier")
    return widget
