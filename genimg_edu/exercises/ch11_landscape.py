"""Checks for the chapter 11 exercises (exercises/11_landscape.ipynb): the landscape, measured.

    q1 matmul_flops(m, k, n)                          q4 fewest_images_not_copying(rows, threshold)
    q2 conv_flops(batch, c_in, c_out, size, kernel)   q5 blind_metric (a name)
    q3 laptop_years(gpu_hours, gpu_flops, laptop_flops, utilization)

Each check compares the learner's answer with `genimg_edu.landscape` and names the common mistakes.
`MEASURED_CURVE` is the learning curve the benchmark measured (docs/performance/landscape.md), so the
reading exercises do not depend on a training run.
"""
from __future__ import annotations

from ..landscape.compute import SECONDS_PER_YEAR, conv2d_flops, matmul_flops
from .problem import Problem

# benchmarks/landscape.py --only learning_curve (200 steps each, seed 0): n_images, judge accuracy,
# Fréchet minus floor, copying ratio. See docs/performance/landscape.md for the command and the load.
MEASURED_CURVE = [
    {"n_images": 10, "share": 0.007, "accuracy": 1.0, "frechet_excess": 186.0, "copying_ratio": 0.18},
    {"n_images": 70, "share": 0.049, "accuracy": 1.0, "frechet_excess": 28.5, "copying_ratio": 0.81},
    {"n_images": 290, "share": 0.202, "accuracy": 1.0, "frechet_excess": 10.5, "copying_ratio": 1.12},
    {"n_images": 1438, "share": 1.0, "accuracy": 1.0, "frechet_excess": 8.1, "copying_ratio": 1.15},
]


def check_matmul_flops(matmul_flops_fn):
    for m, k, n in ((2, 3, 4), (1, 1, 1), (64, 32, 16)):
        answer = matmul_flops_fn(m, k, n)
        expected = matmul_flops(m, k, n)
        if answer == m * k * n and expected != answer:
            raise AssertionError("that counts multiply-adds; each is 2 FLOPs (one multiply, one add): 2 m k n")
        if answer == 2 * m * n and m * n * k != m * n:
            raise AssertionError("every one of the m x n outputs needs k multiplies and k adds: multiply by k too")
        assert answer == expected, f"matmul_flops({m}, {k}, {n}) should be {expected}, got {answer}"


def check_conv_flops(conv_flops_fn):
    for batch, c_in, c_out, size, kernel in ((1, 1, 1, 4, 3), (2, 3, 8, 8, 3), (4, 16, 32, 16, 5)):
        answer = conv_flops_fn(batch, c_in, c_out, size, kernel)
        expected = conv2d_flops(batch=batch, in_channels=c_in, out_channels=c_out, out_size=(size, size),
                                kernel=(kernel, kernel))
        if answer == expected // 2:
            raise AssertionError("that counts multiply-adds; FLOPs are twice that (a multiply and an add each)")
        if c_in > 1 and answer == expected // c_in:
            raise AssertionError("each output value sums over ALL input channels: multiply by c_in")
        if answer == expected // kernel:
            raise AssertionError("the kernel is kernel x kernel: use kernel ** 2 weights per input channel")
        assert answer == expected, (f"conv_flops({batch}, {c_in}, {c_out}, {size}, {kernel}) should be {expected}, "
                                    f"got {answer}: 2 * batch * c_out * size * size * c_in * kernel ** 2")


def check_laptop_years(laptop_years_fn):
    cases = ((150_000, 312e12, 1e11, 0.4), (1_000, 19.5e12, 5e10, 1.0), (24, 156e12, 2e12, 0.5))
    for hours, gpu, laptop, u in cases:
        expected = hours * 3600 * gpu * u / laptop / SECONDS_PER_YEAR
        answer = float(laptop_years_fn(hours, gpu, laptop, u))
        if abs(answer - expected / 3600) < 1e-9 * max(expected, 1):
            raise AssertionError("GPU-hours are hours: multiply by 3600 to get seconds before using FLOP/s")
        if u != 1.0 and abs(answer - expected / u) < 1e-6 * expected / u:
            raise AssertionError("the GPU only sustains `utilization` of its peak: multiply by utilization")
        upside_down = hours * 3600 * laptop * u / gpu / SECONDS_PER_YEAR
        if gpu != laptop and abs(answer - upside_down) <= 1e-6 * upside_down:
            raise AssertionError("the ratio is upside down: a faster GPU means MORE laptop time (gpu / laptop)")
        assert abs(answer - expected) <= 0.005 * expected, (
            f"for {hours} GPU-hours at {gpu:.3g} FLOP/s peak, utilisation {u}, on a {laptop:.3g} FLOP/s laptop: "
            f"expected about {expected:.4g} years, got {answer:.4g}")


