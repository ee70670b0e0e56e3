"""Does pixelation hide who it is? A face matcher against pixelated and de-pixelated faces.

Anonymisation fails if someone holding clear photos (a gallery: a social network, a company's staff
pages) can match the hidden face to one of them. Our matcher is the classical one, **eigenfaces**
(Turk & Pentland 1991): project faces on the main directions of variation of a set of training faces,
then call the probe the gallery face nearest in that space (cosine similarity).

    matcher = EigenfaceMatcher(components=20).fit(training_faces)       # (N, 1, H, W) in [0, 1]
    matcher.identify(probes, gallery)        # (P,) index of the best gallery match of every probe
    reidentification_rate(matcher, probes, gallery)   # share of probes matched to their own face

The offline LFW subset has no names, so each gallery face is its own "person" and the probe is the
same photograph, hidden: an upper bound on what a matcher can do with *another* photo of the person
(McPherson, Shokri & Shmatikov 2016 did it with real identities). Notebook 10, section 4.
"""
from __future__ import annotations

import torch

from ..data import check_images


class EigenfaceMatcher:
    """PCA of training faces -> nearest gallery face by cosine similarity of the PCA coefficients."""

    def __init__(self, *, components: int = 20):
        if not isinstance(components, int) or components < 1:
            raise ValueError(f"components must be a positive int, got {components!r}")
        self.components = components
        self.mean = self.basis = None

    def fit(self, faces: torch.Tensor) -> "EigenfaceMatcher":
        """faces: (N, C, H, W) in [0, 1], N > components. Learns the mean face and the eigenfaces."""
        check_images(faces, name="faces")
        if len(faces) <= self.components:
            raise ValueError(f"faces must hold more than components={self.components} images, got {len(faces)}")
        flat = faces.flatten(1).double()
        self.mean = flat.mean(0)
        _, _, vt = torch.linalg.svd(flat - self.mean, full_matrices=False)
        self.basis = vt[:self.components]                                  # (K, D) eigenfaces
        self.shape = tuple(faces.shape[1:])
        return self

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, C, H, W) in [0, 1] -> (N, K) unit-length eigenface coefficients."""
        if self.basis is None:
            raise ValueError("call fit(faces) before embed / identify")
        check_images(x, name="x")
        if tuple(x.shape[1:]) != self.shape:
            raise ValueError(f"x must have (C, H, W) = {self.shape} like the training faces, got {tuple(x.shape[1:])}")
        codes = (x.flatten(1).double() - self.mean) @ self.basis.T
        return (codes / codes.norm(dim=1, keepdim=True).clamp_min(1e-12)).float()

    def identify(self, probes: torch.Tensor, gallery: torch.Tensor) -> torch.Tensor:
        """(P,) long: for every probe, the index of the most similar gallery face."""
        return (self.embed(probes) @ self.embed(gallery).T).argmax(1)


def reidentification_rate(matcher: EigenfaceMatcher, probes: torch.Tensor, gallery: torch.Tensor) -> float:
    """Share of probes whose best gallery match is their own face: probe i belongs to gallery face i
    (gallery may hold more faces after those, as distractors). Chance level: 1 / len(gallery)."""
    if len(probes) > len(gallery):
        raise ValueError(f"gallery must start with the {len(probes)} probes' own faces, got {len(gallery)} faces")
    found = matcher.identify(probes, gallery)
    return float((found == torch.arange(len(probes))).float().mean())
