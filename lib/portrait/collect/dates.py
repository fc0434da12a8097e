"""Dates and times read from text cells the same way on DuckDB and on Spark.

study.yml's `date_format` is a Python strftime format (`%Y-%m-%d %H:%M`). The engines' own parsers differ (DuckDB's
strptime, Spark's Java patterns) at the edges: one-digit months, spaces, 31 February. So the format becomes one
regular expression that both engines run alike, each directive matched by the expression Python's strptime uses
for it (case-insensitive, a space matching any run of white space, no white space around the value); the fields
are pulled out, checked (an hour of 24, a second of 60 and the year 0 are refused, as strptime refuses them) and
put together as an ISO timestamp that both engines cast. An impossible day (2026-02-31) casts to nothing on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ibis

from portrait.errors import StudyConfigError

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]

# Each directive's expression, as CPython's _strptime.TimeRE writes it (digits spelled [0-9]: RE2 and Java agree).
DIRECTIVES = {
    "Y": "[0-9][0-9][0-9][0-9]",
    "y": "[0-9][0-9]",
    "m": "1[0-2]|0[1-9]|[1-9]",
    "d": "3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9]",
    "H": "2[0-3]|[0-1][0-9]|[0-9]",
    "I": "1[0-2]|0[1-9]|[1-9]",
    "M": "[0-5][0-9]|[0-9]",
    "S": "[0-5][0-9]|[0-9]",  # strptime takes 60 and 61, then datetime refuses them
    "f": "[0-9]{1,6}",
    "p": "am|pm",
    "b": "|".join(sorted((m[:3] for m in MONTHS), key=len, reverse=True)),
    "B": "|".join(sorted(MONTHS, key=len, reverse=True)),
}

# Python's \s (what strptime matches for a space in the format, what str.strip takes off), spelled out for RE2 and
# Java alike.
WHITE_CHARACTERS = [chr(code) for code in range(0x3001) if re.match(r"\s", chr(code))]
WHITE_SPACE = "".join(f"\\x{{{ord(char):X}}}" for char in WHITE_CHARACTERS)


def white_space_class() -> str:
    return f"[{WHITE_SPACE}]"


def group_reference(value: ibis.Value, number: int) -> str:
    """How a replacement text names a captured group: `\\1` in DuckDB (RE2), `$1` in Spark (Java) — the one
    spelling the engines do not share; `value` tells which engine computes it."""
    return f"${number}" if ibis.get_backend(value).name == "pyspark" else f"\\{number}"


@dataclass(frozen=True)
class DatePattern:
    """A strftime format as one anchored expression: `groups` maps a directive to its group number."""

    format: str
    regex: str
    groups: dict[str, int]


def pattern(fmt: str) -> DatePattern:
    """The expression of `fmt`; a directive this reader does not know is a configuration error."""
    parts, groups, position = ["(?i)^"], {}, 0
    while position < len(fmt):
        char = fmt[position]
        if char == "%":
            directive = fmt[position + 1: position + 2]
            position += 2
            if directive == "%":
                parts.append("%")
                continue
            if directive not in DIRECTIVES:
                raise StudyConfigError(f"`date_format: {fmt}`: %{directive} cannot be read here; use "
                                       f"{', '.join('%' + d for d in DIRECTIVES)} (and %% for a percent sign).")
            if directive in groups or (directive in "bB" and groups.keys() & {"m", "b", "B"}) \
                    or (directive == "m" and groups.keys() & {"b", "B"}):
                raise StudyConfigError(f"`date_format: {fmt}`: the month or %{directive} appears twice.")
            groups[directive] = len(groups) + 1
            parts.append(f"({DIRECTIVES[directive]})")
            continue
        if char.isspace():
            while position < len(fmt) and fmt[position].isspace():
                position += 1
            parts.append(white_space_class() + "+")
            continue
        parts.append("\\" + char if char.isascii() and not char.isalnum() else char)  # ASCII punctuation escaped
        position += 1
    parts.append("\\z")
    return DatePattern(fmt, "".join(parts), groups)


NUMERIC = set("YmdHMSf")  # formats of these directives only are read by one rewrite of the text
_MATCHED = "\ue001"


def parse(text: ibis.StringValue, fmt: str) -> ibis.TimestampValue:
    """The timestamp `text` writes in `fmt`, or null when it is not one (the same on every engine)."""
    read = full_reading(text, fmt)
    fixed = _fixed_width(fmt)
    if fixed is None:
        return read
    # Most cells write every field in full (2026-03-09 08:05): cut at fixed places and cast, without rewriting
    # the text; the rewriting (which reads them alike) runs on the other cells only.
    regex, fields = fixed
    iso = ibis.literal("").join([text.substr(*fields[d]) if d in fields else ibis.literal(default)
                                 for d, default in _ISO_PARTS])
    full = text.re_search(regex).fill_null(False) & ~text.substr(*fields["Y"]).startswith("0000")
    return ibis.ifelse(full, iso.try_cast("timestamp"), read)


def full_reading(text: ibis.StringValue, fmt: str) -> ibis.TimestampValue:
    """The timestamp `text` writes in `fmt` read by the format's whole expression (parse takes a shortcut for
    most cells)."""
    spec = pattern(fmt)
    return _rewritten(text, spec) if set(spec.groups) <= NUMERIC else _assembled(text, spec)


# Each numeric directive written in full: its width and expression (the values strptime takes, zero-padded).
FULL_WIDTH = {"Y": (4, "[0-9]{4}"), "m": (2, "0[1-9]|1[0-2]"), "d": (2, "0[1-9]|[12][0-9]|3[01]"),
              "H": (2, "[01][0-9]|2[0-3]"), "M": (2, "[0-5][0-9]"), "S": (2, "[0-5][0-9]")}
_ISO_PARTS = [("Y", "1900"), ("-", "-"), ("m", "01"), ("-", "-"), ("d", "01"), (" ", " "), ("H", "00"), (":", ":"),
              ("M", "00"), (":", ":"), ("S", "00")]


def _fixed_width(fmt: str) -> tuple[str, dict[str, tuple[int, int]]] | None:
    """For a format of year, month, day, hour, minute and second (each at most once, the year given) and ASCII
    punctuation or single spaces between them: the expression of a text writing every field in full, and each
    field's start and width in it. None for any other format."""
    parts, fields, position, at = ["^"], {}, 0, 0
    while position < len(fmt):
        char = fmt[position]
        if char == "%":
            directive = fmt[position + 1: position + 2]
            if directive not in FULL_WIDTH or directive in fields:
                return None
            width, expression = FULL_WIDTH[directive]
            fields[directive] = (at, width)
            parts.append(f"({expression})")
            position, at = position + 2, at + width
        elif char == " " or (char.isascii() and not char.isalnum() and not char.isspace()):
            parts.append(" " if char == " " else "\\" + char)
            position, at = position + 1, at + 1
        else:
            return None
    parts.append("\\z")
    return ("".join(parts), fields) if "Y" in fields else None


