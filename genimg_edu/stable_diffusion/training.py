"""Train the three stages once, cache each as safetensors, and resume a stage that was interrupted.

    vae, vae_info   = load_or_train_vae(config)                         # stage 1
    pair, text_info = load_or_train_text_encoder(config, tokenizer)      # stage 2 (then frozen)
    latents         = cached_latents(config, vae)                        # encode the data once
    unet, unet_info = load_or_train_unet(config, vae, vae_info, pair.text_encoder, tokenizer)  # stage 3

Each finished stage is one file `mini_sd_<stage>_<fingerprint>.safetensors` in `cache_dir()` (or
`directory`). `...partial.safetensors` (named without the step count) holds the stage's resumable
checkpoint (model, optimizer, generators, EMA): running the same call again after an interruption
carries on where it stopped, and asking for more steps continues the shorter run. The
latents of the training set are computed once per VAE and cached too: the UNet stage never runs
the encoder. Every info dict records wall seconds and process CPU seconds of the training call.
Each stage trains on `device` (None: `pick_device()`, so a Colab GPU is used when there is one); the
cached files do not depend on where they were trained.
"""
from __future__ import annotations

import time
from pathlib import Path

import torch

from ..checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ..device import cache_dir
from .config import MiniSDConfig, asdict_config
from .prompts import prompt_table, training_images
from .text_encoder import ContrastivePair, build_text_encoder, encode_prompts, freeze, train_text_encoder
from .unet import build_unet, train_unet
from .vae import build_vae, encode, measure_scaling_factor, train_vae


def stage_path(config: MiniSDConfig, stage: str, directory=None) -> Path:
    """Where a finished stage ("vae", "text", "unet", "latents") is cached."""
    fingerprint = config.fingerprint("vae" if stage == "latents" else stage)
    return Path(directory or cache_dir()) / f"mini_sd_{stage}_{fingerprint}.safetensors"


def partial_path(config: MiniSDConfig, stage: str, directory=None) -> Path:
    """The resumable checkpoint of a stage ("vae", "text", "unet"): named without the stage's step count
    and kept after training, so an interrupted run resumes and a longer run continues a shorter one."""
    return Path(directory or cache_dir()) / f"mini_sd_{stage}_{config.fingerprint(stage, with_steps=False)}.partial.safetensors"


def _timed(fn):
    """Run fn(); return (its result, {"seconds": wall, "cpu_seconds": this process's CPU time})."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}


def _try_load(path: Path, modules: dict):
    try:
        return load_checkpoint(path, modules=modules)
    except CheckpointError:
        return None


def load_or_train_vae(config: MiniSDConfig, *, directory=None, progress: bool = True, data=None, device=None):
    """Stage 1. Returns (AutoencoderKL with the measured scaling_factor in its config, info)."""
    path = stage_path(config, "vae", directory)
    torch.manual_seed(config.seed)
    vae = build_vae(config)
    loaded = _try_load(path, {"vae": vae})
    if loaded is None:
        data = data if data is not None else training_images(config)
        result, timing = _timed(lambda: train_vae(vae, data.images, config, progress=progress, device=device,
                                                  checkpoint_path=partial_path(config, "vae", directory)))
        mean, _ = encode(vae.eval(), data.images)
        meta = {**timing, "history": result.history, "resumed_from": result.resumed_from,
                "scaling_factor": measure_scaling_factor(mean), "config": asdict_config(config)}
        save_checkpoint(path, modules={"vae": vae}, meta=meta)
        info = {**meta, "cached": False}
    else:
        info = {**loaded["meta"], "cached": True}
    vae.register_to_config(scaling_factor=info["scaling_factor"])
    return freeze(vae), {**info, "path": str(path)}


def load_or_train_text_encoder(config: MiniSDConfig, tokenizer, *, directory=None, progress: bool = True, data=None,
                               device=None):
    """Stage 2. Returns (ContrastivePair whose .text_encoder is trained and frozen, info)."""
    path = stage_path(config, "text", directory)
    torch.manual_seed(config.seed)
    pair = ContrastivePair(build_text_encoder(config, tokenizer), config)
    loaded = _try_load(path, {"pair": pair})
    if loaded is None:
        data = data if data is not None else training_images(config)
        result, timing = _timed(lambda: train_text_encoder(pair, tokenizer, data, config,
                                                           progress=progress, device=device,
                                                           checkpoint_path=partial_path(config, "text", directory)))
        meta = {**timing, "history": result.history, "resumed_from": result.resumed_from,
                "config": asdict_config(config)}
        save_checkpoint(path, modules={"pair": pair}, meta=meta)
        info = {**meta, "cached": False}
    else:
        info = {**loaded["meta"], "cached": True}
    freeze(pair)
    return pair, {**info, "path": str(path)}


def cached_latents(config: MiniSDConfig, vae, *, directory=None, data=None):
    """(mean, std, prompt index (N, 16), prompts) of the whole training set, encoded once per VAE."""
    path = stage_path(config, "latents", directory)
    data = data if data is not None else training_images(config)
    prompts, index = prompt_table(data)
    try:
        tensors = load_checkpoint(path)["tensors"]
        if len(tensors["mean"]) == len(data):
            return tensors["mean"], tensors["std"], index, prompts
    except CheckpointError:
        pass
    mean, std = encode(vae, data.images)
    save_checkpoint(path, tensors={"mean": mean, "std": std}, meta={"config": asdict_config(config)})
    return mean, std, index, prompts


def load_or_train_unet(config: MiniSDConfig, vae, text_encoder, tokenizer, *, directory=None,
                       progress: bool = True, data=None, callbacks=(), device=None):
    """Stage 3 on the cached latents and the frozen text encoder. Returns (EMA UNet, info)."""
    path = stage_path(config, "unet", directory)
    torch.manual_seed(config.seed)
    unet = build_unet(config)
    loaded = _try_load(path, {"unet": unet})
    if loaded is None:
        mean, std, index, prompts = cached_latents(config, vae, directory=directory, data=data)
        text_states = encode_prompts(text_encoder, tokenizer, prompts)
        (ema_unet, result), timing = _timed(lambda: train_unet(
            unet, (mean, std, index), text_states, vae.config.scaling_factor, config, progress=progress,
            checkpoint_path=partial_path(config, "unet", directory), callbacks=callbacks, device=device))
        meta = {**timing, "history": result.history, "resumed_from": result.resumed_from,
                "config": asdict_config(config)}
        save_checkpoint(path, modules={"unet": ema_unet}, meta=meta)
        unet.load_state_dict(ema_unet.state_dict())
        info = {**meta, "cached": False}
    else:
        info = {**loaded["meta"], "cached": True}
    return freeze(unet), {**info, "path": str(path)}
