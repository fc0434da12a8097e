"""Properties (hypothesis) of what crosses the workbook's borders: the CSV reader, the masking of personal
data, and the escaping of every output format (HTML, Markdown, CSV, Excel).

The profile is deterministic (`derandomize`: the same examples on every run, no example database) and
bounded, so the file runs in seconds and a failure reproduces."""

from __future__ import annotations

import copy
import csv
import io
import re
import tempfile
import zipfile
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from portrait.collect import privacy
from portrait.io import atomic, templating
from portrait.io.readers import read_csv
from portrait.report import report
from portrait.survey import banner

settings.register_profile("portrait", derandomize=True, max_examples=200, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile("portrait")
SLOW = settings(PROFILE, max_examples=60)  # properties that render a whole report or write a workbook


# --- text ------------------------------------------------------------------------------------------------

LATIN = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёыэъ"
LETTERS = LATIN + LATIN.upper() + CYRILLIC + CYRILLIC.upper()
# Characters a CSV writer has to quote, or a reader could split on.
CSV_SPECIAL = ['"', "'", ",", ";", "\t", "|", "\n", "\r\n", "\r", " ", "ї", "Ж", "ё"]
CP1251 = sorted({ch for ch in bytes(range(0x20, 0x100)).decode("cp1251", errors="ignore") if ch.isprintable()})


def joined(*parts, min_size=0, max_size=12):
    return st.lists(st.one_of(*parts), min_size=min_size, max_size=max_size).map("".join)


printable = st.characters(blacklist_categories=("Cs", "Cc"))


# --- CSV reader -----------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "cp1251", "utf-16"]
DELIMITERS = [",", ";", "\t", "|"]
# Header words as exports have them (Latin or Cyrillic, digits and underscores after the first letter).
header_word = st.builds(lambda first, rest: first + rest, st.sampled_from(LETTERS),
                        st.text(alphabet=LETTERS + "0123456789_", max_size=10))
# Headers of a cp1251 file: Cyrillic words. Telling cp1251 from cp1252 or koi8-r is statistics, which
# needs some real words; random Cyrillic letters alone are not always enough.
CP1251_HEADERS = ["Прізвище", "Телефон", "Місто", "Вік", "Стать", "Дата", "Сума", "Магазин", "Відповідь",
                  "Оцінка", "Коментар", "Город", "Возраст", "Ответ", "Покупка", "Область"]


def cell_text(encoding: str):
    base = st.sampled_from(CP1251) if encoding == "cp1251" else printable
    return joined(base, st.sampled_from(CSV_SPECIAL))


@st.composite
def csv_tables(draw, min_columns=1, cell_filter=None):
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from(DELIMITERS))
    words = st.sampled_from(CP1251_HEADERS) if encoding == "cp1251" else header_word
    headers = draw(st.lists(words, min_size=min_columns, max_size=6, unique=True))
    cells = cell_text(encoding) if cell_filter is None else cell_text(encoding).filter(cell_filter)
    rows = draw(st.lists(st.lists(cells, min_size=len(headers), max_size=len(headers)), min_size=1, max_size=30))
    return encoding, delimiter, headers, rows


def written_and_read(table, **options) -> pd.DataFrame:
    encoding, delimiter, headers, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(buffer.getvalue().encode(encoding))
        return read_csv(path, **options)


def assert_same_table(frame: pd.DataFrame, headers: list[str], rows: list[list[str]]) -> None:
    assert list(frame.columns) == ["_row", *headers]
    assert frame["_row"].tolist() == list(range(2, len(rows) + 2))
    for column, header in enumerate(headers):
        expected = [row[column] if row[column] != "" else None for row in rows]
        assert [None if pd.isna(v) else v for v in frame[header]] == expected, header


