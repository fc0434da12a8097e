"""The bundled demo study, generated deterministically from a seed.

`build_demo(root)` writes `data/raw/demo/` (what a researcher would receive: survey export,
transcripts, participants, loyalty-card export, study.yml) and `data/truth/demo/` (the planted
segments and each respondent's response error, which no pipeline step reads; tests use them to check
recovery, and `ceiling.recovery_ceiling` says how much of the segments any method could recover).
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from portrait.io import atomic
from portrait.demo.identities import make_identities
from portrait.demo.interviews import build_interviews, second_coding
from portrait.demo.loyalty import build_cardholders, build_transactions
from portrait.demo.population import assign_relationship, make_people
from portrait.demo import waves
from portrait.demo.survey import build_answers

DEFAULT_SEED = 20261125
POOL_SIZE = 15_500
SURVEY_SIZE = 2_250
INTERVIEWS = 36
LOYALTY_START = pd.Timestamp("2025-04-01")
LOYALTY_MONTHS = 18
SURVEY_START = pd.Timestamp("2026-01-12 08:00")

STUDY_YML = Path(__file__).with_name("study.yml")
CODEBOOK_YML = Path(__file__).with_name("codebook.yml")
OPEN_CODES_YML = Path(__file__).with_name("open_codes.yml")
INTERVIEW_CODEBOOK_YML = Path(__file__).with_name("interview_codebook.yml")
SCHEMES_YML = Path(__file__).with_name("schemes.yml")
MESSAGES_YML = Path(__file__).with_name("messages.yml")


def generator_digest() -> str:
    """Hash of the demo generator's files: the demo is rebuilt when they change."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.suffix in {".py", ".yml"}:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def build_demo(raw_dir: str | Path, seed: int = DEFAULT_SEED, truth_dir: str | Path | None = None,
               wave: int = 1) -> Path:
    """Write the demo study into `raw_dir` (replacing it) and its ground truth beside `data/raw`.

    Same seed, same bytes: every file is a pure function of the seed (and the wave). `wave` 2 or 3 writes a later
    wave of the same study (demo/waves.py): more months of purchases and a new survey sample, with planted drift in
    wave 2 and none after it.
    """
    if wave not in waves.WAVES:
        raise ValueError(f"wave {wave}: the demo has waves {', '.join(map(str, waves.WAVES))}.")
    raw_dir = Path(raw_dir)
    truth_dir = Path(truth_dir) if truth_dir else raw_dir.parent.parent / "truth" / raw_dir.name
    staging = raw_dir.with_name(f".{raw_dir.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "survey").mkdir(parents=True)
    (staging / "loyalty").mkdir()
    rng = np.random.default_rng(seed)

    people = make_people(POOL_SIZE, rng)
    people["relationship"] = assign_relationship(people, [0.12, 0.16, 0.24, 0.28, 0.20], rng)
    buyer = people["relationship"].str.startswith("buys")
    people["card_holder"] = buyer & (rng.random(len(people)) < 0.95)
    ids = make_identities(people, rng)

    holders = people[people["card_holder"]].reset_index(drop=True)
    cardholders = build_cardholders(holders, ids, rng, LOYALTY_START)
    transactions = build_transactions(holders, ids, rng, LOYALTY_START, LOYALTY_MONTHS)
    if wave > 1:
        first_receipt = int(transactions["Receipt"].str[2:].astype(int).max())
        transactions = pd.concat([transactions, waves.later_purchases(holders, ids, seed, wave, LOYALTY_START,
                                                                      LOYALTY_MONTHS, first_receipt)],
                                 ignore_index=True)
    _write_csv(cardholders, staging / "loyalty" / "cardholders.csv", sep=";", encoding="cp1251")
    _write_csv(transactions, staging / "loyalty" / "transactions.csv", sep=";", encoding="utf-8")

    sample = people.iloc[np.sort(rng.choice(len(people), SURVEY_SIZE, replace=False))].reset_index(drop=True)
    export, quality_truth, error_truth = build_answers(sample, ids, rng, SURVEY_START)
    surveyed = sample
    if wave > 1:  # a new sample of the pool and its newcomers, fielded later; wave 1's draws above stay as they were
        newcomers, newcomer_ids = waves.newcomers(seed)
        surveyed = waves.sample(people, SURVEY_SIZE, seed, wave, newcomers)
        fielded = SURVEY_START + pd.DateOffset(months=waves.WAVE_MONTHS * (wave - 1))
        export, quality_truth, error_truth = build_answers(
            surveyed, pd.concat([ids, newcomer_ids], ignore_index=True), waves.answers_rng(seed, wave), fielded)
        given = [i for i in export["Response ID"] if i]  # a blank id is planted dirt and stays blank
        renamed = dict(zip(given, waves.response_ids(wave, len(given))))
        for frame in (export, quality_truth, error_truth):
            frame["Response ID"] = frame["Response ID"].map(renamed).fillna(frame["Response ID"])
    _write_csv(export, staging / "survey" / "survey_export.csv", sep=",", encoding="utf-8-sig")

    chosen = _interviewees(sample, rng)
    participants, turn_truth = build_interviews(staging / "interviews", chosen, ids, rng)
    _write_csv(participants, staging / "interviews" / "participants.csv", sep=",", encoding="utf-8")
    # Half of the interviews were also coded by hand by a second researcher.
    coded_by_hand = sorted(participants["Interview"])[::2]
    _write_csv(second_coding(turn_truth, coded_by_hand, rng), staging / "interviews" / "second_coder.csv",
               sep=",", encoding="utf-8")
    for path in (staging / "interviews").glob("*.docx"):
        _freeze_zip(path)

    shutil.copyfile(STUDY_YML, staging / "study.yml")
    if wave > 1:  # this delivery's export was made the day its last month ended
        exported = LOYALTY_START + pd.DateOffset(months=LOYALTY_MONTHS + waves.WAVE_MONTHS * (wave - 1)) - pd.Timedelta(days=1)
        text = (staging / "study.yml").read_text(encoding="utf-8")
        marker = "    path: loyalty/transactions.csv\n"
        (staging / "study.yml").write_text(text.replace(marker, f"{marker}    export_date: {exported:%Y-%m-%d}\n"),
                                           encoding="utf-8")
    shutil.copyfile(CODEBOOK_YML, staging / "codebook.yml")
    shutil.copyfile(OPEN_CODES_YML, staging / "open_codes.yml")
    shutil.copyfile(INTERVIEW_CODEBOOK_YML, staging / "interview_codebook.yml")
    shutil.copyfile(SCHEMES_YML, staging / "schemes.yml")
    shutil.copyfile(MESSAGES_YML, staging / "messages.yml")
    _write_truth(truth_dir, people, ids, surveyed, quality_truth, chosen, participants, turn_truth)
    error_truth.to_csv(truth_dir / "response_error.csv", index=False)
    _write_wave_truth(truth_dir, wave, seed, holders, surveyed)
    if raw_dir.exists():
        shutil.rmtree(raw_dir)
    staging.rename(raw_dir)
    return raw_dir


def _write_wave_truth(folder: Path, wave: int, seed: int, holders: pd.DataFrame, surveyed: pd.DataFrame) -> None:
    """Which wave this is, the surveyed persons' planted segments, and the card holders planted to lapse."""
    lapsed = holders.loc[waves.lapsed(holders, seed), ["person_id"]] if wave >= waves.DRIFT_FROM else holders.iloc[:0][["person_id"]]
    lapsed.to_csv(folder / "lapsed_holders.csv", index=False)
    surveyed[["person_id", "attitude_segment"]].to_csv(folder / "surveyed.csv", index=False)
    (folder / "wave.txt").write_text(f"{wave}\n", encoding="utf-8")


def _interviewees(sample: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Nine participants per attitudinal segment, mixed languages and relationships."""
    picks = []
    for segment, group in sample.groupby("attitude_segment", sort=True):
        picks.append(group.iloc[np.sort(rng.choice(len(group), INTERVIEWS // 4, replace=False))])
    return pd.concat(picks).sort_values("person_id").reset_index(drop=True)


def _write_csv(frame: pd.DataFrame, path: Path, sep: str, encoding: str) -> None:
    frame.to_csv(path, sep=sep, index=False, encoding=encoding, lineterminator="\n")


def _freeze_zip(path: Path) -> None:
    """Rewrite a .docx with fixed member timestamps so two builds are byte-identical."""
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with atomic.atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            target.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data,
                            compress_type=zipfile.ZIP_DEFLATED)


def _write_truth(folder: Path, people, ids, sample, quality_truth, chosen, participants, turn_truth) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    truth = people.merge(ids[["person_id", "card_number"]], on="person_id")
    truth["card_number"] = truth["card_number"].where(truth["card_holder"])
    truth.drop(columns=["card_number"]).to_csv(folder / "people.csv", index=False)
    # Card numbers stay out of the truth files; the link is the person id and row order of holders.
    holders = truth[truth["card_holder"]][["person_id"]].reset_index(drop=True)
    holders["card_row"] = np.arange(len(holders)) + 2
    holders.to_csv(folder / "cardholders.csv", index=False)
    quality_truth.to_csv(folder / "survey_quality.csv", index=False)
    pd.DataFrame({"Interview": participants["Interview"], "person_id": chosen["person_id"].to_numpy()}).to_csv(
        folder / "interview_participants.csv", index=False)
    turn_truth.to_csv(folder / "interview_turns.csv", index=False)
