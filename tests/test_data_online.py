"""torchvision loaders, exercised on tiny files written here in torchvision's own formats.

No test touches the network: files are local, and the download test runs with sockets blocked.
"""
import os
import pickle
import struct

import numpy as np
import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.data.online import (DatasetDownloadError, DatasetNotDownloadedError,
                                    default_root, load_torchvision)


def write_idx(path, array: np.ndarray):
    """The MNIST idx format: magic (0, 0, type 0x08 = ubyte, ndim), big-endian int32 dims, bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}i", *array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def write_mnist(root, folder="MNIST", *, n_train=12, n_test=5, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write_idx(root / folder / "raw" / f"{prefix}-images-idx3-ubyte", images)
        write_idx(root / folder / "raw" / f"{prefix}-labels-idx1-ubyte", labels)
        arrays[prefix] = (images, labels)
    return arrays


def write_cifar10(root, *, per_batch=3, seed=0):
    """The CIFAR-10 python format: pickled dicts with "data" (n, 3072) CHW-flattened and "labels"."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, size=(per_batch, 3 * 32 * 32), dtype=np.uint8)
        labels = rng.integers(0, 10, size=per_batch).tolist()
        (folder / name).write_bytes(pickle.dumps({"data": data, "labels": labels}))
        batches[name] = (data, labels)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": names}))
    return batches


@pytest.mark.parametrize("name, folder", [("mnist", "MNIST"), ("fashion_mnist", "FashionMNIST")])
def test_mnist_format_loads_through_torchvision(tmp_path, no_network, name, folder):
    arrays = write_mnist(tmp_path, folder)
    for split, prefix in (("train", "train"), ("test", "t10k")):
        ds = load_torchvision(name, split=split, root=tmp_path)
        images, labels = arrays[prefix]
        assert ds.images.shape == (len(images), 1, 28, 28) and ds.images.dtype == torch.float32
        np.testing.assert_allclose(ds.images[:, 0].numpy(), images / 255, atol=1e-6)
        assert ds.labels.tolist() == labels.tolist() and ds.labels.dtype == torch.int64
        assert len(ds.classes) == 10 and ds.name == name


def test_mnist_classes_value_range_and_limit(tmp_path, no_network):
    arrays = write_mnist(tmp_path)
    ds = load_dataset("mnist", root=tmp_path, value_range=(-1, 1), limit=4)
    assert ds.classes == [str(d) for d in range(10)]
    assert ds.images.shape == (4, 1, 28, 28) and ds.value_range == (-1.0, 1.0)
    np.testing.assert_allclose(ds.images[:, 0].numpy(), arrays["train"][0][:4] / 255 * 2 - 1, atol=1e-6)
    assert ds.images.min() >= -1 and ds.images.max() <= 1


def test_cifar10_format_loads_through_torchvision(tmp_path, monkeypatch, no_network):
    import torchvision.datasets.cifar as cifar
    # Our tiny batches cannot match the md5 sums of the real CIFAR-10 files, so only the
    # checksum test is replaced (by "the file exists"); the real unpickling code runs.
    monkeypatch.setattr(cifar, "check_integrity", lambda fpath, md5=None: os.path.isfile(fpath))
    batches = write_cifar10(tmp_path)
    train = load_torchvision("cifar10", root=tmp_path)
    assert train.images.shape == (15, 3, 32, 32)
    first = batches["data_batch_1"][0][0].reshape(3, 32, 32) / 255  # stored channel-major
    np.testing.assert_allclose(train.images[0].numpy(), first, atol=1e-6)
    expected = sum((batches[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    assert train.labels.tolist() == expected
    assert train.classes[0] == "airplane" and len(train.classes) == 10
    test = load_torchvision("cifar10", split="test", root=tmp_path, limit=2, value_range=(-1, 1))
    assert test.images.shape == (2, 3, 32, 32) and test.labels.tolist() == batches["test_batch"][1][:2]
    np.testing.assert_allclose(test.images[1].numpy(),
                               batches["test_batch"][0][1].reshape(3, 32, 32) / 255 * 2 - 1, atol=1e-6)


def test_missing_files_without_download_say_how_to_fix(tmp_path, no_network):
    with pytest.raises(FileNotFoundError) as info:
        load_torchvision("mnist", root=tmp_path / "empty")
    assert isinstance(info.value, DatasetNotDownloadedError)
    message = str(info.value)
    assert "download=True" in message and '"digits"' in message and '"shapes"' in message
    assert not any(tmp_path.rglob("*-ubyte")), "nothing may be downloaded without download=True"


def test_download_without_network_is_a_clear_error(tmp_path, no_network):
    # The real torchvision download code runs; the blocked socket stands in for "offline".
    with pytest.raises(DatasetDownloadError) as info:
        load_torchvision("mnist", root=tmp_path, download=True)
    message = str(info.value)
    assert "could not download mnist" in message and "internet" in message and '"digits"' in message


def test_default_root_is_inside_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path / "cache"))
    assert default_root() == tmp_path / "cache" / "torchvision"


@pytest.mark.parametrize("kwargs, error", [
    ({"name": "svhn"}, ValueError), ({"name": "mnist", "split": "val"}, ValueError),
    ({"name": "mnist", "limit": 0}, ValueError), ({"name": "mnist", "download": "yes"}, TypeError),
    ({"name": "mnist", "value_range": (0, 255)}, ValueError),
])
def test_bad_arguments(tmp_path, kwargs, error):
    name = kwargs.pop("name")
    with pytest.raises(error) as info:
        load_torchvision(name, root=tmp_path, **kwargs)
    if name == "svhn":
        assert "mnist" in str(info.value) and "cifar10" in str(info.value)
