"""Readers for tabular raw files: CSV (detected encoding and delimiter), Excel and SPSS.

Every reader returns the table exactly as exported (all cells as text, headers untouched) plus
`_row`, the row number a person sees when opening the file (header = row 1), so that any later
message or quarantine entry can point back into the raw file.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from portrait.errors import SourceFormatError

ROW = "_row"
_ENCODINGS = ("utf-8-sig", "utf-8", "cp1251")


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, otherwise the best guess (cp1251 …)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # Excel's "Unicode text" export
    sample = data[:4000]
    if len(sample) > 8 and sample[1::2].count(0) > 0.4 * len(sample) / 2:
        return "utf-16-le"  # UTF-16 without a byte-order mark: every other byte is zero
    if len(sample) > 8 and sample[0::2].count(0) > 0.4 * len(sample) / 2:
        return "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000], cp_isolation=["cp1251", "koi8_r", "cp1252", "latin_1"]).best()
    return best.encoding if best is not None else "cp1251"


def decode_text(data: bytes, encoding: str, path: Path) -> str:
    """Decode file bytes with the declared encoding, or the detected one for `auto`."""
    chosen = detect_encoding(data) if encoding == "auto" else encoding
    try:
        return data.decode(chosen)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceFormatError(
            f"{path}: cannot decode as {chosen} ({exc}). Set `encoding:` for this source in study.yml "
            f"to one of {', '.join(_ENCODINGS)}."
        ) from None


def detect_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
        return max(counts, key=counts.get)


def read_csv(path: Path, encoding: str = "auto", delimiter: str = "auto") -> pd.DataFrame:
    text = decode_text(path.read_bytes(), encoding, path)
    if not text.strip():
        raise SourceFormatError(f"{path}: the file is empty. Export the data again.")
    sep = detect_delimiter(text) if delimiter == "auto" else delimiter
    header = next(csv.reader(io.StringIO(text), delimiter=sep))
    _check_headers([h.strip() for h in header], path)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceFormatError(
            f"{path}: not a valid CSV with delimiter {sep!r} ({exc}). Set `delimiter:` in study.yml."
        ) from None
    return _with_rows(frame.replace({"": pd.NA}), path)


def read_excel(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    import zipfile

    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str, engine="openpyxl")
    except zipfile.BadZipFile:
        head = path.read_bytes()[:8]
        kind = ("an old .xls workbook renamed .xlsx" if head.startswith(b"\xd0\xcf\x11\xe0")
                else "not a complete .xlsx file (cut short, or another format renamed)")
        raise SourceFormatError(f"{path}: {kind}. Open it in Excel and save it again as .xlsx (Excel Workbook), "
                                "or export it as CSV and set `format: csv`.") from None
    except ValueError as exc:
        raise SourceFormatError(f"{path}: {exc}. Set `sheet:` in study.yml to an existing sheet name.") from None
    return _with_rows(frame, path)


def read_spss(path: Path) -> pd.DataFrame:
    """SPSS .sav with value labels applied (codes become their labels)."""
    import pyreadstat

    try:
        frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and OSError variants
        raise SourceFormatError(f"{path}: not a readable SPSS file ({exc}).") from None
    text = frame.apply(lambda col: col.map(_cell_text)).astype("string")
    return _with_rows(text, path)


def _cell_text(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if isinstance(value, str) and not value.strip():  # SPSS stores a blank text answer as "": blank, as in a CSV
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_rows(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    frame = frame.astype("string")
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_headers(list(frame.columns), path)
    frame.insert(0, ROW, range(2, len(frame) + 2))
    return frame


def _check_headers(headers: list[str], path: Path) -> None:
    seen, repeated = set(), []
    for header in headers:
        if header in seen and header not in repeated:
            repeated.append(header)
        seen.add(header)
    if repeated:
        raise SourceFormatError(f"{path}: column header(s) {repeated} appear more than once; rename them in the export.")


def read_table(path: Path, format: str, encoding: str = "auto", delimiter: str = "auto", sheet=None) -> pd.DataFrame:
    """Read any supported tabular format; all answer cells as strings (NA for blank)."""
    if format == "csv":
        return read_csv(path, encoding, delimiter)
    if format == "excel":
        return read_excel(path, sheet)
    if format == "spss":
        return read_spss(path)
    raise SourceFormatError(f"{path}: unknown format {format!r}; use csv, excel or spss.")
