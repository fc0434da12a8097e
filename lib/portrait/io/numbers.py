"""Numbers from text cells, with the decimal mark declared or detected.

Exports from Ukrainian and Russian settings write `2402,38`; pandas reads that as nothing. A column's
mark is detected from its values: a comma followed by one or two digits (or by more than three) is a
decimal comma when no value has a decimal point; `1,500` alone is ambiguous and stays a point.
"""

from __future__ import annotations

import pandas as pd

_COMMA_DECIMAL = r"^[-+]?(?:\d{1,3}(?:[ .\u00a0]\d{3})+|\d+),(?:\d{1,2}|\d{4,})$"
_POINT_DECIMAL = r"^[-+]?\d*\.\d+(?:[eE][-+]?\d+)?$"


def detect_decimal(series: pd.Series) -> str:
    """`","` when the column's numbers are written with a decimal comma, else `"."`."""
    text = series.dropna().astype("string").str.strip()
    comma = text.str.match(_COMMA_DECIMAL).fillna(False)
    point = text.str.match(_POINT_DECIMAL).fillna(False)
    return "," if comma.any() and not point.any() else "."


def to_number(series: pd.Series, decimal: str = ".") -> pd.Series:
    """Numbers from text cells; with `decimal=","` a decimal comma (and "." or spaces as thousands) is read,
    with `"auto"` the mark is detected (`detect_decimal`)."""
    text = series.astype("string").str.strip()
    if decimal == "auto":
        decimal = detect_decimal(text)
    if decimal == ",":
        text = (text.str.replace(r"[\s.\u00a0](?=\d{3}(?:\D|$))", "", regex=True)
                .str.replace(",", ".", regex=False))
    return pd.to_numeric(text, errors="coerce")
