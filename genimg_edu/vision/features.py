"""Looking inside a trained CNN: what each layer computes, and the first layer's filters, as pictures."""
from __future__ import annotations

import torch

from .models import SmallCNN, check_input


@torch.no_grad()
def feature_maps(model: SmallCNN, x: torch.Tensor) -> list[torch.Tensor]:
    """x: (N, C, s, s) in [0, 1] -> [(N, w, s, s), (N, 2w, s/2, s/2)] activations after each conv + ReLU."""
    check_input(model, x)
    model.eval()
    return model.features(x)


def first_layer_filters(model: SmallCNN) -> torch.Tensor:
    """The first conv's kernels (w, C, 3, 3), rescaled to [0, 1] per filter so they can be shown."""
    w = model.conv1.weight.detach().clone()
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    high = w.amax(dim=(1, 2, 3), keepdim=True)
    return (w - low) / (high - low).clamp_min(1e-8)
