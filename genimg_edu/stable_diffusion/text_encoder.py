"""Stage 2, the text encoder: a `transformers.CLIPTextModel` trained contrastively, then frozen.

Stable Diffusion borrows its text encoder from CLIP (Radford et al. 2021) and never trains it: the
UNet learns to read whatever the frozen encoder says. We do the same at toy scale: a small
CLIPTextModel is trained together with a small image tower (chapter 07's `ImageEncoder`) with the
symmetric InfoNCE loss on (image, caption) pairs, then the image tower is put aside and the text
encoder frozen. The UNet attends to *all* token states (B, L, d) — `last_hidden_state`, as SD —
not just the pooled vector the contrastive loss trains.

The text encoder is called exactly as `StableDiffusionPipeline.encode_prompt` calls it: ids padded
to `model_max_length`, no attention mask (CLIP's causal mask makes padding harmless).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import check_images
from ..data.shapes import ATTRIBUTES
from ..text.clip import ImageEncoder, info_nce_loss
from ..train import TrainConfig, train
from .config import MiniSDConfig
from .prompts import (CAPTION_ATTRIBUTES, FULL, check_prompts, choose_versions, one_attribute_prompts, partial_caption,
                      pick_prompts, prompt_table)


def build_text_encoder(config: MiniSDConfig, tokenizer):
    """A randomly initialised CLIPTextModel sized by the config for `tokenizer`'s vocabulary."""
    from transformers import CLIPTextConfig, CLIPTextModel
    start, end = tokenizer.convert_tokens_to_ids(["<|startoftext|>", "<|endoftext|>"])
    return CLIPTextModel(CLIPTextConfig(
        vocab_size=len(tokenizer), hidden_size=config.text_dim, intermediate_size=4 * config.text_dim,
        num_hidden_layers=config.text_layers, num_attention_heads=config.text_heads,
        max_position_embeddings=config.max_length, bos_token_id=start, eos_token_id=end, pad_token_id=end))


def tokenize(tokenizer, prompts) -> torch.Tensor:
    """list of str -> ids (B, model_max_length), padded the way the pipeline pads."""
    return tokenizer(check_prompts(prompts), padding="max_length", max_length=tokenizer.model_max_length,
                     truncation=True, return_tensors="pt").input_ids


@torch.no_grad()
def encode_prompts(text_encoder, tokenizer, prompts, *, batch_size: int = 512) -> torch.Tensor:
    """list of str -> text states (B, L, d): what the UNet's cross-attention reads."""
    ids = tokenize(tokenizer, prompts).to(next(text_encoder.parameters()).device)
    return torch.cat([text_encoder(ids[i:i + batch_size])[0] for i in range(0, len(ids), batch_size)])


class ContrastivePair(nn.Module):
    """CLIPTextModel + projection, image tower, learnable temperature: the contrastive training rig."""

    def __init__(self, text_encoder, config: MiniSDConfig):
        super().__init__()
        self.text_encoder = text_encoder
        self.text_projection = nn.Linear(config.text_dim, config.clip_embed_dim, bias=False)
        self.image_encoder = ImageEncoder(embed_dim=config.clip_embed_dim, width=32)
        self.log_logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, s, s) in [0, 1] -> (B, E) unit vectors."""
        return F.normalize(self.image_encoder(images), dim=-1)

    def encode_ids(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, L) -> (B, E) unit vectors from the pooled (end-of-text) state."""
        return F.normalize(self.text_projection(self.text_encoder(ids).pooler_output), dim=-1)

    def loss(self, images: torch.Tensor, ids: torch.Tensor, *, positives: torch.Tensor | None = None,
             caption_ids: torch.Tensor | None = None, full_ids: torch.Tensor | None = None,
             hard_negatives: float = 0.0) -> torch.Tensor:
        """Symmetric InfoNCE over the batch. images (B, 3, s, s) in [0, 1]; ids (B, L): the prompt paired
        with each image -- its caption or a part of it ("a red shape"). positives (B, B) bool:
        positives[i, j] when prompt j describes image i (None: identical prompts count as positives).
        With caption_ids (C, L), every distinct training caption, each image must also pick its full
        caption (full_ids (B, L), None: ids; rows of caption_ids) among *all* of them, weighted by
        hard_negatives: among them are the hard negatives, captions that differ in one word ("a small
        red circle ..." vs "... square ..."). A batch of 128 rarely holds such a pair, and without them
        "circle" and "square" can end up with identical text states (attribute-swapped negatives:
        Yuksekgonul et al. 2023). Each distinct caption is encoded once; when the batch's prompts are
        whole captions (no full_ids), their embeddings are taken from that table."""
        if positives is None:
            positives = (ids[:, None, :] == ids[None, :, :]).all(-1)
        scale = self.log_logit_scale.clamp(max=math.log(100)).exp()
        image_emb = self.encode_image(images)
        full_ids = ids if full_ids is None else full_ids
        if caption_ids is None:
            return info_nce_loss(image_emb, self.encode_ids(ids), scale, positives=positives)
        match = (full_ids[:, None, :] == caption_ids[None, :, :]).all(-1)      # (B, C)
        if not bool(match.any(1).all()):
            raise ValueError("every full caption (full_ids, default ids) must be a row of caption_ids")
        row = match.float().argmax(1)                                           # (B,) each image's caption
        table = self.encode_ids(caption_ids)                                    # (C, E)
        text_emb = table[row] if full_ids is ids else self.encode_ids(ids)
        in_batch = info_nce_loss(image_emb, text_emb, scale, positives=positives)
        return in_batch + hard_negatives * F.cross_entropy(scale * image_emb @ table.T, row)


