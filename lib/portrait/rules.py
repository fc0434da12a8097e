"""First-match rules over a table: `value when expression`, as used by derived variables, segment
schemes and RFM segments. Expressions are pandas `DataFrame.eval` syntax over column names."""

from __future__ import annotations

import re

import pandas as pd

from portrait.errors import CodebookError

_KEYWORDS = {"and", "or", "not", "in", "True", "False", "isna", "notna"}


def identifiers(expression: str) -> set[str]:
    """Column names an expression refers to (quoted strings and keywords left out)."""
    stripped = re.sub(r"(['\"]).*?\1", "", expression)
    return set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", stripped)) - _KEYWORDS


def first_match(data: pd.DataFrame, rules: list[tuple[str, str]], where: str) -> pd.Series:
    """For each row, the value of the first (value, expression) rule that holds; NA when none does.

    A missing answer never satisfies a rule. `where` names the rule set in error messages.
    """
    result = pd.Series(pd.NA, index=data.index, dtype="string")
    for value, expression in rules:
        try:
            hit = data.eval(expression)
        except Exception as exc:  # pandas raises several parser errors for a bad expression
            raise CodebookError(f"{where}, value {value!r}: cannot read {expression!r} ({exc}).") from None
        hit = pd.Series(hit, index=data.index).fillna(False).astype(bool)
        result = result.mask(hit & result.isna(), value)
    return result
