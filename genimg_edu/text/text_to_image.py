"""Text-to-image on the shapes captions: train, generate from a prompt, and judge the result.

Training is chapter 06's denoising loss with one change: the UNet also reads the caption.
The network predicts v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0 (Salimans & Ho 2022) rather
than eps: at the noisiest steps eps-prediction must be accurate to 1 part in 10^4 to give a usable
x0 (we measured garbage colours from it here), while v stays a sensible target at every t.
`predict_eps` turns v back into eps, so chapter 06's samplers run unchanged. With probability `caption_dropout` a caption is replaced by the empty prompt "", so the same
network also learns the unconditional model; sampling then uses classifier-free guidance
(Ho & Salimans 2022):

    eps = eps(xt, "") + w * (eps(xt, caption) - eps(xt, ""))       w = guidance scale

w = 1 is the plain conditional model; w > 1 pushes further in the direction the words point.
Some attribute combinations (`HELD_OUT`, e.g. blue triangles) never appear in training: asking
for them tests whether the model composes words it learned separately. Taught in notebook 07.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn

from ..checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ..data import load_dataset, to_unit
from ..data.shapes import ATTRIBUTES, all_captions, parse_caption
from ..data.shapes import is_held_out as shapes_is_held_out
from ..device import cache_dir
from ..diffusion import make_schedule, q_sample, sample
from ..diffusion.forward import per_sample
from ..diffusion.guidance import combine_guidance
from ..ema import EMA
from ..train import TrainConfig, train
from .encoder import TextEncoder, TextEncoderConfig, TextEncoding
from .text_unet import TextUNet, TextUNetConfig
from .tokenizer import Tokenizer, shapes_tokenizer

HELD_OUT = ({"colour": "blue", "shape": "triangle"}, {"colour": "yellow", "shape": "square"},
            {"shape": "circle", "position": "top"})
CAPTION_ATTRIBUTES = ("size", "colour", "shape", "position")


@dataclass
class TextToImageConfig:
    image_size: int = 16                  # pixels per side (16 matches load_judge("shapes", size=16))
    n_train: int = 8000                   # rendered training images (held-out combos excluded)
    held_out: tuple = HELD_OUT            # attribute combinations never shown in training
    conditioning: str = "cross_attention"  # "cross_attention" or "film"
    text_dim: int = 64                    # text encoder width d
    text_depth: int = 2                   # text encoder layers
    base_channels: int = 16               # UNet width at full resolution
    channel_mults: tuple = (1, 2, 4)      # UNet widths 16, 32, 64 at 16x16, 8x8, 4x4
    T: int = 1000                         # diffusion steps
    schedule: str = "cosine"              # noise schedule (gentler on small images)
    caption_dropout: float = 0.15         # P(caption -> "") in training: the unconditional model for CFG
    steps: int = 6000                     # optimizer steps (about 8 CPU-minutes: under 10 min on an idle CPU)
    prediction: str = "v"                 # the network predicts v (see the module docstring)
    ema_decay: float = 0.995              # sample with an exponential moving average of the weights
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0
    amp: str = "off"                      # mixed precision, as TrainConfig.amp: "off" | "bf16" | "fp16" | "auto"
    preload: bool = False                 # copy the training set to the device once (GPU: no per-step copy)

    def fingerprint(self) -> str:
        # how the weights are trained, not how fast: amp/preload at their defaults leave old caches valid
        fields = {k: v for k, v in asdict(self).items() if (k, v) not in (("amp", "off"), ("preload", False))}
        text = json.dumps(fields, sort_keys=True, default=list)
        return hashlib.sha1(text.encode()).hexdigest()[:10]


class TextToImage(nn.Module):
    """Tokenizer + text encoder + text-conditioned UNet. forward(xt, t, ids, mask) -> v;
    predict_eps(xt, t, v) -> eps for the samplers."""

    def __init__(self, tokenizer: Tokenizer, config: TextToImageConfig):
        super().__init__()
        if config.prediction != "v":
            raise ValueError(f"prediction must be 'v' (the only target implemented), got {config.prediction!r}")
        self.tokenizer, self.config = tokenizer, config
        self.text_encoder = TextEncoder(TextEncoderConfig(vocab_size=len(tokenizer), max_length=tokenizer.max_length,
                                                          dim=config.text_dim, depth=config.text_depth))
        self.unet = TextUNet(TextUNetConfig(base_channels=config.base_channels, channel_mults=tuple(config.channel_mults),
                                            context_dim=config.text_dim, conditioning=config.conditioning))
        self.schedule = make_schedule(config.schedule, T=config.T)

    def forward(self, xt, t, ids, mask):
        """The network's raw output: the v prediction (B, C, H, W)."""
        return self.unet(xt, t, self.text_encoder(ids, mask))

    def predict_eps(self, xt, t, v):
        """eps = sqrt(1 - alpha_bar) xt + sqrt(alpha_bar) v (exact, from the definitions of xt and v)."""
        alpha_bar = per_sample(self.schedule.alpha_bar, t, xt)
        return (1 - alpha_bar).sqrt() * xt + alpha_bar.sqrt() * v

    def encode_prompts(self, prompts, *, unknown: str = "error") -> TextEncoding:
        """list of str -> TextEncoding; unknown words raise UnknownWordError (a ValueError)."""
        ids, mask = self.tokenizer(prompts, unknown=unknown)
        device = next(self.parameters()).device
        return self.text_encoder(ids.to(device), mask.to(device))


