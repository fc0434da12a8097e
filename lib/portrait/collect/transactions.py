"""Step 01's line items, computed by the study's engine (DuckDB, or Spark as study.yml's `engine:` says): read,
checked, quarantined with reasons, pseudonymised and written, written once as Ibis expressions. No line item
passes through pandas; only small tables do:

- the first SAMPLE_ROWS rows, for collect.undeclared_contacts (a column of contacts nobody declared personal shows
  itself in its first rows; the scan of every row the pandas sources get is not made here);
- the rejected rows (the quarantine), worded as validation.py words them and masked in Python;
- the distinct customer ids (one row per card): keyed in Python with the study's secret by privacy.pseudonym, the
  very function every other source uses, and joined back as an in-memory table — the secret never reaches the
  engine, its plans or its logs;
- the distinct cells of the written text columns that may be a whole contact (an e-mail typed as a store name),
  masked by privacy.mask_cell and joined back.

The kept line items are written with Engine.write_parquet into the step's work folder (beside the processed
tables); collect.write_outputs moves them to `transactions.parquet` (a file from DuckDB, a folder of parts from
Spark) with the other tables, so a failed or look-only run leaves the old table in place. The source checks
(returns, exact duplicates, a decimal comma, cards nobody holds) are counted by the engine.
"""

from __future__ import annotations

import os
import shutil
import uuid
import weakref
from datetime import datetime, timezone
from pathlib import Path

import ibis
import pandas as pd
import pyarrow.dataset as ds

from portrait import engine as engines
from portrait.collect import collect, line_checks, line_source, privacy, validation
from portrait.config.study import Study, TransactionSource
from portrait.errors import SourceFormatError
from portrait.io import catalog
from portrait.io.readers import ROW

OUTPUT_COLUMNS = ["card_key", "receipt", "date", "amount", "quantity", "store", "city", "channel", "category",
                  "discount", "new_collection", "online", ROW]
TEXT_ROLES = ["receipt", "store", "city", "channel", "category"]
SAMPLE_ROWS = 20_000
QUARANTINE_LIMIT = 1_000_000  # more rejected rows than this is a wrong setting, not a quarantine
CONTACT_CELLS_LIMIT = 100_000  # line items whose text cells may hold a contact, fetched to be masked
# io/numbers.py's patterns of a decimal comma and of a decimal point, in RE2 and Java alike.
COMMA_DECIMAL = "^[-+]?([0-9]{1,3}([ .\\x{A0}][0-9]{3})+|[0-9]+),([0-9]{1,2}|[0-9]{4,})\\z"
POINT_DECIMAL = "^[-+]?[0-9]*[.][0-9]+([eE][-+]?[0-9]+)?\\z"
# A cell that may be a whole contact (privacy.CELL_PATTERNS): an @ or an `at` written out (e-mails), an IBAN's
# country and check digits, or no letter and nine digits or more (a whole-cell phone or card number has no letter,
# so a receipt number such as R0000000001 is not one). Only these few cells reach Python. Run once over a row's
# text cells joined by CELL_BREAK; RE2 (DuckDB) and Java (Spark) read it alike.
CELL_BREAK = "\x01"
NULL_CELL = "\x02"  # a blank cell, where cells are joined to be hashed (rows sharing a hash are compared anyway)
MAYBE_CONTACT = ("@|(?i:[ \\[({]at[ \\])}])|(^|\\x01)[ \\t]*[A-Z]{2}[0-9]{2}( ?[A-Z0-9]){11}"
                 "|(^|\\x01)[^\\p{L}0-9\\x01]*([0-9][^\\p{L}0-9\\x01]*){9,}(\\x01|$)")


class LineItems:
    """The kept line items as the engine wrote them: counted and described, never loaded whole (`head` shows the
    first few rows; `to_pandas` reads them all, for tests and small studies). `publish` moves them into place.

    The engine writes them in the order its join with the pseudonyms leaves them (sorting a retailer's line items
    back into file order would cost more than the rest of the writing); `_row` keeps each one's row in the export,
    and `head` and `to_pandas` give them in that order (the catalog's `order`)."""

    def __init__(self, path: Path, rows: int, work: Path):
        self.path, self.rows, self.columns = path, rows, list(OUTPUT_COLUMNS)
        self._cleanup = weakref.finalize(self, shutil.rmtree, work, True)  # an unpublished table goes with it

    def __len__(self) -> int:
        return self.rows

    def __repr__(self) -> str:
        return f"LineItems({self.rows:,} rows at {self.path})"

    def head(self, n: int = 5) -> pd.DataFrame:
        with engines.connect() as engine:  # the first rows without sorting them all
            first = engine.parquet(self.path).order_by(list(catalog.TRANSACTIONS.order)).limit(n).to_pyarrow()
        return catalog.TRANSACTIONS.from_arrow(first)

    def to_pandas(self) -> pd.DataFrame:
        return catalog.TRANSACTIONS.from_arrow(ds.dataset(self.path, format="parquet").to_table())

    def publish(self, target: Path) -> Path:
        """Move the table to `target` (replacing what is there, file or folder) and drop the work folder."""
        if self.path != target:
            old = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.old")
            if target.exists():
                os.replace(target, old)
            os.replace(self.path, target)
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink(missing_ok=True)
            self.path = target
        self._cleanup()
        return target


