import pytest
import torch
import torch.nn.functional as F
from torch import nn

from genimg_edu.data import load_dataset
from genimg_edu.train import TrainConfig, batch_indices, get_batch, train


def tiny_problem(seed=0):
    """A small noisy regression with dropout: exercises the data order AND the global RNG."""
    generator = torch.Generator().manual_seed(123)
    x = torch.randn(37, 4, generator=generator)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]]) + 0.1 * torch.randn(37, 1, generator=generator)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.Dropout(0.2), nn.Tanh(), nn.Linear(16, 1))
    return model, (x, y)


def noisy_loss(model, batch):
    x, y = batch
    x = x + 0.01 * torch.randn_like(x)  # randomness inside the loss, like diffusion's noise
    prediction = model(x)
    return {"loss": F.mse_loss(prediction, y), "mean_prediction": prediction.mean()}


def config(tmp_path, name, **overrides):
    settings = dict(steps=12, batch_size=8, lr=1e-2, log_every=2, checkpoint_every=4,
                    checkpoint_path=tmp_path / name, device="cpu", progress=False)
    settings.update(overrides)
    return TrainConfig(**settings)


class StopAt:
    def __init__(self, step):
        self.step = step

    def __call__(self, step, logs):
        if step == self.step:
            raise KeyboardInterrupt


def test_interrupted_and_resumed_run_equals_uninterrupted(tmp_path):
    model, data = tiny_problem(seed=0)
    full = train(model, noisy_loss, data, config=config(tmp_path, "full.safetensors"))
    assert full.step == 12 and full.resumed_from == 0

    interrupted, _ = tiny_problem(seed=0)
    with pytest.raises(KeyboardInterrupt):  # stops after step 6; the last checkpoint is step 4
        train(interrupted, noisy_loss, data, config=config(tmp_path, "resume.safetensors"), callbacks=[StopAt(6)])
    torch.manual_seed(999)  # scramble the global RNG: the checkpoint must restore it

    resumed_model, _ = tiny_problem(seed=7)  # a different init: the weights must come from the checkpoint
    resumed = train(resumed_model, noisy_loss, data, config=config(tmp_path, "resume.safetensors"))
    assert resumed.resumed_from == 4 and resumed.step == 12
    for a, b in zip(model.parameters(), resumed_model.parameters()):
        assert torch.allclose(a, b, atol=1e-6, rtol=0)
    assert resumed.history == full.history
    assert [record["step"] for record in full.history] == [2, 4, 6, 8, 10, 12]
    assert set(full.history[0]) == {"step", "loss", "mean_prediction"}


def test_finished_checkpoint_returns_without_training(tmp_path):
    model, data = tiny_problem()
    first = train(model, noisy_loss, data, config=config(tmp_path, "done.safetensors"))
    again_model, _ = tiny_problem(seed=3)
    again = train(again_model, noisy_loss, data, config=config(tmp_path, "done.safetensors"))
    assert again.resumed_from == 12 and again.history == first.history
    for a, b in zip(model.parameters(), again_model.parameters()):
        assert torch.equal(a, b)


def test_checkpoint_from_a_different_config_is_refused(tmp_path):
    model, data = tiny_problem()
    train(model, noisy_loss, data, config=config(tmp_path, "c.safetensors", steps=4))
    with torch.no_grad():  # differ from the checkpoint, so a load would show
        for p in model.parameters():
            p.add_(1.0)
    weights = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(ValueError, match="choose another checkpoint_path") as info:
        train(model, noisy_loss, data, config=config(tmp_path, "c.safetensors", steps=8, seed=1))
    assert "delete" not in str(info.value)  # that file is a learner's earlier run: never advise deleting it
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters()))  # refused: nothing loaded
    with pytest.raises(ValueError, match="past steps"):
        train(model, noisy_loss, data, config=config(tmp_path, "c.safetensors", steps=2))


def test_callbacks_drawing_random_numbers_do_not_change_training(tmp_path):
    results = []
    for callbacks in ([], [lambda step, logs: torch.randn(100)]):
        model, data = tiny_problem()
        run = train(model, noisy_loss, data, callbacks=callbacks,
                    config=config(tmp_path, "x", checkpoint_path=None, checkpoint_every=None))
        results.append((run.history, [p.detach().clone() for p in model.parameters()]))
    assert results[0][0] == results[1][0]
    assert all(torch.equal(a, b) for a, b in zip(results[0][1], results[1][1]))


def test_callbacks_and_on_step_are_called():
    model, data = tiny_problem()
    seen, hooks = [], []
    train(model, noisy_loss, data, callbacks=[lambda step, logs: seen.append((step, logs["loss"]))],
          on_step=[lambda step, m: hooks.append(step)],
          config=TrainConfig(steps=5, batch_size=8, log_every=2, device="cpu", progress=False))
    assert [step for step, _ in seen] == [2, 4, 5]  # every log_every steps and at the end
    assert hooks == [1, 2, 3, 4, 5]


