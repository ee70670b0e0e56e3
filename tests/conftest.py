"""Fixtures shared by the test modules."""
import socket

import pytest


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve a host or open a connection fails, as on an offline machine."""
    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def not_strict(monkeypatch):
    """Exercise checks report Incorrect / Not attempted instead of raising (as for a learner)."""
    from genimg_edu.exercises import STRICT_ENV
    monkeypatch.delenv(STRICT_ENV, raising=False)


@pytest.fixture
def shown_solution():
    """run(problem, **names) executes the code `problem.solution()` shows and returns the objects it
    defines, in the order of `problem.names`: what a learner copies must itself be Correct."""
    import torch
    import torch.nn.functional as F

    def run(problem, **names):
        scope = {"torch": torch, "F": F, **names}
        exec(problem.solution_code, scope)
        return [scope[name] for name in problem.names]
    return run


@pytest.fixture
def run_in_kernel(tmp_path, monkeypatch):
    """run(cells) executes code cells in a real Jupyter kernel on this very interpreter and returns
    the executed notebook (each cell's .outputs as Jupyter recorded them)."""
    import json
    import sys
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    spec = tmp_path / "kernels" / "genimg-this-python"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "this python", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))

    def run(cells):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        nbclient.NotebookClient(notebook, timeout=60, kernel_name="genimg-this-python").execute()
        return notebook
    return run
