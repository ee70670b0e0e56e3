r"""How much computing is that? This machine's FLOP/s, measured, and published budgets on it.

FLOPs counted the usual way, one multiply plus one add = 2 FLOPs:

- matmul of (m, k) by (k, n): $2\,m\,k\,n$;
- 2-D convolution, input (N, C_in, H, W), C_out kernels of k_h x k_w, output H_out x W_out:
  $2\,N\,C_{out}\,H_{out}\,W_{out}\,(C_{in}/\text{groups})\,k_h\,k_w$.

`measure_matmul` / `measure_conv` time those operations here (CPU, or CUDA when present) and
divide. `budget_on_machine` turns a published training budget in GPU-hours into time on this
machine: total FLOPs = hours x 3600 x the GPU's peak x an assumed utilisation (the share of peak a
real training run sustains; *not* published for Stable Diffusion, so it is a parameter), divided by
the FLOP/s measured here (the best case for this machine: real training runs slower than a big matmul).

    cpu = measure_matmul(n=512)                       # {"flops_per_second": ..., "seconds": ...}
    budget_on_machine(SD_V1_BUDGET, local_flops=cpu["flops_per_second"])

Notebook 11; `benchmarks/landscape.py --only compute` records this machine's numbers.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..checks import check_int, check_number

SECONDS_PER_YEAR = 365.25 * 24 * 3600


@dataclass(frozen=True)
class GPUSpec:
    name: str
    peak_flops: dict      # precision -> dense peak FLOP/s (no structured sparsity)
    source: str           # where the numbers are published
    date: str             # when


# NVIDIA A100 Tensor Core GPU datasheet (2020; the same peaks for the 40 GB and 80 GB, PCIe and SXM
# versions). The datasheet's larger "sparse" numbers assume 2:4 structured sparsity and are left out.
A100 = GPUSpec(
    name="NVIDIA A100",
    peak_flops={"fp32": 19.5e12, "tf32": 156e12, "bf16": 312e12, "fp16": 312e12},
    source="NVIDIA A100 Tensor Core GPU datasheet (nvidia.com, A100 datasheet; Ampere architecture whitepaper)",
    date="2020-05 (launch); datasheet revised 2021",
)


@dataclass(frozen=True)
class TrainingBudget:
    model: str
    gpu: GPUSpec
    gpu_hours: float
    source: str
    date: str
    note: str = ""


SD_V1_BUDGET = TrainingBudget(
    model="Stable Diffusion v1", gpu=A100, gpu_hours=150_000,
    source="Stable Diffusion v1 model card (CompVis/stable-diffusion, 'Environmental Impact': "
           "A100 PCIe 40GB, hours used 150000, AWS US-east, 11,250 kg CO2 eq. estimated)",
    date="2022-08",
    note="hardware 32 x 8 A100 GPUs; the card reports GPU-hours, not FLOPs or utilisation",
)


def matmul_flops(m: int, k: int, n: int) -> int:
    """FLOPs of (m, k) @ (k, n): 2 m k n (each of the m n outputs is k multiplies and k adds)."""
    for name, value in (("m", m), ("k", k), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    return 2 * m * k * n


def conv2d_flops(*, batch: int, in_channels: int, out_channels: int, out_size: tuple, kernel: tuple,
                 groups: int = 1) -> int:
    """FLOPs of a 2-D convolution: 2 N C_out H_out W_out (C_in / groups) k_h k_w (bias ignored).
    out_size: (H_out, W_out); kernel: (k_h, k_w)."""
    for name, value in (("batch", batch), ("in_channels", in_channels), ("out_channels", out_channels),
                        ("groups", groups)):
        check_int(name, value, low=1)
    for name, pair in (("out_size", out_size), ("kernel", kernel)):
        if not isinstance(pair, (tuple, list)):
            raise TypeError(f"{name} must be a pair of positive ints (height, width), got {pair!r}")
        if len(pair) != 2:
            raise ValueError(f"{name} must be a pair of positive ints (height, width), got {pair!r}")
        for value in pair:
            check_int(name, value, low=1)
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}")
    (h, w), (kh, kw) = out_size, kernel
    return 2 * batch * out_channels * h * w * (in_channels // groups) * kh * kw


def _device(device) -> torch.device:
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}") from error
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' asked for, but torch.cuda.is_available() is False")
    if device.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device}")
    return device


def _time(fn, device: torch.device, repeats: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """(wall seconds, process CPU seconds) of each of `repeats` calls, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times, cpu_times = [], []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start, cpu_start = time.perf_counter(), time.process_time()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times


def _result(flops: int, timed: tuple, device, dtype, **shape) -> dict:
    """flops_per_second uses the median wall time (what you wait for); on the CPU, flops_per_cpu_second
    divides by the CPU time the process got instead, which other programs sharing the cores do not
    inflate (per core when torch uses one thread)."""
    times, cpu_times = timed
    seconds = statistics.median(times)
    cpu_seconds = statistics.median(cpu_times)
    return {"flops": flops, "seconds": seconds, "flops_per_second": flops / seconds,
            "best_flops_per_second": flops / min(times),
            "flops_per_cpu_second": flops / cpu_seconds if device.type == "cpu" and cpu_seconds > 0 else None,
            "device": str(device), "dtype": str(dtype).replace("torch.", ""),
            "threads": torch.get_num_threads(), "repeats": len(times), **shape}