def collect_transactions(study: Study, secret: bytes, holders: pd.Series | None = None,
                         names: list[str] | None = None) -> collect.SourceResult:
    """The study's line items read, checked and written by its engine; `holders` are the card holders' card_keys
    (for the count of line items whose card nobody holds), `names` the people's names masked in the quarantine."""
    source = study.config.sources.transactions
    work = study.processed / f".transactions-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    try:
        with engines.for_study(study.config) as engine:
            result = _collect(study, engine, source, work, secret, holders,
                              collect.known_names(study) if names is None else names)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    for leftover in work.iterdir():  # the staged cells and a UTF-8 copy: only the line items stay
        if leftover != result.table.path:
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
    return result


def _collect(study: Study, engine: engines.Engine, source: TransactionSource, work: Path, secret: bytes,
             holders: pd.Series | None, names: list[str]) -> collect.SourceResult:
    roles = {k: v for k, v in source.columns.model_dump().items() if v}
    opened = line_source.open_source(study, engine, source, work)
    raw = opened.table
    where = opened.path or Path(opened.label)
    sample = opened.first_rows(engine, SAMPLE_ROWS)
    collect.require_columns(sample, list(roles.values()), where, "sources.transactions.columns")
    collect.undeclared_contacts(sample, source, where, "transactions")

    decimal = source.decimal if source.decimal != "auto" else _detected_decimal(engine, raw, roles["amount"])
    checked = _checked(engine, opened, roles, source, decimal, work)
    profile = _profile(engine, checked, roles["amount"])
    if opened.delimiter and profile["ragged"] > 0.5 * profile["read"]:
        raise SourceFormatError(f"{where}: {profile['ragged']} of {profile['read']} rows do not have the header's "
                                f"{len(opened.columns)} cells when split by {opened.delimiter!r}. Set `delimiter:` "
                                "in study.yml (or check `header_row:`).")
    checks = line_checks.line_item_checks(checked, roles, source.date_format, decimal,
                                          source.export_date or datetime.now(timezone.utc).date(), source.returns)
    flags = {f"_check_{i}": check.fails for i, check in enumerate(checks)}
    marked = checked.mutate(_rejected=checked._problem | ibis.or_(*flags.values()), **flags)

    shown = list(dict.fromkeys(c.column for c in checks if c.column != line_checks.WHOLE_ROW))
    rejected = engine.fetch(marked.filter(marked._rejected).order_by(["_file", ROW])
                            .select("_file", ROW, "_extra", "_undecodable", *flags, *shown).limit(QUARANTINE_LIMIT + 1))
    quarantine = _quarantine(rejected, checks, opened, set(source.personal), names)
    if len(rejected) > QUARANTINE_LIMIT:
        reasons = "; ".join(f"{n:,} × {r}" for r, n in quarantine["reason"].value_counts().head(3).items())
        raise SourceFormatError(f"source `transactions` ({opened.label}): more than {QUARANTINE_LIMIT:,} of "
                                f"{profile['read']:,} rows fail the checks — among the first: {reasons}. Fix the "
                                "export or study.yml (date_format, decimal, delimiter, encoding) and run again.")

    kept = marked.filter(~marked._rejected)
    table = _line_items(engine, kept, checked, roles, source, secret)
    path = engine.write_parquet(table.select(*OUTPUT_COLUMNS), work / "transactions.parquet")
    items = LineItems(path, 0, work)
    catalog.TRANSACTIONS.check(catalog.TRANSACTIONS.from_arrow(ds.dataset(path, format="parquet").head(0)))
    counts = _counts(engine, engine.parquet(path), holders)
    items.rows = counts["rows"]
    duplicates = _exact_duplicates(engine, checked, kept, opened.columns)
    if counts["rows"] + len(quarantine) != profile["read"]:  # an engine that drops rows silently would show here
        raise SourceFormatError(f"source `transactions`: {profile['read']} rows read but {counts['rows']} kept and "
                                f"{len(quarantine)} quarantined; please report this.")

    result = collect.SourceResult("transactions", items, quarantine, profile["read"], files=dict(opened.inputs),
                                  where=opened.label)
    result.checks = [
        {"source": "transactions", "check": "returns (negative amounts), kept and netted from spend",
         "rows": counts["returns"], "amount": round(0.0 - counts["returned"], 2)},
        {"source": "transactions", "check": "exact duplicate line items, kept (a receipt may hold two)",
         "rows": duplicates, "amount": None},
    ]
    if source.decimal == "auto" and decimal == ",":
        result.checks.append({"source": "transactions", "check": "amounts written with a decimal comma (detected; "
                              "set `decimal:` in study.yml to override), read as decimals",
                              "rows": profile["commas"], "amount": None})
    if holders is not None:
        result.checks.append({"source": "transactions", "check": f"line items of cards not in the card-holder table "
                              f"({counts['orphan_cards']:,} cards), kept", "rows": counts["orphans"], "amount": None})
    return result


