"""The papermill runner: order, skipping, parameters, HTML without code, failure handling, `latest`."""

import json

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
    # A monitor reads why the last run failed, and which good run `latest` still shows.
    status = json.loads((root / "reports" / "demo" / "status.json").read_text())
    assert status["ok"] is False and status["latest"] == "good" and status["last_success"]["run_id"] == "good"
    assert status["last_run"]["status"] == "failed" and "bad input in row 7" in status["last_run"]["error"]
    assert "bad input in row 7" in (root / "reports" / "demo" / "index.html").read_text()


def test_unknown_parameter_is_refused_before_running(root):
    with pytest.raises(PipelineError, match=r"`writ` \(did you mean `write`\?\) are not parameters of the selected"):
        pipeline.run("data/raw/demo", root, parameters={"writ": False}, run_id="r", progress=False, say=lambda m: None)
    assert not (root / "reports" / "demo" / "r" / "01_collect.ipynb").exists()  # no notebook ran
    assert json.loads((root / "reports" / "demo" / "r" / "run.json").read_text())["status"] == "failed"


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


def test_a_chained_library_error_names_the_cells_line_and_the_call(root):
    # pandas raises KeyError from inside its own KeyError: the cell's line, not pandas' line 3816, is named.
    notebook(root / "notebooks" / "01_collect.ipynb",
             "import pandas as pd\nframe = pd.DataFrame({'a': [1]})\nx = 1\nframe['Minutes']")
    with pytest.raises(PipelineError, match=r"failed in cell 3, line 4 \(`frame\['Minutes'\]`\) in the call to "
                                            r"pandas DataFrame.__getitem__: KeyError"):
        pipeline.run("data/raw/demo", root, run_id="chained", progress=False, say=lambda m: None)


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


# A run's outputs are staged and promoted together: data/processed/<study> always holds one complete run.

WRITES = """import uuid
from portrait.config.study import Study
s = Study.load(study)
s.processed.mkdir(parents=True, exist_ok=True)
(s.processed / "{name}").write_text(uuid.uuid4().hex)  # new bytes on every run
"""


def two_step_study(root):
    """Steps 01 and 04 (a study with transactions), each writing a file of its own through Study.load."""
    notebook(root / "notebooks" / "01_collect.ipynb", WRITES.format(name="from_01.txt"))
    notebook(root / "notebooks" / "04_segmentation.ipynb", WRITES.format(name="segments/from_04.txt").replace(
        "s.processed.mkdir(", "(s.processed / 'segments').mkdir("), parameters="study = 'x'\nseed = 7")
    folder = root / "data" / "raw" / "demo"
    (folder / "study.yml").write_text("name: demo\nlanguages: [en]\nsources: {transactions: {path: tx.csv, columns: "
                                      "{customer: c, date: d, amount: a}}}\n")
    (folder / "tx.csv").write_text("c,d,a\n")
    return root / "data" / "processed" / "demo", root / "data" / "processed" / ".staging"


def hashes(folder):
    import hashlib

    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_failed_run_leaves_every_file_of_the_last_complete_run_as_it_was(root):
    processed, staging = two_step_study(root)
    pipeline.run("data/raw/demo", root, run_id="good", progress=False, say=lambda m: None)
    before = hashes(processed)
    assert set(before) == {"from_01.txt", "segments/from_04.txt"}
    # Step 01 succeeds (and rewrites its file), step 04 writes then fails: nothing of it may reach the study.
    notebook(root / "notebooks" / "04_segmentation.ipynb",
             WRITES.format(name="half.txt") + "raise RuntimeError('step 04 broke')", parameters="study = 'x'\nseed = 7")
    with pytest.raises(PipelineError) as err:
        pipeline.run("data/raw/demo", root, run_id="bad", progress=False, say=lambda m: None)
    assert "RuntimeError: step 04 broke" in str(err.value)
    assert f"{processed} keeps the outputs of the last run that finished" in str(err.value)
    assert hashes(processed) == before
    assert list(staging.iterdir()) == []  # no staging folder, no lock left behind


def test_an_interrupted_run_leaves_the_outputs_and_no_staging_folder(root, monkeypatch):
    processed, staging = two_step_study(root)
    pipeline.run("data/raw/demo", root, run_id="good", progress=False, say=lambda m: None)
    before = hashes(processed)
    real = pipeline.export_html

    def interrupted(notebook_path, target):  # Ctrl-C after step 01 wrote its file into the staging folder
        real(notebook_path, target)
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "export_html", interrupted)
    messages = []
    with pytest.raises(KeyboardInterrupt):
        pipeline.run("data/raw/demo", root, run_id="stopped", progress=False, say=messages.append)
    assert hashes(processed) == before and list(staging.iterdir()) == []
    assert any("keeps the outputs of the last run that finished" in m for m in messages)
    assert "PORTRAIT_PROCESSED_DIR" not in __import__("os").environ


