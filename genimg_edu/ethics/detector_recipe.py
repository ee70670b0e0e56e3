"""Chapter 10's detector experiment as one keyword-only config, so it has a laptop and a GPU preset.

    config = DetectorConfig()                          # the chapter's: 16x16 digits, notebook 10 section 1
    report = run_detector(config)                      # = experiments.detector_experiment(...)
    report = run_detector(DetectorConfig(dataset="mnist", size=28, ...), device="cuda")   # the gpu preset

The default is exactly notebook 10's experiment (`detector_experiment`'s defaults, its cached
generators). With dataset "mnist" / "fashion_mnist" (28x28, torchvision) the same experiment runs at the
real size on any device: a DCGAN (the generator the detectors learn) is trained on the data padded to
32x32 (DCGAN's sizes are powers of two; the 2 px border is blank in MNIST) and its samples are cropped
back to 28x28; chapter 06's class-conditional diffusion at 28x28 is the generator they never saw; the
CNN detector trains with the generic `train()` loop on the device, with mixed precision `amp`.
Accuracies are balanced (the mean of the real and the fake accuracy), as in the chapter.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..train import AMP_CHOICES, check_fields, is_int, is_number

DATASETS = {"digits": (8, 16), "mnist": (28,), "fashion_mnist": (28,)}   # dataset -> sizes
SAMPLE_CHUNK = 500                                                        # images generated per call


def _optional_int(value, low: int) -> bool:
    return value is None or is_int(value, low)


@dataclass(kw_only=True)
class DetectorConfig:
    dataset: str = "digits"            # "digits" (shipped; the chapter) or "mnist" / "fashion_mnist" (28 px)
    size: int = 16                     # 8 or 16 for digits, 28 for the torchvision sets
    n_train: int = 800                 # real and fake images each, to train the detectors on
    n_test: int = 400                  # real and fake images each, held out
    cnn_steps: int = 1000              # optimizer steps of the CNN detector (one-cycle learning rate)
    cnn_width: int = 32                # CNNDetector width (torchvision sets only; the chapter's is 32)
    batch_size: int = 64               # CNN detector batch (torchvision sets only; the chapter's is 64)
    lr: float = 2e-3                   # CNN detector peak learning rate (torchvision sets only)
    gan_steps: int | None = None       # None: the chapter's cached generator (digits); required otherwise
    gan_width: int | None = None       # generator width; the discriminator gets half (None: the chapter's)
    gan_batch_size: int = 64           # torchvision sets only
    diffusion_steps: int | None = None
    diffusion_width: int | None = None  # UNet base channels (None: the chapter's)
    diffusion_batch_size: int = 128    # torchvision sets only
    quality: int = 75                  # JPEG quality of the "shared on a social network" test
    scale: float = 0.75                # resize factor of that test
    seed: int = 0
    amp: str = "off"                   # mixed precision of the generators and the CNN (torchvision sets only)
    download: bool = False             # torchvision sets: fetch the files if missing

    def __post_init__(self):
        sizes = DATASETS.get(self.dataset, ())
        digits = self.dataset == "digits"
        check_fields(self, {
            "dataset": (self.dataset in DATASETS, f"one of {tuple(DATASETS)}"),
            "size": (self.size in sizes, f"one of {sizes} for {self.dataset!r}"),
            "n_train": (is_int(self.n_train, 1), "an int >= 1"),
            "n_test": (is_int(self.n_test, 1), "an int >= 1"),
            "cnn_steps": (is_int(self.cnn_steps, 1), "an int >= 1"),
            "cnn_width": (is_int(self.cnn_width, 1), "an int >= 1"),
            "batch_size": (is_int(self.batch_size, 1), "an int >= 1"),
            "lr": (is_number(self.lr) and 0 < self.lr < float("inf"), "a finite number > 0"),
            "gan_steps": ((_optional_int if digits else is_int)(self.gan_steps, 1),
                          "None or an int >= 1" if digits else f"an int >= 1 for {self.dataset!r}"),
            "gan_width": ((_optional_int if digits else is_int)(self.gan_width, 2) and (self.gan_width or 2) % 2 == 0,
                          "None or an even int >= 2" if digits else f"an even int >= 2 for {self.dataset!r}"),
            "gan_batch_size": (is_int(self.gan_batch_size, 1), "an int >= 1"),
            "diffusion_steps": ((_optional_int if digits else is_int)(self.diffusion_steps, 1),
                                "None or an int >= 1" if digits else f"an int >= 1 for {self.dataset!r}"),
            "diffusion_width": ((_optional_int if digits else is_int)(self.diffusion_width, 1),
                                "None or an int >= 1" if digits else f"an int >= 1 for {self.dataset!r}"),
            "diffusion_batch_size": (is_int(self.diffusion_batch_size, 1), "an int >= 1"),
            "quality": (is_int(self.quality, 1) and self.quality <= 95, "an int in [1, 95]"),
            "scale": (is_number(self.scale) and 0 < self.scale <= 1, "a number in (0, 1]"),
            "seed": (is_int(self.seed, 0) and self.seed < 2**32, "an int in [0, 2**32)"),
            "amp": (self.amp in AMP_CHOICES, f"one of {AMP_CHOICES}"),
            "download": (isinstance(self.download, bool), "True or False"),
        })


def run_detector(config: DetectorConfig | None = None, *, device: str | None = None, on_step=()) -> dict:
    """Train both detectors on real vs GAN images; test on held-out GAN images, on diffusion images (a
    generator they never saw) and on both after resize + JPEG. Returns the report of
    `experiments.detector_experiment` (accuracies under "spectrum" and "cnn", 8 images of each kind under
    "images"); for the torchvision sets also "seconds" per stage and the held-out fakes under "fakes"
    (gan (n_test, 1, 28, 28) and diffusion with its "diffusion_labels", in [0, 1]) for a judge to grade.
    device: None = the GPU when there is one (torchvision sets; the chapter's digits always train on the
    CPU). on_step: hooks hook(step, model) after every CNN optimizer step (e.g. Preset.eta())."""
    config = config or DetectorConfig()
    if not isinstance(config, DetectorConfig):
        raise TypeError(f"config must be a DetectorConfig, got {type(config).__name__}")
    if config.dataset == "digits":
        from .experiments import detector_experiment
        keys = ("n_train", "n_test", "cnn_steps", "size", "gan_steps", "diffusion_steps", "quality", "scale", "seed")
        widths = {k: getattr(config, k) for k in ("gan_width", "diffusion_width") if getattr(config, k) is not None}
        return detector_experiment(**{k: getattr(config, k) for k in keys}, **widths)
    from ..device import resolve_device
    return _run_torchvision(config, resolve_device(device), on_step)


def _real(config: DetectorConfig):
    """(all training images, detector train reals, detector test reals), (N, 1, 28, 28) in [0, 1]."""
    from ..data import load_dataset
    train = load_dataset(config.dataset, split="train", download=config.download).images
    test = load_dataset(config.dataset, split="test", download=config.download).images
    g = torch.Generator().manual_seed(config.seed)
    if config.n_train > len(train) or config.n_test > len(test):
        raise ValueError(f"n_train must be <= {len(train)} and n_test <= {len(test)} for {config.dataset!r}, "
                         f"got {config.n_train} and {config.n_test}")
    return train, train[torch.randperm(len(train), generator=g)[:config.n_train]], \
        test[torch.randperm(len(test), generator=g)[:config.n_test]]


def _gan_fakes(config: DetectorConfig, train: torch.Tensor, n: int, device) -> torch.Tensor:
    """A DCGAN on the images padded to 32x32; n samples cropped back to (n, 1, 28, 28) in [0, 1]."""
    from ..data import to_unit
    from ..gan import DCGANDiscriminator, DCGANGenerator, GANConfig, GANTrainer
    torch.manual_seed(config.seed)
    generator = DCGANGenerator(size=32, channels=1, width=config.gan_width, latent_dim=64)
    discriminator = DCGANDiscriminator(size=32, channels=1, width=config.gan_width // 2)
    padded = F.pad(train * 2 - 1, (2, 2, 2, 2), value=-1.0)                   # (N, 1, 32, 32) in [-1, 1]
    amp = {"off": "off", "fp16": "off", "bf16": "bf16", "auto": "auto"}[config.amp]  # no loss scaling in gan_step
    trainer = GANTrainer(generator, discriminator, padded, config=GANConfig(
        steps=config.gan_steps, batch_size=config.gan_batch_size, seed=config.seed, progress=False,
        device=str(device), amp=amp, log_every=max(config.gan_steps // 20, 1)))
    trainer.fit()
    chunks = [trainer.sample(min(SAMPLE_CHUNK, n - i), seed=config.seed + 1 + i) for i in range(0, n, SAMPLE_CHUNK)]
    return to_unit(torch.cat(chunks).float().clamp(-1, 1))[:, :, 2:30, 2:30].contiguous()


def _diffusion_fakes(config: DetectorConfig, n: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Chapter 06's class-conditional diffusion at 28x28 (as its gpu preset); n samples, balanced digits."""
    from ..diffusion.digits import DigitsDiffusionConfig, balanced_labels, generate_digits, train_digits_diffusion
    recipe = DigitsDiffusionConfig(dataset=config.dataset, size=28, download=config.download,
                                   steps=config.diffusion_steps, batch_size=config.diffusion_batch_size, lr=1e-3,
                                   base_channels=config.diffusion_width, channel_mults=(1, 2, 2), ema_decay=0.999,
                                   amp=config.amp, preload=True, seed=config.seed)
    model, schedule, _ = train_digits_diffusion(recipe, progress=False, device=device)
    labels = balanced_labels(n)
    images = torch.cat([generate_digits(model, labels=labels[i:i + SAMPLE_CHUNK], schedule=schedule, size=28,
                                        steps=20, scale=1.0, seed=config.seed + 1 + i)
                        for i in range(0, n, SAMPLE_CHUNK)])
    return images, labels