def _checked(engine: engines.Engine, opened: line_source.LineSource, roles: dict[str, str],
             source: TransactionSource, decimal: str, work: Path) -> ibis.Table:
    """The source with what its cells say, read once and staged (and numbered, when the engine numbers a CSV
    file's records in its first write): every later pass (the profile, the checks, the quarantine, the pseudonyms,
    the writing, the count of repeated rows by `_cells_hash`) reads staged values: no regular expression runs
    twice on a row."""
    raw = opened.table
    texts = [raw[roles[r]].cast("string").fill_null("") for r in TEXT_ROLES if r in roles]
    maybe_contact = (ibis.literal(CELL_BREAK).join(texts).re_search(MAYBE_CONTACT) if texts
                     else ibis.literal(False))
    joined = ibis.literal(CELL_BREAK).join([raw[c].cast("string").fill_null(NULL_CELL) for c in opened.columns])
    values = line_checks.parsed_values(raw, roles, source.date_format, decimal, joined, opened.may_hold_nul)
    return opened.numbered(engine, raw.mutate(_problem=(raw._extra > 0) | (raw._undecodable != ""),
                                              _maybe_contact=maybe_contact, _cells_hash=joined.hash(), **values),
                           work / "checked.parquet")


def _detected_decimal(engine: engines.Engine, raw: ibis.Table, amount_column: str) -> str:
    """How the amounts write decimals, as io/numbers.detect_decimal judges them from every row: a comma when
    some amount has a decimal comma and none a decimal point. (A CSV file's records not numbered yet hold its
    header lines too: a header cell is no number, and only the counts' being zero or not decides.)"""
    amount = raw[amount_column]
    if not line_checks.is_text(amount):
        return "."
    text = line_checks.stripped(amount.nullif(""))
    found = engine.fetch(raw.aggregate(comma=raw.count(where=text.re_search(COMMA_DECIMAL).fill_null(False)),
                                       point=raw.count(where=text.re_search(POINT_DECIMAL).fill_null(False)))
                         ).iloc[0].fillna(0)  # Spark counts nothing as null
    return "," if found["comma"] and not found["point"] else "."


def _profile(engine: engines.Engine, checked: ibis.Table, amount_column: str) -> dict:
    """Rows read, ragged rows, and amount cells holding a comma."""
    amount = checked[amount_column]
    measures = {"read": checked.count(), "ragged": checked.count(where=checked._extra > 0)}
    if line_checks.is_text(amount):
        measures["commas"] = checked.count(where=amount.contains(",").fill_null(False))
    found = engine.fetch(checked.aggregate(**measures)).iloc[0].fillna(0)  # Spark counts nothing as null
    return {"read": int(found["read"]), "ragged": int(found["ragged"]), "commas": int(found.get("commas", 0))}


