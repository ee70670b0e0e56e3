"""Chapter 07 conditioning layers: cross-attention respects the mask, FiLM is scale and shift."""
import pytest
import torch

from genimg_edu.text.conditioning import CrossAttention, FiLM


def test_cross_attention_shapes_and_mask():
    torch.manual_seed(0)
    layer = CrossAttention(16, context_dim=8, heads=4)
    h, context = torch.randn(2, 16, 4, 4), torch.randn(2, 5, 8)
    mask = torch.tensor([[True, True, True, False, False], [True] * 5])
    out = layer(h, context, mask)
    assert out.shape == h.shape
    weights = layer.last_weights
    assert weights.shape == (2, 4, 16, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 16))
    assert (weights[0, :, :, 3:] == 0).all()  # no pixel looks at a padded token
    changed = context.clone()
    changed[0, 3:] = torch.randn(2, 8) * 10  # whatever sits in padded positions...
    torch.testing.assert_close(layer(h, changed, mask)[0], out[0])  # ...changes nothing
    assert not torch.allclose(layer(h, changed, torch.ones_like(mask))[0], out[0])


def test_cross_attention_uses_the_text():
    torch.manual_seed(0)
    layer = CrossAttention(8, context_dim=8, heads=2)
    h = torch.randn(1, 8, 3, 3)
    a, b = layer(h, torch.randn(1, 4, 8)), layer(h, torch.randn(1, 4, 8))
    assert not torch.allclose(a, b)
    with pytest.raises(ValueError, match="same B"):
        layer(h, torch.randn(2, 4, 8))
    with pytest.raises(ValueError, match="mask"):
        layer(h, torch.randn(1, 4, 8), torch.ones(1, 3, dtype=torch.bool))


def test_film_is_identity_at_init_then_scale_and_shift():
    film = FiLM(4, cond_dim=3)
    h, cond = torch.randn(2, 4, 5, 5), torch.randn(2, 3)
    torch.testing.assert_close(film(h, cond), h)
    with torch.no_grad():
        film.to_scale_shift.weight.normal_()
        film.to_scale_shift.bias.normal_()
    params = film.to_scale_shift(cond)
    gamma, beta = params[:, :4, None, None], params[:, 4:, None, None]
    torch.testing.assert_close(film(h, cond), h * (1 + gamma) + beta)
    add = FiLM(4, cond_dim=3, shift_only=True)
    with torch.no_grad():
        add.to_scale_shift.bias.fill_(0.5)
    torch.testing.assert_close(add(h, cond), h + 0.5)
    with pytest.raises(ValueError):
        film(h, torch.randn(3, 3))