@PROFILE
@given(csv_tables())
def test_csv_reads_back_what_was_written_with_the_declared_delimiter(table):
    encoding, delimiter, headers, rows = table
    # UTF-8 (with or without BOM) and UTF-16 (BOM) identify themselves; a cp1251 file of arbitrary
    # characters is declared, as study.yml's `encoding:` does.
    declared = "cp1251" if encoding == "cp1251" else "auto"
    assert_same_table(written_and_read(table, encoding=declared, delimiter=delimiter), headers, rows)


def answer_like(cell: str) -> bool:
    return cell == "" or any(ch.isalnum() for ch in cell)


# Auto-detection from the text alone: a real export has a header row of several words, and its answers
# hold some letters or digits (quotation marks and other delimiters included). A file of a single column
# has no delimiter to detect.
@PROFILE
@given(csv_tables(min_columns=2, cell_filter=answer_like))
def test_csv_reads_back_what_was_written_with_detected_encoding_and_delimiter(table):
    encoding, delimiter, headers, rows = table
    assert_same_table(written_and_read(table, encoding="auto", delimiter="auto"), headers, rows)


# --- masking of personal data -------------------------------------------------------------------------------

digits = lambda n: st.text(alphabet="0123456789", min_size=n, max_size=n)  # noqa: E731
separator = st.sampled_from([" ", "-", ".", ""])


@st.composite
def grouped(draw, number: str) -> str:
    """`number` split into groups of 2-4 digits joined by a space, dash, dot or nothing."""
    parts, rest = [], number
    while rest:
        size = draw(st.integers(2, 4))
        parts.append(rest[:size])
        rest = rest[size:]
    return "".join(part + (draw(separator) if i < len(parts) - 1 else "") for i, part in enumerate(parts))


PHONE_FORMATS = ["+380{op}{sep}{rest}", "+380 {op} {rest}", "+38 (0{op}) {rest}", "+38(0{op}){rest}",
                 "380{op}{rest}", "00380 {op} {rest}", "0{op} {rest}", "0{op}-{rest}", "0{op}{rest}", "(0{op}) {rest}",
                 "(0{op}){rest}"]


@st.composite
def ukrainian_phone(draw, subscriber: str | None = None):
    """(the 9 digits after the trunk 0, the phone as someone wrote it), in international or national form."""
    subscriber = subscriber or draw(digits(9))
    written = draw(st.sampled_from(PHONE_FORMATS)).format(
        op=subscriber[:2], sep=draw(separator), rest=draw(grouped(subscriber[2:])))
    return subscriber, written


@st.composite
def international_phone(draw):
    country = draw(st.sampled_from(["1", "44", "48", "49", "380", "33", "420"]))
    national = draw(digits(draw(st.integers(8, 12 - len(country)))))
    return draw(st.sampled_from(["+{c} {n}", "+{c}{n}", "+{c} ({a}) {r}", "+{c}-{n}"])).format(
        c=country, n=draw(grouped(national)), a=national[:3], r=draw(grouped(national[3:])))


@st.composite
def card_number(draw, lengths=(13, 19)):
    number = draw(digits(draw(st.integers(*lengths))))
    style = draw(st.sampled_from(["plain", "fours", "dashes"]))
    if style == "plain":
        return number
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    return (" " if style == "fours" else "-").join(groups)


@st.composite
def iban(draw):
    country = draw(st.sampled_from(["UA", "DE", "PL", "GB", "FR", "LT"]))
    bban = draw(st.text(alphabet="0123456789" * 3 + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=11, max_size=30))
    value = country + draw(digits(2)) + bban
    if draw(st.booleans()):
        value = " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value


label = st.text(alphabet=LATIN + "0123456789", min_size=1, max_size=8) | st.text(alphabet=CYRILLIC, min_size=1,
                                                                                max_size=8)
