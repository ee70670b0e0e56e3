"""The course as an installable package, and the Colab install cell every notebook starts with.

Fast checks (make test): `python -m build` makes a wheel and an sdist from the tracked files alone;
`twine check` passes; the wheel holds every module and every shipped data file; installed on its
own (not the checkout) every module imports and the offline data loads; every notebook's second
cell is `genimg_edu.colab.INSTALL_CELL`.

Slow check (make test-install, marked `install`): a throw-away virtual environment that already has
other versions of torch, torchvision, ipywidgets and matplotlib (as Colab has its own) runs the
install cell; those packages must be left exactly as they were and the course must import.
"""
import json
import os
import shutil
import subprocess
import sys
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

from genimg_edu import colab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIRS = ("notebooks", "exercises")


def tracked(*paths) -> list[str]:
    out = subprocess.run(["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if (ROOT / line).exists()]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """Build sdist and wheel from a copy of the tracked files (so nothing untracked sneaks in and the
    checkout is not written to). --no-isolation: setuptools from this environment, no network."""
    source = tmp_path_factory.mktemp("source")
    for name in tracked():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out),
                    str(source)], check=True, capture_output=True, text=True)
    wheel, = out.glob("*.whl")
    sdist, = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "source": source}


def test_twine_check_passes(dist):
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dist["wheel"]),
                             str(dist["sdist"])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_holds_every_module_and_shipped_file(dist):
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    package_files = tracked("genimg_edu")
    assert package_files, "git ls-files found no package files"
    missing = [f for f in package_files if f not in names]
    assert not missing, f"tracked package files missing from the wheel: {missing}"
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "exercises/", "benchmarks/"))]
    assert not [n for n in names if n.endswith((".pyc", ".safetensors"))]
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(dist["wheel"]).read(metadata).decode()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        assert f"Requires-Dist: {requirement}" in text
    entry_points = zipfile.ZipFile(dist["wheel"]).read(metadata.replace("METADATA", "entry_points.txt")).decode()
    assert "genimg-edu = genimg_edu.cli:main" in entry_points


def test_the_sdist_rebuilds_the_same_package(dist, tmp_path):
    import tarfile
    with tarfile.open(dist["sdist"]) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    missing = [f for f in tracked("genimg_edu") + ["pyproject.toml", "README.md"] if f not in names]
    assert not missing, f"files missing from the sdist: {missing}"


@pytest.mark.slow
def test_the_installed_wheel_alone_imports_every_module_and_loads_the_offline_data(dist, tmp_path):
    """Installed into an empty target (its dependencies come from this environment), run outside the
    checkout: every genimg_edu module imports from the wheel's copy, and the offline data loads."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                    str(target), str(dist["wheel"])], check=True)
    script = """
import importlib, json, pkgutil, sys
import genimg_edu
from genimg_edu.data import load_dataset
modules = [m.name for m in pkgutil.walk_packages(genimg_edu.__path__, "genimg_edu.")]
for name in modules:
    importlib.import_module(name)
shapes = load_dataset("shapes", split="test", n=20, size=16)
print(json.dumps({"file": genimg_edu.__file__, "modules": len(modules),
                  "digits": len(load_dataset("digits", split="train")), "shapes": list(shapes.images.shape)}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(target), MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(report["file"]).is_relative_to(target), report["file"]
    python_files = [n for n in zipfile.ZipFile(dist["wheel"]).namelist() if n.endswith(".py")]
    assert report["modules"] == len(python_files) - 1  # every module and subpackage; the root is imported first
    assert report["digits"] > 1000 and report["shapes"] == [20, 3, 16, 16]


def test_install_cell_installs_every_requirement_except_what_colab_keeps():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needs = colab.install_cell_requirements(project["dependencies"] + ['jupyterlab>=4.0; extra == "lab"'])
    names = {n.split(">")[0].split("=")[0] for n in project["dependencies"]}
    assert set(colab.KEEP) <= names, "the cell keeps packages the course does not even need"
    assert {n.split(">")[0] for n in needs} == names - set(colab.KEEP)
    compile(colab.INSTALL_CELL, "install cell", "exec")  # plain Python: runs in any kernel
    assert colab.INSTALL_CELL.startswith("# NBVAL_SKIP\n")
    assert colab.REPOSITORY_URL in colab.INSTALL_CELL and f'"{colab.PACKAGE}"' in colab.INSTALL_CELL


def test_the_install_cell_does_nothing_outside_colab():
    namespace = {}
    exec(colab.INSTALL_CELL, namespace)  # google.colab is not imported here: no pip call may happen
    assert namespace["IN_COLAB"] is False and "pip_install" not in namespace


@pytest.mark.parametrize("path", sorted(p for d in NOTEBOOK_DIRS for p in tracked(d) if p.endswith(".ipynb")))
def test_every_notebook_starts_with_the_install_cell(path):
    cells = json.loads((ROOT / path).read_text())["cells"]
    assert cells[1]["cell_type"] == "code"
    assert "".join(cells[1]["source"]) == colab.INSTALL_CELL.rstrip("\n"), (
        f"{path}: the second cell must be genimg_edu.colab.INSTALL_CELL")


# --- the slow, online check: make test-install -------------------------------------------------------

OLD = {"torch": "2.13.0", "torchvision": "0.28.0", "ipywidgets": "7.7.1", "matplotlib": "3.8.4"}


def _pypi_reachable() -> bool:
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/")
    if index.startswith("file:"):
        return True
    try:
        urllib.request.urlopen(index.rstrip("/") + "/pip/", timeout=10)
        return True
    except OSError:
        return False


def _versions_and_stamps(python: Path, names) -> dict:
    script = """
import json, sys
from importlib import metadata
out = {}
for name in sys.argv[1:]:
    dist = metadata.distribution(name)
    record = dist.locate_file(next(f for f in dist.files if f.name == "RECORD"))
    out[name] = [dist.version, record.stat().st_mtime_ns, record.stat().st_ino]
print(json.dumps(out))
"""
    out = subprocess.run([str(python), "-c", script, *names], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def _run_cell(python: Path, cell: str, env: dict) -> subprocess.CompletedProcess:
    runner = ("import sys, types\n"
              "sys.modules['google.colab'] = types.ModuleType('google.colab')  # what Colab has imported\n"
              f"exec(compile({cell!r}, 'install cell', 'exec'), {{}})\n")
    return subprocess.run([str(python), "-c", runner], env=env, capture_output=True, text=True, timeout=1500)


@pytest.mark.install
def test_install_cell_keeps_colabs_packages_and_the_course_imports(dist, tmp_path):
    if not os.environ.get("GENIMG_TEST_INSTALL"):
        pytest.skip("builds virtual environments from PyPI (minutes): run `make test-install`")
    if not _pypi_reachable():
        pytest.skip("PyPI is not reachable: the install-cell test needs the package index")
    venv = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + [f"{name}=={version}" for name, version in OLD.items()], check=True)
    before = _versions_and_stamps(python, colab.KEEP)
    assert {name: before[name][0].split("+")[0] for name in OLD} == OLD

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # 1. "published": the built wheel stands in for the package on PyPI
    result = _run_cell(python, colab.INSTALL_CELL, dict(env, PIP_FIND_LINKS=f"{dist['wheel'].parent} {env.get('PIP_FIND_LINKS', '')}".strip()))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _versions_and_stamps(python, colab.KEEP) == before, "the install cell changed Colab's packages"

    check = """
import importlib, json, pkgutil
import genimg_edu, ipywidgets, matplotlib, torch
from genimg_edu.widgets import FunctionWidget
modules = [m.name for m in pkgutil.walk_packages(genimg_edu.__path__, "genimg_edu.")]
for name in modules:
    importlib.import_module(name)
slider = ipywidgets.IntSlider(value=2, min=1, max=5)
widget = FunctionWidget(lambda n: n * n, {"n": slider})
slider.value = 3
print(json.dumps({"file": genimg_edu.__file__, "torch": torch.__version__, "ipywidgets": ipywidgets.__version__,
                  "widget_result": widget.result}))
"""
    out = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=dict(env, MPLBACKEND="Agg"),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["torch"].startswith(OLD["torch"]) and report["ipywidgets"] == OLD["ipywidgets"]
    assert report["widget_result"] == 9, "a course widget did not recompute under Colab's ipywidgets"
    assert Path(report["file"]).is_relative_to(venv)

    # 2. not yet published: the package name is not found, the repository URL is the fallback (here a
    #    file URL to the same source tree standing in for the git repository)
    subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", colab.PACKAGE], check=True)
    fallback = colab.INSTALL_CELL.replace(f"git+{colab.REPOSITORY_URL}", dist["source"].as_uri())
    assert fallback != colab.INSTALL_CELL
    result = _run_cell(python, fallback, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert _versions_and_stamps(python, colab.KEEP) == before
    direct = subprocess.run([str(python), "-c", "from importlib import metadata; "
                             f"print(metadata.distribution('{colab.PACKAGE}').read_text('direct_url.json'))"],
                            cwd=tmp_path, capture_output=True, text=True, check=True)  # not the checkout's egg-info
    assert dist["source"].as_uri() in direct.stdout, direct.stdout
