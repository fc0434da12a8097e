"""Step 04's card features (segments/card_features.py) on DuckDB and on Spark (local mode): the same features,
scores, RFM segments, CLV summaries and purchases per card, to the last bit, on the demo's processed
transactions and on a copy of them partitioned by month (Hive folders month=YYYY-MM); and both equal to the
hand-written DuckDB SQL they replaced (REFERENCE_* below, run as it was). Then the parts that could differ
between engines on small hand-made tables: place ties, missing values, a receipt over two places."""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from portrait import engine
from portrait.config.roles import GiftPeriod
from portrait.segments import card_features, clv, rfm

ENGINES = ["duckdb", "spark"]
# The demo's gift seasons (study.yml) and one that wraps the new year.
GIFT_CALENDAR = [GiftPeriod(name="December holidays", start="12-01", end="12-31"),
                 GiftPeriod(name="Valentine's week", start="02-07", end="02-14"),
                 GiftPeriod(name="Winter holidays", start="12-20", end="01-10")]
AS_OF = "2026-02-14"  # a cut-off inside the demo's purchases
SHARES = ["discount_share", "new_collection_share", "online_share", "gift_season_share"]

# The reference: rfm.py's and clv.py's SQL before the engine layer, unchanged but for the gift condition, which
# GiftPeriod.sql() built (reference_gift below).
REFERENCE_BOUNDS_SQL = """
WITH bounds AS (SELECT COALESCE(CAST($as_of AS TIMESTAMP), max(date) + INTERVAL 1 DAY) AS cutoff, min(date) AS first,
                       list(DISTINCT category ORDER BY category) FILTER (WHERE category IS NOT NULL) AS categories
                FROM read_parquet($path))
SELECT cutoff, greatest(date_diff('day', first, cutoff), 1) AS days, categories FROM bounds
"""
REFERENCE_FEATURES_SQL = """
WITH t AS NOT MATERIALIZED (SELECT * FROM read_parquet($path) WHERE date < $cutoff),
places AS (
    SELECT card_key, min({{'fewer': -n, 'city': city, 'store': store}}) AS best
    FROM (SELECT card_key, city, store, count(*) AS n FROM t GROUP BY ALL)
    GROUP BY card_key
),
per_card AS (
    SELECT card_key,
           date_diff('day', max(date), $cutoff) AS recency_days,
           count(DISTINCT receipt) AS frequency,
           round(count(DISTINCT receipt) * 365.0 / $days, 2) AS receipts_per_year,
           CAST(round(sum(CAST(amount AS DECIMAL(18, 4))), 2) AS DOUBLE) AS monetary,
           date_diff('day', min(date), $cutoff) AS tenure_days,
           round(sum(CAST(amount AS DECIMAL(18, 4))) / count(DISTINCT receipt), 2) AS average_ticket,
           avg(CAST(discount AS DOUBLE)) AS discount_share,
           avg(CAST(new_collection AS DOUBLE)) AS new_collection_share,
           count(DISTINCT category) AS category_breadth,
           avg(CAST(online AS DOUBLE)) AS online_share,
           {gift} AS gift_season_share
    FROM t GROUP BY card_key
)
SELECT p.*, pl.best.city AS preferred_city, pl.best.store AS preferred_store
FROM per_card p JOIN places pl ON pl.card_key = p.card_key
ORDER BY p.card_key
"""
REFERENCE_SUMMARY_SQL = """
WITH days AS (
    SELECT card_key, CAST(date AS DATE) AS day, sum(CAST(amount AS DECIMAL(18, 4))) AS spend
    FROM read_parquet($path) WHERE date < $cutoff GROUP BY ALL
),
per_card AS (
    SELECT card_key, count(*) - 1 AS frequency,
           date_diff('day', min(day), max(day)) / $unit_days AS recency,
           date_diff('day', min(day), $last_day) / $unit_days AS T,
           CASE WHEN count(*) > 1 THEN CAST((sum(spend) - arg_min(spend, day)) / (count(*) - 1) AS DOUBLE)
                ELSE 0.0 END AS monetary_value,
           min(day) AS first_purchase
    FROM days GROUP BY card_key
)
SELECT p.*, COALESCE(h.holdout_purchases, 0) AS holdout_purchases FROM per_card p LEFT JOIN (
    SELECT card_key, count(DISTINCT CAST(date AS DATE)) AS holdout_purchases FROM read_parquet($path)
    WHERE date >= $cutoff AND date < $holdout_end GROUP BY card_key
) h ON h.card_key = p.card_key ORDER BY p.card_key
"""
REFERENCE_PURCHASES_SQL = """SELECT card_key, count(DISTINCT receipt) AS purchases,
CAST(sum(CAST(amount AS DECIMAL(18, 4))) AS DOUBLE) AS spend FROM read_parquet($path) GROUP BY card_key ORDER BY card_key"""


