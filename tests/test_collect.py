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
    assert tx.loc[6, "reason"] == "Amount: not a finite number"
    assert quarantine.loc[quarantine["source"] == "transcripts", "file"].tolist() == ["INT-02.txt"]


def test_one_person_is_linked_across_sources_without_clear_text(study_dir):
    result = collect.collect(Study.load(study_dir), SECRET)
    survey, cards = result.tables["survey"], result.tables["cardholders"]
    ann = survey.loc[survey["respondent_id"] == "1", "person_key"].item()
    assert ann == cards.loc[cards["City"] == "Kyiv", "person_key"].item()
    assert result.tables["participants"]["person_key"].item() == ann
    assert result.tables["transcripts"]["person_key"].unique().tolist() == [ann]
    assert result.tables["transcripts"]["speaker"].tolist() == ["Interviewer", "Respondent"] * 2
    tx = result.tables["transactions"].to_pandas()  # the line items stay in the engine's file until asked for
    assert set(tx["card_key"]) <= set(cards["card_key"])
    tables = {**result.tables, "transactions": tx}
    everything = "".join(t.to_csv() for t in tables.values()) + result.quarantine.to_csv()
    for clear in ["ann@example.com", "111 22 33", "1112233", "2700000000000001", "Ann", "Lee"]:
        assert clear not in everything


def test_types_of_transactions(study_dir):
    tx = collect.collect(Study.load(study_dir), SECRET).tables["transactions"].to_pandas()
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


# ---------------------------------------------------------------- hostile inputs (issue 13, first cases)

