"""The bundled coffee study («Зерно і Пара»): deterministic, loads, its codebook fits its data, its planted
segments are recorded only outside the study folder, and it shares nothing with the demo but the formats."""

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

from portrait import Study
from portrait.survey import codebook
from portrait.collect import collect
from portrait.io import readers
from portrait.config import roles
from portrait.coffee import DEFAULT_SEED, build_study, generator_digest, truth_dir
from portrait.config.study import load_config

DEMO_WORDS = ["Loom", "Lark", "fashion", "clothes", "Zara", "Reserved", "Mango", "stylist", "Ocean Plaza",
              "Gulliver", "Nikolsky", "Riviera"]


def digest_tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def coffee(tmp_path_factory) -> Path:
    return build_study(tmp_path_factory.mktemp("coffee") / "data" / "raw" / "coffee")


@pytest.fixture(scope="module")
def survey(coffee):
    config = load_config(coffee)
    frame = readers.read_table(coffee / config.sources.survey.path, "spss", "auto", "auto", None)
    return config, frame, codebook.load_codebook(coffee / config.codebooks.survey)


def test_two_builds_are_byte_identical(tmp_path):
    first = build_study(tmp_path / "a" / "raw" / "coffee", seed=5)
    second = build_study(tmp_path / "b" / "raw" / "coffee", seed=5)
    assert digest_tree(first) == digest_tree(second)
    assert digest_tree(truth_dir(first)) == digest_tree(truth_dir(second))
    assert digest_tree(build_study(tmp_path / "c" / "raw" / "coffee", seed=6)) != digest_tree(first)
    assert re.fullmatch(r"[0-9a-f]{16}", generator_digest())
    assert DEFAULT_SEED != 5


def test_study_loads_with_roles(coffee):
    study = Study.load(coffee)
    config = study.config
    assert (config.name, config.brand, config.languages, config.report_language) == \
        ("coffee", "Зерно і Пара", ["uk"], "uk")
    assert config.privacy.allow_demo_secret
    assert set(n for n in type(config.sources).model_fields if getattr(config.sources, n)) == {"survey", "transactions"}
    assert config.sources.survey.format == "spss" and not config.sources.survey.personal
    assert config.sources.survey.link_key is None
    assert config.roles.currency == "UAH" and config.roles.funnel is None and config.roles.basis == []
    assert config.roles.recommendation == "nps" and config.roles.satisfaction == "satisfaction"


def test_codebook_checks_clean_and_applies(survey):
    config, frame, book = survey
    assert codebook.check(book, frame) == []
    coded = codebook.apply(book, frame)
    assert coded.messages() == []          # every answer matches a label, every label is used
    assert coded.declared_missing["value"].tolist() == ["Не хочу відповідати"]
    for q in book.questions:
        if q.type == "numeric":
            assert q.range is not None
    data = coded.data
    assert set(data["gender"].dropna()) == {1, 2, 3} and set(data["city"].dropna()) == {1, 2, 3, 4, 5}
    assert data["nps"].dropna().between(0, 10).all() and data["satisfaction"].dropna().between(1, 10).all()
    grid = [c for c in data.columns if c.startswith("opinions__")]
    assert 8 <= len(grid) <= 10
    missing = data[grid].isna().to_numpy().mean()
    assert 0.01 < missing < 0.04
    assert {s.id for s in book.scales} == {"quality_focus", "price_consciousness", "third_place"}
    assert data["age_band"].notna().mean() > 0.97
    checked = roles.check_survey(config.roles, list(data.columns), book)
    assert checked.basis == ["quality_focus", "price_consciousness", "third_place"]
    assert "age_band" in checked.banner and "city" in checked.banner


def test_survey_shape_and_no_personal_columns(survey):
    config, frame, _ = survey
    answers = frame.drop(columns=[readers.ROW])
    assert 1100 <= len(answers) <= 1300
    assert answers[config.sources.survey.id_column].is_unique
    headers = " ".join(answers.columns).lower()
    for word in ["mail", "телефон", "phone", "імʼя", "ім'я", "name", "прізвище"]:
        assert word not in headers
    improve = answers["Що_покращити"].dropna()
    assert improve[improve != ""].str.contains("[іїєґ]").any()
    assert not improve.str.contains(r"@|\d{7,}").any()


def test_transactions_shape(coffee):
    config = load_config(coffee)
    columns = config.sources.transactions.columns.model_dump(exclude_none=True)
    tx = pd.read_csv(coffee / config.sources.transactions.path, dtype=str)
    assert list(tx.columns) == list(columns.values()) and set(columns) == {"customer", "date", "amount", "store"}
    assert 50_000 <= len(tx) <= 70_000
    assert 3_500 <= tx[columns["customer"]].nunique() <= 4_000
    assert tx[columns["customer"]].str.fullmatch(r"K\d{6}").all()
    assert tx[columns["amount"]].str.fullmatch(r"\d+\.\d{2}").all()
    dates = pd.to_datetime(tx[columns["date"]], format=config.sources.transactions.date_format)
    assert 330 <= (dates.max() - dates.min()).days <= 366


def test_step_01_accepts_the_sources(coffee):
    result = collect.collect(Study.load(coffee), b"test-secret")
    reconciliation = result.reconciliation.set_index("source")
    assert reconciliation["reconciles"].all() and reconciliation["quarantined"].sum() == 0
    assert len(result.tables["survey"]) == reconciliation.loc["survey", "kept"]


def test_truth_is_kept_outside_the_study(coffee, survey):
    _, frame, _ = survey
    truth = truth_dir(coffee)
    assert truth == coffee.parent.parent / "truth" / "coffee"
    respondents = pd.read_csv(truth / "respondents.csv", dtype=str)
    assert respondents["respondent_id"].tolist() == frame["Номер_анкети"].tolist()
    assert set(respondents["segment"]) == {"work_from_cafe", "speed_commuter", "quality_connoisseur",
                                           "price_student"}
    customers = pd.read_csv(truth / "customers.csv", dtype=str)
    assert set(customers["segment"]) == set(respondents["segment"])
    for path in coffee.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            for word in ["work_from_cafe", "speed_commuter", "quality_connoisseur", "price_student", "segment"]:
                assert word.encode() not in text, (path, word)


def test_planted_segments_drive_the_answers(survey, coffee):
    _, frame, book = survey
    data = codebook.apply(book, frame).data
    segment = pd.read_csv(truth_dir(coffee) / "respondents.csv")["segment"].to_numpy()
    means = data[["quality_focus", "price_consciousness", "third_place"]].astype(float).groupby(segment).mean()
    assert means["quality_focus"].idxmax() == "quality_connoisseur"
    assert means["price_consciousness"].idxmax() == "price_student"
    assert means["third_place"].idxmax() == "work_from_cafe"
    assert means["third_place"].idxmin() == "speed_commuter"
    # Overlap: the segments are tendencies, not rules.
    spread = data["opinions__work"].astype(float).groupby(segment).std()
    assert (spread > 0.9).all()
    customers = pd.read_csv(truth_dir(coffee) / "customers.csv")
    per_year = customers.groupby("segment")["purchases"].mean()
    assert per_year["speed_commuter"] > per_year["price_student"]


def test_no_demo_words_in_the_study(coffee):
    for path in sorted(p for p in coffee.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", errors="ignore").casefold()
        for word in DEMO_WORDS:
            assert word.casefold() not in text, (path.name, word)
