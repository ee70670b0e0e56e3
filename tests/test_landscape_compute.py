"""Chapter 11 compute: FLOP formulas agree with torch's own counter, measurements are real, and the
budget calculator does the arithmetic it states."""
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.landscape.compute import (A100, SD_V1_BUDGET, SECONDS_PER_YEAR, budget_on_machine, conv2d_flops,
                                          count_flops, describe_duration, matmul_flops, measure_conv,
                                          measure_matmul, training_flops)


def test_matmul_flops_is_two_m_k_n_and_matches_torch_counter():
    assert matmul_flops(2, 3, 4) == 48
    a, b = torch.randn(5, 7), torch.randn(7, 3)
    assert count_flops(lambda: a @ b) == matmul_flops(5, 7, 3)


@pytest.mark.parametrize("groups, stride, padding", [(1, 1, 1), (2, 1, 0), (1, 2, 1)])
def test_conv2d_flops_matches_torch_counter(groups, stride, padding):
    x, w = torch.randn(2, 4, 9, 9), torch.randn(6, 4 // groups, 3, 3)
    out = F.conv2d(x, w, stride=stride, padding=padding, groups=groups)
    counted = count_flops(lambda: F.conv2d(x, w, stride=stride, padding=padding, groups=groups))
    assert conv2d_flops(batch=2, in_channels=4, out_channels=6, out_size=tuple(out.shape[2:]), kernel=(3, 3),
                        groups=groups) == counted


def test_flop_formulas_reject_bad_input():
    with pytest.raises(ValueError, match="m must be a positive int"):
        matmul_flops(0, 3, 4)
    with pytest.raises(ValueError, match="groups"):
        conv2d_flops(batch=1, in_channels=3, out_channels=4, out_size=(4, 4), kernel=(3, 3), groups=2)
    with pytest.raises(ValueError, match="out_size"):
        conv2d_flops(batch=1, in_channels=3, out_channels=4, out_size=(4,), kernel=(3, 3))


def test_measurements_time_real_work():
    m = measure_matmul(n=64, repeats=3)
    assert m["flops"] == 2 * 64**3 and m["seconds"] > 0 and m["device"] == "cpu" and m["dtype"] == "float32"
    assert m["flops_per_second"] == pytest.approx(m["flops"] / m["seconds"])
    assert m["best_flops_per_second"] >= m["flops_per_second"]
    assert m["flops_per_cpu_second"] > 0 and m["threads"] == torch.get_num_threads()
    c = measure_conv(batch=2, channels=8, size=8, kernel=3, repeats=3)
    assert c["flops"] == conv2d_flops(batch=2, in_channels=8, out_channels=8, out_size=(8, 8), kernel=(3, 3))
    # a bigger matmul takes longer: the timer measures the work, not overhead alone
    assert measure_matmul(n=384, repeats=3)["seconds"] > m["seconds"]


def test_measurements_reject_bad_arguments():
    with pytest.raises(ValueError, match="n and repeats"):
        measure_matmul(n=0)
    with pytest.raises(ValueError, match="kernel must be odd"):
        measure_conv(kernel=2)
    with pytest.raises(ValueError, match="device must be"):
        measure_matmul(n=8, device="meta")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="cuda"):
            measure_matmul(n=8, device="cuda")


def test_budget_arithmetic_and_published_numbers():
    assert SD_V1_BUDGET.gpu_hours == 150_000 and "model card" in SD_V1_BUDGET.source
    assert A100.peak_flops["fp32"] == 19.5e12 and A100.peak_flops["fp16"] == 312e12
    total = training_flops(SD_V1_BUDGET, precision="fp16", utilization=0.5)
    assert total == pytest.approx(150_000 * 3600 * 312e12 * 0.5)
    out = budget_on_machine(SD_V1_BUDGET, local_flops=1e11, utilization=0.5)
    assert out["seconds"] == pytest.approx(total / 1e11)
    assert out["years"] == pytest.approx(out["seconds"] / SECONDS_PER_YEAR)
    assert out["gpu_to_local_ratio"] == pytest.approx(312e12 * 0.5 / 1e11)
    # twice as fast a machine, half the time
    assert budget_on_machine(SD_V1_BUDGET, local_flops=2e11, utilization=0.5)["seconds"] == pytest.approx(out["seconds"] / 2)


def test_budget_rejects_bad_assumptions():
    with pytest.raises(ValueError, match="utilization"):
        training_flops(SD_V1_BUDGET, utilization=1.5)
    with pytest.raises(ValueError, match="precision"):
        training_flops(SD_V1_BUDGET, precision="fp8")
    with pytest.raises(ValueError, match="local_flops"):
        budget_on_machine(SD_V1_BUDGET, local_flops=0)


def test_describe_duration():
    assert describe_duration(5) == "5.0 s"
    assert describe_duration(90) == "1.5 min"
    assert describe_duration(2 * 86400) == "2.0 days"
    assert describe_duration(3 * SECONDS_PER_YEAR) == "3.0 years"
    with pytest.raises(ValueError):
        describe_duration(-1)
