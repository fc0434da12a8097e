"""Numbers and yes/no as a reader of the report's language expects them (Babel's locale data): thousands
separators and decimal mark of en, uk or ru, "yes"/"no" instead of True/False, a dash for a missing value."""

from __future__ import annotations

import math
import numbers

import numpy as np

from babel.numbers import format_decimal

# Up to four decimals, as computed (an alpha of 0.8123 stays 0.8123); whole numbers without a decimal mark.
PATTERN = "#,##0.####"


def cell(value, language: str = "en", yes: str = "yes", no: str = "no") -> str:
    """A table cell: booleans in words, numbers in the language's format, text as it is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return yes if value else no
    if isinstance(value, numbers.Integral):
        return format_decimal(int(value), format=PATTERN, locale=language)
    if isinstance(value, numbers.Real):
        return format_decimal(round(float(value), 4), format=PATTERN, locale=language)
    return str(value)
