"""Codings made elsewhere (a second coder, a QDA tool), read into one row per coded turn:
a CSV of document, start, end, code, coder (start and end are turn numbers, inclusive), or a
REFI-QDA project (.qdpx) coded in QualCoder, NVivo, ATLAS.ti or MAXQDA."""

from __future__ import annotations

import difflib
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


def read_codings(path: str | Path, known_codes: list[str]) -> pd.DataFrame:
    """CSV or .qdpx, by extension; every code must be in the interview codebook."""
    path = Path(path)
    if path.suffix.lower() != ".qdpx":
        return read_codings_csv(path, known_codes)
    from portrait.interviews.qdpx import read_qdpx

    _, codings = read_qdpx(path)
    unknown = sorted(set(codings["code"]) - set(known_codes))
    if unknown:
        raise CodebookError(f"{path}: codes {unknown} are not in the interview codebook; add them or rename "
                            "them in the QDA tool.")
    return codings
