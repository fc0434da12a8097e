"""The demo study: size and shape as promised, deterministic, truth kept apart, planted dirt recovered, response
error planted at the stated rates, and the ceiling on recovering its segments computed from its own densities."""

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portrait.demo import build_demo, survey
from portrait.demo.ceiling import matched_accuracy, recovery_ceiling

import demo_answers
from conftest import DEMO, TRUTH


def digest_tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".portrait-demo"}


def test_two_builds_are_byte_identical(tmp_path):
    first = build_demo(tmp_path / "a" / "raw" / "demo", seed=11)
    second = build_demo(tmp_path / "b" / "raw" / "demo", seed=11)
    assert digest_tree(first) == digest_tree(second)
    assert digest_tree(tmp_path / "a" / "truth" / "demo") == digest_tree(tmp_path / "b" / "truth" / "demo")
    other = build_demo(tmp_path / "c" / "raw" / "demo", seed=12)
    assert digest_tree(other) != digest_tree(first)


def test_survey_export_shape():
    survey = pd.read_csv(DEMO / "survey" / "survey_export.csv", dtype=str, encoding="utf-8-sig")
    assert survey["Response ID"].notna().sum() >= 2000
    multi = [c for c in survey.columns if c.startswith("Which of these do you do in your free time? - ")]
    grid = [c for c in survey.columns if c.startswith("How much do you agree with each statement? - ")]
    assert len(multi) >= 5 and len(grid) >= 10
    for column in ["Start time", "Submit time", "Duration (seconds)", "What is your e-mail address?",
                   "What is your phone number?"]:
        assert column in survey.columns
    assert survey.isna().all(axis=1).sum() >= 10  # blank rows
    assert (survey["Duration (seconds)"].dropna().astype(float) < 200).sum() >= 50  # speeders
    answers = survey["What would make you buy from Loom & Lark more often?"].dropna()
    assert answers.str.contains("[a-zA-Z]").any()
    assert answers.str.contains("[іїєґ]").any()  # Ukrainian letters
    assert answers.str.contains("[ыэъё]").any()  # Russian letters


def test_transcripts_and_participants():
    files = [p for p in (DEMO / "interviews").iterdir() if p.suffix in {".txt", ".md", ".vtt", ".docx"}]
    assert len(files) >= 31
    assert {p.suffix for p in files} == {".txt", ".md", ".vtt", ".docx"}
    participants = pd.read_csv(DEMO / "interviews" / "participants.csv", dtype=str)
    assert len(participants) >= 30 and set(participants["Language"]) == {"en", "uk", "ru"}


def test_loyalty_export_size_and_period():
    holders = pd.read_csv(DEMO / "loyalty" / "cardholders.csv", sep=";", dtype=str, encoding="cp1251")
    tx = pd.read_csv(DEMO / "loyalty" / "transactions.csv", sep=";", dtype=str)
    assert len(holders) >= 10_000 and len(tx) >= 200_000
    dates = pd.to_datetime(tx["Date"], errors="coerce")
    assert (dates.max() - dates.min()).days >= 540
    assert set(tx["Channel"].dropna()) == {"online", "store"} and tx["City"].nunique() >= 4


def test_truth_lies_outside_the_study_folder():
    assert (TRUTH / "people.csv").exists()
    assert not any("truth" in str(p.relative_to(DEMO)) for p in DEMO.rglob("*"))
    people = pd.read_csv(TRUTH / "people.csv")
    for dimension in ["age", "gender", "nationality", "religion", "family_status", "city", "climate",
                      "cultural_preference", "hobbies", "income_band", "education", "occupation",
                      "living_conditions", "relationship", "purpose", "behaviour_profile", "discount_hunter",
                      "novelty_hunter", "parent_buying_for_children", "local", "attitude_segment"]:
        assert dimension in people.columns
    assert set(people["relationship"]) == {"unaware", "aware_non_buyer", "buys_rarely", "buys_medium", "buys_often"}


def test_planted_quality_problems_are_recovered(demo_collected):
    truth = pd.read_csv(TRUTH / "survey_quality.csv", dtype={"Response ID": str})
    flagged = demo_collected.tables["survey"].set_index("respondent_id")
    truth = truth[~truth["invalid"]].set_index("Response ID")
    for flag in ["speeder", "straightliner", "out_of_range", "duplicate", "incomplete"]:
        planted = set(truth.index[truth[flag]])
        found = set(flagged.index[flagged[f"qf_{flag}"]])
        assert planted <= found, f"{flag}: missed {sorted(planted - found)[:5]}"
        # A clean respondent may straight-line by chance, but flags must stay rare beyond the plant.
        assert len(found - planted) <= max(5, 0.1 * len(planted)), f"{flag}: {len(found - planted)} extra"


def test_every_invalid_row_is_quarantined(demo_collected):
    recon = demo_collected.reconciliation.set_index("source")
    assert recon["reconciles"].all()
    truth = pd.read_csv(TRUTH / "survey_quality.csv", dtype={"Response ID": str})
    assert recon.loc["survey", "quarantined"] == truth["invalid"].sum() + 12  # broken rows + blank rows
    assert recon.loc["transactions", "quarantined"] == 60
    assert recon.loc["transcripts", "quarantined"] == 1


