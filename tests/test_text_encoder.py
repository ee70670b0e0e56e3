"""Chapter 07 text encoder: shapes, padding never matters, attention equals PyTorch's."""
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.text.encoder import (MultiHeadAttention, TextEncoder, TextEncoderConfig, cosine_similarity_matrix,
                                     describe_encoding)
from genimg_edu.text.tokenizer import PAD_ID, shapes_tokenizer


def make_encoder(tok, dim=32):
    torch.manual_seed(0)
    return TextEncoder(TextEncoderConfig(vocab_size=len(tok), max_length=tok.max_length, dim=dim, depth=2, heads=4)).eval()


def test_shapes_of_states_and_pooled():
    tok = shapes_tokenizer()
    encoder = make_encoder(tok)
    ids, mask = tok(["a small red circle on the left", "a large blue cross in the center", ""])
    out = encoder(ids, mask)
    assert out.states.shape == (3, tok.max_length, 32) and out.pooled.shape == (3, 32)
    assert torch.equal(out.mask, mask)
    assert not torch.allclose(out.pooled[0], out.pooled[1])  # different captions, different vectors


def test_padded_positions_never_change_the_result():
    tok = shapes_tokenizer()
    encoder = make_encoder(tok)
    ids, mask = tok(["a small red circle"])
    garbage = ids.clone()
    garbage[~mask] = torch.randint(4, len(tok), (int((~mask).sum()),))  # real words where [PAD] was
    a, b = encoder(ids, mask), encoder(garbage, mask)
    torch.testing.assert_close(a.pooled, b.pooled)
    torch.testing.assert_close(a.states[mask], b.states[mask])
    # ...but without the mask those same words do change it
    assert not torch.allclose(a.pooled, encoder(garbage, torch.ones_like(mask)).pooled)
    assert (ids[~mask] == PAD_ID).all()


def test_attention_matches_pytorch_multihead_attention():
    torch.manual_seed(0)
    ours = MultiHeadAttention(16, heads=4)
    ref = torch.nn.MultiheadAttention(16, 4, bias=False, batch_first=True)
    with torch.no_grad():
        q, kv = ours.to_q.weight, ours.to_kv.weight
        ref.in_proj_weight.copy_(torch.cat([q, kv]))
        ref.out_proj.weight.copy_(ours.out.weight)
        ours.out.bias.zero_()
    x = torch.randn(2, 5, 16)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    expected, _ = ref(x, x, x, key_padding_mask=~mask)
    torch.testing.assert_close(ours(x, mask=mask), expected, atol=1e-5, rtol=1e-5)


def test_bad_input_is_rejected():
    tok = shapes_tokenizer()
    encoder = make_encoder(tok)
    with pytest.raises(ValueError, match="long"):
        encoder(torch.zeros(1, 4))
    with pytest.raises(ValueError, match=r"lie in \[0"):
        encoder(torch.tensor([[2, 999, 3]]))
    with pytest.raises(ValueError, match="max_length"):
        encoder(torch.zeros(1, 40, dtype=torch.long))
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, heads=4)


def test_cosine_similarity_matrix_and_describe():
    a, b = torch.randn(3, 8), torch.randn(4, 8)
    expected = F.cosine_similarity(a[:, None], b[None], dim=-1)
    torch.testing.assert_close(cosine_similarity_matrix(a, b), expected)
    with pytest.raises(ValueError):
        cosine_similarity_matrix(a, torch.randn(4, 7))
    tok = shapes_tokenizer()
    info = describe_encoding(tok, make_encoder(tok), "a lush, moonlit forest")
    assert info["tokens"][:6] == ["[BOS]", "a", "[UNK]", "[UNK]", "[UNK]", "[EOS]"]
    assert info["unknown"] == ["lush", "moonlit", "forest"] and info["states"].shape == (tok.max_length, 32)
