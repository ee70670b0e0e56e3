"""Device and mixed-precision choice, decided from a capabilities table (fake tables here: no GPU needed)."""
import pytest
import torch

from genimg_edu import colab
from genimg_edu.device import amp_choice, choose_device_and_amp, device_capabilities
from genimg_edu.train import TrainConfig, train


def table(**on):
    caps = {"cuda": False, "cuda_bf16": False, "mps": False, "cpu_bf16": False}
    caps.update(on)
    return caps


@pytest.mark.parametrize("caps, expected", [
    (table(cuda=True, cuda_bf16=True), ("cuda", "bf16")),          # A100 / L4 / RTX 30xx+
    (table(cuda=True), ("cuda", "fp16")),                          # T4 / V100: fp16 + GradScaler
    (table(cuda=True, mps=True, cpu_bf16=True), ("cuda", "fp16")),  # cuda wins over everything
    (table(mps=True), ("mps", "off")),
    (table(mps=True, cpu_bf16=True), ("mps", "off")),              # the CPU's bf16 says nothing about MPS
    (table(cpu_bf16=True), ("cpu", "bf16")),                       # AVX512-BF16 / AMX
    (table(), ("cpu", "off")),                                     # emulated bf16 would be slower
])
def test_choose_device_and_amp_from_a_fake_table(caps, expected):
    assert choose_device_and_amp(caps) == expected


def test_amp_choice_says_when_a_grad_scaler_is_needed():
    assert amp_choice("cuda", table(cuda=True)) == (torch.float16, True)
    assert amp_choice("cuda", table(cuda=True, cuda_bf16=True)) == (torch.bfloat16, False)
    assert amp_choice("cpu", table(cpu_bf16=True)) == (torch.bfloat16, False)
    assert amp_choice("cpu", table()) == (None, False)
    assert amp_choice("mps", table(mps=True)) == (None, False)


def test_bad_tables_and_devices_are_refused():
    with pytest.raises(ValueError, match="device_type"):
        amp_choice("tpu", table())
    with pytest.raises(ValueError, match="unknown capabilities"):
        choose_device_and_amp({"cuda": True, "gpu": True})


def test_the_real_table_has_the_four_keys_and_agrees_with_torch():
    caps = device_capabilities()
    assert set(caps) == {"cuda", "cuda_bf16", "mps", "cpu_bf16"}
    assert caps["cuda"] == torch.cuda.is_available()
    assert not caps["cuda_bf16"] or caps["cuda"]
    device_type, amp = choose_device_and_amp()
    assert device_type == ("cuda" if caps["cuda"] else "mps" if caps["mps"] else "cpu")
    assert amp == {"cuda": "bf16" if caps["cuda_bf16"] else "fp16", "mps": "off",
                   "cpu": "bf16" if caps["cpu_bf16"] else "off"}[device_type]


def test_the_chosen_amp_trains_on_this_machine():
    """The amp value chosen here is one TrainConfig accepts, and a step under it changes the weights."""
    device_type, amp = choose_device_and_amp(dict(device_capabilities(), cuda=False, mps=False))
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.Flatten(), torch.nn.Linear(64, 1))
    before = [p.detach().clone() for p in model.parameters()]
    data = torch.rand(16, 1, 4, 4)
    result = train(model, lambda m, x: m(x).pow(2).mean(), data,
                   config=TrainConfig(steps=2, batch_size=8, amp=amp, device=device_type, progress=False))
    assert result.step == 2
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_describe_device_names_the_cpu_and_its_bf16():
    text = colab.describe_device("cpu")
    assert text.startswith("CPU, ") and f"{torch.get_num_threads()} threads" in text
    assert ("native bf16: yes" in text) == device_capabilities()["cpu_bf16"]


def test_describe_device_reports_a_gpu_name_and_memory(monkeypatch):
    class Props:
        name, total_memory = "Tesla T4", 15 * 2**30
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device: Props)
    monkeypatch.setattr("genimg_edu.device.device_capabilities",
                        lambda: table(cuda=True))
    assert colab.describe_device("cuda") == "CUDA GPU: Tesla T4, 15.0 GB, mixed precision: fp16 autocast + GradScaler"
