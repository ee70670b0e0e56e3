"""Chapter 08's text stage: the contrastive loss with hard negatives (every image picks its caption
among all training captions) checked against a direct computation, and what it is for: after
training, captions that differ only in the shape word get different text states."""
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("transformers")

from genimg_edu.stable_diffusion import MiniSDConfig, course_tokenizer  # noqa: E402
from genimg_edu.stable_diffusion.prompts import (FULL, SUBSETS, parse_caption, partial_caption,  # noqa: E402
                                                 pick_prompts, prompt_table, training_images)
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


def test_a_part_of_a_caption_is_a_positive_for_every_image_it_describes(parts):
    """pick_prompts' mask against the words themselves: prompt j describes image i when image i's
    caption, cut down to the same attributes, is the same text."""
    _, _, data, _ = parts
    prompts, index = prompt_table(data)
    versions = torch.randint(0, len(SUBSETS), (60,), generator=torch.Generator().manual_seed(0))
    chosen, positives = pick_prompts(index[:60], versions)
    attributes = [parse_caption(c) for c in data.captions[:60]]
    for j in range(60):
        assert prompts[chosen[j]] == partial_caption(attributes[j], SUBSETS[versions[j]])
        direct = [partial_caption(a, SUBSETS[versions[j]]) == prompts[chosen[j]] for a in attributes]
        assert positives[:, j].tolist() == direct
    colour_only = SUBSETS.index(("colour",))
    _, positives = pick_prompts(index[:60], torch.full((60,), colour_only))
    same_colour = torch.tensor([[a["colour"] == b["colour"] for b in attributes] for a in attributes])
    assert torch.equal(positives, same_colour) and 1 < positives.sum(0).float().mean() < 60


def test_the_loss_with_parts_of_captions_equals_a_direct_computation(parts):
    """Partial prompts: InfoNCE against the picked prompts with every described image a positive, plus
    each image picking its *full* caption among all captions."""
    tokenizer, pair, data, distinct = parts
    prompts, index = prompt_table(data)
    versions = torch.randint(1, FULL + 1, (40,), generator=torch.Generator().manual_seed(1))
    chosen, positives = pick_prompts(index[:40], versions)
    ids, full_ids = tokenize(tokenizer, [prompts[i] for i in chosen]), tokenize(tokenizer, data.captions[:40])
    table = tokenize(tokenizer, distinct)
    with torch.no_grad():
        image_emb, scale = pair.encode_image(data.images[:40]), pair.log_logit_scale.exp()
        row = torch.tensor([distinct.index(c) for c in data.captions[:40]])
        in_batch = info_nce_loss(image_emb, pair.encode_ids(ids), scale, positives=positives)
        choice = F.cross_entropy(scale * image_emb @ pair.encode_ids(table).T, row)
        got = pair.loss(data.images[:40], ids, positives=positives, caption_ids=table, full_ids=full_ids,
                        hard_negatives=0.5)
        assert got == pytest.approx((in_batch + 0.5 * choice).item(), rel=1e-5)
        assert pair.loss(data.images[:40], ids, positives=positives) == pytest.approx(in_batch.item(), rel=1e-5)


def test_a_caption_missing_from_the_table_is_refused(parts):
    tokenizer, pair, data, distinct = parts
    ids = tokenize(tokenizer, data.captions[:4])
    table = tokenize(tokenizer, [c for c in distinct if c != data.captions[0]])
    with pytest.raises(ValueError, match="must be a row of caption_ids"):
        pair.loss(data.images[:4], ids, caption_ids=table, hard_negatives=1.0)


def test_hard_negatives_and_partial_captions_are_checked_settings_of_the_text_stage():
    for name, other, bad_values in (("clip_hard_negatives", 0.0, (-1.0, float("nan"), "1")),
                                    ("clip_partial_caption", 0.0, (-0.1, 1.5, float("nan"), "0.5"))):
        assert CONFIG.replace(**{name: other}).fingerprint("text") != CONFIG.fingerprint("text")
        assert CONFIG.replace(**{name: other}).fingerprint("vae") == CONFIG.fingerprint("vae")
        for bad in bad_values:
            with pytest.raises((ValueError, TypeError), match=name):
                CONFIG.replace(**{name: bad})


def test_training_with_hard_negatives_separates_circle_from_square(parts):
    """Short runs (60 steps) from one start: with the all-captions term the two prompts' text states
    end up several times further apart than with in-batch negatives alone."""
    tokenizer, _, data, _ = parts
    prompts = ["a large red circle in the center", "a large red square in the center"]

    def similarity(weight):
        config = CONFIG.replace(clip_steps=60, clip_hard_negatives=weight, clip_partial_caption=0.0)
        torch.manual_seed(0)
        pair = ContrastivePair(build_text_encoder(config, tokenizer), config)
        train_text_encoder(pair, tokenizer, data, config, progress=False, device="cpu")
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


def test_short_prompt_accuracy_counts_images_whose_one_word_prompt_wins(parts, monkeypatch):
    from genimg_edu.data.shapes import ATTRIBUTES
    from genimg_edu.stable_diffusion import text_encoder as module
    tokenizer, pair, data, _ = parts
    # an encoder whose image embedding is its colour's prompt embedding, except for red images, which it
    # reads as green: every non-red image is right, every red one wrong
    colours = ATTRIBUTES["colour"]
    table = F.normalize(torch.randn(len(colours), 8, generator=torch.Generator().manual_seed(0)), dim=1)
    prompt_rows = {tuple(tokenize(tokenizer, [f"a {c} shape"])[0].tolist()): i for i, c in enumerate(colours)}
    monkeypatch.setattr(pair, "encode_ids", lambda ids: table[[prompt_rows[tuple(r.tolist())] for r in ids]])
    read = data.attributes["colour"].clone()
    read[read == 0] = 1
    monkeypatch.setattr(pair, "encode_image", lambda images: table[read[:len(images)]])
    expected = (data.attributes["colour"] != 0).float().mean().item()
    assert 0 < expected < 1
    assert module.short_prompt_accuracy(pair, tokenizer, data, attribute="colour") == pytest.approx(expected)
    with pytest.raises(ValueError, match="attribute must be one of"):
        module.short_prompt_accuracy(pair, tokenizer, data, attribute="texture")


def test_encoding_prompts_needs_a_str_or_a_list_of_str(parts):
    from genimg_edu.stable_diffusion.text_encoder import encode_prompts
    tokenizer, pair = parts[0], parts[1]
    with pytest.raises(ValueError, match="prompts must not be empty"):   # was an IndexError
        encode_prompts(pair.text_encoder, tokenizer, [])
    for bad in (5, [1, 2], None):
        with pytest.raises(TypeError, match="prompts must be a str or a list of str"):
            encode_prompts(pair.text_encoder, tokenizer, bad)
    assert encode_prompts(pair.text_encoder, tokenizer, "a red shape").shape[0] == 1
