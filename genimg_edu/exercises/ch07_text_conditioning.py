"""Checks for the chapter 07 exercises (exercises/07_text_conditioning.ipynb): from words to pictures.

    q1 tokenize(caption, vocab, max_length)        q4 info_nce(image_emb, text_emb, scale)
    q2 padding_mask(ids)                           q5 cfg_combine(eps_text, eps_empty, w)
    q3 cosine_matrix(a, b)

Each check compares the learner's answer with `genimg_edu.text` on small inputs and names the
most common mistakes.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..diffusion.guidance import combine_guidance
from ..text.clip import info_nce_loss
from ..text.encoder import cosine_similarity_matrix
from ..text.tokenizer import BOS_ID, EOS_ID, PAD_ID, UNK_ID, shapes_tokenizer
from .problem import Problem


def check_tokenize(tokenize):
    tok = shapes_tokenizer()
    for caption in ("a small red circle on the left", "A large BLUE cross, in the center", "a lush red forest"):
        expected = tok(caption, unknown="unk")[0][0].tolist()
        answer = tokenize(caption, tok.vocab, tok.max_length)
        assert isinstance(answer, list), f"tokenize should return a list of ints, got {type(answer).__name__}"
        answer = [int(i) for i in answer]
        if answer and answer[0] != BOS_ID:
            raise AssertionError(f"start with the [BOS] id {BOS_ID} (got {answer[:1]})")
        assert len(answer) == tok.max_length, (f"pad with [PAD] (id {PAD_ID}) to max_length={tok.max_length}; "
                                               f"got {len(answer)} ids for {caption!r}")
        if EOS_ID not in answer:
            raise AssertionError(f"end the words with the [EOS] id {EOS_ID}")
        if "lush" in caption and UNK_ID not in answer:
            raise AssertionError(f"unknown words such as 'lush' become [UNK] (id {UNK_ID})")
        assert answer == expected, (f"for {caption!r} expected {expected}, got {answer}. Lower-case the caption "
                                    "and drop punctuation (split_words does both) before looking words up")


def check_padding_mask(padding_mask):
    ids = torch.tensor([[2, 4, 19, 3, 0, 0], [2, 3, 0, 0, 0, 0], [2, 5, 6, 7, 8, 3]])
    answer = padding_mask(ids)
    assert isinstance(answer, torch.Tensor) and answer.shape == ids.shape, f"return a tensor shaped like ids {tuple(ids.shape)}"
    if answer.dtype != torch.bool:
        raise AssertionError(f"return a bool tensor (True = a real token), got {answer.dtype}")
    if torch.equal(answer, ids == PAD_ID):
        raise AssertionError("that is True on padding; the mask is True on REAL tokens (ids != PAD_ID)")
    assert torch.equal(answer, ids != PAD_ID), "the mask is ids != 0 ([PAD] has id 0)"


def check_cosine_matrix(cosine_matrix):
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(4, 6, generator=g) * 3, torch.randn(5, 6, generator=g)
    answer = cosine_matrix(a, b)
    expected = cosine_similarity_matrix(a, b)
    assert isinstance(answer, torch.Tensor) and answer.shape == (4, 5), "(N, d) and (M, d) give an (N, M) matrix"
    if torch.allclose(answer, a @ b.T, atol=1e-4):
        raise AssertionError("that is the dot product; normalise each row to length 1 first (F.normalize)")
    assert torch.allclose(answer, expected, atol=1e-5), "normalise rows of a and b, then a_n @ b_n.T"


def check_info_nce(info_nce):
    g = torch.Generator().manual_seed(1)
    a = F.normalize(torch.randn(6, 8, generator=g), dim=-1)
    b = F.normalize(torch.randn(6, 8, generator=g), dim=-1)
    answer = info_nce(a, b, 10.0)
    assert isinstance(answer, torch.Tensor) and answer.ndim == 0, "return a scalar tensor"
    logits = 10.0 * a @ b.T
    one_way = F.cross_entropy(logits, torch.arange(6))
    if torch.allclose(answer, one_way, atol=1e-5):
        raise AssertionError("that is only image -> text; average it with text -> image (the transposed logits)")
    assert torch.allclose(answer, info_nce_loss(a, b, 10.0), atol=1e-5), (
        "logits = scale * image_emb @ text_emb.T; targets are 0..B-1; mean of the two cross-entropies")


def check_cfg(cfg_combine):
    g = torch.Generator().manual_seed(2)
    text, empty = torch.randn(2, 3, 4, 4, generator=g), torch.randn(2, 3, 4, 4, generator=g)
    for w in (4.0, 0.0, 1.0):
        answer = cfg_combine(text, empty, w)
        assert isinstance(answer, torch.Tensor) and answer.shape == text.shape, "return a tensor of the input shape"
        if w == 4.0 and torch.allclose(answer, text + 4.0 * (text - empty), atol=1e-5):
            raise AssertionError("start from the EMPTY-prompt prediction: eps_empty + w * (eps_text - eps_empty)")
        assert torch.allclose(answer, combine_guidance(text, empty, w), atol=1e-5), (
            f"at w={w}: eps_empty + w * (eps_text - eps_empty); w=0 ignores the text, w=1 is the text alone")


q1 = Problem("tokenize", title="1. Tokenise a caption", check=check_tokenize,
             prompt="Write tokenize(caption, vocab, max_length) -> list of ids: [BOS], one id per word (lower-cased, "
                    "punctuation dropped, unknown words -> [UNK]), [EOS], then [PAD] up to max_length.",
             hint=["split_words(caption) gives the lower-case words; vocab.get(word, UNK_ID) looks one up.",
                   "ids = [BOS_ID] + [vocab.get(w, UNK_ID) for w in split_words(caption)] + [EOS_ID]; "
                   "return ids + [PAD_ID] * (max_length - len(ids))"],
             notebook="07_text_conditioning")
q2 = Problem("padding_mask", title="2. The padding mask", check=check_padding_mask,
             prompt="Write padding_mask(ids): (B, L) long -> (B, L) bool, True where the token is real (not [PAD]).",
             hint=["[PAD] has id 0 (PAD_ID).", "return ids != PAD_ID"],
             notebook="07_text_conditioning")
q3 = Problem("cosine_matrix", title="3. A cosine similarity matrix", check=check_cosine_matrix,
             prompt="Write cosine_matrix(a, b): (N, d), (M, d) -> (N, M) cosine similarities.",
             hint=["Cosine similarity is the dot product of unit vectors.",
                   "return F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).T"],
             notebook="07_text_conditioning")
q4 = Problem("info_nce", title="4. The CLIP loss", check=check_info_nce,
             prompt="Write info_nce(image_emb, text_emb, scale): symmetric InfoNCE for B matching pairs of unit "
                    "vectors (row i of each is a pair).",
             hint=["logits = scale * image_emb @ text_emb.T is (B, B); the right caption of image i is column i.",
                   "targets = torch.arange(B); (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2"],
             notebook="07_text_conditioning")
q5 = Problem("cfg_combine", title="5. Classifier-free guidance", check=check_cfg,
             prompt="Write cfg_combine(eps_text, eps_empty, w): the guided noise prediction with scale w.",
             hint=["Start from the empty-prompt prediction and move w times along (text - empty).",
                   "return eps_empty + w * (eps_text - eps_empty)"],
             notebook="07_text_conditioning")
