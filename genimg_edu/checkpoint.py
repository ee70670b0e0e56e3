"""Checkpoints: one safetensors file per save, written atomically, loaded without pickle.

A checkpoint holds everything needed to carry on training exactly where it stopped::

    save_checkpoint("run.safetensors", modules={"model": model}, optimizers={"adam": opt},
                    meta={"step": 500}, rng=True)
    state = load_checkpoint("run.safetensors", modules={"model": model}, optimizers={"adam": opt},
                            restore_rng=True)
    state["meta"]["step"]   # 500

Inside the file every tensor is a named entry (`module.model.conv.weight`, `optim.adam.state.0.exp_avg`,
`tensors.<name>`, `rng.torch`); everything that is not a tensor (optimizer hyperparameters, step
counters, `meta`) lives as JSON in the safetensors header, with a reference wherever a tensor sat.
Safetensors files hold only numbers and text, so loading one can never run code -- unlike pickle.

Writing goes to a temporary file in the same folder, is flushed to disk, then renamed over the old
file in one step (`os.replace`): a crash mid-write leaves the previous checkpoint whole.
"""
from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

FORMAT_KEY = "genimg_edu"
FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that is missing, truncated, corrupt or does not fit the objects it is loaded into."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """The checkpoint file does not exist (also a FileNotFoundError)."""


# ---- nested structures <-> JSON with tensor references -----------------------------------------

def _encode(obj, prefix: str, tensors: dict):
    """Replace every tensor in a nested structure by {"__tensor__": key}, collecting it in `tensors`."""
    if isinstance(obj, torch.Tensor):
        tensors[prefix] = obj
        return {"__tensor__": prefix}
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: _encode(v, f"{prefix}.{k}", tensors) for k, v in obj.items()}
        return {"__items__": [[_encode(k, f"{prefix}.key", tensors), _encode(v, f"{prefix}.{k}", tensors)]
                              for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} at {prefix!r} in a checkpoint: "
                    "only tensors, numbers, strings, None, lists, tuples and dicts")


def _decode(obj, tensors: dict):
    """Inverse of `_encode`."""
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            return tensors[obj["__tensor__"]]
        if "__items__" in obj:
            return {_decode(k, tensors): _decode(v, tensors) for k, v in obj["__items__"]}
        if "__tuple__" in obj:
            return tuple(_decode(v, tensors) for v in obj["__tuple__"])
        return {k: _decode(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    return obj


# ---- random number generator states ------------------------------------------------------------

def get_rng_state() -> dict:
    """The state of every random generator the course uses: torch (CPU and CUDA), NumPy, `random`."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    version, mt, gauss_next = random.getstate()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": (name, torch.from_numpy(keys.astype(np.int64)), int(pos), int(has_gauss), float(cached)),
        "python": (version, torch.tensor(mt, dtype=torch.int64), gauss_next),
    }
    if torch.cuda.is_available():
        state["cuda"] = list(torch.cuda.get_rng_state_all())
    return state


