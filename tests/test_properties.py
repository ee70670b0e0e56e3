"""Every bad input to the public API is a clear error: a ValueError or TypeError whose message names the
argument. Wrong types, shapes, ranges, NaN/inf, empty and huge inputs are fed to each registered callable.

A new chapter inherits the guarantee by adding its public functions to `REGISTRY`:

    Entry("my_function", lambda: my_module.my_function, valid={"x": IMAGE_01, "steps": 10},
          bad={"x": image_bad((0, 1)), "steps": POSITIVE_INT})

`valid` holds arguments that work (values, or zero-argument factories, so nothing is built at import);
`bad` maps an argument to a dict label -> bad value (or factory). Each (entry, argument, label) is one
test; on top, hypothesis draws further numbers from each numeric argument's invalid region.
"""
from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch.set_num_threads(1)


# ---- bad values by kind --------------------------------------------------------------------------

def images(value_range=(0.0, 1.0), shape=(4, 1, 8, 8)):
    low, high = value_range
    return lambda: torch.rand(shape, generator=torch.Generator().manual_seed(0)) * (high - low) + low


IMAGE_01, IMAGE_SIGNED = images(), images((-1.0, 1.0))


def image_bad(value_range=(0.0, 1.0), shape=(4, 1, 8, 8), *, empty=True):
    """Bad images for an argument that takes (N, C, H, W) floats in value_range."""
    good = images(value_range, shape)

    def with_value(value):
        def make():
            x = good()
            x[0, 0, 0, 0] = value
            return x
        return make
    bad = {
        "a list": lambda: good().tolist(),
        "a string": "image.png",
        "None": None,
        "3-D (no batch axis)": lambda: good()[0],
        "NaN pixel": with_value(math.nan),
        "inf pixel": with_value(math.inf),
        "0..255 range": lambda: good() * 0 + 200.0,
        "integer dtype": lambda: (good() * 255).round().to(torch.uint8),
    }
    if empty:
        bad["empty batch"] = lambda: good()[:0]
    return bad


POSITIVE_INT = {"zero": 0, "negative": -5, "a float": 2.5, "a string": "8", "None": None, "a bool": True}
NON_NEGATIVE_INT = {"negative": -1, "a float": 1.5, "a string": "3", "None": None}
POSITIVE_FLOAT = {"zero": 0.0, "negative": -1e-3, "NaN": math.nan, "inf": math.inf, "a string": "0.1",
                  "None": None}
NON_NEGATIVE_FLOAT = {"negative": -1.0, "NaN": math.nan, "inf": math.inf, "a string": "1", "None": None}
PROBABILITY = {"negative": -0.1, "above one": 1.5, "NaN": math.nan, "a string": "0.5", "None": None}
CHOICE = {"unknown name": "no-such-choice", "a number": 3, "None": None}
PROMPT = {"None": None, "a number": 42, "an empty list": [], "emoji only": "🙂🎨", "unknown words": "a purple dragon",
          "10,000 words": " ".join(["circle"] * 10_000)}
DIGIT_LABELS = {"10 (the no-label token)": lambda: torch.tensor([1, 10]), "negative": lambda: torch.tensor([-1]),
                "a list": [1, 2, 3], "an int": 3, "float labels": lambda: torch.tensor([1.0, 2.0]),
                "2-D": lambda: torch.tensor([[1, 2]]), "empty": lambda: torch.tensor([], dtype=torch.long)}


def features_bad():
    good = torch.randn(64, 8, generator=torch.Generator().manual_seed(1))

    def with_value(value):
        x = good.clone()
        x[0, 0] = value
        return x
    return {"3 samples of 128-d": lambda: torch.randn(3, 128), "1-D": lambda: good[:, 0], "a string": "features",
            "NaN": lambda: with_value(math.nan), "inf": lambda: with_value(math.inf), "None": None}


# ---- the registry --------------------------------------------------------------------------------

@dataclass
class Entry:
    name: str
    target: object          # zero-argument factory returning the callable (imports happen lazily)
    valid: dict             # arguments that work; values or zero-argument factories
    bad: dict               # argument -> {label: bad value or factory}
    numeric: dict = None    # argument -> hypothesis strategy of invalid numbers (optional)
    aliases: dict = None    # argument -> other words that name it in a message ("prompts": ("prompt",))