def test_a_transcript_linking_outside_the_study_is_not_read(study_dir, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("Interviewer: hi\nRespondent: SECRET-OUTSIDE-TEXT lives here\n")
    (study_dir / "interviews" / "INT-98.txt").symlink_to(outside)
    result = collect.collect(Study.load(study_dir), SECRET)
    turns = result.tables["transcripts"]
    assert not turns["text"].str.contains("SECRET-OUTSIDE-TEXT").any()
    bad = result.quarantine[result.quarantine["file"] == "INT-98.txt"]
    assert bad["reason"].str.contains("links to a place outside the study folder").all() and len(bad) == 1
    assert "transcript:INT-98.txt" not in result.sources["transcripts"].files  # not hashed into the manifest
    assert result.reconciliation["reconciles"].all()


def test_a_column_nobody_declared_personal_holding_contacts_is_refused(study_dir):
    survey = (study_dir / "survey.csv").read_text(encoding="cp1251").splitlines()
    survey[0] += ";Backup contact"
    survey[1:] = [f"{line};x{i}@example.org" for i, line in enumerate(survey[1:], start=1)]
    (study_dir / "survey.csv").write_text("\n".join(survey) + "\n", encoding="cp1251")
    with pytest.raises(SourceFormatError, match=r"(?s)survey.csv: personal data in column\(s\) not declared personal.*"
                                                r"'Backup contact': 5 of 5 values are email addresses — add "
                                                r"`Backup contact: email` under `sources.survey.personal`"):
        collect.collect(Study.load(study_dir), SECRET)


def test_a_quarantined_value_shows_no_contact_whatever_its_column(study_dir):
    text = (study_dir / "survey.csv").read_text(encoding="cp1251")
    shifted = "4;eve@example.com;+380 67 999 88 77;eve2@example.com;;1;1;\n"  # fields shifted left by a broken export
    (study_dir / "survey.csv").write_text(text + shifted, encoding="cp1251")
    quarantine = collect.collect(Study.load(study_dir), SECRET).quarantine
    values = " ".join(quarantine["values"].dropna())
    assert "eve@example.com" not in values and "999 88 77" not in values and "[email]" in values


def test_obfuscated_e_mails_and_ibans_are_masked_in_free_text():
    for text in ["ivan dot petrenko at gmail dot com", "ivan[at]gmail.com", "ivan (at) mail (dot) ua",
                 "Ivan.Petrenko AT ukr DOT net"]:
        assert privacy.mask_text(f"write to {text} please") == "write to [email] please", text
    assert privacy.mask_text("IBAN UA213223130000026007233566001") == "IBAN [iban]"
    assert privacy.mask_text("I will be at home at 5, see you at the shop.") == "I will be at home at 5, see you at the shop."


def test_an_error_never_echoes_a_long_value(tmp_path):
    from portrait.config import yamlconfig
    from portrait.errors import StudyConfigError

    folder = tmp_path / "data" / "raw" / "big"
    folder.mkdir(parents=True)
    (folder / "study.yml").write_text("name: big\nlanguages: [" + "x" * 5000 + "]\nsources: {}\n")
    with pytest.raises(StudyConfigError) as error:
        Study.load(folder)
    assert len(str(error.value)) < 600 and "characters)" in str(error.value)
    assert yamlconfig.MAX_BYTES >= 1_000_000


def _decimal_commas(study_dir, decimal: str | None) -> None:
    lines = (study_dir / "tx.csv").read_text().splitlines()
    header, rows = lines[0], [line.rsplit(";", 3) for line in lines[1:]]
    comma = [f"{left};{amount.replace('.', ',') if '.' in amount else amount + ',00'};{d};{n}"
             for left, amount, d, n in rows]  # decimal commas, as a European accounting export writes them
    (study_dir / "tx.csv").write_text("\n".join([header, *comma]) + "\n")
    if decimal:
        config = (study_dir / "study.yml").read_text().replace(
            "    personal: {Card number: card}\n", f"    personal: {{Card number: card}}\n    decimal: {decimal!r}\n", 1)
        (study_dir / "study.yml").write_text(config)


def test_a_source_whose_every_row_is_quarantined_is_an_error(study_dir):
    _decimal_commas(study_dir, ".")  # a decimal point declared, but the export writes commas
    with pytest.raises(SourceFormatError, match=r"source `transactions` \(tx.csv\): all 5 rows were quarantined — "
                                                r".*set `decimal: \",\"` under `sources.transactions`"):
        collect.collect(Study.load(study_dir), SECRET)


def test_a_decimal_comma_is_detected_and_said(study_dir):
    _decimal_commas(study_dir, None)
    result = collect.collect(Study.load(study_dir), SECRET)
    assert result.tables["transactions"].to_pandas()["amount"].tolist() == [900.5, 2000.0]
    checks = result.checks
    assert checks["check"].str.contains("decimal comma").any()
    assert checks.loc[checks["check"].str.contains("decimal comma"), "rows"].iloc[0] == 5


def test_a_declared_decimal_comma_is_read(study_dir):
    _decimal_commas(study_dir, ",")
    result = collect.collect(Study.load(study_dir), SECRET)
    assert result.tables["transactions"].to_pandas()["amount"].tolist() == [900.5, 2000.0]
    assert not result.checks["check"].str.contains("decimal comma").any()  # declared, nothing to say


def test_infinite_amounts_are_quarantined(study_dir):
    text = (study_dir / "tx.csv").read_text().replace(";900.50;", ";1e400;")
    (study_dir / "tx.csv").write_text(text)
    result = collect.collect(Study.load(study_dir), SECRET)
    bad = result.quarantine[(result.quarantine["source"] == "transactions") & (result.quarantine["values"] == "1e400")]
    assert len(bad) == 1 and bad["reason"].str.contains("Amount: not a finite number").all()
    assert result.tables["transactions"].to_pandas()["amount"].tolist() == [2000.0]


def test_a_header_only_source_is_an_error(study_dir):
    (study_dir / "cards.csv").write_text("Card;Phone;City\n")
    with pytest.raises(SourceFormatError, match=r"source `cardholders` \(cards.csv\): nothing to read"):
        collect.collect(Study.load(study_dir), SECRET)


def test_a_row_with_a_nul_byte_is_quarantined(study_dir):
    text = (study_dir / "cards.csv").read_text()
    (study_dir / "cards.csv").write_text(text + "2700000000000009;+380 50 000 00 09;Od\x00esa\n")
    result = collect.collect(Study.load(study_dir), SECRET)
    holders = result.tables["cardholders"]
    assert not holders.astype("string").apply(lambda c: c.str.contains("\x00", regex=False)).any().any()
    bad = result.quarantine[result.quarantine["source"] == "cardholders"]
    assert bad["reason"].str.contains("NUL byte").tolist() == [True] and result.reconciliation["reconciles"].all()


def test_returns_duplicates_and_unknown_cards_are_kept_and_counted(study_dir):
    extra = ("A1;2700000000000001;2026-01-02 12:00;Kyiv Podil;Kyiv;store;Bags;2000;0;1\n"   # exact duplicate
             "A5;2700000000000001;2026-01-07 12:00;Kyiv Podil;Kyiv;store;Bags;-2000;0;0\n"  # a return
             "A6;2700000000000077;2026-01-08 12:00;Kyiv Podil;Kyiv;store;Tops;100;0;0\n")   # nobody holds this card
    (study_dir / "tx.csv").write_text((study_dir / "tx.csv").read_text() + extra)
    result = collect.collect(Study.load(study_dir), SECRET)
    checks = result.checks.set_index("check")
    assert checks.filter(like="returns", axis=0)[["rows", "amount"]].iloc[0].tolist() == [1, 2000.0]
    assert checks.filter(like="exact duplicate", axis=0)["rows"].iloc[0] == 1
    orphans = checks.filter(like="cards not in the card-holder table", axis=0)
    assert orphans["rows"].iloc[0] == 1 and "(1 cards)" in orphans.index[0]
    assert result.reconciliation["reconciles"].all() and len(result.tables["transactions"]) == 5


def test_returns_can_be_quarantined_and_future_dates_are(study_dir):
    extra = ("A5;2700000000000001;2026-01-07 12:00;Kyiv Podil;Kyiv;store;Bags;-2000;0;0\n"
             "A7;2700000000000001;2099-01-07 12:00;Kyiv Podil;Kyiv;store;Bags;50;0;0\n")
    (study_dir / "tx.csv").write_text((study_dir / "tx.csv").read_text() + extra)
    config = (study_dir / "study.yml").read_text().replace(
        "    personal: {Card number: card}\n", "    personal: {Card number: card}\n    returns: quarantine\n"
        "    export_date: 2026-03-01\n", 1)
    (study_dir / "study.yml").write_text(config)
    quarantine = collect.collect(Study.load(study_dir), SECRET).quarantine.set_index("values")
    assert "a return (negative amount)" in quarantine.loc["-2000", "reason"]
    assert "dated after the export date 2026-03-01" in quarantine.loc["2099-01-07 12:00", "reason"]


def test_a_ragged_row_is_quarantined_by_its_line_and_the_rest_is_kept(study_dir):
    text = (study_dir / "survey.csv").read_text(encoding="cp1251")
    text = text.replace("2;2026-01-01 10:05;590;", "2;2026-01-01 10:05;590;extra;")  # one cell too many
    (study_dir / "survey.csv").write_text(text, encoding="cp1251")
    result = collect.collect(Study.load(study_dir), SECRET)
    bad = result.quarantine[result.quarantine["source"] == "survey"]
    ragged = bad[bad["reason"].str.contains("line 3 has 9 cells, the header 8")]
    assert len(ragged) == 1 and ragged["row"].iloc[0] == 3 and ragged["values"].iloc[0] == ""
    assert result.reconciliation["reconciles"].all()
    assert "1" in result.tables["survey"]["respondent_id"].tolist()


def test_a_two_row_excel_header_is_read_with_header_row(study_dir):
    from openpyxl import Workbook

    rows = [line.split(",") for line in (study_dir / "cards.csv").read_text().replace(";", ",").splitlines()]
    book = Workbook()
    book.active.append(["Loyalty programme", None, None])
    for row in rows:
        book.active.append(row)
    book.save(study_dir / "cards.xlsx")
    config = (study_dir / "study.yml").read_text().replace("    path: cards.csv\n", "    path: cards.xlsx\n    format: excel\n")
    (study_dir / "study.yml").write_text(config)
    with pytest.raises(SourceFormatError, match=r"cards.xlsx: .*no header in row 1.*`header_row:`"):
        collect.collect(Study.load(study_dir), SECRET)
    (study_dir / "study.yml").write_text(config.replace("    format: excel\n", "    format: excel\n    header_row: 2\n"))
    result = collect.collect(Study.load(study_dir), SECRET)
    assert len(result.tables["cardholders"]) == 2 and result.tables["cardholders"]["_row"].tolist() == [3, 4]


def test_a_misplaced_header_points_at_its_row(study_dir):
    text = "Export of 2026-01-01;;\n" + (study_dir / "cards.csv").read_text()
    (study_dir / "cards.csv").write_text(text)
    with pytest.raises(SourceFormatError, match=r"cards.csv: column 'Card'.*It is in row 2 of the file: set `header_row: 2`"):
        collect.collect(Study.load(study_dir), SECRET)


def test_known_names_are_masked_inflected_in_open_answers_and_transcripts(study_dir):
    # A card holder (only the loyalty export knows him) and a participant (Ann Lee), named inflected in a survey
    # open answer and in an interview: neither may reach any written file.
    import re

    config = (study_dir / "study.yml").read_text()
    (study_dir / "study.yml").write_text(config.replace("    personal: {Card: card, Phone: phone}\n",
                                                        "    personal: {Card: card, Phone: phone, Name: name}\n", 1))
    (study_dir / "cards.csv").write_text("Card;Phone;City;Name\n2700000000000001;380671112233;Kyiv;Тарас Мельничук\n"
                                         "2700000000000002;+48 601 000 000;Lviv;Olena Shevchuk\n")
    survey = (study_dir / "survey.csv").read_text(encoding="cp1251")
    answer = ";Дуже дорого, спитайте Тарасові Мельничукові або Ann's sister\n"
    (study_dir / "survey.csv").write_text(survey.replace(";Дуже дорого\n", answer), encoding="cp1251")
    with (study_dir / "interviews" / "INT-01.txt").open("a") as transcript:
        transcript.write("Respondent: Я була там з Тарасом Мельничуком, and Olena's bag, Shevchuk's too.\n")
    s = Study.load(study_dir)
    result = collect.collect(s, SECRET)
    collect.write_outputs(s, result, {"study": "tiny"})
    assert result.tables["survey"]["Comment"].str.contains(r"\[name\] \[name\] або \[name\] sister").any()
    assert result.tables["transcripts"]["text"].str.contains(r"з \[name\] \[name\], and \[name\] bag").any()
    cyrillic, latin = ["Тарас", "Мельничук"], ["Olena", "Shevchuk", "Ann", "Lee"]
    files = [p for p in s.processed.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files)
    for path in files:
        data = path.read_bytes()
        texts = [data.decode("utf-8", errors="replace")]
        if path.suffix == ".parquet":  # the cells as well as the bytes: a compressed page hides nothing then
            texts.append(pd.read_parquet(path).to_csv())
        for text in texts:
            for stem in cyrillic:
                assert stem.casefold() not in text.casefold(), f"{path.name} holds {stem!r}"
            for word in latin:
                assert not re.search(rf"(?<![^\W\d_]){word}(?![^\W\d_])", text, re.IGNORECASE), \
                    f"{path.name} holds {word!r}"


def test_an_undeclared_name_column_is_refused_but_a_store_name_is_not(study_dir):
    cards = "Card;Phone;City;Name;Store name\n2700000000000001;380671112233;Kyiv;Olena Shevchuk;Kyiv Podil\n" \
            "2700000000000002;+48 601 000 000;Lviv;Taras Melnychuk;Lviv Center\n"
    (study_dir / "cards.csv").write_text(cards)
    with pytest.raises(SourceFormatError, match=r"(?s)cards.csv: personal data.*column .Name.: 2 of 2 values read like "
                                                r"people's names — add `Name: name` under `sources.cardholders.personal`"):
        collect.collect(Study.load(study_dir), SECRET)
    config = (study_dir / "study.yml").read_text().replace("personal: {Card: card, Phone: phone}",
                                                           "personal: {Card: card, Phone: phone, Name: name}")
    (study_dir / "study.yml").write_text(config)
    table = collect.collect(Study.load(study_dir), SECRET).tables["cardholders"]
    assert "Name" not in table and table["Store name"].tolist() == ["Kyiv Podil", "Lviv Center"]
