"""Step 01 on a small hand-made study: reconciliation, pseudonymous links, no clear text, partial studies."""

import textwrap

import pandas as pd
import pytest

from portrait import Study
from portrait.collect import collect, privacy
from portrait.errors import SourceFormatError

SECRET = b"unit-test-secret"

STUDY_YML = """
name: tiny
brand: Acme
languages: [en, uk]
sources:
  survey:
    path: survey.csv
    id_column: ID
    link_key: Phone
    personal: {Email: email, Phone: phone}
    open_text: [Comment]
    quality:
      submitted_column: Submitted
      duration_column: Seconds
      duplicate_on: [Email]
      grids: [{name: agree, columns: "^Agree", min: 1, max: 5}]
  transcripts:
    path: interviews
  participants:
    path: interviews/participants.csv
    id_column: Interview
    link_key: Phone
    personal: {Name: name, Phone: phone}
  cardholders:
    path: cards.csv
    id_column: Card
    link_key: Phone
    personal: {Card: card, Phone: phone}
  transactions:
    path: tx.csv
    personal: {Card number: card}
    columns: {customer: Card number, date: Date, amount: Amount, receipt: Receipt, store: Store, city: City,
              channel: Channel, category: Category, discount: Discount, new_collection: New collection}
"""

SURVEY = """ID;Submitted;Seconds;Email;Phone;Agree 1;Agree 2;Comment
1;2026-01-01 10:00;600;ann@example.com;+380 67 111 22 33;1;5;Call me on 067 111 22 33 please
2;2026-01-01 10:05;590;bob@example.com;0501112233;4;4;Дуже дорого
;;;;;;;
3;not a date;610;cy@example.com;;2;3;
2;2026-01-01 11:00;580;dup@example.com;;2;2;
"""

CARDS = "Card;Phone;City\n2700000000000001;380671112233;Kyiv\n2700000000000002;+48 601 000 000;Lviv\n"
TX = ("Receipt;Card number;Date;Store;City;Channel;Category;Amount;Discount;New collection\n"
      "A1;2700000000000001;2026-01-02 12:00;Kyiv Podil;Kyiv;store;Tops;900.50;1;0\n"
      "A1;2700000000000001;2026-01-02 12:00;Kyiv Podil;Kyiv;store;Bags;2000;0;1\n"
      "A2;2700000000000002;2026-02-31 12:00;Online shop;Lviv;online;Shoes;1500;0;0\n"
      "A3;;2026-01-05 12:00;Online shop;Lviv;online;Shoes;1500;0;0\n"
      "A4;2700000000000002;2026-01-06 12:00;Online shop;Lviv;online;Shoes;n/a;0;0\n")
PARTICIPANTS = "Interview,Name,Phone\nINT-01,Ann Lee,+380671112233\n"
TRANSCRIPT = ("Interviewer: Hello, who are you?\nRespondent: I am Ann, I buy bags. Call 067 111 22 33.\n"
              "Interviewer: Thanks.\nRespondent: Write to ann@example.com.\n")


@pytest.fixture
def study_dir(tmp_path):
    folder = tmp_path / "data" / "raw" / "tiny"
    (folder / "interviews").mkdir(parents=True)
    (folder / "study.yml").write_text(textwrap.dedent(STUDY_YML))
    (folder / "survey.csv").write_text(SURVEY, encoding="cp1251")
    (folder / "cards.csv").write_text(CARDS)
    (folder / "tx.csv").write_text(TX)
    (folder / "interviews" / "participants.csv").write_text(PARTICIPANTS)
    (folder / "interviews" / "INT-01.txt").write_text(TRANSCRIPT)
    (folder / "interviews" / "INT-02.txt").write_text("just notes without any speaker\n")
    return folder


def test_counts_reconcile_for_every_source(study_dir):
    result = collect.collect(Study.load(study_dir), SECRET)
    table = result.reconciliation.set_index("source")
    assert table["reconciles"].all()
    assert table.loc["survey", ["read", "kept", "quarantined"]].tolist() == [5, 2, 3]
    assert table.loc["transactions", ["read", "kept", "quarantined"]].tolist() == [5, 2, 3]
    assert table.loc["transcripts", ["unit", "read", "kept", "quarantined"]].tolist() == ["files", 2, 1, 1]


