"""Row-level schema validation (pandera): invalid rows leave the table for the quarantine, with reasons.

Every quarantine entry names the source, the file, the row a person sees in the raw file, the
column(s), the offending value(s) (masked when the column holds personal data) and the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from portrait.io.numbers import to_number
from portrait.io.readers import PROBLEM, ROW

QUARANTINE_COLUMNS = ["source", "file", "row", "columns", "values", "reason"]
WHOLE_ROW = "(whole row)"


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "string") for c in QUARANTINE_COLUMNS})


def parses_as_datetime(fmt: str | None) -> pa.Check:
    def check(series: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(series, format=fmt or "mixed", errors="coerce")
        return parsed.notna() | series.isna()
    return pa.Check(check, error=f"not a date/time{f' in the format {fmt}' if fmt else ''}")


def is_number(minimum: float | None = None, decimal: str = ".") -> pa.Check:
    """A finite number (`inf`, `1e400` and `NaN` written out are refused), at least `minimum` when given."""
    def check(series: pd.Series) -> pd.Series:
        number = to_number(series, decimal).astype("float64")
        ok = pd.Series(np.isfinite(number.to_numpy(na_value=np.nan)), index=series.index)
        if minimum is not None:
            ok &= number.ge(minimum).fillna(False)
        return ok | series.isna()
    what = "not a finite number" + (" (decimal comma)" if decimal == "," else "")
    return pa.Check(check, error=what if minimum is None else f"{what} >= {minimum:g}")


def not_after(day, fmt: str | None) -> pa.Check:
    """A date no later than `day` (the export date): a purchase in the future is a broken clock or a typo."""
    limit = pd.Timestamp(day) + pd.Timedelta(days=1)

    def check(series: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(series, format=fmt or "mixed", errors="coerce")
        return parsed.isna() | parsed.lt(limit)  # an unreadable date is the other check's to report
    return pa.Check(check, error=f"dated after the export date {pd.Timestamp(day):%Y-%m-%d} (set `export_date:` "
                                 "in study.yml if the export is newer)")


def not_negative(decimal: str = ".") -> pa.Check:
    def check(series: pd.Series) -> pd.Series:
        return to_number(series, decimal).ge(0).fillna(True) | series.isna()
    return pa.Check(check, error="a return (negative amount), quarantined as study.yml says (`returns: quarantine`)")


def is_flag() -> pa.Check:
    return pa.Check(lambda s: s.str.strip().str.lower().isin(FLAG_VALUES) | s.isna(), error="not a 0/1 flag")


def first_occurrence() -> pa.Check:
    return pa.Check(lambda s: ~s.duplicated(keep="first") | s.isna(), error="repeats an id already used above")


FLAG_VALUES = {"0": False, "1": True, "false": False, "true": True, "no": False, "yes": True}


def not_blank_row(columns: list[str]) -> pa.Check:
    return pa.Check(lambda df: df[columns].notna().any(axis=1), error="blank row: no answer at all")


def schema(columns: dict[str, tuple[bool, list[pa.Check]]], whole_row: list[pa.Check] = ()) -> pa.DataFrameSchema:
    """A string-typed schema: `columns` maps header -> (required, checks)."""
    return pa.DataFrameSchema(
        {name: pa.Column("string", checks=checks, nullable=not needed) for name, (needed, checks) in columns.items()},
        checks=[*whole_row, no_nul_bytes()],
        strict=False,
    )


def no_nul_bytes() -> pa.Check:
    """A NUL byte in any cell marks a broken export (or a binary file): the row is quarantined, not kept."""
    def check(frame: pd.DataFrame) -> pd.Series:
        text = frame.select_dtypes(include=["string", "object"])
        if text.empty:
            return pd.Series(True, index=frame.index)
        return ~text.apply(lambda col: col.astype("string").str.contains("\x00", regex=False)).fillna(False).any(axis=1)
    return pa.Check(check, error="a cell holds a NUL byte (a broken export)")


def validate(frame: pd.DataFrame, rules: pa.DataFrameSchema, source: str, file: str,
             personal: set[str] = frozenset(), names: list[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split `frame` into (valid rows, quarantine entries): one quarantine entry per rejected row.
    Rows the reader could not take as they stand (`_problem`: ragged, undecodable) go first, with its reason."""
    unread = empty_quarantine()
    if PROBLEM in frame.columns:
        broken = frame[PROBLEM].notna()
        unread = pd.DataFrame({
            "source": source, "file": file, "row": pd.array(frame.loc[broken, ROW].to_numpy(), dtype="Int64"),
            "columns": WHOLE_ROW,
            # Cells of a broken row may sit under the wrong header (a name under `City`): none is shown.
            "values": "",
            "reason": frame.loc[broken, PROBLEM].to_numpy(),
        }).astype({c: "string" for c in QUARANTINE_COLUMNS if c != "row"})
        frame = frame.loc[~broken].drop(columns=[PROBLEM])
    kept, bad = _validate(frame, rules, source, file, personal, names)
    return kept, pd.concat([unread, bad], ignore_index=True) if len(unread) else bad


