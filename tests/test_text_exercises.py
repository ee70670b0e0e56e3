"""Chapter 07 exercise checks: the solutions pass, the common mistakes get a helpful message."""
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.exercises.ch07_text_conditioning import (check_cfg, check_cosine_matrix, check_info_nce,
                                                         check_padding_mask, check_tokenize)
from genimg_edu.text.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, split_words


def tokenize(caption, vocab, max_length):
    ids = [BOS_ID] + [vocab.get(w, UNK_ID) for w in split_words(caption)] + [EOS_ID]
    return ids + [PAD_ID] * (max_length - len(ids))


def test_solutions_pass():
    check_tokenize(tokenize)
    check_padding_mask(lambda ids: ids != PAD_ID)
    check_cosine_matrix(lambda a, b: F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T)

    def info_nce(a, b, scale):
        logits = scale * a @ b.T
        target = torch.arange(len(a))
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
    check_info_nce(info_nce)
    check_cfg(lambda text, empty, w: empty + w * (text - empty))


def test_common_mistakes_are_named():
    with pytest.raises(AssertionError, match="pad with"):
        check_tokenize(lambda c, v, n: [BOS_ID] + [v.get(w, UNK_ID) for w in split_words(c)] + [EOS_ID])
    def no_lower_case(caption, vocab, max_length):
        ids = [BOS_ID] + [vocab.get(w, UNK_ID) for w in caption.split()] + [EOS_ID]
        return ids + [PAD_ID] * (max_length - len(ids))
    with pytest.raises(AssertionError, match="Lower-case"):
        check_tokenize(no_lower_case)
    with pytest.raises(AssertionError, match="REAL tokens"):
        check_padding_mask(lambda ids: ids == PAD_ID)
    with pytest.raises(AssertionError, match="normalise"):
        check_cosine_matrix(lambda a, b: a @ b.T)
    with pytest.raises(AssertionError, match="only image -> text"):
        check_info_nce(lambda a, b, s: F.cross_entropy(s * a @ b.T, torch.arange(len(a))))
    with pytest.raises(AssertionError, match="EMPTY"):
        check_cfg(lambda text, empty, w: text + w * (text - empty))
