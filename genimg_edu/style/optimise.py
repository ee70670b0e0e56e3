"""Gatys-style transfer: optimise the pixels of one image so its features match the content photo's
and its Gram matrices match the style image's (Gatys, Ecker & Bethge 2016).

    config = StyleConfig(steps=200, optimiser="lbfgs", style_weight=3.0)
    result = stylise(content, style, net=RandomFeatures(), config=config, callback=show)
    result.image   (1, 3, H, W) in [0, 1];   result.history   list of dicts (step, content, style, tv, total)

Coarse-to-fine by default: 100 steps on half-size copies first, then `steps` at full size (coarse_to_fine).

Keeping pixels in [0, 1]: we never clamp inside the optimiser. The pixels are x = sigmoid(u) and the
optimiser moves the unconstrained u, so every x it ever sees is in range. (Clamping x in place inside
the L-BFGS closure, as the PyTorch tutorial once did, changes the point behind L-BFGS's back: its
curvature history then describes a different function and it can take huge steps -- the "blow-up"
reported against the tutorial. Clamping *after* each step is safe for Adam but still breaks L-BFGS's
history.) The cost: gradients shrink for pixels near 0 or 1, which slows only saturated colours.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F

from ..checks import check_int, check_number, check_seed
from .features import MIN_SIDE, check_feature_net, check_image
from .losses import gram_matrix, total_loss

OPTIMISERS = ("adam", "lbfgs")
INITS = ("content", "noise")
_EPS = 1e-3  # content pixels are squeezed into [eps, 1 - eps] before the logit (logit(0) is -inf)


@dataclass(kw_only=True)
class StyleConfig:
    steps: int = 200                 # optimiser steps (for L-BFGS: loss evaluations, so both cost the same)
    optimiser: str = "lbfgs"         # "adam" or "lbfgs"
    lr: float | None = None          # learning rate (None: 0.05 for Adam, 1.0 for L-BFGS)
    content_weight: float = 1.0      # weight of the content loss (0: pure texture synthesis)
    style_weight: float = 3.0        # weight of the style loss (the slider of the notebook); 3 is the measured
                                     # recipe (benchmark and notebook); 1e3 lost the photo (coffee + pointillism
                                     # SSIM 0.12 against 0.33: docs/performance/style_transfer.md, seventh round)
    tv_weight: float = 3.0           # weight of the total-variation loss (smoothness); 3, not 1: keeps flat
                                     # regions of a photo (a night sky) from filling with speckle (measured:
                                     # docs/performance/style_transfer.md, sixth round)
    content_layers: tuple | None = None  # None: the net's own content_layers
    style_layers: tuple | None = None    # None: the net's own style_layers
    normalise: bool = True           # per-layer normalisation of the style terms (see style_loss)
    content_normalise: bool = False  # True: content = layout only, compare instance-normalised features
    init: str = "content"            # start from the content photo, or from noise
    seed: int = 0                    # seed of the noise start (and nothing else is random)
    history_every: int = 10          # record the losses every this many steps
    coarse_scale: float | None = 0.5 # coarse-to-fine: first stylise copies this many times smaller, then refine
                                     # at full size from the upsampled result (None: full size only). Keeps long
                                     # stripes straight (docs/performance/style_transfer.md, seventh round)
    coarse_steps: int = 100          # optimiser steps at the coarse size (each ~1/4 the cost of a full-size one)

    def __post_init__(self):
        check_int("steps", self.steps, low=1)
        if self.optimiser not in OPTIMISERS:
            raise ValueError(f"optimiser must be one of {OPTIMISERS}, got {self.optimiser!r}")
        if self.lr is not None:
            check_number("lr", self.lr, low=0, low_open=True)
        for name in ("content_weight", "style_weight", "tv_weight"):
            check_number(name, getattr(self, name), low=0)
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        check_seed("seed", self.seed)
        check_int("history_every", self.history_every, low=1)
        if self.coarse_scale is not None:
            check_number("coarse_scale", self.coarse_scale, low=0, high=1, low_open=True, high_open=True)
        check_int("coarse_steps", self.coarse_steps, low=1)
        for name in ("normalise", "content_normalise"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        for name in ("content_layers", "style_layers"):
            value = getattr(self, name)
            if value is None:
                continue
            layers = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, (list, tuple)) else None
            if layers is None or not all(isinstance(layer, str) for layer in layers):
                raise TypeError(f"{name} must be layer names (a tuple of str such as ('scale1', 'scale3')) or None "
                                f"(the net's own), got {value!r}")
            if not layers:
                raise ValueError(f"{name} must name at least one layer (None: the net's own), got {value!r}")
            setattr(self, name, layers)


@dataclass
class StyleResult:
    image: torch.Tensor                            # (1, 3, H, W) in [0, 1]
    history: list = field(default_factory=list)    # dicts: step, content, style, tv, total
    steps: int = 0                                 # steps actually taken, coarse ones included (fewer if stopped)
    stopped: bool = False                          # True if the callback asked to stop
    coarse_history: list = field(default_factory=list)  # the coarse stage's losses (at its size), if it ran


def to_logits(x: torch.Tensor) -> torch.Tensor:
    """Inverse of sigmoid for images in [0, 1] (squeezed into [eps, 1 - eps] first)."""
    x = x.clamp(_EPS, 1 - _EPS)
    return torch.log(x) - torch.log1p(-x)


class StyleProblem:
    """Everything fixed during one stylisation: the net, content features, style Grams, weights.

    `loss(x)` -> (loss, parts) is the total loss of an image x (1, 3, H, W). Built once, so a
    widget can change only what it needs (weights, layers) and keep the expensive targets.
    """

    def __init__(self, content: torch.Tensor, style: torch.Tensor, *, net, config: StyleConfig):
        check_image(content, "content")
        check_image(style, "style")
        if content.shape[0] != 1 or style.shape[0] != 1:
            raise ValueError(f"content and style must be single images (1, 3, H, W), got {tuple(content.shape)} "
                             f"and {tuple(style.shape)}")
        if not isinstance(config, StyleConfig):
            raise TypeError(f"config must be a StyleConfig, got {type(config).__name__}")
        check_feature_net(net)
        self.net, self.config, self.content = net, config, content
        self.content_layers = config.content_layers or net.content_layers
        self.style_layers = config.style_layers or net.style_layers
        for layer in self.content_layers + self.style_layers:
            if layer not in net.layers:
                raise ValueError(f"unknown layer {layer!r} for this net; choose from {net.layers}")
        with torch.no_grad():
            self.content_features = {k: v for k, v in net(content).items() if k in self.content_layers}
            self.style_grams = {k: gram_matrix(v) for k, v in net(style).items() if k in self.style_layers}

    def loss(self, x: torch.Tensor):
        c = self.config
        return total_loss(x, self.net(x), self.content_features, self.style_grams,
                          content_layers=self.content_layers, style_layers=self.style_layers,
                          content_weight=c.content_weight, style_weight=c.style_weight, tv_weight=c.tv_weight,
                          normalise=c.normalise, content_normalise=c.content_normalise)


def start_logits(problem: StyleProblem) -> torch.Tensor:
    """The unconstrained u where optimisation starts: logit(content), or seeded noise around grey."""
    c = problem.config
    if c.init == "content":
        return to_logits(problem.content.detach().clone())
    g = torch.Generator().manual_seed(c.seed)
    return torch.randn(problem.content.shape, generator=g) * 0.5


def stylise(content: torch.Tensor, style: torch.Tensor, *, net, config: StyleConfig | None = None,
            callback=None) -> StyleResult:
    """Optimise an image to have content's features and style's Gram matrices.

    content, style: (1, 3, H, W) in [0, 1] (sizes may differ). net: a feature network (features.py).
    callback(step, x, parts) is called every config.history_every steps with the current image
    x (1, 3, H, W) in [0, 1]; if it returns True the optimisation stops (the Stop button).
    With config.coarse_scale (default 0.5) the first config.coarse_steps steps run on copies that much
    smaller (see coarse_to_fine), then config.steps at full size.
    Returns a StyleResult; same inputs and config -> identical output.
    """
    config = config or StyleConfig()
    problem = StyleProblem(content, style, net=net, config=config)
    sizes = coarse_sizes(content, style, config.coarse_scale, min_side=getattr(net, "min_side", MIN_SIDE))
    if sizes is None:
        return run(problem, start_logits(problem), callback=callback)
    return coarse_to_fine(problem, style, sizes=sizes, callback=callback)


def coarse_sizes(content: torch.Tensor, style: torch.Tensor, scale: float | None, *, min_side: int = MIN_SIDE):
    """((h, w) of content, (h, w) of style), each shrunk by scale -- or None for no coarse stage: scale is
    None, or a shrunk side would be below min_side, the smallest image the feature net takes (its `min_side`)."""
    if scale is None:
        return None
    sizes = tuple(tuple(round(side * scale) for side in image.shape[2:]) for image in (content, style))
    return sizes if min(min(size) for size in sizes) >= min_side else None


def resized(image: torch.Tensor, size: tuple) -> torch.Tensor:
    """image (B, C, h, w) in [0, 1] -> (B, C, *size), bicubic, kept in [0, 1]."""
    return F.interpolate(image, size=size, mode="bicubic", align_corners=False).clamp(0, 1)


def coarse_to_fine(problem: StyleProblem, style: torch.Tensor, *, sizes, callback=None) -> StyleResult:
    """Stylise copies `coarse_scale` times smaller first, then optimise at full size from the upsampled result
    (Gatys, Ecker, Bethge, Hertzmann & Shechtman 2017, "Controlling Perceptual Factors in Neural Style
    Transfer", CVPR). At the small size every layer of the same net spans a larger part of the picture, so
    the style's large structures (long straight stripes, whole dots) are laid down first; the full-size
    steps add the fine detail.

    The callback sees steps 1..coarse_steps of the coarse stage (its image upsampled to full size), then the
    full-size steps. result.history starts with the full-size losses of the start image (step 0), so start
    and end compare at one size; then the full-size steps. The coarse losses are in result.coarse_history.
    sizes: ((h, w) of the small photo, (h, w) of the small style), from coarse_sizes.
    """
    c = problem.config
    full_size = tuple(problem.content.shape[2:])
    content_size, style_size = sizes
    shrink = dict(mode="bilinear", antialias=True, align_corners=False)
    coarse = StyleProblem(F.interpolate(problem.content, size=content_size, **shrink),
                          F.interpolate(style, size=style_size, **shrink), net=problem.net,
                          config=replace(c, steps=c.coarse_steps, coarse_scale=None))
    coarse_callback = None
    if callback is not None:
        def coarse_callback(step, x, parts):  # the learner's callback always sees full-size images
            return callback(step, resized(x, full_size), parts)
    first = run(coarse, start_logits(coarse), callback=coarse_callback)
    u = start_logits(problem)
    with torch.no_grad():
        start = {"step": 0, **problem.loss(torch.sigmoid(u))[1]}
    if first.stopped:
        return StyleResult(image=resized(first.image, full_size), history=[start], steps=first.steps, stopped=True,
                           coarse_history=first.history)
    result = run(problem, to_logits(resized(first.image, full_size)), callback=callback, first_step=first.steps)
    result.history.insert(0, start)
    result.steps += first.steps
    result.coarse_history = first.history
    return result


def run(problem: StyleProblem, u: torch.Tensor, *, callback=None, steps: int | None = None,
        first_step: int = 0) -> StyleResult:
    """Take `steps` (default config.steps) optimiser steps from logits u; see `stylise`."""
    c = problem.config
    steps = c.steps if steps is None else steps
    u = u.detach().clone().requires_grad_(True)
    result = StyleResult(image=torch.sigmoid(u).detach())
    done, best = 0, [float("inf"), result.image]  # lowest loss seen, and its image

    def evaluate():
        nonlocal done
        x = torch.sigmoid(u)
        loss, parts = problem.loss(x)
        if float(loss.detach()) < best[0]:
            best[:] = [float(loss.detach()), x.detach()]
        done += 1
        step = first_step + done
        if done == 1 or step % c.history_every == 0 or done == steps:
            result.history.append({"step": step, **parts})
            if callback is not None and callback(step, x.detach(), parts):
                result.stopped = True
        return loss

    if c.optimiser == "adam":
        optimiser = torch.optim.Adam([u], lr=c.lr or 0.05)
        while done < steps and not result.stopped:
            optimiser.zero_grad()
            evaluate().backward()
            optimiser.step()
    else:
        optimiser = torch.optim.LBFGS([u], lr=c.lr or 1.0, max_iter=steps, max_eval=steps,
                                      history_size=50, tolerance_grad=0.0, tolerance_change=0.0,
                                      line_search_fn="strong_wolfe")

        def closure():  # no clamping in here: u is unconstrained, sigmoid(u) is always in range
            optimiser.zero_grad()
            if result.stopped or done >= steps:  # stopped or out of budget: a zero gradient ends L-BFGS
                return torch.zeros((), requires_grad=False)
            loss = evaluate()
            loss.backward()
            return loss

        while done < steps and not result.stopped:
            before = done
            optimiser.param_groups[0]["max_iter"] = optimiser.param_groups[0]["max_eval"] = steps - done
            optimiser.step(closure)
            if done == before:
                break
    # L-BFGS may end mid line search (stopped, or out of budget): keep the best image it evaluated
    result.image = best[1] if c.optimiser == "lbfgs" else torch.sigmoid(u).detach()
    result.steps = done
    return result
