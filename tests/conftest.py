"""Shared fixtures: the demo study is built once (deterministically) before any test or notebook runs."""

import tempfile
from pathlib import Path

import pytest

from portrait import Study, collect, pipeline, privacy
from portrait.cli import ensure_demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
TRUTH = ROOT / "data" / "truth" / "demo"


def pytest_sessionstart(session):
    # nbval executes the notebooks against data/raw/demo; 02 and 03 read what earlier steps wrote.
    ensure_demo(DEMO, say=lambda message: None)
    study = Study.load(DEMO)
    if not study.table_path("survey_coded").exists():
        # Later notebooks read what 01 and 02 wrote; run them once if a fresh checkout has not.
        pipeline.run("data/raw/demo", ROOT, ["01", "02"], reports=Path(tempfile.mkdtemp()), progress=False,
                     say=lambda message: None)


@pytest.fixture(scope="session")
def demo_study() -> Study:
    return Study.load(DEMO)


@pytest.fixture(scope="session")
def demo_collected(demo_study):
    return collect.collect(demo_study, privacy.DEMO_SECRET.encode())
