"""Loyalty-card behaviour per customer, computed by the study's engine (DuckDB or Spark) from the processed
transactions (card_features.py: the line items are never loaded into pandas), and RFM scores with named RFM
segments.

Features per card: recency, frequency (receipts, and per year of the data's span), monetary value,
tenure, average ticket, discount
share, new-collection share, category breadth, online share (channel mix), preferred city and
store, gift-season share. R, F and M are scores 1-5 (5 = most recent, most frequent, highest spend),
each a function of the customer's own recency, frequency or spend alone: equal customers get equal scores,
whatever their card keys or row order (so a new pseudonymisation key moves nobody). A score is either a
quintile with ties kept together (the default) or a bin between fixed thresholds that the RFM rules set
(`scores:` in templates/rfm_segments.yml); `score_bins` shows how many customers each bin holds, so a bin
emptied by a heavy tie is visible. Named segments come from first-match rules over the scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from portrait.config import yamlconfig
from portrait.engine import Engine
from portrait.errors import CodebookError
from portrait.rules import first_match
from portrait.segments import card_features
from portrait.segments.card_features import OPTIONAL_FEATURES, skipped_features  # noqa: F401 (rfm's own API)


def customer_features(transactions: str | Path, as_of: str | None = None, gift_calendar=(),
                      engine: Engine | None = None) -> pd.DataFrame:
    """One row per card from the processed transactions (a parquet file or a folder of parts) with R, F and M
    scores in quintiles; `as_of` defaults to the day after the last purchase. Computed by `engine` (DuckDB
    when none is given; card_features.py).

    Features the export cannot give (no category, channel, discount flag, gift calendar ...) are left out of
    the result rather than filled: `skipped_features` says which and why."""
    with card_features.line_items(transactions, engine) as lines:
        return with_scores(card_features.customer_features(lines, as_of, gift_calendar))


# The measure behind each score, and whether a higher value is better (recency: fewer days is better).
MEASURES = {"r_score": ("recency_days", False), "f_score": ("frequency", True), "m_score": ("monetary", True)}
LETTERS = {"r_score": "R", "f_score": "F", "m_score": "M"}


def quintile_starts(n: int) -> np.ndarray:
    """The first rank (0-based, worst first) of each of SQL's ntile(5) groups over n rows, then n: groups
    differ in size by one at most, the larger ones first."""
    size, extra = divmod(n, 5)
    group = np.arange(6)
    return (size + 1) * np.minimum(group, extra) + size * np.maximum(group - extra, 0)


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """Score 1-5, higher values scoring higher: the ntile(5) group of the rank where the value's tie group
    starts, i.e. the least of SQL's `ntile(5) OVER (ORDER BY v)` among the value's rows. Without ties these are
    exactly ntile(5)'s quintiles; tied values always share a score, so a score depends on the value alone,
    never on row order or card keys. A tie holding more than a fifth of the customers takes one score and
    leaves the next one(s) empty: with 51 % one-time buyers every one of them has F = 1, two purchases (the
    tie starting at rank 51 %) score 3, and no one scores 2. One sort, then linear: O(n log n)."""
    values = np.asarray(values)
    n = len(values)
    if n == 0:
        return np.empty(0, dtype="int64")
    starts = quintile_starts(n)
    if values.dtype.kind in "iu" and int(values.max()) - int(values.min()) <= 4 * n:  # days, purchases: no sort
        offsets = values - values.min()
        below = np.concatenate([[0], np.cumsum(np.bincount(offsets))])[offsets]
        return np.searchsorted(starts, below, side="right").astype("int64")
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=first[1:])  # the first rank of each distinct value
    below = np.empty(n, dtype="int64")  # customers with a strictly lower value = where the tie starts
    below[order] = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    return np.searchsorted(starts, below, side="right").astype("int64")


def threshold_scores(values: np.ndarray, thresholds: list[float], higher_is_better: bool = True) -> np.ndarray:
    """Score 1-5 between four fixed thresholds, each the first value of the next bin: frequency
    [2, 3, 5, 10] scores 1 purchase 1, 2 purchases 2, 3-4 3, 5-9 4, 10 or more 5. Recency, where fewer days
    is better, counts down: [30, 90, 180, 365] scores under 30 days 5, 30-89 4, ..., 365 or more 1."""
    passed = np.searchsorted(np.asarray(thresholds, dtype="float64"), np.asarray(values, dtype="float64"),
                             side="right")
    return (1 + passed if higher_is_better else 5 - passed).astype("int64")


Binning = Literal["quintiles"] | list[float]


class RfmScores(BaseModel):
    """How each of recency, frequency and spend becomes a score 1-5: `quintiles` of the customers (ties share
    a score), or four increasing thresholds, each the first value of the next bin."""

    model_config = ConfigDict(extra="forbid")
    recency_days: Binning = Field("quintiles", description="quintiles, or four day counts, e.g. [30, 90, 180, 365]")
    frequency: Binning = Field("quintiles", description="quintiles, or four purchase counts, e.g. [2, 3, 5, 10]")
    monetary: Binning = Field("quintiles", description="quintiles, or four amounts of spend")

    @field_validator("recency_days", "frequency", "monetary", mode="before")
    @classmethod
    def _quintiles_or_four_thresholds(cls, value):
        numbers = isinstance(value, list) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        if value == "quintiles" or (numbers and len(value) == 4 and all(b > a for a, b in zip(value, value[1:]))):
            return value
        raise ValueError("expected `quintiles` or four thresholds, each above the one before and the first value "
                         "of the next bin, e.g. [2, 3, 5, 10]")


def with_scores(features: pd.DataFrame, scores: RfmScores | None = None) -> pd.DataFrame:
    """R, F and M scores 1-5 (5 = most recent, most frequent, highest spend), each from its own measure
    alone (recency_days, frequency, monetary): the same values give the same scores in any row order."""
    scores = scores or RfmScores()
    scored = {}
    for column, (measure, higher_is_better) in MEASURES.items():
        values, binning = features[measure].to_numpy(), getattr(scores, measure)
        if binning == "quintiles":
            scored[column] = quintile_scores(values if higher_is_better else -values)
        else:
            scored[column] = threshold_scores(values, binning, higher_is_better)
    return features.assign(**scored)


def _number(value) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _bin_range(binning: Binning, score: int, higher_is_better: bool, n: int) -> str:
    """What puts a customer into bin `score`, in words."""
    if binning == "quintiles":
        first, last = quintile_starts(n)[score - 1] + 1, quintile_starts(n)[score]
        return f"ranks {first:,}-{last:,} of {n:,}, worst first" if first <= last else "no rank: under 5 customers"
    edges = [None, *binning, None]
    low, high = (edges[score - 1], edges[score]) if higher_is_better else (edges[5 - score], edges[6 - score])
    if low is None:
        return f"under {_number(high)}"
    return f"{_number(low)} or more" if high is None else f"{_number(low)} to under {_number(high)}"


def score_bins(customers: pd.DataFrame, scores: RfmScores | None = None) -> pd.DataFrame:
    """Customers per R, F and M score and the range of values each bin holds, so a degenerate bin shows.

    `range` is what puts a customer in the bin: for quintiles the ranks of ntile(5)'s group, worst first
    (longest ago, fewest purchases, least spend), a tie taking the group of its first rank; else the
    thresholds. `note` names an empty bin (for quintiles, the tie that took a lower score instead: e.g.
    every one-time buyer scores F = 1) and a bin whose largest tie holds more than a fifth of all customers."""
    scores = scores or RfmScores()
    n = len(customers)
    rows = []
    for column, (measure, higher_is_better) in MEASURES.items():
        binning = getattr(scores, measure)
        values, scored = customers[measure].to_numpy(), customers[column].to_numpy()
        frame = pd.DataFrame({"bin": scored, "value": values})
        stats = frame.groupby("bin")["value"].agg(["size", "min", "max"])
        largest = frame.value_counts().groupby(level=0).head(1)  # the commonest value in each bin
        largest = {b: (v, int(k)) for (b, v), k in largest.items()}
        for score in range(1, 6):
            k = int(stats["size"].get(score, 0))
            note = ""
            if k == 0 and binning != "quintiles":
                note = "empty: no customer in this range"
            elif k == 0 and n:
                # The customer at this group's first rank belongs to a tie that began in a lower group.
                ranked = np.sort(values if higher_is_better else -values)
                at = ranked[min(quintile_starts(n)[score - 1], n - 1)] * (1 if higher_is_better else -1)
                tied = values == at
                note = (f"empty: {int(tied.sum()):,} customers ({100 * tied.mean():.1f} %) share {measure} = "
                        f"{_number(at)} and all score {int(scored[tied][0])}")
            elif k and largest[score][1] > n / 5:
                value, tie = largest[score]
                note = (f"one tie, more than a fifth: {tie:,} customers ({100 * tie / n:.1f} %) share {measure} "
                        f"= {_number(value)}")
            rows.append({"score": LETTERS[column], "bin": score, "measure": measure,
                         "binned by": "quintiles" if binning == "quintiles" else "thresholds",
                         "range": _bin_range(binning, score, higher_is_better, n), "customers": k,
                         "% of customers": round(100 * k / n, 1) if n else 0.0,
                         "lowest": stats["min"].get(score, np.nan), "highest": stats["max"].get(score, np.nan),
                         "note": note})
    return pd.DataFrame(rows).set_index(["score", "bin"])


class RfmRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment: str
    when: str = Field(description="expression over r, f, m (scores 1-5), e.g. 'r >= 4 and f >= 4'")


class RfmRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scores: RfmScores = Field(default_factory=RfmScores)
    segments: list[RfmRule] = Field(min_length=1)


DEFAULT_RULES = Path(__file__).parents[1] / "templates" / "rfm_segments.yml"


def load_rules(path: str | Path = DEFAULT_RULES) -> RfmRules:
    """The RFM rules in `path`; a study's own file may hold only `scores:` (its thresholds), and then takes
    the segments of templates/rfm_segments.yml."""
    path = Path(path)
    raw = yamlconfig.read(path, CodebookError, "RFM segment rules")
    if isinstance(raw, dict) and "segments" not in raw and path.resolve() != DEFAULT_RULES.resolve():
        raw = {**raw, "segments": yamlconfig.read(DEFAULT_RULES, CodebookError, "RFM segment rules")["segments"]}
    return yamlconfig.load(path, RfmRules, CodebookError, "RFM segment rules", raw=raw)


@dataclass
class RfmResult:
    customers: pd.DataFrame
    scores: RfmScores = field(default_factory=RfmScores)  # how the scores were binned

    def summary(self) -> pd.DataFrame:
        """Customers and value share per RFM segment, largest value first."""
        total = self.customers["monetary"].sum()
        table = self.customers.groupby("rfm_segment").agg(
            customers=("card_key", "size"), value=("monetary", "sum"), recency_days=("recency_days", "median"),
            frequency=("frequency", "median"), average_ticket=("average_ticket", "median"))
        table["% of customers"] = (100 * table["customers"] / len(self.customers)).round(1)
        table["% of value"] = (100 * table["value"] / total).round(1)
        return table.sort_values("value", ascending=False).round(1)

    def score_bins(self) -> pd.DataFrame:
        """Customers per R, F and M score, with each bin's range and a note on empty or tied bins."""
        return score_bins(self.customers, self.scores)


