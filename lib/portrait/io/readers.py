"""Readers for tabular raw files: CSV (detected encoding and delimiter), Excel and SPSS.

Every reader returns the table exactly as exported (all cells as text, headers untouched) plus
`_row`, the row number a person sees when opening the file (header = row 1), so that any later
message or quarantine entry can point back into the raw file.

A row the reader cannot take as it stands (more or fewer cells than the header, a byte the encoding
cannot decode) does not stop the file: with `keep_problems=True` it is kept with its reason in
`_problem` (step 01 quarantines it); otherwise the reader stops naming the line. A file whose rows are
mostly like that is refused whole: the delimiter or the encoding is wrong, and the message says which.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from portrait.errors import SourceFormatError

ROW = "_row"
PROBLEM = "_problem"  # why the reader could not take a row as it stands (NA when it could)
_ENCODINGS = ("utf-8-sig", "utf-8", "cp1251")
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes kept by the surrogateescape error handler
# Above this share of broken rows the file, not the row, is wrong (delimiter or encoding).
BROKEN_FILE_SHARE = 0.2


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such — or nearly all do (a few stray bytes
    are then the rows' problem) — UTF-16 by its byte-order mark or zero bytes, otherwise the best guess."""
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
    text = data.decode("utf-8", errors="surrogateescape")
    undecodable = len(_UNDECODABLE.findall(text))
    non_ascii = sum(1 for ch in text if ord(ch) > 127) - undecodable
    if non_ascii >= 20 * undecodable:  # a UTF-8 file with a few bytes from another encoding pasted in
        return "utf-8"
    high = [i for i, b in enumerate(data[:200_000]) if b >= 0x80]
    in_runs = sum(1 for i in high if (i > 0 and data[i - 1] >= 0x80) or (i + 1 < len(data) and data[i + 1] >= 0x80))
    if high and in_runs >= 0.8 * len(high) and _mostly_cyrillic(data[:200_000].decode("cp1251", errors="replace")):
        return "cp1251"  # whole words of high bytes that read as Cyrillic: a Windows export in uk/ru settings
    best = from_bytes(data[:200_000], cp_isolation=["cp1251", "koi8_r", "cp1252", "latin_1"]).best()
    return best.encoding if best is not None else "cp1251"


_MAGIC = {b"PK\x03\x04": "a zip archive (an .xlsx or .docx workbook?)", b"\xd0\xcf\x11\xe0": "an old Office file (.xls/.doc)",
          b"%PDF": "a PDF", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
          b"$FL2": "an SPSS .sav file", b"$FL3": "an SPSS .sav file", b"\x1f\x8b": "a gzip archive"}


def binary_kind(data: bytes) -> str | None:
    """What a file that is not text is (`a zip archive …`, `binary data`), or None for text."""
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if detect_encoding(data).startswith("utf-16"):
        return None
    sample = data[:4000]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return "binary data" if sample and controls > 0.05 * len(sample) else None


def _mostly_cyrillic(text: str) -> bool:
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    return bool(letters) and sum("\u0400" <= ch <= "\u04ff" for ch in letters) >= 0.9 * len(letters)


def decode_text(data: bytes, encoding: str, path: Path) -> str:
    """Decode file bytes with the declared encoding, or the detected one for `auto`. Undecodable bytes
    are kept as surrogates (their rows are reported); a file that is mostly undecodable is refused."""
    chosen = detect_encoding(data) if encoding == "auto" else encoding
    try:
        text = data.decode(chosen, errors="surrogateescape")
    except LookupError:
        raise SourceFormatError(f"{path}: unknown encoding {chosen!r}. Set `encoding:` for this source in study.yml "
                                f"to one of {', '.join(_ENCODINGS)} (or auto).") from None
    except UnicodeDecodeError as exc:  # UTF-16 cannot keep stray bytes
        raise SourceFormatError(f"{path}: cannot decode as {chosen} ({exc}). Set `encoding:` for this source in "
                                f"study.yml to one of {', '.join(_ENCODINGS)}.") from None
    lines = text.splitlines() or [""]
    broken = [number for number, line in enumerate(lines, start=1) if _UNDECODABLE.search(line)]
    if broken and len(broken) > max(1, BROKEN_FILE_SHARE * len(lines)):
        raise SourceFormatError(
            f"{path}: cannot decode as {chosen}: {len(broken)} of {len(lines)} lines hold bytes that are not "
            f"{chosen} (first at line {broken[0]}). Set `encoding:` for this source in study.yml to one of "
            f"{', '.join(_ENCODINGS)}."
        )
    return text


