"""Atomic writes: a file appears whole or not at all, so a failed run never leaves half a table."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual permissions
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_parquet(frame: pd.DataFrame, target: str | os.PathLike) -> Path:
    """Write `frame` to parquet atomically (no pandas index, deterministic bytes)."""
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False, engine="pyarrow")
    return Path(target)


def write_text(text: str, target: str | os.PathLike) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_bytes(data: bytes, target: str | os.PathLike) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_json(obj: Any, target: str | os.PathLike) -> Path:
    return write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n", target)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def neutralise_formulas(frame):
    """Text cells a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(1)`) get a leading
    apostrophe, so they open as text; numbers are left as they are. Headers are cells too, and a categorical
    column holds text like any other."""
    out = frame.copy()
    for position in range(out.shape[1]):  # by position: a header may repeat
        values = out.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values):
            # Element by element in the column's own type: Series.map would make [0, None] floats, "0.0".
            out.isetitem(position, pd.Series([_neutral(v) for v in values], index=values.index, dtype=values.dtype))
    if not isinstance(out.columns, pd.MultiIndex):
        out.columns = [_neutral(c) for c in out.columns]
    return out


def write_csv(frame, path: str | Path) -> Path:
    """A CSV for people's spreadsheets: formula-like cells neutralised, written atomically. Rows end in CRLF
    (RFC 4180), so a cell holding a lone carriage return is quoted like one holding a line feed instead of
    splitting its row (and starting a new line with what follows it); the bytes are written as they are."""
    text = neutralise_formulas(frame).to_csv(index=False, lineterminator="\r\n")
    return write_bytes(text.encode("utf-8"), path)
