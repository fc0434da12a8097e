"""Step 01's checks of the line items as engine expressions, alike on DuckDB and Spark.

The same checks and the same words as validation.py (the pandas checks of the other sources), one cell at a time:
a text cell (CSV, Excel, SPSS, a text column of a parquet file) is read as io/numbers.py and the pandas path read it,
a typed cell (a number, a timestamp, a flag stored as such) as it is. Every regular expression here runs alike in
RE2 (DuckDB) and Java (Spark): no look-around, digits spelled [0-9], `\\z` for the end of the text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from portrait.collect import dates, validation

WHOLE_ROW = validation.WHOLE_ROW
LARGEST = 1.7976931348623157e308  # the largest finite double: beyond it (or NaN) a number is not finite
_WHITE = dates.white_space_class()
_MARK = "\ue000"  # marks the end of a run of digits while thousands separators are taken out


@dataclass
class Check:
    """One check of one column (or of the whole row): `fails` is true on a row that fails it."""

    column: str
    reason: str
    fails: ir.BooleanValue


def is_text(value: ir.Value) -> bool:
    return value.type().is_string()


def cell(value: ir.Value) -> ir.Value:
    """A cell as the checks see it: an empty text is a blank, as the CSV reader has it."""
    return value.nullif("") if is_text(value) else value


def missing(value: ir.Value) -> ir.BooleanValue:
    """Blank: null, an empty text, or NaN (pandera counts NaN as missing)."""
    value = cell(value)
    blank = value.isnull()
    return blank | value.isnan().fill_null(False) if value.type().is_floating() else blank


def stripped(text: ir.StringValue) -> ir.StringValue:
    """The text without white space around it, as Python's str.strip takes it off (the regular expression runs
    only on the few cells that begin or end with white space)."""
    edge = _maybe_white(text.substr(0, 1)) | _maybe_white(text.right(1))
    return ibis.ifelse(edge.fill_null(False), text.re_replace(f"^{_WHITE}+|{_WHITE}+\\z", ""), text)


_NON_ASCII_WHITE = [char for char in dates.WHITE_CHARACTERS if not char.isascii()]


def _maybe_white(char: ir.StringValue) -> ir.BooleanValue:
    """Whether a one-character text may be white space: any ASCII one is at most a space (as are a few control
    characters, which the regular expression then leaves), any other is looked up; a letter or a digit costs two
    comparisons, not one per white-space character."""
    return (char <= " ") | ((char >= "\x85") & char.isin(_NON_ASCII_WHITE))


@dataclass
class Number:
    """A cell read as a number: its value, null when the cell is not a number (a `-inf` written out is -inf, as
    pandas reads it), infinite when it is too large; whether it is a finite one and below zero follow from it."""

    value: ir.FloatingValue

    @property
    def finite(self) -> ir.BooleanValue:
        """There and finite: not blank, NaN (it sorts above every number on both engines) or infinite."""
        return ((self.value >= -LARGEST) & (self.value <= LARGEST)).fill_null(False)

    @property
    def negative(self) -> ir.BooleanValue:
        return (self.value < 0).fill_null(False)


def number(value: ir.Value, decimal: str) -> Number:
    """io/numbers.to_number in engine terms: with a decimal comma, `.`, spaces and no-break spaces before a group of
    exactly three digits are thousands separators and the comma becomes a point; `inf` and `1e400` are numbers but
    not finite ones; anything else that is not a plain decimal number is none. One value carries it all, so an
    engine that stages it parses each cell once."""
    if not is_text(value):
        return Number(value.cast("float64"))
    parsed = full_number(value, decimal)
    # Most cells are a plain number as they stand: read directly, what the full reading gives them too (nothing
    # around them to strip, no thousands separator); the rest take the full reading.
    plain = CANONICAL_NUMBER[decimal]
    direct = (value.replace(",", ".") if decimal == "," else value).try_cast("float64")
    return Number(ibis.ifelse(value.re_search(plain).fill_null(False), direct, parsed).cast("float64"))


# A number cell written plainly: sign, digits, one decimal mark and digits; read the same by the full reading.
CANONICAL_NUMBER = {".": "^[+-]?[0-9]+([.][0-9]+)?\\z", ",": "^[+-]?[0-9]+(,[0-9]+)?\\z"}


def full_number(value: ir.StringValue, decimal: str) -> ir.FloatingValue:
    """The full reading of a number cell (number)."""
    text = stripped(value)
    if decimal == ",":
        first, second = dates.group_reference(value, 1), dates.group_reference(value, 2)
        marked = text.re_replace("([0-9])([^0-9])", first + _MARK + second).re_replace("([0-9])\\z", first + _MARK)
        grouped = marked.re_replace(f"[{_WHITE[1:-1]}.]([0-9]{{3}}){_MARK}", first + _MARK)
        text = ibis.ifelse(text.re_search(_MARK), text, grouped.replace(_MARK, "").replace(",", "."))
    plain = text.re_search("^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?\\z")
    minus_infinity = text.re_search("(?i)^-inf(inity)?\\z")  # below zero too, as pandas reads it
    return ibis.ifelse(plain, text.try_cast("float64"),
                       ibis.ifelse(minus_infinity, ibis.literal("-inf").cast("float64"), ibis.null("float64")))


def flag(value: ir.Value) -> ir.BooleanValue:
    """A 0/1 flag's value, null where the cell is not one: yes/no, 1/0, true/false in any case, or a boolean or 0/1
    column."""
    if value.type().is_boolean():
        return value
    if not is_text(value):
        return ibis.ifelse(value.isin([0, 1]).fill_null(False), value == 1, ibis.null("boolean"))
    # A cell that is a flag word as it stands (lower, upper or title case) is taken without stripping and lowering
    # it: the engines evaluate the full reading only on the other cells.
    return ibis.ifelse(value.isin(_spellings(_YES)), True,
                       ibis.ifelse(value.isin(_spellings(_NO)), False, full_flag(value)))


_YES = [w for w, meaning in validation.FLAG_VALUES.items() if meaning]
_NO = [w for w, meaning in validation.FLAG_VALUES.items() if not meaning]


def full_flag(value: ir.StringValue) -> ir.BooleanValue:
    """The full reading of a flag cell (flag): its word stripped and lowered."""
    word = stripped(value).lower()  # two tests of the word, not one per word: an engine repeats it in each test
    return ibis.ifelse(word.isin(_YES), True, ibis.ifelse(word.isin(_NO), False, ibis.null("boolean")))


def _spellings(words: list[str]) -> list[str]:
    return sorted({spelling for word in words for spelling in (word, word.upper(), word.title())})


def timestamp(value: ir.Value, fmt: str) -> ir.TimestampValue:
    """A text cell read in `fmt` (null when it is not a date/time in it); a date or timestamp column as it is."""
    if is_text(value):
        return dates.parse(value, fmt)
    return value.cast("timestamp")


FLAG_ROLES = ("discount", "new_collection")


def parsed_values(table: ibis.Table, roles: dict[str, str], date_format: str, decimal: str,
                  joined: ir.StringValue, may_hold_nul: bool = True) -> dict[str, ir.Value]:
    """What the checks read in a line item's cells, each computed once (the engine stages them, so no regular
    expression runs twice on a row): `_date`, `_amount` (see Number); for the roles the export has, `_quantity`,
    `_discount` and `_new_collection` (null where the cell is not a 0/1 flag); and `_nul`, a NUL byte in any text
    cell (searched in `joined`, the row's cells joined as text: one search, not one per cell; never, when the
    source is known to hold no NUL byte: `may_hold_nul` False)."""
    values = {"_date": timestamp(table[roles["date"]], date_format).cast("timestamp"),
              "_amount": number(table[roles["amount"]], decimal).value}
    if "quantity" in roles:
        values["_quantity"] = number(table[roles["quantity"]], decimal).value
    for role in FLAG_ROLES:
        if role in roles:
            values[f"_{role}"] = flag(table[roles[role]])
    values["_nul"] = joined.contains("\x00").fill_null(False) if may_hold_nul else ibis.literal(False)
    return values


def line_item_checks(table: ibis.Table, roles: dict[str, str], date_format: str, decimal: str,
                     export_date: datetime.date, returns: str) -> list[Check]:
    """Every check of a line item (on a table holding parsed_values' columns), in the order validation.py's schema
    runs them, column by column: required cells, dates in the format and not after the export date, finite amounts
    and quantities (and no return when returns are quarantined), 0/1 flags; then the whole row: no NUL byte."""
    limit = datetime.datetime.combine(export_date, datetime.time()) + datetime.timedelta(days=1)
    rules: dict[str, list[tuple[str, ir.BooleanValue]]] = {}

    def require(column: str, *checks: tuple[str, ir.BooleanValue]) -> None:
        present = ~missing(table[column])
        # A blank cell fails only "required"; the other checks look at cells that are there (as pandera does).
        rules[column] = [("required value is missing", ~present)] + [(why, present & ~ok) for why, ok in checks]

    number_name = "not a finite number" + (" (decimal comma)" if decimal == "," else "")
    require(roles["customer"])
    require(roles["date"], (f"not a date/time in the format {date_format}", table._date.notnull()),
            (f"dated after the export date {export_date:%Y-%m-%d} (set `export_date:` in study.yml if the export "
             "is newer)", (table._date < ibis.literal(limit)).fill_null(True)))
    amount = Number(table._amount)
    amount_checks = [(number_name, amount.finite)]
    if returns == "quarantine":
        amount_checks.append(("a return (negative amount), quarantined as study.yml says (`returns: quarantine`)",
                              ~amount.negative))
    require(roles["amount"], *amount_checks)
    for role in FLAG_ROLES:
        if role in roles:
            require(roles[role], ("not a 0/1 flag", table[f"_{role}"].notnull()))
    for role in ("receipt", "channel", "category"):
        if role in roles:
            require(roles[role])
    if "quantity" in roles:
        require(roles["quantity"], (number_name, Number(table._quantity).finite))
    checks = [Check(column, why, fails.fill_null(False)) for column, pairs in rules.items() for why, fails in pairs]
    checks.append(Check(WHOLE_ROW, "a cell holds a NUL byte (a broken export)", table._nul))
    return checks
