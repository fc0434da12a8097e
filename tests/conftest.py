"""Shared fixtures: the demo study is built once (deterministically) before any test or notebook runs."""

from pathlib import Path

import pytest

from portrait import Study, collect, privacy
from portrait.cli import ensure_demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
TRUTH = ROOT / "data" / "truth" / "demo"


def pytest_sessionstart(session):
    # nbval executes the notebooks against data/raw/demo; 02 onwards also read step 01's tables.
    ensure_demo(DEMO, say=lambda message: None)
    study = Study.load(DEMO)
    if not study.table_path("respondents").exists():
        collect.write_outputs(study, collect.collect(study, privacy.DEMO_SECRET.encode()), {"study": "data/raw/demo"})


@pytest.fixture(scope="session")
def demo_study() -> Study:
    return Study.load(DEMO)


@pytest.fixture(scope="session")
def demo_collected(demo_study):
    return collect.collect(demo_study, privacy.DEMO_SECRET.encode())
