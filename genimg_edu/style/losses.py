"""The three losses of neural style transfer (Gatys, Ecker & Bethge 2016, "Image Style Transfer Using
Convolutional Neural Networks", CVPR; preprint "A Neural Algorithm of Artistic Style", 2015).

Features are dicts `layer name -> (B, C, H, W)` from any feature network of `features.py`.

    gram_matrix(f)                       (B, C, H, W) -> (B, C, C): which channels fire together
    content_loss(f_x, f_content, layers) mean squared feature difference: "keep the photo's content"
                                         (normalise=True: of instance-normalised features -- layout only)
    style_loss(f_x, grams_style, layers) Gram difference per layer: "take the painting's look"
    total_variation_loss(x)              neighbouring-pixel differences: "no pixel noise"
    total_loss(...)                      content_weight * L_c + style_weight * L_s + tv_weight * L_tv
"""
from __future__ import annotations

import torch


def _check_features(f, name: str) -> torch.Tensor:
    if not isinstance(f, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of features (B, C, H, W), got {type(f).__name__}")
    if f.ndim != 4:
        raise ValueError(f"{name} must be features (B, C, H, W), got shape {tuple(f.shape)}")
    return f


def _check_layers(layers, first: dict, second: dict, names: tuple[str, str]) -> tuple[str, ...]:
    """layers: a name or names that both dicts (layer -> tensor) hold; returns them as a tuple."""
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(layers)
    available = sorted(first.keys() & second.keys())
    if not layers:
        raise ValueError(f"layers must name at least one layer, choose from {available}")
    missing = [layer for layer in layers if layer not in available]
    if missing:
        raise ValueError(f"layers: {missing} must be in both {names[0]} (has {sorted(first)}) and {names[1]} "
                         f"(has {sorted(second)})")
    return layers


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """G[b, i, j] = (1 / HW) * sum over positions p of F[b, i, p] * F[b, j, p].

    features: (B, C, H, W). Returns (B, C, C): symmetric, positive semi-definite, and blind to *where*
    things are (shuffling positions does not change it) -- it keeps which features occur together,
    i.e. texture and colour, and throws away the layout. Dividing by HW makes it a mean, so
    Grams of images of different sizes are comparable.
    """
    features = _check_features(features, "features")
    b, c, h, w = features.shape
    flat = features.reshape(b, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)


def instance_normalise(features: torch.Tensor, *, eps: float = 1e-5) -> torch.Tensor:
    """(F - mean) / (std + eps) per image and channel, over positions: (B, C, H, W) -> (B, C, H, W).

    What is left is each channel's *layout* (where it fires more or less); its mean and spread --
    the statistics AdaIN calls style -- are gone."""
    features = _check_features(features, "features")
    mean, std = features.mean(dim=(2, 3), keepdim=True), features.std(dim=(2, 3), keepdim=True)
    return (features - mean) / (std + eps)


def content_loss(features: dict, content_features: dict, *, layers, normalise: bool = False) -> torch.Tensor:
    """L_content = sum over layers l of mean((F_l(x) - F_l(content))^2).

    features, content_features: dicts layer -> (B, C, H, W) of the same shapes. Returns a 0-d tensor.
    normalise=True compares instance-normalised features (`instance_normalise`): per channel,
    mean((F^ - F^_c)^2) = 2 (1 - correlation of the two maps), so the loss is 0 for the same layout,
    about 2 for an unrelated one, whatever the photo's contrast -- and it no longer fights the style
    loss, which sets each channel's mean and spread (a dotted or striped texture raises every
    channel's activity; compared raw, that alone counts as lost content).
    """
    layers = _check_layers(layers, features, content_features, ("features", "content_features"))
    total = 0.0
    for layer in layers:
        f, target = _check_features(features[layer], layer), _check_features(content_features[layer], layer)
        if f.shape[1:] != target.shape[1:]:
            raise ValueError(f"layer {layer!r}: features {tuple(f.shape)} and content {tuple(target.shape)} differ")
        if normalise:
            f, target = instance_normalise(f), instance_normalise(target)
        total = total + ((f - target) ** 2).mean()
    return total


def style_loss(features: dict, style_grams: dict, *, layers, normalise: bool = True) -> torch.Tensor:
    """L_style = sum over layers l of w_l * ||G_l(x) - G_l(style)||^2 (squared Frobenius norm, over B).

    features: dict layer -> (B, C, H, W); style_grams: dict layer -> (1 or B, C, C) (`gram_matrix` of the
    style image's features). normalise=True sets w_l = 1 / ||G_l(style)||^2, so every layer counts
    equally whatever the scale of its activations (needed for untrained random networks, whose
    layers differ by orders of magnitude); normalise=False uses w_l = 1 / C^2 (a mean over the Gram).
    Returns a 0-d tensor, 0 when x has exactly the style's Grams.
    """
    layers = _check_layers(layers, features, style_grams, ("features", "style_grams"))
    total = 0.0
    for layer in layers:
        gram, target = gram_matrix(features[layer]), style_grams[layer]
        if not isinstance(target, torch.Tensor) or target.ndim != 3 or target.shape[1:] != gram.shape[1:]:
            raise ValueError(f"style_grams[{layer!r}] must be (1 or B, {gram.shape[1]}, {gram.shape[1]}), "
                             f"got {getattr(target, 'shape', type(target).__name__)}")
        squared = ((gram - target) ** 2).sum(dim=(1, 2))  # (B,)
        scale = (target ** 2).sum(dim=(1, 2)).clamp_min(1e-12) if normalise else gram.shape[1] ** 2
        total = total + (squared / scale).mean()
    return total


def total_variation_loss(x: torch.Tensor) -> torch.Tensor:
    """Mean squared difference between neighbouring pixels (down and right). x: (B, C, H, W).

    Small for smooth images; a little of it removes the high-frequency speckle optimisation makes.
    """
    x = _check_features(x, "x")
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).mean() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).mean()


def total_loss(x: torch.Tensor, features: dict, content_features: dict, style_grams: dict, *,
               content_layers, style_layers, content_weight: float, style_weight: float,
               tv_weight: float = 0.0, normalise: bool = True,
               content_normalise: bool = False) -> tuple[torch.Tensor, dict[str, float]]:
    """L = content_weight * L_content + style_weight * L_style + tv_weight * L_tv.

    x: the image being optimised (B, C, H, W); features = net(x). Returns (loss, parts) where parts
    holds the float value of each *unweighted* term ("content", "style", "tv") and "total".
    normalise goes to style_loss, content_normalise to content_loss (as its normalise).
    """
    for name, value in (("content_weight", content_weight), ("style_weight", style_weight), ("tv_weight", tv_weight)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    l_content = content_loss(features, content_features, layers=content_layers, normalise=content_normalise)
    l_style = style_loss(features, style_grams, layers=style_layers, normalise=normalise)
    l_tv = total_variation_loss(x)
    loss = content_weight * l_content + style_weight * l_style + tv_weight * l_tv
    parts = {name: float(value.detach()) for name, value in
             (("content", l_content), ("style", l_style), ("tv", l_tv), ("total", loss))}
    return loss, parts
