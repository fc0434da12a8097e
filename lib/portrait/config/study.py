"""The study folder: `study.yml` validated on load, and I/O to `data/processed/<study>/`.

A study is `data/raw/<name>/` holding `study.yml`, the raw files and the codebooks. Its outputs go
to `data/processed/<name>/` (the sibling `processed` folder of `raw`). Nothing else is read or written.

`portrait run` writes a run's outputs aside, into `data/processed/.staging/<name>/<run-id>/`, and promotes them
together when every step succeeded; it names that folder to the notebooks' kernels in `PORTRAIT_PROCESSED_DIR`
(see `Study.load`). A notebook opened by hand, without the variable, reads and writes `data/processed/<name>/`.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow.dataset
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from portrait.io import atomic, catalog
from portrait.config import yamlconfig
from portrait.errors import StudyConfigError
from portrait.config.roles import Roles

PersonalKind = Literal["email", "phone", "name", "card", "other"]
Language = Literal["en", "uk", "ru"]


MAX_HEADER_ROW = 50  # the lowest row a source's header may sit in (`header_row:`)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GridCheck(_Strict):
    """A battery of items answered on one scale: checked for straight-lining and range."""

    name: str
    columns: str = Field(description="regular expression matched against the column headers")
    min: float
    max: float
    straightline_min_items: int = 5


class SurveyQuality(_Strict):
    started_column: str | None = None
    submitted_column: str | None = None
    duration_column: str | None = None
    speeder_ratio: float = Field(0.33, gt=0, lt=1, description="speeder if duration < ratio x median")
    duplicate_on: list[str] = Field(default_factory=list)
    grids: list[GridCheck] = Field(default_factory=list)
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    incomplete_share: float = Field(
        0.3, gt=0, le=1, description="break-off: incomplete if the trailing blank answers exceed this share"
    )


class FileSource(_Strict):
    """A tabular raw file (CSV, Excel or SPSS)."""

    path: str
    format: Literal["csv", "excel", "spss"] = "csv"
    encoding: str = "auto"
    delimiter: str = "auto"
    sheet: str | int | None = None
    header_row: int = Field(1, ge=1, le=MAX_HEADER_ROW, description="the row that holds the column headers "
                            "(Excel exports with group headers above the questions: 2)")
    link_key: str | None = Field(None, description="personal column that links one person across sources")
    personal: dict[str, PersonalKind] = Field(default_factory=dict)
    open_text: list[str] = Field(default_factory=list, description="free-text columns to mask")

    @field_validator("delimiter")
    @classmethod
    def _known_delimiter(cls, value: str) -> str:
        if value not in {"auto", ",", ";", "\t", "|"}:
            raise ValueError("must be auto, ',', ';', a tab or '|'")
        return value

    @model_validator(mode="after")
    def _link_key_is_personal(self):
        # A link key is personal data by definition: it must be pseudonymised like the other contacts
        # (a survey may instead link through its own respondent id, see SurveySource).
        if self.link_key and self.link_key not in self.personal and self.link_key != getattr(self, "id_column", None):
            raise ValueError(f"link_key {self.link_key!r} is not listed under `personal`; add it there with its kind "
                             "(email | phone | name | card | other) so it is pseudonymised before linking")
        return self


class TableSource(FileSource):
    """A table with one row per person or item, keyed by an id column (participants, card holders)."""

    id_column: str


class SurveySource(FileSource):
    id_column: str | None = Field(None, description="one per submission; without it the row number is the id")
    quality: SurveyQuality = Field(default_factory=SurveyQuality)


class TransactionColumns(_Strict):
    """Headers of the transactions export, by the role each column plays. Customer, date and amount
    are required; a role left out is absent, and the features that need it are skipped with the reason."""

    customer: str = Field(description="card number or customer id (always pseudonymised)")
    date: str
    amount: str = Field(description="money paid for the line (or the purchase)")
    receipt: str | None = Field(None, description="receipt id; without it a purchase is one customer at one time")
    quantity: str | None = None
    store: str | None = None
    city: str | None = None
    channel: str | None = None
    category: str | None = None
    discount: str | None = Field(None, description="flag: bought on discount (yes/no, 1/0, true/false)")
    new_collection: str | None = Field(None, description="flag: an item of the newest range")


class TransactionSource(FileSource):
    """Line items, computed by the study's engine (DuckDB or Spark), never loaded into pandas: a CSV or parquet
    file, a folder of them (parquet partitions such as `month=2026-01/`, Hive-style), or a table the engine
    already holds (`format: table`: a table of the DuckDB database file `database:`, or of Spark's catalog)."""

    path: str | None = Field(None, description="file or folder inside the study folder (not for `format: table`)")
    format: Literal["csv", "excel", "spss", "parquet", "table"] = "csv"
    table: str | None = Field(None, description="`format: table`: the engine's table, e.g. sales.line_items")
    database: str | None = Field(None, description="`format: table` on DuckDB: the database file in the study folder")
    columns: TransactionColumns
    date_format: str = "%Y-%m-%d %H:%M"
    decimal: Literal["auto", ".", ","] = Field("auto", description="decimal mark of amounts and quantities: "
                                               "'.', ',' or auto (detected from the amounts)")
    returns: Literal["net", "quarantine"] = Field("net", description="negative amounts (returns): kept and netted "
                                                  "in spend, counted; or quarantined")
    export_date: datetime.date | None = Field(None, description="the day the export was made: later dates are "
                                              "quarantined (default: the day of the run)")
    online_channel: str = Field("online", description="the `channel` value that means an online purchase")

    @model_validator(mode="after")
    def _where_the_lines_are(self):
        if self.format == "table" and not self.table:
            raise ValueError("`format: table` needs `table:` (the engine's table holding the line items)")
        if self.format != "table" and not self.path:
            raise ValueError("`path:` is required: the file or folder of the line items inside the study folder")
        if self.format != "table" and (self.table or self.database):
            raise ValueError("`table:` and `database:` go with `format: table` only")
        return self


class TranscriptSource(_Strict):
    path: str = Field(description="folder of transcripts")
    encoding: str = "auto"
    interviewer_labels: list[str] = Field(
        default_factory=lambda: ["Interviewer", "Moderator", "I", "Q", "Інтерв'юер", "Інтерв’юер", "Интервьюер"]
    )


class Sources(_Strict):
    survey: SurveySource | None = None
    transcripts: TranscriptSource | None = None
    participants: TableSource | None = None
    cardholders: TableSource | None = None
    transactions: TransactionSource | None = None


class Codebooks(_Strict):
    """Codebook files inside the study folder."""

    survey: str | None = Field(None, description="survey codebook (questions, labels, scales, derived)")
    open_ended: str | None = Field(None, description="code frame for open-ended answers")
    interviews: str | None = Field(None, description="qualitative codebook for the interviews (YAML or .qdc)")
    interview_segments: str | None = Field(None, description="segments coded by another coder (CSV or .qdpx)")
    schemes: str | None = Field(None, description="rule-based segment schemes (step 04)")
    messages: str | None = Field(None, description="message library: messages and reasons to believe per code (step 05)")
    rfm: str | None = Field(None, description="RFM scores (quintiles or thresholds) and segment rules (step 04); "
                            "default: the bundled templates/rfm_segments.yml")


class Privacy(_Strict):
    secret_env: str = "PORTRAIT_SECRET"
    secret_file: str | None = Field(None, description="file holding the key; must lie outside the repository")
    allow_demo_secret: bool = False


EngineKind = Literal["duckdb", "spark"]


class SparkSettings(_Strict):
    """How to reach Spark: a master (`local[*]`, `spark://host:7077`, `yarn` …) or a Spark Connect URL
    (`sc://host:15002`), and any Spark settings (`spark.executor.memory: 8g` …)."""

    master: str | None = Field(None, description="Spark master; default local[*] (every core of this machine)")
    connect: str | None = Field(None, description="Spark Connect URL, e.g. sc://spark-host:15002")
    conf: dict[str, str] = Field(default_factory=dict, description="Spark settings, e.g. spark.executor.memory: 8g")

    @model_validator(mode="after")
    def _one_way_in(self):
        if self.master and self.connect:
            raise ValueError("give either `master` or `connect` (a Spark Connect URL), not both")
        if self.connect and not self.connect.startswith("sc://"):
            raise ValueError(f"`connect` must be a Spark Connect URL starting with sc://, not {self.connect!r}")
        return self


class DuckDBSettings(_Strict):
    """Limits for the embedded engine: beyond `memory_limit` DuckDB spills to `temp_directory` (out of core)."""

    memory_limit: str | None = Field(None, pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
                                     description="e.g. 4GB; default: 80 % of the machine's memory")
    threads: int | None = Field(None, ge=1, le=1024, description="default: every core")
    temp_directory: str | None = Field(None, description="where to spill beyond the memory limit (default: DuckDB's)")


class StudyConfig(_Strict):
    name: str
    brand: str | None = Field(None, description="the brand the portraits are for (none: a market study)")
    languages: list[Language] = Field(min_length=1)
    report_language: Language = "en"
    privacy: Privacy = Field(default_factory=Privacy)
    sources: Sources
    codebooks: Codebooks = Field(default_factory=Codebooks)
    roles: Roles = Field(default_factory=Roles)
    parameters: dict[str, dict[str, Any]] = Field(default_factory=dict)
    engine: EngineKind = Field("duckdb", description="where loyalty line items are computed: duckdb (embedded) or "
                               "spark (see `spark:`)")
    spark: SparkSettings = Field(default_factory=SparkSettings)
    duckdb: DuckDBSettings = Field(default_factory=DuckDBSettings)

    @model_validator(mode="after")
    def _a_table_the_engine_can_reach(self):
        lines = self.sources.transactions
        if lines is not None and lines.format == "table" and self.engine == "duckdb" and not lines.database:
            raise ValueError("`sources.transactions` is `format: table` with `engine: duckdb`: name the DuckDB database "
                             "file that holds the table in `database:` (or set `engine: spark` for a table of Spark's "
                             "catalog)")
        return self


def _inside(folder: Path, relative: str) -> Path:
    path = (folder / relative).resolve()
    if folder.resolve() != path and folder.resolve() not in path.parents:
        raise StudyConfigError(f"path `{relative}` leaves the study folder {folder}; keep raw files inside it.")
    return path


def resolve_study_dir(study: str | os.PathLike) -> Path:
    """Find a study folder given relative to the working directory or to any parent of it.

    Notebooks run with the notebook folder as working directory (nbval) or the repository root
    (papermill); both find `data/raw/demo` this way.
    """
    path = Path(study)
    if path.is_absolute() or path.exists():
        return path.resolve()
    for parent in Path.cwd().resolve().parents:
        if (parent / path).exists():
            return (parent / path).resolve()
    raise StudyConfigError(f"study folder `{study}` not found from {Path.cwd()}; run `portrait demo` or check the path.")


def load_config(study_dir: Path) -> StudyConfig:
    file = study_dir / "study.yml"
    if not file.exists():
        raise StudyConfigError(f"{file}: no study.yml. Create one with `portrait new-study NAME`.")
    config = yamlconfig.load(file, StudyConfig, StudyConfigError, "study.yml")
    _check_files(study_dir, config, file)
    from portrait.config.parameters import validate

    for step, values in config.parameters.items():
        validate(step, values, str(file))
    return config


def _check_files(study_dir: Path, config: StudyConfig, file: Path) -> None:
    for name in Sources.model_fields:
        source = getattr(config.sources, name)
        if source is None:
            continue
        for key in ("path", "database"):  # an engine's table has no path; a DuckDB one names its database file
            relative = getattr(source, key, None)
            if relative is not None and not _inside(study_dir, relative).exists():
                raise StudyConfigError(
                    f"{file}: `sources.{name}.{key}` points at {relative!r}, which does not exist in {study_dir}. "
                    "Correct the path or remove the source."
                )
    for name, relative in config.codebooks.model_dump().items():
        if relative and not _inside(study_dir, relative).exists():
            raise StudyConfigError(
                f"{file}: `codebooks.{name}` points at {relative!r}, which does not exist in {study_dir}. "
                "Correct the path or remove the key."
            )
    if config.privacy.secret_file:
        secret = Path(config.privacy.secret_file).expanduser().resolve()
        repo = study_dir.resolve().parents[2]
        if repo in secret.parents:
            raise StudyConfigError(
                f"{file}: `privacy.secret_file` lies inside the repository ({secret}); keep the key outside it."
            )


PROCESSED_ENV = "PORTRAIT_PROCESSED_DIR"
STAGING = ".staging"


def processed_folder(folder: Path) -> Path:
    """The study's own processed folder: `data/processed/<name>/` beside `data/raw/<name>/`."""
    return folder.parent.parent / "processed" / folder.name


def staging_folders(folder: Path) -> Path:
    """Where the runs of the study stage their outputs: `data/processed/.staging/<name>/` (symbolic links in the
    processed path resolved, so a staged folder renames into place on the same file system)."""
    return processed_folder(folder).resolve().parent / STAGING / folder.name


def _staged(folder: Path) -> Path | None:
    """The folder PORTRAIT_PROCESSED_DIR names, when it is an existing staging folder of this very study."""
    value = os.environ.get(PROCESSED_ENV)
    if not value:
        return None
    staged = Path(value).resolve()
    return staged if staged.parent == staging_folders(folder) and staged.is_dir() else None


class Study:
    """A loaded study: its folder, validated configuration and processed-output folder."""

    def __init__(self, folder: Path, config: StudyConfig, processed: Path):
        self.folder = folder
        self.config = config
        self.processed = processed

    @classmethod
    def load(cls, study: str | os.PathLike, processed: str | os.PathLike | None = None) -> "Study":
        """The study in `study` (a folder holding study.yml); its outputs go to `processed` when given, else to
        the run's staging folder when `portrait run` started this kernel (PORTRAIT_PROCESSED_DIR naming a
        folder `data/processed/.staging/<this study>/<run-id>/`; a value naming anything else is ignored), else
        to `data/processed/<study>/`."""
        folder = resolve_study_dir(study)
        config = load_config(folder)
        out = Path(processed) if processed else _staged(folder) or processed_folder(folder)
        return cls(folder, config, out)

    @property
    def name(self) -> str:
        return self.config.name

    def raw_path(self, relative: str) -> Path:
        return _inside(self.folder, relative)

    def table_path(self, table: str | catalog.Table) -> Path:
        return self.processed / catalog.table(table).file

    def path(self, output: str | catalog.File) -> Path:
        """Where a non-table output of the catalog (a manifest, a workbook, the report) lives."""
        if isinstance(output, str):
            if output not in catalog.FILES:
                raise StudyConfigError(f"no output `{output}` in the catalog (lib/portrait/catalog.py); outputs: "
                                       f"{', '.join(catalog.FILES)}.")
            output = catalog.FILES[output]
        return self.processed / output.file

    def has(self, table: str | catalog.Table) -> bool:
        """Whether an earlier step has written the table (a parquet file, or a folder of parts when Spark wrote it)."""
        return self.table_path(table).exists()

    def read(self, table: str | catalog.Table) -> pd.DataFrame:
        """A processed table in pandas: as pandas wrote it, or (written by the engine) in the catalog's kinds."""
        entry = catalog.table(table)
        path = self.table_path(entry)
        if not path.exists():
            raise StudyConfigError(f"{path}: table `{entry.name}` has not been written yet; run step "
                                   f"{entry.step}, which makes it.")
        data = pyarrow.dataset.dataset(path, format="parquet")
        if data.schema.pandas_metadata is not None:
            return pd.read_parquet(path)
        return entry.from_arrow(data.to_table())

    def write(self, table: str | catalog.Table, frame: pd.DataFrame) -> Path:
        """Check the frame against the catalog's schema, then write it atomically."""
        entry = catalog.table(table)
        entry.check(frame)
        return atomic.write_parquet(frame, self.table_path(entry))

    def __repr__(self) -> str:
        present = [n for n in Sources.model_fields if getattr(self.config.sources, n) is not None]
        return f"Study({self.name!r}, sources={present})"
