"""The architecture diagrams of chapters 02-05 draw, say what the chapter's models really are, and refuse bad sizes."""
import io

import pytest
from matplotlib.figure import Figure

from genimg_edu import viz
from genimg_edu.autoencoders import VAE
from genimg_edu.viz_diagrams import autoencoder_diagram, cnn_diagram, gan_diagram, mlp_diagram
from genimg_edu.vision import SmallCNN


def texts(figure: Figure) -> str:
    figure.savefig(io.BytesIO(), format="png")  # it really renders
    return "\n".join(t.get_text() for ax in figure.axes for t in ax.texts)


def test_mlp_diagram_names_the_layers_and_their_gradients():
    words = texts(mlp_diagram(inputs=64, hidden=32, classes=10))
    for part in ("W1: 64×32", "h = ReLU(z1)", "W2: 32×10", "softmax", "dL/ds = p − onehot(y)", "dL/dW1 = xᵀ dL/dz1"):
        assert part in words


def test_cnn_diagram_matches_the_chapters_small_cnn():
    model = SmallCNN(in_channels=1, num_classes=10, size=8)
    flat = model.heads["logits"].in_features
    words = texts(cnn_diagram(in_channels=1, size=8, widths=(model.conv1.out_channels, model.conv2.out_channels)))
    assert f"flatten → {flat}" in words and "16×8×8" in words and "32×2×2" in words
    assert "3×32×32" in texts(cnn_diagram(in_channels=3, size=32))


def test_autoencoder_and_vae_diagrams():
    assert "code z\n2 numbers" in texts(autoencoder_diagram(latent=2))
    words = texts(autoencoder_diagram(variational=True, latent=VAE(latent_dim=2).latent_dim))
    assert "z = μ + σ·ε" in words and "ELBO" in words and "2 + 2 numbers" in words


def test_gan_diagram_shows_both_players_and_both_losses():
    words = texts(gan_diagram())
    assert "generator G" in words and "discriminator D" in words and "D's loss" in words and "G's loss" in words


@pytest.mark.parametrize("draw, bad", [(mlp_diagram, {"hidden": 0}), (cnn_diagram, {"size": 6}),
                                       (cnn_diagram, {"widths": ()}), (autoencoder_diagram, {"latent": 1.5})])
def test_bad_sizes_are_refused(draw, bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        draw(**bad)


def test_in_jupyter_each_diagram_is_shown_where_it_is_drawn(monkeypatch):
    shown = []
    monkeypatch.setattr(viz, "_prepared_shell", lambda: object())
    monkeypatch.setattr("IPython.display.display", lambda figure: shown.append(figure))
    figures = [mlp_diagram(), cnn_diagram(), autoencoder_diagram(), gan_diagram()]
    assert shown == figures