def _value(value):
    return value() if callable(value) and not isinstance(value, type) else value


@functools.lru_cache(maxsize=None)
def _digits_model():
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig
    from genimg_edu.diffusion.digits import make_digits_unet
    torch.manual_seed(0)
    return make_digits_unet(DigitsDiffusionConfig()).eval()


@functools.lru_cache(maxsize=None)
def _schedule():
    from genimg_edu.diffusion import make_schedule
    return make_schedule("linear", T=50)


@functools.lru_cache(maxsize=None)
def _text_model():
    from genimg_edu.text import TextToImage, TextToImageConfig
    from genimg_edu.text.tokenizer import shapes_tokenizer
    torch.manual_seed(0)
    return TextToImage(shapes_tokenizer(), TextToImageConfig(T=20, base_channels=8, text_dim=16, text_depth=1))


@functools.lru_cache(maxsize=None)
def _tokenizer_encode():
    from genimg_edu.text.tokenizer import shapes_tokenizer
    return shapes_tokenizer().encode


def _gan_config(**kwargs):
    from genimg_edu.gan.training import GANConfig
    return GANConfig(**kwargs)


def _train_config(**kwargs):
    from genimg_edu.train import TrainConfig
    return TrainConfig(**kwargs)


def _digits_config(**kwargs):
    from genimg_edu.diffusion.digits import DigitsDiffusionConfig
    return DigitsDiffusionConfig(**kwargs)


def _load_dataset(**kwargs):
    from genimg_edu.data import load_dataset
    return load_dataset(**kwargs)


def _q_sample(**kwargs):
    from genimg_edu.diffusion import q_sample
    return q_sample(**kwargs)


def _show_images(**kwargs):
    import matplotlib.pyplot as plt

    from genimg_edu.viz import show_images
    figure = show_images(**kwargs)
    plt.close(figure)
    return figure


def _fd(**kwargs):
    from genimg_edu.metrics import frechet_distance
    return frechet_distance(**kwargs)


def _class_entropy(**kwargs):
    from genimg_edu.metrics import class_entropy
    return class_entropy(**kwargs)


def _generate_digits(**kwargs):
    from genimg_edu.diffusion.digits import generate_digits
    return generate_digits(**kwargs)


def _generate_text(**kwargs):
    from genimg_edu.text import generate
    return generate(**kwargs)


SHAPES_ATTRIBUTE = {"an int": 3, "a list of names": ["colour"], "a string": "colour",
                    "unknown attribute": {"flavour": {"sweet": 2}}, "negative weight": {"colour": {"red": -1}},
                    "weight NaN": {"colour": {"red": math.nan}}, "weight a string": {"colour": {"red": "high"}}}
SHAPES_EXCLUDE = {"an int": 3, "a dict (not a list of dicts)": {"colour": "red"}, "a string": "red",
                  "a list of strings": ["red"], "unknown value": [{"colour": "mauve"}]}

