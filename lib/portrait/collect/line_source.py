"""The line items' source opened in the study's engine, every row numbered: a CSV file, a parquet file or a folder
of parquet partitions, a table the engine holds, or an Excel or SPSS export.

Every row comes with `_file` (the file it is in), `_row` (the row a person sees there: in a CSV the header is row 1
and the first line item row 2, counting records as a spreadsheet shows them, blank lines left out; in a parquet file
its row in that file or partition, from 1; in a DuckDB table its row id, from 1), `_extra` (cells beyond the header
in a CSV row: a ragged row) and `_undecodable` (the bytes of a CSV row that were not text in the file's encoding).

A CSV file is read as the pandas reader (io/readers.py) reads one, without loading it: the encoding and delimiter
are detected from its first MiB (a binary file named .csv is refused with the same words), the header is read from
there; the file is then streamed once in bytes, never parsed in Python: a UTF-8 file that decodes is read by the
engine as it is, anything else (cp1251, UTF-16, stray bytes of another encoding) is written as UTF-8 into a
temporary file in the step's work folder (DuckDB reads only UTF-8, UTF-16 and Latin-1 without an extension), each
undecodable byte kept as a private-use character so its row is quarantined naming it. The engine then stages the
numbered text cells as parquet in the work folder: every later pass reads that, not the CSV.

Excel and SPSS exports are read by the pandas readers and handed to the engine as a parquet file of their text cells:
those formats cannot hold a retailer's line items anyway (a workbook stops at 1,048,576 rows).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from portrait import engine as engines
from portrait.config.study import MAX_HEADER_ROW, Study, TransactionSource
from portrait.errors import SourceFormatError, StudyConfigError
from portrait.io import provenance, readers
from portrait.io.readers import ROW

SAMPLE_BYTES = 1 << 20  # the head of a CSV file the encoding, delimiter and header are read from
CHUNK_BYTES = 1 << 22
SPARE_CELLS = 8  # cells read beyond the header, to tell a ragged row (cells beyond these are not counted)
_UNDECODABLE_BASE = 0xF700  # an undecodable byte b is kept as chr(0xF700 + b), U+F780 … U+F7FF
UNDECODABLE_CLASS = "[\\x{F780}-\\x{F7FF}]"
NUMBERING = ["_file", ROW, "_extra", "_undecodable"]


@dataclass
class LineSource:
    """A source opened in an engine: `table` holds its own columns and the NUMBERING ones."""

    table: ibis.Table
    columns: list[str]
    label: str  # how messages name it: a file name, a folder, a table
    inputs: dict[str, Path] = field(default_factory=dict)  # what the manifest hashes
    folder: Path | None = None  # a folder source: `_file` is shown relative to it
    delimiter: str | None = None  # a CSV file's
    path: Path | None = None  # the file or folder (None for an engine's table)
    # Not None when `table` is a CSV file's records read in order but not numbered yet (DuckDB): it lacks `_file`
    # and `_row`, its first `header_rows` records are the header lines, and `numbered` numbers it in a write.
    header_rows: int | None = None
    may_hold_nul: bool = True  # False: the bytes the engine reads hold no NUL (no cell needs searching for one)

    def numbered(self, engine: engines.Engine, expr: ibis.Table, path: Path) -> ibis.Table:
        """`expr` (the table, projected or with columns added) written to `path` in the work folder and read back,
        every row numbered: a table that has its numbers keeps them; unnumbered records are numbered by their
        position in the write, the header lines left out."""
        if self.header_rows is None:
            return engine.parquet(engine.write_parquet(expr, path))
        copy = engine.numbered_copy(expr, path)
        return copy.filter(copy[ROW] > self.header_rows).mutate(_file=ibis.literal(self.label))

    def first_rows(self, engine: engines.Engine, rows: int) -> pd.DataFrame:
        """The source's first `rows` rows (its own columns and `_row`), in file order."""
        if self.header_rows is None:
            table = self.table
            # A file's first rows are numbered within `rows` + the header rows: the sort sees no others.
            head = table.filter((table[ROW] <= rows + MAX_HEADER_ROW) | table[ROW].isnull())
            return engine.fetch(head.select(*self.columns, "_file", ROW).order_by(["_file", ROW]).limit(rows)
                                ).drop(columns=["_file"])
        first = engine.fetch(self.table.select(*self.columns).limit(rows + self.header_rows))  # LIMIT keeps order
        first = first.iloc[self.header_rows:].reset_index(drop=True)
        first[ROW] = range(self.header_rows + 1, self.header_rows + 1 + len(first))
        return first

    def file_name(self, file: str | None) -> str:
        """The name the quarantine gives the file a row is in."""
        if self.folder is None or not file:
            return self.label
        path = file.removeprefix("file:")
        try:
            return Path(path).resolve().relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            return Path(path).name


