"""A neural network from scratch: one neuron, then a 2-layer MLP with a hand-written backward pass.

Everything here is plain tensor arithmetic (no autograd, no torch.nn) so every number can be
followed by hand. The gradients are checked against torch.autograd in the tests. Notebook 02.

    h_pre = x @ W1 + b1          (B, H)    first layer: H neurons at once
    h     = relu(h_pre)          (B, H)
    logits = h @ W2 + b2         (B, K)    one score per class
    loss  = cross_entropy(softmax(logits), y)
"""
from __future__ import annotations

import math

import torch

from ..device import single_thread

ACTIVATIONS = ("sigmoid", "relu", "tanh", "identity")


def sigmoid(z: torch.Tensor) -> torch.Tensor:
    """1 / (1 + e^-z): squashes any number into (0, 1)."""
    return 1.0 / (1.0 + torch.exp(-z))


def relu(z: torch.Tensor) -> torch.Tensor:
    """max(z, 0): keeps positive values, zeroes the rest."""
    return torch.where(z > 0, z, torch.zeros_like(z))


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """logits: (B, K) -> probabilities (B, K) that sum to 1 along the last axis.

    Subtracting the row maximum first changes nothing mathematically but avoids overflow in exp.
    """
    shifted = logits - logits.max(dim=-1, keepdim=True).values
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=-1, keepdim=True)


