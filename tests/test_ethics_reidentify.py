"""Chapter 10, section 4: does a face matcher recognise hidden faces? (eigenfaces, re-identification)"""
import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.ethics.anonymise import pixelate
from genimg_edu.ethics.reidentify import EigenfaceMatcher, reidentification_rate


@pytest.fixture(scope="module")
def faces():
    train, test = load_dataset("faces", split="train"), load_dataset("faces", split="test")
    return train.images[train.labels == 1], test.images[test.labels == 1]


def test_matcher_finds_clear_faces_and_not_noise(faces):
    train, test = faces
    matcher = EigenfaceMatcher(components=20).fit(train)
    gallery = torch.cat([test, train])
    assert reidentification_rate(matcher, test, gallery) == 1.0       # the same photo, unchanged
    codes = matcher.embed(test)
    assert codes.shape == (20, 20) and torch.allclose(codes.norm(dim=1), torch.ones(20), atol=1e-5)
    noise = torch.rand(20, 1, 25, 25, generator=torch.Generator().manual_seed(0))
    assert reidentification_rate(matcher, noise, gallery) <= 0.15    # chance is 1 / 100


def test_coarser_squares_hide_more(faces):
    train, test = faces
    matcher = EigenfaceMatcher(components=20).fit(train)
    gallery = torch.cat([test, train])
    rates = [reidentification_rate(matcher, pixelate(test, block=b), gallery) for b in (2, 8, 25)]
    assert rates[0] >= 0.95                # small squares hide nothing from the matcher
    assert rates[0] > rates[1] > rates[2]  # one square per face: only the mean brightness is left
    assert rates[2] <= 0.2


def test_matcher_refuses_bad_use(faces):
    train, test = faces
    with pytest.raises(ValueError, match="components"):
        EigenfaceMatcher(components=0)
    with pytest.raises(ValueError, match="fit"):
        EigenfaceMatcher().embed(test)
    with pytest.raises(ValueError, match="more than components"):
        EigenfaceMatcher(components=20).fit(train[:10])
    matcher = EigenfaceMatcher(components=5).fit(train)
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        matcher.embed(torch.rand(2, 1, 8, 8))
    with pytest.raises(ValueError, match="gallery"):
        reidentification_rate(matcher, test, test[:5])
