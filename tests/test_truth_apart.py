"""The pipeline never reads the generators' truth (data/truth/): the session's demo run runs with the truth moved
away, and no module outside the generators, nor any notebook, names it."""

import json
import re

import nbformat

from portrait.io import catalog

from conftest import ROOT, TRUTH, truth_during_the_demo_run

LIB = ROOT / "lib" / "portrait"
GENERATORS = {"demo", "coffee"}  # they write the planted truth beside data/raw; nothing else may touch it
TRUTH_WORD = re.compile(r"truth", re.I)


def test_the_pipeline_runs_without_the_truth(demo_run, demo_study):
    """The session's demo run (tests/conftest.py) ran every step with data/truth/ moved away and made none."""
    result, _ = demo_run
    assert truth_during_the_demo_run() == {"moved away": True, "made by the run": False}
    assert result.executed == ["01_collect", "02_survey_coding", "03_interview_coding", "04_segmentation",
                               "05_personas"]
    assert TRUTH.is_dir()  # put back after the run
    cards = json.loads(demo_study.path(catalog.PERSONAS).read_text(encoding="utf-8"))["personas"]
    assert len(cards) == demo_study.read(catalog.SEGMENTS)["segment"].nunique() >= 2


def test_no_module_outside_the_generators_and_no_notebook_names_the_truth():
    named = []
    for path in sorted(LIB.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.relative_to(LIB).parts[0] not in GENERATORS:
            named += [f"{path.relative_to(ROOT)}:{n}" for n, line in enumerate(
                path.read_text(encoding="utf-8", errors="replace").splitlines(), 1) if TRUTH_WORD.search(line)]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and TRUTH_WORD.search(cell.source):
                named.append(f"{path.relative_to(ROOT)} cell {index}")
    assert named == []
    # The guard sees the word where it is: the generators name it.
    assert any(TRUTH_WORD.search(p.read_text(encoding="utf-8")) for p in (LIB / "demo").glob("*.py"))
