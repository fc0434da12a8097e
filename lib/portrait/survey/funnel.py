"""The brand funnel of the second article: not aware → aware → considered → bought, and buyers by how often
they buy, with the conversion from each stage to the next, overall or by a banner.

The stages are the study's own 0/1 variables named by the `funnel` role (aware, considered, bought) and
the buyer tiers are the labels of its `frequency` variable among buyers, so the funnel speaks the study's words.
"""

from __future__ import annotations

import pandas as pd

STAGES = ["base", "aware", "considered", "bought"]
STAGE_LABELS = {"base": "All respondents", "aware": "Aware", "considered": "Considered", "bought": "Bought"}


def stage_membership(aware: pd.Series, bought: pd.Series, considered: pd.Series | None = None,
                     frequency: pd.Series | None = None) -> pd.DataFrame:
    """0/1 per stage for each respondent who answered awareness (buyers count as aware and as having
    considered); one column per buyer tier (`Bought: <frequency label>`) when a frequency is given."""
    known = aware.notna()
    is_aware = known & aware.fillna(0).astype(float).eq(1)
    has_bought = known & bought.fillna(0).astype(float).eq(1)
    member = {"base": known, "aware": is_aware | has_bought}
    if considered is not None:
        member["considered"] = member["aware"] & (has_bought | considered.fillna(0).astype(float).eq(1))
    member["bought"] = has_bought
    if frequency is not None:
        tiers = (list(frequency.cat.categories) if isinstance(frequency.dtype, pd.CategoricalDtype)
                 else sorted(frequency.dropna().unique(), key=str))
        for tier in tiers:  # a tier no buyer chose (such as "never") is left out
            in_tier = has_bought & frequency.eq(tier).fillna(False)
            if in_tier.any():
                member[f"Bought: {tier}"] = in_tier
    return pd.DataFrame(member).fillna(False).astype(int)


def funnel_table(member: pd.DataFrame, weights: pd.Series | None = None) -> pd.DataFrame:
    """Stage, respondents (unweighted), weighted count, % of base and conversion from the previous stage.

    Buyer tiers convert from `bought` (they split it), so their conversions add up to 100 % of buyers
    who said how often they buy."""
    w = weights.reindex(member.index) if weights is not None else pd.Series(1.0, index=member.index)
    counts = member.sum()
    weighted = member.mul(w, axis=0).sum()
    base = weighted["base"]
    stages = [s for s in STAGES if s in member]
    rows = []
    for stage in member.columns:
        before = "bought" if stage not in STAGES else (stages[stages.index(stage) - 1] if stage != "base" else None)
        conversion = 100 * weighted[stage] / weighted[before] if before and weighted[before] else float("nan")
        rows.append({"stage": STAGE_LABELS.get(stage, stage), "respondents": int(counts[stage]),
                     "weighted": round(float(weighted[stage]), 1),
                     "% of base": round(100 * weighted[stage] / base, 1) if base else float("nan"),
                     "conversion %": round(conversion, 1)})
    return pd.DataFrame(rows)


def funnel_by(member: pd.DataFrame, banner: pd.Series, weights: pd.Series | None = None) -> pd.DataFrame:
    """% of base at each stage for every value of `banner` (columns) and the total."""
    columns = {"Total": funnel_table(member, weights).set_index("stage")["% of base"]}
    values = list(banner.cat.categories) if isinstance(banner.dtype, pd.CategoricalDtype) else banner.dropna().unique()
    for value in values:
        mask = banner.eq(value).fillna(False)
        w = weights[mask] if weights is not None else None
        columns[str(value)] = funnel_table(member[mask], w).set_index("stage")["% of base"]
    return pd.DataFrame(columns)


def membership_from_roles(coded, roles) -> pd.DataFrame:
    """Stage membership from a coded survey and the study's `funnel` role."""
    f = roles.funnel
    return stage_membership(coded.data[f.aware], coded.data[f.bought],
                            coded.data[f.considered] if f.considered else None,
                            coded.labelled(f.frequency) if f.frequency else None)
