"""Customer features from DuckDB agree with a pandas computation; RFM rules name every customer."""

import numpy as np
import pandas as pd
import pytest

from portrait.segments import rfm
from portrait.config.roles import GiftPeriod
from portrait.errors import CodebookError


def transactions(n_cards=60, seed=4):
    rng = np.random.default_rng(seed)
    rows = []
    for card in range(n_cards):
        for receipt in range(int(rng.integers(1, 8))):
            day = pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(rng.integers(0, 540)))
            for _ in range(int(rng.integers(1, 3))):
                rows.append({"receipt": f"R{card}-{receipt}", "card_key": f"c{card:03d}", "date": day,
                             "store": rng.choice(["A", "B"]), "city": rng.choice(["Kyiv", "Lviv"]),
                             "channel": rng.choice(["online", "store"]), "category": rng.choice(["Tops", "Bags", "Kids"]),
                             "amount": float(rng.integers(100, 3000)), "discount": bool(rng.random() < 0.3),
                             "new_collection": bool(rng.random() < 0.4)})
    return pd.DataFrame(rows)


def test_features_match_pandas(tmp_path):
    tx = transactions()
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path, index=False)
    features = rfm.customer_features(path).set_index("card_key")
    as_of = tx["date"].max() + pd.Timedelta(days=1)
    by_card = tx.groupby("card_key")
    expected = pd.DataFrame({
        "recency_days": (as_of - by_card["date"].max()).dt.days,
        "frequency": by_card["receipt"].nunique(),
        "monetary": by_card["amount"].sum(),
        "discount_share": by_card["discount"].mean(),
        "category_breadth": by_card["category"].nunique(),
        "online_share": by_card["channel"].apply(lambda c: (c == "online").mean()),
    })
    for column in expected.columns:
        assert np.allclose(features[column].astype(float), expected[column].astype(float)), column
    assert features[["r_score", "f_score", "m_score"]].stack().between(1, 5).all()
    top = features["monetary"].idxmax()
    assert features.loc[top, "m_score"] == 5


def test_as_of_cuts_later_purchases(tmp_path):
    tx = transactions()
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path, index=False)
    early = rfm.customer_features(path, as_of="2025-06-01")
    assert (early["recency_days"] >= 1).all()
    assert len(early) == tx.loc[tx["date"] < "2025-06-01", "card_key"].nunique()


def test_every_customer_gets_a_named_segment_and_value_shares_add_up(tmp_path):
    tx = transactions(200)
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path, index=False)
    result = rfm.segment(rfm.customer_features(path), rfm.load_rules())
    assert result.customers["rfm_segment"].notna().all()
    summary = result.summary()
    assert summary["% of value"].sum() == pytest.approx(100, abs=0.5)
    champions = result.customers[result.customers["rfm_segment"] == "Champions"]
    assert ((champions["r_score"] >= 4) & (champions["f_score"] >= 4)).all()


def test_rules_that_leave_customers_out_are_an_error(tmp_path):
    tx = transactions()
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path, index=False)
    rules = rfm.RfmRules.model_validate({"segments": [{"segment": "Champions", "when": "r >= 4 and f >= 4"}]})
    with pytest.raises(CodebookError, match="match no RFM rule"):
        rfm.segment(rfm.customer_features(path), rules)