def open_source(study: Study, engine: engines.Engine, source: TransactionSource, work: Path) -> LineSource:
    """The source as study.yml declares it, in `engine`; `work` holds what reading it writes (a UTF-8 copy, the
    staged cells)."""
    if source.format == "table":
        return _table(study, engine, source)
    path = study.raw_path(source.path)
    if source.format == "parquet":
        return _parquet(study, engine, path)
    if source.format == "csv":
        return _csv(engine, path, source, work)
    work.mkdir(parents=True, exist_ok=True)
    frame = readers.read_table(path, source.format, source.encoding, source.delimiter, source.sheet,
                               source.header_row, keep_problems=True)
    return _from_pandas(engine, frame, path, work)


def _from_pandas(engine: engines.Engine, frame: pd.DataFrame, path: Path, work: Path) -> LineSource:
    """An Excel or SPSS export the pandas readers read, handed to the engine as a parquet file of text cells."""
    columns = [c for c in frame.columns if c not in (ROW, readers.PROBLEM)]
    cells = {c: pa.array(frame[c].astype(object).where(frame[c].notna(), None).tolist(), pa.string()) for c in columns}
    staged = work / "lines.parquet"
    pq.write_table(pa.table({**cells, "_file": pa.array([path.name] * len(frame), pa.string()),
                             ROW: pa.array(frame[ROW].astype("int64").tolist(), pa.int64()),
                             "_extra": pa.array([0] * len(frame), pa.int64()),
                             "_undecodable": pa.array([""] * len(frame), pa.string())}), staged)
    return LineSource(engine.parquet(staged), columns, path.name, {"transactions": path}, path=path)


def _parquet(study: Study, engine: engines.Engine, path: Path) -> LineSource:
    if not path.is_dir():
        table = engine.parquet(path, numbered=True)
        return LineSource(_with_reader_columns(table), _own(table), path.name, {"transactions": path}, path=path)
    files = engines.confined_files(path, study.folder)
    parts = [p for p in files if not p.name.startswith((".", "_"))]
    strays = [p for p in parts if p.suffix != ".parquet"]
    if strays:
        raise SourceFormatError(f"{strays[0]}: not a parquet file, in the folder of line items {path}; keep only "
                                "the parquet partitions there.")
    if not parts:
        raise SourceFormatError(f"{path}: no parquet file in the folder of line items.")
    table = engine.parquet(path, hive=True, numbered=True)
    inputs = {f"transactions:{p.relative_to(path).as_posix()}": p for p in parts}
    return LineSource(_with_reader_columns(table), _own(table), f"{path.name}/", inputs, folder=path, path=path)


def _table(study: Study, engine: engines.Engine, source: TransactionSource) -> LineSource:
    database = study.raw_path(source.database) if source.database else None
    try:
        table = engine.table(source.table, database, numbered=True)
    except StudyConfigError:
        raise
    except Exception as error:  # noqa: BLE001 - each engine names a missing table its own way
        where = f"the database {database.name}" if database else "the engine's catalog"
        raise SourceFormatError(f"table `{source.table}` cannot be read from {where} ({str(error)[:200]}). Check "
                                "`table:` (and `database:`) under `sources.transactions` in study.yml.") from None
    inputs = {"transactions": database} if database else {}
    return LineSource(_with_reader_columns(table), _own(table), source.table, inputs)