def reference_gift(calendar) -> str:
    """GiftPeriod.sql() as it was: month * 100 + day between the bounds, or around the new year."""
    tests = []
    for period in calendar:
        key, (start, end) = "(month(date) * 100 + day(date))", (int(x.replace("-", "")) for x in (period.start,
                                                                                                   period.end))
        tests.append(f"({key} BETWEEN {start} AND {end})" if start <= end else f"({key} >= {start} OR {key} <= {end})")
    return f"avg(CASE WHEN {' OR '.join(tests)} THEN 1.0 ELSE 0.0 END)"


def scanned(source) -> str:
    """What the reference's read_parquet reads: the file, or every part of the partitioned folder."""
    return str(source / "**" / "*.parquet") if source.is_dir() else str(source)


def reference_features(source, as_of=None, calendar=()) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.execute("SET threads = 1")  # one thread: the reference's own double sums (avg) in a fixed order
        cutoff, days, _ = con.execute(REFERENCE_BOUNDS_SQL, {"path": scanned(source), "as_of": as_of}).fetchone()
        sql = REFERENCE_FEATURES_SQL.format(gift=reference_gift(calendar))
        return con.execute(sql, {"path": scanned(source), "cutoff": cutoff, "days": days}).df()


def reference_summary(source, as_of: str, holdout_end: str) -> pd.DataFrame:
    cutoff = pd.Timestamp(as_of)
    with duckdb.connect() as con:
        return con.execute(REFERENCE_SUMMARY_SQL, {"path": scanned(source), "cutoff": cutoff.to_pydatetime(),
                                                   "last_day": (cutoff - pd.Timedelta(days=1)).date(),
                                                   "unit_days": 7.0,
                                                   "holdout_end": pd.Timestamp(holdout_end).to_pydatetime()}).df()


@pytest.fixture(scope="module")
def engines(spark_settings):
    with engine.connect("duckdb") as on_duckdb, engine.connect("spark", spark_settings) as on_spark:
        yield {"duckdb": on_duckdb, "spark": on_spark}


@pytest.fixture(scope="module")
def sources(demo_run, demo_study, tmp_path_factory):
    """The demo's processed transactions, and a copy of them in month=YYYY-MM folders."""
    path = demo_study.table_path("transactions")
    lines = pd.read_parquet(path)
    folder = tmp_path_factory.mktemp("partitioned") / "transactions"
    for month, part in lines.groupby(lines["date"].dt.strftime("%Y-%m")):
        (folder / f"month={month}").mkdir(parents=True)
        part.to_parquet(folder / f"month={month}" / "part-0.parquet", index=False)
    return {"file": path, "partitioned": folder}


def assert_same_features(ours: pd.DataFrame, reference: pd.DataFrame) -> None:
    """Every column equal: counts and money exactly, shares to 1e-9 (the reference averages doubles)."""
    assert list(ours.columns) == list(reference.columns) and len(ours) > 1000
    for column in ours.columns:
        if column in SHARES:
            assert np.allclose(ours[column], reference[column], rtol=0, atol=1e-9, equal_nan=True), column
        else:
            assert ours[column].tolist() == reference[column].tolist(), column


@pytest.mark.parametrize("source", ["file", "partitioned"])
def test_features_scores_and_segments_are_the_same_on_both_engines_and_the_reference(engines, sources, source):
    path, rules = sources[source], rfm.load_rules()
    results = {}
    for kind, connected in engines.items():
        features = rfm.customer_features(path, gift_calendar=GIFT_CALENDAR, engine=connected)
        results[kind] = (features, rfm.segment(features, rules))
    (duck, duck_rfm), (spark, spark_rfm) = results["duckdb"], results["spark"]
    pd.testing.assert_frame_equal(duck, spark, check_exact=True)
    pd.testing.assert_frame_equal(duck_rfm.customers, spark_rfm.customers, check_exact=True)
    pd.testing.assert_frame_equal(duck_rfm.summary(), spark_rfm.summary(), check_exact=True)
    assert duck_rfm.customers["rfm_segment"].nunique() > 5  # the comparison covers many segments
    reference = reference_features(path, calendar=GIFT_CALENDAR)
    assert_same_features(duck.drop(columns=["r_score", "f_score", "m_score"]), reference)


