"""Customer features from DuckDB agree with a pandas computation; RFM rules name every customer."""

import numpy as np
import pandas as pd
import pytest

from portrait import rfm
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
