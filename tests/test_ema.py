import pytest
import torch

from genimg_edu.ema import EMA


def test_ema_is_a_frozen_copy_that_follows_the_weights():
    model = torch.nn.Linear(2, 1)
    ema = EMA(model, decay=0.5, warmup=0)
    assert ema.model is not model and not any(p.requires_grad for p in ema.model.parameters())
    with torch.no_grad():
        model.weight.fill_(1.0)
    before = ema.model.weight.clone()
    ema(1000, model)
    torch.testing.assert_close(ema.model.weight, 0.5 * before + 0.5)


def test_warmup_makes_the_first_updates_track_the_model():
    model = torch.nn.Linear(3, 3)
    ema = EMA(model, decay=0.999, warmup=10)
    with torch.no_grad():
        model.weight.add_(1.0)
    ema(0, model)  # decay = min(0.999, 1/10) = 0.1: mostly the new weights
    torch.testing.assert_close(ema.model.weight, 0.1 * (model.weight - 1) + 0.9 * model.weight)


def test_buffers_are_copied_not_averaged():
    model = torch.nn.BatchNorm1d(2)
    ema = EMA(model, decay=0.9, warmup=0)
    model.running_mean.fill_(5.0)
    ema(100, model)
    assert torch.equal(ema.model.running_mean, model.running_mean)


@pytest.mark.parametrize("decay", [0.0, 1.0, 1.5])
def test_bad_decay_is_a_clear_error(decay):
    with pytest.raises(ValueError, match=r"decay must be in \(0, 1\)"):
        EMA(torch.nn.Linear(1, 1), decay=decay)