def undecodable_bytes(text: str) -> str:
    """The undecodable bytes of a text, as `0xE9 0xFF` (for messages)."""
    return " ".join(f"0x{ord(ch) - 0xDC00:02X}" for ch in dict.fromkeys(_UNDECODABLE.findall(text)))


def readable(text: str) -> str:
    """The text with undecodable bytes shown as the replacement character."""
    return _UNDECODABLE.sub("\ufffd", text)


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into as many cells as the header has (more than one);
    csv.Sniffer only breaks ties — on a short file it trusts a quote inside an answer over the header."""
    sample = "\n".join(text.splitlines()[:50])
    scores = {}
    for candidate in (",", ";", "\t", "|"):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate) if r]
        except csv.Error:
            continue
        if rows and len(rows[0]) > 1:
            scores[candidate] = (sum(len(r) == len(rows[0]) for r in rows) / len(rows), len(rows[0]))
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sniffed = None
    if not scores:
        return sniffed or ","
    best = max(scores.values())
    tied = [d for d, score in scores.items() if score == best]
    return sniffed if sniffed in tied else tied[0]


def read_csv(path: Path, encoding: str = "auto", delimiter: str = "auto", header_row: int = 1,
             keep_problems: bool = False) -> pd.DataFrame:
    data = path.read_bytes()
    kind = binary_kind(data)
    if kind:
        raise SourceFormatError(f"{path}: this is not a text file but {kind}. Export the data again as CSV "
                                "(or set `format:` to what the file is).")
    text = decode_text(data, encoding, path)
    if not text.strip():
        raise SourceFormatError(f"{path}: the file is empty. Export the data again.")
    sep = detect_delimiter(text) if delimiter == "auto" else delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        raise SourceFormatError(f"{path}: line {reader.line_num + 1} cannot be read as CSV ({exc}). Correct that line "
                                "in the export, or set `delimiter:` in study.yml.") from None
    if len(records) < header_row:
        raise SourceFormatError(f"{path}: `header_row: {header_row}` but the file has {len(records)} rows.")
    # A blank header is named by its position, as pandas names one in Excel (`Unnamed: 2`).
    header = [readable(h).strip() or f"Unnamed: {i}" for i, h in enumerate(records[header_row - 1][1])]
    _check_headers(header, path)
    rows, problems, ragged = [], [], 0
    for line, record in records[header_row:]:
        problem = None
        # A short row is padded with blanks (exporters leave trailing blank cells out); a long one would
        # put answers under the wrong headers, so it is kept aside.
        if len(record) > len(header):
            ragged += 1
            problem = (f"line {line} has {len(record)} cells, the header {len(header)} (a delimiter or a line break "
                       "inside an unquoted cell?)")
        elif any(_UNDECODABLE.search(cell) for cell in record):
            problem = (f"line {line} holds byte(s) {undecodable_bytes(''.join(record))} that are not text in this "
                       "file's encoding: re-export the file as UTF-8, or correct that line")
        cells = [readable(c) for c in record] if problem else record
        rows.append((cells + [""] * len(header))[:len(header)])
        problems.append(problem)
    if rows and ragged > 0.5 * len(rows):
        raise SourceFormatError(f"{path}: {ragged} of {len(rows)} rows do not have the header's {len(header)} cells "
                                f"when split by {sep!r}. Set `delimiter:` in study.yml (or check `header_row:`).")
    frame = pd.DataFrame(rows, columns=header, dtype="string").replace({"": pd.NA})
    frame = _with_rows(frame, path, header_row)
    return _problems(frame, problems, path, keep_problems)


def _problems(frame: pd.DataFrame, problems: list[str | None], path: Path, keep: bool) -> pd.DataFrame:
    """Attach the rows' problems, or stop naming the first when the caller cannot quarantine."""
    found = [p for p in problems if p]
    if not found:
        return frame
    if not keep:
        raise SourceFormatError(f"{path}: {len(found)} row(s) cannot be read as they stand; first: {found[0][:300]}.")
    frame[PROBLEM] = pd.array(problems, dtype="string")
    return frame