email = st.builds(lambda local, joiner, more, domain, tld: f"{local}{joiner}{more}@{domain}.{tld}",
                  label, st.sampled_from([".", "_", "+", "-", ""]), st.text(alphabet=LATIN, max_size=5),
                  st.lists(label.map(str.lower), min_size=1, max_size=2).map(".".join),
                  st.sampled_from(["com", "ua", "net", "org", "укр", "de"]))

KINDS = {"email": email, "phone": ukrainian_phone().map(lambda p: p[1]) | international_phone(),
         "card": card_number(), "iban": iban()}

# Around a contact: any text without digits or `@`, so that it can neither be a contact itself nor lengthen
# the contact's run; between the two a boundary a person writes (space, line break, comma, brackets …).
surrounding = st.text(st.characters(blacklist_categories=("Cs", "Nd"), blacklist_characters="@"), max_size=30)
boundary = st.sampled_from([" ", "\n", ", ", " (", ") ", ". ", " — ", "; ", "\t", " «", "» ", ":", ": ", ".:"])


@PROFILE
@given(st.sampled_from(sorted(KINDS)).flatmap(lambda kind: st.tuples(st.just(kind), KINDS[kind])),
       surrounding, boundary, boundary, surrounding)
def test_mask_text_leaves_no_part_of_a_contact(kind_contact, before, left, right, after):
    kind, contact = kind_contact
    masked = privacy.mask_text(before + left + contact + right + after)
    assert contact not in masked
    # A phone of 13-15 digits (`00380 67 …`) is masked, but as a card (reported).
    assert f"[{kind}]" in masked or (kind == "phone" and "[card]" in masked)
    if kind == "email":
        assert "@" not in masked
    else:
        assert not re.search(r"\d", masked), masked  # no digit of the number is left


# Free text as people type it: contacts, numbers, dates, times and punctuation run together.
fragment = st.one_of(*KINDS.values(), digits(1), digits(4), st.sampled_from(
    [" ", ":", "@", ".", "-", "+", "(", ")", "[", "]", " at ", " dot ", "com", "12:30", "2024-01-05", "\n",
     "[phone]", "[card]", "UA", "тел."]), st.text(printable, max_size=6))


@PROFILE
@given(st.lists(fragment, max_size=8).map("".join))
def test_mask_text_is_idempotent(text):
    once = privacy.mask_text(text)
    assert privacy.mask_text(once) == once


# Whole cells. A phone written with the international prefix 00 and 13-15 digits is a card to both
# contact_kind and mask_text (masked either way), so the phone generator leaves that form out.
whole_cells = {"email": email,
               "phone": (ukrainian_phone().map(lambda p: p[1]) | international_phone()).filter(
                   lambda p: not p.startswith("00")),
               "card": card_number(), "iban": iban()}


@PROFILE
@given(st.sampled_from(sorted(whole_cells)).flatmap(lambda kind: st.tuples(st.just(kind), whole_cells[kind])),
       st.sampled_from(["", " ", "  "]))
def test_a_whole_cell_contact_is_masked_alike_by_cell_and_by_text(kind_contact, padding):
    kind, contact = kind_contact
    assert privacy.contact_kind(contact) == kind
    assert privacy.mask_cell(padding + contact + padding) == f"[{kind}]"
    assert privacy.mask_text(contact) == f"[{kind}]"


@PROFILE
@given(st.one_of(st.text(printable, max_size=40), st.lists(fragment, max_size=4).map("".join)))
def test_mask_cell_changes_only_contacts(text):
    kind = privacy.contact_kind(text.strip())
    assert privacy.mask_cell(text) == (f"[{kind}]" if kind else text)


def with_random_case(value: str, flips: list[bool]) -> str:
    return "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(value, flips + [False] * len(value)))


# A key is text (an environment variable or a key file). Raw bytes would not do: HMAC pads a key with zero
# bytes, so b"k" and b"k\0" are the same key.
secret = st.text(printable, min_size=8, max_size=32).map(str.encode)