REGISTRY = [
    Entry("load_dataset(digits)", lambda: _load_dataset, {"name": "digits", "split": "test"},
          {"name": CHOICE, "split": CHOICE, "size": {"an unsupported size": 12, "a string": "8", "None": None}},
          aliases={"name": ("data set",)}),
    Entry("load_dataset(shapes)", lambda: _load_dataset, {"name": "shapes", "n": 4, "size": 16},
          {"n": {**{k: v for k, v in POSITIVE_INT.items() if k != "None"}, "huge": 10**12}, "size": {**POSITIVE_INT, "too small": 4, "huge": 10**6},
           "weights": SHAPES_ATTRIBUTE, "exclude": SHAPES_EXCLUDE, "only": SHAPES_EXCLUDE},
          numeric={"n": st.integers(max_value=0)}),
    Entry("load_dataset(photos)", lambda: _load_dataset, {"name": "photos", "size": 16},
          {"names": {"a string (not a list)": "astronaut", "an int": 3, "unknown": ["nobody"], "empty": []},
           "size": POSITIVE_INT}),
    Entry("to_unit", lambda: _to_unit, {"x": IMAGE_SIGNED}, {"x": image_bad((-1.0, 1.0), empty=False)}),
    Entry("to_signed", lambda: _to_signed, {"x": IMAGE_01}, {"x": image_bad((0.0, 1.0), empty=False)}),
    Entry("show_images", lambda: _show_images, {"x": IMAGE_01},
          {"x": image_bad((0.0, 1.0)), "nrow": POSITIVE_INT, "scale": POSITIVE_FLOAT}),
    Entry("q_sample", lambda: _q_sample,
          {"x0": IMAGE_SIGNED, "t": 3, "eps": lambda: torch.randn(4, 1, 8, 8), "schedule": _schedule},
          {"x0": image_bad((-1.0, 1.0)), "t": {"negative": -1, "T or more": 50, "a float": 1.5, "None": None},
           "eps": {"NaN": lambda: torch.full((4, 1, 8, 8), math.nan), "wrong shape": lambda: torch.randn(4, 1, 4, 4),
                   "None": None}},
          numeric={"t": st.one_of(st.integers(max_value=-1), st.integers(min_value=50))}),
    Entry("generate_digits", lambda: _generate_digits,
          {"model": _digits_model, "labels": lambda: torch.tensor([1, 2]), "schedule": _schedule, "size": 8,
           "steps": 2},
          {"labels": DIGIT_LABELS, "size": {"16 on an 8x8 model": 16, "zero": 0, "a string": "8"},
           "steps": {**POSITIVE_INT, "more than T": 51}, "scale": NON_NEGATIVE_FLOAT,
           "sampler": CHOICE, "eta": {"negative": -0.5, "NaN": math.nan}, "seed": {"a string": "0", "None": None}},
          numeric={"steps": st.integers(max_value=0), "scale": st.floats(max_value=-1e-6)}),
    Entry("GANConfig", lambda: _gan_config, {},
          {"steps": POSITIVE_INT, "batch_size": {**POSITIVE_INT, "negative eight": -8}, "lr_g": POSITIVE_FLOAT,
           "lr_d": POSITIVE_FLOAT, "betas": {"one number": 0.5, "above one": (0.5, 1.5), "a string": "adam"},
           "loss": CHOICE, "label_smoothing": PROBABILITY, "ema_decay": {"above one": 1.5, "negative": -0.1},
           "seed": {"negative": -1, "a string": "0"}, "log_every": POSITIVE_INT,
           "checkpoint_every": {"zero": 0, "negative": -1, "a float": 1.5, "a string": "3"},
           "device": {"gpu (not a device)": "gpu", "a number": 0.5}, "amp": CHOICE},
          numeric={"batch_size": st.integers(max_value=0), "lr_g": st.floats(max_value=0.0),
                   "log_every": st.integers(max_value=0)}),
    Entry("TrainConfig", lambda: _train_config, {"steps": 10},
          {"steps": POSITIVE_INT, "batch_size": POSITIVE_INT, "lr": POSITIVE_FLOAT,
           "device": {"gpu (not a device)": "gpu", "a number": 0.5}, "log_every": POSITIVE_INT,
           "amp": CHOICE, "grad_clip": {"zero": 0, "NaN": math.nan}},
          numeric={"lr": st.floats(max_value=0.0), "steps": st.integers(max_value=0)}),
    Entry("DigitsDiffusionConfig", lambda: _digits_config, {},
          {"steps": POSITIVE_INT, "batch_size": POSITIVE_INT, "lr": POSITIVE_FLOAT, "size": {"12": 12, "a string": "8"},
           "label_dropout": PROBABILITY, "per_class": {"zero": 0, "negative": -3, "a float": 2.5}}),
    Entry("tokenizer.encode", lambda: _tokenizer_encode(), {"text": "a small red circle on the left"},
          {"text": PROMPT}, aliases={"text": ("prompt",)}),
    Entry("text_to_image.generate", lambda: _generate_text,
          {"model": _text_model, "prompts": ["a small red circle on the left"], "steps": 2},
          {"prompts": PROMPT, "guidance": NON_NEGATIVE_FLOAT, "steps": POSITIVE_INT},
          aliases={"prompts": ("prompt",)}),
    Entry("frechet_distance", lambda: _fd,
          {"feats_a": lambda: torch.randn(64, 8), "feats_b": lambda: torch.randn(64, 8)},
          {"feats_a": features_bad(), "feats_b": features_bad()}),
    Entry("class_entropy", lambda: _class_entropy,
          {"labels": lambda: torch.tensor([0, 1, 2, 1]), "num_classes": 3},
          {"labels": {"out of range": lambda: torch.tensor([0, 5]), "negative": lambda: torch.tensor([-1, 0]),
                      "a string": "0 1", "float": lambda: torch.tensor([0.5])},
           "num_classes": POSITIVE_INT}),
]


