"""What the loyalty line items say about each card, written once as Ibis expressions and run by the study's
engine (DuckDB or Spark, engine.py): only one row per card comes back to pandas, never a line item.

The engines aggregate in exact integers: money in ten-thousandths of the currency (what DECIMAL(18, 4) held),
counts of line items and of flagged ones, a bit mask of the categories bought, the first and last purchase.
Pandas finishes the per-card rows, the same way whichever engine counted: roundings (Spark's round() rounds
the shortest decimal of a double, DuckDB the double's exact value), shares, calendar-day differences and bit
counts. So both engines give the same figures, to the last bit.

Features per card: recency (days from the last purchase to the cut-off), frequency (distinct receipts) and
receipts per year of the data's span, monetary (spend), tenure (days since the first purchase), average
ticket, discount, new-collection, online and gift-season shares of the line items, category breadth, and the
preferred city and store (most line items; ties to the first city, then store). Features the data cannot give
are left out (`skipped_features` names them and what they need).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import ibis
import numpy as np
import pandas as pd

from portrait import engine as engines
from portrait.config.roles import GiftPeriod

UNITS = 10_000  # money is summed in ten-thousandths of the currency, as integers: exact on every engine
# Up to this many categories, breadth is the number of bits set in a mask of the categories bought (a signed
# 64-bit OR, cheap); more fall back to a distinct count. Both exact.
MAX_CATEGORY_BITS = 63
# A card's preferred place comes from the maximum of one integer per place, line items x PLACE_SLOTS + the
# place's rank counted from the last place (by city, then store) back: most line items first, ties to the first
# place, without comparing strings or ordering rows per card. Exact below 2^31 places and 2^31 line items.
PLACE_SLOTS = 2**32
# Up to this many places (city and store pairs) each place's line items per card are counted beside the other
# sums, one filtered count per place, and pandas picks the preferred one: cheaper than a grouping by card and
# place joined back. More places (a national chain) take that grouping instead (preferred_place).
MAX_COUNTED_PLACES = 32

# Features that need an optional column of the export (or the study's gift calendar), and what they need.
OPTIONAL_FEATURES = {"discount_share": "a `discount` column", "new_collection_share": "a `new_collection` column",
                     "category_breadth": "a `category` column", "online_share": "a `channel` column",
                     "gift_season_share": "`roles.gift_calendar`", "preferred_city": "a `city` column",
                     "preferred_store": "a `store` column"}
# The columns the features read, and their types when an export's table lacks one (then it reads as empty).
LINE_COLUMNS = {"card_key": "string", "receipt": "string", "date": "timestamp", "amount": "float64",
                "store": "string", "city": "string", "channel": "string", "category": "string",
                "discount": "boolean", "new_collection": "boolean"}
FEATURES = ["card_key", "recency_days", "frequency", "receipts_per_year", "monetary", "tenure_days",
            "average_ticket", "discount_share", "new_collection_share", "category_breadth", "online_share",
            "gift_season_share", "preferred_city", "preferred_store"]


@contextmanager
def line_items(transactions: str | Path, engine: engines.Engine | None = None) -> Iterator[ibis.Table]:
    """The processed transactions (a parquet file, or a folder of parts, Hive partitions read with their keys)
    on `engine`; without one, on a DuckDB connection opened for the call."""
    if engine is not None:
        yield engine.parquet(transactions, hive=True)
        return
    with engines.connect() as connected:
        yield connected.parquet(transactions, hive=True)


@ibis.udf.agg.builtin(name="bit_or")
def bit_or(value: int) -> int:
    """The bitwise OR of the values: both engines have it by this name (Ibis compiles its own only for some)."""


def per_card_rows(expr: ibis.Table) -> pd.DataFrame:
    """A per-card result in pandas, through Arrow: Ibis's own conversion turns every column holding a null
    into Python objects, seconds per million cards."""
    with engines.driver_limits():
        rows = expr.to_pyarrow()
    return rows.to_pandas()


def _with_every_column(lines: ibis.Table) -> ibis.Table:
    """The line items with every column the features read; one the table lacks is empty (NULL)."""
    missing = {c: ibis.null(kind) for c, kind in LINE_COLUMNS.items() if c not in lines.columns}
    return lines.mutate(**missing) if missing else lines


# The optional line-item columns (online: the flag, or a channel named `online`) and how much of each the data
# fills: "none" (the export lacks it: its feature is left out, nothing computed), "all" (no count of known
# values needed) or "some" (shares are over the line items that say).
OPTIONAL_SOURCES = ("discount", "new_collection", "online", "category", "city", "store")


@dataclass(frozen=True)
class Bounds:
    cutoff: pd.Timestamp  # purchases before it count
    first: pd.Timestamp  # the first purchase in the data
    categories: list[str]  # every category, in order
    filled: dict[str, str]  # OPTIONAL_SOURCES -> "none", "some" or "all"
    cuts_off: bool = True  # whether purchases may lie after the cut-off (else no line item needs the test)
    # Every place (values of the place columns the data has, missing ones last) when there are at most
    # MAX_COUNTED_PLACES of them; None when there are more or the data names no place.
    places: tuple[tuple, ...] | None = None

    @property
    def days(self) -> int:
        """The span of the data in calendar days, from the first purchase to the cut-off (at least 1)."""
        return max((self.cutoff.normalize() - self.first.normalize()).days, 1)


def _optional(lines: ibis.Table) -> dict[str, ibis.Value]:
    """The optional sources as expressions over the line items."""
    online = lines.online if "online" in lines.columns else lines.channel == "online"
    return {"discount": lines.discount, "new_collection": lines.new_collection, "online": online,
            "category": lines.category, "city": lines.city, "store": lines.store}


def bounds(lines: ibis.Table, as_of: str | None = None) -> Bounds:
    """The cut-off (`as_of`, or the day after the last purchase: its moment one day later), the first purchase,
    the categories and how much of each optional column the data fills, in one pass read first: the features
    then filter by a constant, count categories as bits and skip what the data lacks."""
    lines = _with_every_column(lines)
    optional = _optional(lines)
    row = per_card_rows(lines.aggregate(
        first=lines.date.min(), last=lines.date.max(), lines=lines.count(),
        categories=lines.category.collect(distinct=True),
        **{f"{name}_known": value.count() for name, value in optional.items()})).iloc[0]
    cutoff = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp(row["last"]) + pd.Timedelta(days=1)
    categories = sorted(row["categories"]) if row["categories"] is not None else []
    filled = {name: "none" if row[f"{name}_known"] == 0 else "all" if row[f"{name}_known"] == row["lines"]
              else "some" for name in optional}
    return Bounds(cutoff, pd.Timestamp(row["first"]), categories, filled, cuts_off=as_of is not None,
                  places=_places(lines, _place_columns(filled)))


def _place_columns(filled: dict[str, str]) -> list[str]:
    return [name for name in ("city", "store") if filled[name] != "none"]


def _places(lines: ibis.Table, place: list[str]) -> tuple[tuple, ...] | None:
    """Every place of the line items (ordered by city, then store, missing values last), or None when the data
    names no place or has more than MAX_COUNTED_PLACES of them."""
    if not place:
        return None
    found = per_card_rows(lines.select(*place).distinct().limit(MAX_COUNTED_PLACES + 1))
    if len(found) > MAX_COUNTED_PLACES:
        return None
    found = found.astype(object).where(found.notna(), None)
    return tuple(sorted((tuple(values) for values in found.itertuples(index=False, name=None)),
                        key=lambda values: [(value is None, value or "") for value in values]))


def in_gift_season(date: ibis.TimestampValue, calendar: Sequence[GiftPeriod], first: pd.Timestamp,
                   cutoff: pd.Timestamp) -> ibis.BooleanValue:
    """Whether a purchase falls on a day of the study's gift calendar, for purchases from `first` to before
    `cutoff`: comparisons of the timestamp with the seasons' bounds, cheaper per line item than taking its
    month and day apart (GiftPeriod.days)."""
    spans = []
    for start, end in sorted(span for period in calendar for span in period.days(first.date(), cutoff.date())):
        if spans and start <= spans[-1][1]:  # overlapping or adjacent seasons: one test
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    inside = [(date >= ibis.timestamp(pd.Timestamp(start))) & (date < ibis.timestamp(pd.Timestamp(end)))
              for start, end in spans]
    return ibis.or_(*inside) if inside else ibis.literal(False)


def features_expression(lines: ibis.Table, window: Bounds, gift_calendar: Sequence[GiftPeriod] = ()
                        ) -> ibis.Table:
    """One row per card with the features' exact ingredients: line items, first and last purchase, money in
    units, counts of flagged (and, where the data has gaps, of known) line items, the category mask, the
    preferred place, distinct receipts. Two or three groupings of the line items, each as narrow as it can be:
    the sums per card (with one count per place when there are at most MAX_COUNTED_PLACES places), the line
    items per card and place when there are more (preferred_place), the distinct receipts per card (a distinct
    count beside the other sums makes DuckDB stage every line item). Ordered by card."""
    lines = _with_every_column(lines)
    if window.cuts_off:
        lines = lines.filter(lines.date < ibis.timestamp(window.cutoff))
    place = _place_columns(window.filled)
    items = lines  # the distinct receipts' grouping reads the line items as they are
    if window.places is not None:
        lines = lines.mutate(place_code=_place_code(lines, window.places, place))
    filled, optional = window.filled, _optional(lines)
    counts = {"lines": lines.count(), "first": lines.date.min(), "last": lines.date.max(),
              "units": (lines.amount * UNITS).round().cast("int64").sum().cast("int64")}
    for name in ("discount", "new_collection", "online"):
        if filled[name] != "none":
            counts[name] = lines.count(where=optional[name])
    bits = filled["category"] != "none" and len(window.categories) <= MAX_CATEGORY_BITS
    if bits:
        position = ibis.array(window.categories).index(lines.category)
        # 2 ** position, not 1 << position: Spark reads the literal 1 as a 32-bit integer and its shift wraps.
        counts["category_bits"] = bit_or((ibis.literal(2) ** position).cast("int64"))
    for name in ("discount", "new_collection", "online", "category"):
        if filled[name] == "some":
            counts[f"{name}_known"] = optional[name].count()
    if gift_calendar:
        counts["gift"] = lines.count(where=in_gift_season(lines.date, gift_calendar, window.first, window.cutoff))
    if window.places is not None:  # few places: one count per place beside the sums
        for number, code in enumerate(_place_codes(window.places, place)):
            counts[f"place_{number}"] = lines.count(where=lines.place_code == code)
    per_card = lines.group_by("card_key").aggregate(**counts)
    if place and window.places is None:
        per_card = per_card.join(preferred_place(lines, place), "card_key")
    receipts = {"frequency": items.receipt.nunique()}
    if filled["category"] != "none" and not bits:
        receipts["categories"] = items.category.nunique()
    per_card = per_card.join(items.group_by("card_key").aggregate(**receipts), "card_key")
    if bits:  # a nullable integer would reach pandas as a float, losing the mask's high bits
        per_card = per_card.mutate(category_bits=per_card.category_bits.fill_null(0))
    return per_card.order_by("card_key")


def _place_values(places: tuple[tuple, ...], column: int) -> list[str]:
    """The values one place column takes, sorted (missing left out)."""
    return sorted({values[column] for values in places if values[column] is not None})


def _place_code(lines: ibis.Table, places: tuple[tuple, ...], place: list[str]) -> ibis.IntegerValue:
    """Each line item's place as one integer: per place column its value's position + 1 (0 when missing), in
    mixed radix; integer comparisons per line item instead of string ones."""
    code = ibis.literal(0, type="int64")
    for column, name in enumerate(place):
        values = _place_values(places, column)
        position = (ibis.array(values).index(lines[name]) + 1).fill_null(0).cast("int64")
        code = code * (len(values) + 1) + position
    return code


def _place_codes(places: tuple[tuple, ...], place: list[str]) -> list[int]:
    """The integer of each place (_place_code), in the order of `places`."""
    known = [_place_values(places, column) for column in range(len(place))]
    codes = []
    for values in places:
        code = 0
        for column, value in enumerate(values):
            code = code * (len(known[column]) + 1) + (known[column].index(value) + 1 if value is not None else 0)
        codes.append(code)
    return codes


def preferred_place(lines: ibis.Table, place: list[str]) -> ibis.Table:
    """Per card, its preferred place (`preferred_city`, `preferred_store`): the most line items; ties to the first
    place by city, then store, missing ones last. Counted apart from the other sums: a narrow count per card and
    place is cheaper than carrying every sum through that finer grouping."""
    counts = lines.group_by("card_key", *place).aggregate(lines=lines.count())
    places = counts.select(*place).distinct()
    places = places.mutate(place=ibis.row_number().over(order_by=[ibis.asc(c, nulls_first=False) for c in place]))
    ranked = counts.join(places, [counts[c].identical_to(places[c]) for c in place])
    best = ranked.group_by("card_key").aggregate(
        preference=(ranked.lines * PLACE_SLOTS + (PLACE_SLOTS - 1 - ranked.place)).max())
    best = best.mutate(place=PLACE_SLOTS - 1 - best.preference % PLACE_SLOTS).drop("preference")
    named = best.join(places, "place").drop("place")
    return named.rename(**{f"preferred_{c}": c for c in place})


def customer_features(lines: ibis.Table, as_of: str | None = None, gift_calendar: Sequence[GiftPeriod] = ()
                      ) -> pd.DataFrame:
    """One row per card that bought before the cut-off (`as_of`, default the day after the last purchase), in
    card order, without the features the data cannot give."""
    window = bounds(lines, as_of)
    features = finish(per_card_rows(features_expression(lines, window, gift_calendar)), window)
    absent = [c for c in OPTIONAL_FEATURES if features[c].isna().all()]
    return features.drop(columns=absent)


def last_purchase(lines: ibis.Table) -> pd.Timestamp:
    """The moment of the last purchase (NaT without any)."""
    return pd.Timestamp(per_card_rows(lines.aggregate(last=lines.date.max()))["last"].iloc[0])


def purchases_per_card(lines: ibis.Table) -> pd.DataFrame:
    """Purchases (distinct receipts) and spend per card, indexed by card in card order."""
    counted = per_card_rows(lines.group_by("card_key").aggregate(
        purchases=lines.receipt.nunique(), units=(lines.amount * UNITS).round().cast("int64").sum())
        .order_by("card_key"))
    return counted.assign(spend=counted.pop("units") / UNITS).set_index("card_key")


def purchase_days(lines: ibis.Table, cutoff: pd.Timestamp, holdout_end: pd.Timestamp | None = None
                  ) -> ibis.Table:
    """Per card that bought before `cutoff`, in card order: its purchase days (receipts on one day count once),
    the first and the last, spend in units in all and on the first day; with `holdout_end`, also the days it
    bought on from the cut-off to before `holdout_end` (holdout_days, 0 for none)."""
    calibration = lines.filter(lines.date < ibis.timestamp(cutoff))
    days = calibration.group_by("card_key", day=calibration.date.date()).aggregate(
        units=(calibration.amount * UNITS).round().cast("int64").sum())
    per_card = days.group_by("card_key").aggregate(days=days.count(), first_day=days.day.min(),
                                                   last_day=days.day.max(), units=days.units.sum())
    first = days.rename(first_day="day", first_units="units")
    per_card = per_card.join(first, ["card_key", "first_day"])
    if holdout_end is not None:
        later = lines.filter((lines.date >= ibis.timestamp(cutoff)) & (lines.date < ibis.timestamp(holdout_end)))
        holdout = later.group_by("card_key").aggregate(holdout_days=later.date.date().nunique())
        per_card = per_card.left_join(holdout, "card_key").drop("card_key_right")
        per_card = per_card.mutate(holdout_days=per_card.holdout_days.fill_null(0))
    return per_card.order_by("card_key")


def finish(counted: pd.DataFrame, window: Bounds) -> pd.DataFrame:
    """The features from their exact per-card ingredients (features_expression), as DuckDB's SQL computed them
    before: money rounded to cents half away from zero, receipts per year and the average ticket rounded like
    DuckDB's round(x, 2) on a double, shares as counts over counts, days as calendar-day differences. A
    feature the data cannot give is missing for every card."""
    cutoff_day = window.cutoff.normalize()
    frequency = counted["frequency"].to_numpy(dtype="int64")
    units = counted["units"].to_numpy(dtype="int64")
    missing = pd.Series(np.nan, index=counted.index)
    features = pd.DataFrame({
        "card_key": counted["card_key"],
        "recency_days": (cutoff_day - _days(counted["last"])).dt.days.astype("int64"),
        "frequency": frequency,
        "receipts_per_year": round_like_duckdb(frequency * 365.0 / window.days),
        "monetary": cents(units) / 100,
        "tenure_days": (cutoff_day - _days(counted["first"])).dt.days.astype("int64"),
        "average_ticket": round_like_duckdb(units / UNITS / frequency),
        **{f"{name}_share": _share(counted, name) for name in ("discount", "new_collection")},
        "category_breadth": _breadth(counted) if window.filled["category"] != "none" else missing,
        "online_share": _share(counted, "online"),
        "gift_season_share": _share(counted, "gift", "lines"),
        **{f"preferred_{c}": counted.get(f"preferred_{c}", missing) for c in ("city", "store")},
    })
    if window.places is not None:
        for column, values in _counted_preference(counted, window).items():
            features[column] = values
    return features[FEATURES]


def _counted_preference(counted: pd.DataFrame, window: Bounds) -> pd.DataFrame:
    """The preferred city and store from the line items counted per place: the most, ties to the first place."""
    place = _place_columns(window.filled)
    most = counted["place_0"].to_numpy(dtype="int64")
    best = np.zeros(len(counted), dtype="int64")
    for number in range(1, len(window.places)):  # a later place wins only with strictly more line items
        lines = counted[f"place_{number}"].to_numpy(dtype="int64")
        more = lines > most
        best[more], most = number, np.where(more, lines, most)
    return pd.DataFrame({f"preferred_{name}": np.array([values[column] for values in window.places],
                                                       dtype=object)[best]
                         for column, name in enumerate(place)}, index=counted.index)


def _days(moments: pd.Series) -> pd.Series:
    """Timestamps as their calendar days (time zone dropped: both engines compute in UTC)."""
    moments = pd.to_datetime(moments)
    if moments.dt.tz is not None:
        moments = moments.dt.tz_convert("UTC").dt.tz_localize(None)
    return moments.dt.normalize()


def _share(counted: pd.DataFrame, name: str, over: str | None = None) -> np.ndarray:
    """counted[name] over the line items that say (`<name>_known`, or every line item when none is missing);
    missing where none does, or where the data has no such column."""
    if name not in counted:
        return np.full(len(counted), np.nan)
    known = counted[over or (f"{name}_known" if f"{name}_known" in counted else "lines")].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(known > 0, counted[name].to_numpy(dtype="float64") / known, np.nan)


def _breadth(counted: pd.DataFrame) -> pd.Series:
    """Categories bought: the bits of the mask, or the distinct count beyond MAX_CATEGORY_BITS categories;
    missing for a card none of whose line items names a category."""
    if "categories" in counted:
        breadth = counted["categories"].astype("int64")
    else:  # a card without a known category has no bit set
        mask = counted["category_bits"].fillna(0).to_numpy(dtype="int64").view("uint64")
        breadth = pd.Series(np.bitwise_count(mask).astype("int64"), index=counted.index)
    if "category_known" not in counted:
        return breadth
    known = counted["category_known"].to_numpy() > 0
    return breadth if known.all() else breadth.where(known)


def cents(units: np.ndarray) -> np.ndarray:
    """Ten-thousandths rounded to whole cents, half away from zero, exactly (as DuckDB rounds a DECIMAL)."""
    units = np.asarray(units, dtype="int64")
    return np.sign(units) * ((np.abs(units) + UNITS // 200) // (UNITS // 100))


def round_like_duckdb(values: np.ndarray) -> np.ndarray:
    """`values` rounded to two decimals as DuckDB's round(x, 2) does on a double: the double's exact decimal
    value, half away from zero (1.825 is stored as 1.82499..., so 1.82; 0.125 is exact, so 0.13). Spark's round
    starts from the shortest decimal instead (1.83), so neither engine rounds: this does, for both.

    x * 100 is rounded in floating point; its exact value is x * 100 + error, the error found exactly by
    Dekker's two-product (100 splits into one half). Only a product landing on a half exactly needs it."""
    x = np.asarray(values, dtype="float64")
    product = x * 100.0
    split = 134217729.0 * x  # 2^27 + 1: x = high + low, each with at most 26 significant bits
    high = split - (split - x)
    low = x - high
    error = (high * 100.0 - product) + low * 100.0
    whole = np.trunc(product)
    fraction = np.abs(product - whole)
    away = (fraction > 0.5) | ((fraction == 0.5) & (error * np.sign(product) >= 0))
    return (whole + np.sign(product) * away) / 100.0


def skipped_features(features: pd.DataFrame) -> pd.DataFrame:
    """The optional features the data could not give, with what each needs."""
    rows = [{"feature": f, "needs": need} for f, need in OPTIONAL_FEATURES.items() if f not in features]
    return pd.DataFrame(rows, columns=["feature", "needs"])
