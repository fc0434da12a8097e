"""Rows and files a reader cannot take as they stand (ragged, undecodable, binary, broken cue timings, headers
below a title row), decimal marks, SPSS without labels, undeclared name columns, inflected names, blank answers."""

import pandas as pd

from portrait.survey import codebook

from . import base
from .base import SURVEY_HEADER, SURVEY_ROWS, TX_HEADER, TX_ROWS, config, csv_text, survey
from .framework import Case, Outcome, checks, error, masking, quarantine, reading, step01
from .cases_tables import comma_amount, tx_cells
from .cases_transcripts import transcript


def ragged_row(folder):
    text = csv_text(SURVEY_HEADER, SURVEY_ROWS).replace("Too expensive, sorry", "Too expensive,sorry\",\"x")
    (folder / "survey.csv").write_text(text.replace('"Too expensive,sorry","x"', "Too expensive,sorry,x"),
                                       encoding="utf-8")


def stray_latin1_byte(folder):
    rows = [list(r) for r in SURVEY_ROWS]
    data = csv_text(SURVEY_HEADER, rows).encode("utf-8").replace(b"Nice shop", b"Nice caf\xe9")
    (folder / "survey.csv").write_bytes(data.replace(b"Too expensive", "Дуже дорого, ціни".encode("utf-8")))


def title_above_header(folder, header_row=None):
    text = "Survey export 2026-01-03,,,,,,,,,,\n" + csv_text(SURVEY_HEADER, SURVEY_ROWS)
    (folder / "survey.csv").write_text(text, encoding="utf-8")
    if header_row:
        with config(folder) as c:
            c["sources"]["survey"]["header_row"] = header_row


def grouped_excel(folder, header_row=None):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    groups = ["Respondent"] + [None] * 6 + ["Agreement", None, None, "Open"]
    sheet.append(groups)
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("H1:J1")
    sheet.append(SURVEY_HEADER)
    for row in SURVEY_ROWS:
        sheet.append(row)
    book.save(folder / "survey.xlsx")
    with config(folder) as c:
        c["sources"]["survey"].update(path="survey.xlsx", format="excel", **({"header_row": header_row} if header_row else {}))


def spss_survey(folder, labels=True, blank_rows=0):
    import pyreadstat

    frame = pd.DataFrame({"ID": [1.0, 2.0, 3.0, 4.0, *[5.0 + i for i in range(blank_rows)]],
                          "City": [1.0, 2.0, 1.0, 2.0, *[float("nan")] * blank_rows],
                          "Agree1": [4.0, 5.0, 2.0, 1.0, *[float("nan")] * blank_rows]})
    pyreadstat.write_sav(frame, str(folder / "survey.sav"),
                         variable_value_labels={"City": {1.0: "Kyiv", 2.0: "Lviv"}} if labels else None)
    with config(folder) as c:
        c["sources"]["survey"] = {"path": "survey.sav", "format": "spss", "id_column": "ID",
                                  "quality": {"duplicate_on": []}}


def stray_byte_in_lines(folder):
    # Cyrillic store names keep the file UTF-8 as detected; one byte of another encoding breaks one row.
    text = (folder / "tx.csv").read_text(encoding="utf-8").replace("Kyiv Podil", "Київ Поділ")
    data = text.replace("Lviv Center", "Львів Центр").encode("utf-8")
    (folder / "tx.csv").write_bytes(data.replace(b"Online shop;Lviv", b"Online caf\xe9;Lviv", 1))


def cp1251_lines(folder):
    text = (folder / "tx.csv").read_text(encoding="utf-8").replace("Kyiv Podil", "Київ Поділ")
    (folder / "tx.csv").write_bytes(text.encode("cp1251"))


def comma_durations(folder):
    rows = [list(r) for r in SURVEY_ROWS]
    for row in rows:
        row[2] = row[2] + ",5"
    survey(folder, rows)


def header_only_survey(folder):
    (folder / "survey.csv").write_text(",".join(SURVEY_HEADER) + "\n", encoding="utf-8")


def undeclared_name_column(folder):
    rows = [[*r, n] for r, n in zip(SURVEY_ROWS, ["Bohdana Tkachyshyn", "Ostap Hnatyshyn", "Zlata Prokopovych",
                                                    "Myroslav Fedoryshyn", "Solomiia Dziuba"])]
    survey(folder, rows, header=[*SURVEY_HEADER, "Full name"])


CYRILLIC_HOLDER = "2700000000004444;Тарас Мельничук;+380 67 444 44 44;Kyiv"


