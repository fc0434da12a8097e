"""What changed between demo waves: planted drift is found, a population without change raises no more false
alarms than the significance level allows, and segments keep their identity from wave to wave."""

import gc
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from portrait import Study, pipeline
from portrait.demo import build_demo, population, waves
from portrait.history import compare, runs, snapshot

from conftest import DEMO, ROOT

ALPHA = 0.05
# Wave 2 runs with fewer bootstrap re-fits: what is tested is the comparison. Its models are the defaults, which
# `keep_model` narrows to the family wave 1's run chose.
CHEAP = {"n_boot": 2}


def test_no_change_raises_at_most_alpha_false_alarms(demo_run):
    """Two samples drawn from the same population (the demo's coded respondents, resampled with their weights), typed
    by the pipeline's own typing tool and compared as step 05 does, 400 times: the share of comparisons reporting
    any size change is not above α under Holm, nor the share of single tests rejecting without a correction."""
    now = snapshot.capture(Study.load(DEMO))
    typed = snapshot.classify(now.tool, now.answers).reset_index(drop=True)
    weights = now.units["weight"].reset_index(drop=True)
    keep = typed.notna()
    typed, weights = typed[keep].reset_index(drop=True), weights[keep].reset_index(drop=True)
    rng, n, repeats = np.random.default_rng(2026), len(typed), 400
    any_alarm, single = 0, []
    # statsmodels' Holm calls gc.collect() each time: with the session's objects frozen it does not scan them 400 times.
    gc.freeze()
    for _ in range(repeats):
        a, b = rng.integers(0, n, n), rng.integers(0, n, n)
        sizes = compare.size_changes(typed.iloc[a].reset_index(drop=True), weights.iloc[a].reset_index(drop=True),
                                     typed.iloc[b].reset_index(drop=True), weights.iloc[b].reset_index(drop=True),
                                     "Segment", "respondents", {})
        any_alarm += bool(compare.correct([sizes], ALPHA, "holm")[0]["significant"].any())
        single += list(compare.correct([sizes], ALPHA, "none")[0]["significant"])
    gc.unfreeze()
    family_rate, test_rate = any_alarm / repeats, float(np.mean(single))
    # The rates are Monte Carlo estimates: the claim "at most α" fails when the count of alarms is significantly above
    # what a rate of α gives (one-sided binomial test at 1 %), not when noise puts it a hair above.
    family_p = binomtest(any_alarm, repeats, ALPHA, alternative="greater").pvalue
    test_p = binomtest(int(np.sum(single)), len(single), ALPHA, alternative="greater").pvalue
    print(f"\nno change, {repeats} pairs of {n} respondents: any alarm (Holm) {family_rate:.3f} (p of a rate above α "
          f"{family_p:.2f}); single tests rejecting (no correction) {test_rate:.3f} (p {test_p:.2f}); α = {ALPHA}")
    assert family_p >= 0.01 and family_rate < 2 * ALPHA
    assert test_p >= 0.01


@pytest.fixture(scope="module")
def wave_two(demo_run, tmp_path_factory):
    """Wave 2 of the demo run after wave 1 (the session's run), in the same history."""
    _, reports = demo_run
    folder = tmp_path_factory.mktemp("waves") / "raw" / "demo"
    build_demo(folder, wave=2)
    result = pipeline.run(str(folder), ROOT, None, CHEAP, reports=reports, progress=False, say=lambda m: None)
    processed = Study.load(folder).processed
    return result, reports / "demo", processed, folder.parent.parent / "truth" / "demo"


def test_wave_two_compares_with_wave_one_and_finds_the_planted_growth(wave_two):
    result, history, processed, truth = wave_two
    earlier = [r for r in runs.runs(history) if r["run_id"] != result.run_dir.name]
    assert result.compared_with == earlier[-1]["run_id"]
    then = snapshot.load(history / result.compared_with / runs.SNAPSHOT)
    comparison = json.loads((processed / "comparison.json").read_text())
    assert comparison["compared_with"] == result.compared_with
    # The bargain hunters' segment: the one furthest above the total on the price scheme's "discount hunter".
    profile = then.profiles
    hunter = profile[(profile["variable"] == "scheme__price_orientation") & (profile["category"] == "discount hunter")]
    bargain = int(hunter.sort_values("index", ascending=False)["segment"].iloc[0])
    sizes = pd.DataFrame(comparison["sizes"])
    run_sizes = sizes[sizes["family"] == "Segment"].assign(segment=lambda f: f["segment"].astype(int)).set_index("segment")
    planted = 100 * waves.BARGAIN_GROWTH
    grown = run_sizes.loc[bargain]
    print(f"\nbargain segment {bargain}: {grown['then']:.1f} % -> {grown['now']:.1f} % "
          f"({grown['change']:+.1f} points, planted +{planted:.0f} in the population)")
    assert grown["significant"] and grown["change"] > planted / 2
    assert run_sizes.drop(index=bargain)["change"].max() < grown["change"]
    assert set(run_sizes["through"]) == {"the earlier run's typing tool"}
    # The saved snapshots compare as the run did (the typing tool's assignment of this run's units is kept).
    again = compare.compare(then, snapshot.load(result.run_dir / runs.SNAPSHOT)).sizes
    assert again["change"].tolist() == sizes["change"].tolist() and again["through"].tolist() == sizes["through"].tolist()


