"""A mini-CLIP: an image encoder and a text encoder trained to agree (Radford et al. 2021).

Both encoders map into one shared space of unit vectors. For a batch of B (image, caption) pairs
the B x B matrix of cosine similarities times a learnable scale are logits; the loss asks each
image to pick its own caption among the B (cross-entropy over a row) and each caption its own
image (over a column): the symmetric InfoNCE loss. Afterwards, cosine similarity answers
"how well does this caption describe this picture?": retrieval both ways, and `clip_score`, a
metric for generated images. Taught in notebook 07.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..data import check_images
from ..train import TrainConfig, train
from .encoder import TextEncoder, TextEncoderConfig
from .tokenizer import Tokenizer


def info_nce_loss(image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor | float,
                  *, positives: torch.Tensor | None = None) -> torch.Tensor:
    """Symmetric InfoNCE. image_emb, text_emb: (B, E) unit vectors (row i of each is a pair);
    logit_scale: 1 / temperature. positives: optional (B, B) bool marking extra matching pairs
    (identical captions), spread evenly over the target. Returns a scalar."""
    if image_emb.shape != text_emb.shape or image_emb.ndim != 2:
        raise ValueError(f"need two (B, E) tensors of one shape, got {tuple(image_emb.shape)}, {tuple(text_emb.shape)}")
    logits = logit_scale * image_emb @ text_emb.T                              # (B, B) image -> text
    if positives is None:
        target = torch.arange(len(logits), device=logits.device)
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
    target = positives.float() / positives.float().sum(1, keepdim=True)    # rows sum to 1
    loss_i = -(target * logits.log_softmax(1)).sum(1).mean()
    loss_t = -(target.T * logits.T.log_softmax(1)).sum(1).mean()
    return (loss_i + loss_t) / 2


class ImageEncoder(nn.Module):
    """Small CNN: images (B, 3, s, s) in [0, 1] -> (B, embed_dim). Any s that is a multiple of 8."""

    def __init__(self, *, embed_dim: int = 64, width: int = 32):
        super().__init__()

        def block(c_in, c_out):
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.GroupNorm(8, c_out), nn.SiLU(),
                                 nn.Conv2d(c_out, c_out, 3, padding=1, stride=2), nn.GroupNorm(8, c_out), nn.SiLU())
        self.features = nn.Sequential(block(3, width), block(width, 2 * width), block(2 * width, 4 * width))
        self.head = nn.Linear(4 * width * 4, embed_dim)  # 2x2 average-pooled grid keeps "where"

    def forward(self, images):
        h = self.features(images * 2 - 1)
        h = F.adaptive_avg_pool2d(h, 2).flatten(1)
        return self.head(h)


class MiniCLIP(nn.Module):
    """Image encoder + text encoder + projections into one embedding space, and a learnable
    temperature (stored as log of the logit scale, starting at 1 / 0.07 like CLIP)."""

    def __init__(self, tokenizer: Tokenizer, *, embed_dim: int = 64, text_dim: int = 64, text_depth: int = 2,
                 image_width: int = 32):
        super().__init__()
        self.tokenizer = tokenizer
        self.image_encoder = ImageEncoder(embed_dim=embed_dim, width=image_width)
        self.text_encoder = TextEncoder(TextEncoderConfig(vocab_size=len(tokenizer), max_length=tokenizer.max_length,
                                                          dim=text_dim, depth=text_depth))
        self.text_projection = nn.Linear(text_dim, embed_dim)
        self.log_logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    @property
    def logit_scale(self) -> torch.Tensor:
        return self.log_logit_scale.clamp(max=math.log(100)).exp()  # CLIP caps the scale at 100

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """images (B, 3, s, s) in [0, 1] -> (B, E) unit vectors."""
        check_images(images, value_range=(0, 1), channels=3)
        return F.normalize(self.image_encoder(images), dim=-1)

    def encode_tokens(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """ids, mask (B, L) from the tokenizer -> (B, E) unit vectors."""
        pooled = self.text_encoder(ids, mask).pooled
        return F.normalize(self.text_projection(pooled), dim=-1)

    def encode_text(self, captions) -> torch.Tensor:
        """captions: list of str (unknown words raise UnknownWordError) -> (B, E) unit vectors."""
        ids, mask = self.tokenizer([captions] if isinstance(captions, str) else list(captions))
        device = self.log_logit_scale.device
        return self.encode_tokens(ids.to(device), mask.to(device))

    def loss(self, images: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Symmetric InfoNCE on a batch of (image, tokenized caption) pairs; identical captions in
        the batch count as positives too (there are only 200 different shapes captions)."""
        same = (ids[:, None, :] == ids[None, :, :]).all(-1)                    # (B, B)
        return info_nce_loss(self.encode_image(images), self.encode_tokens(ids, mask), self.logit_scale,
                             positives=same)


