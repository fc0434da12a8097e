"""Shared fixtures: the demo study is built once (deterministically) and run through every step before any test
or notebook runs whenever its processed outputs are missing or stale (tests/processed_stamp.py); that run is the
one the end-to-end tests check."""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from portrait import Study, pipeline
from portrait.collect import collect, privacy
from portrait.cli import ensure_demo
from portrait.history import runs

import processed_stamp

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
TRUTH = ROOT / "data" / "truth" / "demo"
TRUTH_MOVED = "truth-moved-by-test-"  # _run_demo moves data/truth/ here while the session's demo run runs
_RUN = {}


def _run_demo():
    """The whole pipeline on the demo (steps 01-05), reports in a temporary folder; once per session. The
    generator's truth (data/truth/) is moved away while it runs: the pipeline must never need it
    (tests/test_truth_apart.py checks what `truth_during_the_demo_run` saw)."""
    if not _RUN:
        reports = Path(tempfile.mkdtemp(prefix="portrait-reports-"))
        truth, moved = TRUTH.parent, ROOT / "data" / f"{TRUTH_MOVED}{os.getpid()}"
        if not truth.is_dir():
            raise RuntimeError(f"{truth} is missing: delete data/raw/demo and run the tests again to rebuild the demo")
        truth.rename(moved)
        try:
            _RUN["result"] = pipeline.run("data/raw/demo", ROOT, None, reports=reports, progress=False,
                                          say=lambda message: None)
            _RUN["truth"] = {"moved away": moved.is_dir(), "made by the run": truth.exists()}
        finally:
            if truth.exists():  # made during the run: kept for a look; the truth-apart test fails
                shutil.move(truth, reports / "truth-made-by-the-run")
            moved.rename(truth)
        _RUN["reports"] = reports
        # A run of this checkout's code on this demo: its outputs get the stamp, also when a test asked for it.
        processed_stamp.write(Study.load(DEMO).processed, _signature())
    return _RUN["result"], _RUN["reports"]


def truth_during_the_demo_run() -> dict:
    """Whether data/truth/ was away while the session's demo run ran, and whether the run made one."""
    _run_demo()
    return _RUN["truth"]


def _signature() -> str:
    return processed_stamp.signature(DEMO, ROOT / "lib" / "portrait", ROOT / "notebooks")


def restore_truth() -> None:
    """Put back the truth a killed test session left moved away."""
    truth = TRUTH.parent
    for moved in sorted((ROOT / "data").glob(TRUTH_MOVED + "*")):
        if not truth.exists():
            moved.rename(truth)


def pytest_sessionstart(session):
    # nbval executes the notebooks against data/raw/demo, and unit tests read what the steps wrote: every step
    # runs first on a fresh checkout, and again when the demo, the package or the notebooks' code changed.
    restore_truth()
    # Notebooks executed by hand (nbval) look for earlier runs in reports/<study>: a developer's own runs there must
    # not change what the committed outputs show, so the session's history starts empty.
    os.environ[runs.REPORTS_ENV] = tempfile.mkdtemp(prefix="portrait-no-history-")
    ensure_demo(DEMO, say=lambda message: None)
    processed_stamp.ensure_fresh(Study.load(DEMO).processed, DEMO, ROOT / "lib" / "portrait", ROOT / "notebooks",
                                 _run_demo)


@pytest.fixture(scope="session")
def demo_run():
    return _run_demo()


@pytest.fixture(scope="session")
def demo_study() -> Study:
    return Study.load(DEMO)


@pytest.fixture(scope="session")
def demo_collected(demo_study):
    return collect.collect(demo_study, privacy.DEMO_SECRET.encode())


@pytest.fixture(scope="session")
def demo_clv(demo_run, demo_study, tmp_path_factory):
    """Step 04's CLV on the demo after the pipeline (holdout check + full fit, ~15-40 s, once per session),
    segments put on the cards, saved with a copy of step 04's and 05's inputs into a scratch processed folder
    (data/processed/demo stays as the run left it)."""
    import shutil

    from portrait.io import catalog
    from portrait.segments import clv_output, rfm

    value = clv_output.estimate(demo_study, rfm.RfmResult(demo_study.read(catalog.RFM_CUSTOMERS)))
    segments = demo_study.read(catalog.SEGMENTS)
    choice = json.loads(demo_study.path(catalog.SEGMENTATION).read_text(encoding="utf-8"))
    names = {int(k): v for k, v in choice["names"].items()}
    by_segment = clv_output.assign_segments(value, choice["unit"], segments, segments["segment"], names, demo_study)
    scratch = tmp_path_factory.mktemp("clv-processed")
    for path in demo_study.processed.iterdir():
        if path.is_file() and path.suffix in (".parquet", ".json", ".qdc", ".qdpx"):
            shutil.copy2(path, scratch / path.name)
    study = Study(demo_study.folder, demo_study.config, scratch)
    written = clv_output.save(study, value)
    return value, by_segment, study, written


@pytest.fixture(scope="session")
def spark_settings():
    """Spark in local mode on two cores with a small shuffle: the test tables are tiny."""
    from portrait.config.study import SparkSettings

    return SparkSettings(master="local[2]", conf={"spark.sql.shuffle.partitions": "4",
                                                 "spark.default.parallelism": "2"})