def test_a_run_of_later_steps_reads_and_keeps_what_earlier_steps_wrote(root):
    processed, staging = two_step_study(root)
    pipeline.run("data/raw/demo", root, run_id="full", progress=False, say=lambda m: None)
    before = hashes(processed)
    notebook(root / "notebooks" / "04_segmentation.ipynb",
             "from portrait.config.study import Study\ns = Study.load(study)\n"
             "assert '.staging' in str(s.processed), s.processed\n"
             "(s.processed / 'segments' / 'from_04.txt').write_text((s.processed / 'from_01.txt').read_text()[::-1])",
             parameters="study = 'x'\nseed = 7")
    result = pipeline.run("data/raw/demo", root, ["04", "05"], run_id="later", progress=False, say=lambda m: None)
    assert result.executed == ["04_segmentation"]
    after = hashes(processed)
    assert after["from_01.txt"] == before["from_01.txt"]  # step 01's output is still there, untouched
    assert (processed / "segments" / "from_04.txt").read_text() == (processed / "from_01.txt").read_text()[::-1]
    assert list(staging.iterdir()) == []


def test_what_a_killed_run_left_is_cleaned_by_the_next_run(root):
    processed, staging = two_step_study(root)
    pipeline.run("data/raw/demo", root, run_id="good", progress=False, say=lambda m: None)
    (staging / "demo" / "killed" / "segments").mkdir(parents=True)  # a run killed half-way through ...
    (staging / "demo" / "killed" / "from_01.txt").write_text("half")
    (staging / "demo.run.lock").write_text("999999999 2026-12-01T06:00:00+00:00\n")  # ... whose process is gone
    messages = []
    pipeline.run("data/raw/demo", root, run_id="next", progress=False, say=messages.append)
    assert any("taking it over" in m for m in messages)
    assert any("left" in m and "killed; removing it" in m for m in messages)
    assert list(staging.iterdir()) == [] and (processed / "from_01.txt").read_text() != "half"


def test_a_run_killed_between_the_two_renames_of_a_promotion_gets_the_previous_outputs_back(root):
    processed, staging = two_step_study(root)
    pipeline.run("data/raw/demo", root, run_id="good", progress=False, say=lambda m: None)
    before = hashes(processed)
    (staging / "demo").mkdir(parents=True)
    processed.rename(staging / "demo" / "r.previous")  # the live folder moved aside, the new one not yet in place
    (staging / "demo" / "r").mkdir()
    notebook(root / "notebooks" / "01_collect.ipynb", "raise ValueError('no')")
    messages = []
    with pytest.raises(PipelineError):
        pipeline.run("data/raw/demo", root, run_id="next", progress=False, say=messages.append)
    assert any("restored the outputs it had replaced" in m for m in messages)
    assert hashes(processed) == before and list(staging.iterdir()) == []


def test_study_load_uses_the_staging_folder_only_of_its_own_study(tmp_path, monkeypatch):
    from portrait.config.study import PROCESSED_ENV, Study

    for name in ("demo", "other"):
        minimal_study(tmp_path / "data" / "raw" / name)
    live = tmp_path / "data" / "processed" / "demo"
    staged = tmp_path / "data" / "processed" / ".staging" / "demo" / "r1"
    monkeypatch.delenv(PROCESSED_ENV, raising=False)
    assert Study.load(tmp_path / "data" / "raw" / "demo").processed == live  # opened by hand: the study's folder
    monkeypatch.setenv(PROCESSED_ENV, str(staged))
    assert Study.load(tmp_path / "data" / "raw" / "demo").processed == live  # not there (yet): ignored
    staged.mkdir(parents=True)
    assert Study.load(tmp_path / "data" / "raw" / "demo").processed == staged
    assert Study.load(tmp_path / "data" / "raw" / "other").processed == tmp_path / "data" / "processed" / "other"
    monkeypatch.setenv(PROCESSED_ENV, str(tmp_path / "elsewhere"))
    (tmp_path / "elsewhere").mkdir()
    assert Study.load(tmp_path / "data" / "raw" / "demo").processed == live


# Only the workbook's own messages on the console.

STRAY = ["[IPKernelApp]", "KeyboardInterrupt caught in kernel", "without encryption", "Passed unknown parameter"]


def test_the_console_shows_the_workbooks_messages_and_no_kernel_log_lines(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    # The line a kernel logs when a shutdown's interrupt lands in a message handler, logged here on purpose.
    notebook(tmp_path / "notebooks" / "01_collect.ipynb",
             "get_ipython().kernel.log.error('KeyboardInterrupt caught in kernel')\nprint('step one')")
    folder = tmp_path / "data" / "raw" / "mini"
    minimal_study(folder)
    portrait = Path(sys.executable).with_name("portrait")
    command = [str(portrait), "run", "--study", "data/raw/mini", "--reports", str(tmp_path / "reports"), "--no-progress"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "[1/5] 01_collect" in done.stdout and "report:" in done.stdout
    assert not [line for line in STRAY if line in done.stderr], done.stderr
    # A failure still says which notebook, cell and error, on stderr, and nothing stray beside it.
    notebook(tmp_path / "notebooks" / "01_collect.ipynb",
             "get_ipython().kernel.log.error('KeyboardInterrupt caught in kernel')\nraise ValueError('bad row 7')")
    failed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1
    assert "portrait: error: 01_collect.ipynb failed in cell 3, line 2" in failed.stderr
    assert "ValueError: bad row 7" in failed.stderr
    assert not [line for line in STRAY if line in failed.stderr], failed.stderr
