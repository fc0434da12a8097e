"""What step 05 reads: the segment profiles and choice of step 04, per-segment facts (size, card holders,
value share, repeat rate, NPS), the segment of each interview (for quotes), and the message library."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from portrait.io import catalog
from portrait.segments import rfm
from portrait.survey import codebook as survey_codebook
from portrait.errors import PortraitError
from portrait.personas.messages import MessageLibrary, load_messages
from portrait.personas.personas import CLV_FACTS, clv_facts, segment_facts
from portrait.config.study import Study


@dataclass
class PersonaSources:
    unit: str
    profile: pd.DataFrame
    facts: pd.DataFrame
    names: dict[int, str]
    document_segment: pd.Series        # interview document -> segment of its (surveyed) participant
    codings: pd.DataFrame | None
    turns: pd.DataFrame | None
    library: MessageLibrary
    coded: pd.DataFrame | None         # the coded survey (appendix: quality, weighting, reliability)
    book: object | None                # the survey codebook
    choice: dict                       # step 04's segmentation.json
    clv: dict | None = None            # step 04's clv.json when its CLV was fitted (horizon, discount, holdout)

    def context(self, study: Study) -> dict:
        """What the study has, for the report: a section, KPI or journey stage appears only when the
        roles and sources behind it exist (topics present in the profiles, funnel, NPS, cards, interviews)."""
        roles = study.config.roles
        topics = sorted(set(self.profile["topic"].dropna()))
        cards = bool(self.facts["card_holders"].sum())
        interviews = self.codings is not None
        funnel = roles.funnel is not None and self.unit == "respondents"
        recommendation = bool(roles.recommendation) and self.unit == "respondents"
        stages = [s for s, present in [("awareness", funnel or interviews), ("consideration", funnel or interviews),
                                       ("purchase", funnel or interviews or cards),
                                       ("use", recommendation or interviews), ("loyalty", cards or interviews)] if present]
        skipped = []  # keys of report_labels.yml: the report says them in its language
        if not funnel:
            skipped.append("skip_funnel_role" if self.unit == "respondents" else "skip_funnel_survey")
        if not recommendation:
            skipped.append("skip_nps")
        if not cards:
            skipped.append("skip_cards")
        if not interviews:
            skipped.append("skip_interviews")
        if not self.library.messages:
            skipped.append("skip_messages")
        considered = funnel and bool(roles.funnel.considered)
        kpis = [s for s, present in [("awareness", funnel), ("consideration", considered), ("purchase", funnel),
                                     ("use", recommendation), ("loyalty", cards)] if present]
        return {"unit": self.unit, "weighted": bool(self.choice.get("weighted", False)), "topics": topics,
                "kpis": kpis,
                "cards": cards, "interviews": interviews, "funnel": funnel, "recommendation": recommendation,
                "messages": bool(self.library.messages), "stages": stages, "skipped": skipped,
                "weak": bool(self.choice.get("weak", False)), "silhouette": self.choice.get("silhouette"),
                "weak_threshold": self.choice.get("weak_threshold"), "currency": roles.currency,
                "rfm": _rfm_table(study), "clv": self.clv}

    def summary(self) -> pd.DataFrame:
        rows = {"unit": self.unit, "segments": len(self.names), "profile rows": len(self.profile),
                "interviews linked to a segment": int(self.document_segment.notna().sum()),
                "message library entries": len(self.library.messages)}
        return pd.Series(rows, name="value").to_frame()


def load(study: Study) -> PersonaSources:
    choice_path = study.path(catalog.SEGMENTATION)
    if not choice_path.exists() or not study.has(catalog.SEGMENT_PROFILES):
        raise PortraitError(f"{study.name}: step 05 needs the segments of step 04 (segmentation.json, "
                            "segment_profiles.parquet); run step 04 first.")
    choice = json.loads(choice_path.read_text(encoding="utf-8"))
    profile = study.read(catalog.SEGMENT_PROFILES)
    if "topic" not in profile:
        raise PortraitError("segment_profiles.parquet has no `topic` column; re-run step 04 with this version.")
    segments = study.read(catalog.SEGMENTS).dropna(subset=["segment"])
    labels = segments["segment"].astype(int)
    weights = segments["weight"].astype("float64") if "weight" in segments else pd.Series(1.0, index=segments.index)
    facts = segment_facts(labels, weights, _aligned(study, choice["unit"], segments),
                          study.config.roles.recommendation)
    clv = _clv_summary(study)
    customers = study.read(catalog.CLV_CUSTOMERS) if clv and study.has(catalog.CLV_CUSTOMERS) else None
    facts = facts.join(clv_facts(customers) if customers is not None else pd.DataFrame(columns=CLV_FACTS, dtype=float))
    document_segment = _interview_segments(study, segments)
    codes = set()
    codings = turns = None
    if study.has(catalog.CODINGS):
        codings, turns = study.read(catalog.CODINGS), study.read(catalog.TURNS)
        codes = set(codings["code"])
        if study.config.codebooks.interviews:
            from portrait.interviews.qual_codebook import load_qual_codebook
            codes = {c.code for c in load_qual_codebook(study.raw_path(study.config.codebooks.interviews)).codes}
    library = (load_messages(study.raw_path(study.config.codebooks.messages), codes or None, study.config.report_language)
               if study.config.codebooks.messages else MessageLibrary())
    coded = study.read(catalog.SURVEY_CODED) if study.has(catalog.SURVEY_CODED) else None
    book = (survey_codebook.load_codebook(study.raw_path(study.config.codebooks.survey))
            if coded is not None and study.config.codebooks.survey else None)
    names = {int(k): v for k, v in choice["names"].items()}
    return PersonaSources(choice["unit"], profile, facts, names, document_segment, codings, turns, library,
                          coded, book, choice, clv)


def _clv_summary(study: Study) -> dict | None:
    """Step 04's clv.json when its CLV was fitted; None without transactions or when the fit was skipped."""
    path = study.path(catalog.CLV)
    if not path.exists():
        return None
    summary = json.loads(path.read_text(encoding="utf-8"))
    return summary if summary.get("fitted") else None


