"""Step 01, collect: read every source, validate, pseudonymise, flag quality, quarantine, reconcile.

`collect(study, secret)` returns a `CollectResult` holding the clean tables and the bookkeeping;
`write_outputs(study, result, parameters)` writes them to `data/processed/<study>/` atomically.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from portrait.io import atomic, catalog, provenance
from portrait.collect import privacy, quality, validation
from portrait.errors import SourceFormatError
from portrait.io.readers import PROBLEM, ROW, read_table
from portrait.config.study import FileSource, Study, TableSource
from portrait.collect.transcripts import is_inside, read_transcripts

NO_ID_COLUMN = "respondent_id"  # the survey's id when the export has none: its row number

# Respondent labels that name a role, not a person.
GENERIC_SPEAKERS = {"respondent", "participant", "interviewee", "респондент", "учасник", "участник",
                    "учасниця", "участница"}


@dataclass
class SourceResult:
    name: str
    table: pd.DataFrame
    quarantine: pd.DataFrame
    read: int
    unit: str = "rows"
    files: dict[str, Path] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # clear-text name words, kept in memory only for masking
    checks: list[dict] = field(default_factory=list)  # kept but worth a look: returns, duplicates, orphans
    where: str | None = None  # how messages name the source when not by its files (a folder, an engine's table)


@dataclass
class CollectResult:
    """The clean tables of every present source, the quarantine and the reconciliation of counts."""

    sources: dict[str, SourceResult]
    quality: pd.DataFrame | None

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every source's table; the line items as the engine wrote them (transactions.LineItems: counted, never
        loaded whole)."""
        return {name: s.table for name, s in self.sources.items()}

    @property
    def quarantine(self) -> pd.DataFrame:
        parts = [s.quarantine for s in self.sources.values()]
        return pd.concat(parts, ignore_index=True) if parts else validation.empty_quarantine()

    @property
    def reconciliation(self) -> pd.DataFrame:
        """Per source: read = kept + quarantined, in rows (files for transcripts)."""
        rows = []
        for s in self.sources.values():
            kept = s.table["document"].nunique() if s.unit == "files" else len(s.table)
            rows.append({"source": s.name, "unit": s.unit, "read": s.read, "kept": kept,
                         "quarantined": len(s.quarantine)})
        table = pd.DataFrame(rows, columns=["source", "unit", "read", "kept", "quarantined"])
        table["reconciles"] = table["read"] == table["kept"] + table["quarantined"]
        return table

    @property
    def checks(self) -> pd.DataFrame:
        """Rows kept but worth a look (returns, exact duplicates, cards nobody holds), counted per source."""
        rows = [c for s in self.sources.values() for c in s.checks]
        frame = pd.DataFrame(rows, columns=["source", "check", "rows", "amount"])
        return frame.astype({"rows": "int64", "amount": "float64"})

    def summary(self) -> pd.DataFrame:
        return self.reconciliation


def require_columns(frame: pd.DataFrame, columns: list[str], file: Path, key: str) -> None:
    """Fail with the missing header, the study.yml key that names it, and the closest real header."""
    present = [c for c in frame.columns if c != ROW]
    for column in columns:
        if column not in frame.columns:
            close = difflib.get_close_matches(column, present, n=1, cutoff=0.5)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            below = _header_below(frame, column)
            if below:  # group headers above the real ones (a two-row Excel header)
                hint = f" It is in row {below} of the file: set `header_row: {below}` for this source in study.yml."
            raise SourceFormatError(
                f"{file}: column {column!r} named in study.yml `{key}` is not in the file.{hint} "
                "Correct the header in study.yml."
            )


def _header_below(frame: pd.DataFrame, column: str) -> int | None:
    """The file row (as a person counts) among the first few where `column` appears as a cell, if any."""
    head = frame.head(5)
    for position, (_, row) in enumerate(head.drop(columns=[ROW, PROBLEM], errors="ignore").iterrows()):
        if any(str(v).strip() == column for v in row.dropna()):
            return int(head[ROW].iloc[position])
    return None


def _read(study: Study, name: str, source: FileSource) -> tuple[pd.DataFrame, Path]:
    path = study.raw_path(source.path)
    frame = read_table(path, source.format, source.encoding, source.delimiter, source.sheet, source.header_row,
                       keep_problems=True)
    id_column = getattr(source, "id_column", None)
    named = [*([id_column] if id_column else []), *source.personal, *source.open_text] + \
        ([source.link_key] if source.link_key else [])
    require_columns(frame, named, path, f"sources.{name}")
    return undeclared_contacts(frame, source, path, name), path