@PROFILE
@given(email, st.lists(st.booleans(), max_size=40), secret, secret)
def test_pseudonym_of_an_email_ignores_case_and_depends_on_the_secret(address, flips, key, other_key):
    assume(key != other_key)
    pseudonym = privacy.pseudonym(address, "email", key)
    assert re.fullmatch(r"[0-9a-f]{16}", pseudonym)
    assert privacy.pseudonym(address, "email", key) == pseudonym  # deterministic
    assert privacy.pseudonym(with_random_case(address, flips), "email", key) == pseudonym
    assert privacy.pseudonym(f"  {address.upper()} ", "email", key) == pseudonym
    assert privacy.pseudonym(address, "email", other_key) != pseudonym


@PROFILE
@given(st.builds(str.__add__, st.sampled_from("3456789"), digits(8)), st.data(), secret, secret)
def test_pseudonym_of_a_phone_is_the_same_in_every_format(subscriber, data, key, other_key):
    assume(key != other_key)
    _, written = data.draw(ukrainian_phone(subscriber))
    _, other = data.draw(ukrainian_phone(subscriber))
    pseudonym = privacy.pseudonym(written, "phone", key)
    assert pseudonym == privacy.pseudonym(other, "phone", key) == privacy.pseudonym(f"+380{subscriber}", "phone", key)
    assert privacy.pseudonym(written, "phone", other_key) != pseudonym


# --- escaping of every output format ---------------------------------------------------------------------

ATTACKS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg/onload=alert(1)>", '"', "'", "&",
           "&amp;", "&#60;script&#62;", "&lt;b&gt;", "<!--", "-->", "<![CDATA[x]]>", "</textarea>", "</style>",
           '<a href="javascript:alert(1)">x</a>', "[x](javascript:alert(1))", "![x](javascript:alert(1))",
           "[x]: javascript:alert(1)", "<https://evil.example>", "https://evil.example/x", "www.evil.example",
           "`code`", "```", "~~~", "~~gone~~", "|", "| a | b |", "\n", "\r\n", "\n\n- item\n", "\n# heading",
           "\n> quote", "- ", "+ ", "1. ", "2) ", "---", "***", "___", "*", "_", "#", "\\", "$x$", "$$",
           "    indented", "{{ 7*7 }}", "{% raw %}", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)",
           "-1+2", "\t=1", "\r=1"]
hostile = joined(st.sampled_from(ATTACKS), st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
                 min_size=1, max_size=5).filter(str.strip)


class Structure(HTMLParser):
    """The elements, attribute names, comments and declarations of an HTML page, and its text."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.marks, self.text = [], []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.marks.append((tag, tuple(sorted(name for name, _ in attrs))))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.marks.append(("/" + tag,))

    def handle_comment(self, data):
        self.marks.append(("<!--",))

    def handle_decl(self, decl):
        self.marks.append(("<!", decl))

    def handle_pi(self, data):
        self.marks.append(("<?",))

    def unknown_decl(self, data):
        self.marks.append(("<![",))

    def handle_data(self, data):
        self.text.append(data)


def same_markup(hostile_page: str, plain_page: str) -> None:
    """Hostile text added no element, attribute, comment or declaration to the page."""
    assert Structure(hostile_page).marks == Structure(plain_page).marks


STRUCTURAL = {"stage", "unit"}  # keys the templates branch on; every other text of a card is study text


def fill(value, texts):
    """The structure with every text replaced by the next of `texts` (an iterator)."""
    if isinstance(value, dict):
        return {k: (v if k in STRUCTURAL else fill(v, texts)) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, texts) for v in value]
    return next(texts) if isinstance(value, str) else value


def cycle(values):
    while True:
        yield from values


@lru_cache(maxsize=1)
def persona_cards():
    """Two cards as step 05 builds them (tests/test_personas.py), every list of texts non-empty."""
    from test_personas import build

    cards = build()
    for card in cards:
        for stage in card["journey"]:
            stage["touchpoints"], stage["moves"], stage["stops"] = ["t"], ["m", "m"], ["s"]
        card["strategy"] = card["strategy"] or ["line"]
    return cards


def cards_with(texts: list[str]) -> list[dict]:
    return fill(copy.deepcopy(persona_cards()), cycle(texts))


texts = st.lists(hostile, min_size=1, max_size=4)


@SLOW
@given(texts)
def test_a_persona_card_in_html_holds_no_live_markup(strings):
    card, plain = cards_with(strings)[0], cards_with(["x"])[0]
    page = report.render_card(card, strings[0], "en")
    same_markup(page, report.render_card(plain, "x", "en"))
    assert strings[0] in "".join(Structure(page).text)  # shown as the text it is


def markdown_html(markdown: str) -> str:
    """The Markdown as HTML the way the stakeholder HTML of notebook 05 shows it (nbconvert, mistune),
    without the anchors nbconvert adds to headings (it leaves them out when a heading has control characters)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    page = markdown2html_mistune(markdown)
    page = re.sub(r'<a class="anchor-link" href="[^"]*">.*?</a>', "", page)
    return re.sub(r'(<h[1-6]) id="[^"]*"', r"\1", page)


