"""Running the course on Google Colab: the install cell every notebook starts with, and the GPU report.

Every notebook's second cell is exactly `INSTALL_CELL` (tests/test_packaging.py checks it, and
builds a throw-away environment to run it in). On Colab it installs the course and what the course
needs, while Colab's own torch, torchvision, ipywidgets, matplotlib and numpy (`KEEP`) stay exactly
as they are: reinstalling them breaks Colab's CUDA build of torch and its widget support. pip is
handed their installed versions as constraints, so no dependency can pull in another version
(pip then refuses loudly instead of replacing them quietly).

The course is installed by package name (`PACKAGE`, once published) with the repository
(`REPOSITORY_URL`) as the fallback; its other requirements are read from the installed package's own
metadata, so pyproject.toml stays the one list of dependencies.

    from genimg_edu.colab import describe_device
    print(describe_device())   # "CUDA GPU: Tesla T4, 15.0 GB, mixed precision: fp16 autocast + GradScaler"
"""
from __future__ import annotations

import re

import torch

PACKAGE = "genimg-edu"
REPOSITORY_URL = "https://github.com/genimg-edu/genimg-edu"
KEEP = ("torch", "torchvision", "ipywidgets", "matplotlib", "numpy")

INSTALL_CELL = f'''\
# NBVAL_SKIP
# On Colab only: install the course library and what it needs. Colab's own torch, torchvision,
# ipywidgets, matplotlib and numpy stay exactly as they are (reinstalling them breaks the GPU build and
# the widgets): pip is given their installed versions as constraints.
import sys
IN_COLAB = "google.colab" in sys.modules
if IN_COLAB:
    import re, subprocess, tempfile
    from importlib import metadata

    def pip_install(*args):
        return subprocess.run([sys.executable, "-m", "pip", "install", "-q", *args]).returncode == 0

    KEEP = {KEEP!r}
    kept = []
    for name in KEEP:
        try:
            kept.append(f"{{name}}=={{metadata.version(name)}}")
        except metadata.PackageNotFoundError:
            pass
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\\n".join(kept) + "\\n")
    # The course itself, without dependencies: the published package, else the repository
    # (until it is published pip first reports that it cannot find {PACKAGE}; that is expected).
    if not pip_install("--no-deps", "{PACKAGE}"):
        assert pip_install("--no-deps", "{PACKAGE} @ git+{REPOSITORY_URL}"), "could not install {PACKAGE}"
    needs = [r for r in metadata.requires("{PACKAGE}")
             if "extra ==" not in r and re.split(r"[<>=!~;\\[ ]", r)[0] not in KEEP]
    assert pip_install("-c", constraints.name, *needs), "pip could not install the course's requirements"
'''


def install_cell_requirements(requires: list[str]) -> list[str]:
    """The requirements the install cell passes to pip, given the package's `Requires-Dist` lines:
    everything except optional extras and the packages Colab provides (`KEEP`). Mirrors the cell's
    own filter so a test can compare it with pyproject.toml."""
    return [r for r in requires if "extra ==" not in r and re.split(r"[<>=!~;\\[ ]", r)[0] not in KEEP]


def describe_device(device: torch.device | str | None = None) -> str:
    """One line saying where training runs: for CUDA the GPU's name, memory and AMP choice.

    device: None (pick_device()) or a device. Notebooks print it in their setup cell on a GPU.
    """
    from .device import amp_choice, device_capabilities, resolve_device
    device = resolve_device(device)
    caps = device_capabilities()
    dtype, scaler = amp_choice(device.type, caps)
    precision = {None: "float32", torch.bfloat16: "bf16 autocast",
                 torch.float16: "fp16 autocast + GradScaler"}[dtype]
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        return (f"CUDA GPU: {props.name}, {props.total_memory / 2**30:.1f} GB, "
                f"mixed precision: {precision}")
    if device.type == "mps":
        return f"Apple GPU (MPS), mixed precision: {precision}"
    native = "yes" if caps["cpu_bf16"] else "no"
    return f"CPU, {torch.get_num_threads()} threads, native bf16: {native}"
