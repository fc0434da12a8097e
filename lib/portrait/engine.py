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
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import ibis
import pandas as pd
from portrait.config.study import EngineKind, SparkSettings
from portrait.errors import StudyConfigError

# Settings every session gets: dates are computed in UTC on both engines (so a day is the same day), and
# Spark's web UI (a port opened on the machine) stays off for local runs.
SPARK_DEFAULTS = {"spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false",
                  "spark.ui.showConsoleProgress": "false"}
LOCAL_MASTER = "local[*]"


@dataclass
class Engine:
    """An Ibis backend and what this workbook needs of it."""

    kind: EngineKind
    backend: ibis.BaseBackend

    def parquet(self, path: str | Path, hive: bool = False) -> ibis.Table:
        """A parquet file, or a folder of parquet files (Hive-style `month=2026-01/` partitions when `hive`)."""
        path = Path(path)
        if self.kind == "duckdb" and path.is_dir():
            return self.backend.read_parquet(str(path / "**" / "*.parquet"), hive_partitioning=hive)
        return self.backend.read_parquet(str(path))

    def csv(self, path: str | Path, delimiter: str, encoding: str = "utf-8") -> ibis.Table:
        """A CSV file (or a folder of them) with a header row, every cell read as text: the checks of step 01
        decide what a cell means, so the engine's own type guesses never drop or change a value."""
        if self.kind == "duckdb":
            target = str(Path(path) / "*.csv") if Path(path).is_dir() else str(path)
            return self.backend.read_csv(target, all_varchar=True, delim=delimiter, header=True, quote='"',
                                         escape='"', encoding=encoding, null_padding=True, auto_detect=True)
        return self.backend.read_csv(str(path), header=True, sep=delimiter, quote='"', escape='"',
                                     encoding=encoding, multiLine=True, inferSchema=False, mode="PERMISSIVE")

    def table(self, name: str, database: str | Path | None = None) -> ibis.Table:
        """A table the engine already holds: a table of a DuckDB database file, or of Spark's catalog."""
        if database is not None:
            if self.kind != "duckdb":
                raise StudyConfigError("`database:` names a DuckDB database file; with `engine: spark` name a table "
                                       "of Spark's catalog (`table: db.name`) instead")
            alias = f"source_{uuid.uuid4().hex[:8]}"
            self.backend.attach(str(database), name=alias, read_only=True)
            return self.backend.table(name, database=alias)
        return self.backend.table(name)

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
        """A small result (one row per customer, a count) in pandas."""
        return expr.to_pandas()


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
def connect(kind: EngineKind = "duckdb", spark: SparkSettings | None = None) -> Iterator[Engine]:
    """The engine study.yml chose. DuckDB's connection closes on leaving; a Spark session stays up for the
    next step of the same process (it is stopped when the process ends)."""
    if kind == "duckdb":
        backend = ibis.duckdb.connect()
        try:
            backend.raw_sql("SET enable_progress_bar = false")
        except duckdb.InvalidInputException:  # inside Jupyter without ipywidgets DuckDB refuses it, and shows no bar
            pass
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
