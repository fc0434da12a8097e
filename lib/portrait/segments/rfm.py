"""Loyalty-card behaviour per customer, computed by DuckDB straight from the transactions parquet
(the line items are never loaded into pandas), and RFM scores with named RFM segments.

Features per card: recency, frequency (receipts, and per year of the data's span), monetary value,
tenure, average ticket, discount
share, new-collection share, category breadth, online share (channel mix), preferred city and
store, gift-season share. R, F and M are quintile scores 1-5 (5 = most recent, most frequent,
highest spend); named segments come from first-match rules over the scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from portrait.config import yamlconfig
from portrait.errors import CodebookError
from portrait.rules import first_match


# The cut-off (as_of, or the day after the last purchase), the span of the data in days and the
# categories, read first from two columns, so the main query filters by a constant and can count
# categories as bits.
BOUNDS_SQL = """
WITH bounds AS (SELECT COALESCE(CAST($as_of AS TIMESTAMP), max(date) + INTERVAL 1 DAY) AS cutoff, min(date) AS first,
                       list(DISTINCT category ORDER BY category) FILTER (WHERE category IS NOT NULL) AS categories
                FROM read_parquet($path))
SELECT cutoff, greatest(date_diff('day', first, cutoff), 1) AS days, categories FROM bounds
"""

# Category breadth as the number of bits set in a mask of the categories bought: exact, and much cheaper
# than a distinct count per card, for up to 64 categories; more fall back to the distinct count.
CATEGORY_BITS = "bit_count(bit_or(1::UBIGINT << (list_position($categories, category) - 1)::UBIGINT))"
MAX_CATEGORY_BITS = 64

FEATURES_SQL = """
-- NOT MATERIALIZED: `t` is read twice; materialising it would hold every line item in memory.
WITH t AS NOT MATERIALIZED (SELECT * FROM read_parquet($path) WHERE date < $cutoff),
-- Preferred place: most line items, ties to the first city and store (a struct minimum, not a window).
places AS (
    SELECT card_key, min({{'fewer': -n, 'city': city, 'store': store}}) AS best
    FROM (SELECT card_key, city, store, count(*) AS n FROM t GROUP BY ALL)
    GROUP BY card_key
),
per_card AS (
    -- Money is summed as DECIMAL: exact, so the totals (and the half-cent roundings of the average
    -- ticket) do not depend on the order in which threads add the line items up.
    SELECT card_key,
           date_diff('day', max(date), $cutoff) AS recency_days,
           count(DISTINCT receipt) AS frequency,
           round(count(DISTINCT receipt) * 365.0 / $days, 2) AS receipts_per_year,
           CAST(round(sum(CAST(amount AS DECIMAL(18, 4))), 2) AS DOUBLE) AS monetary,
           date_diff('day', min(date), $cutoff) AS tenure_days,
           round(sum(CAST(amount AS DECIMAL(18, 4))) / count(DISTINCT receipt), 2) AS average_ticket,
           avg(CAST(discount AS DOUBLE)) AS discount_share,
           avg(CAST(new_collection AS DOUBLE)) AS new_collection_share,
           {breadth} AS category_breadth,
           avg(CAST({online} AS DOUBLE)) AS online_share,
           {gift} AS gift_season_share
    FROM t GROUP BY card_key
)
SELECT p.*, pl.best.city AS preferred_city, pl.best.store AS preferred_store
FROM per_card p JOIN places pl ON pl.card_key = p.card_key
ORDER BY p.card_key
"""


def quiet(con: duckdb.DuckDBPyConnection) -> None:
    """No progress bar: it would litter scheduled runs' logs. Inside Jupyter DuckDB refuses the
    setting without ipywidgets, and shows no bar there anyway."""
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        pass


def customer_features(transactions: str | Path, as_of: str | None = None, gift_calendar=()) -> pd.DataFrame:
    """One row per card from the transactions parquet; `as_of` defaults to the day after the last purchase.

    Features the export cannot give (no category, channel, discount flag, gift calendar ...) are left
    out of the result rather than filled: `skipped_features` says which and why."""
    seasons = " OR ".join(period.sql() for period in gift_calendar)
    gift = f"avg(CASE WHEN {seasons} THEN 1.0 ELSE 0.0 END)" if seasons else "CAST(NULL AS DOUBLE)"
    with duckdb.connect() as con:
        quiet(con)
        columns = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet($path)",
                                             {"path": str(transactions)}).fetchall()}
        online = "online" if "online" in columns else "channel = 'online'"
        cutoff, days, categories = con.execute(BOUNDS_SQL, {"path": str(transactions), "as_of": as_of}).fetchone()
        params = {"path": str(transactions), "cutoff": cutoff, "days": days}
        if categories and len(categories) <= MAX_CATEGORY_BITS:
            breadth, params["categories"] = CATEGORY_BITS, categories
        elif categories:
            breadth = "count(DISTINCT category)"
        else:
            breadth = "CAST(NULL AS BIGINT)"
        features = con.execute(FEATURES_SQL.format(breadth=breadth, gift=gift, online=online), params).df()
    absent = [c for c in OPTIONAL_FEATURES if c in features and features[c].isna().all()]
    return with_scores(features.drop(columns=absent))


# Features that need an optional column of the export (or the study's gift calendar), and what they need.
OPTIONAL_FEATURES = {"discount_share": "a `discount` column", "new_collection_share": "a `new_collection` column",
                     "category_breadth": "a `category` column", "online_share": "a `channel` column",
                     "gift_season_share": "`roles.gift_calendar`", "preferred_city": "a `city` column",
                     "preferred_store": "a `store` column"}


def skipped_features(features: pd.DataFrame) -> pd.DataFrame:
    """The optional features the data could not give, with what each needs."""
    rows = [{"feature": f, "needs": need} for f, need in OPTIONAL_FEATURES.items() if f not in features]
    return pd.DataFrame(rows, columns=["feature", "needs"])


def quintiles(order: np.ndarray) -> np.ndarray:
    """Score 1-5 by position in `order` (row numbers, lowest first), as SQL's ntile(5): groups differ
    in size by one at most, the larger ones first."""
    n = len(order)
    size, extra = divmod(n, 5)
    position = np.arange(n)
    larger = (size + 1) * extra
    tile = np.where(position < larger, position // (size + 1), extra + (position - larger) // max(size, 1)) + 1
    scores = np.empty(n, dtype="int64")
    scores[order] = tile
    return scores


def with_scores(features: pd.DataFrame) -> pd.DataFrame:
    """R, F and M quintile scores (5 = most recent, most frequent, highest spend). Rows come ordered by
    card_key, so the row number breaks ties as the card key would; frequency ties go by spend. Sorting
    numbers in numpy is cheaper than three SQL window sorts over the cards."""
    row = np.arange(len(features))
    recency, frequency, spend = (features[c].to_numpy() for c in ("recency_days", "frequency", "monetary"))
    return features.assign(r_score=quintiles(np.lexsort((row, -recency))),
                           f_score=quintiles(np.lexsort((row, spend, frequency))),
                           m_score=quintiles(np.lexsort((row, spend))))


class RfmRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment: str
    when: str = Field(description="expression over r, f, m (scores 1-5), e.g. 'r >= 4 and f >= 4'")


class RfmRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segments: list[RfmRule] = Field(min_length=1)


DEFAULT_RULES = Path(__file__).parents[1] / "templates" / "rfm_segments.yml"


def load_rules(path: str | Path = DEFAULT_RULES) -> RfmRules:
    return yamlconfig.load(Path(path), RfmRules, CodebookError, "RFM segment rules")


@dataclass
class RfmResult:
    customers: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Customers and value share per RFM segment, largest value first."""
        total = self.customers["monetary"].sum()
        table = self.customers.groupby("rfm_segment").agg(
            customers=("card_key", "size"), value=("monetary", "sum"), recency_days=("recency_days", "median"),
            frequency=("frequency", "median"), average_ticket=("average_ticket", "median"))
        table["% of customers"] = (100 * table["customers"] / len(self.customers)).round(1)
        table["% of value"] = (100 * table["value"] / total).round(1)
        return table.sort_values("value", ascending=False).round(1)


