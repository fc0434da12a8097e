"""The processed-data stamp: the pipeline runs again when the demo, the package, the notebooks' code or the
version changed, or when the outputs were rewritten since; not when only stored notebook outputs changed."""

import json

import pytest

import portrait
import processed_stamp
from conftest import DEMO, ROOT


def notebook(path, code, output="1"):
    path.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# step"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": [code],
         "outputs": [{"output_type": "stream", "name": "stdout", "text": [output]}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")


@pytest.fixture
def workbook(tmp_path):
    """A study, a package and a notebook in tmp_path, and a runner that counts its runs."""
    raw, package, notebooks, processed = (tmp_path / name for name in ("raw", "package", "notebooks", "processed"))
    for folder in (raw / "survey", package / "sub", notebooks):
        folder.mkdir(parents=True)
    (raw / "survey" / "export.csv").write_text("id,answer\n1,yes\n")
    (package / "sub" / "module.py").write_text("VALUE = 1\n")
    notebook(notebooks / "01_step.ipynb", "print(VALUE)")
    runs = []

    def run():
        runs.append(1)
        processed.mkdir(exist_ok=True)
        (processed / "personas.json").write_text(json.dumps({"run": len(runs)}))

    def ensure():
        return processed_stamp.ensure_fresh(processed, raw, package, notebooks, run)

    return {"raw": raw, "package": package, "notebooks": notebooks, "processed": processed, "runs": runs,
            "ensure": ensure}


def test_a_fresh_checkout_runs_once_and_a_second_session_does_not(workbook):
    assert workbook["ensure"]() is True and workbook["ensure"]() is False
    assert len(workbook["runs"]) == 1 and (workbook["processed"] / processed_stamp.STAMP).is_file()


@pytest.mark.parametrize("change", ["raw file", "new raw file", "package file", "notebook code", "version",
                                    "outputs rewritten", "stamp removed"])
def test_any_change_to_what_made_the_outputs_runs_again(workbook, change, monkeypatch):
    workbook["ensure"]()
    if change == "raw file":
        (workbook["raw"] / "survey" / "export.csv").write_text("id,answer\n1,no\n")
    elif change == "new raw file":
        (workbook["raw"] / "survey" / "wave2.csv").write_text("id\n2\n")
    elif change == "package file":
        (workbook["package"] / "sub" / "module.py").write_text("VALUE = 2\n")
    elif change == "notebook code":
        notebook(workbook["notebooks"] / "01_step.ipynb", "print(VALUE + 1)")
    elif change == "version":
        monkeypatch.setattr(portrait, "__version__", portrait.__version__ + ".post1")
    elif change == "outputs rewritten":
        (workbook["processed"] / "personas.json").write_text(json.dumps({"run": "by hand, other parameters"}))
    else:
        (workbook["processed"] / processed_stamp.STAMP).unlink()
    assert workbook["ensure"]() is True and len(workbook["runs"]) == 2
    assert workbook["ensure"]() is False  # stamped again


def test_stored_notebook_outputs_and_caches_do_not_count(workbook):
    workbook["ensure"]()
    notebook(workbook["notebooks"] / "01_step.ipynb", "print(VALUE)", output="regenerated output")
    (workbook["package"] / "sub" / "__pycache__").mkdir()
    (workbook["package"] / "sub" / "__pycache__" / "module.cpython-311.pyc").write_bytes(b"\x00compiled")
    assert workbook["ensure"]() is False and len(workbook["runs"]) == 1


def test_a_failed_run_leaves_no_stamp(workbook, tmp_path):
    def failing():
        raise RuntimeError("step 02 failed")

    with pytest.raises(RuntimeError):
        processed_stamp.ensure_fresh(workbook["processed"], workbook["raw"], workbook["package"],
                                     workbook["notebooks"], failing)
    assert not (workbook["processed"] / processed_stamp.STAMP).exists()


def test_this_session_tests_outputs_stamped_with_the_current_demo_and_code(demo_study):
    # The outputs every other test reads carry the signature of the checkout as it is now.
    expected = processed_stamp.signature(DEMO, ROOT / "lib" / "portrait", ROOT / "notebooks")
    assert processed_stamp.is_fresh(demo_study.processed, expected)
