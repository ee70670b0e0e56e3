"""Train chapter 07's model once, then load it: weights cached in `cache_dir()` under the config's
fingerprint (safetensors), resumable if training is interrupted."""
from __future__ import annotations

from dataclasses import asdict

from ..checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ..device import cache_dir
from .config import TextToImageConfig
from .text_to_image import TextToImage
from .tokenizer import shapes_tokenizer
from .training import train_text_to_image


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