def test_a_hand_computed_example(tmp_path):
    """Three cards, five receipts, checked line by line against figures worked out by hand."""
    rows = [  # receipt, card, date, amount, discount, new, category, channel
        ("r1", "A", "2025-01-01 10:00", 100.0, False, True, "Tops", "store"),
        ("r1", "A", "2025-01-01 10:00", 300.0, True, False, "Bags", "store"),
        ("r2", "A", "2025-03-02 12:00", 200.0, False, False, "Tops", "online"),
        ("r3", "B", "2025-12-25 18:00", 50.0, True, True, "Kids", "store"),
        ("r4", "C", "2025-02-01 11:00", 1000.0, False, True, "Shoes", "online"),
        ("r5", "C", "2025-02-21 11:00", 500.0, False, False, "Shoes", "store"),
    ]
    tx = pd.DataFrame(rows, columns=["receipt", "card_key", "date", "amount", "discount", "new_collection",
                                     "category", "channel"])
    tx["date"] = pd.to_datetime(tx["date"])
    tx["store"], tx["city"] = "S1", "Kyiv"
    tx.to_parquet(tmp_path / "tx.parquet", index=False)
    december = [GiftPeriod(name="December", start="12-01", end="12-31")]
    f = rfm.customer_features(tmp_path / "tx.parquet", as_of="2026-01-01", gift_calendar=december).set_index("card_key")
    # A: last purchase 2025-03-02 12:00 -> 305 whole days before 2026-01-01; 2 receipts; 600 spent.
    assert f.loc["A", ["recency_days", "frequency", "monetary", "average_ticket"]].tolist() == [305, 2, 600.0, 300.0]
    assert f.loc["A", "discount_share"] == pytest.approx(1 / 3) and f.loc["A", "new_collection_share"] == pytest.approx(1 / 3)
    assert f.loc["A", "category_breadth"] == 2 and f.loc["A", "online_share"] == pytest.approx(1 / 3)
    assert f.loc["B", "gift_season_share"] == 1.0 and f.loc["C", "gift_season_share"] == 0.0  # 25 Dec is a gift day
    assert f.loc["C", ["recency_days", "frequency", "monetary", "tenure_days"]].tolist() == [314, 2, 1500.0, 334]
    # Span of the data: calendar days from the first purchase (2025-01-01) to as_of = 365, so receipts per
    # year equal receipts here; for B (1 receipt) 1.0.
    assert f.loc["A", "receipts_per_year"] == 2.0 and f.loc["B", "receipts_per_year"] == 1.0
    # Scores among three cards: B is the most recent, C spends the most; ties on frequency go by spend.
    assert f.loc["B", "r_score"] > f.loc["A", "r_score"] and f.loc["C", "m_score"] > f.loc["A", "m_score"] > f.loc["B", "m_score"]
    assert f.loc["C", "f_score"] > f.loc["A", "f_score"] > f.loc["B", "f_score"]


def test_card_behaviour_reaches_only_respondents_who_hold_a_card():
    customers = pd.DataFrame({"card_key": ["k1", "k2"], **{c: [1.0, 2.0] for c in rfm.BEHAVIOUR},
                              "rfm_segment": ["Champions", "Lost"]})
    cardholders = pd.DataFrame({"card_key": ["k1", "k2", "k3"], "person_key": ["p1", "p2", None]})
    respondents = pd.DataFrame({"person_key": ["p2", "p9", None, "p1"]}, index=[10, 11, 12, 13])
    joined = rfm.respondent_behaviour(respondents, cardholders, customers)
    assert joined.index.tolist() == [10, 11, 12, 13]
    assert joined["card__monetary"].tolist()[0] == 2.0 and joined["card__monetary"].isna().tolist() == [False, True, True, False]
    assert joined["card__rfm_segment"].tolist() == ["Lost", pd.NA, pd.NA, "Champions"]
    share = rfm.linked_share(customers, cardholders, respondents)
    assert share.iloc[0].tolist() == [2, 2, 100.0]


