"""Shared fixtures: the demo study is built once (deterministically) before any test or notebook runs."""

from pathlib import Path

import pytest

from portrait import Study, collect, privacy
from portrait.cli import ensure_demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo"
TRUTH = ROOT / "data" / "truth" / "demo"


def pytest_sessionstart(session):
    # nbval executes notebooks/01_collect.ipynb against data/raw/demo, so it must exist first.
    ensure_demo(DEMO, say=lambda message: None)


@pytest.fixture(scope="session")
def demo_study() -> Study:
    return Study.load(DEMO)


@pytest.fixture(scope="session")
def demo_collected(demo_study):
    return collect.collect(demo_study, privacy.DEMO_SECRET.encode())
