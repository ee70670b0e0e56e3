"""Training chapter 07's text-to-image model: the shapes training set (held-out combinations left out)
and the course's generic `train()` loop with an EMA of the weights. Notebook 07."""
from __future__ import annotations

from ..data import load_dataset
from ..ema import EMA
from ..train import TrainConfig, train
from .config import TextToImageConfig
from .loss import diffusion_loss
from .text_to_image import TextToImage
from .tokenizer import shapes_tokenizer


def training_data(config: TextToImageConfig, *, n: int | None = None):
    """The training set: shapes with captions in [-1, 1], held-out combinations excluded."""
    return load_dataset("shapes", split="train", n=n or config.n_train, size=config.image_size,
                        seed=config.seed, value_range=(-1, 1), exclude=[dict(c) for c in config.held_out])


def train_text_to_image(config: TextToImageConfig, *, progress: bool = True, callbacks=(), device=None,
                        checkpoint_path=None):
    """Build and train a TextToImage model. Returns (EMA model, TrainResult).
    checkpoint_path: save every 500 steps and resume from there if it exists."""
    data = training_data(config)
    tokenizer = shapes_tokenizer()
    ids, mask = tokenizer(data.captions)
    model = TextToImage(tokenizer, config)
    ema = EMA(model, decay=config.ema_decay, warmup=10)  # short memory at the start
    tensors = (data.images, ids, mask)
    if config.preload:  # gathered on the device: no host -> device copy per step
        tensors = tuple(t.to(device or "cpu") for t in tensors)

    result = train(model, lambda m, b: diffusion_loss(m, b, caption_dropout=config.caption_dropout),
                   tensors,
                   config=TrainConfig(steps=config.steps, batch_size=config.batch_size, lr=config.lr, amp=config.amp,
                                      seed=config.seed, progress=progress, log_every=50, device=device or "cpu",
                                      checkpoint_path=checkpoint_path, checkpoint_every=500 if checkpoint_path else None),
                   callbacks=callbacks, on_step=(ema,), checkpoint_modules={"ema": ema.model})
    return ema.model.to(next(model.parameters()).device).eval(), result
