"""Run history: run records and status, segment identity across runs, the tests of what changed."""

import json

import numpy as np
import pandas as pd
import pytest

from portrait.history import compare, identity, runs


def _profile(segments: dict[int, list[float]]) -> pd.DataFrame:
    """A profile table: per segment, the index of each of a few (variable, category) rows."""
    rows = []
    for segment, indices in segments.items():
        for i, index in enumerate(indices):
            rows.append({"variable": f"v{i}", "label": f"V{i}", "category": "yes", "segment": segment,
                         "value": index / 2, "total": 50.0, "p": 0.5, "base": 200, "index": index,
                         "significant": False, "topic": "demographics"})
    return pd.DataFrame(rows)


EARLIER = {1: [150, 60, 100, 80], 2: [50, 140, 90, 120], 3: [100, 100, 160, 40]}


def test_relabelled_segments_keep_their_number_and_name():
    # The same three segments, fitted again and numbered 3, 1, 2, with a little noise on the indices.
    relabel = {1: 3, 2: 1, 3: 2}
    noisy = {relabel[s]: [x + d for x, d in zip(v, (4, -3, 2, -5))] for s, v in EARLIER.items()}
    found = identity.match(_profile(EARLIER), {1: "Trend", 2: "Bargain", 3: "Classic"}, _profile(noisy), 25, "r1")
    assert found.numbers == {3: 1, 1: 2, 2: 3}
    assert found.names == {1: "Trend", 2: "Bargain", 3: "Classic"}
    assert set(found.table["status"]) == {identity.KEPT}


def test_a_segment_unlike_any_earlier_one_emerges_and_the_unmatched_one_vanishes():
    now = {1: EARLIER[1], 2: EARLIER[2], 3: [300, 300, 10, 300]}
    found = identity.match(_profile(EARLIER), {1: "A", 2: "B", 3: "C"}, _profile(now), 25, "r1")
    status = found.table.set_index("status")
    assert found.numbers[1] == 1 and found.numbers[2] == 2
    assert found.numbers[3] == 4  # a number no earlier segment had
    assert int(status.loc[identity.EMERGED, "segment"]) == 3
    assert int(status.loc[identity.VANISHED, "earlier segment"]) == 3


def test_without_an_earlier_run_segments_keep_their_own_numbers():
    found = identity.match(None, {}, _profile(EARLIER), 25)
    assert found.numbers == {1: 1, 2: 2, 3: 3} and found.compared_with is None


def test_names_keep_earlier_ones_and_stay_unique():
    found = identity.Identity(pd.DataFrame(), {1: 1, 2: 4}, {1: "Bargain"}, "r1")
    names = identity.names(found, {1: "Something new", 4: "Bargain"})
    assert names[1] == "Bargain" and names[4] != "Bargain" and len(set(names.values())) == 2


def test_a_planted_size_change_is_found_and_no_change_is_not():
    rng = np.random.default_rng(1)
    then = pd.Series(rng.choice([1, 2, 3], 2000, p=[0.3, 0.3, 0.4]))
    grown = pd.Series(rng.choice([1, 2, 3], 2000, p=[0.4, 0.25, 0.35]))
    same = pd.Series(rng.choice([1, 2, 3], 2000, p=[0.3, 0.3, 0.4]))
    ones = pd.Series(1.0, index=then.index)
    changed = compare.size_changes(then, ones, grown, ones, "Segment", "respondents", {})
    unchanged = compare.size_changes(then, ones, same, ones, "Segment", "respondents", {})
    changed, unchanged = compare.correct([changed], 0.05, "holm")[0], compare.correct([unchanged], 0.05, "holm")[0]
    row = changed.set_index("segment").loc[1]
    assert row["significant"] and 7 < row["change"] < 13 and row["low"] < row["change"] < row["high"]
    assert not unchanged["significant"].any()


def test_holm_adjusts_over_the_whole_family():
    a = pd.DataFrame({"p": [0.01, 0.04]})
    b = pd.DataFrame({"p": [0.03, np.nan]})
    holm_a, holm_b = compare.correct([a, b], 0.05, "holm")
    # Holm on (0.01, 0.03, 0.04): 0.03, 0.06, 0.06 — only the smallest passes.
    assert holm_a["p_adjusted"].round(6).tolist() == [0.03, 0.06] and holm_b["p_adjusted"].iloc[0] == pytest.approx(0.06)
    assert holm_a["significant"].tolist() == [True, False] and not holm_b["significant"].any()
    none_a, _ = compare.correct([a, b], 0.05, "none")
    assert none_a["significant"].tolist() == [True, True]


def test_migration_counts_every_card_once():
    then = pd.DataFrame({"card_key": ["a", "b", "c", "d"], "rfm_segment": ["Champions", "Champions", "Lost", "New"]})
    now = pd.DataFrame({"card_key": ["a", "b", "c", "e"], "rfm_segment": ["Champions", "At risk", "Lost", "New"]})
    matrix = compare.migration(then, now, "card_key", "rfm_segment")
    assert matrix.to_numpy().sum() == 5  # a, b, c in both; d gone; e new
    assert matrix.loc["Champions", "At risk"] == 1 and matrix.loc["New", "(gone)"] == 1
    assert matrix.loc["(new)", "New"] == 1


def test_a_failed_run_is_recorded_and_status_says_why(tmp_path):
    good, bad = tmp_path / "20260101T000000Z", tmp_path / "20260201T000000Z"
    good.mkdir(), bad.mkdir()
    runs.write_record(good, run_id=good.name, status=runs.SUCCEEDED, started="a", finished="b")
    (good / runs.SNAPSHOT).mkdir()
    runs.write_record(bad, run_id=bad.name, status=runs.FAILED, error="SourceFormatError: <script>x</script>")
    status = runs.write_status(tmp_path, "acme")
    on_disk = json.loads((tmp_path / runs.STATUS).read_text())
    assert on_disk["ok"] is False and status["last_run"]["run_id"] == bad.name
    assert on_disk["last_success"]["run_id"] == good.name
    page = (tmp_path / "index.html").read_text()
    assert "<script>x" not in page and "&lt;script&gt;" in page
    assert page.index(bad.name) < page.index(good.name)  # newest first
    assert runs.previous(tmp_path)["run_id"] == good.name
    assert runs.previous(tmp_path, "none") is None
    with pytest.raises(Exception, match="no succeeded run"):
        runs.previous(tmp_path, bad.name)
