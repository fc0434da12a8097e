"""What demo respondents reported, read from the raw export by the tests' own rules (not the codebook's), and
the planted truth beside it: plumbing tests compare the pipeline with the first, recovery tests with the second."""

from pathlib import Path

import numpy as np
import pandas as pd

from portrait.demo import survey

BRAND = survey.BRAND
FREQUENCY_TIER = {"Never": 0, "Less than 3 times a year": 0, "3-8 times a year": 1, "More than 8 times a year": 2}
PURPOSE = {label: purpose for purpose, label in survey.PURPOSE_LABEL.items()}


def _grid(export: pd.DataFrame, item: str) -> pd.Series:
    answer = pd.to_numeric(export[f"{survey.ATTITUDE} - {item}"], errors="coerce")
    return answer.where(answer.between(1, 5))


def reported(export: pd.DataFrame) -> pd.DataFrame:
    """Per row of a raw export (index: Response ID): the values the demo's rules should give, `None` where the
    answer needed is blank or out of range."""
    out = pd.DataFrame(index=export["Response ID"])
    e = export.set_index("Response ID")
    heard = e[f"Which of these fashion brands have you heard of? - {BRAND}"].ne("")
    bought = e[f"Which of these brands have you bought in the last 12 months? - {BRAND}"].ne("")
    tier = e[f"How often do you buy at {BRAND}?"].map(FREQUENCY_TIER)
    buyer = np.asarray(["buys_rarely", "buys_medium", "buys_often"], dtype=object)
    status = np.where(~heard, "unaware", np.where(~bought, "aware_non_buyer", None)).astype(object)
    has_tier = bought & heard & tier.notna()
    status[has_tier.to_numpy()] = buyer[tier[has_tier].astype(int).to_numpy()]
    # The incomplete broke off before the brand questions: nothing was reported.
    reached = e.loc[:, f"Which of these fashion brands have you heard of? - {BRAND}":].ne("").any(axis=1)
    out["relationship"] = pd.Series(status, index=e.index).where(reached)
    out["purpose"] = e["Who do you usually buy clothes and accessories for?"].map(PURPOSE)
    out["local"] = e["Do you live in Ukraine permanently?"].map({"Yes": True,
                                                               "No, I am visiting or living here temporarily": False})
    out["parent"] = e["Do you buy clothes for your children?"].map(
        {"Yes, regularly": True, "Sometimes": False, "I have no children": False})
    out["discount_hunter"] = _grid(e, "I buy clothes only when they are on sale").ge(4).where(
        _grid(e, "I buy clothes only when they are on sale").notna())
    out["novelty_hunter"] = _grid(e, "I follow new collections as soon as they appear").ge(4).where(
        _grid(e, "I follow new collections as soon as they appear").notna())
    lean = (_grid(e, "I love trying new styles and trends") + _grid(e, "I enjoy discovering new designers")
            - _grid(e, "I prefer classic, proven styles") - _grid(e, "I stick to brands I already know"))
    out["behaviour_profile"] = pd.Series(np.where(lean > -2, "experimenter", "traditionalist"),
                                         index=e.index).where(lean.notna())
    return out


def read_export(raw: Path) -> pd.DataFrame:
    export = pd.read_csv(raw / "survey" / "survey_export.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return export[export["Response ID"].ne("")].drop_duplicates("Response ID")


def planted(truth: Path, ids) -> pd.DataFrame:
    """The planted truth of respondents `ids` (Response IDs), in the columns `reported` gives."""
    links = pd.read_csv(truth / "survey_quality.csv", dtype={"Response ID": str})[["Response ID", "person_id"]]
    people = pd.read_csv(truth / "people.csv")
    rows = pd.DataFrame({"Response ID": list(ids)}).merge(links, on="Response ID", how="left") \
        .merge(people, on="person_id", how="left").set_index("Response ID")
    return pd.DataFrame({"relationship": rows["relationship"], "purpose": rows["purpose"], "local": rows["local"],
                         "parent": rows["parent_buying_for_children"], "discount_hunter": rows["discount_hunter"],
                         "novelty_hunter": rows["novelty_hunter"], "behaviour_profile": rows["behaviour_profile"],
                         "attitude_segment": rows["attitude_segment"]}, index=rows.index)