def inflected_holder_in_survey(folder):
    base.append(folder / "cards.csv", CYRILLIC_HOLDER)
    base.set_answer(folder, 4, "Comment", "Дякую Тарасові Мельничуку за допомогу")


def inflected_holder_in_transcript(folder):
    base.append(folder / "cards.csv", CYRILLIC_HOLDER)
    base.append(folder / "interviews" / "INT-02.txt", "Respondent: Я говорив з Тарасом Мельничуком учора.")


def name_in_date_column(folder):
    # Two fields lost at the start of a row: a card holder's name lands under `Submitted`.
    shifted = ["6", "Zlata Prokopovych", "Kyiv", "1", "1", "1", "", "", "", "", ""]
    survey(folder, [*SURVEY_ROWS, shifted])


BLANK_BOOK = """\
questions:
  - {id: city, column: City, type: single, labels: {1: Kyiv, 2: Lviv, 3: Одеса, 4: Dnipro}}
  - {id: seconds, column: Seconds, type: numeric, range: [0, 10000]}
  - {id: agree, pattern: "^Agree (.+)$", type: likert, range: [1, 5]}
"""


def coded(column):
    """Step 01, then the survey codebook applied to what it wrote (as step 02 does)."""
    def observe(folder):
        study, _ = step01(folder)
        (folder / "codebook.yml").write_text(BLANK_BOOK, encoding="utf-8")
        book = codebook.load_codebook(folder / "codebook.yml")
        result = codebook.apply(book, study.read("respondents"))
        values = result.data[column].tolist()
        return Outcome("accepted", f"{column} coded: {values}")
    return observe


def blank_column(name):
    def recipe(folder):
        rows = [list(r) for r in SURVEY_ROWS]
        for row in rows:
            row[SURVEY_HEADER.index(name)] = ""
        survey(folder, rows)
    return recipe


def comma_numbers(folder):
    rows = [list(r) for r in SURVEY_ROWS]
    for row, value in zip(rows, ["600,5", "590,25", "610", "580,75", "605"]):
        row[2] = value
    survey(folder, rows)


BROKEN_VTT = "WEBVTT\n\n00:01 -> 00:04\n<v Interviewer>Hello\n\n00:05 -> 00:09\n<v Respondent>Hi\n"

