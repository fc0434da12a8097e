"""The brand funnel of the second article: unaware → aware → considered → bought → buys rarely /
medium / often, with the conversion from each stage to the next, overall or by a banner."""

from __future__ import annotations

import pandas as pd

BUYER_TIERS = ["buys_rarely", "buys_medium", "buys_often"]
STAGES = ["base", "aware", "considered", "bought", *BUYER_TIERS]
STAGE_LABELS = {"base": "All respondents", "aware": "Aware", "considered": "Considered", "bought": "Bought",
                "buys_rarely": "Buys rarely", "buys_medium": "Buys medium", "buys_often": "Buys often"}


def stage_membership(relationship: pd.Series, considered: pd.Series) -> pd.DataFrame:
    """0/1 per stage for each respondent with a known relationship (buyers count as having considered)."""
    known = relationship.notna()
    rel = relationship.where(known)
    bought = rel.isin(BUYER_TIERS)
    member = pd.DataFrame({
        "base": known,
        "aware": known & rel.ne("unaware"),
        "considered": known & (bought | (rel.ne("unaware") & considered.fillna(0).astype(int).eq(1))),
        "bought": bought,
        **{tier: rel.eq(tier) for tier in BUYER_TIERS},
    }).fillna(False)
    return member.astype(int)


def funnel_table(relationship: pd.Series, considered: pd.Series, weights: pd.Series | None = None) -> pd.DataFrame:
    """Stage, respondents (unweighted), weighted count, % of base and conversion from the previous stage.

    Buyer tiers convert from `bought` (they split it), so their conversions add up to 100 %.
    """
    member = stage_membership(relationship, considered)
    w = weights if weights is not None else pd.Series(1.0, index=member.index)
    counts = member.sum()
    weighted = member.mul(w, axis=0).sum()
    base = weighted["base"]
    previous = {"aware": "base", "considered": "aware", "bought": "considered",
                **{tier: "bought" for tier in BUYER_TIERS}}
    rows = []
    for stage in STAGES:
        before = previous.get(stage)
        conversion = 100 * weighted[stage] / weighted[before] if before and weighted[before] else float("nan")
        rows.append({"stage": STAGE_LABELS[stage], "respondents": int(counts[stage]),
                     "weighted": round(float(weighted[stage]), 1), "% of base": round(100 * weighted[stage] / base, 1),
                     "conversion %": round(conversion, 1)})
    return pd.DataFrame(rows)


def funnel_by(relationship: pd.Series, considered: pd.Series, banner: pd.Series,
              weights: pd.Series | None = None) -> pd.DataFrame:
    """% of base at each stage for every value of `banner` (columns) and the total."""
    columns = {"Total": funnel_table(relationship, considered, weights).set_index("stage")["% of base"]}
    for value in banner.dropna().unique():
        mask = banner.eq(value).fillna(False)
        w = weights[mask] if weights is not None else None
        columns[str(value)] = funnel_table(relationship[mask], considered[mask], w).set_index("stage")["% of base"]
    return pd.DataFrame(columns)
