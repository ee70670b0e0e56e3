"""The judges: real training to the promised accuracy, the safetensors cache, and bad input."""
import os
import warnings

import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.metrics import judge as judge_module
from genimg_edu.metrics import load_judge


@pytest.fixture(scope="module")
def fresh_cache(tmp_path_factory):
    """A private, empty cache folder: the judges below really train."""
    old = os.environ.get("GENIMG_CACHE")
    os.environ["GENIMG_CACHE"] = str(tmp_path_factory.mktemp("judge_cache"))
    yield
    if old is None:
        del os.environ["GENIMG_CACHE"]
    else:
        os.environ["GENIMG_CACHE"] = old


@pytest.fixture(scope="module")
def digits_judge(fresh_cache):
    return load_judge("digits", size=8)


@pytest.fixture(scope="module")
def shapes_judge(fresh_cache):
    return load_judge("shapes", size=32)


def test_digits_judge_is_98_percent_right_on_held_out_digits(digits_judge):
    test = load_dataset("digits", split="test", size=8)
    accuracy = digits_judge.accuracy(test.images, test.labels)
    assert accuracy >= 0.98
    assert accuracy == pytest.approx(digits_judge.test_accuracy)
    predicted = digits_judge.predict(test.images)
    assert predicted.shape == (len(test),) and predicted.dtype == torch.int64
    assert digits_judge.classes == test.classes
    assert digits_judge.features(test.images).shape == (len(test), 128)


def test_shapes_judge_is_98_percent_right_per_attribute(shapes_judge):
    test = load_dataset("shapes", split="test", size=32, n=400, seed=3)  # renders never seen
    accuracy = shapes_judge.attribute_accuracy(test.images, test.attributes)
    assert set(accuracy) == {"shape", "colour", "size", "position", "background"}
    assert shapes_judge.classes["colour"] == test.attribute_values["colour"]
    assert min(accuracy.values()) >= 0.98, accuracy
    assert min(shapes_judge.test_accuracy.values()) >= 0.98
    predicted = shapes_judge.predict(test.images)
    assert (predicted["colour"] == test.attributes["colour"]).float().mean() >= 0.98
    assert shapes_judge.accuracy(test.images, test.labels) == pytest.approx(accuracy["shape"])
    assert shapes_judge.attribute_accuracy(test.images, {"size": test.attributes["size"]}).keys() == {"size"}


def test_judge_is_not_fooled_by_noise_or_blank_images(digits_judge):
    test = load_dataset("digits", split="test", size=8)
    noisy = (test.images + 0.05 * torch.randn(test.images.shape, generator=torch.Generator().manual_seed(0)))
    assert digits_judge.accuracy(noisy.clamp(0, 1), test.labels) >= 0.95  # robust to mild noise
    # Scrambled digits keep each image's ink and brightness but lose its shape: a judge that scored
    # generators by ink statistics would still "recognise" them; a real judge falls to near chance (10%).
    order = torch.randperm(64, generator=torch.Generator().manual_seed(1))
    scrambled = test.images.flatten(1)[:, order].reshape(test.images.shape)
    assert digits_judge.accuracy(scrambled, test.labels) <= 0.3


def test_second_load_comes_from_the_cache(digits_judge, monkeypatch):
    assert judge_module.judge_path("digits", 8).is_file()
    monkeypatch.setattr(judge_module, "train_judge", lambda *a, **k: pytest.fail("retrained"))
    again = load_judge("digits", size=8)
    assert again.test_accuracy == digits_judge.test_accuracy
    x = load_dataset("digits", split="test", size=8).images[:20]
    torch.testing.assert_close(again.features(x), digits_judge.features(x))


@pytest.fixture
def quick_recipe(monkeypatch, tmp_path):
    """A private cache and a 2-epoch recipe, so the cache tests retrain in a second."""
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path))
    monkeypatch.setitem(judge_module.RECIPES["digits"].epochs, 8, 2)


def test_corrupt_cache_is_retrained_and_rewritten(quick_recipe):
    path = judge_module.judge_path("digits", 8)
    path.write_bytes(b"this is not a safetensors file" * 10)
    with pytest.warns(UserWarning, match="retraining"):
        judge = load_judge("digits", size=8)
    assert judge.test_accuracy > 0.5
    reloaded = judge_module._load("digits", 8, path)  # the rewritten file reads back
    assert reloaded.test_accuracy == judge.test_accuracy


def test_truncated_cache_is_retrained(quick_recipe):
    load_judge("digits", size=8)
    path = judge_module.judge_path("digits", 8)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.warns(UserWarning, match="retraining"):
        load_judge("digits", size=8)
    judge_module._load("digits", 8, path)


def test_cache_false_never_writes_and_retrain_overwrites(quick_recipe):
    path = judge_module.judge_path("digits", 8)
    load_judge("digits", size=8, cache=False)
    assert not path.exists()
    load_judge("digits", size=8)
    stamp = path.stat().st_mtime_ns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_judge("digits", size=8, retrain=True)
    assert path.stat().st_mtime_ns != stamp


def test_training_is_deterministic_by_seed(quick_recipe):
    a = judge_module.train_judge("digits", size=8)
    b = judge_module.train_judge("digits", size=8)
    for (name, pa), pb in zip(a.net.state_dict().items(), b.net.state_dict().values()):
        torch.testing.assert_close(pa, pb, msg=name)