def train_text_encoder(pair: ContrastivePair, tokenizer, data, config: MiniSDConfig, *, progress: bool = True,
                       checkpoint_path=None, device=None):
    """Contrastive training (resumable) on `device` (None: pick_device()). data: the 32x32 shapes
    ImageSet with attributes (`prompts.training_images`). With probability config.clip_partial_caption
    an image is paired with a random part of its caption ("a red shape", "a small circle on the left"),
    so the encoder learns the short prompts (and negative prompts) a learner types, not only full
    captions; a part counts as a positive for every image in the batch it describes.
    Returns the TrainResult; afterwards the text encoder is frozen (requires_grad False, eval mode)."""
    check_images(data.images, value_range=(0, 1), channels=3)
    prompts, index = prompt_table(data)                       # index (N, 16): each image's prompt versions
    prompt_ids = tokenize(tokenizer, prompts)                 # (P, L)
    caption_ids = prompt_ids[index[:, FULL].unique()]         # (C, L): every distinct training caption

    def loss_fn(model, batch):
        images, rows = batch                                  # rows (B, 16) of the prompt table
        versions = choose_versions(len(rows), caption_dropout=0.0, partial_caption=config.clip_partial_caption)
        chosen, positives = pick_prompts(rows, versions)
        table = prompt_ids.to(rows.device)
        if not config.clip_hard_negatives:
            return model.loss(images, table[chosen], positives=positives)
        return model.loss(images, table[chosen], positives=positives, caption_ids=caption_ids.to(rows.device),
                          full_ids=table[rows[:, FULL]], hard_negatives=config.clip_hard_negatives)

    result = train(pair, loss_fn, (data.images, index),
                   config=TrainConfig(steps=config.clip_steps, batch_size=config.clip_batch_size, lr=config.clip_lr,
                                      weight_decay=0.01, seed=config.seed, progress=progress, device=device,
                                      log_every=min(25, config.clip_steps), checkpoint_path=checkpoint_path,
                                      checkpoint_every=200 if checkpoint_path else None))
    freeze(pair.text_encoder)
    return result


def freeze(module: nn.Module) -> nn.Module:
    """No more gradients, eval mode: the UNet learns to read this encoder as it is."""
    module.requires_grad_(False)
    return module.eval()


@torch.no_grad()
def retrieval_accuracy(pair: ContrastivePair, tokenizer, images: torch.Tensor, captions: list[str]) -> float:
    """Top-1 image -> caption accuracy among the distinct captions (chance: 1 / their number)."""
    distinct = sorted(set(captions))
    truth = torch.tensor([distinct.index(c) for c in captions])
    scores = pair.encode_image(images) @ pair.encode_ids(tokenize(tokenizer, distinct)).T
    return (scores.argmax(1) == truth).float().mean().item()


@torch.no_grad()
def word_swap_accuracy(pair: ContrastivePair, tokenizer, data, *, attribute: str = "shape") -> float:
    """Does the encoder tell one word from another? For each image of `data` (a 32x32 shapes ImageSet
    with attributes), its caption competes with the same caption with `attribute` swapped for every
    other value ("a small red circle ..." vs "a small red square ..."); returns the share of images
    whose own caption wins. Chance: 1 / len(ATTRIBUTES[attribute])."""
    if attribute not in CAPTION_ATTRIBUTES:
        raise ValueError(f"attribute must be one of {CAPTION_ATTRIBUTES}, got {attribute!r}")
    if getattr(data, "attributes", None) is None:
        raise ValueError("data must be a shapes ImageSet with attributes, e.g. load_dataset('shapes', size=32)")
    values = ATTRIBUTES[attribute]
    image_emb = pair.encode_image(data.images)
    hits = 0
    for row in range(len(data)):
        own = {name: ATTRIBUTES[name][int(data.attributes[name][row])] for name in CAPTION_ATTRIBUTES}
        captions = [partial_caption({**own, attribute: value}, CAPTION_ATTRIBUTES) for value in values]
        scores = pair.encode_ids(tokenize(tokenizer, captions)) @ image_emb[row]
        hits += values[int(scores.argmax())] == own[attribute]
    return hits / len(data)


@torch.no_grad()
def short_prompt_accuracy(pair: ContrastivePair, tokenizer, data, *, attribute: str = "colour") -> float:
    """Does the encoder understand a prompt that names one attribute ("a red shape", "a shape at the
    top")? For each image of `data` (a 32x32 shapes ImageSet with attributes), the one-attribute
    prompts of every value compete; returns the share of images whose own value's prompt wins.
    Chance: 1 / len(ATTRIBUTES[attribute])."""
    if getattr(data, "attributes", None) is None:
        raise ValueError("data must be a shapes ImageSet with attributes, e.g. load_dataset('shapes', size=32)")
    prompts = one_attribute_prompts(attribute)  # checks attribute
    scores = pair.encode_image(data.images) @ pair.encode_ids(tokenize(tokenizer, prompts)).T
    return (scores.argmax(1) == data.attributes[attribute].to(scores.device)).float().mean().item()