def _own(table: ibis.Table) -> list[str]:
    return [c for c in table.columns if c not in NUMBERING]


def _with_reader_columns(table: ibis.Table) -> ibis.Table:
    return table.mutate(_file=table._file.cast("string"), _row=table._row.cast("int64"),
                        _extra=ibis.literal(0, "int64"), _undecodable=ibis.literal(""))


# ---------------------------------------------------------------------------------------------------- CSV


@dataclass
class PreparedCsv:
    """What the engine reads: a UTF-8 file, its delimiter and header (read from the head of the file)."""

    path: Path
    delimiter: str
    header: list[str]
    marked: bool  # undecodable bytes are marked in it (a transcoded copy)
    nul: bool = True  # it may hold a NUL byte (False: none was found in it)


def prepare_csv(path: Path, encoding: str, delimiter: str, header_row: int, work: Path) -> PreparedCsv:
    """Detect, check and (when it is not plain UTF-8) transcode a CSV file, as io/readers.read_csv would read it."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    kind = readers.binary_kind(head)
    if kind:
        raise SourceFormatError(f"{path}: this is not a text file but {kind}. Export the data again as CSV "
                                "(or set `format:` to what the file is).")
    whole = len(head) < SAMPLE_BYTES
    chosen = readers.detect_encoding(head if whole else _complete_lines(head)) if encoding == "auto" else encoding
    try:
        name = codecs.lookup(chosen).name
    except LookupError:
        raise SourceFormatError(f"{path}: unknown encoding {chosen!r}. Set `encoding:` for this source in study.yml "
                                f"to one of {', '.join(readers._ENCODINGS)} (or auto).") from None
    text = head.decode(chosen, errors="replace")
    if not whole:
        text = text[: text.rfind("\n") + 1] or text
    if not text.strip():
        raise SourceFormatError(f"{path}: the file is empty. Export the data again.")
    sep = readers.detect_delimiter(text) if delimiter == "auto" else delimiter
    header = _header(text, sep, header_row, path)
    if name in ("utf-8", "utf-8-sig", "ascii"):
        decodes, nul = _decodes(path, name)
        if decodes:
            return PreparedCsv(path, sep, header, marked=False, nul=nul)
    copy = work / "source.utf-8.csv"
    nul = _transcode(path, chosen, copy)
    return PreparedCsv(copy, sep, header, marked=True, nul=nul)


def _complete_lines(head: bytes) -> bytes:
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 and not head.startswith((b"\xff\xfe", b"\xfe\xff")) else head


def _header(text: str, sep: str, header_row: int, path: Path) -> list[str]:
    records = []
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
        records.append(record)
        if len(records) >= header_row:
            break
    if len(records) < header_row:
        raise SourceFormatError(f"{path}: `header_row: {header_row}` but the file has {len(records)} rows.")
    header = [readers.readable(h).strip().lstrip("\ufeff") or f"Unnamed: {i}"
              for i, h in enumerate(records[header_row - 1])]
    repeated = sorted({h for h in header if header.count(h) > 1}, key=header.index)
    if repeated:
        raise SourceFormatError(f"{path}: column header(s) {repeated} appear more than once; rename them in the "
                                "export.")
    return header


def _decodes(path: Path, encoding: str) -> tuple[bool, bool]:
    """Whether the whole file decodes, and whether it holds a NUL byte (streamed: a chunk at a time, in C; its
    hash for the manifest on the way)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    digest, nul = hashlib.sha256(), False
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
                nul = nul or b"\x00" in chunk
                if not (chunk.isascii() and not decoder.getstate()[0]):  # ASCII between whole characters decodes
                    decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False, nul
    provenance.remember_sha256(path, digest.hexdigest())
    return True, nul