@torch.no_grad()
def measure_matmul(*, n: int = 512, device="cpu", dtype=torch.float32, repeats: int = 5) -> dict:
    """Time (n, n) @ (n, n) `repeats` times (after 2 warm-ups). Returns flops, median seconds,
    flops_per_second (median) and best_flops_per_second, with device, dtype and torch's thread count."""
    for name, value in (("n", n), ("repeats", repeats)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"n and repeats must be positive ints; {name} is {value!r}")
    device = _device(device)
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(n, n, generator=generator).to(device, dtype)
    b = torch.randn(n, n, generator=generator).to(device, dtype)
    return _result(matmul_flops(n, n, n), _time(lambda: a @ b, device, repeats), device, dtype, n=n)


@torch.no_grad()
def measure_conv(*, batch: int = 16, channels: int = 64, size: int = 32, kernel: int = 3, device="cpu",
                 dtype=torch.float32, repeats: int = 5) -> dict:
    """Time a 'same'-padded k x k convolution, channels -> channels, on (batch, channels, size, size)
    (the workhorse of the course's UNets). Returns the same fields as `measure_matmul`."""
    for name, value in (("batch", batch), ("channels", channels), ("size", size), ("kernel", kernel),
                        ("repeats", repeats)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if kernel % 2 == 0:
        raise ValueError(f"kernel must be odd (for 'same' padding), got {kernel}")
    device = _device(device)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(batch, channels, size, size, generator=generator).to(device, dtype)
    w = torch.randn(channels, channels, kernel, kernel, generator=generator).to(device, dtype) * 0.05
    flops = conv2d_flops(batch=batch, in_channels=channels, out_channels=channels, out_size=(size, size),
                         kernel=(kernel, kernel))
    times = _time(lambda: F.conv2d(x, w, padding=kernel // 2), device, repeats)
    return _result(flops, times, device, dtype, batch=batch, channels=channels, size=size, kernel=kernel)


def measure_machine(*, quick: bool = False) -> list[dict]:
    """Matmul and convolution throughput on the CPU (float32), and on CUDA (float32 and float16) when
    present. quick=True uses small sizes (a second or so)."""
    n, conv = (256, dict(batch=4, channels=32, size=16)) if quick else (1024, dict(batch=16, channels=64, size=32))
    rows = [{"op": "matmul", **measure_matmul(n=n)}, {"op": "conv3x3", **measure_conv(**conv)}]
    if torch.cuda.is_available():
        for dtype in (torch.float32, torch.float16):
            rows.append({"op": "matmul", **measure_matmul(n=4 * n, device="cuda", dtype=dtype)})
            rows.append({"op": "conv3x3", **measure_conv(**conv, device="cuda", dtype=dtype)})
    return rows


def training_flops(budget: TrainingBudget, *, precision: str = "fp16", utilization: float = 0.4) -> float:
    """Estimated FLOPs of a training run: gpu_hours x 3600 x peak[precision] x utilization.
    utilization is an assumption (0 < u <= 1): the share of peak the run sustained, rarely published."""
    if not isinstance(budget, TrainingBudget):
        raise TypeError(f"budget must be a TrainingBudget (e.g. SD_V1_BUDGET), got {type(budget).__name__}")
    if precision not in budget.gpu.peak_flops:
        raise ValueError(f"precision must be one of {sorted(budget.gpu.peak_flops)}, got {precision!r}")
    check_number("utilization", utilization, low=0, high=1, low_open=True)
    return budget.gpu_hours * 3600 * budget.gpu.peak_flops[precision] * utilization


def budget_on_machine(budget: TrainingBudget, *, local_flops: float, precision: str = "fp16",
                      utilization: float = 0.4) -> dict:
    """How long `budget` would take at `local_flops` FLOP/s (e.g. measured here), assuming this machine
    sustained that rate the whole time. Returns total_flops, seconds, years, and the speed ratio."""
    check_number("local_flops", local_flops, low=0, low_open=True)
    total = training_flops(budget, precision=precision, utilization=utilization)
    seconds = total / local_flops
    return {"model": budget.model, "gpu_hours": budget.gpu_hours, "precision": precision, "utilization": utilization,
            "total_flops": total, "local_flops": local_flops, "seconds": seconds, "years": seconds / SECONDS_PER_YEAR,
            "gpu_to_local_ratio": budget.gpu.peak_flops[precision] * utilization / local_flops}


def count_flops(fn) -> int:
    """FLOPs torch itself counts while running fn() (torch.utils.flop_counter: matmuls and convolutions,
    forward and backward). Used to measure one training step of the course's own models."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return int(counter.get_total_flops())


def describe_duration(seconds: float) -> str:
    """'3.2 s', '4.1 min', '2.5 h', '6.0 days' or '12.3 years'."""
    check_number("seconds", seconds, low=0)
    for unit, size in (("years", SECONDS_PER_YEAR), ("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.1f} s"
