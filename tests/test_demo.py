"""The demo study: size and shape as promised, deterministic, truth kept apart, planted dirt recovered."""

import hashlib
from pathlib import Path

import pandas as pd

from portrait.demo import build_demo

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
