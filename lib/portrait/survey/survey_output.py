"""What step 02 hands on: coded respondents (with weights and open-answer codes) and its tables."""

from __future__ import annotations

import pandas as pd

from portrait.io import atomic, catalog
from portrait.survey import banner
from portrait.survey.codebook import CodedSurvey
from portrait.survey.open_coding import OpenCoding
from portrait.config.study import Study

KEEP = ["respondent_id", "person_key"]


def coded_respondents(respondents: pd.DataFrame, coded: CodedSurvey, opened: OpenCoding | None,
                      weights: pd.Series | None) -> pd.DataFrame:
    """One row per respondent: ids, quality flags, coded variables, open codes (`open__*`), `weight`."""
    flags = [c for c in respondents.columns if c.startswith("qf_") or c == "quality_ok"]
    parts = [respondents[KEEP + flags], coded.data]
    if opened is not None:
        parts.append(opened.codes.add_prefix("open__"))
    frame = pd.concat(parts, axis=1)
    frame["weight"] = weights if weights is not None else 1.0
    return frame


def save(study: Study, respondents: pd.DataFrame, coded: CodedSurvey, opened: OpenCoding | None,
         weights: pd.Series | None, tables: list[banner.BannerTable],
         reliability: pd.DataFrame | None = None, themes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write survey_coded.parquet, scale_reliability.parquet (alpha with the study's threshold, read by the
    report's appendix), open_matched_words.parquet and open_themes.parquet (open answers: the words that coded
    each code, candidate themes), survey_tables.xlsx and survey_tables.html; return what was written."""
    frame = coded_respondents(respondents, coded, opened, weights)
    study.write(catalog.SURVEY_CODED, frame)
    if reliability is not None:
        study.write(catalog.SCALE_RELIABILITY, reliability)
    if opened is not None:  # which words coded each open code, for the report's appendix
        study.write(catalog.OPEN_MATCHED_WORDS, opened.matched_words())
    if themes is not None:  # candidate themes among uncoded open answers, for the report's appendix
        study.write(catalog.OPEN_THEMES, themes.drop(columns=["examples"], errors="ignore"))
    banner.to_excel(tables, study.path(catalog.SURVEY_TABLES))
    page = banner.table_words(study.config.report_language)["banner_page"]
    atomic.write_text(banner.to_html_page(tables, f"{study.config.brand or study.name} · {page}"),
                      study.path(catalog.SURVEY_TABLES_HTML))
    return pd.DataFrame([{"output": "survey_coded.parquet", "rows": len(frame), "columns": frame.shape[1]},
                         {"output": "survey_tables.xlsx", "rows": len(tables), "columns": None},
                         {"output": "survey_tables.html", "rows": len(tables), "columns": None}])