def _line_items(engine: engines.Engine, kept: ibis.Table, checked: ibis.Table, roles: dict[str, str],
                source: TransactionSource, secret: bytes) -> ibis.Table:
    """The kept rows in the catalog's columns: card_key from the pseudonym table, the values the checks read,
    roles the export lacks as empty columns, whole contacts in text cells masked. The pseudonyms are keyed for
    every customer id of the `checked` rows (a rejected row's too: listing them does not need the checks run)."""
    customer = roles["customer"]
    kind = {customer: "other", **source.personal}[customer]  # the customer is always pseudonymised
    distinct = engine.fetch(checked.select(_customer=checked[customer].cast("string")).distinct()
                            )["_customer"].dropna().tolist()
    keys = pd.DataFrame({"_customer": distinct, "card_key": [privacy.pseudonym(v, kind, secret) for v in distinct]},
                        dtype=object)
    pseudonyms = ibis.memtable(keys, schema={"_customer": "string", "card_key": "string"})
    kept = kept.left_join(pseudonyms, kept[customer].cast("string") == pseudonyms._customer
                          ).select(kept, pseudonyms.card_key)

    def text(role: str) -> ibis.Value:
        return line_checks.cell(kept[roles[role]].cast("string")) if role in roles else ibis.null("string")

    def parsed(role: str, kind: str) -> ibis.Value:
        return kept[f"_{role}"] if role in roles else ibis.null(kind)

    receipt = text("receipt") if "receipt" in roles else (  # a purchase is one customer at one moment
        kept.card_key.fill_null("<NA>") + "@" + kept._date.cast("string"))
    channel = text("channel")
    table = kept.select(
        card_key=kept.card_key, receipt=receipt, date=kept._date, amount=kept._amount,
        quantity=parsed("quantity", "float64"), store=text("store"), city=text("city"), channel=channel,
        category=text("category"), discount=parsed("discount", "boolean"),
        new_collection=parsed("new_collection", "boolean"),
        online=line_checks.stripped(channel).lower() == source.online_channel.lower(), _row=kept[ROW],
        _file=kept._file)
    return _masked(engine, table, kept, roles)


def _masked(engine: engines.Engine, table: ibis.Table, kept: ibis.Table, roles: dict[str, str]) -> ibis.Table:
    """`table` with every text cell that is a whole contact replaced by its kind (`[email]`, `[phone]` …), as
    collect.undeclared_contacts masks a stray contact: the few rows whose text cells may hold one are fetched, the
    cells masked in Python and joined back."""
    columns = [r for r in TEXT_ROLES if r in roles]
    if not columns:
        return table
    found = engine.fetch(kept.filter(kept._maybe_contact)
                         .select(**{r: kept[roles[r]].cast("string") for r in columns}).limit(CONTACT_CELLS_LIMIT + 1))
    if len(found) > CONTACT_CELLS_LIMIT:
        holding = [roles[c] for c in columns if (found[c].dropna().map(privacy.mask_cell) != found[c].dropna()).any()]
        raise SourceFormatError(f"source `transactions`: more than {CONTACT_CELLS_LIMIT:,} line items hold what looks "
                                f"like a contact (an e-mail, phone, card or IBAN) in "
                                f"{', '.join(holding or [roles[c] for c in columns])}: declare the column under "
                                "`sources.transactions.personal` or delete it from the export.")
    for column in columns:
        values = pd.Series(found[column].dropna().unique(), dtype=object)
        masks = pd.DataFrame({"_value": values, "_masked": values.map(privacy.mask_cell)}, dtype=object)
        masks = masks[masks["_masked"] != masks["_value"]]
        if masks.empty:
            continue
        mapping = ibis.memtable(masks, schema={"_value": "string", "_masked": "string"})
        joined = table.left_join(mapping, table[column] == mapping._value)
        table = joined.select(*[c for c in table.columns if c != column],
                              **{column: mapping._masked.fill_null(table[column])}).select(*table.columns)
    return table


def _exact_duplicates(engine: engines.Engine, staged: ibis.Table, kept: ibis.Table, columns: list[str]) -> int:
    """Kept rows that repeat an earlier kept row cell for cell (over `columns`), counted exactly without grouping
    every row by every cell: the `staged` rows (every row `_checked` staged, kept or not: no check runs on them)
    are grouped by the hash of their cells, and only the kept rows whose hash more than one row shares (the
    repeats, and the rare rows whose different cells hash alike) are counted and compared cell by cell."""
    per_hash = staged.group_by("_cells_hash").aggregate(_rows=staged.count())
    shared = engine.fetch(per_hash.filter(per_hash._rows > 1).select("_cells_hash"))
    if shared.empty:
        return 0
    hashes = ibis.memtable(shared.astype("int64"), schema={"_cells_hash": "int64"})
    candidates = kept.semi_join(hashes, "_cells_hash")
    alike = candidates.group_by(columns).aggregate(_rows=candidates.count())  # nulls group together, as DISTINCT
    found = engine.fetch(alike.aggregate(rows=alike._rows.sum(), distinct=alike.count())).iloc[0].fillna(0)
    return int(found["rows"]) - int(found["distinct"])


