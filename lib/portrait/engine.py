"""Where the loyalty line items are computed: DuckDB (embedded, the default: nothing to install or start) or
Apache Spark (local, a cluster's master, or a Spark Connect server), as study.yml's `engine:` says.

The card-holder steps are written once, as Ibis expressions (collect/transactions.py for step 01,
segments/card_features.py for step 04's customer features); this module gives them an engine: it connects,
reads a source or a processed table into an Ibis table, writes a table as parquet (atomically) and fetches a
small result (one row per customer, never the line items) into pandas.

A processed table written by Spark is a folder of parquet parts; DuckDB writes one file. Either engine reads
both, so a study may switch engines between runs.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import ibis
import pandas as pd
import sqlglot.expressions as sge
from portrait.config.study import DuckDBSettings, EngineKind, SparkSettings
from portrait.errors import StudyConfigError

# Settings every session gets: dates are computed in UTC on both engines (so a day is the same day) and a timestamp
# carries no time zone (as DuckDB's TIMESTAMP: a till's clock time, read back as written), and Spark's web UI (a port
# opened on the machine) stays off for local runs. The per-card rows come back to Python whole (at 200 M line items
# some 10 M cards, more than Spark's default 1 GiB of a job's results): the driver's memory bounds them instead.
SPARK_DEFAULTS = {"spark.sql.session.timeZone": "UTC", "spark.sql.timestampType": "TIMESTAMP_NTZ",
                  "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                  "spark.driver.maxResultSize": "0"}
DRIVER_LIMITS = ("spark.driver.maxResultSize", "java.lang.OutOfMemoryError")  # Spark's words for a result too large
LOCAL_MASTER = "local[*]"
# DuckDB's operators that keep the order of the rows they read (its documented order preservation): a numbered copy
# (Engine.numbered_copy) is made only of these.
ORDER_KEEPING = {"Projection", "Filter", "Read Csv", "Table Scan", "Read Parquet"}


@dataclass
class Engine:
    """An Ibis backend and what this workbook needs of it."""

    kind: EngineKind
    backend: ibis.BaseBackend

    def parquet(self, path: str | Path, hive: bool = False, numbered: bool = False) -> ibis.Table:
        """A parquet file, or a folder of parquet files (Hive-style `month=2026-01/` partitions when `hive`).
        `numbered` adds `_file` (the file a row is in) and `_row` (its row in that file, from 1)."""
        path = Path(path)
        if self.kind == "duckdb":
            target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            if not numbered:
                return self.backend.read_parquet(target, hive_partitioning=hive and path.is_dir())
            table = self.backend.read_parquet(target, hive_partitioning=hive and path.is_dir(), filename=True,
                                              file_row_number=True)
            return table.rename(_file="filename").mutate(_row=ibis._.file_row_number + 1).drop("file_row_number")
        if not numbered:
            return self.backend.read_parquet(str(path))
        from pyspark.sql import functions as F

        frame = self.backend._session.read.parquet(str(path))
        return self._view(frame.select("*", F.col("_metadata.file_path").alias("_file"),
                                       (F.col("_metadata.row_index") + 1).alias("_row")))

    def csv_records(self, path: str | Path, delimiter: str, width: int, staged: str | Path) -> ibis.Table:
        """Every record of a UTF-8 CSV file, in file order, as `width` text cells `c0`, `c1` … (a short record padded
        with nulls, cells beyond `width` left out, blank lines skipped), header lines included: no header, type or
        quote guessing, the caller reads the header itself.

        DuckDB reads the file in parallel and numbers nothing here: the records come as a view of the file, and the
        caller's first write of them numbers them (see `numbered_copy`): COPY keeps the order read_csv reads them in
        (DuckDB's documented order preservation), so a record's number is its row in the copy. Spark reads a
        multi-line CSV file as one partition, in order, numbers its records `_record` from 1 as they come, and
        copies them once into the parquet folder `staged`, read from there."""
        names = [f"c{i}" for i in range(width)]
        if self.kind == "duckdb":
            columns = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
            options = {"delim": delimiter, "quote": '"', "escape": '"', "header": False, "auto_detect": False,
                       "null_padding": True, "strict_mode": False, "parallel": True}
            listed = ", ".join(f"{k} = {sge.convert(v).sql('duckdb')}" for k, v in options.items())
            return self._duckdb_view(f"SELECT {', '.join(names)} FROM read_csv("
                                     f"{sge.convert(str(path)).sql('duckdb')}, columns = {columns}, {listed})")
        from pyspark.sql import functions as F, types as T

        schema = T.StructType([T.StructField(n, T.StringType()) for n in names])
        frame = (self.backend._session.read.schema(schema).option("header", False).option("sep", delimiter)
                 .option("quote", '"').option("escape", '"').option("multiLine", True).option("mode", "PERMISSIVE")
                 .option("encoding", "UTF-8").csv(str(path)))
        # A multi-line CSV file is one partition, read in order: the id counts its records.
        numbered = self._view(frame.withColumn("_record", F.monotonically_increasing_id() + 1))
        return self.parquet(self.write_parquet(numbered, staged))

    def numbered_copy(self, expr: ibis.Table, path: str | Path) -> ibis.Table:
        """`expr` (rows in an order a write keeps: one scan of one file, projected) written to `path` by DuckDB and
        read back with `_row`, each row's position in it from 1 (and `_file`, the copy). Spark numbers records as
        it reads them (csv_records) and writes parts: a position in one part is no record's number.

        The plan is checked to hold only operators that keep the order (ORDER_KEEPING) before anything is written,
        with the rewriting of a long IN list into a join switched off for the write (it would shuffle the rows)."""
        if self.kind != "duckdb":
            raise StudyConfigError("numbering rows by their place in a write needs DuckDB; Spark numbers them as it "
                                   "reads them")
        self.backend.raw_sql("SET disabled_optimizers = 'in_clause'")
        try:
            plan = "\n".join(row[1] for row in self.backend.raw_sql(f"EXPLAIN {self.backend.compile(expr)}").fetchall())
            operators = {name.strip() for name in re.findall(r"╭─+ ([A-Za-z_ ]+?) [─┴┬]", plan)}  # box titles
            shufflers = sorted(operators - ORDER_KEEPING)
            if shufflers:
                raise RuntimeError(f"numbering rows by their position needs a plan that keeps their order; this one "
                                   f"has {', '.join(shufflers)}: please report this")
            written = self.write_parquet(expr, path)
        finally:
            self.backend.raw_sql("RESET disabled_optimizers")
        return self.parquet(written, numbered=True)

    def _duckdb_view(self, query: str) -> ibis.Table:
        """A DuckDB query as an Ibis table (a temporary view of the connection)."""
        name = f"portrait_{uuid.uuid4().hex[:12]}"
        self.backend.raw_sql(f"CREATE TEMPORARY VIEW {name} AS {query}")
        return self.backend.table(name)

    def _view(self, frame) -> ibis.Table:
        """A Spark DataFrame as an Ibis table (a temporary view of the session)."""
        name = f"portrait_{uuid.uuid4().hex[:12]}"
        frame.createOrReplaceTempView(name)
        return self.backend.table(name)

    def csv(self, path: str | Path, delimiter: str, encoding: str = "utf-8") -> ibis.Table:
        """A CSV file (or a folder of them) with a header row, every cell read as text: the checks of step 01
        decide what a cell means, so the engine's own type guesses never drop or change a value."""
        if self.kind == "duckdb":
            target = str(Path(path) / "*.csv") if Path(path).is_dir() else str(path)
            return self.backend.read_csv(target, all_varchar=True, delim=delimiter, header=True, quote='"',
                                         escape='"', encoding=encoding, null_padding=True, auto_detect=True)
        return self.backend.read_csv(str(path), header=True, sep=delimiter, quote='"', escape='"',
                                     encoding=encoding, multiLine=True, inferSchema=False, mode="PERMISSIVE")

    def table(self, name: str, database: str | Path | None = None, numbered: bool = False) -> ibis.Table:
        """A table the engine already holds: a table of a DuckDB database file, or of Spark's catalog.
        `numbered` adds `_file` and `_row`: DuckDB's row id (from 1) with the table's name, Spark's file and row in
        it for a table stored in files (null where the engine keeps no order)."""
        if database is not None:
            if self.kind != "duckdb":
                raise StudyConfigError("`database:` names a DuckDB database file; with `engine: spark` name a table "
                                       "of Spark's catalog (`table: db.name`) instead")
            alias = f"source_{uuid.uuid4().hex[:8]}"
            self.backend.attach(str(database), name=alias, read_only=True)
            if not numbered:
                return self.backend.table(name, database=alias)
            qualified = ".".join(sge.to_identifier(part, quoted=True).sql("duckdb")
                                 for part in [alias, *name.split(".")])
            return self._duckdb_view(f"SELECT *, {sge.convert(name).sql('duckdb')} AS _file, rowid + 1 AS _row "
                                     f"FROM {qualified}")
        if not numbered:
            return self.backend.table(name)
        if self.kind == "spark":
            from pyspark.sql import functions as F

            frame = self.backend._session.table(name)
            try:
                return self._view(frame.select("*", F.col("_metadata.file_path").alias("_file"),
                                               (F.col("_metadata.row_index") + 1).alias("_row")))
            except Exception:  # noqa: BLE001 - a table not stored in files (a view): no row to point at
                pass
        table = self.backend.table(name)
        return table.mutate(_file=ibis.literal(name), _row=ibis.null("int64"))

    def write_parquet(self, expr: ibis.Table, path: str | Path) -> Path:
        """Write `expr` to `path` atomically: into a sibling first, then renamed over the old one, so a reader
        sees the old table or the new one, never half of one. DuckDB writes a file, Spark a folder of parts."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            if self.kind == "duckdb":
                self.backend.to_parquet(expr, str(partial))
            else:
                self.backend.to_parquet(expr, str(partial), mode="overwrite")
            old = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.old")
            if path.exists():
                os.replace(path, old)
            os.replace(partial, path)
            _remove(old)
        finally:
            _remove(partial)
        return path

    def fetch(self, expr: ibis.Expr) -> pd.DataFrame:
        """A small result (one row per customer, a count) in pandas, computed by this engine (also when `expr`
        reads only in-memory tables, which Ibis would otherwise hand to its default backend)."""
        with driver_limits():
            return self.backend.execute(expr)


@contextmanager
def driver_limits() -> Iterator[None]:
    """A result larger than Spark's driver may take (its result size limit or its memory) stops with the settings
    that raise them, not with a Java stack trace."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - Spark's errors come as several Python and Java kinds
        said = [line.strip() for line in str(error).splitlines() if any(words in line for words in DRIVER_LIMITS)]
        if not said:
            raise
        raise StudyConfigError("the engine's result (one row per card) is larger than Spark's driver may take "
                               "(spark.driver.maxResultSize or spark.driver.memory): raise them under `spark: conf:` "
                               "in study.yml, e.g. `conf: {spark.driver.memory: 8g, spark.driver.maxResultSize: 0}` "
                               f"(Spark said: {said[0][:300]})") from None


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


_SPARK_SESSIONS: dict[tuple, object] = {}  # Spark takes seconds to start: one session per settings and process


def spark_session(settings: SparkSettings):
    """The Spark session for `settings`, started on first use and reused."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:  # pragma: no cover - pyspark is a dependency
        raise StudyConfigError("`engine: spark` needs pyspark; install the workbook's dependencies again") from error
    key = (settings.master, settings.connect, tuple(sorted(settings.conf.items())))
    if key not in _SPARK_SESSIONS:
        builder = SparkSession.builder.appName("portrait")
        builder = builder.remote(settings.connect) if settings.connect else builder.master(settings.master or
                                                                                            LOCAL_MASTER)
        for name, value in {**SPARK_DEFAULTS, **settings.conf}.items():
            builder = builder.config(name, value)
        if not settings.connect and not shutil.which("java") and not os.environ.get("JAVA_HOME"):
            raise StudyConfigError("`engine: spark` in local mode needs Java 17 or newer: install it (on Debian "
                                   "`apt-get install openjdk-17-jre-headless`) or set JAVA_HOME")
        session = builder.getOrCreate()
        if not settings.connect:
            session.sparkContext.setLogLevel("ERROR")  # Spark's INFO lines would drown a scheduled run's log
        _SPARK_SESSIONS[key] = session
    return _SPARK_SESSIONS[key]


@contextmanager
def connect(kind: EngineKind = "duckdb", spark: SparkSettings | None = None,
            duckdb_settings: DuckDBSettings | None = None) -> Iterator[Engine]:
    """The engine study.yml chose. DuckDB's connection closes on leaving; a Spark session stays up for the
    next step of the same process (it is stopped when the process ends)."""
    if kind == "duckdb":
        backend = ibis.duckdb.connect()
        try:  # no progress bar in a scheduled run's log; inside Jupyter DuckDB refuses the setting without
            backend.raw_sql("SET enable_progress_bar = false")  # ipywidgets, and shows no bar there anyway
        except duckdb.InvalidInputException:
            pass
        limits = duckdb_settings or DuckDBSettings()
        for name, value in (("memory_limit", limits.memory_limit), ("threads", limits.threads),
                            ("temp_directory", limits.temp_directory)):
            if value is not None:
                text = str(value).replace("'", "''")  # a quote in a folder name stays inside the literal
                backend.raw_sql(f"SET {name} = '{text}'")
        try:
            yield Engine("duckdb", backend)
        finally:
            backend.disconnect()
    elif kind == "spark":
        yield Engine("spark", ibis.pyspark.connect(session=spark_session(spark or SparkSettings())))
    else:
        raise StudyConfigError(f"unknown engine {kind!r}: use duckdb or spark")


def confined_files(folder: Path, study_folder: Path) -> list[Path]:
    """Every file under a source folder, each checked to lie inside the study folder once symlinks are
    resolved (a partition folder may hold a link out of it)."""
    root = study_folder.resolve()
    files = []
    for path in sorted(folder.rglob("*")):
        real = path.resolve()
        if real != root and root not in real.parents:
            raise StudyConfigError(f"{path}: leads out of the study folder {study_folder} (a symbolic link?); keep "
                                   "every file of a source inside it.")
        if real.is_file():
            files.append(path)
    return files


@contextmanager
def for_study(config) -> Iterator[Engine]:
    """The engine a study's study.yml chose (`engine:`, with `spark:` or `duckdb:` settings)."""
    with connect(config.engine, config.spark, config.duckdb) as connected:
        yield connected
