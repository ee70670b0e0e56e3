"""The GAN duet in code: the two losses, the two-step update, and a trainer that can resume.

One `gan_step` is two moves, in this order (Goodfellow et al. 2014, Algorithm 1):

1. **Discriminator step.** Show D a batch of real images and a batch of fakes from G (detached:
   this step must not touch G) and push D(real) up and D(fake) down.
2. **Generator step.** Make fresh fakes and push D(fake) up, by changing G only. D's weights are
   frozen here (gradients flow *through* D into G, but D's optimizer never steps).

Losses (on raw logits, no sigmoid in D):
    "nonsaturating":  L_D = softplus(-D(x)) + softplus(D(G(z)))     L_G = softplus(-D(G(z)))
    "hinge":          L_D = relu(1 - D(x)) + relu(1 + D(G(z)))     L_G = -D(G(z))
Taught in notebook 05.

`GANTrainer` is its own loop, not `genimg_edu.train.train`: one step is two optimizer steps on two
models with two losses, the EMA of G follows the G step, and D is frozen in the middle. `train()`
owns one model, one optimizer and one loss per step; bending it to two players would hide the very
update this chapter teaches. Everything else follows `train()`'s conventions and shares its pieces:
batches come from `train.batch_indices` (shuffled epochs without replacement, a pure function of the
step, so a resumed run draws the same batches), AdamW (weight_decay 0 = Adam, with the DCGAN betas),
`checkpoint_every=None` (save at the end only), one history record {"step", losses...} of means per
`log_every` steps handed to callbacks as `train()` hands them, and safetensors checkpoints through
`genimg_edu.checkpoint` (models, optimizers, the latent generator) that resume to the same run.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from ..checkpoint import load_checkpoint, save_checkpoint
from ..data import ImageSet, check_images
from ..device import amp_choice, device_capabilities, resolve_device
from ..ema import EMA
from ..train import DEVICE_RULE, batch_indices, check_fields, is_device

LOSSES = ("nonsaturating", "hinge")


def _check_loss(kind: str) -> str:
    if kind not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {kind!r}")
    return kind


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, *,
                       kind: str = "nonsaturating", label_smoothing: float = 0.0) -> torch.Tensor:
    """D's loss: real logits should be high, fake logits low. Logits: (B,). Returns a scalar.

    label_smoothing s (nonsaturating only) aims real logits at probability 1 - s instead of 1,
    so D does not grow over-confident on a tiny data set (Salimans et al. 2016).
    """
    _check_loss(kind)
    if not 0.0 <= label_smoothing < 0.5:
        raise ValueError(f"label_smoothing must be in [0, 0.5), got {label_smoothing}")
    if kind == "hinge":
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    real_target = torch.full_like(real_logits, 1.0 - label_smoothing)
    return (F.binary_cross_entropy_with_logits(real_logits, real_target)
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))


def generator_loss(fake_logits: torch.Tensor, *, kind: str = "nonsaturating") -> torch.Tensor:
    """G's loss: fake logits should be high. Non-saturating: -log sigmoid(D(G(z))) = softplus(-logit)."""
    _check_loss(kind)
    if kind == "hinge":
        return -fake_logits.mean()
    return F.softplus(-fake_logits).mean()


def sample_latent(generator: nn.Module, n: int, *, rng: torch.Generator | None = None,
                  device=None) -> torch.Tensor:
    """z ~ N(0, I) of shape (n, generator.latent_dim)."""
    z = torch.randn(n, generator.latent_dim, generator=rng)
    return z.to(device) if device is not None else z