def _to_unit(**kwargs):
    from genimg_edu.data import to_unit
    return to_unit(**kwargs)


def _to_signed(**kwargs):
    from genimg_edu.data import to_signed
    return to_signed(**kwargs)



# ---- chapters 08-11 ------------------------------------------------------------------------------

def _call(module: str, name: str):
    """A target that imports genimg_edu.<module>.<name> when first called (nothing heavy at collection)."""
    def target():
        import importlib
        return getattr(importlib.import_module(f"genimg_edu.{module}"), name)
    return target


@functools.lru_cache(maxsize=None)
def _tiny_pipe():
    from genimg_edu.stable_diffusion import build_tiny_pipeline
    return build_tiny_pipeline(seed=0)


@functools.lru_cache(maxsize=None)
def _style_net():
    from genimg_edu.style import StyleNet
    torch.manual_seed(0)
    return StyleNet(width=4, blocks=1).eval()


def _sd_budget():
    from genimg_edu.landscape.compute import SD_V1_BUDGET
    return SD_V1_BUDGET


RGB16, RGB64 = images(shape=(2, 3, 16, 16)), images(shape=(1, 3, 64, 64))
FEATURES = lambda: torch.rand(2, 8, 6, 6, generator=torch.Generator().manual_seed(2))  # noqa: E731
FEATURE_MAP_BAD = {"3-D": lambda: torch.rand(8, 6, 6), "a list": [[1.0]], "None": None}
SEED = {"negative": -1, "a string": "0", "None": None, "a float": 1.5}
NAME = {"unknown name": "no-such-name", "a number": 3, "None": None}
FRACTION = {"zero": 0.0, "above one": 1.5, "NaN": math.nan, "a string": "0.5", "None": None}
YEAR = {"a string": "2014", "a float": 2014.5, "None": None, "before 1900": 1200, "far future": 3000}
SD_PROMPT = {"None": None, "a number": 42, "an empty list": []}

