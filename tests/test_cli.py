"""The `portrait` command line: demo (idempotent), new-study, run (exit codes, parameters)."""

import nbformat
import pytest

from portrait import cli
from portrait.errors import PortraitError


def test_parameters_are_typed_from_yaml():
    assert cli._parse_parameter("seed=7") == ("seed", 7)
    assert cli._parse_parameter("weighting=false") == ("weighting", False)
    assert cli._parse_parameter("k_range=[3,8]") == ("k_range", [3, 8])
    assert cli._parse_parameter("label=Kyiv = capital") == ("label", "Kyiv = capital")
    with pytest.raises(PortraitError, match="not key=value"):
        cli._parse_parameter("seed")


def test_demo_is_built_once_then_skipped(tmp_path):
    target = tmp_path / "data" / "raw" / "demo"
    messages = []
    cli.ensure_demo(target, seed=5, say=messages.append)
    first = (target / "survey" / "survey_export.csv").stat().st_mtime_ns
    cli.ensure_demo(target, seed=5, say=messages.append)
    assert (target / "survey" / "survey_export.csv").stat().st_mtime_ns == first
    assert messages[0].startswith("building") and "already built" in messages[1]


def test_new_study_command(tmp_path, capsys):
    assert cli.main(["new-study", "acme", "--raw", str(tmp_path)]) == 0
    assert (tmp_path / "acme" / "study.yml").exists()
    assert cli.main(["new-study", "acme", "--raw", str(tmp_path)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_run_exits_non_zero_and_names_the_failing_cell(tmp_path, monkeypatch, capsys):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("study = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("1 / 0"),
    ])
    nb.metadata["kernelspec"] = {"name": "portrait", "display_name": "Python (portrait)", "language": "python"}
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "01_collect.ipynb")
    (tmp_path / "data" / "raw" / "mine").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "mine" / "study.yml").write_text("name: mine\nlanguages: [en]\nsources: {}\n")
    monkeypatch.chdir(tmp_path)
    code = cli.main(["run", "--study", "data/raw/mine", "--steps", "01", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "01_collect.ipynb failed in cell 2, line 1 (`1 / 0`)" in err and "ZeroDivisionError" in err
    assert not (tmp_path / "reports" / "mine" / "latest").exists()


def test_notebook_without_kernel_is_a_clear_error(tmp_path, monkeypatch, capsys):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("study = 'x'", metadata={"tags": ["parameters"]})])
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "01_collect.ipynb")
    (tmp_path / "data" / "raw" / "mine").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "mine" / "study.yml").write_text("name: mine\nlanguages: [en]\nsources: {}\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", "--study", "data/raw/mine", "--steps", "01", "--no-progress"]) == 1
    assert "Python (portrait)" in capsys.readouterr().err


def test_ctrl_c_ends_with_a_short_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    from portrait import pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run", interrupted)
    (tmp_path / "data" / "raw" / "mine").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "mine" / "study.yml").write_text("name: mine\nlanguages: [en]\nsources: {}\n")
    monkeypatch.chdir(tmp_path)
    code = cli.main(["run", "--study", "data/raw/mine", "--steps", "01", "--no-progress"])
    assert code == 130 and capsys.readouterr().err.strip() == "portrait: interrupted"
