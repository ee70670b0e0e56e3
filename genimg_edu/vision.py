"""Chapter 03, computer vision: a small convolutional classifier and ways to look inside it.

- `SmallCNN`: two conv blocks (3x3 conv, ReLU, 2x2 max-pool) and a linear layer. With an int
  `num_classes` it returns (N, K) logits; with a dict {"shape": 4, "colour": 5, ...} one head each.
- `train_classifier`, `accuracy`: a plain training loop and the fraction of right answers.
- `feature_maps`, `first_layer_filters`: what each layer computes, as pictures.
- `saliency`: which pixels the class score is most sensitive to (Simonyan et al. 2014).
- `noise_robustness`: accuracy as Gaussian noise grows.

Images are (N, C, H, W) in [0, 1]. Taught in notebook 03; the course's judges
(`genimg_edu.metrics`) are the same idea, a little deeper and trained with augmentation.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F
from tqdm.auto import tqdm

from .data import check_images


class SmallCNN(nn.Module):
    """conv(3x3) -> ReLU -> pool -> conv(3x3) -> ReLU -> pool -> linear.

    in_channels: 1 (digits) or 3 (shapes). size: image side, divisible by 4.
    num_classes: int K -> forward gives (N, K) logits; dict name -> K gives dict name -> (N, K).
    width: channels of the first conv (the second has 2 * width).
    """

    def __init__(self, in_channels: int = 1, num_classes: int | dict = 10, *, size: int = 8, width: int = 16):
        super().__init__()
        if size % 4:
            raise ValueError(f"size must be divisible by 4 (two 2x2 pools), got {size}")
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=3, padding=1)     # (N, w, s, s)
        self.conv2 = nn.Conv2d(width, 2 * width, kernel_size=3, padding=1)       # (N, 2w, s/2, s/2)
        n_features = 2 * width * (size // 4) ** 2                                # after two pools
        heads = num_classes if isinstance(num_classes, dict) else {"logits": num_classes}
        self.heads = nn.ModuleDict({name: nn.Linear(n_features, k) for name, k in heads.items()})
        self.multi_head = isinstance(num_classes, dict)
        self.in_channels, self.size = in_channels, size

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The feature maps after each conv block: [(N, w, s, s), (N, 2w, s/2, s/2)] (before pooling)."""
        maps1 = F.relu(self.conv1(x))
        maps2 = F.relu(self.conv2(F.max_pool2d(maps1, 2)))
        return [maps1, maps2]

    def forward(self, x: torch.Tensor):
        h = F.max_pool2d(self.features(x)[-1], 2).flatten(1)                    # (N, 2w * s/4 * s/4)
        out = {name: head(h) for name, head in self.heads.items()}
        return out if self.multi_head else out["logits"]


def _check(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """x must be (N, C, size, size) in [0, 1] for the model (any nn.Module: checks what it declares)."""
    channels, size = getattr(model, "in_channels", None), getattr(model, "size", None)
    check_images(x, value_range=(0, 1), channels=channels, name="x")
    if size is not None and tuple(x.shape[2:]) != (size, size):
        raise ValueError(f"x must be (N, {channels}, {size}, {size}), got {tuple(x.shape)}")
    return x


def _logits(model, x, head):
    """Logits of one head: (N, K)."""
    out = model(x)
    if isinstance(out, dict):
        if head not in out:
            raise ValueError(f"this model has heads {list(out)}; pass head=<one of them>, got {head!r}")
        return out[head]
    return out


def train_classifier(model: nn.Module, images: torch.Tensor, labels, *, steps: int, batch_size: int = 64,
                     lr: float = 3e-3, seed: int = 0, progress: bool = False) -> list[float]:
    """Minimise cross-entropy with Adam for `steps` mini-batches; returns the loss of each step.

    images: (N, C, H, W) in [0, 1]; labels: (N,) long, or dict head -> (N,) long for a multi-head
    model (the losses of the heads are added).
    """
    _check(model, images)
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive int, got {steps!r}")
    wanted = labels if isinstance(labels, dict) else {None: labels}
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in tqdm(range(steps), disable=not progress, desc="training"):
        rows = torch.randint(len(images), (batch_size,), generator=generator)
        out = model(images[rows])
        loss = sum(F.cross_entropy(out if name is None else out[name], y[rows]) for name, y in wanted.items())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    model.eval()
    return history


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels, *, head: str | None = None) -> float:
    """Fraction of `images` whose predicted class equals `labels` ((N,) long). head: for multi-head models."""
    _check(model, images)
    model.eval()
    return (_logits(model, images, head).argmax(1) == labels).float().mean().item()


@torch.no_grad()
def feature_maps(model: SmallCNN, x: torch.Tensor) -> list[torch.Tensor]:
    """x: (N, C, s, s) in [0, 1] -> [(N, w, s, s), (N, 2w, s/2, s/2)] activations after each conv + ReLU."""
    _check(model, x)
    model.eval()
    return model.features(x)


def first_layer_filters(model: SmallCNN) -> torch.Tensor:
    """The first conv's kernels (w, C, 3, 3), rescaled to [0, 1] per filter so they can be shown."""
    w = model.conv1.weight.detach().clone()
    low = w.amin(dim=(1, 2, 3), keepdim=True)
    high = w.amax(dim=(1, 2, 3), keepdim=True)
    return (w - low) / (high - low).clamp_min(1e-8)


def saliency(model: nn.Module, x: torch.Tensor, target: torch.Tensor, *,
             head: str | None = None) -> torch.Tensor:
    """How strongly each pixel sways the score of class `target`: |d logit_target / d x|, max over channels.

    x: (N, C, H, W) in [0, 1]; target: (N,) long. Returns (N, H, W) >= 0. Simonyan et al. 2014.
    """
    _check(model, x)
    if not isinstance(target, torch.Tensor) or target.shape != (len(x),):
        got = getattr(target, "shape", target)
        raise ValueError(f"target must be a tensor of shape ({len(x)},), got {got}")
    model.eval()
    x = x.detach().clone().requires_grad_(True)
    scores = _logits(model, x, head).gather(1, target.view(-1, 1)).sum()  # each image's own class score
    (grad,) = torch.autograd.grad(scores, x)
    return grad.abs().amax(dim=1)


@torch.no_grad()
def noise_robustness(model: nn.Module, x: torch.Tensor, y: torch.Tensor, sigmas, *, head: str | None = None,
                     seed: int = 0) -> list[float]:
    """Accuracy on x + sigma * noise for each sigma (the noisy image is clipped back to [0, 1]).

    x: (N, C, H, W) in [0, 1]; y: (N,) long; sigmas: increasing noise levels >= 0. Returns one
    accuracy per sigma. The same noise pattern is scaled for every sigma, so the curve is smooth.
    """
    _check(model, x)
    sigmas = [float(s) for s in sigmas]
    if any(s < 0 for s in sigmas):
        raise ValueError(f"sigmas must be >= 0, got {sigmas}")
    model.eval()
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed))
    return [(_logits(model, (x + s * noise).clamp(0, 1), head).argmax(1) == y).float().mean().item()
            for s in sigmas]


def conv_output_size(size: int, *, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Side of a conv's output: floor((size + 2 * padding - kernel) / stride) + 1."""
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise ValueError(f"a {kernel}x{kernel} kernel does not fit a {size}x{size} input "
                         f"with padding {padding}")
    return out