def test_a_cut_off_the_clv_summary_and_purchases_are_the_same_on_both_engines_and_the_reference(engines, sources):
    path, holdout_end = sources["partitioned"], "2026-09-30"
    reference_early = reference_features(path, as_of=AS_OF, calendar=GIFT_CALENDAR)
    reference_summary_ = reference_summary(path, AS_OF, holdout_end)
    with duckdb.connect() as con:
        reference_purchases = con.execute(REFERENCE_PURCHASES_SQL, {"path": scanned(path)}).df().set_index("card_key")
    for kind, connected in engines.items():
        early = rfm.customer_features(path, as_of=AS_OF, gift_calendar=GIFT_CALENDAR, engine=connected)
        assert_same_features(early.drop(columns=["r_score", "f_score", "m_score"]), reference_early)
        summary = clv.card_summary(path, as_of=AS_OF, unit="weeks", holdout_end=holdout_end, engine=connected)
        pd.testing.assert_frame_equal(summary, reference_summary_, check_exact=True, check_dtype=False)
        assert summary.attrs == {"unit": "weeks", "as_of": AS_OF, "holdout_length": (pd.Timestamp(holdout_end) -
                                                                                  pd.Timestamp(AS_OF)).days / 7}
        purchases = rfm.purchases_per_card(path, connected)
        pd.testing.assert_frame_equal(purchases, reference_purchases, check_exact=True)
        assert rfm.last_purchase(path, connected) == pd.Timestamp(pd.read_parquet(sources["file"])["date"].max())