def test_wave_two_finds_the_lapsed_champions(wave_two):
    result, history, processed, truth = wave_two
    then = snapshot.load(history / result.compared_with / runs.SNAPSHOT)
    comparison = json.loads((processed / "comparison.json").read_text())
    sizes = pd.DataFrame(comparison["sizes"])
    rfm = sizes[sizes["family"] == "RFM segment"].set_index("segment")
    assert rfm.loc["Champions", "significant"] and rfm.loc["Champions", "change"] < -3
    moved = sum(n for segment, n in comparison["rfm_migration"]["Champions"].items() if segment != "Champions")
    lapsed = len(pd.read_csv(truth / "lapsed_holders.csv"))
    print(f"\nChampions {rfm.loc['Champions', 'then']:.1f} % -> {rfm.loc['Champions', 'now']:.1f} %; "
          f"{moved} cards left Champions; {lapsed} holders planted to lapse")
    assert moved >= 0.5 * lapsed * then.rfm["rfm_segment"].eq("Champions").mean()


def test_the_segment_that_emerges_is_reported_as_new(wave_two):
    """The newcomers planted in wave 2 (a segment wave 1 did not have) form a segment step 04 reports as emerged."""
    result, history, processed, truth = wave_two
    choice = json.loads((processed / "segmentation.json").read_text())
    emerged = [r["number"] for r in choice["identity"]["segments"] if r["status"] == "emerged"]
    segments = pd.read_parquet(processed / "segments.parquet")
    who = pd.read_csv(truth / "response_error.csv", usecols=["Response ID", "person_id"])
    planted = pd.read_csv(truth / "surveyed.csv").merge(who, on="person_id")
    units = segments.merge(planted, left_on="respondent_id", right_on="Response ID")
    newcomer = units["attitude_segment"] == population.EMERGING_SEGMENT
    assert newcomer.sum() > 100  # the planted newcomers reached the segmented respondents
    best = units[newcomer]["segment"].value_counts()
    home = int(best.index[0])
    recall, purity = best.iloc[0] / newcomer.sum(), newcomer[units["segment"] == home].mean()
    print(f"\nemerged segments {emerged}; the newcomers' segment {home}: {recall:.0%} of them, {purity:.0%} newcomers")
    assert home in emerged and recall >= 0.7 and purity >= 0.8
    comparison = json.loads((processed / "comparison.json").read_text())
    assert any(line.startswith(f"New segment {home}: ") for line in comparison["headlines"])  # a whole number


def test_segments_keep_their_numbers_and_names_from_wave_to_wave(wave_two):
    result, history, processed, _ = wave_two
    choice = json.loads((processed / "segmentation.json").read_text())
    then = snapshot.load(history / result.compared_with / runs.SNAPSHOT)
    kept = [r for r in choice["identity"]["segments"] if r["status"] == "kept"]
    assert choice["identity"]["compared_with"] == result.compared_with
    assert {c["model"] for c in choice["comparison"]} == {then.meta["model"]}  # keep_model: the earlier family only
    assert len(kept) == len(then.names)
    for row in kept:
        assert choice["names"][str(row["number"])] == then.names[row["earlier segment"]]


def test_the_report_opens_with_what_changed(wave_two):
    result, *_ = wave_two
    html = (result.run_dir / "report.html").read_text(encoding="utf-8")
    opening = html[html.index("<h2"):]
    assert opening.startswith('<h2 class="first">What changed since ')
    assert "points, 95 % CI" in opening.split("</section>")[0]


def test_status_and_index_list_both_waves(wave_two):
    result, history, *_ = wave_two
    status = json.loads((history / runs.STATUS).read_text())
    assert status["ok"] and status["latest"] == result.run_dir.name and status["runs"] >= 2
    page = (history / "index.html").read_text(encoding="utf-8")
    assert result.run_dir.name in page and result.compared_with in page
