"""Codings made elsewhere (a second coder, a QDA tool), read into one row per coded turn:
a CSV of document, start, end, code, coder (start and end are turn numbers, inclusive), or a
REFI-QDA project (.qdpx) coded in QualCoder, NVivo, ATLAS.ti or MAXQDA (qdpx.py reads it: each
coding's user is its coder; the auto-coder's own codings, exported with interviews.qdpx, are left
out). Several coders in one file are told apart, and agreement is taken per pair of coders."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import pandas as pd

from portrait.errors import CodebookError
from portrait.io.readers import ROW, read_csv

COLUMNS = ["document", "start", "end", "code", "coder"]


def read_codings_csv(path: str | Path, known_codes: list[str]) -> pd.DataFrame:
    """Rows (document, turn, code, coder); an unknown code or a bad turn range is an error naming the row."""
    path = Path(path)
    raw = read_csv(path)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise CodebookError(f"{path}: columns {missing} are missing; the file needs {COLUMNS}.")
    rows = []
    for row, record in zip(raw[ROW], raw[COLUMNS].itertuples(index=False)):
        start, end = pd.to_numeric(record.start, errors="coerce"), pd.to_numeric(record.end, errors="coerce")
        if pd.isna(start) or pd.isna(end) or start > end:
            raise CodebookError(f"{path}, row {row}: start {record.start!r} and end {record.end!r} must be turn "
                                "numbers with start <= end.")
        if record.code not in known_codes:
            close = difflib.get_close_matches(str(record.code), known_codes, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CodebookError(f"{path}, row {row}: code {record.code!r} is not in the interview codebook.{hint}")
        for turn in range(int(start), int(end) + 1):
            rows.append((record.document, turn, record.code, record.coder))
    return pd.DataFrame(rows, columns=["document", "turn", "code", "coder"]).drop_duplicates()


def read_codings(path: str | Path, known_codes: list[str], exclude_coders: Iterable[str] = ()) -> pd.DataFrame:
    """CSV or .qdpx, by extension; every code must be in the interview codebook. From a .qdpx the
    codings of the auto-coder (qdpx.AUTO_CODER, whose work interviews.qdpx carries to the QDA tool)
    and of `exclude_coders` are left out: what remains is the people's coding."""
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        return read_codings_csv(path, known_codes)
    from portrait.interviews.qdpx import AUTO_CODER, read_qdpx

    _, codings = read_qdpx(path)
    left_out = {AUTO_CODER, *exclude_coders}
    people = codings[~codings["coder"].isin(left_out)].reset_index(drop=True)
    if people.empty and not codings.empty:
        raise CodebookError(f"{path}: every coding in the project is by {sorted(set(codings['coder']))}, "
                            "which are left out (the auto-coder's own); code the interviews in the QDA tool "
                            "as a user of your own, then export the project again.")
    unknown = sorted(set(people["code"]) - set(known_codes))
    if unknown:
        raise CodebookError(f"{path}: codes {unknown} are not in the interview codebook; add them or rename "
                            "them in the QDA tool.")
    return people


def by_coder(codings: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each coder's codings (document, turn, code), coders in name order."""
    return {str(coder): rows[["document", "turn", "code"]].reset_index(drop=True)
            for coder, rows in codings.groupby("coder", sort=True)}


def pairwise_agreement(codings: pd.DataFrame, units: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Agreement for every pair of coders in `codings` over the same `units` (document, turn): one row
    per pair with the turns compared, Krippendorff's alpha and the median of the codes' kappas."""
    from portrait.interviews.agreement import agreement

    coders = by_coder(codings)
    rows = []
    for first, second in combinations(coders, 2):
        result = agreement(coders[first], coders[second], units, codes, names=(first, second))
        rows.append({"coder": first, "other coder": second, "turns compared": result.units,
                     "Krippendorff's alpha": result.alpha,
                     "median kappa": round(float(result.per_code["kappa"].median()), 3)})
    return pd.DataFrame(rows, columns=["coder", "other coder", "turns compared", "Krippendorff's alpha",
                                       "median kappa"])
