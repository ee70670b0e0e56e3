"""Chapter 04's training recipe as one keyword-only config, so it has a laptop and a GPU preset.

    config = AutoencoderConfig()                    # the chapter's VAE: 8x8 digits, 2 numbers, 5,000 steps
    model, history = train_recipe(config)           # data loaded from config.dataset

The default is exactly what notebook 04 trains (`VAE(latent_dim=2)` with `train_autoencoder`'s
defaults). genimg_edu.presets' `gpu` preset trains on MNIST / Fashion-MNIST 28x28 with a wider MLP,
a bigger latent and mixed precision (`amp`, chosen by device.amp_choice).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..train import AMP_CHOICES, check_fields, is_int, is_number
from .models import VAE, Autoencoder
from .training import train_autoencoder

DATASETS = {"digits": (1, (8, 16)), "mnist": (1, (28,)), "fashion_mnist": (1, (28,))}  # channels, sizes
KINDS = ("autoencoder", "vae")


@dataclass(kw_only=True)
class AutoencoderConfig:
    kind: str = "vae"                # "autoencoder" (MSE) or "vae" (vae_loss with beta)
    dataset: str = "digits"          # "digits" (shipped), "mnist" or "fashion_mnist" (torchvision)
    image_size: int = 8              # side of the square images: 8 or 16 for digits, 28 for MNIST-like
    latent_dim: int = 2              # numbers in the code z
    hidden: int = 128                # width of the MLP's two hidden layers
    steps: int = 5000                # optimizer steps
    batch_size: int = 128            # images per step
    lr: float = 2e-3                 # AdamW learning rate
    noise_std: float = 0.0           # > 0: a denoising autoencoder (autoencoder only)
    beta: float = 1.0                # weight of the KL term (vae only)
    seed: int = 0                    # seeds the weights and the batch order
    amp: str = "off"                 # mixed precision, as TrainConfig.amp ("auto": device.amp_choice)
    download: bool = False           # torchvision data sets: fetch the files if missing

    def __post_init__(self):
        sizes = DATASETS.get(self.dataset, (1, ()))[1]
        check_fields(self, {
            "kind": (self.kind in KINDS, f"one of {KINDS}"),
            "dataset": (self.dataset in DATASETS, f"one of {tuple(DATASETS)}"),
            "image_size": (self.image_size in sizes, f"one of {sizes} for {self.dataset!r}"),
            "latent_dim": (is_int(self.latent_dim, 1) and self.latent_dim <= self.image_size ** 2,
                           f"an int in [1, {self.image_size ** 2}]"),
            "hidden": (is_int(self.hidden, 1), "an int >= 1"),
            "steps": (is_int(self.steps, 1), "an int >= 1"),
            "batch_size": (is_int(self.batch_size, 1), "an int >= 1"),
            "lr": (is_number(self.lr) and 0 < self.lr < float("inf"), "a finite number > 0"),
            "noise_std": (is_number(self.noise_std) and 0 <= self.noise_std < float("inf"), "a number >= 0"),
            "beta": (is_number(self.beta) and 0 <= self.beta < float("inf"), "a number >= 0"),
            "seed": (is_int(self.seed, 0) and self.seed < 2**32, "an int in [0, 2**32)"),
            "amp": (self.amp in AMP_CHOICES, f"one of {AMP_CHOICES}"),
            "download": (isinstance(self.download, bool), "True or False"),
        })

    @property
    def channels(self) -> int:
        return DATASETS[self.dataset][0]

    def build_model(self):
        """The untrained model for this config (weights drawn from torch's global generator)."""
        cls = VAE if self.kind == "vae" else Autoencoder
        return cls(self.latent_dim, hidden=self.hidden, image_size=self.image_size, channels=self.channels)

    def load_images(self):
        """Training images (N, C, S, S) in [0, 1] of config.dataset."""
        from ..data import load_dataset
        if self.dataset == "digits":
            return load_dataset("digits", split="train", size=self.image_size).images
        return load_dataset(self.dataset, split="train", download=self.download).images


def train_recipe(config: AutoencoderConfig | None = None, *, images=None, device: str | None = "cpu",
                 progress: bool = False, on_step=()):
    """Seed, build and train the model of `config` (default: the chapter's VAE). images: (N, C, S, S)
    in [0, 1], default `config.load_images()`. device: "cpu" (the laptop default), None (the GPU when
    there is one) or a device name. Returns (model on the CPU in eval mode, history)."""
    import torch
    config = config or AutoencoderConfig()
    if not isinstance(config, AutoencoderConfig):
        raise TypeError(f"config must be an AutoencoderConfig, got {type(config).__name__}")
    images = config.load_images() if images is None else images
    torch.manual_seed(config.seed)
    model = config.build_model()
    history = train_autoencoder(model, images, steps=config.steps, lr=config.lr, batch_size=config.batch_size,
                                noise_std=config.noise_std if config.kind == "autoencoder" else 0.0,
                                beta=config.beta, seed=config.seed, progress=progress, device=device,
                                amp=config.amp, on_step=on_step)
    return model, history
