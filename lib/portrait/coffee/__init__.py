"""A second bundled study: «Зерно і Пара», a fictional Ukrainian coffee-shop chain.

It shares nothing with the demo study but the file formats: a survey of about 1,200 guests as an
SPSS .sav file (Ukrainian variable names and question texts, value labels), a loyalty export with
only customer id, date, amount and store (about 60,000 purchases of about 4,000 customers over 12
months), no interviews, no personal data (so no link key), report language Ukrainian.

`build_study(path)` writes the study into `path` (e.g. `data/raw/coffee`, replacing it) and the planted
segments into `<path>/../../truth/<folder name>/` (`respondents.csv`, `customers.csv`), which no
pipeline step reads. Same seed, same bytes.

    from portrait.coffee import build_study
    build_study(Path("data/raw/coffee"))          # or: python -m portrait.coffee data/raw/coffee
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from portrait.coffee.population import SEGMENT_NAMES_UK, make_respondents
from portrait.coffee.survey import ID, build_frame, write_sav
from portrait.coffee.transactions import build_transactions

DEFAULT_SEED = 20260316
RESPONDENTS = 1_200
CUSTOMERS = 4_000
LOYALTY_START = pd.Timestamp("2025-03-01")
LOYALTY_MONTHS = 12

HERE = Path(__file__).parent
STUDY_YML = HERE / "study.yml"
CODEBOOK_YML = HERE / "codebook.yml"
SURVEY_FILE = Path("survey") / "guests_survey.sav"
TRANSACTIONS_FILE = Path("loyalty") / "transactions.csv"


def generator_digest() -> str:
    """Hash of the generator's files: the study is rebuilt when they change."""
    digest = hashlib.sha256()
    for path in sorted(HERE.iterdir()):
        if path.suffix in {".py", ".yml"}:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def truth_dir(path: str | Path) -> Path:
    """Where the planted truth of the study at `path` goes: `<path>/../../truth/<folder name>`."""
    path = Path(path)
    return path.parent.parent / "truth" / path.name


def build_study(path: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the coffee study into `path` (replacing it) and its truth beside `data/raw`; returns `path`."""
    path = Path(path)
    staging = path.with_name(f".{path.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / SURVEY_FILE.parent).mkdir(parents=True)
    (staging / TRANSACTIONS_FILE.parent).mkdir(parents=True)
    rng = np.random.default_rng(seed)

    people = make_respondents(rng, RESPONDENTS)
    frame, labels, values = build_frame(people, rng)
    write_sav(frame, labels, values, staging / SURVEY_FILE)

    transactions, customers = build_transactions(rng, CUSTOMERS, LOYALTY_START, LOYALTY_MONTHS)
    transactions.to_csv(staging / TRANSACTIONS_FILE, index=False, encoding="utf-8", lineterminator="\n")

    shutil.copyfile(STUDY_YML, staging / "study.yml")
    shutil.copyfile(CODEBOOK_YML, staging / "codebook.yml")

    truth = truth_dir(path)
    truth.mkdir(parents=True, exist_ok=True)
    respondents = pd.DataFrame({"respondent_id": frame[ID], "segment": people["segment"],
                                "segment_uk": people["segment"].map(SEGMENT_NAMES_UK),
                                "improve_theme": people["improve_theme"]})
    respondents.to_csv(truth / "respondents.csv", index=False, encoding="utf-8", lineterminator="\n")
    customers.assign(segment_uk=customers["segment"].map(SEGMENT_NAMES_UK)).to_csv(
        truth / "customers.csv", index=False, encoding="utf-8", lineterminator="\n")

    if path.exists():
        shutil.rmtree(path)
    staging.rename(path)
    return path
