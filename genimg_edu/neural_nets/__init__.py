"""Chapter 02: neural networks, from one neuron to an MLP written by hand to torch.nn. Notebook 02.

`single_thread` lives in `genimg_edu.device` (it is about where code runs); it is re-exported here because
chapter 02 is where it is first used.
"""
from ..device import single_thread
from .scratch import (ACTIVATIONS, ScratchMLP, cross_entropy, gradient_descent_step, neuron, relu,
                      sigmoid, softmax, train_scratch_mlp)
from .torch_mlp import (MLPRun, TorchMLP, accuracy, digits_as_vectors, first_layer_weights, mlp_loss,
                        train_mlp)
from .widgets import plot_run, training_playground

__all__ = ["ACTIVATIONS", "MLPRun", "ScratchMLP", "TorchMLP", "accuracy", "cross_entropy",
           "digits_as_vectors", "first_layer_weights", "gradient_descent_step", "mlp_loss", "neuron", "plot_run",
           "relu", "sigmoid", "single_thread", "softmax", "train_mlp", "train_scratch_mlp", "training_playground"]
