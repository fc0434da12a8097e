"""Shared fixtures: the demo study is built once (deterministically) and, on a fresh checkout, run once
through every step before any test or notebook runs; that run is the one the end-to-end tests check."""

import tempfile
from pathlib import Path

import pytest

from portrait import Study, pipeline
from portrait.collect import collect, privacy
from portrait.cli import ensure_demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
TRUTH = ROOT / "data" / "truth" / "demo"
_RUN = {}


def _run_demo():
    """The whole pipeline on the demo (steps 01-05), reports in a temporary folder; once per session."""
    if not _RUN:
        reports = Path(tempfile.mkdtemp(prefix="portrait-reports-"))
        _RUN["result"] = pipeline.run("data/raw/demo", ROOT, None, reports=reports, progress=False,
                                      say=lambda message: None)
        _RUN["reports"] = reports
    return _RUN["result"], _RUN["reports"]


def pytest_sessionstart(session):
    # nbval executes the notebooks against data/raw/demo, and unit tests read what the steps wrote:
    # a fresh checkout runs every step once first.
    ensure_demo(DEMO, say=lambda message: None)
    if not (Study.load(DEMO).processed / "personas.json").exists():
        _run_demo()


@pytest.fixture(scope="session")
def demo_run():
    return _run_demo()


@pytest.fixture(scope="session")
def demo_study() -> Study:
    return Study.load(DEMO)


@pytest.fixture(scope="session")
def demo_collected(demo_study):
    return collect.collect(demo_study, privacy.DEMO_SECRET.encode())
