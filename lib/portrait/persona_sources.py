"""What step 05 reads: the segment profiles and choice of step 04, per-segment facts (size, card holders,
value share, repeat rate, NPS), the segment of each interview (for quotes), and the message library."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from . import codebook as survey_codebook
from . import segment_inputs
from .errors import PortraitError
from .messages import MessageLibrary, load_messages
from .personas import segment_facts
from .study import Study


@dataclass
class PersonaSources:
    unit: str
    profile: pd.DataFrame
    facts: pd.DataFrame
    names: dict[int, str]
    document_segment: pd.Series        # interview document -> segment of its (surveyed) participant
    coded_segments: pd.DataFrame | None
    turns: pd.DataFrame | None
    library: MessageLibrary
    coded: pd.DataFrame | None         # the coded survey (appendix: quality, weighting, reliability)
    book: object | None                # the survey codebook

    def summary(self) -> pd.DataFrame:
        rows = {"unit": self.unit, "segments": len(self.names), "profile rows": len(self.profile),
                "interviews linked to a segment": int(self.document_segment.notna().sum()),
                "message library entries": len(self.library.messages)}
        return pd.Series(rows, name="value").to_frame()


def load(study: Study) -> PersonaSources:
    choice_path = study.processed / "segmentation.json"
    if not choice_path.exists() or not study.table_path("segment_profiles").exists():
        raise PortraitError(f"{study.name}: step 05 needs the segments of step 04 (segmentation.json, "
                            "segment_profiles.parquet); run step 04 first.")
    choice = json.loads(choice_path.read_text(encoding="utf-8"))
    profile = study.read("segment_profiles")
    if "topic" not in profile:
        raise PortraitError("segment_profiles.parquet has no `topic` column; re-run step 04 with this version.")
    segments = study.read("segments").dropna(subset=["segment"])
    data = segment_inputs.load(study)
    labels = segments["segment"].astype(int)
    weights = segments["weight"].astype("float64") if "weight" in segments else pd.Series(1.0, index=segments.index)
    facts = segment_facts(labels, weights, _aligned(data, segments))
    document_segment = _interview_segments(study, segments)
    codes = set()
    coded_segments = turns = None
    if study.table_path("coded_segments").exists():
        coded_segments, turns = study.read("coded_segments"), study.read("turns")
        codes = set(coded_segments["code"])
        if study.config.codebooks.interviews:
            from .qual_codebook import load_qual_codebook
            codes = {c.code for c in load_qual_codebook(study.raw_path(study.config.codebooks.interviews)).codes}
    library = (load_messages(study.raw_path(study.config.codebooks.messages), codes or None, study.config.report_language)
               if study.config.codebooks.messages else MessageLibrary())
    coded = study.read("survey_coded") if study.table_path("survey_coded").exists() else None
    book = (survey_codebook.load_codebook(study.raw_path(study.config.codebooks.survey))
            if coded is not None and study.config.codebooks.survey else None)
    names = {int(k): v for k, v in choice["names"].items()}
    return PersonaSources(choice["unit"], profile, facts, names, document_segment, coded_segments, turns, library,
                          coded, book)


def _aligned(data: segment_inputs.SegmentationData, segments: pd.DataFrame) -> pd.DataFrame:
    """The unit's card and NPS columns in the order of `segments` (matched by respondent or card key)."""
    key = "respondent_id" if data.unit == "respondents" else "card_key"
    table = data.scheme_table()  # card customers' columns carry the card__ prefix there
    by_key = table.set_index(table[key if data.unit == "respondents" else f"card__{key}"].to_numpy())
    return by_key.reindex(segments[key].to_numpy()).set_axis(segments.index)


def _interview_segments(study: Study, segments: pd.DataFrame) -> pd.Series:
    if not (study.table_path("participants").exists() and "person_key" in segments):
        return pd.Series(dtype="float64")
    participants = study.read("participants").dropna(subset=["person_key"])
    id_column = study.config.sources.participants.id_column
    by_person = segments.dropna(subset=["person_key"]).drop_duplicates("person_key").set_index("person_key")["segment"]
    return participants.set_index(id_column)["person_key"].map(by_person).dropna().astype(int)
