"""Where the course runs: device choice, seeding, Colab and fast-mode detection, CPU threads.

Every notebook starts with::

    from genimg_edu.device import pick_device, seed_everything, fast_mode
    device = pick_device()      # cuda -> mps -> cpu (recipes take device=None|"cpu"|...: resolve_device)
    seed_everything(0)          # python, numpy and torch in one call
    FAST = fast_mode()          # True in CI (GENIMG_FAST=1): tiny step counts

Taught in notebook 00.
"""
from __future__ import annotations

import os
import random
import sys
import tempfile
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

FAST_ENV = "GENIMG_FAST"
CACHE_ENV = "GENIMG_CACHE"


def pick_device(prefer: str | None = None) -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    prefer: None (auto) or one of "cuda", "mps", "cpu" to force a choice; a forced device that
    is not available raises ValueError rather than silently falling back.
    """
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available(),
        "cpu": True,
    }
    if prefer is not None:
        if prefer not in available:
            raise ValueError(f"prefer must be one of {sorted(available)} or None, got {prefer!r}")
        if not available[prefer]:
            raise ValueError(f"device {prefer!r} is not available on this machine")
        return torch.device(prefer)
    for name in ("cuda", "mps", "cpu"):
        if available[name]:
            return torch.device(name)
    raise AssertionError("unreachable: the CPU is always available")


DEVICE_RULE = "None (pick_device()), 'cpu', 'cuda', 'cuda:N' or 'mps'"


def is_device(value) -> bool:
    """None, a torch.device, or a string torch understands ("cpu", "cuda", "cuda:1", "mps").

    Ints and bools are refused although torch.device(0) means cuda:0: a bare number says nothing
    a learner can read. Configs use it with DEVICE_RULE as the message (train.check_fields)."""
    if value is None or isinstance(value, torch.device):
        return True
    if not isinstance(value, str):
        return False
    try:
        torch.device(value)
    except (RuntimeError, ValueError):
        return False
    return True


def resolve_device(device=None) -> torch.device:
    """The torch.device a recipe runs on: None -> pick_device() (cuda -> mps -> cpu); "cpu", "cuda",
    "cuda:N", "mps" or a torch.device -> that device (not checked for availability: moving a tensor
    there says so). Anything else (an int, a bool, "gpu0", ...) raises ValueError naming DEVICE_RULE."""
    if not is_device(device):
        raise ValueError(f"device must be {DEVICE_RULE}, got {device!r}")
    if device is None:
        return pick_device()
    return device if isinstance(device, torch.device) else torch.device(device)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python's `random`, NumPy and torch (CPU and CUDA) with one integer.

    Returns a fresh `torch.Generator` seeded with `seed`, for code that wants its own stream.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


def is_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def fast_mode() -> bool:
    """True when GENIMG_FAST is set to 1/true/yes: CI runs every notebook with tiny step counts."""
    return os.environ.get(FAST_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def steps(full: int, fast: int) -> int:
    """`full` normally, `fast` under GENIMG_FAST=1. Notebooks write `steps(3000, 30)`."""
    return fast if fast_mode() else full


def cache_dir() -> Path:
    """Where trained judges and checkpoints are cached: $GENIMG_CACHE or ~/.cache/genimg_edu.

    A folder that cannot be made or written to (read-only, or a file of that name) falls back to a
    folder in the system's temporary directory, with a warning naming GENIMG_CACHE: the work is kept
    for this session instead of failing with a bare errno."""
    chosen = os.environ.get(CACHE_ENV)
    root = chosen or os.path.join(os.path.expanduser("~"), ".cache", "genimg_edu")
    path = Path(root)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK):
            raise PermissionError(13, "not writable")
        return path
    except OSError as error:
        fallback = Path(tempfile.gettempdir()) / f"genimg_edu-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
        fallback.mkdir(parents=True, exist_ok=True)
        where = f"{CACHE_ENV}={root}" if chosen else f"the default cache {root} ({CACHE_ENV} is not set)"
        warnings.warn(f"cannot use {where} ({error.strerror or error}); using the temporary cache {fallback} "
                      f"for now (it may be cleared on restart): set {CACHE_ENV} to a folder you can write to",
                      stacklevel=2)
        return fallback


def cpu_has_fast_bf16() -> bool:
    """True when the CPU has native bfloat16 arithmetic (AVX512-BF16 or AMX), where bf16 autocast pays.

    On other CPUs bf16 autocast is emulated and slower than float32, so we detect, never assume.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:  # macOS / Windows: no cpuinfo; stay in float32
        return False
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


def device_capabilities() -> dict[str, bool]:
    """What this machine offers, as the plain table `choose_device_and_amp` decides from:
    {"cuda", "cuda_bf16" (the GPU computes in bfloat16: Ampere or newer), "mps", "cpu_bf16"}."""
    cuda = torch.cuda.is_available()
    return {"cuda": cuda,
            "cuda_bf16": cuda and torch.cuda.is_bf16_supported(),
            "mps": bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available(),
            "cpu_bf16": cpu_has_fast_bf16()}


def amp_choice(device_type: str, capabilities: dict[str, bool]) -> tuple[torch.dtype | None, bool]:
    """The mixed precision to train with on `device_type` given a capabilities table.

    Returns (autocast dtype or None for float32, whether a GradScaler is needed):
    cuda with bf16 -> (bfloat16, False); older cuda (e.g. a T4) -> (float16, True: fp16 gradients
    underflow without loss scaling); cpu with native bf16 -> (bfloat16, False); mps and other cpus
    -> (None, False), since autocast there is emulated or immature and slower than float32.
    """
    if device_type not in ("cuda", "mps", "cpu"):
        raise ValueError(f"device_type must be 'cuda', 'mps' or 'cpu', got {device_type!r}")
    if device_type == "cuda":
        return (torch.bfloat16, False) if capabilities.get("cuda_bf16") else (torch.float16, True)
    if device_type == "cpu" and capabilities.get("cpu_bf16"):
        return torch.bfloat16, False
    return None, False


def choose_device_and_amp(capabilities: dict[str, bool] | None = None) -> tuple[str, str]:
    """(device type, TrainConfig.amp value) for a capabilities table (default: this machine's).

    A pure function of the table, so it is unit-tested with fake tables: cuda -> mps -> cpu, and
    amp "bf16" / "fp16" / "off" as `amp_choice` says ("fp16" makes train() use a GradScaler).
    """
    caps = device_capabilities() if capabilities is None else capabilities
    unknown = set(caps) - {"cuda", "cuda_bf16", "mps", "cpu_bf16"}
    if unknown:
        raise ValueError(f"unknown capabilities {sorted(unknown)}; expected cuda, cuda_bf16, mps, cpu_bf16")
    device_type = "cuda" if caps.get("cuda") else "mps" if caps.get("mps") else "cpu"
    dtype, _ = amp_choice(device_type, caps)
    return device_type, {None: "off", torch.bfloat16: "bf16", torch.float16: "fp16"}[dtype]


@contextmanager
def single_thread():
    """Run the block with one CPU thread, then restore the previous setting.

    The networks of chapters 02 and 04 are tiny: splitting each small matrix product across cores
    costs more in coordination than it saves (500 autoencoder steps on a busy 2-core CPU: 9 s wall
    with one thread, 51 s with two).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
