"""The training data and its prompts: 32x32 shapes with captions, and the partial prompts.

Every caption names four attributes ("a small red circle on the left"). In training a prompt is
sometimes cut down to a random part of its attributes ("a red shape", "a small circle on the left")
and sometimes to the empty prompt "" (caption dropout, the unconditional model classifier-free
guidance needs). A model trained only on full captions has never seen "a red shape", so a negative
prompt like it would mean nothing to it; with partial prompts it does. Each image gets all 16
versions of its prompt, one per subset of (size, colour, shape, position): subset 0 is "", 15 is the
full caption.
"""
from __future__ import annotations

import itertools

import torch

from ..checks import check_int
from ..data import load_dataset
from ..data.shapes import ATTRIBUTES, POSITION_PHRASE, all_captions, is_held_out, parse_caption  # noqa: F401
from .config import MiniSDConfig

CAPTION_ATTRIBUTES = ("size", "colour", "shape", "position")
SUBSETS = [tuple(name for name, keep in zip(CAPTION_ATTRIBUTES, flags) if keep)
           for flags in itertools.product((False, True), repeat=4)]  # 16 subsets, SUBSETS[0] = (), [15] = all
SUBSETS.sort(key=lambda s: (len(s), [CAPTION_ATTRIBUTES.index(a) for a in s]))
FULL, EMPTY = len(SUBSETS) - 1, 0


def partial_caption(attributes: dict[str, str], keep) -> str:
    """The caption with only the attributes in `keep`: keep=("colour",) -> "a red shape";
    keep=() -> "" (the empty prompt); keep = all four -> the full caption."""
    keep = (keep,) if isinstance(keep, str) else tuple(keep)
    unknown = [name for name in keep if name not in CAPTION_ATTRIBUTES]
    if unknown:
        raise ValueError(f"keep must hold attributes from {CAPTION_ATTRIBUTES}, got {unknown}")
    if not keep:
        return ""
    words = ["a"]
    if "size" in keep:
        words.append(attributes["size"])
    if "colour" in keep:
        words.append(attributes["colour"])
    words.append(attributes["shape"] if "shape" in keep else "shape")
    if "position" in keep:
        words.append(POSITION_PHRASE[attributes["position"]])
    return " ".join(words)


def check_prompts(prompts) -> list[str]:
    """prompts: a str (one prompt) or a non-empty list / tuple of str. Returns them as a list."""
    if not isinstance(prompts, (str, list, tuple)) or any(not isinstance(p, str) for p in prompts):
        raise TypeError(f"prompts must be a str or a list of str, got {prompts!r:.60}")
    prompts = [prompts] if isinstance(prompts, str) else list(prompts)
    if not prompts:
        raise ValueError("prompts must not be empty")
    return prompts


def one_attribute_prompts(attribute: str) -> list[str]:
    """The prompts that name only `attribute`, one per value in ATTRIBUTES order: "colour" ->
    ["a red shape", "a green shape", ...]; "position" -> ["a shape on the left", ...]."""
    if attribute not in CAPTION_ATTRIBUTES:
        raise ValueError(f"attribute must be one of {CAPTION_ATTRIBUTES}, got {attribute!r}")
    example = {name: values[0] for name, values in ATTRIBUTES.items()}
    return [partial_caption({**example, attribute: value}, (attribute,)) for value in ATTRIBUTES[attribute]]


def training_images(config: MiniSDConfig, *, n: int | None = None):
    """The shapes training set at 32x32 in [0, 1], held-out combinations excluded (ImageSet).
    n: how many images (None: config.n_train)."""
    if n is not None:
        check_int("n", n, low=1)
    return load_dataset("shapes", split="train", n=n or config.n_train, size=32, seed=config.seed,
                        exclude=[dict(c) for c in config.held_out])


def prompt_table(data) -> tuple[list[str], torch.Tensor]:
    """All distinct prompts of `data` (an ImageSet with attributes) and, per image, the index of each
    of its 16 prompt versions: (prompts, index (N, 16) long) with prompts[index[i, FULL]] its caption
    and prompts[index[i, EMPTY]] == ""."""
    names = {name: [ATTRIBUTES[name][int(v)] for v in data.attributes[name]] for name in CAPTION_ATTRIBUTES}
    prompts, where = [], {}
    index = torch.empty(len(data), len(SUBSETS), dtype=torch.long)
    for row in range(len(data)):
        attributes = {name: names[name][row] for name in CAPTION_ATTRIBUTES}
        for column, keep in enumerate(SUBSETS):
            text = partial_caption(attributes, keep)
            if text not in where:
                where[text] = len(prompts)
                prompts.append(text)
            index[row, column] = where[text]
    return prompts, index


def choose_versions(n: int, *, caption_dropout: float, partial_caption: float, generator=None) -> torch.Tensor:
    """(n,) column into the prompt table: EMPTY with P caption_dropout, a random proper part
    (columns 1..14) with P partial_caption, else FULL."""
    u = torch.rand(n, generator=generator)
    parts = torch.randint(1, FULL, (n,), generator=generator)
    return torch.where(u < caption_dropout, EMPTY, torch.where(u < caption_dropout + partial_caption, parts, FULL))


def pick_prompts(index: torch.Tensor, versions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """index (B, 16): each image's prompt versions (rows of `prompt_table`); versions (B,): the column
    picked for each image. Returns (chosen (B,) prompt-table rows, positives (B, B) bool) where
    positives[i, j] says prompt j describes image i too: image i's own version of that part of the
    caption is the very same text ("a red shape" describes every red image; a full caption only the
    images with all four of its attributes)."""
    versions = versions.to(index.device)
    chosen = index[torch.arange(len(index), device=index.device), versions]
    return chosen, index[:, versions] == chosen[None, :]