def check_fewest_images_not_copying(fn):
    assert fn(MEASURED_CURVE, 0.9) == 290, (
        "the smallest number of training images whose copying ratio is at least 0.9 in MEASURED_CURVE is 290; "
        "return that row's n_images (not its share or its index)")
    shuffled = [MEASURED_CURVE[i] for i in (3, 1, 0, 2)]
    answer = fn(shuffled, 0.5)
    assert answer == 70, (f"with the rows in another order and threshold 0.5 the answer is 70, got {answer}: "
                          "look at every row, not just the first that passes")
    assert fn(MEASURED_CURVE, 2.0) is None, "when no row reaches the threshold, return None"


def check_blind_metric(blind_metric):
    assert isinstance(blind_metric, str), f"answer with a string, one of 'accuracy', 'frechet_excess', 'copying_ratio'"
    name = blind_metric.strip().lower().replace(" ", "_")
    choices = {"accuracy", "judge_accuracy", "frechet_excess", "frechet", "copying_ratio", "copying"}
    assert name in choices, f"answer with one of 'accuracy', 'frechet_excess', 'copying_ratio'; got {blind_metric!r}"
    assert name in {"accuracy", "judge_accuracy"}, (
        "look at the column that is the same in every row of MEASURED_CURVE: with 10 training digits the model "
        "copies them, and copies of real digits are read correctly by the judge")


q1 = Problem("matmul_flops", title="1. FLOPs of a matrix product", check=check_matmul_flops,
             prompt="Write matmul_flops(m, k, n): the FLOPs of an (m, k) @ (k, n) product, counting a multiply "
                    "and an add as 2 FLOPs.",
             hint=["Each of the m x n outputs is a sum of k products.", "return 2 * m * k * n"],
             notebook="11_landscape")
q2 = Problem("conv_flops", title="2. FLOPs of a convolution", check=check_conv_flops,
             prompt="Write conv_flops(batch, c_in, c_out, size, kernel) for a 'same'-padded, stride-1 convolution "
                    "of (batch, c_in, size, size) with c_out kernels of kernel x kernel.",
             hint=["Output: batch x c_out x size x size values; each sums c_in x kernel x kernel products.",
                   "return 2 * batch * c_out * size * size * c_in * kernel ** 2"],
             notebook="11_landscape")
q3 = Problem("laptop_years", title="3. GPU-hours to laptop-years", check=check_laptop_years,
             prompt="Write laptop_years(gpu_hours, gpu_flops, laptop_flops, utilization): how many years a laptop "
                    "sustaining laptop_flops FLOP/s needs for the work of gpu_hours on a GPU whose peak is "
                    "gpu_flops FLOP/s, used at `utilization` of its peak.",
             hint=["Total FLOPs = gpu_hours * 3600 * gpu_flops * utilization; divide by laptop_flops for seconds.",
                   "A year is 365.25 * 24 * 3600 seconds."],
             notebook="11_landscape")
q4 = Problem("fewest_images_not_copying", title="4. Read a learning curve", check=check_fewest_images_not_copying,
             prompt="Write fewest_images_not_copying(rows, threshold): the smallest n_images among the rows whose "
                    "copying_ratio is at least threshold, or None if there is none.",
             hint=["Keep the rows that pass, then take the minimum of their n_images.",
                   "passing = [r['n_images'] for r in rows if r['copying_ratio'] >= threshold]; "
                   "return min(passing) if passing else None"],
             notebook="11_landscape")
q5 = Problem("blind_metric", title="5. Which metric is blind to data size?", check=check_blind_metric,
             prompt="Which column of MEASURED_CURVE cannot tell the model trained on 10 digits from the one trained "
                    "on 1438: 'accuracy', 'frechet_excess' or 'copying_ratio'? Set blind_metric to its name.",
             hint=["Which column has the same value in every row?",
                   "A model that copies its 10 training digits still draws real-looking digits of the asked class."],
             notebook="11_landscape")

__all__ = ["MEASURED_CURVE", "q1", "q2", "q3", "q4", "q5"]
