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
           "checkpoint_every": NON_NEGATIVE_INT, "device": {"gpu (not a device)": "gpu", "a number": 0.5},
           "amp": CHOICE},
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
