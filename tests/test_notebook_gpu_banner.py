"""mode_banner names the GPU, its memory and its precision when CUDA is present (faked here: no GPU needed)."""
import pytest
import torch

from genimg_edu.notebook import mode_banner


class FakeT4:
    name, total_memory = "Tesla T4", 15 * 2**30


@pytest.fixture
def fake_t4(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device: FakeT4)
    monkeypatch.setattr("genimg_edu.device.device_capabilities",
                        lambda: {"cuda": True, "cuda_bf16": False, "mps": False, "cpu_bf16": False})


@pytest.mark.parametrize("fast", ["1", ""])
def test_banner_names_the_gpu_in_both_modes(fake_t4, monkeypatch, capsys, fast):
    monkeypatch.setenv("GENIMG_FAST", fast)
    assert mode_banner() is bool(fast)
    out = capsys.readouterr().out
    assert "Running on a GPU:* CUDA GPU: Tesla T4, 15.0 GB, mixed precision: fp16 autocast + GradScaler" in out
    assert ("deliberately undertrained" in out) == bool(fast)


def test_banner_says_nothing_about_a_gpu_without_cuda(monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("GENIMG_FAST", raising=False)
    assert mode_banner() is False
    out = capsys.readouterr().out
    assert "GPU" not in out and "Full mode" in out


def test_banner_is_markdown_in_jupyter(fake_t4, monkeypatch):
    shown = []
    monkeypatch.setattr("genimg_edu.notebook._in_ipython", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    mode_banner()
    assert any("Tesla T4, 15.0 GB" in obj.data for obj in shown)