def segment(features: pd.DataFrame, rules: RfmRules) -> RfmResult:
    """Named RFM segment per customer: the first rule that matches; no match is an error, not a gap.
    The scores are (re)computed as the rules' `scores:` say (quintiles unless they set thresholds)."""
    features = with_scores(features, rules.scores)
    scores = features.rename(columns={"r_score": "r", "f_score": "f", "m_score": "m"})[["r", "f", "m"]]
    # The rules read the scores alone: evaluated once per combination of scores (at most 125), not per customer.
    combinations = scores.drop_duplicates()
    combinations = combinations.assign(rfm_segment=first_match(combinations, [(r.segment, r.when)
                                                                              for r in rules.segments], "RFM rules"))
    names = scores.merge(combinations, on=["r", "f", "m"], how="left")["rfm_segment"].set_axis(features.index)
    if names.isna().any():
        example = scores[names.isna()].iloc[0].to_dict()
        raise CodebookError(f"{int(names.isna().sum())} customers match no RFM rule (e.g. scores {example}); "
                            "add a last catch-all rule such as `when: 'r >= 1'`.")
    return RfmResult(features.assign(rfm_segment=names), rules.scores)


def linked_share(features: pd.DataFrame, cardholders: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """How many card holders answered the survey, through the pseudonymous person_key."""
    cards = cardholders[["card_key", "person_key"]].dropna()
    active = cards[cards["card_key"].isin(features["card_key"])]
    answered = active["person_key"].isin(set(survey["person_key"].dropna()))
    return pd.DataFrame([{"card holders with purchases": len(active), "answered the survey": int(answered.sum()),
                          "linked %": round(100 * answered.mean(), 1) if len(active) else 0.0}])


BEHAVIOUR = ["frequency", "receipts_per_year", "recency_days", "monetary", "average_ticket", "discount_share",
             "new_collection_share", "category_breadth", "online_share", "gift_season_share"]


def last_purchase(transactions: str | Path, engine: Engine | None = None) -> pd.Timestamp:
    """The moment of the last purchase in the processed transactions, computed by `engine` (DuckDB by default)."""
    with card_features.line_items(transactions, engine) as lines:
        return card_features.last_purchase(lines)


def purchases_per_card(transactions: str | Path, engine: Engine | None = None) -> pd.DataFrame:
    """Purchases (distinct receipts) and spend per card, computed by `engine` (DuckDB by default; line items
    never reach pandas)."""
    with card_features.line_items(transactions, engine) as lines:
        return card_features.purchases_per_card(lines)


def respondent_behaviour(respondents: pd.DataFrame, cardholders: pd.DataFrame,
                         customers: pd.DataFrame) -> pd.DataFrame:
    """Card behaviour (`card__*` columns, and `card__rfm_segment` when segmented) for each respondent
    who holds a card, through person_key; missing for everyone else, so schemes built on it say
    `unclassified — missing` for them."""
    cards = cardholders[["card_key", "person_key"]].dropna().drop_duplicates("person_key")
    behaviour = [c for c in BEHAVIOUR if c in customers]
    per_person = cards.merge(customers[["card_key", *behaviour]], on="card_key").set_index("person_key")[behaviour]
    joined = respondents[["person_key"]].join(per_person, on="person_key").drop(columns="person_key")
    joined = joined.astype("Float64")
    if "rfm_segment" in customers:
        segment = cards.merge(customers[["card_key", "rfm_segment"]], on="card_key").set_index("person_key")
        joined["rfm_segment"] = respondents["person_key"].map(segment["rfm_segment"]).astype("string")
    return joined.add_prefix("card__")