def read_excel(path: Path, sheet: str | int | None = None, header_row: int = 1) -> pd.DataFrame:
    import zipfile

    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str, engine="openpyxl",
                              header=header_row - 1)
    except zipfile.BadZipFile:
        head = path.read_bytes()[:8]
        kind = ("an old .xls workbook renamed .xlsx" if head.startswith(b"\xd0\xcf\x11\xe0")
                else "not a complete .xlsx file (cut short, or another format renamed)")
        raise SourceFormatError(f"{path}: {kind}. Open it in Excel and save it again as .xlsx (Excel Workbook), "
                                "or export it as CSV and set `format: csv`.") from None
    except ValueError as exc:
        raise SourceFormatError(f"{path}: {exc}. Set `sheet:` in study.yml to an existing sheet name.") from None
    unnamed = [str(c) for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed and len(unnamed) >= len(frame.columns) / 2 and header_row == 1:
        raise SourceFormatError(f"{path}: {len(unnamed)} of {len(frame.columns)} columns have no header in row 1 "
                                "(merged group cells above the question headers?). Set `header_row:` for this "
                                "source in study.yml to the row that holds the headers (e.g. `header_row: 2`).")
    return _with_rows(frame, path, header_row)


def read_spss(path: Path) -> pd.DataFrame:
    """SPSS .sav with value labels applied (codes become their labels). A file without any value label
    keeps its codes, and says so in `frame.attrs["notes"]` (the codebook must then label them)."""
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and OSError variants
        raise SourceFormatError(f"{path}: not a readable SPSS file ({exc}).") from None
    text = frame.apply(lambda col: col.map(_cell_text)).astype("string")
    text = _with_rows(text, path)
    if not meta.variable_value_labels:
        text.attrs["notes"] = [f"{path.name} has no value labels: answers are kept as their codes; give the codes "
                               "their labels in the codebook (`labels:`)."]
    return text


def _cell_text(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return pd.NA
    if isinstance(value, str) and not value.strip():  # SPSS stores a blank text answer as "": blank, as in a CSV
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _with_rows(frame: pd.DataFrame, path: Path, header_row: int = 1) -> pd.DataFrame:
    frame = frame.astype("string")
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_headers(list(frame.columns), path)
    frame.insert(0, ROW, range(header_row + 1, len(frame) + header_row + 1))
    return frame


def _check_headers(headers: list[str], path: Path) -> None:
    seen, repeated = set(), []
    for header in headers:
        if header in seen and header not in repeated:
            repeated.append(header)
        seen.add(header)
    if repeated:
        raise SourceFormatError(f"{path}: column header(s) {repeated} appear more than once; rename them in the export.")


def read_table(path: Path, format: str, encoding: str = "auto", delimiter: str = "auto", sheet=None,
               header_row: int = 1, keep_problems: bool = False) -> pd.DataFrame:
    """Read any supported tabular format; all answer cells as strings (NA for blank)."""
    if format == "csv":
        return read_csv(path, encoding, delimiter, header_row, keep_problems)
    if format == "excel":
        return read_excel(path, sheet, header_row)
    if format == "spss":
        return read_spss(path)
    raise SourceFormatError(f"{path}: unknown format {format!r}; use csv, excel or spss.")
