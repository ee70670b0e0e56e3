"""Feature networks for style transfer, all behind one interface: `net(x) -> dict[layer, (B, C, H, W)]`.

x is always (B, 3, H, W) in [0, 1]; each net knows its own `layers`, `content_layers`, `style_layers`.

    RandomFeatures()        offline default: a fixed-seed, UNTRAINED multi-scale conv net
                            (Ustyuzhaninov et al. 2016; He, Wang & Hopcroft 2016)
    VGG19Features(...)      Gatys' choice: ImageNet-trained VGG19 (torchvision), content conv4_2,
                            style conv1_1..conv5_1; downloads only with download=True
    PixelPatches()          baseline: raw colour patches, no network at all
    feature_net(name)       one of FEATURE_NETS by name
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checks import check_seed
from ..data.imageset import check_images

FEATURE_NETS = ("random", "vgg19", "pixels")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


MIN_SIDE = 16  # the smallest image side any feature net here takes (RandomFeatures needs more: its min_side)


def check_image(x, name: str = "x") -> torch.Tensor:
    """x must be a float32 tensor (B, 3, H, W) of finite values in [0, 1] with H, W >= MIN_SIDE; returns it
    unchanged."""
    check_images(x, value_range=(0, 1), channels=3, name=name)
    if min(x.shape[2:]) < MIN_SIDE:
        raise ValueError(f"{name} must be at least {MIN_SIDE}x{MIN_SIDE} pixels, got {tuple(x.shape[2:])}")
    if x.dtype != torch.float32:
        raise TypeError(f"{name} must be float32 like the feature nets' weights, got {x.dtype} (use {name}.float())")
    return x


def check_feature_net(net) -> nn.Module:
    """net must be a feature network of this module (it has layers, content_layers and style_layers)."""
    if not (isinstance(net, nn.Module) and all(hasattr(net, a) for a in ("layers", "content_layers", "style_layers"))):
        raise TypeError("net must be a feature network -- RandomFeatures(), VGG19Features(), PixelPatches() or "
                        f"feature_net(name) with name one of {FEATURE_NETS} -- got {type(net).__name__}")
    return net


class RandomFeatures(nn.Module):
    """Untrained conv net with fixed random weights: 5 blocks (conv 3x3 -> ReLU), 2x average pooling
    between them, so block k sees a patch of about 2^k... 2^(k+1) pixels: a multi-scale texture probe.

    Layers "scale1" (fine) .. "scale5" (coarse). content_layers and style_layers: all five.
    Why content at every scale, not one deep layer as Gatys does with VGG19: a trained net's conv4_2 is
    *about* the objects (faces stay faces at any texture); a random net's deep layer is only the photo's
    layout at 1/8 of the resolution. With content there alone, the photo's fine structure (edges, thin
    shapes, what greyscale SSIM measures) is held by nothing, so the style loss overwrites it whatever
    the style weight. Content at the same scales as the style makes the two losses compete at each scale,
    and the style weight becomes the lever it should be (measured: docs/performance/style_transfer.md).
    width: channels of the first two blocks, twice that in the other three (the more random filters, the
    richer the statistics; Ustyuzhaninov et al. 2016 used hundreds). 48, not 32: with 32 the Grams could not
    tell round dots from short strokes, and a second, differently built style judge read 12 of 20 pointillism
    outputs as swirl; with 48 it reads all 80 outputs as intended, for 13-41 % more time per step in paired runs
    (docs/performance/style_transfer.md, eighth round). seed fixes the weights: the same seed is the same
    network everywhere.
    The weights are Kaiming-normal, no bias; the input is centred (x - 0.5) so colour means matter.
    """

    def __init__(self, *, width: int = 48, seed: int = 0):
        super().__init__()
        if isinstance(width, bool) or not isinstance(width, int) or not 4 <= width <= 512:
            raise ValueError(f"width must be an int in [4, 512] (channels per block), got {width!r}")
        check_seed("seed", seed)
        generator = torch.Generator().manual_seed(seed)
        channels = [3, width, width, 2 * width, 2 * width, 2 * width]
        self.convs = nn.ModuleList()
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False, padding_mode="reflect")
            with torch.no_grad():
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=generator) * (2 / (c_in * 9)) ** 0.5)
            self.convs.append(conv)
        self.requires_grad_(False)
        self.layers = tuple(f"scale{k + 1}" for k in range(len(self.convs)))
        self.content_layers = self.layers  # every scale: see the docstring
        self.style_layers = self.layers
        self.width, self.seed = width, seed
        self.min_side = 2 ** (len(self.convs))  # 32: the coarsest block still sees 2x2 (reflect padding needs it)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = check_image(x) - 0.5
        if min(x.shape[2:]) < self.min_side:
            raise ValueError(f"RandomFeatures needs images of at least {self.min_side}x{self.min_side} pixels "
                             f"(4 halvings), got {tuple(x.shape[2:])}")
        out = {}
        for k, (name, conv) in enumerate(zip(self.layers, self.convs)):
            if k > 0:
                h = F.avg_pool2d(h, 2)
            h = F.relu(conv(h))
            out[name] = h
        return out


# torchvision's vgg19().features: index of each conv; we take the ReLU right after it (index + 1)
VGG19_CONVS = {"conv1_1": 0, "conv1_2": 2, "conv2_1": 5, "conv2_2": 7, "conv3_1": 10, "conv3_2": 12,
               "conv3_3": 14, "conv3_4": 16, "conv4_1": 19, "conv4_2": 21, "conv4_3": 23, "conv4_4": 25,
               "conv5_1": 28}


class VGG19Features(nn.Module):
    """VGG19's convolutional part with ImageNet weights (Simonyan & Zisserman 2014), as in Gatys et al.

    Input x (B, 3, H, W) in [0, 1]: the ImageNet normalisation (x - mean) / std is applied here, once,
    inside forward -- never normalise before calling. Layer "conv4_2" etc. is the ReLU output after
    that conv. Max pooling is kept (Gatys replaced it by average pooling; both work).

    weights: a local state-dict file of torchvision's vgg19 (.pth or .safetensors; keys "features.N.*");
    or None with download=True: torchvision downloads IMAGENET1K_V1 (548 MB) into the torch hub
    cache. With neither, a clear error says how to get the weights (nothing is downloaded by default).
    """

    def __init__(self, *, weights=None, download: bool = False):
        super().__init__()
        import torchvision

        if weights is not None:
            from ..checkpoint import load_state_dict_file
            # only the convolutional part (no 120M-parameter classifier to build and throw away)
            features = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["E"])
            state = load_state_dict_file(Path(weights))
            state = {k[len("features."):]: v for k, v in state.items() if k.startswith("features.")}
            missing = [f"features.{k}" for k in features.state_dict() if k not in state]
            if missing:
                raise ValueError(f"weights file {weights} is not a torchvision vgg19 state dict: "
                                 f"missing {missing[:3]}...")
            features.load_state_dict(state)
        elif download:
            weights_enum = torchvision.models.VGG19_Weights.IMAGENET1K_V1
            features = torchvision.models.vgg19(weights=weights_enum).features
        else:
            raise FileNotFoundError(
                "VGG19 needs ImageNet weights (548 MB), which are not downloaded by default. Either pass "
                "download=True (on Colab or any machine online), or weights='path/to/vgg19.pth' for a file "
                "you saved before. Offline, use the default RandomFeatures() instead.")
        last = VGG19_CONVS["conv5_1"] + 1
        self.body = features[: last + 1].eval().requires_grad_(False)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.layers = tuple(VGG19_CONVS)
        self.content_layers = ("conv4_2",)
        self.style_layers = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
        self.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        h = (check_image(x) - self.mean) / self.std  # the one and only ImageNet normalisation
        wanted = {index + 1: name for name, index in VGG19_CONVS.items()}
        out = {}
        for index, module in enumerate(self.body):
            h = module(h)
            if index in wanted:
                out[wanted[index]] = h
        return out


class PixelPatches(nn.Module):
    """No network: the "features" are raw colour patches. Layer "pixels" is x itself (3 channels);
    "patch5" stacks each pixel's 5x5 neighbourhood (75 channels) -- at full size and at half size
    ("patch5_half"). Its Gram matrix captures colours and tiny-scale correlations only: the
    baseline that shows why learned (or at least random multi-layer) features matter."""

    def __init__(self):
        super().__init__()
        self.layers = ("pixels", "patch5", "patch5_half")
        self.content_layers = ("pixels",)
        self.style_layers = self.layers

    @staticmethod
    def _patches(x: torch.Tensor, size: int) -> torch.Tensor:
        b, _, h, w = x.shape
        return F.unfold(x, size, padding=size // 2).reshape(b, -1, h, w)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        x = check_image(x)
        return {"pixels": x, "patch5": self._patches(x, 5), "patch5_half": self._patches(F.avg_pool2d(x, 2), 5)}


def feature_net(name: str = "random", **kwargs) -> nn.Module:
    """A feature network by name: "random" (RandomFeatures), "vgg19" (VGG19Features) or "pixels"."""
    nets = {"random": RandomFeatures, "vgg19": VGG19Features, "pixels": PixelPatches}
    if name not in nets:
        raise ValueError(f"name must be one of {FEATURE_NETS}, got {name!r}")
    return nets[name](**kwargs)
