"""The Fréchet distance between two clouds of feature vectors, and the real-vs-real floor beside it.

Fit a Gaussian to each cloud (mean mu, covariance Sigma) and measure how far apart they are::

    d^2 = ||mu_a - mu_b||^2 + Tr(Sigma_a + Sigma_b - 2 (Sigma_a Sigma_b)^(1/2))

(Fréchet 1957; Dowson & Landau 1982; as "FID" with Inception features, Heusel et al. 2017). Here the
features come from our judge, not Inception. With finite samples the distance is never 0, even for
two sets of real images, so every generated-vs-real number is reported beside the real-vs-real
*floor*: held-out test images against the train images, with the same number of samples.
Taught in notebook 03; used by every generative chapter.
"""
from __future__ import annotations

import functools
import warnings

import numpy as np
import torch

from ..data import load_dataset


def _as_features(feats, name: str) -> np.ndarray:
    if isinstance(feats, torch.Tensor):
        feats = feats.detach().cpu().double().numpy()
    elif isinstance(feats, np.ndarray):
        feats = feats.astype(np.float64)
    else:
        raise TypeError(f"{name} must be a torch.Tensor or numpy array (N, D), got {type(feats).__name__}")
    if feats.ndim != 2 or len(feats) < 2:
        raise ValueError(f"{name} must have shape (N, D) with N >= 2, got {feats.shape}")
    if not np.isfinite(feats).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return feats


def feature_stats(feats) -> tuple[np.ndarray, np.ndarray]:
    """feats: (N, D) -> (mu (D,), Sigma (D, D)) in float64 (unbiased covariance)."""
    feats = _as_features(feats, "feats")
    return feats.mean(0), np.cov(feats, rowvar=False).reshape(feats.shape[1], feats.shape[1])


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix via its eigen-decomposition."""
    w, v = np.linalg.eigh((matrix + matrix.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_from_stats(mu_a, sigma_a, mu_b, sigma_b) -> float:
    """The Fréchet distance between N(mu_a, sigma_a) and N(mu_b, sigma_b).

    Tr((Sigma_a Sigma_b)^(1/2)) is computed as Tr((A^(1/2) Sigma_b A^(1/2))^(1/2)) with A = Sigma_a: the
    same eigenvalues, but the inner matrix is symmetric PSD, so the result is real and stable.
    """
    mu_a, mu_b = np.asarray(mu_a, np.float64), np.asarray(mu_b, np.float64)
    sigma_a, sigma_b = np.asarray(sigma_a, np.float64), np.asarray(sigma_b, np.float64)
    if mu_a.shape != mu_b.shape or sigma_a.shape != sigma_b.shape or sigma_a.shape != mu_a.shape * 2:
        raise ValueError(f"shapes do not match: mu {mu_a.shape} / {mu_b.shape}, "
                         f"sigma {sigma_a.shape} / {sigma_b.shape}")
    root_a = _sqrt_psd(sigma_a)
    inner = root_a @ sigma_b @ root_a
    eigenvalues = np.linalg.eigvalsh((inner + inner.T) / 2)
    trace_sqrt = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    d2 = ((mu_a - mu_b) ** 2).sum() + np.trace(sigma_a) + np.trace(sigma_b) - 2 * trace_sqrt
    return float(max(d2, 0.0))


MIN_SAMPLES = 10  # below this the covariance is noise: frechet_distance refuses


def frechet_distance(feats_a, feats_b) -> float:
    """Fréchet distance between two feature sets (N_a, D) and (N_b, D) (tensors or arrays).
    Fewer than MIN_SAMPLES rows is a ValueError; N <= D (a covariance of rank < D, so the distance
    is biased upward and varies with N) warns: compare distances only at equal N, ideally N >> D."""
    a, b = _as_features(feats_a, "feats_a"), _as_features(feats_b, "feats_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: feats_a has {a.shape[1]}-d features, feats_b {b.shape[1]}-d "
                         "(both must come from the same judge.features)")
    for name, feats in (("feats_a", a), ("feats_b", b)):
        n, d = feats.shape
        if n < MIN_SAMPLES:
            raise ValueError(f"{name} has {n} samples: a Fréchet distance needs at least {MIN_SAMPLES} "
                             f"(and more than the {d} feature dimensions to be reliable)")
        if n <= d:
            warnings.warn(f"{name} has {n} samples of {d}-d features: the covariance is rank-deficient, so "
                          f"the Fréchet distance is biased upward; use more than {d} samples or compare only "
                          "at the same n", stacklevel=2)
    return _distance(a, b)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """The distance without the sample-size checks: frechet_report and frechet_floor measure generated
    and real sets at the same n and report the floor beside it, which is how a small-n FD is read."""
    return frechet_from_stats(*feature_stats(a), *feature_stats(b))


@functools.lru_cache(maxsize=8)
def _real_images(kind: str, size: int, split: str, n: int | None = None) -> torch.Tensor:
    """Real images of a split, kept in memory (read-only: callers never modify them)."""
    if kind == "digits":
        return load_dataset("digits", split=split, size=size).images
    if kind in ("mnist", "fashion_mnist", "cifar10"):  # 10,000 train images are plenty for the statistics
        return load_dataset(kind, split=split, limit=n or 10_000).images
    return load_dataset("shapes", split=split, size=size, n=n).images


def _train_features(judge) -> torch.Tensor:
    """The judge's features of its own train split (computed once per judge object)."""
    if getattr(judge, "_train_features", None) is None:
        judge._train_features = judge.features(_real_images(judge.kind, judge.size, "train"))
    return judge._train_features


def frechet_floor(judge, kind: str | None = None, size: int | None = None, n: int | None = None) -> float:
    """Real-vs-real Fréchet distance: n held-out test images against the train split, in judge features.

    This is what a perfect generator (one that draws fresh real images) would score with n samples.
    kind / size default to the judge's own (if given they must match). n defaults to the whole test
    split; digits have only 359 test images, so n is capped there.
    """
    kind, size = kind or judge.kind, size or judge.size
    if (kind, size) != (judge.kind, judge.size):
        raise ValueError(f"kind/size ({kind}, {size}) do not match the judge ({judge.kind}, {judge.size})")
    if n is not None and (not isinstance(n, int) or n < 2):
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    heldout = _real_images(kind, size, "test", n=None if kind == "digits" else max(n or 1000, 2))
    heldout = heldout[:n] if n else heldout
    return _distance(_as_features(judge.features(heldout), "heldout"), _as_features(_train_features(judge), "train"))


def frechet_report(judge, samples: torch.Tensor) -> dict:
    """Generated-vs-real Fréchet distance with its floor, both with the same number of samples.

    samples: (N, C, size, size) in [0, 1]. Both numbers compare n = min(N, held-out size for digits)
    images with the judge's train split. Returns {"frechet", "floor", "n"}; lower is better, and a
    generator is as good as real data when "frechet" reaches "floor".
    """
    feats = judge.features(samples)
    n = len(feats)
    if judge.kind == "digits":  # the floor can use only as many held-out digits as exist
        n = min(n, len(_real_images("digits", judge.size, "test")))
    if n < 2:
        raise ValueError("need at least 2 samples for a Fréchet distance")
    return {"frechet": _distance(_as_features(feats[:n], "samples"), _as_features(_train_features(judge), "train")),
            "floor": frechet_floor(judge, n=n), "n": n}
