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

import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from tqdm.auto import tqdm

from .checkpoint import get_rng_state, load_checkpoint, save_checkpoint, set_rng_state
from .data import ImageSet
from .device import cpu_has_fast_bf16, pick_device, seed_everything

AMP_CHOICES = ("off", "bf16", "fp16", "auto")


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

    def __post_init__(self):
        def positive_int(name, allow_none=False):
            value = getattr(self, name)
            if allow_none and value is None:
                return
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        for name in ("steps", "batch_size", "log_every"):
            positive_int(name)
        positive_int("checkpoint_every", allow_none=True)
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not (isinstance(self.weight_decay, (int, float)) and self.weight_decay >= 0):
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        self.betas = tuple(self.betas)
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ValueError(f"grad_clip must be a positive number or None, got {self.grad_clip!r}")
        if not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be an int in [0, 2**32), got {self.seed!r}")
        if self.amp not in AMP_CHOICES:
            raise ValueError(f"amp must be one of {AMP_CHOICES}, got {self.amp!r}")
        if self.checkpoint_every is not None and self.checkpoint_path is None:
            raise ValueError("checkpoint_every needs a checkpoint_path to save to")


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


def batch_indices(step: int, *, n: int, batch_size: int, seed: int) -> torch.Tensor:
    """Row indices (batch_size,) of batch number `step`: positions step*B .. step*B+B-1 of an endless
    sequence of shuffled epochs, each shuffled by a generator seeded from (seed, epoch)."""
    positions = torch.arange(step * batch_size, (step + 1) * batch_size)
    epochs = positions // n
    rows = torch.empty(batch_size, dtype=torch.long)
    for epoch in epochs.unique().tolist():
        generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch)
        in_epoch = epochs == epoch
        rows[in_epoch] = torch.randperm(n, generator=generator)[positions[in_epoch] % n]
    return rows


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
    if isinstance(data, ImageSet):
        return data.images[rows], data.labels[rows]
    if isinstance(data, (tuple, list)):
        return tuple(t[rows] for t in data)
    if isinstance(data, torch.Tensor):
        return data[rows]
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


def _amp_dtype(amp: str, device: torch.device):
    if amp == "auto":
        amp = "fp16" if device.type == "cuda" else ("bf16" if device.type == "cpu" and cpu_has_fast_bf16() else "off")
    if amp == "fp16" and device.type != "cuda":
        raise ValueError(f"amp='fp16' needs a CUDA device, got {device}; use 'bf16' or 'off'")
    return {"off": None, "bf16": torch.bfloat16, "fp16": torch.float16}[amp]


@contextmanager
def _rng_untouched():
    """Callbacks may draw random numbers (e.g. to sample images) without changing the training run."""
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def train(model: torch.nn.Module, loss_fn, data, *, config: TrainConfig, optimizer=None,
          callbacks=(), on_step=(), checkpoint_modules: dict | None = None) -> TrainResult:
    """Train `model` for `config.steps` optimizer steps and return a TrainResult.

    loss_fn(model, batch) -> scalar loss tensor, or a dict with "loss" and other scalars to log.
    data: ImageSet (batch = (images, labels)), tuple of equal-length tensors (batch = tuple),
    a tensor, or any map-style Dataset (collated). optimizer: default AdamW from the config.
    callbacks: callback(step, logs) every log_every steps (e.g. viz.LiveLossPlot); raising
    KeyboardInterrupt stops training. on_step: hook(step, model) after every optimizer step (e.g.
    an EMA update); hooks with their own state pass it as checkpoint_modules={"ema": ema_model} so a
    resumed run restores it. If config.checkpoint_path exists, training resumes from it.
    """
    device = torch.device(config.device) if config.device is not None else pick_device()
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

    step, history, window = 0, [], {}
    seed_everything(config.seed)
    path = Path(config.checkpoint_path) if config.checkpoint_path is not None else None
    if path is not None and path.exists():
        state = load_checkpoint(path, modules=modules, optimizers={"optimizer": optimizer}, restore_rng=True)
        meta = state["meta"]
        if meta.get("config") != fingerprint:
            raise ValueError(f"checkpoint {path} was written with {meta.get('config')}, this run uses "
                             f"{fingerprint}; delete the file or choose another checkpoint_path")
        if meta["step"] > config.steps:
            raise ValueError(f"checkpoint {path} is at step {meta['step']}, past steps={config.steps}")
        step, history, window = meta["step"], meta["history"], meta["window"]
        if scaler is not None and meta.get("scaler"):
            scaler.load_state_dict(meta["scaler"])
    resumed_from = step
    window = {k: torch.tensor(v, device=device) for k, v in window.items()}

    def save():
        meta = {"step": step, "history": history, "config": fingerprint,
                "window": {k: v.item() for k, v in window.items()},
                "scaler": scaler.state_dict() if scaler is not None else None}
        save_checkpoint(path, modules=modules, optimizers={"optimizer": optimizer}, meta=meta, rng=True)

    was_training = model.training
    model.train()
    start = time.perf_counter()
    bar = tqdm(total=config.steps, initial=step, disable=not config.progress, desc="train")
    try:
        while step < config.steps:
            rows = batch_indices(step, n=n, batch_size=config.batch_size, seed=config.seed)
            batch = _to_device(get_batch(data, rows), device, config.channels_last)
            with torch.autocast(device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None):
                out = loss_fn(model, batch)
            logs = out if isinstance(out, dict) else {"loss": out}
            if "loss" not in logs or not isinstance(logs["loss"], torch.Tensor) or logs["loss"].ndim != 0:
                raise TypeError("loss_fn must return a scalar tensor or a dict with a scalar tensor 'loss'")
            optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(logs["loss"]).backward()
                scaler.unscale_(optimizer)
            else:
                logs["loss"].backward()
            if config.grad_clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            step += 1
            for hook in on_step:
                hook(step, model)
            for key, value in logs.items():  # running sums on the device: no sync every step
                value = torch.as_tensor(value).detach().float().to(device)
                window[key] = window.get(key, torch.zeros((), device=device)) + value
            window["_count"] = window.get("_count", torch.zeros((), device=device)) + 1
            bar.update(1)
            if step % config.log_every == 0 or step == config.steps:
                count = window.pop("_count").item()
                record = {"step": step, **{k: v.item() / count for k, v in window.items()}}
                history.append(record)
                window = {}
                bar.set_postfix(loss=f"{record['loss']:.4f}")
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