REGISTRY += [
    # chapter 08: mini Stable Diffusion
    Entry("MiniSDConfig", _call("stable_diffusion", "MiniSDConfig"), {},
          {"n_train": POSITIVE_INT, "vae_steps": POSITIVE_INT, "unet_batch_size": POSITIVE_INT,
           "unet_lr": NON_NEGATIVE_FLOAT, "kl_weight": NON_NEGATIVE_FLOAT, "caption_dropout": PROBABILITY,
           "partial_caption": PROBABILITY, "ema_decay": {"one": 1.0, "negative": -0.5, "NaN": math.nan, "a string": "0.9"},
           "schedule": CHOICE, "prediction": CHOICE, "vae_channels": {"one level": (16,), "an int": 16, "None": None},
           "unet_channels": {"one level": (32,), "an int": 32}, "attention_levels": {"wrong count": (True,), "None": None},
           "text_heads": {"does not divide text_dim": 5, **POSITIVE_INT}, "seed": SEED}),
    Entry("course_tokenizer", _call("stable_diffusion", "course_tokenizer"), {"max_length": 16},
          {"max_length": POSITIVE_INT}),
    Entry("stable_diffusion.generate", _call("stable_diffusion.evaluation", "generate"),
          {"pipe": _tiny_pipe, "prompts": ["a red circle"], "steps": 2},
          {"prompts": SD_PROMPT, "guidance": NON_NEGATIVE_FLOAT, "steps": POSITIVE_INT, "seed": SEED,
           "batch_size": POSITIVE_INT}, aliases={"prompts": ("prompt",)}),
    Entry("denoise_step_by_step", _call("stable_diffusion", "denoise_step_by_step"),
          {"pipe": _tiny_pipe, "prompt": "a red circle", "steps": 2, "height": 32, "width": 32},
          {"prompt": {"None": None, "a number": 42, "a list": ["a", "b"]}, "steps": POSITIVE_INT,
           "guidance": NON_NEGATIVE_FLOAT, "height": {"not a multiple of 8": 30, **POSITIVE_INT},
           "num_images": POSITIVE_INT, "seed": SEED}),
    # chapter 09: style transfer
    Entry("StyleConfig", _call("style", "StyleConfig"), {},
          {"steps": POSITIVE_INT, "optimiser": CHOICE, "lr": {"zero": 0, "negative": -1, "NaN": math.nan, "a string": "0.1"},
           "content_weight": NON_NEGATIVE_FLOAT, "style_weight": NON_NEGATIVE_FLOAT, "tv_weight": NON_NEGATIVE_FLOAT,
           "init": CHOICE, "seed": SEED, "history_every": POSITIVE_INT}),
    Entry("FeedForwardConfig", _call("style", "FeedForwardConfig"), {},
          {"steps": POSITIVE_INT, "batch_size": POSITIVE_INT, "crop": {"not a multiple of 4": 30, "too small": 8, **POSITIVE_INT},
           "lr": NON_NEGATIVE_FLOAT, "style_weight": NON_NEGATIVE_FLOAT, "width": POSITIVE_INT, "blocks": POSITIVE_INT,
           "seed": SEED}),
    Entry("style_image", _call("style", "style_image"), {"name": "swirl", "size": 32},
          {"name": NAME, "size": {**POSITIVE_INT, "huge": 10**6}, "seed": SEED}),
    Entry("content_image", _call("style", "content_image"), {"name": "astronaut", "size": 32},
          {"name": NAME, "size": POSITIVE_INT}),
    Entry("texture_image", _call("style", "texture_image"), {"name": "brick", "size": 32},
          {"name": NAME, "size": POSITIVE_INT}),
    Entry("gram_matrix", _call("style", "gram_matrix"), {"features": FEATURES}, {"features": FEATURE_MAP_BAD}),
    Entry("adain", _call("style", "adain"), {"content_features": FEATURES, "style_features": FEATURES},
          {"content_features": FEATURE_MAP_BAD, "style_features": {**FEATURE_MAP_BAD, "other channels": lambda: torch.rand(2, 4, 6, 6)},
           "eps": POSITIVE_FLOAT}),
    Entry("feature_net", _call("style", "feature_net"), {"name": "random"}, {"name": NAME}),
    Entry("RandomFeatures", _call("style", "RandomFeatures"), {"width": 8},
          {"width": {**POSITIVE_INT, "huge": 10**6}, "seed": SEED}),
    Entry("stylise_fast", _call("style", "stylise_fast"), {"model": _style_net, "x": RGB16},
          {"x": {**image_bad(shape=(2, 3, 16, 16)), "side not divisible by 4": lambda: torch.rand(1, 3, 18, 18)},
           "model": {"None": None, "a string": "net"}}),
    # chapter 10: ethics
    Entry("radial_spectrum", _call("ethics.detector", "radial_spectrum"), {"x": RGB16}, {"x": image_bad(shape=(2, 3, 16, 16))}),
    Entry("jpeg", _call("ethics.detector", "jpeg"), {"x": RGB16, "quality": 75},
          {"x": image_bad(shape=(2, 3, 16, 16)), "quality": {"zero": 0, "above 95": 100, "a float": 50.5, "a string": "75", "None": None}}),
    Entry("resize", _call("ethics.detector", "resize"), {"x": RGB16, "scale": 0.5},
          {"x": image_bad(shape=(2, 3, 16, 16)), "scale": {**POSITIVE_FLOAT, "above one": 2.0}}),
    Entry("degrade", _call("ethics.detector", "degrade"), {"x": RGB16},
          {"quality": {"zero": 0, "a string": "75"}, "scale": POSITIVE_FLOAT}),
    Entry("pixelate", _call("ethics.anonymise", "pixelate"), {"x": RGB16, "block": 4},
          {"x": image_bad(shape=(2, 3, 16, 16)), "block": POSITIVE_INT}),
    Entry("watermark.embed", _call("ethics.watermark", "embed"),
          {"x": lambda: RGB64()[0], "bits": lambda: __import__("genimg_edu.ethics.watermark", fromlist=["x"]).random_bits(8)},
          {"x": {label: (lambda make=make: _value(make)[0]) for label, make in image_bad(shape=(1, 3, 64, 64)).items()
                 if label in ("NaN pixel", "inf pixel", "0..255 range", "integer dtype")}
                | {"4-D (a batch)": RGB64, "grey (1, H, W)": lambda: RGB64()[0, :1], "None": None}, "bits": {"None": None, "a string": "0101", "not 0/1": [0, 2, 1]},
           "delta": POSITIVE_FLOAT, "passes": POSITIVE_INT}),
    Entry("watermark.random_bits", _call("ethics.watermark", "random_bits"), {"n": 8},
          {"n": POSITIVE_INT, "seed": SEED}),
    Entry("detection_threshold", _call("ethics.watermark", "detection_threshold"), {"n_bits": 32},
          {"n_bits": POSITIVE_INT, "false_positive": FRACTION}),
    Entry("nn_ratio", _call("ethics.memorisation", "nn_ratio"), {"samples": IMAGE_01, "train": images(shape=(6, 1, 8, 8))},
          {"samples": {k: v for k, v in image_bad().items() if k != "0..255 range"},  # any range, the same for both
           "train": {**{k: v for k, v in image_bad(shape=(6, 1, 8, 8)).items() if k != "0..255 range"},
                     "one image": images(shape=(1, 1, 8, 8)),
                                             "other size": images(shape=(6, 1, 16, 16))}}),
    Entry("memorised_share", _call("ethics.memorisation", "memorised_share"),
          {"samples": IMAGE_01, "train": images(shape=(6, 1, 8, 8))}, {"threshold": FRACTION}),
    Entry("red_weight", _call("ethics.bias", "red_weight"), {"red_share": 0.8}, {"red_share": FRACTION}),
    Entry("skewed_shapes", _call("ethics.bias", "skewed_shapes"), {"n": 20},
          {"red_share": FRACTION, "n": POSITIVE_INT, "size": {"an unsupported size": 12, "a string": "16"}, "seed": SEED}),
    Entry("amplification", _call("ethics.bias", "amplification"), {"output_share": 0.9, "data_share": 0.8},
          {"output_share": {"above one": 1.5, "negative": -0.1, "NaN": math.nan, "a string": "0.9"}, "data_share": FRACTION}),
    # chapter 11: the landscape
    Entry("matmul_flops", _call("landscape.compute", "matmul_flops"), {"m": 4, "k": 4, "n": 4},
          {"m": POSITIVE_INT, "k": POSITIVE_INT, "n": POSITIVE_INT}),
    Entry("conv2d_flops", _call("landscape.compute", "conv2d_flops"),
          {"batch": 2, "in_channels": 3, "out_channels": 8, "out_size": (16, 16), "kernel": (3, 3)},
          {"batch": POSITIVE_INT, "in_channels": POSITIVE_INT, "out_channels": POSITIVE_INT,
           "out_size": {"an int": 16, "three numbers": (1, 2, 3), "zero": (0, 16)}, "kernel": {"an int": 3, "negative": (-3, 3)},
           "groups": {**POSITIVE_INT, "does not divide the channels": 2}}),
    Entry("training_flops", _call("landscape.compute", "training_flops"), {"budget": _sd_budget},
          {"budget": {"None": None, "a number": 150000}, "precision": CHOICE, "utilization": FRACTION}),
    Entry("budget_on_machine", _call("landscape.compute", "budget_on_machine"), {"budget": _sd_budget, "local_flops": 1e11},
          {"local_flops": POSITIVE_FLOAT, "precision": CHOICE, "utilization": FRACTION}),
    Entry("describe_duration", _call("landscape.compute", "describe_duration"), {"seconds": 100.0},
          {"seconds": {"negative": -1.0, "NaN": math.nan, "a string": "100", "None": None}}),
    Entry("measure_matmul", _call("landscape.compute", "measure_matmul"), {"n": 8, "repeats": 1},
          {"n": POSITIVE_INT, "repeats": POSITIVE_INT, "device": {"gpu (not a device)": "gpu", "a number": 3}}),
    Entry("per_class_for", _call("landscape.learning_curve", "per_class_for"), {"fraction": 0.2, "n_train": 1000},
          {"fraction": FRACTION, "n_train": POSITIVE_INT, "num_classes": POSITIVE_INT}),
    Entry("LearningCurveConfig", _call("landscape.learning_curve", "LearningCurveConfig"), {},
          {"fractions": {"empty": (), "above one": (0.5, 1.5), "a float": 0.5, "zero": (0.0,)}, "steps": POSITIVE_INT,
           "batch_size": POSITIVE_INT, "n_samples": POSITIVE_INT, "sample_steps": POSITIVE_INT,
           "scale": NON_NEGATIVE_FLOAT, "seed": SEED}),
    Entry("SyntheticDataConfig", _call("landscape.synthetic_data", "SyntheticDataConfig"), {},
          {"real_per_class": POSITIVE_INT, "synthetic_per_class": NON_NEGATIVE_INT, "seeds": {"empty": (), "an int": 3},
           "classifier_steps": POSITIVE_INT, "classifier_lr": POSITIVE_FLOAT, "generator_steps": POSITIVE_INT,
           "sample_steps": POSITIVE_INT, "scale": NON_NEGATIVE_FLOAT}),
    Entry("events_in", _call("landscape.timeline", "events_in"), {"year": 2014}, {"year": YEAR}),
    Entry("timeline_entry", _call("landscape.timeline", "timeline_entry"), {"year": 2014},
          {"year": YEAR, "pictures": {"a list": [1], "a string": "gan", "a picture out of range": lambda: {1957: torch.rand(1, 1, 8, 8) + 2}}}),
    Entry("by_maker", _call("landscape.players", "by_maker"), {"maker": "OpenAI"}, {"maker": NAME}),
    Entry("mean_spread", _call("landscape.synthetic_data", "mean_spread"), {"values": [0.5, 0.6, 0.7]},
          {"values": {"empty": [], "None": None, "a string": "0.5", "NaN": [0.5, math.nan]}}),
]