# A column nobody declared personal is refused when at least CONTACT_COLUMN_MIN of its values and this share
# of them (or CONTACT_COLUMN_CELLS values) are contacts; below that the stray cells (a shifted row, a contact
# typed into the wrong box) are masked.
CONTACT_COLUMN_MIN, CONTACT_COLUMN_SHARE, CONTACT_COLUMN_CELLS = 3, 0.2, 20


def undeclared_contacts(frame: pd.DataFrame, source: FileSource, path: Path, name: str) -> pd.DataFrame:
    """Stop when a column nobody declared personal holds contacts (a backup e-mail, a card on file):
    it would reach data/processed in clear. The message names the column and how to declare it. Stray
    contact cells in other columns are masked (`[email]`, `[phone]` …) before anything else reads them."""
    columns = getattr(source, "columns", None)  # transactions: the customer column is always pseudonymised
    skip = {*source.personal, *source.open_text, ROW, getattr(source, "id_column", None),
            *([columns.customer] if columns is not None else [])}
    found = privacy.undeclared_contacts(frame, skip)
    names = privacy.undeclared_names(frame, skip | set(found))
    stray = {c: v for c, v in found.items() if v[1] < CONTACT_COLUMN_CELLS
             and (v[1] < CONTACT_COLUMN_MIN or v[1] < CONTACT_COLUMN_SHARE * v[2])}
    found = {c: v for c, v in found.items() if c not in stray}
    if found or names:
        lines = [f"column {column!r}: {hits} of {total} values are {kind} {'numbers' if kind != 'email' else 'addresses'}"
                 f" — add `{column}: {'other' if kind == 'iban' else kind}` under `sources.{name}.personal`"
                 for column, (kind, hits, total) in found.items()]
        lines += [f"column {column!r}: {hits} of {total} values read like people's names — add `{column}: name` "
                  f"under `sources.{name}.personal`" for column, (hits, total) in names.items()]
        raise SourceFormatError(f"{path}: personal data in column(s) not declared personal (they would be written "
                                f"in clear):\n  - " + "\n  - ".join(lines) +
                                "\nDeclare them (they are then pseudonymised) or delete the columns from the export.")
    if stray:
        frame = frame.copy()
        for column in stray:
            frame[column] = frame[column].map(privacy.mask_cell, na_action="ignore").astype(frame[column].dtype)
    return frame


def _name_words(raw: pd.DataFrame, source: FileSource) -> list[str]:
    """The clear-text words of a source's name-kind personal columns (every row read, quarantined ones too)."""
    columns = [c for c, kind in source.personal.items() if kind == "name" and c in raw.columns]
    return sorted(set(raw[columns].stack().dropna().astype(str).str.split().explode().dropna()))


