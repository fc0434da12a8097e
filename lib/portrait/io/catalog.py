"""The catalog of processed outputs: every table and file a step writes to `data/processed/<study>/`,
with the step that writes it and, for tables, the columns (and their kinds) later steps rely on.

Every read and write goes through `Study.read / write / path`, which accept only names listed here, and a
table is checked against its schema before it is written: a step that drops or retypes a column the next
step reads fails where the mistake is made, naming the table, the column and what was expected. Tables
marked `open` may carry further, study-specific columns (coded variables, a participant table's headers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
from pandas.api import types

from portrait.errors import PortraitError

KINDS = {
    "string": lambda s: types.is_string_dtype(s) or types.is_object_dtype(s),
    "int": lambda s: types.is_integer_dtype(s) and not types.is_bool_dtype(s),
    "float": lambda s: types.is_float_dtype(s),
    "number": lambda s: types.is_numeric_dtype(s) and not types.is_bool_dtype(s),
    "bool": lambda s: types.is_bool_dtype(s),
    "datetime": lambda s: types.is_datetime64_any_dtype(s),
}


@dataclass(frozen=True)
class Table:
    """A parquet table: its name (file stem), the step that writes it, what it holds, its columns."""

    name: str
    step: str
    description: str
    columns: dict[str, str] = field(default_factory=dict)   # column -> kind (KINDS)
    open: bool = False                                        # other columns may follow
    # The order rows are read in when an engine wrote them in its own (the line items: by their row in the export,
    # then what tells apart rows of a folder's partitions that share a row number).
    order: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.parquet"

    def check(self, frame: pd.DataFrame) -> None:
        """Raise when a column later steps read is missing or of another kind, or an undeclared column appears."""
        problems = []
        for column, kind in self.columns.items():
            if column not in frame.columns:
                problems.append(f"column `{column}` ({kind}) is missing")
            elif not KINDS[kind](frame[column].dtype):
                problems.append(f"column `{column}` is {frame[column].dtype}, expected {kind}")
        if not self.open:
            extra = [str(c) for c in frame.columns if c not in self.columns]
            if extra:
                problems.append(f"columns {extra} are not in the catalog")
        if problems:
            raise PortraitError(f"table `{self.name}` (written by {self.step}) does not match the catalog "
                                f"(lib/portrait/catalog.py): " + "; ".join(problems) + ".")


    def from_arrow(self, data: pa.Table) -> pd.DataFrame:
        """A table an engine wrote (DuckDB or Spark: no pandas metadata in the file) in the dtypes the pandas steps
        write: text as `string`, flags as `boolean`, whole numbers as int64 (Int64 where one is missing)."""
        if self.order:
            data = data.sort_by([(column, "ascending") for column in self.order])
        frame = data.to_pandas(types_mapper=_ARROW_TYPES.get)
        for column, kind in self.columns.items():
            if kind == "int" and column in frame and not frame[column].isna().any():
                frame[column] = frame[column].astype("int64")
        return frame


_ARROW_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.bool_(): pd.BooleanDtype(),
                pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype()}


@dataclass(frozen=True)
class File:
    """Any other output: a manifest, a workbook, a model, the report."""

    name: str
    file: str
    step: str
    description: str


S, N, I, F, B, D = "string", "number", "int", "float", "bool", "datetime"

# Step 01 — collect
RESPONDENTS = Table("respondents", "01_collect", "survey rows kept: pseudonymised answers, quality flags",
                    {"respondent_id": S, "person_key": S, "quality_ok": B, "qf_incomplete": B}, open=True)
PARTICIPANTS = Table("participants", "01_collect", "interview participants, pseudonymised", open=True)
TURNS = Table("turns", "01_collect", "speaker turns of the transcripts, masked",
              {"document": S, "turn": I, "speaker": S, "role": S, "start": F, "end": F, "text": S, "person_key": S})
CARDHOLDERS = Table("cardholders", "01_collect", "loyalty-card holders, pseudonymised", {"card_key": S}, open=True)
TRANSACTIONS = Table("transactions", "01_collect", "line items (or purchases): the customer pseudonymised",
                     {"card_key": S, "receipt": S, "date": D, "amount": F, "quantity": F, "store": S, "city": S,
                      "channel": S, "category": S, "discount": B, "new_collection": B, "online": B, "_row": I},
                     order=("_row", "card_key", "receipt", "date", "amount"))
QUARANTINE = Table("quarantine", "01_collect", "rejected rows with file, row, column, masked value, reason",
                   {"source": S, "file": S, "row": I, "columns": S, "values": S, "reason": S})
RECONCILIATION = Table("reconciliation", "01_collect", "per source: read = kept + quarantined",
                       {"source": S, "unit": S, "read": I, "kept": I, "quarantined": I, "reconciles": B})
SOURCE_CHECKS = Table("source_checks", "01_collect", "rows kept but worth a look: returns, duplicates, orphans",
                      {"source": S, "check": S, "rows": I, "amount": F})
QUALITY_FLAGS = Table("quality_flags", "01_collect", "survey respondents per quality flag",
                      {"flag": S, "respondents": I, "share_%": F})
MANIFEST = File("manifest", "manifest_01_collect.json", "01_collect", "input hashes, outputs, parameters, version")

# Step 02 — survey coding
SURVEY_CODED = Table("survey_coded", "02_survey_coding", "coded variables, scales, derived, open codes, weight",
                     {"respondent_id": S, "person_key": S, "quality_ok": B, "weight": F}, open=True)
SCALE_RELIABILITY = Table("scale_reliability", "02_survey_coding", "Cronbach's alpha per scale, with the threshold",
                          {"scale": S, "items": I, "n": I, "alpha": F, "threshold": F, "below_threshold": B})
OPEN_THEMES = Table("open_themes", "02_survey_coding", "candidate themes among uncoded open answers",
                    {"theme": I, "top terms": S, "answers": I})
OPEN_MATCHED_WORDS = Table("open_matched_words", "02_survey_coding",
                           "per open code: the words that coded it, answers and shares, stop words flagged",
                           {"code": S, "label": S, "word": S, "patterns": S, "answers": I, "% of code": F,
                            "sole answers": I, "% of all answers": F, "stop word": B})
SURVEY_TABLES = File("survey_tables", "survey_tables.xlsx", "02_survey_coding", "banner tables, one sheet each")
SURVEY_TABLES_HTML = File("survey_tables_html", "survey_tables.html", "02_survey_coding", "banner tables, offline page")

# Step 03 — interview coding
CODINGS = Table("codings", "03_interview_coding", "coded stretches of respondent turns: code, words matched, rule",
                {"document": S, "turn": I, "code": S, "group": S, "matched": S, "rule": S})
QUOTE_BANK = Table("quote_bank", "03_interview_coding", "representative masked quotes per code",
                   {"code": S, "quote": S, "document": S, "turn": I, "start": F})
CODER_AGREEMENT = Table("coder_agreement", "03_interview_coding", "auto-coder against a second coder",
                        {"turns compared": I, "Krippendorff's alpha": F, "median kappa": F, "kappa threshold": F,
                         "codes under the threshold": I})
INTERVIEW_CODEBOOK = File("interview_codebook", "interview_codebook.qdc", "03_interview_coding", "REFI-QDA codebook")
INTERVIEWS_QDPX = File("interviews_qdpx", "interviews.qdpx", "03_interview_coding", "REFI-QDA project with the codings")

# Step 04 — segmentation
SEGMENTS = Table("segments", "04_segmentation", "one row per segmented unit: ids, segment, name, schemes",
                 {"segment": I, "segment_name": S}, open=True)
SEGMENT_PROFILES = Table("segment_profiles", "04_segmentation", "every segment against the total on every variable",
                         {"variable": S, "label": S, "category": S, "segment": I, "value": F, "total": F, "p": F,
                          "base": I, "effective_base": F, "index": F, "significant": B, "topic": S})
SEGMENT_PROFILES_TYPED = Table("segment_profiles_typed", "04_segmentation",
                               "segments as a typing tool assigns them (this run's, and an earlier run's when there is "
                               "one) against the total on every variable: what a comparison between runs reads",
                               {"tool": S, "variable": S, "label": S, "category": S, "segment": I, "value": F,
                                "total": F, "p": F, "base": I, "effective_base": F, "index": F, "significant": B,
                                "topic": S})
RFM_CUSTOMERS = Table("rfm_customers", "04_segmentation", "card features, RFM scores and segments per customer",
                      {"card_key": S, "recency_days": I, "frequency": I, "receipts_per_year": F, "monetary": F,
                       "tenure_days": I, "average_ticket": F, "r_score": I, "f_score": I, "m_score": I,
                       "rfm_segment": S}, open=True)
CLV_CUSTOMERS = Table("clv_customers", "04_segmentation",
                      "per card: the CLV summary, expected purchases and value over the horizon, probability active, "
                      "RFM segment and data-driven segment",
                      {"card_key": S, "frequency": N, "recency": F, "T": F, "monetary_value": F,
                       "expected_purchases": F, "probability_active": F, "expected_spend_per_purchase": F,
                       "expected_value": F, "rfm_segment": S, "segment": I, "segment_name": S})
CLV = File("clv", "clv.json", "04_segmentation",
           "CLV fit: unit, horizon, discount, BG/NBD and Gamma-Gamma parameters, holdout check, facts, note")
SEGMENTATION = File("segmentation", "segmentation.json", "04_segmentation",
                    "unit, model, k, the reason, stability, structure, names, sizes, the comparison")
TYPING_TOOL = File("typing_tool", "typing_tool.pkl", "04_segmentation", "the classifier for new waves")

# Step 05 — personas
PERSONAS = File("personas", "personas.json", "05_personas", "persona cards (templates/personas.schema.json)")
REPORT = File("report", "report.html", "05_personas", "the stakeholder report")
COMPARISON = File("comparison", "comparison.json", "05_personas",
                  "what changed since an earlier run: the run compared with, tests, correction, headlines")

TABLES: dict[str, Table] = {t.name: t for t in globals().copy().values() if isinstance(t, Table)}
FILES: dict[str, File] = {f.name: f for f in globals().copy().values() if isinstance(f, File)}


def table(name: str | Table) -> Table:
    """The catalog entry of a table, given by entry or name; an unknown name lists the known ones."""
    if isinstance(name, Table):
        return name
    if name not in TABLES:
        raise PortraitError(f"no table `{name}` in the catalog (lib/portrait/catalog.py); tables: "
                            f"{', '.join(TABLES)}.")
    return TABLES[name]


def summary() -> pd.DataFrame:
    """Every output, the step that writes it and what it holds."""
    rows = [{"output": t.file, "step": t.step, "holds": t.description} for t in TABLES.values()]
    rows += [{"output": f.file, "step": f.step, "holds": f.description} for f in FILES.values()]
    return pd.DataFrame(rows).sort_values(["step", "output"]).reset_index(drop=True)