def test_quarantine_points_back_to_file_row_and_reason(study_dir):
    quarantine = collect.collect(Study.load(study_dir), SECRET).quarantine
    survey = quarantine[quarantine["source"] == "survey"].set_index("row")
    assert survey.loc[4, "reason"] == "blank row: no answer at all"
    assert "Submitted: not a date/time" in survey.loc[5, "reason"]
    assert "ID: repeats an id already used above" in survey.loc[6, "reason"]
    tx = quarantine[quarantine["source"] == "transactions"].set_index("row")
    assert tx.loc[4, "values"] == "2026-02-31 12:00"
    assert tx.loc[5, "reason"] == "Card number: required value is missing"
    assert tx.loc[6, "reason"] == "Amount: not a number"
    assert quarantine.loc[quarantine["source"] == "transcripts", "file"].tolist() == ["INT-02.txt"]


def test_one_person_is_linked_across_sources_without_clear_text(study_dir):
    result = collect.collect(Study.load(study_dir), SECRET)
    survey, cards = result.tables["survey"], result.tables["cardholders"]
    ann = survey.loc[survey["respondent_id"] == "1", "person_key"].item()
    assert ann == cards.loc[cards["City"] == "Kyiv", "person_key"].item()
    assert result.tables["participants"]["person_key"].item() == ann
    assert result.tables["transcripts"]["person_key"].unique().tolist() == [ann]
    assert result.tables["transcripts"]["speaker"].tolist() == ["Interviewer", "Respondent"] * 2
    tx = result.tables["transactions"]
    assert set(tx["card_key"]) <= set(cards["card_key"])
    everything = "".join(t.to_csv() for t in result.tables.values()) + result.quarantine.to_csv()
    for clear in ["ann@example.com", "111 22 33", "1112233", "2700000000000001", "Ann", "Lee"]:
        assert clear not in everything


def test_types_of_transactions(study_dir):
    tx = collect.collect(Study.load(study_dir), SECRET).tables["transactions"]
    assert str(tx["date"].dtype).startswith("datetime64")
    assert tx["amount"].tolist() == [900.5, 2000.0]
    assert tx["discount"].tolist() == [True, False]


def test_writes_tables_and_manifest(study_dir):
    s = Study.load(study_dir)
    manifest = collect.write_outputs(s, collect.collect(s, SECRET), {"study": "tiny"})
    assert manifest["outputs"]["respondents"]["rows"] == 2
    assert manifest["inputs"]["survey"]["path"] == "survey.csv"
    assert len(manifest["inputs"]["survey"]["sha256"]) == 64
    assert pd.read_parquet(s.processed / "quarantine.parquet").shape[0] == 7
    assert (s.processed / "manifest_01_collect.json").exists()


def test_study_with_only_transactions_runs(study_dir):
    yml = study_dir / "study.yml"
    text = yml.read_text()
    keep = text[text.index("  transactions:"):]
    yml.write_text(text[: text.index("sources:")] + "sources:\n" + keep)
    result = collect.collect(Study.load(study_dir), SECRET)
    assert list(result.tables) == ["transactions"]
    assert result.quality is None


def test_misnamed_column_gets_a_suggestion(study_dir):
    yml = study_dir / "study.yml"
    yml.write_text(yml.read_text().replace("open_text: [Comment]", "open_text: [Coment]"))
    with pytest.raises(SourceFormatError, match=r"survey.csv: column 'Coment'.*Did you mean 'Comment'"):
        collect.collect(Study.load(study_dir), SECRET)


def test_a_survey_can_link_through_its_own_respondent_id(study_dir):
    text = (study_dir / "study.yml").read_text()
    (study_dir / "study.yml").write_text(text.replace("    id_column: ID\n    link_key: Phone\n",
                                                      "    id_column: ID\n    link_key: ID\n", 1))
    survey = collect.collect(Study.load(study_dir), SECRET).tables["survey"]
    expected = {privacy.pseudonym(v, "other", SECRET) for v in ("1", "2")}
    assert set(survey["person_key"]) == expected  # the same id in a CRM export gives the same person_key
    assert set(survey["respondent_id"]) == expected and not survey["respondent_id"].isin(["1", "2"]).any()


def test_a_link_key_that_is_not_declared_personal_is_refused(study_dir):
    from portrait.errors import StudyConfigError

    text = (study_dir / "study.yml").read_text()
    (study_dir / "study.yml").write_text(text.replace("    link_key: Phone\n    personal: {Email: email, Phone: phone}",
                                                      "    link_key: Phone\n    personal: {Email: email}", 1))
    with pytest.raises(StudyConfigError, match=r"link_key 'Phone' is not listed under `personal`; add it there"):
        Study.load(study_dir)