def _validate(frame: pd.DataFrame, rules: pa.DataFrameSchema, source: str, file: str,
              personal: set[str], names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    try:
        rules.validate(frame, lazy=True)
        return frame, empty_quarantine()
    except SchemaErrors as errors:
        cases = errors.failure_cases
    cases = cases[cases["index"].notna()].copy()
    cases["index"] = cases["index"].astype(int)
    whole_row = cases["schema_context"].eq("DataFrameSchema")
    cases["column"] = cases["column"].astype("string").mask(whole_row, WHOLE_ROW).fillna(WHOLE_ROW)
    # A blank row fails every required column too; its one reason is that it is blank.
    blank = set(cases.loc[whole_row, "index"])
    cases = cases[~cases["index"].isin(blank) | whole_row]
    cases["reason"] = cases.apply(_reason, axis=1)
    # A whole-row check reports once per cell of the row: one entry per row and reason is enough.
    cases = cases.drop_duplicates(["index", "column", "reason"])
    # Whatever the column, a quarantined value shows no contact in clear (a row shifted by missing
    # fields puts an e-mail under `Start time`) and never more than MAX_SHOWN characters.
    cases["value"] = [
        "" if col == WHOLE_ROW or pd.isna(v) else ("[personal]" if col in personal else shown(str(v), names))
        for col, v in zip(cases["column"], cases["failure_case"])
    ]
    grouped = cases.sort_values(["index", "column"]).groupby("index", sort=True)
    bad = pd.DataFrame({
        "source": source,
        "file": file,
        "row": pd.array(frame.loc[list(grouped.groups), ROW].to_numpy(), dtype="Int64"),
        "columns": grouped["column"].agg("; ".join).to_numpy(),
        "values": grouped["value"].agg(lambda v: "; ".join(x for x in v if x)).to_numpy(),
        "reason": grouped.apply(lambda g: "; ".join(f"{c}: {r}" if c != WHOLE_ROW else r
                                                    for c, r in zip(g["column"], g["reason"]))).to_numpy(),
    }).astype({c: "string" for c in QUARANTINE_COLUMNS if c != "row"})
    return frame.drop(index=list(grouped.groups)), bad


MAX_SHOWN = 200


def shown(value: str, names: list[str] = ()) -> str:
    """A value as the quarantine may show it: contacts and known names masked, cut to MAX_SHOWN characters."""
    from portrait.collect.privacy import mask_text

    masked = mask_text(value, names)
    return masked if len(masked) <= MAX_SHOWN else masked[:MAX_SHOWN] + "…"


def _reason(case: pd.Series) -> str:
    check = str(case["check"])
    if check == "not_nullable":
        return "required value is missing"
    return check