def test_same_file_gives_the_same_figures_run_after_run(tmp_path):
    """Threads add line items up in varying order. Money is summed exactly, so totals and the
    half-cent roundings of the average ticket (two receipts, an odd number of cents) never change."""
    rng = np.random.default_rng(11)
    line = np.arange(400_000)
    card = line % 5_000
    tx = pd.DataFrame({"receipt": (card * 2 + (line // 5_000) % 2).astype(str), "card_key": card.astype(str),
                       "date": pd.Timestamp("2025-01-01") + pd.to_timedelta(line % 500, unit="D"),
                       "store": "S1", "city": "Kyiv", "channel": "store", "category": "Tops",
                       "amount": rng.integers(1, 500_000, len(line)) / 100, "discount": False, "new_collection": False})
    path = tmp_path / "tx.parquet"
    tx.to_parquet(path, index=False, row_group_size=10_000)  # many row groups, spread over the threads
    runs = [rfm.customer_features(path) for _ in range(3)]
    for run in runs[1:]:
        pd.testing.assert_frame_equal(runs[0], run, check_exact=True)
    cents = (tx["amount"] * 100).round().astype("int64").groupby(tx["card_key"]).sum()
    by_card = runs[0].set_index("card_key")
    assert (by_card["monetary"] * 100).round().astype("int64").sort_index().equals(cents.sort_index())


@pytest.mark.parametrize("n", [1, 2, 4, 5, 6, 9, 11, 23, 100, 101])
def test_quintiles_follow_sql_ntile(n):
    """Scores are computed in numpy; they must be what SQL's ntile(5) gives, ties broken by row order."""
    import duckdb

    values = np.random.default_rng(n).integers(0, 4, n)  # many ties
    expected = duckdb.sql(f"SELECT ntile(5) OVER (ORDER BY v, i) AS s FROM "
                          f"(SELECT unnest({values.tolist()}) AS v, generate_subscripts({values.tolist()}, 1) AS i) "
                          "ORDER BY i").fetchnumpy()["s"]
    assert rfm.quintiles(np.lexsort((np.arange(n), values))).tolist() == expected.tolist()


def test_category_breadth_is_exact_beyond_64_categories(tmp_path):
    """Up to 64 categories are counted as bits; more fall back to a distinct count: both exact."""
    for n_categories in (3, 64, 70):
        tx = transactions(40)
        tx["category"] = [f"C{i % n_categories}" for i in range(len(tx))]
        tx.loc[::7, "category"] = None  # a line without a category counts for none
        path = tmp_path / f"tx{n_categories}.parquet"
        tx.to_parquet(path, index=False)
        breadth = rfm.customer_features(path).set_index("card_key")["category_breadth"]
        assert breadth.sort_index().tolist() == tx.groupby("card_key")["category"].nunique().sort_index().tolist()


def test_features_an_export_cannot_give_are_left_out_and_named(tmp_path):
    tx = pd.DataFrame({"receipt": ["r1", "r2", "r3"], "card_key": ["A", "A", "B"],
                       "date": pd.to_datetime(["2025-12-24", "2026-01-05", "2025-06-01"]),
                       "amount": [10.0, 20.0, 5.0]})
    for column, dtype in [("store", "string"), ("city", "string"), ("channel", "string"), ("category", "string"),
                          ("discount", "boolean"), ("new_collection", "boolean"), ("online", "boolean")]:
        tx[column] = pd.array([pd.NA] * len(tx), dtype=dtype)
    tx.to_parquet(tmp_path / "tx.parquet", index=False)
    features = rfm.customer_features(tmp_path / "tx.parquet")
    skipped = rfm.skipped_features(features).set_index("feature")["needs"]
    assert set(skipped.index) == set(rfm.OPTIONAL_FEATURES)
    assert skipped["gift_season_share"] == "`roles.gift_calendar`"
    assert not set(rfm.OPTIONAL_FEATURES) & set(features.columns)
    assert features.set_index("card_key").loc["A", "frequency"] == 2
    # A gift season that wraps the new year: 20 Dec to 10 Jan holds both of A's purchases, none of B's.
    winter = [GiftPeriod(name="Winter holidays", start="12-20", end="01-10")]
    shares = rfm.customer_features(tmp_path / "tx.parquet", gift_calendar=winter).set_index("card_key")
    assert shares["gift_season_share"].tolist() == [1.0, 0.0]
