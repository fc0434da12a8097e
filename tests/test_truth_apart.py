"""The pipeline never reads the generators' truth (data/truth/): it runs on a copy of the demo with the truth
moved away, and no module outside the generators, nor any notebook, names it."""

import json
import os
import re
import shutil

import nbformat
import pandas as pd
import pytest

from portrait import pipeline

from conftest import ROOT, TRUTH_MOVED

LIB = ROOT / "lib" / "portrait"
GENERATORS = {"demo", "coffee"}  # they write the planted truth beside data/raw; nothing else may touch it
TRUTH_WORD = re.compile(r"truth", re.I)


@pytest.fixture
def truth_moved_away(tmp_path):
    """data/truth/ renamed for the test (put back afterwards, and by the next session if this one is killed)."""
    truth = ROOT / "data" / "truth"
    moved = ROOT / "data" / f"{TRUTH_MOVED}{os.getpid()}"
    assert truth.is_dir(), "the demo's truth should exist before it is moved away"
    truth.rename(moved)
    try:
        yield truth
    finally:
        if truth.exists():  # made during the run: kept for a look, and the test has failed already
            shutil.move(truth, tmp_path / "truth-made-by-the-run")
        moved.rename(truth)


def test_the_pipeline_runs_without_the_truth(tmp_path, truth_moved_away, demo_study):
    folder = tmp_path / "data" / "raw" / "demo"
    shutil.copytree(demo_study.folder, folder)
    assert not (tmp_path / "data" / "truth").exists() and not truth_moved_away.exists()
    quick = {"n_boot": 3, "k_max": 5}  # step 04's full search is tested elsewhere
    result = pipeline.run(str(folder), ROOT, None, quick, reports=tmp_path / "reports", progress=False,
                          say=lambda message: None)
    assert result.executed == ["01_collect", "02_survey_coding", "03_interview_coding", "04_segmentation",
                               "05_personas"]
    assert not truth_moved_away.exists() and not (tmp_path / "data" / "truth").exists()
    processed = tmp_path / "data" / "processed" / "demo"
    # Steps before segmentation do not depend on step 04's parameters: their tables equal the live run's.
    for table in ("respondents", "survey_coded", "codings", "rfm_customers"):
        pd.testing.assert_frame_equal(pd.read_parquet(processed / f"{table}.parquet"),
                                      demo_study.read(table), obj=table)
    cards = json.loads((processed / "personas.json").read_text(encoding="utf-8"))["personas"]
    segments = pd.read_parquet(processed / "segments.parquet")
    assert len(cards) == segments["segment"].nunique() >= 2


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
