"""A generic training loop: it knows nothing about the model.

It only knows how to draw batches from `data`, ask `loss_fn(model, batch)` for a loss, take an
optimizer step, log, and checkpoint. Everything that makes a model an autoencoder, a GAN critic or
a diffusion denoiser lives in that model's `loss_fn`, in the chapter that teaches it::

    def loss_fn(model, batch):
        images, labels = batch
        return F.cross_entropy(model(images), labels)

    result = train(model, loss_fn, load_dataset("digits"), config=TrainConfig(steps=500))
    plot_losses(result.history)

Batches are drawn without a DataLoader: batch number `step` is a slice of a per-epoch permutation
seeded from `(config.seed, epoch)`, so the batch order is a pure function of the step number. With
the model, optimizer and random-generator states in the checkpoint, an interrupted run resumes to the
very same weights as an uninterrupted one. Taught in notebook 02; used by every later chapter.
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import torch
from tqdm.auto import tqdm

from .checkpoint import get_rng_state, load_checkpoint, save_checkpoint, set_rng_state
from .data import ImageSet
# DEVICE_RULE and is_device live in device.py; configs elsewhere import them from here too
from .device import DEVICE_RULE, amp_choice, device_capabilities, is_device, resolve_device, seed_everything

AMP_CHOICES = ("off", "bf16", "fp16", "auto")
LR_SCHEDULES = ("constant", "cosine")


@dataclass(kw_only=True)
class TrainConfig:
    steps: int                                   # optimizer steps in total (a resumed run stops here too)
    batch_size: int = 64                         # examples per step
    lr: float = 1e-3                             # AdamW learning rate (ignored if you pass an optimizer)
    weight_decay: float = 0.0                    # AdamW decoupled weight decay
    betas: tuple[float, float] = (0.9, 0.999)    # AdamW momentum coefficients
    grad_clip: float | None = 1.0                # clip the gradient norm to this; None: no clipping
    seed: int = 0                                # seeds batch order and all generators at the start
    device: str | torch.device | None = None     # None: pick_device() (cuda -> mps -> cpu)
    log_every: int = 50                          # log the mean loss and call callbacks every N steps
    checkpoint_path: str | Path | None = None    # resume from here if it exists; save here
    checkpoint_every: int | None = None          # also save every N steps (always saved at the end)
    progress: bool = True                        # show a tqdm progress bar
    channels_last: bool = False                  # NHWC memory layout for conv nets (faster on some CPUs/GPUs)
    amp: str = "off"                             # mixed precision: "off" | "bf16" | "fp16" | "auto"
    lr_schedule: str = "constant"                # "constant", or "cosine": lr * (1 + cos(pi * step / steps)) / 2

    def __post_init__(self):
        rules = {  # field: (is it valid?, what it must be)
            "steps": (is_int(self.steps, 1), "an int >= 1"),
            "batch_size": (is_int(self.batch_size, 1), "an int >= 1"),
            "lr": (is_number(self.lr) and 0 < self.lr < float("inf"), "a finite number > 0"),
            "weight_decay": (is_number(self.weight_decay) and 0 <= self.weight_decay < float("inf"),
                             "a finite number >= 0"),
            "betas": (len(self.betas) == 2 and all(is_number(b) and 0 <= b < 1 for b in self.betas),
                      "two numbers in [0, 1)"),
            "grad_clip": (self.grad_clip is None or is_number(self.grad_clip) and 0 < self.grad_clip < float("inf"),
                          "None or a number > 0"),
            "seed": (is_int(self.seed, 0) and self.seed < 2**32, "an int in [0, 2**32)"),
            "log_every": (is_int(self.log_every, 1), "an int >= 1"),
            "checkpoint_every": (self.checkpoint_every is None or is_int(self.checkpoint_every, 1), "None or an int >= 1"),
            "amp": (self.amp in AMP_CHOICES, f"one of {AMP_CHOICES}"),
            "lr_schedule": (self.lr_schedule in LR_SCHEDULES, f"one of {LR_SCHEDULES}"),
            "device": (is_device(self.device), DEVICE_RULE),
        }
        check_fields(self, rules)
        if self.checkpoint_every is not None and self.checkpoint_path is None:
            raise ValueError("checkpoint_every needs a checkpoint_path to save to")
        self.betas = tuple(self.betas)


def check_fields(config, rules: dict) -> None:
    """Raise ValueError naming the first field whose check fails. rules: field -> (valid?, what it must be).
    Config dataclasses call it from __post_init__ so a bad value fails where it is typed."""
    for name, (valid, expected) in rules.items():
        if not valid:
            raise ValueError(f"{name} must be {expected}, got {getattr(config, name)!r}")


def is_int(value, low: int) -> bool:
    """An int (not a bool) >= low: the check config rules (check_fields) use for counts and seeds."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def is_number(value) -> bool:
    """An int or float (not a bool); the rule adds its own range."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass
class TrainResult:
    history: list[dict]      # one record per log: {"step": int, "loss": float, ...other logged values}
    seconds: float           # wall-clock time of this call (not of earlier, resumed runs)
    step: int = 0            # the step training stopped at (== config.steps when finished)
    resumed_from: int = 0    # the checkpoint step this call started from (0: a fresh run)

    @property
    def final_loss(self) -> float:
        """The last logged loss."""
        return self.history[-1]["loss"]


@lru_cache(maxsize=4)
def _epoch_order(n: int, seed: int, epoch: int) -> torch.Tensor:
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1_000_003 + epoch))


def batch_indices(step: int, *, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Row indices (batch_size,) of batch number `step`: positions step*B .. step*B+B-1 of an endless
    sequence of shuffled epochs, each shuffled by a generator seeded from (seed, epoch)."""
    first, last = step * batch_size, (step + 1) * batch_size - 1
    if first // n == last // n:  # the usual case: the batch lies inside one epoch
        return _epoch_order(n, seed, first // n)[first % n:last % n + 1].clone()
    positions = torch.arange(first, last + 1)
    return torch.cat([_epoch_order(n, seed, int(epoch))[positions[positions // n == epoch] % n]
                      for epoch in range(first // n, last // n + 1)])


def _dataset_size(data) -> int:
    if isinstance(data, (tuple, list)):
        if not data or not all(isinstance(t, torch.Tensor) for t in data):
            raise TypeError("data as a tuple must hold tensors, e.g. (images, labels)")
        if len({len(t) for t in data}) != 1:
            raise ValueError(f"tensors in data must have the same length, got {[len(t) for t in data]}")
        return len(data[0])
    if isinstance(data, (torch.Tensor, torch.utils.data.Dataset)):
        return len(data)
    raise TypeError(f"data must be an ImageSet, Dataset, tensor or tuple of tensors, got {type(data).__name__}")


def get_batch(data, rows: torch.Tensor):
    """The examples at `rows`: (images, labels) for an ImageSet, a tuple for a tuple of tensors."""
    if isinstance(data, ImageSet):  # index_select: ~3x faster than data[rows] for scattered rows
        return data.images.index_select(0, rows), data.labels.index_select(0, rows)
    if isinstance(data, (tuple, list)):
        return tuple(t.index_select(0, rows.to(t.device)) for t in data)
    if isinstance(data, torch.Tensor):
        return data.index_select(0, rows.to(data.device))
    return torch.utils.data.default_collate([data[i] for i in rows.tolist()])


def _to_device(batch, device, channels_last):
    if isinstance(batch, torch.Tensor):
        batch = batch.to(device, non_blocking=True)
        return batch.contiguous(memory_format=torch.channels_last) if channels_last and batch.ndim == 4 else batch
    if isinstance(batch, (tuple, list)):
        return type(batch)(_to_device(b, device, channels_last) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_device(v, device, channels_last) for k, v in batch.items()}
    return batch


def _amp_dtype(amp: str, device: torch.device, capabilities: dict[str, bool] | None = None):
    """The autocast dtype (None: float32) for TrainConfig.amp on `device`. "auto" follows
    `device.amp_choice` for `capabilities` (default: this machine's `device_capabilities()`): bf16 on a
    GPU that computes it natively, else fp16 (train() then adds a GradScaler); float32 on MPS; bf16 on a
    CPU only with native bf16 arithmetic."""
    if amp == "auto":
        if device.type not in ("cuda", "mps", "cpu"):
            return None
        caps = device_capabilities() if capabilities is None else capabilities
        dtype, _ = amp_choice(device.type, caps)
        amp = {None: "off", torch.bfloat16: "bf16", torch.float16: "fp16"}[dtype]
    if amp == "fp16" and device.type != "cuda":
        raise ValueError(f"amp='fp16' needs a CUDA device, got {device}; use 'bf16' or 'off'")
    return {"off": None, "bf16": torch.bfloat16, "fp16": torch.float16}[amp]


def lr_factor(schedule: str, step: int, steps: int) -> float:
    """The learning rate of optimizer step `step` (0-based) as a fraction of TrainConfig.lr.
    "cosine" (Loshchilov & Hutter 2017, without restarts) falls from 1 at step 0 to nearly 0 at the
    last step: late steps make small changes, so where a run stops matters less."""
    if schedule == "constant":
        return 1.0
    if schedule == "cosine":
        return 0.5 * (1 + math.cos(math.pi * step / steps))
    raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {schedule!r}")


def _set_lr(optimizer, factor: float) -> None:
    """Scale every parameter group's starting learning rate (kept as "initial_lr", as torch's own
    schedulers do, so it is in the optimizer's state and a resumed run continues the same curve)."""
    for group in optimizer.param_groups:
        group.setdefault("initial_lr", group["lr"])
        group["lr"] = group["initial_lr"] * factor


def _as_logs(out) -> dict:
    logs = out if isinstance(out, dict) else {"loss": out}
    if not isinstance(logs.get("loss"), torch.Tensor) or logs["loss"].ndim != 0:
        raise TypeError("loss_fn must return a scalar tensor or a dict with a scalar tensor 'loss'")
    if not logs["loss"].requires_grad:
        raise ValueError("loss_fn returned a loss that does not require grad, so no weight would change: compute "
                         "it from model(...) outputs, without torch.no_grad(), .detach() or .item()")
    return logs


def _optimizer_step(loss, *, model, optimizer, scaler, grad_clip):
    """backward -> (unscale) -> clip the gradient norm -> step."""
    optimizer.zero_grad(set_to_none=True)
    if scaler is None:
        loss.backward()
    else:
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
    if grad_clip is not None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    if scaler is None:
        optimizer.step()
    else:
        scaler.step(optimizer)
        scaler.update()


def _mean(values, device) -> float:
    return torch.stack([torch.as_tensor(v, device=device).float() for v in values]).mean().item()


@contextmanager
def _rng_untouched():
    """Callbacks may draw random numbers (e.g. to sample images) without changing the training run."""
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _resume(path: Path, *, modules, optimizer, scaler, fingerprint, steps):
    """Restore model(s), optimizer, scaler and generators from `path`; return (step, history, window)."""
    meta = load_checkpoint(path)["meta"]  # check first, so a refused checkpoint changes nothing
    if meta.get("config") != fingerprint:
        raise ValueError(f"checkpoint {path} was written with {meta.get('config')}, this run uses "
                         f"{fingerprint}; choose another checkpoint_path for this run (that file holds the other run)")
    if meta["step"] > steps:
        raise ValueError(f"checkpoint {path} is at step {meta['step']}, past steps={steps}: it holds a longer run. "
                         f"Ask for steps >= {meta['step']} to continue it, or train the shorter run with another "
                         "checkpoint_path (delete this file only if you no longer need that run)")
    load_checkpoint(path, modules=modules, optimizers={"optimizer": optimizer}, restore_rng=True)
    if scaler is not None and meta.get("scaler"):
        scaler.load_state_dict(meta["scaler"])
    return meta["step"], meta["history"], meta["window"]


def train(model: torch.nn.Module, loss_fn, data, *, config: TrainConfig, optimizer=None,
          callbacks=(), on_step=(), checkpoint_modules: dict | None = None, batch_rows=None) -> TrainResult:
    """Train `model` for `config.steps` optimizer steps and return a TrainResult.

    loss_fn(model, batch) -> scalar loss tensor, or a dict with "loss" and other scalars to log.
    data: ImageSet (batch = (images, labels)), tuple of equal-length tensors (batch = tuple),
    a tensor, or any map-style Dataset (collated). optimizer: default AdamW from the config.
    callbacks: callback(step, logs) every log_every steps (e.g. viz.LiveLossPlot); raising
    KeyboardInterrupt stops training. on_step: hook(step, model) after every optimizer step (e.g.
    an EMA update); hooks with their own state pass it as checkpoint_modules={"ema": ema_model} so a
    resumed run restores it. If config.checkpoint_path exists, training resumes from it.
    batch_rows: rows(step) -> (B,) long row indices of batch number `step`, for a recipe with its own
    batch order (the judges: a fresh permutation per epoch and a short last batch); default
    `batch_indices` (shuffled epochs seeded from config.seed, a pure function of the step, so resuming
    reproduces the run; a custom order resumes exactly only if it is one too).
    """
    device = resolve_device(config.device)
    n = _dataset_size(data)
    if n == 0:
        raise ValueError("data is empty")
    amp_dtype = _amp_dtype(config.amp, device)
    model.to(device)
    if config.channels_last:
        model.to(memory_format=torch.channels_last)
    if optimizer is None:
        optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, betas=config.betas,
                                      weight_decay=config.weight_decay)
    scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None
    modules = {"model": model, **(checkpoint_modules or {})}
    fingerprint = {k: v for k, v in asdict(config).items() if k in ("batch_size", "seed", "lr", "amp")}
    if config.lr_schedule != "constant":  # the curve depends on the length, so a run can't be extended
        fingerprint.update(lr_schedule=config.lr_schedule, steps=config.steps)

    seed_everything(config.seed)
    path = Path(config.checkpoint_path) if config.checkpoint_path is not None else None
    step, history, window = 0, [], {}
    if path is not None and path.exists():
        step, history, window = _resume(path, modules=modules, optimizer=optimizer, scaler=scaler,
                                        fingerprint=fingerprint, steps=config.steps)
    resumed_from = step

    def save():
        meta = {"step": step, "history": history, "config": fingerprint,
                "window": {k: [float(v) for v in values] for k, values in window.items()},
                "scaler": scaler.state_dict() if scaler is not None else None}
        save_checkpoint(path, modules=modules, optimizers={"optimizer": optimizer}, meta=meta, rng=True)

    was_training = model.training
    model.train()
    start = time.perf_counter()
    bar = tqdm(total=config.steps, initial=step, disable=not config.progress, desc="train")
    try:
        while step < config.steps:
            rows = (batch_indices(step, n=n, batch_size=config.batch_size, seed=config.seed)
                    if batch_rows is None else batch_rows(step))
            batch = _to_device(get_batch(data, rows), device, config.channels_last)
            with torch.autocast(device.type, dtype=amp_dtype) if amp_dtype is not None else nullcontext():
                logs = _as_logs(loss_fn(model, batch))
            if config.lr_schedule != "constant":
                _set_lr(optimizer, lr_factor(config.lr_schedule, step, config.steps))
            _optimizer_step(logs["loss"], model=model, optimizer=optimizer, scaler=scaler, grad_clip=config.grad_clip)
            step += 1
            for hook in on_step:
                hook(step, model)
            for key, value in logs.items():  # kept on the device until the next log: no sync per step
                window.setdefault(key, []).append(value.detach() if isinstance(value, torch.Tensor) else value)
            bar.update(1)
            if step % config.log_every == 0 or step == config.steps:
                history.append({"step": step, **{k: _mean(values, device) for k, values in window.items()}})
                window = {}
                bar.set_postfix(loss=f"{history[-1]['loss']:.4f}")
            if path is not None and (step == config.steps or
                                     (config.checkpoint_every and step % config.checkpoint_every == 0)):
                save()
            if history and history[-1]["step"] == step:
                with _rng_untouched():
                    for callback in callbacks:
                        callback(step, dict(history[-1]))
    finally:
        bar.close()
        model.train(was_training)
    return TrainResult(history=history, seconds=time.perf_counter() - start, step=step,
                       resumed_from=resumed_from)
