"""The report's appendix: method and data quality, gathered from what steps 01-04 wrote — sources and
bases (read = kept + quarantined), survey quality flags, weighting efficiency, reliability of scales,
agreement between coders, and the segmentation's choice and stability. Each part is a small table
(list of rows) so the report template only lays them out."""

from __future__ import annotations

import json

import pandas as pd

from .study import Study


def _rows(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def sources(study: Study) -> list[dict]:
    if not study.table_path("reconciliation").exists():
        return []
    return _rows(study.read("reconciliation"))


def survey_quality(coded: pd.DataFrame | None) -> list[dict]:
    if coded is None:
        return []
    flags = {"qf_duplicate": "duplicate submission", "qf_speeder": "speeder", "qf_straightliner": "straight-liner",
             "qf_out_of_range": "out-of-range answers", "qf_incomplete": "broke off"}
    rows = [{"check": label, "respondents": int(coded[c].astype(bool).sum())} for c, label in flags.items() if c in coded]
    rows.append({"check": "kept for analysis (quality_ok)", "respondents": int(coded["quality_ok"].sum())})
    return rows


def weighting(coded: pd.DataFrame | None) -> list[dict]:
    if coded is None or "weight" not in coded:
        return []
    w = coded.loc[coded["quality_ok"], "weight"].astype("float64")
    effective = float(w.sum() ** 2 / (w ** 2).sum())
    return [{"respondents": len(w), "effective base": round(effective, 1), "efficiency %": round(100 * effective / len(w), 1),
             "smallest weight": round(float(w.min()), 3), "largest weight": round(float(w.max()), 3)}]


def reliability(coded: pd.DataFrame | None, book) -> list[dict]:
    from .reliability import scale_reliability

    if coded is None or book is None or not book.scales:
        return []
    result = scale_reliability(coded, {s.id: s.items for s in book.scales})
    return _rows(result.summary().rename(columns={"below_threshold": "below 0.7"}))


def coder_agreement(study: Study) -> list[dict]:
    """Cohen's kappa per code and Krippendorff's alpha of the auto-coder against the second coder."""
    from . import agreement, coded_segments, qual_codebook

    books = study.config.codebooks
    if not (books.interviews and books.interview_segments and study.table_path("coded_segments").exists()):
        return []
    codes = [c.code for c in qual_codebook.load_qual_codebook(study.raw_path(books.interviews)).codes]
    second = coded_segments.read_segments(study.raw_path(books.interview_segments), codes)
    turns = study.read("turns")
    shared = turns[turns["role"].eq("respondent") & turns["document"].isin(second["document"])][["document", "turn"]]
    auto = study.read("coded_segments")
    auto = auto[auto["document"].isin(second["document"])]
    result = agreement.agreement(second, auto, shared, codes, names=("second coder", "auto-coder"))
    per_code = result.per_code
    return [{"turns compared": result.units, "Krippendorff's alpha": result.alpha,
             "median kappa": round(float(per_code["kappa"].median()), 3),
             "codes with kappa < 0.6": int((per_code["kappa"] < 0.6).sum())}]


def segmentation_choice(study: Study) -> list[dict]:
    path = study.processed / "segmentation.json"
    if not path.exists():
        return []
    choice = json.loads(path.read_text(encoding="utf-8"))
    return [{"unit": choice["unit"], "model": choice["model"], "segments": choice["k"], "why": choice["reason"],
             "bootstrap ARI (median)": choice["stability_median_ari"],
             "stable": "yes" if choice["stable"] else "NO — read with care"}]


def gather(study: Study, coded: pd.DataFrame | None, book) -> dict[str, list[dict]]:
    """Every appendix table, keyed by its label in the report; empty tables are dropped."""
    parts = {"sources": sources(study), "quality": survey_quality(coded), "weighting": weighting(coded),
             "reliability": reliability(coded, book), "agreement": coder_agreement(study),
             "stability": segmentation_choice(study)}
    return {k: v for k, v in parts.items() if v}