def unescaped(markdown: str, characters: str) -> list[str]:
    """Occurrences of `characters` not preceded by a backslash escape."""
    return re.findall(rf"(?<!\\)(?:\\\\)*([{re.escape(characters)}])", markdown)


@SLOW
@given(texts)
def test_a_persona_card_in_markdown_holds_no_live_markup(strings):
    card, plain = cards_with(strings)[0], cards_with(["x"])[0]
    markdown = report.render_card(card, strings[0], "en", markdown=True)
    assert "<" not in markdown  # no raw HTML, no autolink
    # The template writes none of these; from study text they are escaped (links, images, code, math).
    assert unescaped(markdown, "[]`~$") == []
    assert "://" not in markdown.replace("\\://", "")  # no bare link a renderer would make live
    for line in markdown.splitlines():  # one evidence item a line; headings start their line
        assert line.count(" vs total ") <= 1 and not re.search(r".#{2,3} ", line.lstrip("#")), line
    same_markup(markdown_html(markdown), markdown_html(report.render_card(plain, "x", "en", markdown=True)))


@PROFILE
@given(hostile)
def test_markdown_escape_keeps_text_on_one_line_and_inert(text):
    escaped = templating.markdown_escape(text)
    assert "\n" not in escaped and "\r" not in escaped and "<" not in escaped
    assert unescaped(escaped, "[]`~$*_|#") == []
    # In a list item, a quote, a table cell or a heading it stays one paragraph of text.
    for form in ("- {}", "> {}", "| a |\n|---|\n| {} |", "# {} (#1)", "_{}_", "x: **{}** — y"):
        assert Structure(markdown_html(form.format(escaped))).marks == Structure(markdown_html(form.format("x"))).marks


@SLOW
@given(texts)
def test_the_report_holds_no_live_markup(strings):
    def page(values):
        first = values[0]
        context = {**report.FULL_CONTEXT, "rfm": [{first: first, "customers": 3}]}
        return report.render_report(cards_with(values), [{"title": first, "src": "data:image/png;base64,AAAA"}],
                                    {"sources": [{"source": first, "rows": first}]}, first, first, "en",
                                    currency=first, stamp=first, context=context)

    same_markup(page(strings), page(["x"]))


@SLOW
@given(st.lists(hostile, min_size=6, max_size=6, unique=True))
def test_survey_tables_and_the_run_index_hold_no_live_markup(strings):
    def table(values):
        row = pd.Series([values[0], values[1]] * 10, name=values[2])
        return banner.crosstab(row, {values[3]: pd.Series([values[4], values[5]] * 10)}, title=values[2])

    plain = list("abcdef")
    same_markup(table(strings).to_html(), table(plain).to_html())
    same_markup(banner.to_html_page([table(strings)], strings[0]), banner.to_html_page([table(plain)], "a"))
    run_index = lambda values: templating.render(  # noqa: E731
        "run_index.html.j2", study=values[0], run_id=values[1], executed=["01_collect"],
        skipped=[("02_survey_coding", values[2])], report=True)
    same_markup(run_index(strings), run_index(plain))


