import json
import random

import numpy as np
import pytest
import torch
from torch import nn

from genimg_edu import checkpoint
from genimg_edu.checkpoint import (CheckpointError, CheckpointNotFoundError, load_checkpoint,
                                   load_state_dict_file, save_checkpoint)


def make_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))


def train_a_little(model, optimizer, steps=3):
    for _ in range(steps):
        loss = model(torch.randn(5, 1, 8, 8)).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_round_trip_modules_and_adam_state(tmp_path):
    model = make_model(0)
    adam = torch.optim.Adam(model.parameters(), lr=1e-2, betas=(0.8, 0.99))
    train_a_little(model, adam)
    path = save_checkpoint(tmp_path / "run.safetensors", modules={"net": model}, optimizers={"adam": adam},
                           tensors={"noise": torch.arange(6.0).reshape(2, 3)}, meta={"step": 3, "note": "hi"})
    assert path.is_file()

    fresh = make_model(1)
    fresh_adam = torch.optim.Adam(fresh.parameters(), lr=5.0)
    state = load_checkpoint(path, modules={"net": fresh}, optimizers={"adam": fresh_adam})

    for (key, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        assert torch.equal(a, b), key  # includes BatchNorm running stats and num_batches_tracked
    saved, loaded = adam.state_dict(), fresh_adam.state_dict()
    assert loaded["param_groups"] == saved["param_groups"]
    assert loaded["param_groups"][0]["betas"] == (0.8, 0.99)  # tuples survive as tuples
    assert saved["state"].keys() == loaded["state"].keys()
    for index in saved["state"]:
        for key in ("step", "exp_avg", "exp_avg_sq"):
            assert torch.equal(saved["state"][index][key], loaded["state"][index][key])
    assert state["meta"] == {"step": 3, "note": "hi"}
    assert torch.equal(state["tensors"]["noise"], torch.arange(6.0).reshape(2, 3))

    # the restored optimizer continues exactly like the original
    torch.manual_seed(5)
    train_a_little(model, adam, 2)
    torch.manual_seed(5)
    train_a_little(fresh, fresh_adam, 2)
    for a, b in zip(model.parameters(), fresh.parameters()):
        assert torch.equal(a, b)


def test_sgd_momentum_and_tied_weights(tmp_path):
    embed = nn.Embedding(5, 4)
    head = nn.Linear(4, 5, bias=False)
    head.weight = embed.weight  # tied: safetensors refuses shared memory unless we copy
    model = nn.ModuleDict({"embed": embed, "head": head})
    sgd = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model["head"](model["embed"](torch.tensor([1, 2]))).sum().backward()
    sgd.step()
    path = save_checkpoint(tmp_path / "tied.safetensors", modules={"m": model}, optimizers={"sgd": sgd})
    other = nn.ModuleDict({"embed": nn.Embedding(5, 4), "head": nn.Linear(4, 5, bias=False)})
    other["head"].weight = other["embed"].weight
    other_sgd = torch.optim.SGD(other.parameters(), lr=0.1, momentum=0.9)
    load_checkpoint(path, modules={"m": other}, optimizers={"sgd": other_sgd})
    assert torch.equal(other["embed"].weight, embed.weight)
    assert other["head"].weight is other["embed"].weight
    buffers = [s["momentum_buffer"] for s in other_sgd.state_dict()["state"].values()]
    assert torch.equal(buffers[0], sgd.state_dict()["state"][0]["momentum_buffer"])


def test_rng_round_trip(tmp_path):
    torch.manual_seed(1)
    np.random.seed(2)
    random.seed(3)
    np.random.normal()  # leaves a cached gaussian in NumPy's state
    path = save_checkpoint(tmp_path / "rng.safetensors", rng=True)
    expected = (torch.rand(3), np.random.rand(3), np.random.normal(), random.random())
    torch.manual_seed(99)
    np.random.seed(99)
    random.seed(99)
    load_checkpoint(path, restore_rng=True)
    got = (torch.rand(3), np.random.rand(3), np.random.normal(), random.random())
    assert torch.equal(expected[0], got[0])
    assert np.array_equal(expected[1], got[1])
    assert expected[2:] == got[2:]


def test_restore_rng_needs_rng_in_file(tmp_path):
    path = save_checkpoint(tmp_path / "plain.safetensors", meta={"a": 1})
    with pytest.raises(CheckpointError, match="rng=True"):
        load_checkpoint(path, restore_rng=True)


def test_crash_mid_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    save_checkpoint(path, tensors={"w": torch.ones(3)}, meta={"version": "old"})
    old_bytes = path.read_bytes()

    def crash(tensors, metadata, target):
        with open(target, "wb") as file:
            file.write(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint, "_write_safetensors", crash)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, tensors={"w": torch.zeros(3)}, meta={"version": "new"})
    assert path.read_bytes() == old_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]
    assert load_checkpoint(path)["meta"] == {"version": "old"}

    monkeypatch.undo()
    save_checkpoint(path, tensors={"w": torch.zeros(3)}, meta={"version": "new"})
    assert load_checkpoint(path)["meta"] == {"version": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.safetensors"]


def test_missing_corrupt_and_truncated_files_raise_checkpoint_error(tmp_path):
    with pytest.raises(CheckpointNotFoundError):
        load_checkpoint(tmp_path / "nope.safetensors")
    with pytest.raises(FileNotFoundError):  # also catchable as the builtin
        load_checkpoint(tmp_path / "nope.safetensors")

    empty = tmp_path / "empty.safetensors"
    empty.write_bytes(b"")  # e.g. a disk that filled up under a non-atomic writer
    with pytest.raises(CheckpointError, match="is an empty file") as info:
        load_checkpoint(empty)
    assert "delete" not in str(info.value)  # nothing says this file is the course's to delete

    garbage = tmp_path / "garbage.safetensors"
    garbage.write_bytes(b"\x00\x01 this is not a checkpoint")
    with pytest.raises(CheckpointError, match="not a genimg_edu checkpoint") as info:
        load_checkpoint(garbage)
    assert "delete" not in str(info.value)

    good = save_checkpoint(tmp_path / "good.safetensors", tensors={"w": torch.randn(1000)}, meta={"k": 1})
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(CheckpointError, match="written by genimg_edu but is truncated or corrupt.*delete it"):
        load_checkpoint(truncated)  # the header proves the course wrote it: deleting loses nothing of yours
    assert issubclass(CheckpointError, ValueError)


def test_mismatching_module_raises_checkpoint_error(tmp_path):
    path = save_checkpoint(tmp_path / "m.safetensors", modules={"net": nn.Linear(3, 2)})
    with pytest.raises(CheckpointError, match="does not fit"):
        load_checkpoint(path, modules={"net": nn.Linear(4, 2)})
    with pytest.raises(CheckpointError, match="no module 'other'"):
        load_checkpoint(path, modules={"other": nn.Linear(3, 2)})


def test_meta_round_trip_and_validation(tmp_path):
    meta = {"step": 7, "history": [{"step": 1, "loss": 0.5}, {"step": 2, "loss": float("nan")}],
            "config": {"lr": 1e-3, "grad_clip": None, "name": "ünïcode"}}
    path = save_checkpoint(tmp_path / "meta.safetensors", meta=meta)
    loaded = load_checkpoint(path)["meta"]
    assert json.dumps(loaded) == json.dumps(meta)
    with pytest.raises(TypeError, match="JSON"):
        save_checkpoint(tmp_path / "bad.safetensors", meta={"tensor": torch.ones(2)})
    with pytest.raises(TypeError, match="nn.Module"):
        save_checkpoint(tmp_path / "bad.safetensors", modules={"x": torch.ones(2)})
    assert not (tmp_path / "bad.safetensors").exists()


def test_plain_safetensors_is_not_a_checkpoint(tmp_path):
    from safetensors.torch import save_file
    save_file({"w": torch.ones(2)}, str(tmp_path / "plain.safetensors"))
    with pytest.raises(CheckpointError, match="load_state_dict_file"):
        load_checkpoint(tmp_path / "plain.safetensors")


def test_load_state_dict_file_safetensors_and_pt(tmp_path):
    from safetensors.torch import save_file
    state = nn.Linear(3, 2).state_dict()
    save_file(state, str(tmp_path / "w.safetensors"))
    torch.save(state, tmp_path / "w.pt")
    for name in ("w.safetensors", "w.pt"):
        loaded = load_state_dict_file(tmp_path / name)
        assert loaded.keys() == state.keys()
        assert all(torch.equal(loaded[k], state[k]) for k in state)


def test_load_state_dict_file_refuses_pickled_objects(tmp_path):
    torch.save({"w": torch.ones(2), "obj": _Unpicklable()}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="unsafe"):
        load_state_dict_file(tmp_path / "evil.pt")
    with pytest.raises(ValueError, match=".safetensors, .pt"):
        load_state_dict_file(tmp_path / "weights.npz")
    with pytest.raises(CheckpointNotFoundError):
        load_state_dict_file(tmp_path / "missing.pth")


class _Unpicklable:
    """An arbitrary class: weights_only loading must refuse to rebuild it."""


def test_files_the_course_did_not_write_are_named_never_offered_for_deletion(tmp_path, monkeypatch):
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path / "cache"))
    weights = tmp_path / "my_weights.pt"
    torch.save({"w": torch.ones(2)}, weights)  # a valid torch file, e.g. from a tutorial
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(weights)
    message = str(info.value)
    assert "torch.save" in message and "weights_only=True" in message and "load_state_dict_file" in message
    assert "delete" not in message and "corrupt" not in message
    assert torch.equal(load_state_dict_file(weights)["w"], torch.ones(2))  # the advice works

    essay = tmp_path / "my_notes.ipynb"
    essay.write_text('{"cells": []}')  # a learner's own file passed as checkpoint_path by mistake
    with pytest.raises(CheckpointError, match="not a genimg_edu checkpoint: it is a JSON") as info:
        load_checkpoint(essay)
    assert "delete" not in str(info.value)
    assert essay.read_text() == '{"cells": []}'

    plain = tmp_path / "plain.safetensors"
    from safetensors.torch import save_file
    save_file({"w": torch.zeros(2)}, str(plain))
    with pytest.raises(CheckpointError, match="load_state_dict_file"):
        load_checkpoint(plain)

    cached = tmp_path / "cache" / "junk.safetensors"  # the course's cache folder: its files are ours
    cached.parent.mkdir(exist_ok=True)
    cached.write_bytes(b"\x00junk")
    with pytest.raises(CheckpointError, match="course's own cache file: delete it"):
        load_checkpoint(cached)
