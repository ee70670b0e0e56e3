"""Checks for the chapter 02 exercises (exercises/02_neural_networks.ipynb): Neural networks.

    q1 relu(z)                         q4 gradient_step(params, grads, lr)
    q2 softmax(logits)                 q5 count_parameters(sizes)
    q3 cross_entropy(probs, labels)

Each check calls the learner's answer on small inputs and compares it with torch's own functions
or with `genimg_edu.neural_nets`, explaining the most common mistakes.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .problem import Problem


def _tensor_like(answer, expected, what: str):
    assert isinstance(answer, torch.Tensor), f"{what} should return a torch.Tensor, got {type(answer).__name__}"
    assert answer.shape == expected.shape, (
        f"{what} should have shape {tuple(expected.shape)}, got {tuple(answer.shape)}")


def check_relu(relu):
    z = torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0])
    answer = relu(z)
    _tensor_like(answer, z, "relu(z) for z of shape (5,)")
    assert torch.allclose(answer, torch.relu(z)), (
        f"relu keeps positive values and turns negative ones into 0: relu({z.tolist()}) should be "
        f"{torch.relu(z).tolist()}, got {answer.tolist()}")
    grid = torch.randn(4, 6, generator=torch.Generator().manual_seed(2))
    original = grid.clone()
    answer = relu(grid)
    assert torch.equal(grid, original), "relu changed its input; return a new tensor instead (no in-place edits)"
    _tensor_like(answer, grid, "relu(z) for z of shape (4, 6)")
    assert torch.allclose(answer, torch.relu(grid)), "relu must work element by element on a tensor of any shape"


def check_softmax(softmax):
    logits = torch.randn(5, 10, generator=torch.Generator().manual_seed(3))
    answer = softmax(logits)
    _tensor_like(answer, logits, "softmax(logits) for logits of shape (5, 10)")
    sums = answer.sum(dim=1)
    if torch.allclose(answer.sum(), torch.tensor(1.0)) and not torch.allclose(sums, torch.ones(5)):
        raise AssertionError("the whole batch sums to 1, but each ROW should: divide by the sum over the "
                             "last axis (dim=-1, keepdim=True)")
    assert torch.allclose(sums, torch.ones(5), atol=1e-5), (
        f"each row should add up to 1 (one probability per class), yours add up to {sums.tolist()}")
    assert torch.allclose(answer, torch.softmax(logits, dim=1), atol=1e-6), "softmax(z)_k = exp(z_k) / sum_j exp(z_j)"
    huge = torch.tensor([[1000.0, 999.0, 0.0]])
    answer = softmax(huge)
    assert torch.isfinite(answer).all(), (
        "softmax of [[1000, 999, 0]] gave nan or inf: exp(1000) overflows. Subtract each row's maximum "
        "first -- the result is mathematically the same")
    assert torch.allclose(answer, torch.softmax(huge, dim=1), atol=1e-6), "softmax of large logits is wrong"


def check_cross_entropy(cross_entropy):
    generator = torch.Generator().manual_seed(4)
    logits, labels = torch.randn(6, 10, generator=generator), torch.randint(0, 10, (6,), generator=generator)
    probs = torch.softmax(logits, dim=1)
    answer = cross_entropy(probs, labels)
    assert isinstance(answer, torch.Tensor) and answer.numel() == 1, (
        "cross_entropy should return a single number (a 0-d tensor): the MEAN over the batch")
    expected = F.cross_entropy(logits, labels)
    if torch.allclose(answer, expected * 6, atol=1e-4):
        raise AssertionError("you summed over the batch; take the mean instead")
    if torch.allclose(answer, -expected, atol=1e-4):
        raise AssertionError("the sign is flipped: the loss is MINUS the log-probability (so it is >= 0)")
    assert torch.allclose(answer, expected, atol=1e-5), (
        "pick the probability of the right class in each row, probs[torch.arange(B), labels], then "
        f"-log of it, then the mean; expected {expected.item():.4f}, got {answer.item():.4f}")
    sure = torch.tensor([[0.0, 1.0, 0.0]])
    assert abs(cross_entropy(sure, torch.tensor([1])).item()) < 1e-6, "a sure, right answer should cost 0"


def check_gradient_step(gradient_step):
    generator = torch.Generator().manual_seed(5)
    params = {"W": torch.randn(3, 2, generator=generator), "b": torch.randn(2, generator=generator)}
    grads = {"W": torch.randn(3, 2, generator=generator), "b": torch.randn(2, generator=generator)}
    before = {k: v.clone() for k, v in params.items()}
    answer = gradient_step(params, grads, 0.1)
    assert isinstance(answer, dict) and set(answer) == set(params), (
        f"gradient_step should return a dict with the keys {sorted(params)}")
    for name in params:
        assert torch.equal(params[name], before[name]), "params were changed in place; build a new dict"
        if torch.allclose(answer[name], before[name] + 0.1 * grads[name]):
            raise AssertionError("you stepped uphill: SUBTRACT lr * gradient to make the loss smaller")
        assert torch.allclose(answer[name], before[name] - 0.1 * grads[name], atol=1e-6), (
            f"{name} should become {name} - lr * grads[{name!r}]")


def check_count_parameters(count_parameters):
    for sizes in ([64, 32, 10], [64, 10], [3, 5, 7, 2], [784, 256, 128, 10]):
        layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        expected = sum(p.numel() for layer in layers for p in layer.parameters())
        answer = count_parameters(sizes)
        weights_only = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        if answer == weights_only and weights_only != expected:
            raise AssertionError(f"for {sizes} you counted only the weights ({weights_only}); every neuron "
                                 "of a layer also has a bias")
        assert answer == expected, f"count_parameters({sizes}) should be {expected}, got {answer}"


q1 = Problem("relu", title="1. ReLU", check=check_relu,
             prompt="Write relu(z): max(z, 0) element by element, for a tensor of any shape.",
             hint=["Negative values become 0; positive values stay as they are.",
                   "torch.where(z > 0, z, torch.zeros_like(z)), or z.clamp(min=0)."],
             notebook="02_neural_networks")
q2 = Problem("softmax", title="2. Softmax", check=check_softmax,
             prompt="Write softmax(logits): (B, K) scores -> (B, K) probabilities; each row sums to 1. "
                    "It must not overflow for logits like 1000.",
             hint=["exp of each logit, divided by the sum of the exps in its row (dim=-1, keepdim=True).",
                   "Subtract logits.max(dim=-1, keepdim=True).values first: exp then never sees a big number."],
             notebook="02_neural_networks")
q3 = Problem("cross_entropy", title="3. Cross-entropy", check=check_cross_entropy,
             prompt="Write cross_entropy(probs, labels): the mean over the batch of -log(probability of the "
                    "right class). probs: (B, K), labels: (B,) long.",
             hint=["probs[torch.arange(len(labels)), labels] picks one probability per row: the right class's.",
                   "Then -torch.log(...) and .mean()."],
             notebook="02_neural_networks")
q4 = Problem("gradient_step", title="4. One gradient descent step", check=check_gradient_step,
             prompt="Write gradient_step(params, grads, lr): a NEW dict with params[name] - lr * grads[name] "
                    "for every name.",
             hint=["Downhill means against the gradient: minus.",
                   "A dict comprehension: {name: params[name] - lr * grads[name] for name in params}"],
             notebook="02_neural_networks")
q5 = Problem("count_parameters", title="5. Count the parameters of an MLP", check=check_count_parameters,
             prompt="Write count_parameters(sizes): how many numbers an MLP with layer sizes like [64, 32, 10] "
                    "learns (weights and biases of every layer).",
             hint=["A layer from a inputs to b neurons has an (a, b) weight matrix and b biases.",
                   "Pair each size with the next one: zip(sizes[:-1], sizes[1:]), and add a * b + b."],
             notebook="02_neural_networks")

__all__ = ["q1", "q2", "q3", "q4", "q5"]
