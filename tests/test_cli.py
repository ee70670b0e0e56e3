"""The `genimg-edu` command: doctor tells the truth offline, run executes notebooks, student stubs."""
import json
import platform
import sys
from importlib import metadata

import nbformat
import pytest
import torch
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import genimg_edu.data as data
from genimg_edu.cli import main
from genimg_edu.device import cpu_has_fast_bf16, pick_device
from test_data_online import write_mnist  # tiny MNIST files in torchvision's format


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GENIMG_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def doctor_json(capsys, *extra):
    code = main(["doctor", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_entry_point_is_main():
    scripts = {e.name: e.value for e in metadata.entry_points(group="console_scripts")}
    assert scripts["genimg-edu"] == "genimg_edu.cli:main"


def test_doctor_reports_the_real_environment_offline(capsys, cache, no_network, monkeypatch):
    monkeypatch.setenv("GENIMG_FAST", "1")
    write_mnist(cache / "torchvision")  # only MNIST is "downloaded"
    code, report = doctor_json(capsys)
    assert code == 0 and report["ok"] and report["problems"] == []
    for name in ("digits", "shapes", "photos", "textures", "faces"):
        assert report["datasets"][name]["ok"], report["datasets"][name]
    assert report["datasets"]["digits"]["detail"] == "359 images (1, 8, 8)"
    assert report["datasets"]["shapes"]["detail"] == "4 images (3, 32, 32)"
    assert report["packages"]["torch"] == torch.__version__.split("+")[0]
    assert report["packages"]["diffusers"] == metadata.version("diffusers")
    assert report["device"] == str(pick_device()) and report["cpu_threads"] == torch.get_num_threads()
    assert report["fast_mode"] is True and report["cache_dir"] == str(cache)
    assert report["colab"] is False and report["fast_bf16"] is cpu_has_fast_bf16()
    assert report["python"] == platform.python_version()
    assert report["torchvision_datasets"]["mnist"]["present"] is True
    assert report["torchvision_datasets"]["cifar10"] == {"present": False, "detail": "not downloaded (optional)"}
    assert report["widgets"]["jupyterlab_widgets"] == metadata.version("jupyterlab_widgets")
    assert report["widgets"]["labextension"].endswith("jupyterlab-manager")
    assert not (cache / "torchvision" / "cifar-10-batches-py").exists(), "doctor must never download"


def test_doctor_reports_a_broken_loader_and_fails(capsys, cache, no_network, monkeypatch):
    def broken(**kwargs):
        raise OSError("lfw_subset.npy is missing")
    monkeypatch.setitem(data.LOADERS, "faces", broken)
    code, report = doctor_json(capsys)
    assert code == 1 and report["ok"] is False
    assert report["datasets"]["faces"] == {"ok": False, "detail": "OSError: lfw_subset.npy is missing"}
    assert report["datasets"]["digits"]["ok"] is True
    assert any("faces" in problem for problem in report["problems"])
    assert main(["doctor"]) == 1
    text = capsys.readouterr().out
    assert "[FAIL] faces" in text and "[ ok ] digits" in text and "some things need fixing" in text


def test_doctor_reports_a_missing_package(capsys, cache, no_network, monkeypatch):
    import genimg_edu.cli as cli
    monkeypatch.setitem(cli.REQUIRED, "not-a-real-package", "not_a_real_module_genimg")
    code, report = doctor_json(capsys)
    assert code == 1 and report["packages"]["not-a-real-package"] is None
    assert "package not-a-real-package is not installed" in report["problems"]


def write_notebook(path, *sources):
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Tiny")] + [new_code_cell(s) for s in sources]), path)
    return path


def test_run_writes_executed_notebook_and_html(tmp_path, capsys):
    notebook = write_notebook(
        tmp_path / "tiny.ipynb",
        "import os\nfast = os.environ.get('GENIMG_FAST')\nprint('fast =', fast)",
        "assert fast == '1'\nopen('made_here.txt', 'w').write('hi')\nprint(6 * 7)",
        f"import sys\nassert sys.executable == {sys.executable!r}, 'the kernel runs this very Python'",
    )
    out = tmp_path / "out"
    assert main(["run", "--fast", "--output", str(out), str(notebook)]) == 0
    executed = nbformat.read(out / "tiny.ipynb", as_version=4)
    texts = ["".join(o.get("text", "")) for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert texts == ["fast = 1\n", "42\n"]
    assert all(c.execution_count for c in executed.cells if c.cell_type == "code")
    html = (out / "tiny.html").read_text()
    assert "<html" in html and "fast = 1" in html and "42" in html
    assert (tmp_path / "made_here.txt").read_text() == "hi"  # the kernel ran in the notebook's folder
    assert "1/1 notebooks ran" in capsys.readouterr().out


def test_run_fails_with_the_failing_cell_shown(tmp_path, capsys):
    notebook = write_notebook(
        tmp_path / "broken.ipynb",
        "import os\nprint('fast =', os.environ.get('GENIMG_FAST'))",
        "ratio = 1 / 0",
        "print('never reached')",
    )
    out = tmp_path / "out"
    assert main(["run", "--output", str(out), str(notebook)]) == 1
    error = capsys.readouterr().err
    assert "broken.ipynb: cell 2 failed" in error and "ratio = 1 / 0" in error
    assert "ZeroDivisionError" in error and "failed: " in error
    partial = nbformat.read(out / "broken.ipynb", as_version=4)
    assert "".join(partial.cells[1].outputs[0]["text"]) == "fast = None\n"  # no --fast, no GENIMG_FAST
    assert partial.cells[3].outputs == [] and (out / "broken.html").is_file()


def test_run_refuses_missing_notebooks(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err
    assert main(["run", "--notebooks-dir", str(tmp_path)]) == 2


def test_student_writes_stubbed_copies(tmp_path, capsys):
    masters = tmp_path / "masters"
    masters.mkdir()
    write_notebook(masters / "01_pixels.ipynb",
                   "def invert(img):\n    ### BEGIN SOLUTION\n    return 1 - img\n    ### END SOLUTION")
    out = tmp_path / "student"
    assert main(["student", "--source", str(masters), "--output", str(out)]) == 0
    student = nbformat.read(out / "01_pixels.ipynb", as_version=4)
    code = student.cells[1].source
    assert "return 1 - img" not in code and "NotImplementedError" in code and "def invert(img):" in code
    assert "1 student notebook(s) written, 0 kept" in capsys.readouterr().out
    assert main(["student", "--source", str(tmp_path / "missing"), "--output", str(out)]) == 2
    assert "source must be a folder" in capsys.readouterr().err


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2 and "doctor" in capsys.readouterr().err


def test_execute_notebook_cwd_and_timeout(tmp_path):
    from genimg_edu.runner import NotebookFailed, execute_notebook

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    slow = write_notebook(tmp_path / "slow.ipynb", "open('here.txt', 'w').write('x')",
                          "import time\ntime.sleep(30)")
    with pytest.raises(NotebookFailed) as info:
        execute_notebook(slow, timeout=2, cwd=elsewhere)
    assert info.value.cell_index == 2 and "time.sleep(30)" in str(info.value)
    assert "slow.ipynb: cell 2 failed" in str(info.value) and "timed out" in str(info.value)
    assert (elsewhere / "here.txt").exists() and not (tmp_path / "here.txt").exists()
    with pytest.raises(ValueError, match="timeout"):
        execute_notebook(slow, timeout=0)
    with pytest.raises(FileNotFoundError):
        execute_notebook(tmp_path / "missing.ipynb")


def one_line_error(capsys, argv, *expected):
    """Run the command; it must fail with exit code 2 and one line on stderr holding `expected`."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


def test_student_keeps_an_edited_notebook_and_says_how_to_regenerate(tmp_path, capsys):
    masters, out = tmp_path / "masters", tmp_path / "student"
    masters.mkdir()
    write_notebook(masters / "01_pixels.ipynb", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    assert main(["student", "--source", str(masters), "--output", str(out)]) == 0
    edited = nbformat.read(out / "01_pixels.ipynb", as_version=4)
    edited.cells[1].source = "def f():\n    return 'my answer'"
    nbformat.write(edited, out / "01_pixels.ipynb")
    capsys.readouterr()
    assert main(["student", "--source", str(masters), "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"kept {out / '01_pixels.ipynb'}" in captured.err and "--force" in captured.err
    assert "0 student notebook(s) written, 1 kept" in captured.out
    assert "my answer" in (out / "01_pixels.ipynb").read_text()
    assert main(["student", "--force", "--source", str(masters), "--output", str(out)]) == 0
    assert "my answer" not in (out / "01_pixels.ipynb").read_text()


def test_student_output_errors_are_one_line(tmp_path, capsys, monkeypatch):
    masters = tmp_path / "masters"
    masters.mkdir()
    write_notebook(masters / "01.ipynb", "x = 1")
    a_file = tmp_path / "taken.txt"
    a_file.write_text("x")
    one_line_error(capsys, ["student", "--source", str(masters), "--output", str(a_file)],
                   "output must be a folder", "--output")
    one_line_error(capsys, ["student", "--source", str(masters), "--output", str(a_file / "missing")],
                   "cannot write", "--output")
    import genimg_edu.exercises.student as student

    def read_only(*args, **kwargs):  # a read-only folder (root ignores chmod, so simulate the OS's answer)
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(student.nbformat, "write", read_only)
    one_line_error(capsys, ["student", "--source", str(masters), "--output", str(tmp_path / "ro")],
                   "Permission denied", "choose a folder you can write to")
    for argv in (["--debug", "student"], ["student", "--debug"]):  # --debug: the traceback, down to the cause
        with pytest.raises(Exception, match="cannot write") as info:
            main([*argv, "--source", str(masters), "--output", str(tmp_path / "ro")])
        causes = [info.value]
        while causes[-1].__cause__ is not None:
            causes.append(causes[-1].__cause__)
        assert isinstance(causes[-1], PermissionError)


def test_run_bad_notebooks_and_timeout_are_one_line_errors(tmp_path, capsys):
    empty = tmp_path / "empty.ipynb"
    empty.write_text("")
    one_line_error(capsys, ["run", "--output", str(tmp_path / "o"), str(empty)], "empty.ipynb is empty")
    text = tmp_path / "text.ipynb"
    text.write_text("print('hello')")
    one_line_error(capsys, ["run", "--output", str(tmp_path / "o"), str(text)], "text.ipynb is not JSON")
    not_nb = tmp_path / "list.ipynb"
    not_nb.write_text("[1, 2]")
    one_line_error(capsys, ["run", "--output", str(tmp_path / "o"), str(not_nb)], "list.ipynb is not")
    good = write_notebook(tmp_path / "good.ipynb", "x = 1")
    for bad in ("0", "-3", "soon"):
        with pytest.raises(SystemExit) as info:
            main(["run", "--timeout", bad, str(good)])
        err = capsys.readouterr().err
        assert info.value.code == 2 and len(err.strip().splitlines()) == 1, err
        assert "--timeout" in err and ">= 1" in err and "Traceback" not in err
    taken = tmp_path / "taken"
    taken.write_text("x")
    one_line_error(capsys, ["run", "--output", str(taken), str(good)], "is a file, not a folder")
    assert not (tmp_path / "o").exists()  # nothing ran, nothing was written
    with pytest.raises(Exception, match="is empty"):
        main(["--debug", "run", str(empty)])


def test_an_unexpected_error_is_one_line_without_debug(capsys, monkeypatch):
    import genimg_edu.cli as cli

    def broken():
        raise RuntimeError("first line of the problem\nsecond line")
    monkeypatch.setattr(cli, "diagnose", broken)
    one_line_error(capsys, ["doctor"], "RuntimeError: first line of the problem", "--debug")
    with pytest.raises(RuntimeError):
        main(["doctor", "--debug"])