def _within(share: float, rate: float, n: int) -> bool:
    """`share` of `n` draws is within four binomial sds of `rate`."""
    return abs(share - rate) <= 4 * np.sqrt(rate * (1 - rate) / n)


def test_response_error_is_planted_at_the_stated_rates():
    error = pd.read_csv(TRUTH / "response_error.csv")
    n = len(error)
    misreported = [c for c in error.columns if c.startswith("misreported_")]
    assert len(misreported) >= 15  # residence, children, income, 12 brand answers, frequency, purpose, kids
    for column in misreported:
        assert _within(error[column].mean(), survey.MISREPORT_RATE, n), column
    for style, rate in [("acquiescent", survey.ACQUIESCENT_SHARE), ("satisficer", survey.SATISFICER_SHARE),
                        ("skipper", survey.SKIPPER_SHARE)]:
        assert _within(error[style].mean(), rate, n), style


def test_answers_differ_from_the_truth_as_the_error_says():
    """What respondents report disagrees with the planted truth where the error model changed or skipped it."""
    quality = pd.read_csv(TRUTH / "survey_quality.csv", dtype={"Response ID": str})
    flags = ["speeder", "straightliner", "out_of_range", "incomplete", "duplicate", "invalid"]
    clean = quality.loc[~quality[flags].fillna(False).astype(bool).any(axis=1), "Response ID"]
    export = demo_answers.read_export(DEMO).set_index("Response ID").loc[clean]
    reported = demo_answers.reported(export.reset_index())
    planted = demo_answers.planted(TRUTH, clean)
    error = pd.read_csv(TRUTH / "response_error.csv", dtype={"Response ID": str}).set_index("Response ID").loc[clean]
    skipped = reported["purpose"].isna()
    assert _within(skipped.mean(), survey.SKIPPER_SHARE * survey.SKIP_PROB, len(clean))
    wrong = (reported["purpose"] != planted["purpose"])[~skipped]
    assert (wrong.to_numpy() == error["misreported_purpose"][~skipped.to_numpy()].to_numpy()).all()
    grid = export[[f"{survey.ATTITUDE} - {item}" for item in survey.ATTITUDE_ITEMS]]
    assert _within(grid.eq("").to_numpy().mean(), survey.SKIPPER_SHARE * survey.SKIP_PROB, grid.size // 16)
    # Acquiescent respondents agree more, on average, than the rest of their segment.
    answers = grid.apply(pd.to_numeric, errors="coerce").drop(columns=f"{survey.ATTITUDE} - Fashion is not important to me")
    lift = answers.mean(axis=1).groupby([planted["attitude_segment"], error["acquiescent"]]).mean().unstack()
    assert (lift[True] - lift[False]).between(0.3, 1.0).all(), lift


@pytest.fixture(scope="module")
def ceiling():
    return recovery_ceiling(DEMO)


def test_ceiling_uses_the_generators_densities(ceiling):
    """Under the densities that drew the answers, the posteriors are calibrated: the share assigned right is the
    mean posterior of the assigned segment (0.885 against 0.891 on the 2,300 valid rows, incomplete and
    straight-lining ones included)."""
    score = ceiling.score()
    assert abs(score["accuracy"] - score["expected_accuracy"]) <= 0.015, score
    assert score["n"] == 2300


def test_ceiling_is_near_the_stated_overlap(ceiling):
    """The overlap was set so that even the Bayes-optimal assignment reaches an ARI near 0.8 on respondents who
    answer the attitude grid (measured 0.807 on the 1,855 respondents step 04 segments)."""
    quality = pd.read_csv(TRUTH / "survey_quality.csv", dtype={"Response ID": str})
    flags = ["speeder", "straightliner", "out_of_range", "incomplete", "duplicate", "invalid"]
    clean = quality.loc[~quality[flags].fillna(False).astype(bool).any(axis=1), "Response ID"]
    export = demo_answers.read_export(DEMO).set_index("Response ID").loc[clean]
    answered = export[[f"{survey.ATTITUDE} - {item}" for item in survey.ATTITUDE_ITEMS]].ne("").all(axis=1)
    score = ceiling.score(answered.index[answered])
    assert 0.75 <= score["ari"] <= 0.85 and 0.89 <= score["accuracy"] <= 0.95, score
    # More answers, a higher ceiling: the values grid tells the segments apart too.
    assert recovery_ceiling(DEMO, grids=("attitudes", "values")).score(answered.index[answered])["ari"] > score["ari"]
    with pytest.raises(ValueError, match="grids must be among"):
        recovery_ceiling(DEMO, grids=("hobbies",))


def test_matched_accuracy_names_clusters_after_the_truth_they_overlap():
    truth = ["a", "a", "b", "b", "c", "c"]
    assert matched_accuracy(truth, [2, 2, 0, 0, 1, 1]) == 1.0
    assert matched_accuracy(truth, [2, 2, 0, 1, 1, 1]) == pytest.approx(5 / 6)
