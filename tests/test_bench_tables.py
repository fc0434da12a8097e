"""The README's benchmark tables are generated from bench/results/*.json: `readme_table.py --check` passes on
the committed files and fails as soon as a figure in the JSON and the README disagree."""

import json
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import readme_table  # noqa: E402

# The tables whose JSON this branch commits (bench/results/rfm.json is produced by bench/bench_rfm.py's branch).
TABLES = ["rfm", "segmentation"]


@pytest.fixture
def copies(tmp_path, monkeypatch):
    """README.md and bench/results/*.json copied to tmp_path, and readme_table pointed at the copies."""
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "results").mkdir()
    for name in TABLES:
        shutil.copy(ROOT / "bench" / "results" / f"{name}.json", tmp_path / "results" / f"{name}.json")
    monkeypatch.setattr(readme_table, "README", tmp_path / "README.md")
    monkeypatch.setattr(readme_table, "RESULTS", tmp_path / "results")
    return tmp_path


def test_committed_readme_matches_the_committed_results(copies):
    assert readme_table.main(["--check", *TABLES]) == 0


@pytest.mark.parametrize("name", TABLES)
def test_check_fails_when_the_json_changes_and_rendering_fixes_it(copies, name):
    path = copies / "results" / f"{name}.json"
    data = json.loads(path.read_text())
    record = next(iter(data["sizes"].values()))
    record["conditions"]["load_average_before"] += 1.0  # any figure the table shows
    path.write_text(json.dumps(data))
    assert readme_table.main(["--check", name]) == 1
    assert readme_table.main([name]) == 0 and readme_table.main(["--check", name]) == 0
    assert f"{record['conditions']['load_average_before']:.1f} before" in (copies / "README.md").read_text()