def segment(features: pd.DataFrame, rules: RfmRules) -> RfmResult:
    """Named RFM segment per customer: the first rule that matches; no match is an error, not a gap."""
    scores = features.rename(columns={"r_score": "r", "f_score": "f", "m_score": "m"})[["r", "f", "m"]]
    names = first_match(scores, [(r.segment, r.when) for r in rules.segments], "RFM rules")
    if names.isna().any():
        example = scores[names.isna()].iloc[0].to_dict()
        raise CodebookError(f"{int(names.isna().sum())} customers match no RFM rule (e.g. scores {example}); "
                            "add a last catch-all rule such as `when: 'r >= 1'`.")
    return RfmResult(features.assign(rfm_segment=names))


def linked_share(features: pd.DataFrame, cardholders: pd.DataFrame, survey: pd.DataFrame) -> pd.DataFrame:
    """How many card holders answered the survey, through the pseudonymous person_key."""
    cards = cardholders[["card_key", "person_key"]].dropna()
    active = cards[cards["card_key"].isin(features["card_key"])]
    answered = active["person_key"].isin(set(survey["person_key"].dropna()))
    return pd.DataFrame([{"card holders with purchases": len(active), "answered the survey": int(answered.sum()),
                          "linked %": round(100 * answered.mean(), 1) if len(active) else 0.0}])


BEHAVIOUR = ["frequency", "receipts_per_year", "recency_days", "monetary", "average_ticket", "discount_share",
             "new_collection_share", "category_breadth", "online_share", "gift_season_share"]


def last_purchase(transactions: str | Path) -> pd.Timestamp:
    """The date of the last purchase in the transactions parquet (DuckDB, no load into pandas)."""
    with duckdb.connect() as con:
        return pd.Timestamp(con.execute("SELECT max(date) FROM read_parquet($path)",
                                        {"path": str(transactions)}).fetchone()[0])


def purchases_per_card(transactions: str | Path) -> pd.DataFrame:
    """Purchases (distinct receipts) and spend per card, summed in DuckDB (line items never reach pandas)."""
    with duckdb.connect() as con:
        quiet(con)
        return con.execute("SELECT card_key, count(DISTINCT receipt) AS purchases, "
                           "CAST(sum(CAST(amount AS DECIMAL(18, 4))) AS DOUBLE) AS spend "
                           "FROM read_parquet($path) GROUP BY card_key ORDER BY card_key",
                           {"path": str(transactions)}).df().set_index("card_key")


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