def training_data(config: TextToImageConfig, *, n: int | None = None):
    """The training set: shapes with captions in [-1, 1], held-out combinations excluded."""
    return load_dataset("shapes", split="train", n=n or config.n_train, size=config.image_size,
                        seed=config.seed, value_range=(-1, 1), exclude=[dict(c) for c in config.held_out])


def v_target(x0, t, eps, *, schedule) -> torch.Tensor:
    """v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0, the velocity target (Salimans & Ho 2022)."""
    alpha_bar = per_sample(schedule.alpha_bar, t, x0)
    return alpha_bar.sqrt() * eps - (1 - alpha_bar).sqrt() * x0


def diffusion_loss(model: TextToImage, batch, *, caption_dropout: float) -> torch.Tensor:
    """batch = (x0 (B, 3, s, s) in [-1, 1], ids (B, L), mask (B, L)). Random t and eps,
    captions dropped to "" with probability caption_dropout; MSE between true and predicted v."""
    x0, ids, mask = batch
    null_ids, null_mask = model.tokenizer([""])
    drop = torch.rand(len(x0), device=x0.device) < caption_dropout
    ids = torch.where(drop[:, None], null_ids.to(x0.device), ids)
    mask = torch.where(drop[:, None], null_mask.to(x0.device), mask)
    t = torch.randint(0, model.schedule.T, (len(x0),), device=x0.device)
    eps = torch.randn_like(x0)
    xt = q_sample(x0, t, eps, schedule=model.schedule)
    return ((model(xt, t, ids, mask) - v_target(x0, t, eps, schedule=model.schedule)) ** 2).mean()


def train_text_to_image(config: TextToImageConfig, *, progress: bool = True, callbacks=(), device=None,
                        checkpoint_path=None):
    """Build and train a TextToImage model. Returns (EMA model, TrainResult).
    checkpoint_path: save every 500 steps and resume from there if it exists."""
    data = training_data(config)
    tokenizer = shapes_tokenizer()
    ids, mask = tokenizer(data.captions)
    model = TextToImage(tokenizer, config)
    ema = EMA(model, decay=config.ema_decay, warmup=10)  # short memory at the start
    tensors = (data.images, ids, mask)
    if config.preload:  # gathered on the device: no host -> device copy per step
        tensors = tuple(t.to(device or "cpu") for t in tensors)

    result = train(model, lambda m, b: diffusion_loss(m, b, caption_dropout=config.caption_dropout),
                   tensors,
                   config=TrainConfig(steps=config.steps, batch_size=config.batch_size, lr=config.lr, amp=config.amp,
                                      seed=config.seed, progress=progress, log_every=50, device=device or "cpu",
                                      checkpoint_path=checkpoint_path, checkpoint_every=500 if checkpoint_path else None),
                   callbacks=callbacks, on_step=(ema,), checkpoint_modules={"ema": ema.model})
    return ema.model.to(next(model.parameters()).device).eval(), result


def load_or_train(config: TextToImageConfig, *, progress: bool = True, device=None):
    """Load trained weights for `config` from cache_dir(), or train them once and cache them
    (safetensors). Returns (model, info) with info = {"cached": bool, "seconds", "history"}."""
    path = cache_dir() / f"text_to_image_{config.conditioning}_{config.fingerprint()}.safetensors"
    model = TextToImage(shapes_tokenizer(), config)
    try:
        meta = load_checkpoint(path, modules={"model": model})["meta"]
        return model.eval(), {"cached": True, "seconds": meta["seconds"], "history": meta["history"], "path": str(path)}
    except CheckpointError:
        pass
    partial = path.with_suffix(".partial.safetensors")  # resumable if training is interrupted
    model, result = train_text_to_image(config, progress=progress, device=device, checkpoint_path=partial)
    save_checkpoint(path, modules={"model": model.cpu()},
                    meta={"seconds": result.seconds, "history": result.history, "config": asdict(config)})
    partial.unlink(missing_ok=True)
    return model, {"cached": False, "seconds": result.seconds, "history": result.history, "path": str(path)}