def _content_stamp(study: Study, source: FileSource) -> tuple | str:
    """What a source holds, cheaply: a file's hash; a folder's files with their sizes and times; a table's name."""
    if source.path is None:  # an engine's table
        return (getattr(source, "table", None), getattr(source, "database", None))
    path = study.raw_path(source.path)
    if path.is_dir():
        return tuple((p.relative_to(path).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
                     for p in sorted(path.rglob("*")) if p.is_file())
    return provenance.file_sha256(path)


def _declared_name_words(study: Study, name: str, source: FileSource) -> list[str]:
    if name == "transactions":  # the line items: read by the engine, one row per distinct name
        from portrait.collect.transactions import name_words

        return name_words(study)
    return _name_words(_read(study, name, source)[0], source)


_KNOWN_NAMES: dict = {}  # the last study's names, by the content and settings of its name sources: read once a run


def known_names(study: Study) -> list[str]:
    """Name words of every source that declares name columns under `personal:` (participants, card holders, the
    survey's own name columns …), gathered before anything is masked: every free text of the study (transcripts,
    open answers) is masked with all of them, in any inflected form. Kept in memory only, never written."""
    sources = {name: getattr(study.config.sources, name, None)
               for name in ("participants", "cardholders", "survey", "transactions")}
    declared = {name: source for name, source in sources.items()
                if isinstance(source, FileSource) and "name" in source.personal.values()}
    try:  # hashing a file is much cheaper than reading it as a table
        stamp = tuple((name, _content_stamp(study, source), source.model_dump_json())
                      for name, source in declared.items())
    except OSError:  # a missing file: _read says so below
        stamp = None
    if stamp is not None and stamp in _KNOWN_NAMES:
        return _KNOWN_NAMES[stamp]
    words = sorted({word for name, source in declared.items() for word in _declared_name_words(study, name, source)})
    _KNOWN_NAMES.clear()
    if stamp is not None:
        _KNOWN_NAMES[stamp] = words
    return words


def _finish(frame: pd.DataFrame, source: FileSource, secret: bytes, names: list[str] = ()) -> pd.DataFrame:
    """Mask contacts, card numbers and the known people's names in free text, then replace personal columns by
    pseudonyms."""
    frame = frame.copy()
    for column in source.open_text:
        frame[column] = frame[column].map(lambda t: privacy.mask_text(t, names), na_action="ignore").astype("string")
    return privacy.pseudonymise(frame, source.personal, secret, source.link_key)


def collect_table(study: Study, name: str, secret: bytes, names: list[str] | None = None) -> SourceResult:
    """A table keyed by one id column (participants, card holders); its open text masked with `names` (by default
    the study's `known_names`)."""
    source: TableSource = getattr(study.config.sources, name)
    raw, path = _read(study, name, source)
    answers = [c for c in raw.columns if c not in (ROW, PROBLEM)]
    rules = validation.schema({source.id_column: (True, [validation.first_occurrence()])},
                              [validation.not_blank_row(answers)])
    names = known_names(study) if names is None else names
    kept, bad = validation.validate(raw, rules, name, path.name, set(source.personal), names)
    return SourceResult(name, _finish(kept, source, secret, names), bad, len(raw), files={name: path},
                        names=_name_words(raw, source))


def collect_transcripts(study: Study, secret: bytes, participants: SourceResult | None,
                        names: list[str] | None = None) -> SourceResult:
    """Speaker turns with names masked: `names` (by default the study's `known_names`: participants, card holders,
    survey respondents) and name-like speaker labels."""
    source = study.config.sources.transcripts
    folder = study.raw_path(source.path)
    turns, problems = read_transcripts(folder, source.interviewer_labels, source.encoding, confine_to=study.folder)
    # Counted (and hashed into the manifest) only when inside the study folder: a link out is never read.
    listed = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".txt", ".md", ".vtt", ".srt", ".docx"})
    files = [p for p in listed if is_inside(p, study.folder)]
    # Respondents labelled by their own name in notes: those labels are names to mask too.
    labels = turns.loc[turns["role"] == "respondent", "speaker"].dropna().unique().tolist()
    names = [*(known_names(study) if names is None else names),
             *[label for label in labels if label.istitle() and label.casefold() not in GENERIC_SPEAKERS]]
    # Speaker labels stay (Interviewer, Respondent …) unless they are a person's name.
    turns["speaker"] = turns["speaker"].map(lambda t: privacy.mask_text(t, names), na_action="ignore")
    turns["text"] = turns["text"].map(lambda t: privacy.mask_text(t, names)).astype("string")
    if participants is not None:
        id_column = study.config.sources.participants.id_column
        table = participants.table
        keys = table.set_index(id_column)["person_key"] if "person_key" in table else None
        turns["person_key"] = turns["document"].map(keys).astype("string") if keys is not None else pd.NA
    else:  # no participants table: nobody to link, but the column every later step reads is there
        turns["person_key"] = pd.array([pd.NA] * len(turns), dtype="string")
    # The file has its own column; reasons stay free of machine-specific folders.
    reasons = problems["reason"].astype("string").str.replace(f"{folder}{os.sep}", "", regex=False)
    quarantine = pd.DataFrame({
        "source": "transcripts", "file": problems["file"], "row": problems["row"].astype("Int64"),
        "columns": problems["column"], "values": "", "reason": reasons,
    }).astype({c: "string" for c in validation.QUARANTINE_COLUMNS if c != "row"})
    return SourceResult("transcripts", turns.reset_index(drop=True), quarantine, len(listed), "files",
                        {f"transcript:{p.name}": p for p in files})


