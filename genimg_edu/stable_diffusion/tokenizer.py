"""An offline `transformers.CLIPTokenizer` for the course's words: Stable Diffusion's own tokenizer
class, with a tiny byte-pair vocabulary written by us instead of downloaded.

CLIP's tokenizer is byte-pair encoding (BPE): it starts from single characters (a word's last one
marked `</w>`) and applies learned merges, so a known word becomes one token and an unknown word
falls apart into pieces instead of failing::

    "a small red circle"  ->  ["a</w>", "small</w>", "red</w>", "circle</w>"]
    "a tiny red circle"   ->  ["a</w>", "t", "i", "n", "y</w>", "red</w>", "circle</w>"]

Ids are wrapped in <|startoftext|> ... <|endoftext|> and padded with <|endoftext|> to
`model_max_length` (77 in SD; 16 here, a caption is at most 7 words, 9 tokens with start and end). Notebook 08.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from ..data.shapes import ATTRIBUTES, POSITION_PHRASE, caption_for

TINY_WORDS = ("a", "lush", "moonlit", "forest", "red", "circle", "small", "large", "on", "the", "left", "photo", "of")


def course_words() -> tuple[str, ...]:
    """Every word a shapes caption uses, plus "shape" (for partial prompts like "a red shape")."""
    captions = [caption_for(shape=s, colour=c, size=z, position=p) for s in ATTRIBUTES["shape"]
                for c in ATTRIBUTES["colour"] for z in ATTRIBUTES["size"] for p in POSITION_PHRASE]
    return tuple(sorted({w for caption in captions for w in caption.split()} | {"shape"}))


def _require_transformers():
    try:
        import transformers  # noqa: F401
    except ImportError as error:  # pragma: no cover - transformers is a dependency
        raise ImportError("Stable Diffusion's text encoder comes from `transformers`: pip install transformers") from error


def tiny_clip_tokenizer(directory=None, *, words=TINY_WORDS, max_length: int = 77):
    """A real `CLIPTokenizer` with a tiny byte-pair vocabulary written to `directory` (None: a temporary
    folder, removed once the tokenizer has read it): every printable character, plus merges that make
    each of `words` one token. Pads to `max_length` tokens with <|endoftext|>, like SD's."""
    _require_transformers()
    if not isinstance(max_length, int) or max_length < 2:
        raise ValueError(f"max_length must be an int >= 2 (room for start and end tokens), got {max_length!r}")
    if directory is None:
        with tempfile.TemporaryDirectory(prefix="clip_tokenizer_") as temporary:
            return _write_and_load(Path(temporary), words=words, max_length=max_length)
    return _write_and_load(Path(directory), words=words, max_length=max_length)


def _write_and_load(directory: Path, *, words, max_length: int):
    """Write vocab.json and merges.txt for `words` into `directory` and load them as a CLIPTokenizer
    (which keeps the vocabulary in memory: it does not read the files again)."""
    from transformers import CLIPTokenizer
    directory.mkdir(parents=True, exist_ok=True)
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for code in range(33, 127):
        for token in (chr(code), chr(code) + "</w>"):
            vocab.setdefault(token, len(vocab))
    merges = []
    for word in words:  # merge left to right: "r e" -> "re", "re d</w>" -> "red</w>"
        if not word.isalpha() or word != word.lower():
            raise ValueError(f"words must be lower-case letters only, got {word!r}")
        pieces = list(word[:-1]) + [word[-1] + "</w>"]
        left = pieces[0]
        for piece in pieces[1:]:
            if f"{left} {piece}" not in merges:
                merges.append(f"{left} {piece}")
            left += piece
            vocab.setdefault(left, len(vocab))
    (directory / "vocab.json").write_text(json.dumps(vocab))
    (directory / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return CLIPTokenizer(str(directory / "vocab.json"), str(directory / "merges.txt"),
                         pad_token="<|endoftext|>", model_max_length=max_length)


def course_tokenizer(directory=None, *, max_length: int = 16):
    """The CLIPTokenizer of the mini Stable Diffusion: one token per course word, 16 tokens long."""
    return tiny_clip_tokenizer(directory, words=course_words(), max_length=max_length)
