"""TrainConfig(lr_schedule="cosine"): the learning rate the optimizer really used, step by step,
against the formula; resuming an interrupted cosine run gives the uninterrupted run's weights."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from genimg_edu.train import TrainConfig, lr_factor, train


def problem(seed=0):
    generator = torch.Generator().manual_seed(5)
    x = torch.randn(40, 3, generator=generator)
    y = x.sum(1, keepdim=True)
    torch.manual_seed(seed)
    return nn.Linear(3, 1), (x, y)


def loss(model, batch):
    x, y = batch
    return F.mse_loss(model(x), y)


class RecordLr:
    """on_step hook: the lr of the step just taken (read from the optimizer through a closure)."""
    def __init__(self):
        self.optimizer, self.lrs = None, []

    def __call__(self, step, model):
        self.lrs.append(self.optimizer.param_groups[0]["lr"])


def test_cosine_factor_matches_the_formula_and_ends_near_zero():
    steps = 20
    factors = [lr_factor("cosine", s, steps) for s in range(steps)]
    assert factors[0] == 1.0 and 0 < factors[-1] < 0.01
    assert all(a > b for a, b in zip(factors, factors[1:]))  # strictly falling
    assert factors[10] == pytest.approx(0.5)
    assert [lr_factor("constant", s, steps) for s in (0, 7, 19)] == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        lr_factor("linear", 0, 10)


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_the_optimizer_uses_the_scheduled_lr_each_step(schedule):
    model, data = problem()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.05)
    record = RecordLr()
    record.optimizer = optimizer
    train(model, loss, data, optimizer=optimizer, on_step=(record,),
          config=TrainConfig(steps=12, batch_size=8, lr=0.05, lr_schedule=schedule, device="cpu", progress=False))
    expected = [0.05 * (0.5 * (1 + math.cos(math.pi * s / 12)) if schedule == "cosine" else 1) for s in range(12)]
    assert record.lrs == pytest.approx(expected, rel=1e-12)


def test_interrupted_cosine_run_resumes_to_the_same_weights(tmp_path):
    def settings(name):
        return TrainConfig(steps=12, batch_size=8, lr=0.05, lr_schedule="cosine", device="cpu", progress=False,
                           log_every=2, checkpoint_every=4, checkpoint_path=tmp_path / name)
    full, data = problem()
    train(full, loss, data, config=settings("full.safetensors"))

    def stop_at_6(step, logs):
        if step == 6:
            raise KeyboardInterrupt
    part, _ = problem()
    with pytest.raises(KeyboardInterrupt):
        train(part, loss, data, config=settings("part.safetensors"), callbacks=[stop_at_6])
    resumed, _ = problem(seed=3)
    result = train(resumed, loss, data, config=settings("part.safetensors"))
    assert result.resumed_from == 4
    for a, b in zip(full.parameters(), resumed.parameters()):
        assert torch.allclose(a, b, atol=1e-7, rtol=0)


def test_a_cosine_checkpoint_is_not_extended_with_a_different_length(tmp_path):
    model, data = problem()
    path = tmp_path / "run.safetensors"
    train(model, loss, data, config=TrainConfig(steps=6, lr_schedule="cosine", device="cpu", progress=False,
                                                checkpoint_path=path))
    with pytest.raises(ValueError, match="choose another checkpoint_path"):
        train(model, loss, data, config=TrainConfig(steps=12, lr_schedule="cosine", device="cpu", progress=False,
                                                    checkpoint_path=path))


def test_unknown_schedule_is_refused_where_it_is_typed():
    with pytest.raises(ValueError, match="lr_schedule must be one of"):
        TrainConfig(steps=5, lr_schedule="step")
