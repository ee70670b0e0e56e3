"""Run notebooks top to bottom, the way CI and `genimg-edu run` do.

    nb = execute_notebook("notebooks/00_welcome.ipynb", fast=True)   # GENIMG_FAST=1 in the kernel
    write_html(nb, "build/run/00_welcome.html")

A failing cell raises `NotebookFailed`, which carries the partly executed notebook and says
which cell failed and why.
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .device import FAST_ENV

THIS_PYTHON = "genimg-edu-this-python"  # kernel name meaning "the interpreter running this code"


class NotebookFailed(RuntimeError):
    """A cell raised. `.notebook` holds the outputs so far; `.cell_index` the failing code cell."""

    def __init__(self, message: str, *, notebook: NotebookNode, cell_index: int | None):
        super().__init__(message)
        self.notebook = notebook
        self.cell_index = cell_index


def _kernel_manager(kernel_name: str | None):
    """A kernel manager for `kernel_name`, or (None) for the Python running this code."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class ThisPythonSpecs(KernelSpecManager):
        def get_kernel_spec(self, name):
            if name == THIS_PYTHON:
                import ipykernel.kernelspec
                return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                              **ipykernel.kernelspec.get_kernel_dict())
            return super().get_kernel_spec(name)

    options = {}
    if AsyncKernelManager.class_traits().get("transport_encryption") is not None:
        import zmq
        if zmq.has("curve"):  # newer jupyter_client: encrypt the local kernel connection
            options["transport_encryption"] = "auto"
    return AsyncKernelManager(kernel_name=kernel_name or THIS_PYTHON, kernel_spec_manager=ThisPythonSpecs(),
                              **options)


def execute_notebook(path, *, fast: bool = False, timeout: int = 600, cwd=None,
                     kernel_name: str | None = None) -> NotebookNode:
    """Execute every cell of the notebook at `path` in a fresh kernel; return the executed notebook.

    fast: set GENIMG_FAST=1 in the kernel (tiny step counts, as in CI). timeout: seconds allowed
    per cell. cwd: working directory of the kernel (default: the notebook's folder).
    kernel_name: a Jupyter kernel name, or None for this very Python (the course's environment).
    Raises NotebookFailed (with the failing cell's source and error) if any cell raises.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}")
    if not isinstance(timeout, int) or timeout < 1:
        raise ValueError(f"timeout must be a positive int (seconds per cell), got {timeout!r}")
    notebook = nbformat.read(path, as_version=4)
    cwd = Path(cwd) if cwd is not None else path.parent
    env = dict(os.environ)
    if fast:
        env[FAST_ENV] = "1"
    else:
        env.pop(FAST_ENV, None)
    started = []  # index of each cell as it starts, so we know which one failed
    client = NotebookClient(notebook, timeout=timeout, km=_kernel_manager(kernel_name),
                            resources={"metadata": {"path": str(cwd)}},
                            on_cell_start=lambda cell, cell_index: started.append(cell_index))
    try:
        client.execute(env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        index = started[-1] if started else None
        where = f"cell {index}" if index is not None else "kernel start-up"
        detail = str(error)
        if index is not None and notebook.cells[index].source not in detail:  # timeouts, dead kernel
            detail = f"{notebook.cells[index].source}\n------------------\n{type(error).__name__}: {error}"
        raise NotebookFailed(f"{path.name}: {where} failed\n{detail}", notebook=notebook,
                             cell_index=index) from None
    return notebook


def write_notebook(notebook: NotebookNode, path) -> Path:
    """Write an (executed) notebook as .ipynb; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def write_html(notebook: NotebookNode, path) -> Path:
    """Render a notebook, outputs included, to a standalone HTML page; returns the path."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(notebook)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path