def _plain_recipe_loop(kind, size):
    """The judge recipe written as its own loop (how the v2 judges were first trained): the judge
    now trains through genimg_edu.train.train and must give the very same weights."""
    import torch.nn.functional as F
    recipe, heads = judge_module.RECIPES[kind], judge_module._heads(kind)
    images, labels = judge_module._real_data(kind, size, "train")
    generator = torch.Generator().manual_seed(recipe.seed)
    torch.manual_seed(recipe.seed)
    net = judge_module.JudgeNet(images.shape[1], size, heads)
    epochs, steps_per_epoch = recipe.epochs[size], -(-len(images) // recipe.batch_size)
    optimizer = torch.optim.AdamW(net.parameters(), lr=recipe.lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=recipe.lr, total_steps=epochs * steps_per_epoch)
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(images), generator=generator)
        for i in range(0, len(images), recipe.batch_size):
            rows = order[i:i + recipe.batch_size]
            out = net(judge_module._augment(images[rows], recipe, generator))
            loss = sum(F.cross_entropy(out[k], labels[k][rows]) for k in heads)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return net.state_dict()


def test_train_judge_through_train_gives_the_plain_loops_weights(quick_recipe):
    expected = _plain_recipe_loop("digits", 8)
    judge = judge_module.train_judge("digits", size=8)
    for name, value in judge.net.state_dict().items():
        assert torch.equal(value, expected[name]), name  # bit for bit: the cached v2 judges stay valid


def test_judge_net_handles_every_digit_size():
    for size in (8, 16, 28, 32):
        net = judge_module.JudgeNet(1, size, {"digit": 10})
        assert net(torch.rand(2, 1, size, size))["digit"].shape == (2, 10)
        assert net.features(torch.rand(2, 1, size, size)).shape == (2, 128)


def test_bad_input_is_a_clear_error(digits_judge, shapes_judge):
    with pytest.raises(ValueError, match="kind"):
        load_judge("cats", size=8)
    with pytest.raises(ValueError, match="size"):
        load_judge("digits", size=12)
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\)"):
        digits_judge.predict(torch.rand(4, 1, 16, 16))
    with pytest.raises(ValueError, match="channel"):
        digits_judge.predict(torch.rand(4, 3, 8, 8))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        digits_judge.predict(torch.rand(4, 1, 8, 8) * 2 - 1)  # [-1, 1] must be converted with to_unit
    with pytest.raises(ValueError, match="shape"):
        digits_judge.predict(torch.rand(1, 8, 8))
    with pytest.raises(ValueError, match="NaN"):
        digits_judge.predict(torch.full((2, 1, 8, 8), float("nan")))
    with pytest.raises(ValueError, match="labels"):
        digits_judge.accuracy(torch.rand(4, 1, 8, 8), torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="labels"):
        digits_judge.accuracy(torch.rand(3, 1, 8, 8), torch.tensor([0, 1, 10]))
    with pytest.raises(ValueError, match="unknown attribute"):
        shapes_judge.attribute_accuracy(torch.rand(2, 3, 32, 32), {"texture": torch.tensor([0, 1])})
    with pytest.raises(ValueError, match="shapes judge"):
        digits_judge.attribute_accuracy(torch.rand(2, 1, 8, 8), {"digit": torch.tensor([0, 1])})


def test_two_trainings_at_once_leave_one_whole_cache_file(quick_recipe):
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=2) as pool:
        judges = list(pool.map(lambda _: load_judge("digits", size=8, retrain=True), range(2)))
    path = judge_module.judge_path("digits", 8)
    assert judge_module._load("digits", 8, path).test_accuracy in {j.test_accuracy for j in judges}
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary files left


def test_unwritable_cache_falls_back_with_a_warning_and_cache_false_never_touches_disk(tmp_path, monkeypatch):
    from genimg_edu.device import cache_dir
    from genimg_edu.metrics import judge as judge_module

    blocker = tmp_path / "a_file"
    blocker.write_text("x")  # GENIMG_CACHE under a file: no folder can be made there (as read-only, even as root)
    monkeypatch.setenv("GENIMG_CACHE", str(blocker / "cache"))
    with pytest.warns(UserWarning, match="GENIMG_CACHE=.*temporary cache"):
        fallback = cache_dir()
    assert fallback.is_dir() and blocker.is_file()

    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path / "never_made"))
    net = judge_module.JudgeNet(1, 8, {"digit": 10})
    made = judge_module.Judge("digits", 8, net, {"kind": "digits", "size": 8, "version": judge_module.VERSION,
                                                 "test_accuracy": 0.5})
    trained = []

    def fake_train(kind, *, size, **kwargs):  # stands in for a minute of training
        trained.append(kind)
        return made
    monkeypatch.setattr(judge_module, "train_judge", fake_train)
    judge = judge_module.load_judge("digits", size=8, cache=False)
    assert judge.net is net and not (tmp_path / "never_made").exists()  # cache=False: no folder, no file

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(judge_module, "_save", full_disk)
    with pytest.warns(UserWarning, match="could not cache the judge.*GENIMG_CACHE"):
        kept = judge_module.load_judge("digits", size=8, retrain=True)
    assert kept.net is net and trained == ["digits", "digits"]  # the trained judge is returned, not lost
