"""`single_thread()`: train the course's tiny networks on one CPU thread."""
from __future__ import annotations

from contextlib import contextmanager

import torch


@contextmanager
def single_thread():
    """Run the block with one CPU thread, then restore the previous setting.

    The networks of chapters 02 and 04 are tiny: splitting each small matrix product across cores
    costs more in coordination than it saves (500 autoencoder steps on a busy 2-core CPU: 9 s wall
    with one thread, 51 s with two).
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
