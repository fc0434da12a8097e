"""The papermill runner: order, skipping, parameters, HTML without code, failure handling, `latest`."""

import nbformat
import pytest

from portrait import pipeline
from portrait.errors import PipelineError


def notebook(path, body, parameters="study = 'x'\nfactor = 1"):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## A step"),
        nbformat.v4.new_code_cell(body),
    ])
    nb.metadata["kernelspec"] = {"name": "portrait", "display_name": "Python (portrait)", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture
def root(tmp_path):
    notebook(tmp_path / "notebooks" / "01_collect.ipynb", "SECRET_CODE_TEXT = 2\nprint('answer', 21 * factor)")
    return tmp_path


def test_runs_present_steps_skips_missing_and_exports_html_without_code(root):
    messages = []
    result = pipeline.run("data/raw/demo", root, parameters={"factor": 2}, run_id="r1", progress=False,
                          say=messages.append)
    assert result.executed == ["01_collect"]
    assert result.skipped == pipeline.STEPS[1:]
    assert any("02_survey_coding: notebook not in this workbook yet" in m for m in messages)
    page = (root / "reports" / "demo" / "r1" / "01_collect.html").read_text()
    assert "answer 42" in page  # the parameter reached the notebook
    assert "SECRET_CODE_TEXT" not in page  # code cells are not exported
    assert (root / "reports" / "demo" / "latest").resolve() == root / "reports" / "demo" / "r1"
    assert (root / "reports" / "demo" / "r1" / "index.html").exists()


def test_failure_names_notebook_cell_and_error_and_keeps_latest(root):
    pipeline.run("data/raw/demo", root, run_id="good", progress=False, say=lambda m: None)
    notebook(root / "notebooks" / "01_collect.ipynb", "raise ValueError('bad input in row 7')")
    with pytest.raises(PipelineError) as err:
        pipeline.run("data/raw/demo", root, run_id="bad", progress=False, say=lambda m: None)
    message = str(err.value)
    assert "01_collect.ipynb failed in cell" in message and "ValueError: bad input in row 7" in message
    assert (root / "reports" / "demo" / "bad" / "01_collect.ipynb").exists()  # kept for debugging
    assert (root / "reports" / "demo" / "latest").resolve().name == "good"


def test_unknown_parameter_is_refused_before_running(root):
    with pytest.raises(PipelineError, match=r"\['facto'\] are not declared"):
        pipeline.run("data/raw/demo", root, parameters={"facto": 3}, run_id="r", progress=False, say=lambda m: None)
    assert not (root / "reports" / "demo" / "r").exists()


def test_step_selection_by_prefix():
    assert pipeline.select_steps(["02", "01"]) == ["01_collect", "02_survey_coding"]
    with pytest.raises(PipelineError, match="unknown step '09'"):
        pipeline.select_steps(["09"])