# ---- the check -----------------------------------------------------------------------------------

ECHO_LIMIT = 2000  # an error message longer than this repeats the input instead of describing it


def problem_with(entry: Entry, argument: str, bad) -> str | None:
    """None if calling entry with `argument` = bad gives a clear error; else what was wrong."""
    function = entry.target()
    kwargs = {name: _value(value) for name, value in entry.valid.items()}
    kwargs[argument] = _value(bad)
    try:
        function(**kwargs)
    except (ValueError, TypeError) as error:
        message = str(error)
        if not any(word in message for word in (argument, *(entry.aliases or {}).get(argument, ()))):
            return f"{type(error).__name__} does not name {argument!r}: {message[:300]}"
        if len(message) > ECHO_LIMIT:
            return f"{type(error).__name__} message is {len(message)} characters long (echoes the input)"
        return None
    except Exception as error:  # noqa: BLE001 -- any other kind is exactly what this test reports
        return f"unclear {type(error).__name__}: {str(error)[:300]}"
    return "accepted silently"


CASES = [pytest.param(entry, argument, label, value, id=f"{entry.name}-{argument}-{label}")
         for entry in REGISTRY for argument, values in entry.bad.items() for label, value in values.items()]


def test_valid_arguments_work():
    """The registry's valid arguments run (so the bad-input tests fail for the bad argument alone)."""
    for entry in REGISTRY:
        entry.target()(**{name: _value(value) for name, value in entry.valid.items()})


@pytest.mark.parametrize("entry, argument, label, bad", CASES)
def test_bad_input_is_a_clear_error(entry, argument, label, bad, recwarn):
    problem = problem_with(entry, argument, bad)
    assert problem is None, f"{entry.name}({argument}=<{label}>): {problem}"


NUMERIC = [pytest.param(entry, argument, strategy, id=f"{entry.name}-{argument}")
           for entry in REGISTRY for argument, strategy in (entry.numeric or {}).items()]
EXAMPLES = int(os.environ.get("GENIMG_PROPERTY_EXAMPLES", "10"))


@pytest.mark.parametrize("entry, argument, strategy", NUMERIC)
def test_invalid_numbers_are_clear_errors(entry, argument, strategy):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(bad=strategy)
    def check(bad):
        problem = problem_with(entry, argument, bad)
        assert problem is None, f"{entry.name}({argument}={bad!r}): {problem}"
    check()
