"""Words to numbers: a word-level tokenizer with a vocabulary and four special tokens.

A caption becomes a list of integer ids, one per word, wrapped in [BOS] ... [EOS] and padded
with [PAD] to a fixed length so a batch of captions is one (B, L) tensor::

    "a small red circle"  ->  [BOS] a small red circle [EOS] [PAD] [PAD]
                          ->  [2,   4, 17,   14,  8,     3,    0,    0]

The padding mask (True = a real token) tells the text encoder which positions to ignore.
A word the vocabulary has never seen is either an error that lists close known words
(`unknown="error"`, the default) or the [UNK] token plus a report (`unknown="unk"`).
The empty caption "" is just [BOS] [EOS]: the "no text" input classifier-free guidance uses.
Taught in notebook 07.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import torch

PAD, UNK, BOS, EOS = "[PAD]", "[UNK]", "[BOS]", "[EOS]"
SPECIAL_TOKENS = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = range(4)
UNKNOWN_POLICIES = ("error", "unk")
MAX_ECHOED_WORDS = 10  # error messages list at most this many unknown words (a pasted essay is not repeated)
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
PUNCTUATION = set(".,;:!?-'\"()")  # dropped between words; any other character is reported as unknown
# a word, or a run of characters that is neither a word, punctuation nor space (emoji, other scripts)
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9.,;:!?\-'\"()]+")


def _check_text(text) -> str:
    if not isinstance(text, str):
        raise TypeError(f"the prompt (text) must be a str such as 'a small red circle', got {type(text).__name__}")
    return text


def _shorten(text: str, limit: int = 80) -> str:
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text):,} characters)"


class UnknownWordError(ValueError):
    """A prompt used words outside the vocabulary. `.words` lists them, `.suggestions` close words."""

    def __init__(self, words: list[str], suggestions: dict[str, list[str]], vocabulary: list[str]):
        self.words, self.suggestions = words, suggestions
        parts = []
        for word in words[:MAX_ECHOED_WORDS]:
            close = suggestions.get(word) or []
            shown = word if len(word) <= 40 else word[:40] + "..."
            parts.append(f"{shown!r} (did you mean {' or '.join(map(repr, close))}?)" if close else repr(shown))
        if len(words) > MAX_ECHOED_WORDS:
            parts.append(f"and {len(words) - MAX_ECHOED_WORDS} more")
        known = ", ".join(vocabulary)
        super().__init__(f"unknown word{'s' if len(words) > 1 else ''} in the prompt: {', '.join(parts)}. "
                         f"This model only knows these words: {known}")


def split_words(text: str) -> list[str]:
    """Lower-case words of a caption; punctuation is dropped. "A lush, moonlit forest!" ->
    ['a', 'lush', 'moonlit', 'forest']."""
    return WORD.findall(_check_text(text).lower())


def unreadable_pieces(text: str) -> list[str]:
    """The runs of characters `split_words` would silently drop that are not punctuation or spaces
    (emoji, other scripts): "a 🙂 circle" -> ['🙂']. Reported as unknown words, never ignored."""
    pieces = WORD.sub(" ", _check_text(text).lower())
    return list(dict.fromkeys(run for run in ("".join(" " if c in PUNCTUATION else c for c in pieces)).split()))


@dataclass
class Tokenizer:
    """Word-level tokenizer. `words`: the vocabulary (without specials); ids 0..3 are
    [PAD] [UNK] [BOS] [EOS], then the words in order. `max_length` counts [BOS] and [EOS]."""

    words: list[str]
    max_length: int = 12
    vocab: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        if len(set(self.words)) != len(self.words):
            raise ValueError("words must not repeat")
        clashes = [w for w in self.words if w in SPECIAL_TOKENS or split_words(w) != [w]]
        if clashes:
            raise ValueError(f"vocabulary words must be plain lower-case words, got {clashes}")
        if not isinstance(self.max_length, int) or self.max_length < 2:
            raise ValueError(f"max_length must be an int >= 2 (room for [BOS] and [EOS]), got {self.max_length!r}")
        self.vocab = {token: index for index, token in enumerate(SPECIAL_TOKENS + tuple(self.words))}

    @classmethod
    def from_captions(cls, captions, *, max_length: int | None = None) -> "Tokenizer":
        """Build the vocabulary from every word that appears in `captions` (sorted, so the ids
        do not depend on caption order). max_length defaults to the longest caption + 2."""
        captions = list(captions)
        if not captions or not all(isinstance(c, str) for c in captions):
            raise TypeError("captions must be a non-empty list of str")
        words = sorted({w for caption in captions for w in split_words(caption)})
        longest = max(len(split_words(c)) for c in captions)
        return cls(words=words, max_length=max_length or longest + 2)

    def __len__(self) -> int:
        """Vocabulary size including the four special tokens."""
        return len(self.vocab)

    def unknown_words(self, text: str) -> list[str]:
        """The words of `text` that are not in the vocabulary, in order, without repeats; characters the
        tokenizer cannot read at all (emoji, other scripts) count as unknown words too."""
        return list(dict.fromkeys([w for w in split_words(text) if w not in self.vocab] + unreadable_pieces(text)))

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Known words that look like `word` (spelling distance): 'circel' -> ['circle']."""
        return difflib.get_close_matches(word, self.words, n=n, cutoff=0.6)

    def check_prompt(self, text: str) -> None:
        """Raise UnknownWordError (a ValueError) naming unknown words and close known ones."""
        unknown = self.unknown_words(text)
        if unknown:
            raise UnknownWordError(unknown, {w: self.suggest(w) for w in unknown[:MAX_ECHOED_WORDS]}, self.words)

    def encode(self, text: str, *, unknown: str = "error") -> list[int]:
        """Caption -> ids [BOS, w1, ..., EOS] (no padding). unknown="error" raises
        UnknownWordError; unknown="unk" maps unknown words to [UNK] (id 1)."""
        if unknown not in UNKNOWN_POLICIES:
            raise ValueError(f"unknown must be one of {UNKNOWN_POLICIES}, got {unknown!r}")
        if unknown == "error":
            self.check_prompt(text)
        ids = [self.vocab.get(w, UNK_ID) for w in TOKEN.findall(_check_text(text).lower())]
        if len(ids) + 2 > self.max_length:
            raise ValueError(f"the prompt (text) has {len(ids)} words; at most {self.max_length - 2} fit "
                             f"(max_length={self.max_length} includes [BOS] and [EOS]): {_shorten(text)}")
        return [BOS_ID] + ids + [EOS_ID]

    def encode_with_warnings(self, text: str) -> tuple[list[int], list[str]]:
        """Lenient encoding: (ids with [UNK] for unknown words, the list of unknown words)."""
        return self.encode(text, unknown="unk"), self.unknown_words(text)

    def decode(self, ids, *, skip_special: bool = True) -> str:
        """ids -> text; skip_special drops [PAD] [BOS] [EOS] (and keeps [UNK] visible)."""
        tokens = list(self.vocab)
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        for i in ids:
            if not 0 <= int(i) < len(tokens):
                raise ValueError(f"id {i} is outside the vocabulary [0, {len(tokens)})")
        words = [tokens[int(i)] for i in ids]
        if skip_special:
            words = [w for w in words if w not in (PAD, BOS, EOS)]
        return " ".join(words)

    def __call__(self, texts, *, unknown: str = "error") -> tuple[torch.Tensor, torch.Tensor]:
        """Batch of captions -> (ids (B, L) long, mask (B, L) bool), L = max_length;
        mask is True on real tokens ([BOS], words, [EOS]) and False on [PAD]."""
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, (list, tuple)) or not texts:
            raise TypeError(f"texts (the prompts) must be a str or a non-empty list of str, got {texts!r}"[:200])
        rows = [self.encode(t, unknown=unknown) for t in texts]
        ids = torch.full((len(rows), self.max_length), PAD_ID, dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = torch.tensor(row)
        return ids, ids != PAD_ID

    def to_meta(self) -> dict:
        """JSON-able description, stored in checkpoints' meta."""
        return {"words": list(self.words), "max_length": self.max_length}

    @classmethod
    def from_meta(cls, meta: dict) -> "Tokenizer":
        return cls(words=list(meta["words"]), max_length=int(meta["max_length"]))


def shapes_tokenizer(max_length: int = 12) -> Tokenizer:
    """The tokenizer for the shapes captions: every word any shapes caption can use."""
    from ..data.shapes import ATTRIBUTES, POSITION_PHRASE, caption_for
    captions = [caption_for(shape=s, colour=c, size=z, position=p)
                for s in ATTRIBUTES["shape"] for c in ATTRIBUTES["colour"]
                for z in ATTRIBUTES["size"] for p in POSITION_PHRASE]
    return Tokenizer(words=Tokenizer.from_captions(captions).words, max_length=max_length)
