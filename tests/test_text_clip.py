"""Chapter 07 mini-CLIP: the InfoNCE loss against a direct computation, and real retrieval."""
import math

import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.text.clip import (MiniCLIP, clip_score, info_nce_loss, retrieval_accuracy, retrieve_captions,
                                  retrieve_images, similarity, train_clip)
from genimg_edu.text.tokenizer import shapes_tokenizer


def direct_info_nce(image_emb, text_emb, scale):
    """Both cross-entropies written out term by term."""
    n, total = len(image_emb), 0.0
    sims = [[scale * float(image_emb[i] @ text_emb[j]) for j in range(n)] for i in range(n)]
    for i in range(n):
        row = math.log(sum(math.exp(s) for s in sims[i])) - sims[i][i]
        col = math.log(sum(math.exp(sims[j][i]) for j in range(n))) - sims[i][i]
        total += (row + col) / 2
    return total / n


def test_info_nce_matches_direct_computation():
    torch.manual_seed(0)
    a = torch.nn.functional.normalize(torch.randn(6, 8), dim=-1)
    b = torch.nn.functional.normalize(torch.randn(6, 8), dim=-1)
    assert info_nce_loss(a, b, 5.0).item() == pytest.approx(direct_info_nce(a, b, 5.0), rel=1e-5)
    # with only the diagonal as positives the multi-positive form is the same loss
    assert info_nce_loss(a, b, 5.0, positives=torch.eye(6, dtype=torch.bool)).item() == pytest.approx(
        info_nce_loss(a, b, 5.0).item(), rel=1e-6)
    # perfectly matched pairs with a sharp temperature: loss near 0
    assert info_nce_loss(a, a, 100.0, positives=(a @ a.T) > 0.999).item() < 0.05
    with pytest.raises(ValueError):
        info_nce_loss(a, b[:3], 1.0)


@pytest.fixture(scope="module")
def trained_clip():
    # four shapes x five colours at one size and place: 20 captions, chance 1/20
    only = [{"size": "large", "position": "center"}]
    train_set = load_dataset("shapes", split="train", n=800, size=16, only=only)
    test_set = load_dataset("shapes", split="test", n=200, size=16, only=only)
    torch.manual_seed(0)
    clip = MiniCLIP(shapes_tokenizer(), embed_dim=32, text_dim=32, text_depth=1, image_width=16)
    history = train_clip(clip, train_set.images, train_set.captions, steps=120, batch_size=64, lr=3e-3,
                         progress=False)
    return clip, history, test_set


def test_retrieval_beats_chance_clearly(trained_clip):
    clip, history, test_set = trained_clip
    assert history[-1]["loss"] < history[0]["loss"]
    scores = retrieval_accuracy(clip, test_set.images, test_set.captions)
    assert scores["chance"] == pytest.approx(1 / 20)
    assert scores["image_to_text"] > 0.5 and scores["text_to_image"] > 0.5, scores


def test_retrieval_functions_and_clip_score(trained_clip):
    clip, _, test_set = trained_clip
    caption = test_set.captions[0]
    indices, values = retrieve_images(clip, caption, test_set.images, k=3)
    assert indices.shape == values.shape == (3,) and values[0] >= values[-1]
    assert sum(test_set.captions[int(i)] == caption for i in indices) >= 1  # a true match in the top 3
    words, scores = retrieve_captions(clip, test_set.images[0], sorted(set(test_set.captions)), k=2)
    assert len(words) == 2 and scores.shape == (2,)
    matched = clip_score(clip, test_set.images[:50], test_set.captions[:50])
    shuffled = clip_score(clip, test_set.images[:50], test_set.captions[50:100])
    assert matched.shape == (50,) and (matched >= 0).all() and (matched <= 100).all()
    assert matched.mean() > shuffled.mean() + 10
    assert similarity(clip, test_set.images[:4], test_set.captions[:3]).shape == (4, 3)
    with pytest.raises(ValueError):
        clip_score(clip, test_set.images[:3], test_set.captions[:2])
    with pytest.raises(ValueError):
        clip.encode_image(test_set.images[:2] * 3)  # outside [0, 1]