# Spreadsheet cells: any text a spreadsheet would not take for a formula must come back unchanged.
sheet_text = st.one_of(hostile, st.text(printable, max_size=10))


def neutral(value: str) -> str:
    return "'" + value if value.startswith(atomic.FORMULA_START) else value


@st.composite
def frames(draw):
    names = draw(st.lists(sheet_text, min_size=1, max_size=4, unique_by=neutral))
    rows = draw(st.integers(1, 8))
    columns, expected = {}, {}
    for name in names:
        kind = draw(st.sampled_from(["string", "object", "category"]))
        cell = sheet_text if kind != "object" else st.one_of(sheet_text, st.integers(-10**6, 10**6))
        values = draw(st.lists(st.one_of(cell, st.none()), min_size=rows, max_size=rows))
        series = pd.Series(values, dtype="object")
        columns[name] = series.astype("string" if kind == "string" else "category" if kind == "category" else object)
        expected[neutral(name)] = ["" if v is None else neutral(v) if isinstance(v, str) else str(v) for v in values]
    return pd.DataFrame(columns), expected


@PROFILE
@given(frames())
def test_write_csv_neutralises_formulas_and_keeps_other_text(frame_expected):
    frame, expected = frame_expected
    with tempfile.TemporaryDirectory() as folder:
        path = atomic.write_csv(frame, Path(folder) / "out.csv")
        with open(path, encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
    assert header == list(expected)
    assert [list(column) for column in zip(*rows)] == list(expected.values())
    for cell in header + [c for row in rows for c in row]:
        assert not cell.startswith(atomic.FORMULA_START) or re.fullmatch(r"-\d+", cell)  # numbers are numbers


# Without the control characters other than tab and line breaks, and the noncharacters U+FFFE/U+FFFF:
# openpyxl refuses them, so banner.to_excel stops on such a label (reported).
excel_text = st.one_of(st.sampled_from(ATTACKS), st.text(st.characters(
    blacklist_categories=("Cs", "Cn"), blacklist_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")),
    min_size=1, max_size=10)).filter(str.strip)


@SLOW
@given(st.lists(excel_text, min_size=5, max_size=5, unique=True))
def test_banner_workbook_stores_text_never_formulas(strings):
    from openpyxl import load_workbook

    row = pd.Series([strings[0], strings[1]] * 10)
    table = banner.crosstab(row, {strings[2]: pd.Series([strings[3], strings[4]] * 10)}, title=strings[0])
    with tempfile.TemporaryDirectory() as folder:
        path = banner.to_excel([table], Path(folder) / "tables.xlsx")
        with zipfile.ZipFile(path) as book:
            sheets = [book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(r"<(\w+:)?f[ >]", sheet) for sheet in sheets)  # no formula element
        sheet = load_workbook(path)["T1"]
        cells = [cell for line in sheet.iter_rows() for cell in line if cell.value is not None]
    # Text cells stay text, whatever they start with; the figures are numbers.
    assert all(cell.data_type == ("s" if isinstance(cell.value, str) else "n") for cell in cells)
    # Title, banner (spanning its categories), the categories (with their letters) and the row labels come back.
    assert sheet["A1"].value == strings[0] and sheet["C3"].value == strings[2]
    assert [sheet["C4"].value, sheet["E4"].value] == [f"{c} * ({letter})"
                                                      for c, letter in zip(sorted(strings[3:]), "AB")]
    assert {sheet["A5"].value, sheet["A6"].value} == {strings[0], strings[1]}