def _rewritten(text: ibis.StringValue, spec: DatePattern) -> ibis.TimestampValue:
    """Numeric fields only: the text rewritten as `Y-m-d H:M:S.f` in one pass (both engines cast one-digit fields)."""
    def group(directive: str, default: str) -> str:
        return group_reference(text, spec.groups[directive]) if directive in spec.groups else default

    fraction = "." + group("f", "") if "f" in spec.groups else ""
    # The mark tells a rewritten text (it matched) from one left as it was.
    template = (f"{_MATCHED}{group('Y', '1900')}-{group('m', '1')}-{group('d', '1')} {group('H', '0')}:"
                f"{group('M', '0')}:{group('S', '0')}{fraction}")
    rewritten = text.re_replace(spec.regex, template)
    iso = rewritten.substr(1).replace("- ", "-")  # a day written " 5"
    possible = rewritten.startswith(_MATCHED) & ~iso.startswith("0000")
    return ibis.ifelse(possible, iso.try_cast("timestamp"), ibis.null("timestamp"))


def _assembled(text: ibis.StringValue, spec: DatePattern) -> ibis.TimestampValue:
    """Any field: each pulled out, converted (month names, a 12-hour clock, two-digit years) and put together."""

    def field(directive: str) -> ibis.StringValue:
        return text.re_extract(spec.regex, spec.groups[directive])

    def number(directive: str, default: int) -> ibis.IntegerValue:
        return field(directive).strip().try_cast("int64") if directive in spec.groups else ibis.literal(default)

    year = number("Y", 1900)
    if "y" in spec.groups:  # strptime's pivot: 69-99 are the 1900s, 00-68 the 2000s
        short = number("y", 0)
        year = ibis.ifelse(short <= 68, short + 2000, short + 1900)
    month = number("m", 1)
    for directive, names in (("b", [m[:3] for m in MONTHS]), ("B", MONTHS)):
        if directive in spec.groups:
            name = field(directive).lower()
            month = ibis.cases(*[(name == n, i) for i, n in enumerate(names, start=1)], else_=None)
    hour = number("H", 0)
    if "I" in spec.groups:  # 12 is midnight in the morning, noon in the afternoon
        hour = number("I", 0) % 12
        if "p" in spec.groups:
            hour = hour + ibis.ifelse(field("p").lower() == "pm", 12, 0)
    fraction = field("f").rpad(6, "0") if "f" in spec.groups else ibis.literal("000000")

    def padded(value: ibis.IntegerValue, width: int) -> ibis.StringValue:
        return value.cast("string").lpad(width, "0")

    iso = (padded(year, 4) + "-" + padded(month, 2) + "-" + padded(number("d", 1), 2) + " " + padded(hour, 2) + ":"
           + padded(number("M", 0), 2) + ":" + padded(number("S", 0), 2) + "." + fraction)
    possible = text.re_search(spec.regex) & (year >= 1)
    return ibis.ifelse(possible, iso.try_cast("timestamp"), ibis.null("timestamp"))
