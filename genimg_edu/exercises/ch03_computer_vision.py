"""Checks for the chapter 03 exercises (exercises/03_computer_vision.ipynb): Computer vision.

    q1 conv_out_size(size, kernel, stride, padding)   q4 most_salient_pixel(sal)
    q2 max_pool_2x2(x), without F.max_pool2d         q5 conv_params(in_channels, out_channels, kernel)
    q3 compute_accuracy(logits, labels)

Each check compares the learner's answer with PyTorch itself (a real conv layer, F.max_pool2d,
argmax) on several cases, and names the usual mistake when it sees one.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .problem import Problem


def check_conv_out_size(conv_out_size):
    cases = [(8, 3, 1, 1), (32, 5, 1, 0), (32, 3, 2, 1), (17, 4, 3, 2), (28, 7, 2, 0), (5, 1, 1, 0)]
    for size, kernel, stride, padding in cases:
        layer = torch.nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
        expected = layer(torch.zeros(1, 1, size, size)).shape[-1]
        answer = conv_out_size(size, kernel, stride, padding)
        if stride > 1 and answer == (size + 2 * padding - kernel) / stride + 1 and answer != expected:
            raise AssertionError("round DOWN: a kernel that would hang over the edge is not used; "
                                 "use // (integer division)")
        assert answer == expected, (
            f"conv_out_size({size}, kernel={kernel}, stride={stride}, padding={padding}) should be "
            f"{expected}, got {answer}. Add the padding on both sides, subtract the kernel, divide by "
            "the stride (rounding down), then add 1")


def check_max_pool_2x2(max_pool_2x2):
    generator = torch.Generator().manual_seed(3)
    for shape in ((4, 4), (6, 8), (2, 2)):
        x = torch.randn(shape, generator=generator)
        expected = F.max_pool2d(x[None, None], 2)[0, 0]
        answer = max_pool_2x2(x)
        assert isinstance(answer, torch.Tensor), f"return a tensor, got {type(answer).__name__}"
        assert answer.shape == expected.shape, (
            f"a {shape} input should give {tuple(expected.shape)} (half in each direction), "
            f"got {tuple(answer.shape)}")
        mean_pool = F.avg_pool2d(x[None, None], 2)[0, 0]
        if torch.allclose(answer, mean_pool, atol=1e-6):
            raise AssertionError("that is the average of each 2x2 block; max-pooling keeps the LARGEST")
        assert torch.allclose(answer, expected, atol=1e-6), (
            "out[r, c] should be the largest of x[2r, 2c], x[2r, 2c+1], x[2r+1, 2c], x[2r+1, 2c+1]")


def check_compute_accuracy(compute_accuracy):
    logits = torch.tensor([[2.0, 0.1, 0.3], [0.2, 0.1, 3.0], [0.5, 0.9, 0.1], [1.0, 0.0, -1.0]])
    labels = torch.tensor([0, 2, 0, 1])  # right, right, wrong, wrong
    answer = compute_accuracy(logits, labels)
    if isinstance(answer, torch.Tensor):
        assert answer.numel() == 1, f"return one number, got a tensor of shape {tuple(answer.shape)}"
        answer = answer.item()
    assert isinstance(answer, float), f"return a float (a fraction between 0 and 1), got {type(answer).__name__}"
    if answer == 2:
        raise AssertionError("that is the NUMBER right; divide by how many examples there are")
    assert abs(answer - 0.5) < 1e-6, (
        f"2 of these 4 predictions (the argmax of each row) match the labels, so 0.5; got {answer}")
    generator = torch.Generator().manual_seed(0)
    big = torch.randn(100, 10, generator=generator)
    target = torch.randint(0, 10, (100,), generator=generator)
    expected = (big.argmax(1) == target).float().mean().item()
    assert abs(float(compute_accuracy(big, target)) - expected) < 1e-6, "check a larger batch: 100 x 10 logits"


def check_most_salient_pixel(most_salient_pixel):
    sal = torch.zeros(5, 7)
    sal[3, 1] = 2.0
    sal[1, 4] = 1.0
    answer = most_salient_pixel(sal)
    assert isinstance(answer, tuple) and len(answer) == 2, f"return a (row, col) tuple, got {answer!r}"
    row, col = (int(v) for v in answer)
    if (row, col) == (1, 3):
        raise AssertionError("you swapped them: return (row, column); row = index // width")
    if (row, col) == (0, 22):
        raise AssertionError("22 is the flat index; turn it into (row, col) with // and % by the width")
    assert (row, col) == (3, 1), f"the largest value of this 5x7 map is at (3, 1), got {(row, col)}"
    generator = torch.Generator().manual_seed(1)
    for shape in ((8, 8), (32, 16)):
        sal = torch.rand(shape, generator=generator)
        flat = int(sal.argmax())
        expected = (flat // shape[1], flat % shape[1])
        assert tuple(int(v) for v in most_salient_pixel(sal)) == expected, f"wrong answer on a {shape} map"


def check_conv_params(conv_params):
    for c_in, c_out, k in ((1, 16, 3), (3, 8, 5), (16, 32, 3), (2, 1, 1)):
        expected = sum(p.numel() for p in torch.nn.Conv2d(c_in, c_out, k).parameters())
        answer = conv_params(c_in, c_out, k)
        if answer == c_in * c_out * k * k:
            raise AssertionError("the weights are right; each of the out_channels filters also has one bias")
        assert answer == expected, (
            f"Conv2d({c_in}, {c_out}, {k}) has {expected} parameters, got {answer}: "
            "out_channels filters, each in_channels x kernel x kernel weights plus one bias")


q1 = Problem("conv_out_size", title="1. How big is a conv layer's output?", check=check_conv_out_size,
             prompt="Write conv_out_size(size, kernel, stride, padding): the side of the output when a "
                    "kernel x kernel filter slides over a padded size x size image in steps of `stride`.",
             hint=["Padding adds `padding` pixels on BOTH sides: the padded side is size + 2 * padding.",
                   "The filter fits (padded - kernel) // stride + 1 times."],
             notebook="03_computer_vision")
q2 = Problem("max_pool_2x2", title="2. Max-pooling by hand", check=check_max_pool_2x2,
             prompt="Write max_pool_2x2(x): for an (H, W) tensor with even H and W, the (H/2, W/2) tensor "
                    "of the largest value in each 2x2 block. Don't use F.max_pool2d.",
             hint=["Loop over the output: out[r, c] = x[2*r:2*r + 2, 2*c:2*c + 2].max()",
                   "Loop-free: x.reshape(H // 2, 2, W // 2, 2) puts each block on axes 1 and 3; "
                   ".amax(dim=(1, 3))."],
             notebook="03_computer_vision")
q3 = Problem("compute_accuracy", title="3. Accuracy from logits", check=check_compute_accuracy,
             prompt="Write compute_accuracy(logits, labels): logits (N, K) scores, labels (N,) true "
                    "classes -> the fraction of rows whose highest score is the true class (a float).",
             hint=["logits.argmax(dim=1) is the predicted class of each row.",
                   "(predictions == labels) is True where right; .float().mean().item() is the fraction."],
             notebook="03_computer_vision")
q4 = Problem("most_salient_pixel", title="4. The most salient pixel", check=check_most_salient_pixel,
             prompt="Write most_salient_pixel(sal): for an (H, W) saliency map, the (row, col) of its "
                    "largest value, as a tuple of ints.",
             hint=["sal.argmax() gives the index in the FLATTENED map (row by row).",
                   "row = flat // W and col = flat % W, where W = sal.shape[1]."],
             notebook="03_computer_vision")
q5 = Problem("conv_params", title="5. Counting a conv layer's weights", check=check_conv_params,
             prompt="Write conv_params(in_channels, out_channels, kernel): how many learnable numbers "
                    "nn.Conv2d(in_channels, out_channels, kernel) has (with its biases).",
             hint=["Each output channel has one filter of shape (in_channels, kernel, kernel) ...",
                   "... and one bias."],
             notebook="03_computer_vision")

__all__ = ["q1", "q2", "q3", "q4", "q5"]
