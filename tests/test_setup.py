"""`make` on a fresh machine: a missing python3-venv or a too old Python gets one line saying what to install."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).resolve().parents[1] / "Makefile"
pytestmark = pytest.mark.skipif(shutil.which("make") is None or sys.platform == "win32", reason="needs make")


def fake_python(folder: Path, script: str) -> Path:
    """An executable standing in for `python3`; `script` is its bash body ($1, $2... its arguments)."""
    path = folder / "fakepython"
    path.write_text("#!/bin/bash\n" + script)
    path.chmod(0o755)
    return path


def make_venv(folder: Path, python: Path) -> subprocess.CompletedProcess:
    (folder / "pyproject.toml").write_text("")
    (folder / "constraints.txt").write_text("")
    return subprocess.run(["make", "-s", "-f", str(MAKEFILE), f"PYTHON={python}", ".venv/.installed"],
                          cwd=folder, capture_output=True, text=True, timeout=60)


def test_missing_python3_venv_is_named_and_the_broken_venv_removed(tmp_path):
    # Debian/Ubuntu without python3-venv: venv makes a folder, then fails at ensurepip
    python = fake_python(tmp_path, """
case "$1 $2" in
  "-m venv") mkdir -p "$3/bin"; touch "$3/bin/python"; echo "ensurepip is not available" >&2; exit 1;;
  "-c import ensurepip") exit 1;;
  *print*) echo 3.11;;
  *sys.exit*) exit 0;;
esac""")
    result = make_venv(tmp_path, python)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.returncode != 0 and len(errors) == 1, result.stderr
    assert "sudo apt install python3-venv" in errors[0] and "python3.11-venv" in errors[0]
    assert not (tmp_path / ".venv").exists()  # no half-made venv for the next `make` to trip over


def test_too_old_or_missing_python_is_one_line(tmp_path):
    old = fake_python(tmp_path, 'case "$1" in -V) echo "Python 3.8.10";; *) exit 1;; esac')
    result = make_venv(tmp_path, old)
    assert result.returncode != 0 and "needs Python 3.10 or newer" in result.stderr
    assert "Python 3.8.10" in result.stderr and not (tmp_path / ".venv").exists()
    result = make_venv(tmp_path, tmp_path / "no_such_python")
    assert result.returncode != 0 and "not found; install Python 3.10 or newer" in result.stderr