def set_rng_state(state: dict) -> None:
    """Restore generator states returned by `get_rng_state` (CUDA only if present on both sides)."""
    torch.set_rng_state(state["torch"].cpu())
    name, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    version, mt, gauss_next = state["python"]
    random.setstate((version, tuple(mt.tolist()), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


# ---- save --------------------------------------------------------------------------------------

def _write_safetensors(tensors: dict, metadata: dict, path: str) -> None:
    """The raw write (a separate function so tests can simulate a crash mid-write)."""
    save_file(tensors, path, metadata=metadata)


def _atomic_write(tensors: dict, metadata: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        _write_safetensors(tensors, metadata, tmp)
        with open(tmp, "rb+") as file:
            os.fsync(file.fileno())  # the bytes are on disk before the rename makes them visible
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable (POSIX; not possible on Windows)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        pass


def save_checkpoint(path, *, tensors: dict | None = None, modules: dict | None = None,
                    optimizers: dict | None = None, meta: dict | None = None, rng: bool = False) -> Path:
    """Write one safetensors checkpoint atomically and return its Path.

    tensors: name -> Tensor (any shape/dtype) stored as is. modules: name -> nn.Module (its
    state_dict). optimizers: name -> torch.optim.Optimizer (its state, hyperparameters and step
    counters). meta: a JSON-able dict (step, history, config...). rng: also store the torch, CUDA,
    NumPy and `random` generator states, so `load_checkpoint(..., restore_rng=True)` resumes a
    training run bit for bit. Parent folders are created. Used by `train` and the judge caches.
    """
    path = Path(path)
    flat: dict[str, torch.Tensor] = {}
    header: dict = {"version": FORMAT_VERSION, "tensors": [], "modules": [], "optimizers": {}}
    for name, tensor in (tensors or {}).items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"tensors[{name!r}] must be a torch.Tensor, got {type(tensor).__name__}")
        flat[f"tensors.{name}"] = tensor
        header["tensors"].append(name)
    for name, module in (modules or {}).items():
        if not isinstance(module, torch.nn.Module):
            raise TypeError(f"modules[{name!r}] must be an nn.Module, got {type(module).__name__}")
        for key, tensor in module.state_dict().items():
            flat[f"module.{name}.{key}"] = tensor
        header["modules"].append(name)
    for name, optimizer in (optimizers or {}).items():
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizers[{name!r}] must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        header["optimizers"][name] = _encode(optimizer.state_dict(), f"optim.{name}", flat)
    if rng:
        header["rng"] = _encode(get_rng_state(), "rng", flat)
    try:
        header["meta"] = json.loads(json.dumps(meta or {}))
    except (TypeError, ValueError) as error:
        raise TypeError(f"meta must be JSON-able (numbers, strings, lists, dicts): {error}") from None
    # Contiguous CPU copies: safetensors refuses views and tensors that share memory (tied weights).
    flat = {key: t.detach().to("cpu", copy=True).contiguous() for key, t in flat.items()}
    _atomic_write(flat, {FORMAT_KEY: json.dumps(header)}, path)
    return path


# ---- load --------------------------------------------------------------------------------------

def _safetensors_header(path: Path) -> dict | None:
    """The JSON header of a (possibly truncated) safetensors file, or None if it has no readable one."""
    try:
        with open(path, "rb") as file:
            size = int.from_bytes(file.read(8), "little")
            if not 2 <= size <= 100_000_000:
                return None
            header = json.loads(file.read(size).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return header if isinstance(header, dict) else None


def describe_file(path) -> str:
    """What kind of file `path` holds, in a few words ("a torch pickle (torch.save)", "an empty file"...):
    for error messages about files that are not what the caller expected."""
    path = Path(path)
    with open(path, "rb") as file:
        start = file.read(64)
    if not start:
        return "an empty file"
    if start.startswith(b"PK\x03\x04"):
        return "a torch file saved with torch.save (a zip of pickles), or another zip archive"
    if start[:1] == b"\x80" and start[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a Python pickle (e.g. an old-style torch.save file)"
    header = _safetensors_header(path)
    if header is not None:
        ours = FORMAT_KEY in (header.get("__metadata__") or {})
        return "a genimg_edu checkpoint" if ours else "a safetensors file of plain weights"
    if start.lstrip()[:1] in (b"{", b"["):
        return "a JSON or text file (a notebook?)"
    try:
        start.decode("utf-8")
        return "a text file"
    except UnicodeDecodeError:
        return "a binary file of unknown kind"


def _not_readable(path: Path, error: Exception) -> str:
    """The message for a file safetensors cannot read. Deleting is suggested only for a file this
    library wrote (its header says so, or it lies in the course's cache folder): never for a
    learner's own file."""
    from .device import cache_dir

    kind = describe_file(path)
    if kind == "a genimg_edu checkpoint":
        return (f"checkpoint {path} was written by genimg_edu but is truncated or corrupt ({error}); "
                "delete it and train again")
    try:
        in_cache = path.resolve().is_relative_to(cache_dir().resolve())
    except (OSError, ValueError):
        in_cache = False
    if in_cache:
        return (f"cached file {path} is {kind}, not a readable genimg_edu checkpoint ({error}); it is the "
                "course's own cache file: delete it and it is made again")
    how = ""
    if "torch" in kind or "pickle" in kind:
        how = ("; load plain weights with genimg_edu.checkpoint.load_state_dict_file(path) or "
               "torch.load(path, weights_only=True)")
    elif "safetensors" in kind:
        how = "; load plain weights with genimg_edu.checkpoint.load_state_dict_file(path)"
    return (f"{path} is not a genimg_edu checkpoint: it is {kind}{how}. Pass a path that save_checkpoint "
            "wrote, or a new path to start a fresh run there")


def _read(path: Path) -> tuple[dict, dict[str, torch.Tensor]]:
    """(header, flat tensors) of a checkpoint, or CheckpointError."""
    if not path.is_file():
        raise CheckpointNotFoundError(f"no checkpoint at {path}")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as file:
            metadata = file.metadata() or {}
            flat = {key: file.get_tensor(key) for key in file.keys()}
    except PermissionError:
        raise
    except Exception as error:  # safetensors raises its own error types for bad headers / short files
        raise CheckpointError(_not_readable(path, error)) from error
    if FORMAT_KEY not in metadata:
        raise CheckpointError(f"{path} is a safetensors file but not a genimg_edu checkpoint; "
                              "use load_state_dict_file for plain weights")
    try:
        header = json.loads(metadata[FORMAT_KEY])
    except ValueError as error:
        raise CheckpointError(f"checkpoint {path} has a corrupt header: {error}") from error
    if header.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"checkpoint {path} has format version {header.get('version')}, "
                              f"this library reads version {FORMAT_VERSION}")
    return header, flat


def load_checkpoint(path, *, modules: dict | None = None, optimizers: dict | None = None,
                    map_location="cpu", restore_rng: bool = False) -> dict:
    """Load a checkpoint written by `save_checkpoint` into the given objects.

    modules / optimizers: name -> object to fill in place (names as saved; strict: every key must
    match). restore_rng: also restore the generator states (the file must have been saved with
    rng=True). Returns {"meta": dict, "tensors": name -> Tensor on map_location}.
    Raises CheckpointError (a ValueError) for a missing, corrupt or mismatching file, so callers
    such as caches can catch it and retrain.
    """
    path = Path(path)
    header, flat = _read(path)
    for name, module in (modules or {}).items():
        if name not in header["modules"]:
            raise CheckpointError(f"checkpoint {path} has no module {name!r}; it has {header['modules']}")
        prefix = f"module.{name}."
        state = {key[len(prefix):]: t for key, t in flat.items() if key.startswith(prefix)}
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as error:
            raise CheckpointError(f"module {name!r} does not fit checkpoint {path}: {error}") from error
    for name, optimizer in (optimizers or {}).items():
        if name not in header["optimizers"]:
            raise CheckpointError(f"checkpoint {path} has no optimizer {name!r}; "
                                  f"it has {sorted(header['optimizers'])}")
        try:
            optimizer.load_state_dict(_decode(header["optimizers"][name], flat))
        except (ValueError, KeyError, RuntimeError) as error:
            raise CheckpointError(f"optimizer {name!r} does not fit checkpoint {path}: {error}") from error
    if restore_rng:
        if "rng" not in header:
            raise CheckpointError(f"checkpoint {path} was saved without rng=True; cannot restore RNG states")
        set_rng_state(_decode(header["rng"], flat))
    tensors = {name: flat[f"tensors.{name}"].to(map_location) for name in header["tensors"]}
    return {"meta": header["meta"], "tensors": tensors}


def load_state_dict_file(path, *, map_location="cpu") -> dict[str, torch.Tensor]:
    """A plain state dict (name -> Tensor) from a .safetensors file, or from a .pt/.pth/.bin file.

    Pickle files (.pt/.pth/.bin, as published online) are read with torch.load(weights_only=True),
    which refuses anything but tensors and plain containers, so a malicious file cannot run code.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".safetensors", ".pt", ".pth", ".bin"):
        raise ValueError(f"expected a .safetensors, .pt, .pth or .bin file, got {path.name!r}")
    if not path.is_file():
        raise CheckpointNotFoundError(f"no weights file at {path}")
    try:
        if suffix == ".safetensors":
            state = load_file(str(path), device="cpu")
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:
        raise CheckpointError(f"weights file {path} is corrupt or unsafe to load: {error}") from error
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path} does not hold a state dict (a dict of name -> Tensor)")
    return {key: t.to(map_location) for key, t in state.items()}