def _call(model: nn.Module, x: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
    return model(x) if labels is None else model(x, labels)


def gan_step(generator: nn.Module, discriminator: nn.Module,
             g_optimizer: torch.optim.Optimizer, d_optimizer: torch.optim.Optimizer,
             real: torch.Tensor, *, labels: torch.Tensor | None = None, loss: str = "nonsaturating",
             label_smoothing: float = 0.0, rng: torch.Generator | None = None,
             on_d_step: Callable[[], None] | None = None) -> dict[str, float]:
    """One discriminator update, then one generator update. Returns the losses as floats.

    real: (B, ...) a batch of real data; labels: (B,) class labels for a conditional GAN (G and D
    then take `(input, labels)`), else None. rng seeds the latents. `on_d_step()` is called between
    the two updates (the live widget uses it to show the half-step). Notebook 05.
    """
    _check_loss(loss)
    if labels is not None and labels.shape != (len(real),):
        raise ValueError(f"labels must be ({len(real)},) to match real, got {tuple(labels.shape)}")
    batch, device = len(real), real.device

    # 1. Discriminator step: real up, fake down. The fakes are detached: G is not updated here.
    fake = _call(generator, sample_latent(generator, batch, rng=rng, device=device), labels).detach()
    d_loss = discriminator_loss(_call(discriminator, real, labels), _call(discriminator, fake, labels),
                                kind=loss, label_smoothing=label_smoothing)
    d_optimizer.zero_grad(set_to_none=True)
    d_loss.backward()
    d_optimizer.step()
    if on_d_step is not None:
        on_d_step()

    # 2. Generator step: fresh fakes, push D(fake) up. D is frozen (no grads, eval mode so not even
    #    a spectral-norm buffer moves); only G's optimizer steps.
    was_training = discriminator.training
    discriminator.requires_grad_(False).eval()
    try:
        fake = _call(generator, sample_latent(generator, batch, rng=rng, device=device), labels)
        fake_logits = _call(discriminator, fake, labels)
        g_loss = generator_loss(fake_logits, kind=loss)
        g_optimizer.zero_grad(set_to_none=True)
        g_loss.backward()
        g_optimizer.step()
    finally:
        discriminator.requires_grad_(True).train(was_training)
    return {"d_loss": d_loss.item(), "g_loss": g_loss.item(),
            "d_fake": torch.sigmoid(fake_logits.detach()).mean().item()}


@dataclass
class GANConfig:
    """How a GANTrainer trains. Every field has a default that works for the 8x8 digits."""

    steps: int = 2000                      # gan_steps (one D + one G update each)
    batch_size: int = 64
    lr_g: float = 2e-4                     # AdamW learning rates (no weight decay); beta1 = 0.5 is the DCGAN recipe
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    loss: str = "hinge"                    # one of LOSSES
    label_smoothing: float = 0.0           # nonsaturating loss only
    ema_decay: float | None = 0.999        # keep an exponential moving average of G (None: off)
    seed: int = 0                          # seeds the batch order (train.batch_indices) and the latents
    log_every: int = 50                    # history gets one averaged record every log_every steps
    checkpoint_path: str | None = None     # safetensors file to save to / resume from
    checkpoint_every: int | None = None    # also save every N steps (None: only at the end, when checkpoint_path is set)
    progress: bool = True                  # tqdm bar
    device: str | None = None              # None: pick_device()
    amp: str = "off"                       # "off" | "bf16" (autocast; no loss scaling needed) | "auto": bf16 where
                                           # the device computes it natively, else off (fp16 would need scaling)

    def __post_init__(self):
        def is_int(value, low):
            return isinstance(value, int) and not isinstance(value, bool) and value >= low

        def in_range(value, low, high, *, low_open=False, high_open=False):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
                return False
            return (low < value if low_open else low <= value) and (value < high if high_open else value <= high)
        betas = self.betas
        check_fields(self, {  # field: (is it valid?, what it must be)
            "steps": (is_int(self.steps, 1), "an int >= 1"),
            "batch_size": (is_int(self.batch_size, 1), "an int >= 1"),
            "lr_g": (in_range(self.lr_g, 0, float("inf"), low_open=True, high_open=True), "a finite number > 0"),
            "lr_d": (in_range(self.lr_d, 0, float("inf"), low_open=True, high_open=True), "a finite number > 0"),
            "betas": (isinstance(betas, (tuple, list)) and len(betas) == 2
                      and all(in_range(b, 0, 1, high_open=True) for b in betas), "two numbers in [0, 1)"),
            "loss": (self.loss in LOSSES, f"one of {LOSSES}"),
            "label_smoothing": (in_range(self.label_smoothing, 0, 1, high_open=True), "a number in [0, 1)"),
            "ema_decay": (self.ema_decay is None or in_range(self.ema_decay, 0, 1, high_open=True),
                          "None or a number in [0, 1)"),
            "seed": (is_int(self.seed, 0), "an int >= 0"),
            "log_every": (is_int(self.log_every, 1), "an int >= 1"),
            "checkpoint_every": (self.checkpoint_every is None or is_int(self.checkpoint_every, 1), "None or an int >= 1"),
            "device": (is_device(self.device), DEVICE_RULE),
            "amp": (self.amp in ("off", "bf16", "auto"), "'off', 'bf16' or 'auto'"),
        })
        if self.checkpoint_every is not None and self.checkpoint_path is None:
            raise ValueError("checkpoint_every needs a checkpoint_path to save to")
        self.betas = tuple(betas)


class GANTrainer:
    """Trains a (conditional) GAN with `gan_step`, keeps the loss history, an EMA copy of G, and
    checkpoints that resume to exactly the same continuation.

    data: images (N, C, H, W) in [-1, 1], an ImageSet in (-1, 1), or a tuple (images, labels).
    Labels are used when the generator is conditional (`generator.num_classes` set). Notebook 05.
    """

    def __init__(self, generator: nn.Module, discriminator: nn.Module, data, *, config: GANConfig | None = None):
        self.config = config or GANConfig()
        _check_loss(self.config.loss)
        self.device = resolve_device(self.config.device)
        if self.config.amp not in ("off", "bf16", "auto"):
            raise ValueError(f"amp must be 'off', 'bf16' or 'auto', got {self.config.amp!r}")
        bf16 = self.config.amp == "bf16" or (
            self.config.amp == "auto" and amp_choice(self.device.type, device_capabilities())[0] == torch.bfloat16)
        self.amp_dtype = torch.bfloat16 if bf16 else None
        self.images, self.labels = _unpack(data)
        self.conditional = getattr(generator, "num_classes", None) is not None
        if self.conditional and self.labels is None:
            raise ValueError("a conditional generator needs labelled data: an ImageSet or (images, labels)")
        self.generator, self.discriminator = generator.to(self.device), discriminator.to(self.device)
        self.g_optimizer = torch.optim.AdamW(generator.parameters(), lr=self.config.lr_g, betas=self.config.betas,
                                             weight_decay=0.0)
        self.d_optimizer = torch.optim.AdamW(discriminator.parameters(), lr=self.config.lr_d, betas=self.config.betas,
                                             weight_decay=0.0)
        self.ema_tracker = EMA(generator, decay=self.config.ema_decay, warmup=10) if self.config.ema_decay else None
        self.ema = self.ema_tracker.model if self.ema_tracker is not None else None  # the averaged G
        self.rng = torch.Generator().manual_seed(self.config.seed)  # the latents
        self.step, self.history = 0, []
        path = self.config.checkpoint_path
        if path and Path(path).exists():
            self.load(path)

    def _batch(self):
        rows = batch_indices(self.step, n=len(self.images), batch_size=self.config.batch_size, seed=self.config.seed)
        labels = self.labels.index_select(0, rows) if self.conditional else None
        real = self.images.index_select(0, rows)
        if self.device.type == "cuda":  # page-locked copies go to the GPU asynchronously
            real, labels = real.pin_memory(), labels.pin_memory() if labels is not None else None
        to = lambda t: t.to(self.device, non_blocking=True) if t is not None else None  # noqa: E731
        return to(real), to(labels)

    def fit(self, steps: int | None = None, *, callbacks=()) -> list[dict]:
        """Train until `steps` total gan_steps (default config.steps). Each callback(step, logs) runs
        at every log with the record, as `train` calls them (so `viz.LiveLossPlot` works). Returns the
        history: [{"step", "d_loss", "g_loss", "d_fake"}, ...]."""
        target = self.config.steps if steps is None else steps
        if isinstance(target, bool) or not isinstance(target, int) or target < 1:
            raise ValueError(f"steps must be an int >= 1 (the total gan_steps to reach), got {target!r}")
        cfg, sums = self.config, {}
        self.generator.train(), self.discriminator.train()
        bar = tqdm(total=target, initial=self.step, disable=not cfg.progress, desc="GAN")
        while self.step < target:
            real, labels = self._batch()
            with torch.autocast(self.device.type, dtype=self.amp_dtype) if self.amp_dtype else nullcontext():
                losses = gan_step(self.generator, self.discriminator, self.g_optimizer, self.d_optimizer, real,
                                  labels=labels, loss=cfg.loss, label_smoothing=cfg.label_smoothing, rng=self.rng)
            if self.ema_tracker is not None:
                self.ema_tracker(self.step, self.generator)  # warm-up: early on the EMA tracks G
            self.step += 1
            bar.update(1)
            for key, value in losses.items():
                sums[key] = sums.get(key, 0.0) + value
            if self.step % cfg.log_every == 0 or self.step == target:
                count = self.step - (self.history[-1]["step"] if self.history else 0)
                record = {"step": self.step, **{k: v / count for k, v in sums.items()}}
                self.history.append(record)
                sums = {}
                bar.set_postfix(d_loss=f"{record['d_loss']:.3f}", g_loss=f"{record['g_loss']:.3f}")
                for callback in callbacks:
                    callback(self.step, dict(record))
            if cfg.checkpoint_path and cfg.checkpoint_every is not None and self.step % cfg.checkpoint_every == 0:
                self.save(cfg.checkpoint_path)
        bar.close()
        if cfg.checkpoint_path:
            self.save(cfg.checkpoint_path)
        return self.history

    @torch.no_grad()
    def sample(self, n: int, *, labels: torch.Tensor | None = None, ema: bool = True, seed: int = 0) -> torch.Tensor:
        """n images (n, C, H, W) in [-1, 1] from the EMA generator (or the raw one, ema=False)."""
        model = self.ema if (ema and self.ema is not None) else self.generator
        was_training = model.training
        model.eval()
        z = sample_latent(model, n, rng=torch.Generator().manual_seed(seed), device=self.device)
        out = model(z) if labels is None else model(z, labels.to(self.device))
        model.train(was_training)
        return out.cpu()

    def save(self, path) -> Path:
        modules = {"generator": self.generator, "discriminator": self.discriminator}
        if self.ema is not None:
            modules["ema"] = self.ema
        return save_checkpoint(path, modules=modules,
                               optimizers={"g": self.g_optimizer, "d": self.d_optimizer},
                               tensors={"rng_state": self.rng.get_state()},
                               meta={"step": self.step, "history": self.history})

    def load(self, path) -> None:
        modules = {"generator": self.generator, "discriminator": self.discriminator}
        if self.ema is not None:
            modules["ema"] = self.ema
        state = load_checkpoint(path, modules=modules, optimizers={"g": self.g_optimizer, "d": self.d_optimizer})
        self.rng.set_state(state["tensors"]["rng_state"])
        self.step, self.history = int(state["meta"]["step"]), list(state["meta"]["history"])


def _unpack(data):
    if isinstance(data, ImageSet):
        if tuple(data.value_range) != (-1.0, 1.0):
            raise ValueError(f"GANs train on images in [-1, 1]: load with value_range=(-1, 1), got {data.value_range}")
        images, labels = data.images, data.labels
    elif isinstance(data, tuple) and len(data) == 2:
        images, labels = data
    elif isinstance(data, torch.Tensor):
        images, labels = data, None
    else:
        raise TypeError(f"data must be an ImageSet, a tensor or (images, labels), got {type(data).__name__}")
    if images.ndim == 4:
        check_images(images, value_range=(-1, 1), name="data images")
    if labels is not None and labels.shape != (len(images),):
        raise ValueError(f"labels must be ({len(images)},), got {tuple(labels.shape)}")
    return images, labels