def guided_eps(model: TextToImage, xt, t, text: TextEncoding, null: TextEncoding, *, guidance: float):
    """Classifier-free guidance: eps_null + w (eps_text - eps_null), both from one batched call.
    (eps is affine in v for a fixed xt, so guiding v and converting is the same thing.)"""
    both = TextEncoding(states=torch.cat([text.states, null.states]), pooled=torch.cat([text.pooled, null.pooled]),
                        mask=torch.cat([text.mask, null.mask]))
    v_text, v_null = model.unet(torch.cat([xt, xt]), torch.cat([t, t]), both).chunk(2)
    return model.predict_eps(xt, t, combine_guidance(v_text, v_null, guidance))


@torch.no_grad()
def generate(model: TextToImage, prompts, *, guidance: float = 3.0, steps: int = 25, seed: int = 0,
             sampler: str = "ddim", progress: bool = False, return_trajectory: bool = False):
    """Images for a list of prompts: (B, 3, s, s) in [0, 1]. guidance: CFG scale w >= 0
    (0 = ignore the text, 1 = conditional only). Unknown words raise UnknownWordError."""
    if isinstance(prompts, str):
        prompts = [prompts]
    if not isinstance(prompts, (list, tuple)) or not all(isinstance(p, str) for p in prompts):
        raise TypeError(f"prompts must be a str or a list of str such as ['a small red circle on the left'], "
                        f"got {type(prompts).__name__}")
    if not prompts:
        raise ValueError("prompts is empty: give at least one prompt")
    if isinstance(guidance, bool) or not isinstance(guidance, (int, float)) or not 0 <= guidance < float("inf"):
        raise ValueError(f"guidance must be a finite number >= 0, got {guidance!r}")
    model.eval()
    text = model.encode_prompts(list(prompts))
    null = model.encode_prompts([""] * len(prompts))
    size = model.config.image_size
    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    out = sample(lambda xt, t: guided_eps(model, xt, t, text, null, guidance=guidance),
                 shape=(len(prompts), 3, size, size), schedule=model.schedule.to(device), steps=steps,
                 sampler=sampler, generator=generator, progress=progress, return_trajectory=return_trajectory,
                 device=device)
    if return_trajectory:
        x, trajectory = out
        return to_unit(x.cpu()), trajectory
    return to_unit(out.cpu())


def is_held_out(caption: str, held_out=HELD_OUT) -> bool:
    """True if the caption's attributes match one of the held-out combinations (chapter 07's by default)."""
    return shapes_is_held_out(caption, held_out)


def split_prompts(held_out=HELD_OUT) -> tuple[list[str], list[str]]:
    """(captions seen in training, held-out captions)."""
    captions = all_captions()
    return ([c for c in captions if not is_held_out(c, held_out)], [c for c in captions if is_held_out(c, held_out)])


@torch.no_grad()
def evaluate_prompts(model: TextToImage, prompts, judge, *, guidance: float = 3.0, steps: int = 25,
                     seed: int = 0, batch_size: int = 100) -> dict[str, float]:
    """Generate one image per prompt, let the shapes judge read its attributes, compare with the
    prompt's. Returns accuracy per attribute (size, colour, shape, position) and "all" (every one right)."""
    prompts = list(prompts)
    images = torch.cat([generate(model, prompts[i:i + batch_size], guidance=guidance, steps=steps, seed=seed + i)
                        for i in range(0, len(prompts), batch_size)])
    predicted = judge.predict(images)
    hits = {name: [] for name in CAPTION_ATTRIBUTES}
    for row, prompt in enumerate(prompts):
        for name, value in parse_caption(prompt).items():
            hits[name].append(int(predicted[name][row]) == ATTRIBUTES[name].index(value))
    scores = {name: sum(v) / len(v) for name, v in hits.items()}
    scores["all"] = sum(all(hits[n][r] for n in CAPTION_ATTRIBUTES) for r in range(len(prompts))) / len(prompts)
    return scores