def lines_frame(rows) -> pd.DataFrame:
    """Line items as step 01 writes them, from (card, receipt, day, amount, city, store, discount) rows."""
    frame = pd.DataFrame(rows, columns=["card_key", "receipt", "date", "amount", "city", "store", "discount"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[us]")
    for column in ("city", "store"):
        frame[column] = frame[column].astype("string")
    frame["discount"] = frame["discount"].astype("boolean")
    frame["channel"] = pd.array(["store"] * len(frame), dtype="string")
    frame["online"] = pd.array([False] * len(frame), dtype="boolean")
    frame["category"] = pd.array(["Tops"] * len(frame), dtype="string")
    frame["new_collection"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    return frame


@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("counted_places", [card_features.MAX_COUNTED_PLACES, 2], ids=["counted", "grouped"])
def test_place_ties_missing_values_and_a_receipt_over_two_places(engines, tmp_path, kind, counted_places,
                                                                 monkeypatch):
    # Up to MAX_COUNTED_PLACES places are counted beside the sums; more (here: 5 places over 2) are grouped.
    monkeypatch.setattr(card_features, "MAX_COUNTED_PLACES", counted_places)
    rows = [
        # A: two line items in Lviv and two in Kyiv (two stores): the tie goes to the first city, Kyiv, and
        # in it to the store with most line items; one receipt is rung up in two places and counts once.
        ("A", "r1", "2025-03-01 10:00", 10.0, "Lviv", "L1", True), ("A", "r1", "2025-03-01 10:00", 5.0, "Kyiv", "K2",
                                                                      False),
        ("A", "r2", "2025-03-05 10:00", 2.5, "Lviv", "L1", None), ("A", "r3", "2025-04-01 09:00", 1.25, "Kyiv", "K2",
                                                                     None),
        ("A", "r4", "2025-04-02 09:00", 0.01, "Kyiv", "K1", None),
        # B: equal line items with no city and in Odesa: a missing city goes last; no discount flag known.
        ("B", "r5", "2025-05-01 12:00", 7.0, None, None, None), ("B", "r6", "2025-05-02 12:00", 3.0, "Odesa", "O1",
                                                                   None),
        # C: a tie between two stores of one city goes to the first store; a return nets out.
        ("C", "r7", "2025-06-01 12:00", 20.0, "Kyiv", "K2", False), ("C", "r7", "2025-06-01 12:00", -4.005, "Kyiv",
                                                                       "K2", False),
        ("C", "r8", "2025-06-03 12:00", 9.99, "Kyiv", "K1", False), ("C", "r9", "2025-06-04 12:00", 0.005, "Kyiv",
                                                                      "K1", False),
    ]
    lines_frame(rows).to_parquet(tmp_path / "tx.parquet", index=False)
    with card_features.line_items(tmp_path / "tx.parquet", engines[kind]) as lines:
        assert (card_features.bounds(lines).places is None) == (counted_places == 2)
    features = rfm.customer_features(tmp_path / "tx.parquet", engine=engines[kind]).set_index("card_key")
    assert features["frequency"].tolist() == [4, 2, 3]  # A's r1 once, though rung up in Kyiv and Lviv
    assert features[["preferred_city", "preferred_store"]].values.tolist() == [["Kyiv", "K2"], ["Odesa", "O1"],
                                                                              ["Kyiv", "K1"]]
    # Money to the cent, half away from zero: C spent 20 - 4.005 + 9.99 + 0.005 = 25.99 over 3 receipts.
    assert features["monetary"].tolist() == [18.76, 10.0, 25.99]
    assert features.loc["C", "average_ticket"] == 8.66  # 25.99 / 3 = 8.6633...
    # Shares are over the line items that say: A has two known discount flags, one set; B none known.
    assert features.loc["A", "discount_share"] == 0.5 and np.isnan(features.loc["B", "discount_share"])
    assert "new_collection_share" not in features and "gift_season_share" not in features
    assert features["category_breadth"].tolist() == [1, 1, 1]
    assert rfm.skipped_features(features)["feature"].tolist() == ["new_collection_share", "gift_season_share"]


@pytest.mark.parametrize("kind", ENGINES)
def test_an_export_without_optional_columns(engines, tmp_path, kind):
    """A table with only the required columns (no receipt even: each purchase its own) gives the basics."""
    frame = pd.DataFrame({"card_key": ["a", "a", "b"], "receipt": ["1", "2", "3"], "amount": [1.0, 2.0, 3.0],
                          "date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]).astype("datetime64[us]")})
    frame.to_parquet(tmp_path / "tx.parquet", index=False)
    features = rfm.customer_features(tmp_path / "tx.parquet", engine=engines[kind])
    assert list(features.columns) == ["card_key", "recency_days", "frequency", "receipts_per_year", "monetary",
                                      "tenure_days", "average_ticket", "r_score", "f_score", "m_score"]
    assert features["recency_days"].tolist() == [29, 1] and features["tenure_days"].tolist() == [60, 1]


def test_rounding_is_duckdbs_round_to_two_decimals():
    """round_like_duckdb against DuckDB's own round(x, 2), on doubles near and at half cents, both signs."""
    rng = np.random.default_rng(5)
    cents_and_a_half = (rng.integers(-10**9, 10**9, 20_000) + 0.5) / 100  # x.xx5 as the nearest double
    quotients = rng.integers(1, 10**8, 20_000) / rng.integers(1, 50, 20_000)  # averages over a few receipts
    exact_halves = np.array([0.125, -0.125, 2.5, 1.005, 1.825, 0.575, -1.825, 0.0, 1e12 + 0.125])
    values = np.concatenate([cents_and_a_half, quotients, exact_halves, rng.normal(0, 1e6, 20_000)])
    expected = duckdb.execute("SELECT round(x, 2) AS r FROM (SELECT unnest($values) AS x)",
                              {"values": values.tolist()}).fetchnumpy()["r"]
    assert np.array_equal(card_features.round_like_duckdb(values), expected)
    assert card_features.cents(np.array([-150, -149, -50, 50, 149, 150, 12345])).tolist() == [-2, -1, -1, 1, 1, 2, 123]


def test_gift_days_are_the_month_day_test():
    """GiftPeriod.days gives exactly the dates whose month * 100 + day lies in the period, for periods within
    a year, around the new year and naming days a month lacks (02-30, 04-31)."""
    first, last = dt.date(2023, 11, 15), dt.date(2026, 3, 2)
    days = pd.date_range(first, last)
    key = days.month * 100 + days.day
    for start, end in [("12-01", "12-31"), ("12-20", "01-10"), ("02-07", "02-14"), ("02-29", "03-01"),
                       ("02-30", "04-31"), ("01-01", "12-31"), ("11-30", "11-30")]:
        low, high = int(start.replace("-", "")), int(end.replace("-", ""))
        expected = (key >= low) & (key <= high) if low <= high else (key >= low) | (key <= high)
        covered = np.zeros(len(days), dtype=bool)
        for a, b in GiftPeriod(name="x", start=start, end=end).days(first, last):
            assert first <= b and a <= last  # only spans that hold days of the data
            covered |= (days >= pd.Timestamp(a)) & (days < pd.Timestamp(b))
        assert (covered == expected).all(), (start, end)