def _counts(engine: engines.Engine, written: ibis.Table, holders: pd.Series | None) -> dict:
    """Line items written, returns (rows and money), and line items of cards nobody holds (rows and cards)."""
    if holders is not None:
        known = ibis.memtable(pd.DataFrame({"_holder": pd.Series(holders.dropna().unique(), dtype=object)}),
                              schema={"_holder": "string"})
        written = written.left_join(known, written.card_key == known._holder)
    measures = {"rows": written.count(), "returns": written.count(where=written.amount < 0),
                "returned": written.amount.sum(where=written.amount < 0).fill_null(0.0)}
    if holders is not None:
        orphan = written._holder.isnull()
        measures.update(orphans=written.count(where=orphan), orphan_cards=written.card_key.nunique(where=orphan))
    found = engine.fetch(written.aggregate(**measures)).iloc[0].fillna(0)  # Spark counts nothing as null
    return {"rows": int(found["rows"]), "returns": int(found["returns"]), "returned": float(found["returned"]),
            "orphans": int(found.get("orphans", 0)), "orphan_cards": int(found.get("orphan_cards", 0))}


def _quarantine(rejected: pd.DataFrame, checks: list[line_checks.Check], opened: line_source.LineSource,
                personal: set[str], names: list[str]) -> pd.DataFrame:
    """One entry per rejected row, worded as validation.validate words it: rows the reader could not take as they
    stand first (ragged, undecodable), then rows failing checks, each in file order; a row failing a whole-row
    check gives only that reason; the values of personal columns are `[personal]`, others masked of contacts."""
    unread, failed = [], []
    width = len(opened.columns)
    for record in rejected.to_dict("records"):
        entry = {"file": opened.file_name(record["_file"]),
                 "row": None if pd.isna(record[ROW]) else int(record[ROW])}
        extra, marks = int(record["_extra"]), record["_undecodable"] or ""
        if extra or marks:
            cells = f"at least {width + extra}" if extra == line_source.SPARE_CELLS else f"{width + extra}"
            reason = (f"line {entry['row']} has {cells} cells, the header {width} (a delimiter or a line break "
                      "inside an unquoted cell?)" if extra else
                      f"line {entry['row']} holds byte(s) {line_source.undecodable_bytes(marks)} that are not text "
                      "in this file's encoding: re-export the file as UTF-8, or correct that line")
            unread.append({**entry, "columns": validation.WHOLE_ROW, "values": "", "reason": reason})
            continue
        hits = [(check.column, check.reason) for i, check in enumerate(checks) if record[f"_check_{i}"]]
        if any(column == validation.WHOLE_ROW for column, _ in hits):
            hits = [(column, why) for column, why in hits if column == validation.WHOLE_ROW]
        hits = sorted(dict.fromkeys(hits), key=lambda hit: hit[0])  # by column, checks in order within one

        def value(column: str) -> str:
            cell = record.get(column) if column != validation.WHOLE_ROW else None
            if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
                return ""
            return "[personal]" if column in personal else validation.shown(str(cell), names)
        values = [value(column) for column, _ in hits]
        failed.append({**entry, "columns": "; ".join(column for column, _ in hits),
                       "values": "; ".join(v for v in values if v),
                       "reason": "; ".join(f"{column}: {why}" if column != validation.WHOLE_ROW else why
                                           for column, why in hits)})
    frame = pd.DataFrame(unread + failed, columns=["file", "row", "columns", "values", "reason"])
    frame.insert(0, "source", "transactions")
    frame["row"] = pd.array(frame["row"].tolist(), dtype="Int64")
    return frame.astype({c: "string" for c in validation.QUARANTINE_COLUMNS if c != "row"})


def name_words(study: Study) -> list[str]:
    """The words of the line items' columns declared `name` under `personal:`, read by the engine (one row per
    distinct value), for the masking of every free text of the study."""
    source = study.config.sources.transactions
    columns = [c for c, kind in source.personal.items() if kind == "name"]
    if not columns:
        return []
    work = study.processed / f".transactions-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    try:
        with engines.for_study(study.config) as engine:
            opened = line_source.open_source(study, engine, source, work)
            present = [c for c in columns if c in opened.table.columns]
            table = opened.table
            if present and opened.header_rows is not None:  # the header line is no name
                table = opened.numbered(engine, table.select(*present), work / "names.parquet")
            values = [] if not present else engine.fetch(ibis.union(
                *[table.select(_name=table[c].cast("string")).distinct() for c in present]))["_name"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return sorted({word for value in pd.Series(values).dropna() for word in str(value).split()})
