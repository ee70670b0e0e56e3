"""TrainConfig(amp="auto") follows device.amp_choice: checked with fake capability tables (no GPU needed)."""
import pytest
import torch

from genimg_edu import train as train_module
from genimg_edu.device import amp_choice
from genimg_edu.train import TrainConfig, train


def table(**on):
    caps = {"cuda": False, "cuda_bf16": False, "mps": False, "cpu_bf16": False}
    caps.update(on)
    return caps


@pytest.mark.parametrize("device, caps, expected", [
    ("cuda", table(cuda=True, cuda_bf16=True), torch.bfloat16),   # A100 / L4: bf16, no scaler
    ("cuda", table(cuda=True), torch.float16),                    # T4 / V100: fp16 (+ GradScaler in train)
    ("cuda", table(cuda=True, cpu_bf16=True), torch.float16),     # the CPU's bf16 says nothing about the GPU
    ("mps", table(mps=True, cpu_bf16=True), None),                # MPS: float32
    ("cpu", table(cpu_bf16=True), torch.bfloat16),                # AVX512-BF16 / AMX
    ("cpu", table(), None),                                       # emulated bf16 would be slower
    ("cpu", table(cuda=True, cuda_bf16=True), None),              # a GPU elsewhere says nothing about the CPU
])
def test_auto_follows_amp_choice_for_a_fake_table(device, caps, expected):
    assert train_module._amp_dtype("auto", torch.device(device), caps) is expected
    assert amp_choice(device, caps)[0] is expected  # the same rule, from one place


def test_auto_no_longer_picks_fp16_on_a_bf16_gpu():
    """The old rule gave fp16 on every CUDA GPU; an Ampere-or-newer GPU now trains in bf16 without a scaler."""
    dtype = train_module._amp_dtype("auto", torch.device("cuda"), table(cuda=True, cuda_bf16=True))
    assert dtype is torch.bfloat16 and not amp_choice("cuda", table(cuda=True, cuda_bf16=True))[1]


def test_explicit_choices_ignore_the_table():
    for caps in (table(), table(cpu_bf16=True), table(cuda=True, cuda_bf16=True)):
        assert train_module._amp_dtype("off", torch.device("cpu"), caps) is None
        assert train_module._amp_dtype("bf16", torch.device("cpu"), caps) is torch.bfloat16
    with pytest.raises(ValueError, match="amp='fp16' needs a CUDA device"):
        train_module._amp_dtype("fp16", torch.device("cpu"), table(cuda=True))


@pytest.mark.parametrize("cpu_bf16", [False, True])
def test_train_with_auto_uses_the_machine_table(monkeypatch, cpu_bf16):
    """train() reads device_capabilities() for "auto": with a faked table the loss is computed under the
    dtype the table asks for (seen inside loss_fn), and the weights change."""
    monkeypatch.setattr(train_module, "device_capabilities", lambda: table(cpu_bf16=cpu_bf16))
    seen = []

    def loss_fn(model, x):
        out = model(x)
        seen.append(out.dtype)
        return out.float().pow(2).mean()

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    before = model.weight.detach().clone()
    train(model, loss_fn, torch.rand(8, 4),
          config=TrainConfig(steps=2, batch_size=4, amp="auto", device="cpu", progress=False))
    assert seen == [torch.bfloat16 if cpu_bf16 else torch.float32] * 2
    assert not torch.equal(before, model.weight)