def cross_entropy(probs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Mean of -log(probability given to the right class). probs: (B, K); labels: (B,) long in [0, K)."""
    picked = probs[torch.arange(len(labels)), labels]  # (B,)
    return -torch.log(picked.clamp_min(1e-12)).mean()


def neuron(x: torch.Tensor, w: torch.Tensor, b: float | torch.Tensor, *,
           activation: str = "sigmoid") -> torch.Tensor:
    """One artificial neuron: activation(x · w + b).

    x: (D,) one input or (B, D) a batch; w: (D,); b: a number. Returns a scalar or (B,).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if w.ndim != 1 or x.shape[-1] != w.shape[0]:
        raise ValueError(f"w must be (D,) matching x's last axis; got x {tuple(x.shape)}, w {tuple(w.shape)}")
    z = x @ w + b
    return {"sigmoid": sigmoid, "relu": relu, "tanh": torch.tanh, "identity": lambda v: v}[activation](z)


class ScratchMLP:
    """A 2-layer perceptron with explicit parameters and a manual backward pass.

    in_features -> hidden (ReLU) -> classes. `params` is a dict of plain tensors:
    W1 (in, hidden), b1 (hidden,), W2 (hidden, classes), b2 (classes,).
    """

    def __init__(self, in_features: int = 64, hidden: int = 32, classes: int = 10, *,
                 seed: int = 0, dtype: torch.dtype = torch.float32):
        for name, value in (("in_features", in_features), ("hidden", hidden), ("classes", classes)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        gen = torch.Generator().manual_seed(seed)
        # He initialisation: weights ~ N(0, 2 / fan_in) keep ReLU activations at a healthy size.
        self.params = {
            "W1": torch.randn(in_features, hidden, generator=gen, dtype=dtype) * math.sqrt(2 / in_features),
            "b1": torch.zeros(hidden, dtype=dtype),
            "W2": torch.randn(hidden, classes, generator=gen, dtype=dtype) * math.sqrt(2 / hidden),
            "b2": torch.zeros(classes, dtype=dtype),
        }

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """x: (B, in_features) -> logits (B, classes), plus the cache the backward pass needs."""
        p = self.params
        if x.ndim != 2 or x.shape[1] != p["W1"].shape[0]:
            raise ValueError(f"x must be (B, {p['W1'].shape[0]}), got {tuple(x.shape)}")
        h_pre = x @ p["W1"] + p["b1"]      # (B, H)
        h = relu(h_pre)                    # (B, H)
        logits = h @ p["W2"] + p["b2"]     # (B, K)
        return logits, {"x": x, "h_pre": h_pre, "h": h, "logits": logits}

    def backward(self, cache: dict, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        """Gradients of the mean cross-entropy loss w.r.t. every parameter (the chain rule by hand)."""
        x, h_pre, h, logits = cache["x"], cache["h_pre"], cache["h"], cache["logits"]
        batch = len(labels)
        d_logits = softmax(logits)                        # softmax + cross-entropy: dL/dz = p - onehot
        d_logits[torch.arange(batch), labels] -= 1.0
        d_logits /= batch                                 # (B, K) the loss is a mean over the batch
        d_h = d_logits @ self.params["W2"].T              # (B, H) back through the second layer
        d_h_pre = d_h * (h_pre > 0).to(d_h.dtype)         # (B, H) ReLU passes gradient only where on
        return {
            "W2": h.T @ d_logits, "b2": d_logits.sum(0),  # (H, K), (K,)
            "W1": x.T @ d_h_pre, "b1": d_h_pre.sum(0),    # (D, H), (H,)
        }

    def loss_and_grads(self, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """One forward and one backward pass: (scalar loss, gradients dict)."""
        _check_labels(labels, len(x), self.params["b2"].shape[0])
        logits, cache = self.forward(x)
        return cross_entropy(softmax(logits), labels), self.backward(cache, labels)

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """x: (B, in_features) -> predicted class (B,) long."""
        return self.forward(x)[0].argmax(dim=1)

    def num_parameters(self) -> int:
        """How many numbers the network learns."""
        return sum(t.numel() for t in self.params.values())


def gradient_descent_step(params: dict[str, torch.Tensor], grads: dict[str, torch.Tensor], *,
                          lr: float) -> dict[str, torch.Tensor]:
    """One step downhill: theta <- theta - lr * dL/dtheta. Returns new tensors (inputs untouched)."""
    if not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if set(params) != set(grads):
        raise ValueError(f"grads must have the same keys as params {sorted(params)}, got {sorted(grads)}")
    for name in params:
        if grads[name].shape != params[name].shape:
            raise ValueError(f"grads[{name!r}] has shape {tuple(grads[name].shape)}, "
                             f"expected {tuple(params[name].shape)}")
    return {name: params[name] - lr * grads[name] for name in params}


def train_scratch_mlp(model: ScratchMLP, x: torch.Tensor, labels: torch.Tensor, *, lr: float = 0.5,
                      steps: int = 300, batch_size: int = 128, seed: int = 0, log_every: int = 10,
                      callbacks=()) -> list[dict]:
    """Mini-batch gradient descent with the hand-written gradients; updates `model.params`.

    x: (N, in_features); labels: (N,) long. Every `log_every` steps (and at the end) records
    {"step", "loss"} (the mean loss since the last record) and calls callback(step, record),
    the same callback protocol as genimg_edu.train (e.g. a LiveLossPlot). Returns the records.
    """
    if not isinstance(steps, int) or steps < 1 or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"steps and batch_size must be positive ints, got {steps!r}, {batch_size!r}")
    gen = torch.Generator().manual_seed(seed)
    history, losses = [], []
    with single_thread():
        for step in range(1, steps + 1):
            rows = torch.randint(0, len(x), (min(batch_size, len(x)),), generator=gen)
            loss, grads = model.loss_and_grads(x[rows], labels[rows])
            model.params = gradient_descent_step(model.params, grads, lr=lr)
            losses.append(loss.item())
            if step % log_every == 0 or step == steps:
                record = {"step": step, "loss": sum(losses) / len(losses)}
                history.append(record)
                losses = []
                for callback in callbacks:
                    callback(step, dict(record))
    return history


def _check_labels(labels: torch.Tensor, batch: int, classes: int) -> None:
    if not isinstance(labels, torch.Tensor) or labels.dtype != torch.int64 or labels.shape != (batch,):
        raise ValueError(f"labels must be a ({batch},) int64 tensor, got "
                         f"{getattr(labels, 'dtype', type(labels).__name__)} {tuple(getattr(labels, 'shape', ()))}")
    if batch and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must lie in [0, {classes}), got [{labels.min()}, {labels.max()}]")
