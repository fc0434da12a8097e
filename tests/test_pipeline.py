"""The papermill runner: order, skipping, parameters, HTML without code, failure handling, `latest`."""

import nbformat
import pytest

from portrait import pipeline
from portrait.errors import PipelineError


def notebook(path, body, parameters="study = 'x'\nwrite = True"):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## A step"),
        nbformat.v4.new_code_cell(body),
    ])
    nb.metadata["kernelspec"] = {"name": "portrait", "display_name": "Python (portrait)", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def minimal_study(folder):
    """A study that declares no source: only steps without needs run."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "study.yml").write_text("name: demo\nlanguages: [en]\nsources: {}\n", encoding="utf-8")


@pytest.fixture
def root(tmp_path):
    notebook(tmp_path / "notebooks" / "01_collect.ipynb", "SECRET_CODE_TEXT = 2\nprint('answer', 21 * (1 + (write is False)))")
    minimal_study(tmp_path / "data" / "raw" / "demo")
    return tmp_path


def test_runs_present_steps_skips_missing_and_exports_html_without_code(root):
    messages = []
    result = pipeline.run("data/raw/demo", root, parameters={"write": False}, run_id="r1", progress=False,
                          say=messages.append)
    assert result.executed == ["01_collect"]
    assert result.skipped == pipeline.STEPS[1:]
    assert any("02_survey_coding: the study has no survey — skipped" in m for m in messages)
    page = (root / "reports" / "demo" / "r1" / "01_collect.html").read_text()
    assert "answer 42" in page  # the parameter reached the notebook
    assert "SECRET_CODE_TEXT" not in page  # code cells are not exported
    assert (root / "reports" / "demo" / "latest").resolve() == root / "reports" / "demo" / "r1"
    index = (root / "reports" / "demo" / "r1" / "index.html").read_text()
    assert "<li>02_survey_coding (the study has no survey)</li>" in index  # each skipped step with its reason


def test_the_index_page_escapes_what_comes_from_the_study():
    page = pipeline._index_page("<img src=x onerror=alert(1)>", "r1", ["01_collect"], {"03_x": "<b>why</b>"})
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;b&gt;why" in page


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
    with pytest.raises(PipelineError, match=r"`writ` \(did you mean `write`\?\) are not parameters of the selected"):
        pipeline.run("data/raw/demo", root, parameters={"writ": False}, run_id="r", progress=False, say=lambda m: None)
    assert not (root / "reports" / "demo" / "r").exists()


def test_a_wrong_type_names_the_key_and_the_type(root):
    from portrait.errors import StudyConfigError

    with pytest.raises(StudyConfigError, match=r"`write`: expected bool, got 'perhaps'"):
        pipeline.run("data/raw/demo", root, parameters={"write": "perhaps"}, run_id="r", progress=False,
                     say=lambda m: None)


def test_a_parameter_the_step_model_lacks_in_a_notebook_cell_is_an_error(root):
    from portrait.errors import StudyConfigError

    notebook(root / "notebooks" / "01_collect.ipynb", "print(1)", parameters="study = 'x'\nfactor = 1")
    with pytest.raises(StudyConfigError, match=r"`factor`: 01_collect has no such parameter"):
        pipeline.run("data/raw/demo", root, run_id="r", progress=False, say=lambda m: None)


def test_step_selection_by_prefix():
    assert pipeline.select_steps(["02", "01"]) == ["01_collect", "02_survey_coding"]
    with pytest.raises(PipelineError, match="unknown step '09'"):
        pipeline.select_steps(["09"])


def test_a_failure_names_the_line_that_failed_not_the_first_of_the_cell(root):
    notebook(root / "notebooks" / "01_collect.ipynb", "import math\nvalue = 2\nmath.log(-value)\nprint('never')")
    with pytest.raises(PipelineError, match=r"failed in cell 3, line 3 \(`math.log\(-value\)`\): ValueError"):
        pipeline.run("data/raw/demo", root, run_id="bad", progress=False, say=lambda m: None)


def test_a_second_run_of_the_same_study_is_refused_while_one_is_under_way(root):
    import os

    lock = root / "reports" / "demo" / ".run.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text(f"{os.getppid()} 2026-12-01T06:00:00+00:00\n")  # a live process holds it
    with pytest.raises(PipelineError, match=r"another run of this study is under way \(process \d+, started "
                                            r"2026-12-01T06:00:00\+00:00\)"):
        pipeline.run("data/raw/demo", root, run_id="r", progress=False, say=lambda m: None)
    lock.write_text("999999999 2026-12-01T06:00:00+00:00\n")  # left by a run that is gone
    messages = []
    pipeline.run("data/raw/demo", root, run_id="r2", progress=False, say=messages.append)
    assert any("taking it over" in m for m in messages) and not lock.exists()


def test_latest_moves_only_to_a_complete_run(root):
    pipeline.run("data/raw/demo", root, run_id="full", progress=False, say=lambda m: None)
    notebook(root / "notebooks" / "04_segmentation.ipynb", "print('segments')", parameters="study = 'x'\nseed = 7")
    (root / "data" / "raw" / "demo" / "study.yml").write_text(
        "name: demo\nlanguages: [en]\nsources: {transactions: {path: tx.csv, columns: {customer: c, date: d, "
        "amount: a}}}\n")
    (root / "data" / "raw" / "demo" / "tx.csv").write_text("c,d,a\n")
    messages = []
    pipeline.run("data/raw/demo", root, ["04"], run_id="partial", progress=False, say=messages.append)
    assert (root / "reports" / "demo" / "latest").resolve().name == "full"  # 01 did not run in "partial"
    assert any("stays at the last complete run" in m for m in messages)
