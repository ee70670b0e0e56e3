"""An exponential moving average (EMA) of a model's weights: the copy generative models sample from.

    ema = decay * ema + (1 - decay) * weights        after every optimizer step

Averaging smooths out the last steps' noise, so samples from the EMA copy are cleaner after short
training. Early on the average would be dominated by the random initial weights, so the effective
decay ramps up: min(decay, (1 + step) / (warmup + step)). Used by chapters 05, 06 and 07.
"""
from __future__ import annotations

import copy

import torch


class EMA:
    """A frozen copy `ema.model` of `model` that follows its weights as a moving average.

    Call `ema(step, model)` after each optimizer step; it is an `on_step` hook for
    `genimg_edu.train.train` (pass `checkpoint_modules={"ema": ema.model}` so a resumed run restores it).
    Buffers (e.g. BatchNorm statistics) are copied, not averaged. The copy stays on the device it was
    made on; the weights are moved to it at each update.
    """

    def __init__(self, model: torch.nn.Module, *, decay: float = 0.995, warmup: int = 100):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        if not isinstance(warmup, int) or warmup < 0:
            raise ValueError(f"warmup must be an int >= 0, got {warmup!r}")
        self.model = copy.deepcopy(model).eval().requires_grad_(False)
        self.decay, self.warmup = decay, warmup

    @torch.no_grad()
    def __call__(self, step: int, model: torch.nn.Module) -> None:
        decay = min(self.decay, (1 + step) / (self.warmup + step))  # average less while weights move fast
        for ema_p, p in zip(self.model.parameters(), model.parameters()):
            ema_p.lerp_(p.detach().to(device=ema_p.device, dtype=ema_p.dtype), 1.0 - decay)
        for ema_b, b in zip(self.model.buffers(), model.buffers()):
            ema_b.copy_(b)