def _aligned(study: Study, unit: str, segments: pd.DataFrame) -> pd.DataFrame:
    """The unit's card behaviour (`card__*`, from step 04's rfm_customers) and survey answers, in the order of
    `segments` (matched by respondent or card key); nothing is recomputed here."""
    customers = study.read(catalog.RFM_CUSTOMERS) if study.has(catalog.RFM_CUSTOMERS) else None
    if unit == "customers":
        table = customers.add_prefix("card__")
        return table.set_index(table["card__card_key"].to_numpy()).reindex(segments["card_key"].to_numpy()) \
            .set_axis(segments.index)
    table = study.read(catalog.SURVEY_CODED)
    if customers is not None and study.has(catalog.CARDHOLDERS):
        table = table.join(rfm.respondent_behaviour(table, study.read(catalog.CARDHOLDERS), customers))
    by_key = table.set_index(table["respondent_id"].to_numpy())
    return by_key.reindex(segments["respondent_id"].to_numpy()).set_axis(segments.index)


def _rfm_table(study: Study) -> list[dict]:
    """Step 04's RFM segments: customers, shares of customers and of value (empty without card data)."""
    if not study.has(catalog.RFM_CUSTOMERS):
        return []
    summary = rfm.RfmResult(study.read(catalog.RFM_CUSTOMERS)).summary().reset_index()
    keep = [c for c in ["rfm_segment", "customers", "% of customers", "% of value", "recency_days", "frequency"]
            if c in summary]
    return json.loads(summary[keep].to_json(orient="records"))


def _interview_segments(study: Study, segments: pd.DataFrame) -> pd.Series:
    if not (study.has(catalog.PARTICIPANTS) and "person_key" in segments):
        return pd.Series(dtype="float64")
    participants = study.read(catalog.PARTICIPANTS).dropna(subset=["person_key"])
    id_column = study.config.sources.participants.id_column
    by_person = segments.dropna(subset=["person_key"]).drop_duplicates("person_key").set_index("person_key")["segment"]
    return participants.set_index(id_column)["person_key"].map(by_person).dropna().astype(int)