def train_clip(clip: MiniCLIP, images: torch.Tensor, captions: list[str], *, steps: int = 500,
               batch_size: int = 128, lr: float = 2e-3, seed: int = 0, progress: bool = True,
               callbacks=()) -> list[dict]:
    """Contrastive training with the course's generic loop (AdamW). images: (N, 3, s, s) in [0, 1].
    Returns the history [{"step", "loss", "temperature"}] (logged every 25 steps)."""
    check_images(images, value_range=(0, 1), channels=3)
    if len(captions) != len(images):
        raise ValueError(f"need one caption per image, got {len(captions)} captions for {len(images)} images")
    ids, mask = clip.tokenizer(captions)

    def loss_fn(model, batch):
        return {"loss": model.loss(*batch), "temperature": 1 / model.logit_scale.detach()}

    result = train(clip, loss_fn, (images, ids, mask),
                   config=TrainConfig(steps=steps, batch_size=batch_size, lr=lr, weight_decay=0.01, seed=seed,
                                      progress=progress, log_every=min(25, steps), device="cpu"),
                   callbacks=callbacks)
    clip.eval()
    return result.history


@torch.no_grad()
def similarity(clip: MiniCLIP, images: torch.Tensor, captions: list[str]) -> torch.Tensor:
    """(N images, M captions) cosine similarity matrix in [-1, 1]."""
    return clip.encode_image(images) @ clip.encode_text(captions).T


def retrieve_images(clip: MiniCLIP, caption: str, images: torch.Tensor, *, k: int = 5):
    """Text -> the k images that match it best: (indices (k,), cosine scores (k,))."""
    scores = similarity(clip, images, [caption])[:, 0]
    top = scores.topk(min(k, len(scores)))
    return top.indices, top.values


def retrieve_captions(clip: MiniCLIP, image: torch.Tensor, captions: list[str], *, k: int = 5):
    """Image (3, s, s) -> the k captions that describe it best: (list of str, cosine scores (k,))."""
    if image.ndim != 3:
        raise ValueError(f"image must be (3, s, s), got {tuple(image.shape)}")
    scores = similarity(clip, image[None], captions)[0]
    top = scores.topk(min(k, len(scores)))
    return [captions[i] for i in top.indices.tolist()], top.values


def clip_score(clip: MiniCLIP, images: torch.Tensor, captions: list[str]) -> torch.Tensor:
    """CLIP-style score per pair: 100 * max(cos(image_i, caption_i), 0) (Hessel et al. 2021,
    without their 2.5 rescaling). images (N, 3, s, s) in [0, 1]. Returns (N,)."""
    if len(captions) != len(images):
        raise ValueError(f"need one caption per image, got {len(captions)} for {len(images)}")
    with torch.no_grad():
        cos = (clip.encode_image(images) * clip.encode_text(captions)).sum(-1)
    return 100 * cos.clamp(min=0)


def retrieval_accuracy(clip: MiniCLIP, images: torch.Tensor, captions: list[str]) -> dict[str, float]:
    """Top-1 accuracy both ways among the distinct captions: image -> its caption, and
    caption -> an image that has that caption. Chance is 1 / (number of distinct captions)."""
    distinct = sorted(set(captions))
    truth = torch.tensor([distinct.index(c) for c in captions])
    scores = similarity(clip, images, distinct)                              # (N, C)
    image_to_text = (scores.argmax(1) == truth).float().mean().item()
    text_to_image = (truth[scores.argmax(0)] == torch.arange(len(distinct))).float().mean().item()
    return {"image_to_text": image_to_text, "text_to_image": text_to_image, "chance": 1 / len(distinct)}