def collect_survey(study: Study, secret: bytes) -> tuple[SourceResult, pd.DataFrame]:
    source = study.config.sources.survey
    rules = source.quality
    raw, path = _read(study, "survey", source)
    meta = [c for c in (rules.started_column, rules.submitted_column, rules.duration_column) if c]
    require_columns(raw, meta + rules.duplicate_on, path, "sources.survey.quality")
    # A row with nothing but its id (or nothing at all) has no answer: blank, whatever else it has.
    answers = [c for c in raw.columns if c not in (ROW, PROBLEM, source.id_column, *meta)]
    if source.id_column is None:  # no id column: the row number a person sees in the file is the id
        raw.insert(0, NO_ID_COLUMN, raw[ROW].astype("string"))
    id_column = source.id_column or NO_ID_COLUMN
    columns = {id_column: (True, [validation.first_occurrence()])}
    if rules.submitted_column:
        columns[rules.submitted_column] = (True, [validation.parses_as_datetime(None)])
    if rules.started_column:
        columns[rules.started_column] = (False, [validation.parses_as_datetime(None)])
    if rules.duration_column:
        columns[rules.duration_column] = (False, [validation.is_number(0, decimal="auto")])
    kept, bad = validation.validate(raw, validation.schema(columns, [validation.not_blank_row(answers)]),
                                    "survey", path.name, set(source.personal), known_names(study))
    table = _finish(kept, source, secret, known_names(study)).rename(columns={id_column: "respondent_id"})
    if source.link_key and source.link_key == source.id_column:
        # Linked through the respondent id itself (a panel whose ids are the customer ids): the id is
        # pseudonymised like any link key, and the same id in another source gives the same person_key.
        table["respondent_id"] = table["respondent_id"].map(lambda v: privacy.pseudonym(v, "other", secret))
        table["person_key"] = table["respondent_id"]
    if "person_key" not in table:
        # No personal link key: the pseudonymised respondent id stands in, so every survey step runs;
        # linking to card holders and interviews is then not available (and said so).
        table["person_key"] = table["respondent_id"].map(lambda v: privacy.pseudonym(f"respondent:{v}", "other", secret))
    keys = privacy.key_columns(source.personal)
    standard = {ROW, "respondent_id", "person_key", *keys.values(), *meta}
    questions = [c for c in table.columns if c not in standard]
    flagged = quality.flag_respondents(table, rules, questions, [keys[c] for c in rules.duplicate_on], path.name)
    result = SourceResult("survey", flagged.reset_index(drop=True), bad, len(raw), files={"survey": path},
                          checks=reader_notes(raw, "survey"))
    return result, quality.flag_counts(flagged)


def reader_notes(raw: pd.DataFrame, source: str) -> list[dict]:
    """What the reader noticed about a whole file (an SPSS file without value labels), as source checks."""
    return [{"source": source, "check": note, "rows": len(raw), "amount": None} for note in raw.attrs.get("notes", [])]


def collect(study: Study, secret: bytes) -> CollectResult:
    """Run step 01 on every source the study declares; sources it lacks are simply absent."""
    sources = study.config.sources
    results: dict[str, SourceResult] = {}
    survey_quality = None
    # Names first: every free text is masked with the names of every source that declares name columns.
    names = known_names(study)
    if sources.participants:
        results["participants"] = collect_table(study, "participants", secret, names)
    if sources.transcripts:
        results["transcripts"] = collect_transcripts(study, secret, results.get("participants"), names)
    if sources.survey:
        results["survey"], survey_quality = collect_survey(study, secret)
    if sources.cardholders:
        results["cardholders"] = collect_table(study, "cardholders", secret, names)
    if sources.transactions:
        from portrait.collect.transactions import collect_transactions  # it builds on this module

        holders = results["cardholders"].table["card_key"] if "cardholders" in results else None
        results["transactions"] = collect_transactions(study, secret, holders, names)
    for result in results.values():
        refuse_an_empty_source(result)
    return CollectResult(results, survey_quality)


