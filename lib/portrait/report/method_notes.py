"""The report's appendix: method and data quality, gathered from what steps 01-04 wrote — sources and
bases (read = kept + quarantined), survey quality flags, weighting efficiency, reliability of scales,
the words that coded each open code, agreement between coders, and the segmentation's choice and
stability. Each part is a small table (list of rows) so the report template only lays them out."""

from __future__ import annotations

import json

import pandas as pd

from portrait.io import catalog
from portrait import stats
from portrait.config.study import Study


def _rows(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def sources(study: Study) -> list[dict]:
    if not study.has(catalog.RECONCILIATION):
        return []
    return _rows(study.read(catalog.RECONCILIATION))


def survey_quality(coded: pd.DataFrame | None) -> list[dict]:
    if coded is None:
        return []
    flags = {"qf_duplicate": "duplicate submission", "qf_speeder": "speeder", "qf_straightliner": "straight-liner",
             "qf_out_of_range": "out-of-range answers", "qf_incomplete": "broke off"}
    rows = [{"check": label, "respondents": int(coded[c].astype(bool).sum())} for c, label in flags.items() if c in coded]
    rows.append({"check": "kept for analysis (quality_ok)", "respondents": int(coded["quality_ok"].sum())})
    return rows


def weighting(coded: pd.DataFrame | None) -> list[dict]:
    if coded is None or "weight" not in coded or coded["weight"].astype("float64").eq(1.0).all():
        return []  # unweighted: nothing to report
    w = coded.loc[coded["quality_ok"], "weight"].astype("float64")
    effective = stats.effective_base(w.dropna())  # pandas sums skipped missing weights; keep that
    return [{"respondents": len(w), "effective base": round(effective, 1), "efficiency %": round(100 * effective / len(w), 1),
             "smallest weight": round(float(w.min()), 3), "largest weight": round(float(w.max()), 3)}]


def reliability(study: Study) -> list[dict]:
    """Cronbach's alpha per scale as step 02 computed it, with the study's own threshold."""
    if not study.has(catalog.SCALE_RELIABILITY):
        return []
    return _rows(study.read(catalog.SCALE_RELIABILITY))


def coder_agreement(study: Study) -> list[dict]:
    """Krippendorff's alpha and Cohen's kappa of the auto-coder against the second coder, as step 03 measured them."""
    if not study.has(catalog.CODER_AGREEMENT):
        return []
    return _rows(study.read(catalog.CODER_AGREEMENT))


def open_themes(study: Study) -> list[dict]:
    """Candidate themes step 02 found among open answers no code caught (top terms, answers)."""
    if not study.has(catalog.OPEN_THEMES):
        return []
    return _rows(study.read(catalog.OPEN_THEMES))


def open_matched_words(study: Study, top: int = 3) -> list[dict]:
    """Per open code, the words that coded most of its answers and their shares (step 02): an over-broad
    pattern shows as one word carrying the code."""
    if not study.has(catalog.OPEN_MATCHED_WORDS):
        return []
    table = study.read(catalog.OPEN_MATCHED_WORDS).groupby("code", sort=False).head(top)
    return _rows(table[["code", "word", "answers", "% of code", "% of all answers", "stop word"]])


def segmentation_choice(study: Study) -> list[dict]:
    path = study.path(catalog.SEGMENTATION)
    if not path.exists():
        return []
    choice = json.loads(path.read_text(encoding="utf-8"))
    return [{"unit": choice["unit"], "model": choice["model"], "segments": choice["k"], "why": choice["reason"],
             "bootstrap ARI (median)": choice["stability_median_ari"],
             "stable": "yes" if choice["stable"] else "NO — read with care",
             "silhouette": choice.get("silhouette"),
             "structure": ("weak" if choice.get("weak") else "clear") if "weak" in choice else None}]


def clv_note(study: Study) -> list[dict]:
    """Step 04's CLV: the models, what a purchase is, horizon, discount, and the holdout gap (empty without CLV)."""
    path = study.path(catalog.CLV)
    if not path.exists():
        return []
    fit = json.loads(path.read_text(encoding="utf-8"))
    if not fit.get("fitted"):
        return []
    total = next((r for r in fit["holdout"] if r.get("calibration repeat purchases") == "all"), None)
    holdout = (f"last {fit['holdout_weeks']} weeks: {total['predicted']:g} predicted against {total['actual']:g} actual "
               f"purchases per card" if total else fit.get("note") or "not run")
    gap = round(100 * (total["predicted"] - total["actual"]) / total["actual"], 1) if total and total["actual"] else None
    return [{"models": "BG/NBD (repeat purchases, dropout) and Gamma-Gamma (spend per purchase), maximum likelihood",
             "a purchase": "a card's purchase day", "cards": fit["facts"].get("cards"),
             "horizon (months)": fit["horizon_months"], "discount per month": fit["discount_rate"],
             "holdout check": holdout, "holdout gap %": gap}]


def gather(study: Study, coded: pd.DataFrame | None, book) -> dict[str, list[dict]]:
    """Every appendix table, keyed by its label in the report; empty tables are dropped."""
    parts = {"sources": sources(study), "quality": survey_quality(coded), "weighting": weighting(coded),
             "reliability": reliability(study), "open_matched_words": open_matched_words(study),
             "open_themes": open_themes(study), "agreement": coder_agreement(study),
             "stability": segmentation_choice(study), "clv": clv_note(study)}
    return {k: v for k, v in parts.items() if v}


def headline(appendix: dict[str, list[dict]]) -> pd.DataFrame:
    """The appendix numbers a stakeholder weighs the findings by, one per row (measure, value): each scale's
    alpha, the weighting efficiency, coder agreement and the segments' stability, as the report shows them."""
    rows = [(f"Cronbach's alpha · {r['scale']}", r["alpha"]) for r in appendix.get("reliability", [])]
    rows += [("weighting efficiency %", r["efficiency %"]) for r in appendix.get("weighting", [])]
    rows += [(measure, r[measure]) for r in appendix.get("agreement", [])
             for measure in ("Krippendorff's alpha", "median kappa")]
    rows += [(measure, r[measure]) for r in appendix.get("stability", [])
             for measure in ("bootstrap ARI (median)", "silhouette") if r.get(measure) is not None]
    return pd.DataFrame(rows, columns=["measure", "value"])
