"""The README's benchmark tables are generated from bench/results/*.json: `readme_table.py --check` passes on
the committed files and fails as soon as a figure in the JSON and the README disagree."""

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import readme_table  # noqa: E402

TABLES = ["rfm", "segmentation", "clv", "collect_transactions"]


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


def test_every_committed_result_has_a_table_in_the_readme():
    """A benchmark that writes bench/results/NAME.json shows its figures only through a rendered table."""
    committed = sorted(path.stem for path in (ROOT / "bench" / "results").glob("*.json"))
    assert committed == sorted(TABLES) == sorted(readme_table.RENDERERS)
    readme = (ROOT / "README.md").read_text()
    assert all(readme.count(f"<!-- bench:{name} -->") == 1 for name in TABLES)


def test_make_bench_refreshes_the_readme_after_every_benchmark():
    """`make bench` runs every bench script, then renders the README from what they wrote."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^bench:.*\n((?:\t.*\n)+)", makefile, re.M).group(1).splitlines()
    scripts = [line.split("bench/")[1] for line in recipe if "bench/" in line]
    assert scripts[-1] == "readme_table.py"
    assert sorted(scripts[:-1]) == sorted(path.name for path in (ROOT / "bench").glob("bench_*.py"))


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


def test_clv_ratios_are_computed_from_the_peer_measured_in_the_same_run(copies):
    path = copies / "results" / "clv.json"
    data = json.loads(path.read_text())
    tools = data["sizes"]["1000000"]["tools"]
    tools["lifetimes"]["seconds"] = tools["ours"]["seconds"] * 4  # ours now a quarter of the peer's time
    path.write_text(json.dumps(data))
    assert readme_table.main(["clv"]) == 0
    ours_row = next(line for line in (copies / "README.md").read_text().splitlines()
                    if line.startswith("| 1,000,000 customers | ours"))
    assert ours_row.split(" | ")[7] == "0.25"
