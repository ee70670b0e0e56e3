"""Chapter 10, sections 3 and 4: memorisation, membership inference, faces and de-pixelation."""
import numpy as np
import pytest
import torch

from genimg_edu.data import load_dataset, to_signed
from genimg_edu.diffusion import make_schedule, sample
from genimg_edu.ethics.anonymise import blur_boxes, detect_faces, pixelate, pixelate_boxes
from genimg_edu.ethics.depixelate import Depixelator, depixelation_gain, train_depixelator
from genimg_edu.ethics.membership import diffusion_losses, membership_auc, roc_points
from genimg_edu.ethics.memorisation import memorised_share, nn_ratio, optimal_denoiser


def test_nn_ratio_geometry():
    train = torch.zeros(3, 1, 2, 2)
    train[1] += 0.25
    train[2] += 0.75
    samples = torch.stack([train[0], (train[0] + train[1]) / 2])
    ratio = nn_ratio(samples, train)
    assert ratio[0] == 0.0                        # an exact copy
    assert ratio[1] == pytest.approx(1.0)         # half-way between two training images
    assert memorised_share(samples, train) == 0.5
    with pytest.raises(ValueError, match="at least 2"):
        nn_ratio(samples, train[:1])


def test_optimal_denoiser_only_reproduces_training_images():
    schedule = make_schedule("cosine", T=1000)
    train = load_dataset("digits", split="train", size=8).per_class(1, seed=0).images
    x = sample(optimal_denoiser(to_signed(train), schedule), shape=(12, 1, 8, 8), schedule=schedule, steps=10,
               progress=False, generator=torch.Generator().manual_seed(0))
    assert memorised_share(((x + 1) / 2).clamp(0, 1), train) == 1.0
    with pytest.raises(ValueError, match="must lie in"):
        optimal_denoiser(train * 3, schedule)


def test_membership_attack_finds_what_a_model_memorised():
    """The optimal denoiser of the members is the most overfit model there is: the attack must
    separate its members from other digits; against a model of all digits it cannot do as well."""
    schedule = make_schedule("cosine", T=1000)
    digits = load_dataset("digits", split="train", size=8)
    members, others = digits.images[:20], digits.images[20:40]
    overfit = optimal_denoiser(to_signed(members), schedule)
    m = diffusion_losses(overfit, schedule, to_signed(members), noises=2)
    o = diffusion_losses(overfit, schedule, to_signed(others), noises=2)
    assert m.shape == (20,) and membership_auc(m, o) >= 0.95
    fair = optimal_denoiser(to_signed(digits.images[:400]), schedule)  # both halves in the training set
    auc_fair = membership_auc(diffusion_losses(fair, schedule, to_signed(members), noises=2),
                              diffusion_losses(fair, schedule, to_signed(others), noises=2))
    assert 0.25 <= auc_fair <= 0.75
    assert torch.equal(m, diffusion_losses(overfit, schedule, to_signed(members), noises=2))  # fixed draws


def test_auc_and_roc():
    assert membership_auc([0.1, 0.2], [0.5, 0.6]) == 1.0
    assert membership_auc([0.5, 0.6], [0.1, 0.2]) == 0.0
    assert membership_auc([1.0, 1.0], [1.0]) == 0.5
    fpr, tpr = roc_points([0.1, 0.2], [0.5, 0.6])
    assert fpr[0] == 0 and tpr[-1] == 1
    with pytest.raises(ValueError, match="non-empty"):
        membership_auc([], [1.0])


def test_face_detection_and_hiding():
    astronaut = load_dataset("photos", size=256, names=["astronaut"]).images[0]
    boxes = detect_faces(astronaut, min_size=40)
    # Eileen Collins' face is around row 60, column 110 of the 256-pixel image
    assert any(top <= 60 <= top + h and left <= 110 <= left + w for top, left, h, w in boxes)
    box = [b for b in boxes if b[0] <= 60 <= b[0] + b[2]][0]
    hidden = pixelate_boxes(astronaut, [box], block=8)
    outside = torch.ones_like(astronaut, dtype=torch.bool)
    outside[:, box[0]:box[0] + box[2], box[1]:box[1] + box[3]] = False
    assert torch.equal(hidden[outside], astronaut[outside])
    assert not torch.equal(hidden, astronaut)
    assert not torch.equal(blur_boxes(astronaut, [box], sigma=4), astronaut)
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        detect_faces(astronaut[None])


def test_pixelate_keeps_square_means():
    x = torch.rand(2, 1, 25, 25, generator=torch.Generator().manual_seed(0))
    p = pixelate(x, block=5)
    assert p.shape == x.shape
    assert torch.allclose(p[:, :, :5, :5], x[:, :, :5, :5].mean((2, 3), keepdim=True).expand(-1, -1, 5, 5))
    assert torch.equal(pixelate(x, block=1), x)
    with pytest.raises(ValueError, match="block"):
        pixelate(x, block=0)


def test_depixelator_learns_something_on_unseen_faces():
    torch.manual_seed(0)
    train, test = load_dataset("faces", split="train"), load_dataset("faces", split="test")
    model = Depixelator(width=16, depth=3)
    losses = train_depixelator(model, train.images[train.labels == 1], block=4, steps=150, batch_size=16)
    report = depixelation_gain(model, test.images[test.labels == 1], block=4)
    assert len(losses) == 15 and np.mean(losses[-3:]) < np.mean(losses[:3])  # one mean per 10 steps
    assert report["gain_db"] > 0.2, report
