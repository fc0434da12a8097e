"""Tabular sources (survey, card holders, transactions): encodings, delimiters, broken files, bad rows."""

import pandas as pd

from . import base
from .base import SURVEY_HEADER, SURVEY_ROWS, TX_HEADER, TX_ROWS, append, config, edit, survey
from .framework import Case, checks, error, quarantine, reading


def column(name):
    return lambda table: f"{name}={table[name].tolist()}"


def cyrillic_comments(folder, delimiter=",", encoding="utf-8"):
    rows = [r[:-1] + [f"Дуже дорого, але якість хороша і персонал привітний ({r[0]})"] for r in SURVEY_ROWS]
    survey(folder, rows, delimiter=delimiter, encoding=encoding)


def excel(folder, data: bytes | None = None):
    """The survey as an .xlsx workbook (a real one, or `data` under that name)."""
    path = folder / "survey.xlsx"
    if data is None:
        pd.DataFrame(SURVEY_ROWS, columns=SURVEY_HEADER).to_excel(path, index=False)
    else:
        path.write_bytes(data)
    with config(folder) as c:
        c["sources"]["survey"].update(path="survey.xlsx", format="excel")


def tx_cells(change):
    """Rewrite tx.csv, each line's cells passed through `change(cells)`."""
    def rewrite(folder):
        rows = [r.split(";") for r in TX_ROWS]
        for cells in rows:
            change(cells)
        (folder / "tx.csv").write_text("\n".join([TX_HEADER, *(";".join(c) for c in rows)]) + "\n", encoding="utf-8")
    return rewrite


def comma_amount(cells):
    cells[7] = cells[7].replace(".", ",") if "." in cells[7] else cells[7] + ",00"


def day_first(cells):
    cells[2] = f"{cells[2][8:10]}.{cells[2][5:7]}.{cells[2][:4]} {cells[2][11:]}"  # 02.01.2026 12:00


def decimal_commas(folder, declared):
    tx_cells(comma_amount)(folder)
    with config(folder) as c:
        c["sources"]["transactions"]["decimal"] = declared


def only_transactions(folder):
    with config(folder) as c:
        c["sources"] = {"transactions": c["sources"]["transactions"]}


def tx_line(amount="100", date="2026-05-20 10:00", card="2700000000001234", receipt="A9", store="Kyiv Podil"):
    return f"{receipt};{card};{date};{store};Kyiv;store;Bags;{amount};0;0"


def parquet_partitions(folder):
    """The line items as a typed parquet folder, one Hive partition per month (amounts numbers, dates timestamps)."""
    import pandas as pd

    lines = pd.DataFrame([r.split(";") for r in TX_ROWS], columns=TX_HEADER.split(";"))
    lines["Amount"] = lines["Amount"].astype(float)
    lines["Date"] = pd.to_datetime(lines["Date"], format="%Y-%m-%d %H:%M")
    for month, part in lines.groupby(lines["Date"].dt.strftime("%Y-%m")):
        (folder / "lines" / f"month={month}").mkdir(parents=True)
        part.to_parquet(folder / "lines" / f"month={month}" / "part-0.parquet", index=False)
    with config(folder) as c:
        c["sources"]["transactions"].update(path="lines", format="parquet")


def parquet_link_out(folder):
    parquet_partitions(folder)
    secret = base.outside(folder) / "elsewhere.parquet"
    (folder / "lines" / "month=2026-01" / "part-0.parquet").rename(secret)
    (folder / "lines" / "month=2026-01" / "part-1.parquet").symlink_to(secret)


def returns_quarantined(folder):
    append(folder / "tx.csv", tx_line("-2000"))
    with config(folder) as c:
        c["sources"]["transactions"]["returns"] = "quarantine"


def blank_row(folder):
    survey(folder, [SURVEY_ROWS[0], SURVEY_ROWS[1], [""] * len(SURVEY_HEADER), *SURVEY_ROWS[2:]])


def shifted_row(folder):
    # A broken export shifted the fields of one row two places left: the e-mail lands under `Submitted`.
    shifted = ["6", "eve.shifted@example.com", "+380 67 999 88 77", "Kyiv", "1", "1", "1", "", "", "", ""]
    survey(folder, [*SURVEY_ROWS, shifted])