def _train_cnn(config: DetectorConfig, real: torch.Tensor, fake: torch.Tensor, device, on_step):
    """CNNDetector.fit's recipe (AdamW, one-cycle learning rate, BCE) on `device` with `config.amp`."""
    from ..train import TrainConfig, train
    from .detector import CNNDetector, detector_loss
    torch.manual_seed(config.seed)
    model = CNNDetector(channels=1, width=config.cnn_width)
    data = (torch.cat([real, fake]), torch.cat([torch.zeros(len(real)), torch.ones(len(fake))]))
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, total_steps=config.cnn_steps)
    result = train(model, detector_loss, data, optimizer=optimiser,
                   on_step=[lambda step, m: schedule.step(), *on_step],
                   config=TrainConfig(steps=config.cnn_steps, batch_size=config.batch_size, lr=config.lr,
                                      seed=config.seed, grad_clip=None, log_every=max(config.cnn_steps // 20, 1),
                                      progress=False, device=device, amp=config.amp))
    model.history = result.history
    return model.cpu().eval()


def _run_torchvision(config: DetectorConfig, device: torch.device, on_step) -> dict:
    from .detector import SpectrumDetector, degrade
    seconds, clock = {}, time.perf_counter()

    def lap(name):
        nonlocal clock
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds[name], clock = round(time.perf_counter() - clock, 1), time.perf_counter()

    train, real_train, real_test = _real(config)
    gan = _gan_fakes(config, train, config.n_train + config.n_test, device)
    lap("gan")
    diffusion, diffusion_labels = _diffusion_fakes(config, config.n_test, device)
    lap("diffusion")
    tests = {"same generator (GAN)": (real_test, gan[config.n_train:]),
             "unseen generator (diffusion)": (real_test, diffusion)}
    report = {"dataset": config.dataset, "n_train": config.n_train, "n_test": config.n_test, "size": config.size,
              "degrade": {"jpeg": config.quality, "resize": config.scale},
              "generators": {"gan": {"steps": config.gan_steps, "width": config.gan_width},
                             "diffusion": {"steps": config.diffusion_steps, "width": config.diffusion_width}}}
    for name in ("spectrum", "cnn"):
        detector = (SpectrumDetector().fit(real_train, gan[:config.n_train]) if name == "spectrum" else
                    _train_cnn(config, real_train, gan[:config.n_train], device, on_step))
        row = {}
        for test, (real, fake) in tests.items():
            row[test] = detector.accuracy(real, fake)
            row[test + ", JPEG + resize"] = detector.accuracy(degrade(real, quality=config.quality, scale=config.scale),
                                                             degrade(fake, quality=config.quality, scale=config.scale))
        report[name] = row
        lap(name)
    report["seconds"] = seconds
    report["images"] = {"real": real_test[:8], "gan": gan[config.n_train:config.n_train + 8],
                        "diffusion": diffusion[:8]}
    report["fakes"] = {"gan": gan[config.n_train:], "diffusion": diffusion, "diffusion_labels": diffusion_labels}
    return report
