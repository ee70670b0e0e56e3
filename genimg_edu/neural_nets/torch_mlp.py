"""The same MLP with torch.nn and autograd, and `train_mlp`, the pure function behind the widget.

Notebook 02: after writing the backward pass by hand, `nn.Linear` + `loss.backward()` do it for us.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from ..data import load_dataset
from ..device import single_thread
from ..train import TrainConfig, train


class TorchMLP(nn.Module):
    """in_features -> hidden (ReLU) -> classes, the torch.nn twin of ScratchMLP.

    Takes images (B, 1, 8, 8) or flat vectors (B, 64); returns logits (B, classes).
    """

    def __init__(self, in_features: int = 64, hidden: int = 64, classes: int = 10):
        super().__init__()
        for name, value in (("in_features", in_features), ("hidden", hidden), ("classes", classes)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.in_features = in_features
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x[0].numel() != self.in_features:
            raise ValueError(f"each input must hold {self.in_features} numbers, got shape {tuple(x.shape)}")
        return self.layers(x)


def digits_as_vectors(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """The 8x8 digits flattened: x (N, 64) in [0, 1], labels (N,) long. 1438 train / 359 test."""
    ds = load_dataset("digits", split=split, size=8)
    return ds.images.flatten(1), ds.labels


@torch.no_grad()
def accuracy(model, x: torch.Tensor, labels: torch.Tensor) -> float:
    """Fraction of `x` that `model` labels correctly. model: a TorchMLP or a ScratchMLP."""
    if isinstance(model, nn.Module):
        was_training = model.training
        model.eval()
        predictions = model(x).argmax(dim=1)
        model.train(was_training)
    else:
        predictions = model.predict(x.flatten(1))
    return (predictions == labels).float().mean().item()


def first_layer_weights(model) -> torch.Tensor:
    """The first layer's weights as pictures: (hidden, 1, 8, 8), each scaled to [0, 1].

    Neuron j looks at the input through W1[:, j]; bright pixels excite it, dark ones inhibit it.
    """
    if isinstance(model, TorchMLP):
        weights = model.layers[1].weight.detach()           # (hidden, 64)
    elif hasattr(model, "params"):
        weights = model.params["W1"].T.detach()              # (hidden, 64)
    else:
        raise TypeError(f"model must be a TorchMLP or ScratchMLP, got {type(model).__name__}")
    if weights.shape[1] != 64:
        raise ValueError(f"first layer must read 64 = 8x8 inputs to be drawn as 8x8 images, got {weights.shape[1]}")
    low = weights.min(dim=1, keepdim=True).values
    high = weights.max(dim=1, keepdim=True).values
    return ((weights - low) / (high - low).clamp_min(1e-12)).reshape(-1, 1, 8, 8).float()


@dataclass
class MLPRun:
    """What `train_mlp` returns: the history (one dict per evaluation) and the trained model."""

    history: list[dict]   # {"step", "loss", "train_accuracy", "test_accuracy"}
    model: TorchMLP

    @property
    def test_accuracy(self) -> float:
        return self.history[-1]["test_accuracy"]


def mlp_loss(model: nn.Module, batch) -> torch.Tensor:
    """Cross-entropy of a classifier on a batch (x, labels): the loss_fn for genimg_edu.train."""
    x, labels = batch
    return F.cross_entropy(model(x), labels)


def train_mlp(*, hidden: int = 64, lr: float = 0.01, steps: int = 500, seed: int = 0,
              batch_size: int = 64, eval_every: int = 25, callbacks=(), progress: bool = False) -> MLPRun:
    """Train a TorchMLP on the 8x8 digits with genimg_edu.train (AdamW); a pure function of its arguments.

    hidden: neurons in the hidden layer (>= 1); lr: learning rate in (0, 10]; steps >= 1.
    Every `eval_every` steps (and at the end) records the mean loss and the train / test accuracy;
    callback(step, record) sees each record as it is made (live curves). Same arguments, same result.
    """
    if not isinstance(hidden, int) or isinstance(hidden, bool) or hidden < 1:
        raise ValueError(f"hidden must be a positive int, got {hidden!r}")
    if not isinstance(lr, (int, float)) or not 0 < lr <= 10:
        raise ValueError(f"lr must be a number in (0, 10], got {lr!r}")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    x_train, y_train = digits_as_vectors("train")
    x_test, y_test = digits_as_vectors("test")
    torch.manual_seed(seed)
    model = TorchMLP(64, hidden, 10)
    history = []

    def evaluate(step, logs):
        record = {**logs, "train_accuracy": accuracy(model, x_train, y_train),
                  "test_accuracy": accuracy(model, x_test, y_test)}
        history.append(record)
        for callback in callbacks:
            callback(step, dict(record))

    # The network is tiny: on a GPU, kernel launches would cost more than the arithmetic.
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, log_every=eval_every,
                         grad_clip=None, device="cpu", progress=progress)
    with single_thread():
        train(model, mlp_loss, (x_train, y_train), config=config, callbacks=[evaluate])
    model.eval()
    return MLPRun(history=history, model=model)
