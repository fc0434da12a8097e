"""Data-quality flags per survey respondent. Flagged rows are kept; later steps decide what to drop.

Flags (columns `qf_*`): duplicate (a later submission by a person already seen, matched on
pseudonymised e-mail or phone), speeder (duration below `speeder_ratio` x median), straight-liner
(the same answer to every item of a grid), out_of_range (a grid or numeric answer outside its
declared range), incomplete (broke off: the trailing run of blank answers is longer than
`incomplete_share` of the questions).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from portrait.errors import SourceFormatError
from portrait.config.study import SurveyQuality
from portrait.io.numbers import to_number

FLAGS = ["duplicate", "speeder", "straightliner", "out_of_range", "incomplete"]


def grid_columns(columns: list[str], pattern: str, grid: str, file: str) -> list[str]:
    matched = [c for c in columns if re.search(pattern, c)]
    if not matched:
        raise SourceFormatError(
            f"{file}: grid `{grid}` matches no column with pattern {pattern!r}; "
            "fix `quality.grids[].columns` in study.yml."
        )
    return matched


def flag_respondents(frame: pd.DataFrame, rules: SurveyQuality, question_columns: list[str],
                     duplicate_keys: list[str], file: str) -> pd.DataFrame:
    """Return `frame` with the `qf_*` flag columns, `qf_count` and `quality_ok` added."""
    out = frame.copy()
    order = _submission_order(out, rules)
    out["qf_duplicate"] = _duplicates(out, duplicate_keys, order)
    out["qf_speeder"] = _speeders(out, rules)
    liners = pd.Series("", index=out.index, dtype="string")
    out_of_range = pd.Series(0, index=out.index, dtype="int64")
    for grid in rules.grids:
        items = grid_columns(list(out.columns), grid.columns, grid.name, file)
        values = out[items].apply(lambda column: to_number(column, "auto"))
        answered = out[items].notna()
        bad = answered & ~(values.ge(grid.min) & values.le(grid.max))
        out_of_range += bad.sum(axis=1)
        enough = answered.sum(axis=1) >= min(grid.straightline_min_items, len(items))
        same = values.nunique(axis=1, dropna=True).eq(1) & answered.all(axis=1)
        liners = liners.mask(enough & same, (liners + " " + grid.name).str.strip())
    for column, (low, high) in rules.ranges.items():
        if column not in out.columns:
            raise SourceFormatError(f"{file}: `quality.ranges` names {column!r}, which is not a column; fix study.yml.")
        values = to_number(out[column], "auto")
        out_of_range += (out[column].notna() & ~values.between(low, high)).astype("int64")
    out["qf_straightliner"] = liners.ne("")
    out["qf_straightline_grids"] = liners
    out["qf_out_of_range"] = out_of_range.gt(0)
    out["qf_out_of_range_cells"] = out_of_range
    out["qf_incomplete"] = _break_offs(out, question_columns, rules.incomplete_share)
    out["qf_count"] = out[[f"qf_{f}" for f in FLAGS]].sum(axis=1).astype("int64")
    out["quality_ok"] = out["qf_count"].eq(0)
    return out


def _submission_order(frame: pd.DataFrame, rules: SurveyQuality) -> pd.Series:
    if rules.submitted_column and rules.submitted_column in frame.columns:
        return pd.to_datetime(frame[rules.submitted_column], format="mixed", errors="coerce")
    return pd.Series(np.arange(len(frame)), index=frame.index)


def _duplicates(frame: pd.DataFrame, keys: list[str], order: pd.Series) -> pd.Series:
    ranked = frame.assign(_order=order).sort_values(["_order"], kind="stable")
    dup = pd.Series(False, index=frame.index)
    for key in keys:
        values = ranked[key]
        dup |= (values.notna() & values.duplicated(keep="first")).reindex(frame.index)
    return dup


def _speeders(frame: pd.DataFrame, rules: SurveyQuality) -> pd.Series:
    if rules.duration_column and rules.duration_column in frame.columns:
        seconds = to_number(frame[rules.duration_column], "auto")
    elif rules.started_column and rules.submitted_column:
        started = pd.to_datetime(frame[rules.started_column], format="mixed", errors="coerce")
        submitted = pd.to_datetime(frame[rules.submitted_column], format="mixed", errors="coerce")
        seconds = (submitted - started).dt.total_seconds()
    else:
        return pd.Series(False, index=frame.index)
    return (seconds < rules.speeder_ratio * seconds.median()).fillna(False)


def _break_offs(frame: pd.DataFrame, questions: list[str], share: float) -> pd.Series:
    blank = frame[questions].isna().to_numpy()
    # Length of the trailing run of blanks: position of the last answered question from the end.
    answered_rev = ~blank[:, ::-1]
    trailing = np.where(answered_rev.any(axis=1), answered_rev.argmax(axis=1), blank.shape[1])
    return pd.Series(trailing > share * len(questions), index=frame.index)


def flag_counts(flagged: pd.DataFrame) -> pd.DataFrame:
    """Respondents per flag, with share of all kept respondents; one row per flag plus 'any flag'."""
    n = len(flagged)
    rows = [(f, int(flagged[f"qf_{f}"].sum())) for f in FLAGS]
    rows.append(("any flag", int((~flagged["quality_ok"]).sum())))
    table = pd.DataFrame(rows, columns=["flag", "respondents"])
    table["share_%"] = (100 * table["respondents"] / max(n, 1)).round(1)
    return table