def test_batch_rows_replaces_the_default_batch_order():
    model, data = tiny_problem()
    seen, asked = [], []

    def rows(step):
        asked.append(step)
        return torch.arange(step % 3, step % 3 + 2)  # batches of 2, not config.batch_size

    def loss(m, batch):
        seen.append(batch[0].shape[0])
        return noisy_loss(m, batch)

    train(model, loss, data, batch_rows=rows,
          config=TrainConfig(steps=4, batch_size=8, device="cpu", progress=False))
    assert asked == [0, 1, 2, 3] and seen == [2, 2, 2, 2]


def test_batch_indices_cover_each_epoch_once_and_depend_on_seed():
    n, batch_size = 10, 4
    rows = torch.cat([batch_indices(step, n=n, batch_size=batch_size, seed=0) for step in range(5)])  # 2 epochs
    assert sorted(rows[:10].tolist()) == list(range(10))
    assert sorted(rows[10:20].tolist()) == list(range(10))
    assert not torch.equal(rows[:10], rows[10:20])  # each epoch reshuffled
    assert torch.equal(batch_indices(3, n=n, batch_size=batch_size, seed=0), rows[12:16])
    assert not torch.equal(batch_indices(0, n=n, batch_size=batch_size, seed=1), rows[:4])


def test_get_batch_handles_imageset_tuple_and_dataset():
    digits = load_dataset("digits", split="test", size=8)
    rows = torch.tensor([3, 1])
    images, labels = get_batch(digits, rows)
    assert torch.equal(images, digits.images[rows]) and torch.equal(labels, digits.labels[rows])
    dataset = torch.utils.data.TensorDataset(digits.images, digits.labels)
    collated = get_batch(dataset, rows)
    assert torch.equal(collated[0], images) and torch.equal(collated[1], labels)


def test_logistic_regression_on_digits_learns():
    digits = load_dataset("digits", split="train", size=8)
    test = load_dataset("digits", split="test", size=8)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    def loss_fn(model, batch):
        images, labels = batch
        return F.cross_entropy(model(images), labels)

    result = train(model, loss_fn, digits, config=TrainConfig(steps=300, lr=2e-2, log_every=20, device="cpu",
                                                              progress=False))
    assert result.history[-1]["loss"] < 0.25 * result.history[0]["loss"]
    model.eval()
    accuracy = (model(test.images).argmax(1) == test.labels).float().mean().item()
    assert accuracy > 0.9


@pytest.mark.parametrize("bad", [dict(steps=0), dict(steps=2.5), dict(batch_size=0), dict(batch_size=True), dict(lr=0), dict(lr=-1), dict(lr="1e-3"),
                                 dict(weight_decay=-0.1), dict(betas=(0.9, 1.0)), dict(grad_clip=0),
                                 dict(seed=-1), dict(log_every=0), dict(amp="fp8"),
                                 dict(checkpoint_every=10)])
def test_bad_config_raises_value_error(bad):
    with pytest.raises(ValueError):
        TrainConfig(**{"steps": 10, **bad})


def test_bad_inputs_raise_clear_errors():
    model, data = tiny_problem()
    quick = TrainConfig(steps=1, device="cpu", progress=False)
    with pytest.raises(TypeError, match="scalar"):
        train(model, lambda m, b: m(b[0]), data, config=quick)  # not a scalar
    with pytest.raises(ValueError, match="same length"):
        train(model, noisy_loss, (data[0], data[1][:5]), config=quick)
    with pytest.raises(ValueError, match="fp16"):
        train(model, noisy_loss, data, config=TrainConfig(steps=1, device="cpu", amp="fp16", progress=False))


def test_bf16_autocast_runs_on_cpu():
    model, data = tiny_problem()
    result = train(model, noisy_loss, data,
                   config=TrainConfig(steps=3, batch_size=8, amp="bf16", device="cpu", progress=False, log_every=1))
    assert len(result.history) == 3 and all(torch.isfinite(torch.tensor(r["loss"])) for r in result.history)


def test_a_loss_that_does_not_require_grad_is_explained():
    model, data = tiny_problem()

    def detached(model, batch):
        x, y = batch
        with torch.no_grad():
            return F.mse_loss(model(x), y)
    with pytest.raises(ValueError, match="does not require grad.*torch.no_grad"):
        train(model, detached, data, config=TrainConfig(steps=2, device="cpu", progress=False))
    with pytest.raises(ValueError, match="device must be None .*'cuda'"):
        TrainConfig(steps=2, device="gpu")