CASES = [
    Case("ragged survey row (one cell too many)", ragged_row, "quarantined", quarantine("survey"),
         must=(r"survey\.csv row 3 \[\]: line 3 has 13 cells, the header 11", r"read 5 = kept 4 \+ quarantined 1")),
    Case("every row split by another delimiter", lambda f: (f / "survey.csv").write_text(
             ";".join(SURVEY_HEADER) + "\n" + "".join(";".join(r).replace("Too expensive, sorry", "x") + ";extra\n"
                                                      for r in SURVEY_ROWS), encoding="utf-8"),
         "error", error(), must=(r"survey\.csv: 5 of 5 rows do not have the header's 11 cells", r"`delimiter:`")),
    Case("a latin-1 byte inside a UTF-8 survey", stray_latin1_byte, "quarantined", quarantine("survey"),
         must=(r"survey\.csv row 5 \[\]: line 5 holds byte\(s\) 0xE9", "re-export the file as UTF-8",
               r"read 5 = kept 4 \+ quarantined 1")),
    Case("a zip archive named survey.csv", lambda f: (f / "survey.csv").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4),
         "error", error(), must=(r"survey\.csv: this is not a text file but a zip archive", "Export the data again")),
    Case("a binary file named .txt in the transcripts", transcript("INT-03.txt", b"\x89PNG\r\n\x1a\n" + bytes(300)),
         "quarantined", quarantine("transcripts"),
         must=(r"INT-03\.txt .*not a text file but a PNG image", r"read 3 = kept 2 \+ quarantined 1")),
    Case(".vtt with broken cue timings", transcript("INT-03.vtt", BROKEN_VTT), "quarantined", quarantine("transcripts"),
         must=(r"INT-03\.vtt row 3 .*line 3: the cue timing '00:01 -> 00:04' cannot be read", "00:01:02.500 -->")),
    Case(".vtt without any cue timing", transcript("INT-03.vtt", "WEBVTT\n\nInterviewer: Hello\nRespondent: Hi\n"),
         "quarantined", quarantine("transcripts"), must=(r"INT-03\.vtt row 3 .*no cue timings",)),
    Case("Excel survey with group headers above the questions", grouped_excel, "error", error(),
         must=(r"survey\.xlsx: \d+ of 11 columns have no header in row 1", r"`header_row:`")),
    Case("Excel survey with group headers, header_row: 2", lambda f: grouped_excel(f, 2), "accepted",
         reading("survey", lambda t: f"_row={t['_row'].tolist()}; City={t['City'].tolist()}"),
         must=(r"read 5 = kept 5", r"_row=\[3, 4, 5, 6, 7\]", "Одеса")),
    Case("CSV with a title line above the header", title_above_header, "error", error(),
         must=(r"survey\.csv: column 'ID'", r"It is in row 2 of the file: set `header_row: 2`")),
    Case("CSV with a title line, header_row: 2", lambda f: title_above_header(f, 2), "accepted",
         reading("survey", lambda t: f"_row={t['_row'].tolist()}"), must=(r"read 5 = kept 5", r"_row=\[3, 4, 5, 6, 7\]")),
    Case("SPSS file without value labels", lambda f: spss_survey(f, labels=False), "flagged", checks("survey"),
         must=(r"survey\.sav has no value labels: answers are kept as their codes", r"read 4 = kept 4")),
    Case("SPSS file with value labels", spss_survey, "accepted",
         reading("survey", lambda t: f"City={t['City'].tolist()}"), must=(r"City=\['Kyiv', 'Lviv', 'Kyiv', 'Lviv'\]",)),
    Case("SPSS rows with an id and no answer", lambda f: spss_survey(f, blank_rows=2), "quarantined",
         quarantine("survey"), must=(r"survey\.sav row 6 \[\]: blank row: no answer at all", r"read 6 = kept 4 \+ quarantined 2")),
    Case("header-only survey", header_only_survey, "error", error(),
         must=(r"source `survey` \(survey\.csv\): nothing to read \(no rows\)", "a header only")),
    Case("decimal-comma amounts, mark not declared", lambda f: (tx_cells(comma_amount)(f), config_decimal(f)),
         "flagged", checks("transactions"),
         must=(r"amounts written with a decimal comma \(detected; set `decimal:`.*read as decimals: 6 row\(s\)",
               r"read 6 = kept 6")),
    Case("transaction row with one cell too many", lambda f: base.append(f / "tx.csv", TX_ROWS[2] + ";extra"),
         "quarantined", quarantine("transactions"),
         must=(r"tx\.csv row 8 \[\]: line 8 has 11 cells, the header 10", r"read 7 = kept 6 \+ quarantined 1")),
    Case("a latin-1 byte inside UTF-8 line items", stray_byte_in_lines, "quarantined", quarantine("transactions"),
         must=(r"tx\.csv row 4 \[\]: line 4 holds byte\(s\) 0xE9", "re-export the file as UTF-8",
               r"read 6 = kept 5 \+ quarantined 1")),
    Case("line items in cp1251 with Cyrillic stores", cp1251_lines, "accepted",
         reading("transactions", lambda t: f"store={t['store'].tolist()}"),
         must=(r"read 6 = kept 6", "Київ Поділ")),
    Case("a zip archive named tx.csv", lambda f: (f / "tx.csv").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4),
         "error", error(), must=(r"tx\.csv: this is not a text file but a zip archive", "Export the data again")),
    Case("survey durations with decimal commas", comma_numbers, "accepted", coded("seconds"),
         must=(r"seconds coded: \[600\.5, 590\.25, 610\.0, 580\.75, 605\.0\]",)),
    Case("a question nobody answered (step 02 coding)", blank_column("City"), "accepted", coded("city"),
         must=(r"city coded: \[<NA>, <NA>, <NA>, <NA>, <NA>\]",)),
    Case("a grid item nobody answered (step 02 coding)", blank_column("Agree 2"), "accepted", coded("agree__n2"),
         must=(r"agree__n2 coded: \[<NA>, <NA>, <NA>, <NA>, <NA>\]",)),
    Case("undeclared column of people's names", undeclared_name_column, "error", error(),
         must=(r"survey\.csv: personal data", r"column 'Full name': 5 of 5 values read like people's names",
               r"add `Full name: name` under `sources\.survey\.personal`")),
    Case("a known person's name shifted into a date column", name_in_date_column, "quarantined", quarantine("survey"),
         must=(r"survey\.csv row 7 \[Kyiv; \[name\] \[name\]\]: .*Submitted: not a date/time",)),
    Case("card holder's name inflected in an open answer", inflected_holder_in_survey, "masked",
         masking("respondents", "Comment", near="Дякую"), must=(r"'Дякую \[name\] \[name\] за допомогу'",)),
    Case("card holder's name inflected in a transcript", inflected_holder_in_transcript, "masked",
         masking("turns", "text", near="говорив"), must=(r"Я говорив з \[name\] \[name\] учора",)),
]


def config_decimal(folder):
    with config(folder) as c:
        c["sources"]["transactions"].pop("decimal", None)  # the default: auto
