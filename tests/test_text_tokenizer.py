"""Chapter 07 tokenizer: ids, padding, special tokens and helpful unknown-word messages."""
import pytest
import torch

from genimg_edu.data.shapes import ATTRIBUTES
from genimg_edu.text.tokenizer import (BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, Tokenizer, UnknownWordError,
                                       shapes_tokenizer, split_words)


def test_split_words_lowercases_and_drops_punctuation():
    assert split_words("A lush, moonlit forest!") == ["a", "lush", "moonlit", "forest"]
    with pytest.raises(TypeError):
        split_words(3)


def test_round_trip_and_special_tokens():
    tok = shapes_tokenizer()
    caption = "a small red circle on the left"
    ids = tok.encode(caption)
    assert ids[0] == BOS_ID and ids[-1] == EOS_ID and len(ids) == 9
    assert tok.decode(ids) == caption
    assert tok.decode(ids, skip_special=False) == "[BOS] " + caption + " [EOS]"
    assert list(tok.vocab)[:4] == list(SPECIAL_TOKENS)
    for values in ATTRIBUTES.values():  # every attribute word is known (background is not in captions)
        assert all(v in tok.vocab for v in values if v not in ("dark", "light"))


def test_batch_is_padded_with_a_mask():
    tok = shapes_tokenizer(max_length=12)
    ids, mask = tok(["a large blue square at the top", ""])
    assert ids.shape == mask.shape == (2, 12) and ids.dtype == torch.long and mask.dtype == torch.bool
    assert mask[0].sum() == 9 and mask[1].sum() == 2  # "" is [BOS] [EOS]
    assert (ids[~mask] == PAD_ID).all() and ids[1, :2].tolist() == [BOS_ID, EOS_ID]


def test_unknown_words_get_a_clear_message_with_suggestions():
    tok = shapes_tokenizer()
    with pytest.raises(UnknownWordError) as info:
        tok.encode("a small red circel on the lefft")
    message = str(info.value)
    assert "'circel'" in message and "did you mean 'circle'" in message and "'left'" in message
    assert info.value.words == ["circel", "lefft"]
    assert isinstance(info.value, ValueError)
    ids, unknown = tok.encode_with_warnings("a lush moonlit circle")
    assert ids[2:4] == [UNK_ID, UNK_ID] and unknown == ["lush", "moonlit"]
    assert tok.decode(ids) == "a [UNK] [UNK] circle"


def test_bad_input_is_rejected():
    tok = shapes_tokenizer(max_length=6)
    with pytest.raises(ValueError, match="at most 4"):
        tok.encode("a small red circle on the left")
    with pytest.raises(ValueError, match="unknown must be one of"):
        tok.encode("a", unknown="ignore")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.decode([999])
    with pytest.raises(ValueError, match="must not repeat"):
        Tokenizer(words=["a", "a"])
    with pytest.raises(ValueError, match="plain lower-case"):
        Tokenizer(words=["[PAD]"])


def test_vocabulary_does_not_depend_on_caption_order_and_survives_meta():
    captions = ["a red circle", "the blue square", "a red square"]
    a, b = Tokenizer.from_captions(captions), Tokenizer.from_captions(captions[::-1])
    assert a.vocab == b.vocab and a.max_length == 5 and len(a) == 4 + 6
    restored = Tokenizer.from_meta(a.to_meta())
    assert restored.vocab == a.vocab and restored.max_length == a.max_length
