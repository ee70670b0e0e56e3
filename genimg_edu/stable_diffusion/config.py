"""One keyword-only configuration for the whole mini Stable Diffusion, with a fingerprint per stage.

Each stage is cached under a name that includes a fingerprint of every setting it depends on: the
text encoder's and the VAE's own settings; the UNet's settings *and* both fingerprints it was trained
against (a new VAE means new latents, so a new UNet). Change one number and only what depends on
it retrains. `fast()` gives tiny settings for CI (seconds, deliberately undertrained).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace

from ..checks import check_int, check_number, check_seed
from ..data.shapes import ATTRIBUTES, all_captions
from ..train import LR_SCHEDULES

HELD_OUT = ({"colour": "blue", "shape": "triangle"}, {"colour": "yellow", "shape": "square"},
            {"shape": "circle", "position": "top"})  # chapter 07's held-out combinations
SCHEDULES = ("squaredcos_cap_v2", "scaled_linear", "linear")
PREDICTIONS = ("v_prediction", "epsilon")

VAE_FIELDS = ("vae_channels", "latent_channels", "kl_weight", "vae_edge_weight", "vae_steps", "vae_batch_size",
              "vae_lr", "vae_lr_schedule")
TEXT_FIELDS = ("text_dim", "text_layers", "text_heads", "max_length", "clip_embed_dim", "clip_steps",
               "clip_batch_size", "clip_lr", "clip_hard_negatives", "clip_partial_caption")
UNET_FIELDS = ("unet_channels", "attention_levels", "attention_head_dim", "schedule", "prediction",
               "caption_dropout", "partial_caption", "snr_gamma", "unet_steps", "unet_batch_size", "unet_lr",
               "ema_decay", "unet_lr_schedule")
DATA_FIELDS = ("n_train", "held_out", "seed")
LONGEST_CAPTION = max(len(caption.split()) for caption in all_captions())   # words = tokens of the course tokenizer


def check_held_out(held_out) -> tuple[dict, ...]:
    """held_out: attribute combinations such as ({"colour": "blue", "shape": "triangle"}, ...) -- each a
    non-empty dict of attribute -> one of its values. Returns them as a tuple of dicts."""
    example = "({'colour': 'blue', 'shape': 'triangle'},)"
    if not isinstance(held_out, (tuple, list)):
        raise TypeError(f"held_out must be a tuple of dicts such as {example}, got {held_out!r:.60}")
    for combo in held_out:
        if not isinstance(combo, dict) or not combo:
            raise TypeError(f"each held-out combination must be a non-empty dict such as {example}, got {combo!r:.60}")
        for name, value in combo.items():
            if name not in ATTRIBUTES or name == "background":
                raise ValueError(f"held-out attribute must be one of size, colour, shape, position; got {name!r}")
            if value not in ATTRIBUTES[name]:
                raise ValueError(f"held-out {name} must be one of {ATTRIBUTES[name]}, got {value!r}")
    return tuple(dict(combo) for combo in held_out)


@dataclass(kw_only=True)
class MiniSDConfig:
    # data
    n_train: int = 8000                  # rendered 32x32 training images (held-out combinations excluded)
    held_out: tuple = HELD_OUT           # attribute combinations no stage ever sees
    seed: int = 0                        # seeds the renders and every stage's training
    # 1. VAE (diffusers AutoencoderKL): 32x32x3 -> 8x8x4, one halving per level after the first
    vae_channels: tuple = (16, 32, 32)   # encoder/decoder widths per level (3 levels: side / 4)
    latent_channels: int = 4             # channels of the latent, as in SD
    kl_weight: float = 1e-3              # weight of the KL term (per latent number) next to the MSE
    vae_edge_weight: float = 1.0         # weight of the edge (image-gradient) term; 0: MSE + KL only
    vae_steps: int = 1500                # optimizer steps (fewer lose small shapes: 500 -> the judge reads 69 % of shapes)
    vae_batch_size: int = 32
    vae_lr: float = 2e-3
    vae_lr_schedule: str = "constant"    # "constant" or "cosine" (decays to 0); cosine measured worse here:
                                         # 28.5 dB / shapes read from 91 % of reconstructions vs 29.3 dB / 99 %
    # 2. text encoder (transformers CLIPTextModel), trained contrastively, then frozen
    text_dim: int = 64                   # hidden size d of the text states the UNet attends to
    text_layers: int = 2                 # transformer layers
    text_heads: int = 4                  # attention heads
    max_length: int = 16                 # tokens per prompt, padded (SD: 77)
    clip_embed_dim: int = 64             # shared image-text embedding size of the contrastive stage
    clip_steps: int = 600                # contrastive optimizer steps (with parts of captions 400 left two of five
                                         # encoders undertrained: own caption top-1 57 % and 73 % instead of 84-98 %)
    clip_batch_size: int = 128
    clip_lr: float = 2e-3
    clip_hard_negatives: float = 1.0     # weight of "pick your caption among all training captions": without it
                                         # "circle" and "square" can end up with identical text states
    clip_partial_caption: float = 0.5    # P(an image is paired with a random part of its caption, "a red shape"):
                                         # without it short and negative prompts are phrases the encoder never saw
    # 3. UNet (diffusers UNet2DConditionModel) on the cached latents
    unet_channels: tuple = (32, 64)      # widths at 8x8 and 4x4
    attention_levels: tuple = (True, True)   # which levels have cross-attention (the middle always has);
                                             # without it at 8x8 colour following drops (62 % vs 94.5 % at 2,000 steps)
    attention_head_dim: int = 8          # channels per attention head
    schedule: str = "squaredcos_cap_v2"  # diffusers beta_schedule (cosine)
    prediction: str = "v_prediction"     # what the UNet predicts: "v_prediction" or "epsilon"
    caption_dropout: float = 0.1         # P(prompt -> "") in training: the unconditional model for CFG
    partial_caption: float = 0.1         # P(prompt -> a random part of it, e.g. "a red shape")
    snr_gamma: float | None = 5.0        # Min-SNR-gamma loss weights (Hang et al. 2023); None: plain MSE. Over
                                         # five trainings (round 7) colour 98.0-100 % (plain: 93.5-99.0);
                                         # docs/performance/mini_sd.md
    unet_steps: int = 2000               # optimizer steps (3,000 at 2e-3 before round 8: a third of the stage's
                                         # time, and with Min-SNR every bar still met in five of five trainings)
    unet_batch_size: int = 32
    unet_lr: float = 3e-3                # at 2,000 steps 2e-3 left position at 93.0-96.0 % (seeds 0, 1), 3e-3
                                         # 95.5-98.5 % on the same models (docs/performance/mini_sd.md, round 8)
    ema_decay: float = 0.998             # the pipeline uses an exponential moving average of the UNet
    unet_lr_schedule: str = "cosine"     # "cosine" (decays to 0) or "constant": same cost, and over five training
                                         # seeds colour followed 95.6 % vs 94.1 % (docs/performance/mini_sd.md, round 4)

    def __post_init__(self):
        positive_ints = ("n_train", "latent_channels", "vae_steps", "vae_batch_size", "text_dim", "text_layers",
                         "text_heads", "max_length", "clip_embed_dim", "clip_steps", "clip_batch_size",
                         "attention_head_dim", "unet_steps", "unet_batch_size")
        for name in positive_ints:
            check_int(name, getattr(self, name), low=1)
        if self.max_length < LONGEST_CAPTION + 2:
            raise ValueError(f"max_length must be >= {LONGEST_CAPTION + 2}: the longest caption is {LONGEST_CAPTION} "
                             f"tokens, plus the start and end tokens; got {self.max_length}")
        check_number("clip_hard_negatives", self.clip_hard_negatives, low=0)
        for name in ("vae_lr", "clip_lr", "unet_lr", "kl_weight", "vae_edge_weight"):
            check_number(name, getattr(self, name), low=0)
        check_number("clip_partial_caption", self.clip_partial_caption, low=0, high=1)
        for name in ("caption_dropout", "partial_caption"):
            check_number(name, getattr(self, name), low=0, high=1, high_open=True)
        if self.caption_dropout + self.partial_caption >= 1:
            raise ValueError("caption_dropout + partial_caption must be < 1 (some prompts stay whole)")
        if self.snr_gamma is not None:
            check_number("snr_gamma", self.snr_gamma, low=0, low_open=True)
        check_number("ema_decay", self.ema_decay, low=0, high=1, low_open=True, high_open=True)
        check_seed("seed", self.seed)
        for name in ("vae_channels", "unet_channels", "attention_levels"):
            if not isinstance(getattr(self, name), (tuple, list)):
                raise TypeError(f"{name} must be a tuple (one entry per level), got {getattr(self, name)!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        for name in ("vae_lr_schedule", "unet_lr_schedule"):
            if getattr(self, name) not in LR_SCHEDULES:
                raise ValueError(f"{name} must be one of {LR_SCHEDULES}, got {getattr(self, name)!r}")
        if self.prediction not in PREDICTIONS:
            raise ValueError(f"prediction must be one of {PREDICTIONS}, got {self.prediction!r}")
        if len(self.vae_channels) < 2 or len(self.unet_channels) < 2:
            raise ValueError("vae_channels and unet_channels need at least 2 levels")
        if len(self.attention_levels) != len(self.unet_channels):
            raise ValueError(f"attention_levels needs one flag per UNet level ({len(self.unet_channels)}), "
                             f"got {self.attention_levels!r}")
        for name, most in (("vae_channels", 8), ("unet_channels", 16)):   # GroupNorm groups of build_vae / build_unet
            widths = getattr(self, name)
            for width in widths:
                check_int(f"each width in {name}", width, low=1)
            groups = min(most, widths[0])
            if any(width % groups for width in widths):
                raise ValueError(f"every width in {name} must be divisible by {groups} (its GroupNorm groups, "
                                 f"min({most}, first width)), got {tuple(widths)}")
        if any(width % self.attention_head_dim for width in self.unet_channels):
            raise ValueError(f"every width in unet_channels must be divisible by attention_head_dim "
                             f"({self.attention_head_dim}), got {self.unet_channels}")
        if self.text_dim % self.text_heads:
            raise ValueError(f"text_dim ({self.text_dim}) must be divisible by text_heads ({self.text_heads})")
        self.vae_channels, self.unet_channels = tuple(self.vae_channels), tuple(self.unet_channels)
        self.attention_levels = tuple(bool(a) for a in self.attention_levels)
        self.held_out = check_held_out(self.held_out)

    @classmethod
    def fast(cls, **overrides) -> "MiniSDConfig":
        """Tiny settings for CI: every stage runs in a few seconds; the pictures are not the lesson."""
        small = dict(n_train=256, vae_channels=(8, 16, 16), vae_steps=30, vae_batch_size=16, text_dim=32,
                     clip_embed_dim=32, clip_steps=20, clip_batch_size=32, unet_channels=(16, 32),
                     unet_steps=30, unet_batch_size=16)
        return cls(**{**small, **overrides})

    def replace(self, **changes) -> "MiniSDConfig":
        return replace(self, **changes)

    @property
    def latent_side(self) -> int:
        """Latent pixels per side for 32x32 images: 32 / 2 ** (levels - 1)."""
        return 32 // 2 ** (len(self.vae_channels) - 1)

    def _hash(self, names, *extra) -> str:
        values = {name: getattr(self, name) for name in names + DATA_FIELDS}
        text = json.dumps([values, *extra], sort_keys=True, default=list)
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def fingerprint(self, stage: str, *, with_steps: bool = True) -> str:
        """A short hash of everything `stage` ("vae" | "text" | "unet") depends on. with_steps=False
        leaves out the stage's own step count: runs that differ only in length share one resumable
        checkpoint, so training longer carries on from where a shorter run stopped (not with a decaying
        lr_schedule, whose curve depends on the length: then the step count stays in)."""
        own = {"vae": (VAE_FIELDS, "vae_steps"), "text": (TEXT_FIELDS, "clip_steps"), "unet": (UNET_FIELDS, "unet_steps")}
        if stage not in own:
            raise ValueError(f"stage must be 'vae', 'text' or 'unet', got {stage!r}")
        names, steps_field = own[stage]
        decaying = stage != "text" and getattr(self, f"{stage}_lr_schedule") != "constant"
        keep_steps = with_steps or decaying
        names = names if keep_steps else tuple(n for n in names if n != steps_field)
        inputs = (self.fingerprint("vae"), self.fingerprint("text")) if stage == "unet" else ()
        return self._hash(names, *inputs)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def asdict_config(config: MiniSDConfig) -> dict:
    """JSON-able copy of a config (for checkpoint metadata)."""
    return json.loads(json.dumps(asdict(config), default=list))
