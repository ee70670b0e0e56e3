"""The `genimg-edu` command: check the set-up, run the notebooks, make student copies.

    genimg-edu doctor [--json]                         what is installed, what works offline
    genimg-edu run [--fast] [--output build/run] [NOTEBOOK ...]   execute notebooks, save .ipynb + .html
    genimg-edu student [--source exercises] [--output build/student]   learners' exercise copies
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from importlib import metadata, util
from pathlib import Path

# distribution name -> module name; the course cannot run without these
REQUIRED = {"torch": "torch", "torchvision": "torchvision", "numpy": "numpy", "matplotlib": "matplotlib",
            "ipywidgets": "ipywidgets", "diffusers": "diffusers", "safetensors": "safetensors",
            "scikit-learn": "sklearn", "scikit-image": "skimage", "tqdm": "tqdm", "nbformat": "nbformat"}
OPTIONAL = {"nbval": "nbval", "nbclient": "nbclient", "nbconvert": "nbconvert", "jupyterlab": "jupyterlab",
            "jupyterlab_widgets": "jupyterlab_widgets"}
# the smallest real load of each offline data set
OFFLINE_PROBES = {"digits": {"split": "test"}, "shapes": {"n": 4}, "photos": {"size": 32},
                  "textures": {"size": 32}, "faces": {"split": "test"}}
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"


def _version(distribution: str, module: str) -> str | None:
    """Installed version, or None when the module cannot be found."""
    if util.find_spec(module) is None:
        return None
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def _probe(load) -> dict:
    """Run `load()`; report ok plus a one-line detail (shape or the error)."""
    try:
        ds = load()
        return {"ok": True, "detail": f"{len(ds)} images {tuple(ds.images.shape[1:])}"}
    except Exception as error:  # the doctor reports every failure instead of stopping at one
        return {"ok": False, "detail": f"{type(error).__name__}: {error}"}


def _widget_extension() -> str | None:
    """Folder of the ipywidgets JupyterLab extension, or None if JupyterLab would not find it."""
    try:
        from jupyter_core.paths import jupyter_path
    except ImportError:
        return None
    for folder in jupyter_path("labextensions"):
        candidate = Path(folder) / WIDGET_EXTENSION
        if (candidate / "package.json").is_file():
            return str(candidate)
    return None


def diagnose() -> dict:
    """Everything `genimg-edu doctor` reports, as a JSON-able dict. Never touches the network."""
    import torch

    from .data import load_dataset
    from .data.online import TORCHVISION_SETS, DatasetNotDownloadedError, default_root
    from .device import cache_dir, cpu_has_fast_bf16, fast_mode, is_colab, pick_device

    required = {name: _version(name, module) for name, module in REQUIRED.items()}
    optional = {name: _version(name, module) for name, module in OPTIONAL.items()}
    datasets = {name: _probe(lambda name=name, kw=kw: load_dataset(name, **kw))
                for name, kw in OFFLINE_PROBES.items()}
    online = {}
    for name in TORCHVISION_SETS:
        try:
            load_dataset(name, limit=1)  # download=False: reads local files or raises
            online[name] = {"present": True, "detail": f"in {default_root()}"}
        except DatasetNotDownloadedError:
            online[name] = {"present": False, "detail": "not downloaded (optional)"}
        except Exception as error:
            online[name] = {"present": False, "detail": f"{type(error).__name__}: {error}"}
    extension = _widget_extension()
    colab = is_colab()

    problems = [f"package {name} is not installed" for name, version in required.items() if version is None]
    problems += [f"data set {name} does not load: {r['detail']}" for name, r in datasets.items() if not r["ok"]]
    warnings = []
    if not colab and (optional["jupyterlab_widgets"] is None or extension is None):
        warnings.append("the ipywidgets JupyterLab extension is missing: sliders will not show in "
                        "JupyterLab (pip install jupyterlab_widgets)")
    return {
        "python": platform.python_version(),
        "packages": required, "optional_packages": optional,
        "device": str(pick_device()), "cpu_threads": torch.get_num_threads(),
        "fast_bf16": cpu_has_fast_bf16(), "fast_mode": fast_mode(), "cache_dir": str(cache_dir()),
        "colab": colab, "datasets": datasets, "torchvision_datasets": online,
        "widgets": {"jupyterlab_widgets": optional["jupyterlab_widgets"], "labextension": extension},
        "ok": not problems, "problems": problems, "warnings": warnings,
    }


def _print_report(report: dict) -> None:
    mark = {True: " ok ", False: "FAIL"}
    print(f"genimg-edu doctor — python {report['python']}")
    print("packages:")
    for name, version in report["packages"].items():
        print(f"  [{mark[version is not None]}] {name:<18} {version or 'MISSING'}")
    for name, version in report["optional_packages"].items():
        print(f"  [ -- ] {name:<18} {version or 'not installed (optional)'}")
    print(f"device: {report['device']}   CPU threads: {report['cpu_threads']}   "
          f"fast bf16: {'yes' if report['fast_bf16'] else 'no'}")
    print(f"fast mode (GENIMG_FAST): {'on' if report['fast_mode'] else 'off'}   colab: "
          f"{'yes' if report['colab'] else 'no'}")
    print(f"cache: {report['cache_dir']}")
    print("offline data sets:")
    for name, result in report["datasets"].items():
        print(f"  [{mark[result['ok']]}] {name:<18} {result['detail']}")
    print("torchvision data sets (optional, download=True to fetch):")
    for name, result in report["torchvision_datasets"].items():
        print(f"  [{' ok ' if result['present'] else ' -- '}] {name:<18} {result['detail']}")
    widgets = report["widgets"]
    print(f"JupyterLab widgets extension: {widgets['labextension'] or 'not found'}")
    for warning in report["warnings"]:
        print(f"warning: {warning}")
    for problem in report["problems"]:
        print(f"problem: {problem}")
    print("everything needed offline works" if report["ok"] else "some things need fixing (see above)")


def cmd_doctor(args) -> int:
    report = diagnose()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_report(report)
    return 0 if report["ok"] else 1


def cmd_run(args) -> int:
    from .runner import NotebookFailed, execute_notebook, write_html, write_notebook

    paths = [Path(p) for p in args.notebooks] or sorted(Path(args.notebooks_dir).glob("*.ipynb"))
    if not paths:
        print(f"no notebooks to run (none given, none in {args.notebooks_dir}/)", file=sys.stderr)
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    output, failed = Path(args.output), []
    for path in paths:
        print(f"running {path} ({'fast' if args.fast else 'full'} mode) ...", flush=True)
        try:
            notebook = execute_notebook(path, fast=args.fast, timeout=args.timeout)
        except NotebookFailed as error:
            notebook = error.notebook
            failed.append(path)
            print(f"FAILED {error}", file=sys.stderr)
        write_notebook(notebook, output / path.name)
        write_html(notebook, output / f"{path.stem}.html")
    print(f"{len(paths) - len(failed)}/{len(paths)} notebooks ran; executed copies and HTML in {output}/")
    if failed:
        print("failed: " + ", ".join(str(p) for p in failed), file=sys.stderr)
    return 1 if failed else 0


def cmd_student(args) -> int:
    from .exercises.student import write_student_notebooks

    try:
        written = write_student_notebooks(args.source, args.output)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} student notebook(s) in {args.output}/")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="genimg-edu", description="genimg-edu: a hands-on course on "
                                     "how AI image generation works.")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser("doctor", help="check the set-up (offline; exit 1 if something is broken)")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(handler=cmd_doctor)
    run = commands.add_parser("run", help="execute notebooks; write executed .ipynb and .html")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="default: every notebook in notebooks/")
    run.add_argument("--fast", action="store_true", help="GENIMG_FAST=1: tiny step counts, as in CI")
    run.add_argument("--output", default="build/run", help="folder for the results (default build/run)")
    run.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell (default 1800)")
    run.add_argument("--notebooks-dir", default="notebooks", help=argparse.SUPPRESS)
    run.set_defaults(handler=cmd_run)
    student = commands.add_parser("student", help="write learners' copies of the exercise notebooks")
    student.add_argument("--source", default="exercises", help="master notebooks (default exercises/)")
    student.add_argument("--output", default="build/student", help="where to write (default build/student)")
    student.set_defaults(handler=cmd_student)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `genimg-edu` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