def _transcode(path: Path, encoding: str, target: Path) -> bool:
    """Stream `path` into UTF-8 at `target`, marking undecodable bytes; a file whose lines are mostly undecodable
    is refused as io/readers.decode_text refuses it. Whether the text holds a NUL character."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    lines, broken, first, carry_broken, nul = 0, 0, None, False, False
    marks = {0xDC00 + b: chr(_UNDECODABLE_BASE + b) for b in range(0x80, 0x100)}
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "rb") as source, open(target, "w", encoding="utf-8", newline="") as out:
            while True:
                chunk = source.read(CHUNK_BYTES)
                text = decoder.decode(chunk, final=not chunk)
                pieces = text.split("\n")
                for number, piece in enumerate(pieces):
                    bad = carry_broken or readers._UNDECODABLE.search(piece) is not None
                    if number < len(pieces) - 1:  # a whole line ends here
                        lines += 1
                        if bad:
                            broken += 1
                            first = first or lines
                        carry_broken = False
                    else:
                        carry_broken = bad
                nul = nul or "\x00" in text
                out.write(text.translate(marks))
                if not chunk:
                    break
    except UnicodeDecodeError as exc:  # UTF-16 cannot keep stray bytes
        raise SourceFormatError(f"{path}: cannot decode as {encoding} ({exc}). Set `encoding:` for this source in "
                                f"study.yml to one of {', '.join(readers._ENCODINGS)}.") from None
    if carry_broken:  # the last line, without a line break after it
        lines, broken = lines + 1, broken + 1
        first = first or lines
    if broken and broken > max(1, readers.BROKEN_FILE_SHARE * lines):
        raise SourceFormatError(
            f"{path}: cannot decode as {encoding}: {broken} of {lines} lines hold bytes that are not "
            f"{encoding} (first at line {first}). Set `encoding:` for this source in study.yml to one of "
            f"{', '.join(readers._ENCODINGS)}.")
    return nul


def _csv(engine: engines.Engine, path: Path, source: TransactionSource, work: Path) -> LineSource:
    prepared = prepare_csv(path, source.encoding, source.delimiter, source.header_row, work)
    width = len(prepared.header)
    try:
        records = engine.csv_records(prepared.path, prepared.delimiter, width + SPARE_CELLS, work / "lines.parquet")
    except Exception as error:  # noqa: BLE001 - each engine words a broken CSV its own way
        raise SourceFormatError(f"{path}: cannot be read as CSV ({_first_line(error)}). Correct the file, or set "
                                "`delimiter:` and `encoding:` in study.yml.") from None
    numbered = "_record" in records.columns  # Spark numbers records as it reads them; DuckDB in its first write
    if numbered:
        records = records.filter(records._record > source.header_row)
    cells = {name: records[f"c{i}"].nullif("") for i, name in enumerate(prepared.header)}
    spare = [records[f"c{width + i}"].nullif("").notnull() for i in range(SPARE_CELLS)]
    extra = ibis.literal(0, "int64")
    for position, filled in enumerate(spare, start=1):  # the last spare cell that holds something
        extra = ibis.ifelse(filled, position, extra)
    if prepared.marked:
        joined = ibis.literal("").join([records[f"c{i}"].fill_null("") for i in range(width + SPARE_CELLS)])
        undecodable = joined.re_replace(f"[^{UNDECODABLE_CLASS[1:-1]}]", "")
    else:
        undecodable = ibis.literal("")
    numbering = {"_file": ibis.literal(path.name), ROW: records._record.cast("int64")} if numbered else {}
    table = records.select(**cells, **numbering, _extra=extra.cast("int64"), _undecodable=undecodable)
    return LineSource(table, prepared.header, path.name, {"transactions": path}, delimiter=prepared.delimiter,
                      path=path, header_rows=None if numbered else source.header_row, may_hold_nul=prepared.nul)


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]


def undecodable_bytes(marks: str) -> str:
    """The bytes a row's marks stand for, as `0xE9 0xFF` (for the quarantine's reason)."""
    return " ".join(f"0x{ord(ch) - _UNDECODABLE_BASE:02X}" for ch in dict.fromkeys(marks))
