"""Numbers and yes/no as a reader of the report's language expects them (Babel's locale data): thousands
separators and decimal mark of en, uk or ru, percentages, amounts with the currency where the language puts
it, "yes"/"no" instead of True/False, a dash for a missing value."""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from babel import Locale
from babel.numbers import format_currency, format_decimal

# Up to four decimals, as computed (an alpha of 0.8123 stays 0.8123); whole numbers without a decimal mark.
PATTERN = "#,##0.####"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cell(value, language: str = "en", yes: str = "yes", no: str = "no") -> str:
    """A table cell: booleans in words, numbers in the language's format, text as it is."""
    if _missing(value):
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return yes if value else no
    if isinstance(value, numbers.Integral):
        return format_decimal(int(value), format=PATTERN, locale=language)
    if isinstance(value, numbers.Real):
        return format_decimal(round(float(value), 4), format=PATTERN, locale=language)
    return str(value)


def number(value, language: str = "en", decimals: int = 1, fixed: bool = False) -> str:
    """A number in the language's format, rounded to `decimals`: trailing zeros dropped, or kept with `fixed`
    (a table column of one decimal shows "36,0")."""
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + ("0" if fixed else "#") * decimals if decimals else "")
    return format_decimal(round(float(value), decimals), format=pattern, locale=language)


def percent(value, language: str = "en") -> str:
    """A share already in percent: "62.5 %" / "62,5 %" (a space before the sign, as everywhere in the report)."""
    return "—" if _missing(value) else f"{number(value, language)} %"


def money(amount, currency: str | None, language: str = "en") -> str:
    """A whole amount with the currency where the language puts it ("€4,094" in en, "4 094 €" in ru; a code
    without a symbol is set apart from the number: "CHF 4,094"); without a currency, the number alone; a dash
    when missing."""
    if _missing(amount):
        return "—"
    if not currency:
        return number(amount, language, decimals=0)
    pattern = Locale.parse(language).currency_formats["standard"].pattern.split(";")[0]
    whole = re.sub(r"\.0+", "", pattern)
    text = format_currency(round(float(amount)), currency, format=whole, locale=language, currency_digits=False)
    # A symbol made of letters (a code, or грн) is kept apart from the digits, as CLDR's currency spacing asks.
    return re.sub(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", "\u00a0", text)


def figure(value, unit: str, language: str = "en", currency: str | None = None) -> str:
    """An evidence figure by its unit: "%" a percentage, "amount" money in the study's currency, else a number."""
    if unit == "%":
        return percent(value, language)
    if unit == "amount":
        return money(value, currency, language)
    return number(value, language, decimals=2)
