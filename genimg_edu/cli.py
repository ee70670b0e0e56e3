"""The `genimg-edu` command: check the set-up, run the notebooks, make student copies.

    genimg-edu doctor [--json]                         what is installed, what works offline
    genimg-edu run [--fast] [--output build/run] [NOTEBOOK ...]   execute notebooks, save .ipynb + .html
    genimg-edu student [--source exercises] [--output build/student] [--force]   learners' exercise copies

Every error is one line saying what is wrong and what to do (exit code 2); `--debug` shows the traceback.
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


class CommandError(Exception):
    """A mistake in how the command was called or in its input: printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line (exit code 2) instead of usage + error."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of seconds >= 1, got {text!r}")
    return value


def _check_notebook_file(path: Path) -> None:
    """CommandError unless `path` is a readable notebook (catches empty and non-JSON files early)."""
    import nbformat

    if not path.is_file():
        raise CommandError(f"no such notebook: {path}")
    if path.stat().st_size == 0:
        raise CommandError(f"{path} is empty, not a notebook; restore it from a backup or version control, "
                           "or leave it out of the command")
    try:
        nbformat.read(path, as_version=4)
    except Exception as error:
        kind = "not JSON" if "JSON" in type(error).__name__ or isinstance(error, json.JSONDecodeError) \
            else "not a valid notebook"
        raise CommandError(f"{path} is {kind}, so it cannot be run ({_first_line(error)}); open it in "
                           "Jupyter to repair it or restore it from git") from None


def _first_line(error: BaseException, limit: int = 200) -> str:
    text = str(error).strip().splitlines()
    line = text[0] if text else type(error).__name__
    return line if len(line) <= limit else line[:limit] + " ..."


def cmd_run(args) -> int:
    from .runner import NotebookFailed, execute_notebook, write_html, write_notebook

    paths = [Path(p) for p in args.notebooks] or sorted(Path(args.notebooks_dir).glob("*.ipynb"))
    if not paths:
        raise CommandError(f"no notebooks to run (none given, none in {args.notebooks_dir}/); "
                           "name the notebooks to run")
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise CommandError(f"no such notebook: {', '.join(missing)}")
    for path in paths:
        _check_notebook_file(path)
    output, failed = Path(args.output), []
    if output.exists() and not output.is_dir():
        raise CommandError(f"--output {output} is a file, not a folder; choose a folder for the results")
    for path in paths:
        print(f"running {path} ({'fast' if args.fast else 'full'} mode) ...", flush=True)
        try:
            notebook = execute_notebook(path, fast=args.fast, timeout=args.timeout)
        except NotebookFailed as error:
            notebook = error.notebook
            failed.append(path)
            print(f"FAILED {error}", file=sys.stderr)
        try:
            write_notebook(notebook, output / path.name)
            write_html(notebook, output / f"{path.stem}.html")
        except OSError as error:
            raise CommandError(f"cannot write the results into {output} ({error.strerror or error}); "
                               "choose a folder you can write to with --output") from None
    print(f"{len(paths) - len(failed)}/{len(paths)} notebooks ran; executed copies and HTML in {output}/")
    if failed:
        print("failed: " + ", ".join(str(p) for p in failed), file=sys.stderr)
    return 1 if failed else 0


def cmd_student(args) -> int:
    from .exercises.student import write_student_notebooks

    try:
        result = write_student_notebooks(args.source, args.output, force=args.force)
    except ValueError as error:
        raise CommandError(str(error)) from error
    for path in result.written:
        print(f"wrote {path}")
    for path in result.kept:
        print(f"kept {path}: it was changed after it was written (a learner's work?); "
              "--force replaces it, or move it away and run again to get a fresh copy", file=sys.stderr)
    print(f"{len(result.written)} student notebook(s) written, {len(result.kept)} kept, in {args.output}/")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="genimg-edu", description="genimg-edu: a hands-on course on "
                     "how AI image generation works.")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    # the same flag after the command name (genimg-edu run --debug ...); SUPPRESS keeps the global value
    debug = _Parser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                     metavar="{doctor,run,student}")
    doctor = commands.add_parser("doctor", parents=[debug],
                                 help="check the set-up (offline; exit 1 if something is broken)")
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    doctor.set_defaults(handler=cmd_doctor)
    run = commands.add_parser("run", parents=[debug], help="execute notebooks; write executed .ipynb and .html")
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="default: every notebook in notebooks/")
    run.add_argument("--fast", action="store_true", help="GENIMG_FAST=1: tiny step counts, as in CI")
    run.add_argument("--output", default="build/run", help="folder for the results (default build/run)")
    run.add_argument("--timeout", type=_positive_seconds, default=1800,
                     help="seconds allowed per cell (default 1800)")
    run.add_argument("--notebooks-dir", default="notebooks", help=argparse.SUPPRESS)
    run.set_defaults(handler=cmd_run)
    student = commands.add_parser("student", parents=[debug],
                                  help="write learners' copies of the exercise notebooks")
    student.add_argument("--source", default="exercises", help="master notebooks (default exercises/)")
    student.add_argument("--output", default="build/student", help="where to write (default build/student)")
    student.add_argument("--force", action="store_true",
                         help="also replace copies changed since they were written (learners' answers are lost)")
    student.set_defaults(handler=cmd_student)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `genimg-edu` command; returns the exit code.
    Errors print one line saying what is wrong and what to do (exit code 2); --debug re-raises them
    with the traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("genimg-edu: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the command line shows no traceback unless --debug asks for it
        if args.debug:
            raise
        if isinstance(error, CommandError):
            print(f"genimg-edu {args.command}: error: {error}", file=sys.stderr)
        else:
            print(f"genimg-edu {args.command}: error: {type(error).__name__}: {_first_line(error)} "
                  "(run again with --debug for the details)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
