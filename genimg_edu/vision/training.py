"""Training a classifier with the course's generic loop, and scoring it.

`train_classifier` is `genimg_edu.train.train` with a cross-entropy `loss_fn` (notebook 02 taught the
loop; here only the loss is new). Images are (N, C, H, W) in [0, 1]; labels are (N,) long class
indices, or a dict head -> (N,) long for a multi-head `SmallCNN`.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..train import TrainConfig, train
from .models import check_input, head_logits


def classifier_loss(model: nn.Module, batch, *, heads=(None,)) -> torch.Tensor:
    """Cross-entropy of one batch (images, labels_1, ..., labels_k): one labels tensor per name in
    `heads` (None: the model has a single output), the heads' losses added."""
    images, *labels = batch
    out = model(images)
    return sum(F.cross_entropy(out if name is None else out[name], y) for name, y in zip(heads, labels))


def train_classifier(model: nn.Module, images: torch.Tensor, labels, *, steps: int, batch_size: int = 64,
                     lr: float = 3e-3, seed: int = 0, progress: bool = False) -> list[float]:
    """Minimise cross-entropy with Adam (no weight decay, no gradient clipping) for `steps` mini-batches
    on the device the model is on; returns the loss of each step.

    images: (N, C, H, W) in [0, 1]; labels: (N,) long, or dict head -> (N,) long for a multi-head
    model (the losses of the heads are added). seed: the batch order (and torch's generators, which
    `train` seeds at the start).
    """
    check_input(model, images)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    heads = tuple(labels) if isinstance(labels, dict) else (None,)
    targets = [labels[name] for name in heads] if isinstance(labels, dict) else [labels]
    device = next(model.parameters()).device
    config = TrainConfig(steps=steps, batch_size=batch_size, lr=lr, seed=seed, grad_clip=None, log_every=1,
                         device=device, progress=progress)
    result = train(model, lambda m, batch: classifier_loss(m, batch, heads=heads), (images, *targets), config=config)
    model.eval()
    return [record["loss"] for record in result.history]


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels, *, head: str | None = None) -> float:
    """Fraction of `images` whose predicted class equals `labels` ((N,) long). head: for multi-head models."""
    check_input(model, images)
    model.eval()
    return (head_logits(model, images, head).argmax(1) == labels).float().mean().item()
