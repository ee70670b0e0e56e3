"""Chapter 08's text stage: the contrastive loss with hard negatives (every image picks its caption
among all training captions) checked against a direct computation, and what it is for: after
training, captions that differ only in the shape word get different text states."""
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("transformers")

from genimg_edu.stable_diffusion import MiniSDConfig, course_tokenizer  # noqa: E402
from genimg_edu.stable_diffusion.prompts import training_images  # noqa: E402
from genimg_edu.stable_diffusion.text_encoder import (ContrastivePair, build_text_encoder, encode_prompts,  # noqa: E402
                                                      tokenize, train_text_encoder)
from genimg_edu.text.clip import info_nce_loss  # noqa: E402

CONFIG = MiniSDConfig.fast(n_train=256)


@pytest.fixture(scope="module")
def parts():
    tokenizer = course_tokenizer(max_length=CONFIG.max_length)
    torch.manual_seed(0)
    pair = ContrastivePair(build_text_encoder(CONFIG, tokenizer), CONFIG)
    data = training_images(CONFIG)
    distinct = sorted(set(data.captions))
    return tokenizer, pair, data, distinct


def test_the_loss_with_a_caption_table_equals_a_direct_computation(parts):
    tokenizer, pair, data, distinct = parts
    images, captions = data.images[:40], data.captions[:40]
    ids, table = tokenize(tokenizer, captions), tokenize(tokenizer, distinct)
    with torch.no_grad():
        image_emb, text_emb = pair.encode_image(images), pair.encode_ids(tokenize(tokenizer, distinct))
        scale = pair.log_logit_scale.exp()
        row = torch.tensor([distinct.index(c) for c in captions])
        same = torch.tensor([[a == b for b in captions] for a in captions])
        in_batch = info_nce_loss(image_emb, text_emb[row], scale, positives=same)
        choice = F.cross_entropy(scale * image_emb @ text_emb.T, row)
        plain = pair.loss(images, ids)
        assert plain == pytest.approx(in_batch.item(), rel=1e-5)  # the table changes nothing by itself
        assert pair.loss(images, ids, caption_ids=table) == pytest.approx(in_batch.item(), rel=1e-5)
        assert pair.loss(images, ids, caption_ids=table, hard_negatives=0.5) == pytest.approx(
            (in_batch + 0.5 * choice).item(), rel=1e-5)


def test_a_caption_missing_from_the_table_is_refused(parts):
    tokenizer, pair, data, distinct = parts
    ids = tokenize(tokenizer, data.captions[:4])
    table = tokenize(tokenizer, [c for c in distinct if c != data.captions[0]])
    with pytest.raises(ValueError, match="must be a row of caption_ids"):
        pair.loss(data.images[:4], ids, caption_ids=table, hard_negatives=1.0)


def test_hard_negatives_is_a_checked_setting_of_the_text_stage():
    assert CONFIG.replace(clip_hard_negatives=0.0).fingerprint("text") != CONFIG.fingerprint("text")
    assert CONFIG.replace(clip_hard_negatives=0.0).fingerprint("vae") == CONFIG.fingerprint("vae")
    for bad in (-1.0, float("nan"), "1"):
        with pytest.raises((ValueError, TypeError), match="clip_hard_negatives"):
            CONFIG.replace(clip_hard_negatives=bad)


def test_training_with_hard_negatives_separates_circle_from_square(parts):
    """Short runs (60 steps) from one start: with the all-captions term the two prompts' text states
    end up several times further apart than with in-batch negatives alone."""
    tokenizer, _, data, _ = parts
    prompts = ["a large red circle in the center", "a large red square in the center"]

    def similarity(weight):
        config = CONFIG.replace(clip_steps=60, clip_hard_negatives=weight)
        torch.manual_seed(0)
        pair = ContrastivePair(build_text_encoder(config, tokenizer), config)
        train_text_encoder(pair, tokenizer, data.images, data.captions, config, progress=False, device="cpu")
        states = F.normalize(encode_prompts(pair.text_encoder, tokenizer, prompts).flatten(1), dim=1)
        return float(states[0] @ states[1])
    with_hard, without = similarity(1.0), similarity(0.0)
    assert 1 - with_hard > 5 * (1 - without)  # measured: cosine 0.987 vs 0.9995 (26x the distance)


def test_word_swap_accuracy_counts_wins_of_the_own_caption(parts, monkeypatch):
    from genimg_edu.stable_diffusion import text_encoder as module
    tokenizer, pair, data, _ = parts
    # an encoder that reads every image perfectly: the image embedding of a render equals the text
    # embedding of its true caption, so the own caption always wins -> 1.0
    captions = {}

    def encode_ids(ids):
        return torch.stack([captions.setdefault(tuple(r.tolist()), F.normalize(torch.randn(8), dim=0)) for r in ids])
    truth = [tokenize(tokenizer, [c])[0] for c in data.captions]
    monkeypatch.setattr(pair, "encode_ids", encode_ids)
    monkeypatch.setattr(pair, "encode_image", lambda images: encode_ids(torch.stack(truth[:len(images)])))
    assert module.word_swap_accuracy(pair, tokenizer, data, attribute="shape") == 1.0
    with pytest.raises(ValueError, match="attribute must be one of"):
        module.word_swap_accuracy(pair, tokenizer, data, attribute="texture")