def refuse_an_empty_source(result: SourceResult) -> None:
    """A source with nothing read, or with every row quarantined, is an error, not a quiet success: the
    message names the source, its file and the commonest reasons (a decimal comma, a date format …)."""
    kept = result.table["document"].nunique() if result.unit == "files" else len(result.table)
    if kept:
        return
    files = result.where or ", ".join(p.name for p in result.files.values()) or "its folder"
    if result.read == 0:
        raise SourceFormatError(f"source `{result.name}` ({files}): nothing to read (no {result.unit}). Check the "
                                "file (a header only?) or the path in study.yml.")
    reasons = result.quarantine["reason"].value_counts().head(3)
    listing = "; ".join(f"{count} × {reason}" for reason, count in reasons.items())
    example = result.quarantine["values"].dropna()
    sample = f" First value refused: {example.iloc[0]!r}." if len(example) and example.iloc[0] else ""
    if example.str.contains(r"(?<![\d.,])\d+,\d{1,2}(?![\d.,])", regex=True).mean() > 0.5:
        sample += f" The numbers are written with a decimal comma: set `decimal: \",\"` under `sources.{result.name}`."
    raise SourceFormatError(f"source `{result.name}` ({files}): all {result.read} {result.unit} were quarantined — "
                            f"{listing}.{sample} Fix the export or study.yml (date_format, delimiter, encoding, "
                            "a decimal comma) and run again; the quarantine table lists every row.")


OUTPUT_NAMES = {"participants": "participants", "transcripts": "turns", "survey": "respondents",
                "cardholders": "cardholders", "transactions": "transactions"}


def write_outputs(study: Study, result: CollectResult, parameters: dict) -> dict:
    """Write every table, the quarantine, reconciliation, quality counts and the manifest."""
    tables = {OUTPUT_NAMES[name]: s.table for name, s in result.sources.items()}
    tables["quarantine"] = result.quarantine
    tables["reconciliation"] = result.reconciliation
    tables["source_checks"] = result.checks
    if result.quality is not None:
        tables["quality_flags"] = result.quality
    outputs = {}
    for name, frame in tables.items():
        if isinstance(frame, pd.DataFrame):
            path = study.write(name, frame)
        else:  # the line items the engine wrote: moved into place, never re-written through pandas
            path = frame.publish(study.table_path(name))
        outputs[name] = {"rows": len(frame), "sha256": table_sha256(path)}
    inputs = {k: v for s in result.sources.values() for k, v in s.files.items()}
    record = provenance.manifest("01_collect", study.folder, inputs, outputs, parameters)
    atomic.write_json(record, study.path(catalog.MANIFEST))
    return record


def table_sha256(path: Path) -> str:
    """The hash of a written table: of its file, or for a folder of parts (Spark's) of every part's name and hash."""
    if not path.is_dir():
        return provenance.file_sha256(path)
    digest = hashlib.sha256()
    for part in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))):
        digest.update(f"{part.relative_to(path).as_posix()}\0{provenance.file_sha256(part)}\n".encode())
    return digest.hexdigest()


def link_summary(result: CollectResult, study: Study | None = None) -> pd.DataFrame | str:
    """How many records of each source share a `person_key` with another source (the pseudonymous link).

    A source that declares no `link_key` cannot be linked (a survey's key is then its pseudonymised
    respondent id): it is left out and named, and with fewer than two linkable sources the answer says so."""
    unlinkable = [name for name, s in result.sources.items() if "person_key" in s.table.columns
                  and study is not None and not getattr(getattr(study.config.sources, name, None), "link_key", True)]
    # Transcripts inherit their key from the participants table, so they would only repeat it.
    keys = {name: set(s.table["person_key"].dropna()) for name, s in result.sources.items()
            if "person_key" in s.table.columns and name != "transcripts" and name not in unlinkable}
    if len(keys) < 2:
        why = f"; {', '.join(unlinkable)} declare(s) no `link_key`" if unlinkable else ""
        return f"linking not available: fewer than two sources carry a personal link key{why}"
    rows = []
    for name, own in keys.items():
        for other, theirs in keys.items():
            if other != name:
                linked = len(own & theirs)
                rows.append({"source": name, "linked_to": other, "people": len(own), "linked": linked,
                             "linked_%": round(100 * linked / max(len(own), 1), 1)})
    return pd.DataFrame(rows, columns=["source", "linked_to", "people", "linked", "linked_%"])


def outputs_table(manifest: dict) -> pd.DataFrame:
    """The tables a step wrote, with their row counts, from its manifest."""
    return pd.DataFrame([{"table": name, "rows": out["rows"]} for name, out in sorted(manifest["outputs"].items())])