CASES = [
    # Good inputs
    Case("the base study itself", None, "accepted", reading(),
         must=(r"survey: read 5 = kept 5 \+ quarantined 0", r"transcripts: read 2 = kept 2", r"transactions: read 6 = kept 6")),
    Case("an Excel export of the survey", excel, "accepted", reading("survey", column("City")),
         must=(r"read 5 = kept 5", "Одеса")),
    Case("a study with only transactions", only_transactions, "accepted", reading("transactions", column("amount")),
         must=(r"read 6 = kept 6", r"900\.5")),
    Case("UTF-16 survey with a byte-order mark", lambda f: survey(f, delimiter="\t", encoding="utf-16"), "accepted",
         reading("survey", column("City")), must=(r"read 5 = kept 5", "Одеса")),
    Case("UTF-16 survey without a byte-order mark", lambda f: survey(f, delimiter="\t", encoding="utf-16-le"),
         "accepted", reading("survey", column("City")), must=(r"read 5 = kept 5", "Одеса")),
    Case("cp1251 survey", lambda f: cyrillic_comments(f, ";", "cp1251"), "accepted",
         reading("survey", column("Comment")), must=(r"read 5 = kept 5", "Дуже дорого, але якість хороша")),
    Case("semicolon-delimited survey", lambda f: survey(f, delimiter=";"), "accepted",
         reading("survey", column("City")), must=(r"read 5 = kept 5", r"'Kyiv', 'Lviv', 'Одеса'")),
    Case("tab-delimited survey", lambda f: survey(f, delimiter="\t"), "accepted",
         reading("survey", column("City")), must=(r"read 5 = kept 5", r"'Kyiv', 'Lviv', 'Одеса'")),
    Case("pipe-delimited survey", lambda f: survey(f, delimiter="|"), "accepted",
         reading("survey", column("City")), must=(r"read 5 = kept 5", r"'Kyiv', 'Lviv', 'Одеса'")),
    Case("decimal-comma amounts with decimal: \",\"", lambda f: decimal_commas(f, ","), "accepted",
         reading("transactions", column("amount")), must=(r"read 6 = kept 6", r"900\.5, 2000\.0, 1500\.0, 450\.25")),
    # Broken files
    Case("decimal-comma amounts declared decimal: \".\"", lambda f: decimal_commas(f, "."), "error", error(),
         must=(r"tx\.csv", r"all 6 rows were quarantined", r'set `decimal: ","` under `sources\.transactions`')),
    Case("duplicated column headers", lambda f: survey(f, header=[*SURVEY_HEADER[:9], "Agree 2", "Comment"]),
         "error", error(), must=(r"survey\.csv", r"\['Agree 2'\] appear more than once", "rename them")),
    Case("truncated .xlsx", lambda f: excel(f, b"PK\x03\x04" + b"\x00" * 40), "error", error(),
         must=(r"survey\.xlsx", r"not a complete \.xlsx file", r"save it again as \.xlsx")),
    Case(".xls workbook renamed .xlsx", lambda f: excel(f, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
         "error", error(), must=(r"survey\.xlsx", r"an old \.xls workbook renamed \.xlsx", r"save it again as \.xlsx")),
    Case("empty card-holder file", lambda f: (f / "cards.csv").write_text(""), "error", error(),
         must=(r"cards\.csv", "the file is empty", "Export the data again")),
    Case("header-only card-holder file", lambda f: (f / "cards.csv").write_text("Card;Name;Phone;City\n"), "error",
         error(), must=(r"source `cardholders` \(cards\.csv\): nothing to read", "a header only")),
    Case("every transaction date in another format", tx_cells(day_first), "error", error(),
         must=(r"source `transactions` \(tx\.csv\): all 6 rows were quarantined",
               r"6 × Date: not a date/time in the format", "date_format")),
    # Bad rows
    Case("amount inf", lambda f: edit(f / "tx.csv", ";900.50;", ";inf;"), "quarantined", quarantine("transactions"),
         must=(r"tx\.csv row 2 \[inf\]: Amount: not a finite number", r"read 6 = kept 5 \+ quarantined 1")),
    Case("amount 1e400", lambda f: edit(f / "tx.csv", ";2000;", ";1e400;"), "quarantined", quarantine("transactions"),
         must=(r"tx\.csv row 3 \[1e400\]: Amount: not a finite number", r"read 6 = kept 5 \+ quarantined 1")),
    Case("negative amount (a return)", lambda f: append(f / "tx.csv", tx_line("-2000")), "flagged",
         checks("transactions"), must=(r"returns \(negative amounts\).*: 1 row\(s\), amount 2000", r"read 7 = kept 7")),
    Case("negative amount with returns: quarantine", returns_quarantined, "quarantined", quarantine("transactions"),
         must=(r"row 8 \[-2000\]: Amount: a return \(negative amount\)", r"read 7 = kept 6 \+ quarantined 1")),
    Case("purchase dated after export_date", lambda f: append(f / "tx.csv", tx_line(date="2099-01-07 12:00")),
         "quarantined", quarantine("transactions"),
         must=(r"row 8 \[2099-01-07 12:00\]: Date: dated after the export date 2026-06-30", r"quarantined 1")),
    Case("card nobody holds", lambda f: append(f / "tx.csv", tx_line(card="2700000000007777")), "flagged",
         checks("transactions"), must=(r"cards not in the card-holder table \(1 cards\), kept: 1 row", r"read 7 = kept 7")),
    Case("exact duplicate line item", lambda f: append(f / "tx.csv", TX_ROWS[1]), "flagged", checks("transactions"),
         must=(r"exact duplicate line items.*: 1 row", r"read 7 = kept 7")),
    Case("NUL byte in a card-holder id", lambda f: append(f / "cards.csv",
                                                         "27000000000034\x0056;Bohdana Tkachyshyn;+380 67 999 88 77;Kharkiv"),
         "quarantined", quarantine("cardholders"), must=(r"cards\.csv row 5 .*NUL byte", r"read 4 = kept 3 \+ quarantined 1")),
    Case("NUL byte in a text cell", lambda f: append(f / "tx.csv", tx_line(store="Kyiv\x00Podil")), "quarantined",
         quarantine("transactions"), must=(r"tx\.csv row 8 .*NUL byte", r"read 7 = kept 6 \+ quarantined 1")),
    Case("a transaction dated 31 February", lambda f: append(f / "tx.csv", tx_line(date="2026-02-31 12:00")),
         "quarantined", quarantine("transactions"),
         must=(r"tx\.csv row 8 \[2026-02-31 12:00\]: Date: not a date/time in the format %Y-%m-%d %H:%M",
               r"read 7 = kept 6 \+ quarantined 1")),
    Case("a line item without a card", lambda f: append(f / "tx.csv", tx_line(card="")), "quarantined",
         quarantine("transactions"), must=(r"tx\.csv row 8 \[\]: Card number: required value is missing",
                                           r"read 7 = kept 6 \+ quarantined 1")),
    Case("a discount flag that is not 0/1", lambda f: append(f / "tx.csv", tx_line().replace(";0;0", ";maybe;0")),
         "quarantined", quarantine("transactions"),
         must=(r"tx\.csv row 8 \[maybe\]: Discount: not a 0/1 flag", r"read 7 = kept 6 \+ quarantined 1")),
    Case("line items as a Hive-partitioned parquet folder", parquet_partitions, "accepted",
         reading("transactions", lambda t: f"amount={sorted(t['amount'].tolist())}"),
         must=(r"read 6 = kept 6", r"amount=\[450\.25, 900\.5, 1200\.0, 1500\.0, 2000\.0, 3100\.0\]")),
    Case("a parquet partition linking out of the study", parquet_link_out, "error", error(),
         must=(r"part-1\.parquet: leads out of the study folder", "keep every file of a source inside it")),
    Case("invalid survey date", lambda f: base.set_answer(f, 3, "Submitted", "2026-02-31 10:20"), "quarantined",
         quarantine("survey"), must=(r"survey\.csv row 4 \[2026-02-31 10:20\]: Submitted: not a date/time",
                                     r"read 5 = kept 4 \+ quarantined 1")),
    Case("blank survey row", blank_row, "quarantined", quarantine("survey"),
         must=(r"survey\.csv row 4 \[\]: blank row: no answer at all", r"read 6 = kept 5 \+ quarantined 1")),
    Case("duplicate respondent id (first kept)", lambda f: survey(f, [*SURVEY_ROWS, ["2", *SURVEY_ROWS[3][1:]]]),
         "quarantined", quarantine("survey"),
         must=(r"survey\.csv row 7 \[2\]: ID: repeats an id already used above", r"read 6 = kept 5 \+ quarantined 1")),
    Case("fields shifted: an e-mail under a date column", shifted_row, "quarantined", quarantine("survey"),
         must=(r"survey\.csv row 7 \[.*\[email\].*\]: .*Submitted: not a date/time", r"read 6 = kept 5 \+ quarantined 1")),
]
