"""`TextToImageConfig`: how chapter 07's text-to-image model is built and trained, and the fingerprint
that names its cached weights. `HELD_OUT`: the attribute combinations it never sees in training."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

HELD_OUT = ({"colour": "blue", "shape": "triangle"}, {"colour": "yellow", "shape": "square"},
            {"shape": "circle", "position": "top"})

# Hashed into every fingerprint although no longer a field: `prediction` was a config field that
# accepted only "v" (the network always predicts v). Hashing it keeps the names of weights cached
# before the field was dropped, so they stay valid instead of forcing a retrain.
FIXED_IN_FINGERPRINT = {"prediction": "v"}


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
    ema_decay: float = 0.995              # sample with an exponential moving average of the weights
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0
    amp: str = "off"                      # mixed precision, as TrainConfig.amp: "off" | "bf16" | "fp16" | "auto"
    preload: bool = False                 # copy the training set to the device once (GPU: no per-step copy)

    def fingerprint(self) -> str:
        """10 hex digits naming how the weights are trained, not how fast: amp/preload at their defaults
        leave old caches valid."""
        fields = {k: v for k, v in asdict(self).items() if (k, v) not in (("amp", "off"), ("preload", False))}
        text = json.dumps({**fields, **FIXED_IN_FINGERPRINT}, sort_keys=True, default=list)
        return hashlib.sha1(text.encode()).hexdigest()[:10]
