"""Customer features from DuckDB agree with a pandas computation; RFM scores depend on a customer's own values
alone (ties share a score; a new pseudonymisation key moves nobody); RFM rules name every customer."""

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
    # Scores among three cards: B is the most recent, C spends the most; A and C tie on frequency and
    # share F (ntile(5) over 3 rows: ranks 1, 2, 3 -> 1, 2, 3; the tie starts at rank 2).
    assert f.loc["B", "r_score"] > f.loc["A", "r_score"] and f.loc["C", "m_score"] > f.loc["A", "m_score"] > f.loc["B", "m_score"]
    assert f.loc["C", "f_score"] == f.loc["A", "f_score"] == 2 and f.loc["B", "f_score"] == 1


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
def test_quintiles_are_sql_ntile_with_ties_kept_together(n):
    """Without ties the scores are SQL's ntile(5); with ties every tied value takes the group of its first
    rank: the least ntile(5) among its rows, whatever breaks the ties inside ntile (here: reversed rows)."""
    import duckdb

    rng = np.random.default_rng(n)
    for values in (rng.permutation(n), rng.integers(0, 4, n)):  # distinct values; many ties
        expected = duckdb.sql(
            "SELECT min(tile) OVER (PARTITION BY v) AS s FROM (SELECT v, i, ntile(5) OVER (ORDER BY v, i DESC) AS tile "
            f"FROM (SELECT unnest({values.tolist()}) AS v, generate_subscripts({values.tolist()}, 1) AS i)) "
            "ORDER BY i").fetchnumpy()["s"]
        assert rfm.quintile_scores(values).tolist() == expected.tolist()
    sizes = np.bincount(rfm.quintile_scores(rng.permutation(n)), minlength=6)[1:]
    assert sizes.sum() == n and sizes.max() - sizes[sizes > 0].min() <= 1


def secret_changed(tx: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, dict]:
    """The same purchases under another pseudonymisation key: every card key renamed (so their order
    changes) and the line items shuffled. Returns the new log and new key -> old key."""
    rng = np.random.default_rng(seed)
    old = tx["card_key"].unique()
    new = [f"k{v:08x}" for v in rng.choice(16**8, len(old), replace=False)]
    renamed = tx.assign(card_key=tx["card_key"].map(dict(zip(old, new))))
    return renamed.sample(frac=1, random_state=seed).reset_index(drop=True), dict(zip(new, old))


def tied_transactions(n_cards=400, seed=9) -> pd.DataFrame:
    """Many identical customers: a third buy once on the same day for the same amount, others repeat
    the same few patterns, so R, F and M all have heavy ties."""
    rng = np.random.default_rng(seed)
    rows = []
    for card in range(n_cards):
        pattern = card % 3 if card < n_cards // 2 else int(rng.integers(0, 6))
        days = [[100], [30, 200], [5, 60, 120, 300]][pattern % 3] if pattern < 3 else \
            sorted(int(d) for d in rng.choice(500, int(rng.integers(1, 9)), replace=False))
        for i, day in enumerate(days):
            rows.append({"receipt": f"R{card}-{i}", "card_key": f"c{card:04d}",
                         "date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=day), "store": "S1", "city": "Kyiv",
                         "channel": "store", "category": "Tops", "discount": False, "new_collection": False,
                         "amount": 500.0 if pattern < 3 else float(rng.integers(1, 40) * 50)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("scoring", ["quintiles", "thresholds"])
def test_a_new_secret_moves_no_customer(tmp_path, scoring):
    """Changing the pseudonymisation key renames every card and reorders the rows: every customer keeps
    the same R, F, M and segment."""
    rules = rfm.load_rules()
    if scoring == "thresholds":
        fixed = rfm.RfmScores(frequency=[2, 3, 5, 8], monetary=[500, 1000, 2000, 4000])
        rules = rules.model_copy(update={"scores": fixed})
    tx = pd.concat([tied_transactions(), transactions(300).assign(card_key=lambda t: "x" + t["card_key"])])
    tx.to_parquet(tmp_path / "a.parquet", index=False)
    renamed, back = secret_changed(tx, seed=3)
    renamed.to_parquet(tmp_path / "b.parquet", index=False)
    columns = ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_segment"]
    first = rfm.segment(rfm.customer_features(tmp_path / "a.parquet"), rules).customers.set_index("card_key")
    second = rfm.segment(rfm.customer_features(tmp_path / "b.parquet"), rules).customers
    second = second.assign(card_key=second["card_key"].map(back)).set_index("card_key").loc[first.index]
    pd.testing.assert_frame_equal(first[columns], second[columns])
    assert first["f_score"].nunique() > 1 and first["rfm_segment"].nunique() > 2
    # The scores of a shuffled features table are the same scores, row by row.
    shuffled = first.sample(frac=1, random_state=1)
    rescored = rfm.with_scores(shuffled, rules.scores)
    scores = ["r_score", "f_score", "m_score"]
    pd.testing.assert_frame_equal(rescored[scores], shuffled[scores])


def test_identical_one_time_buyers_share_one_f_score_and_one_segment(tmp_path):
    """60 % buy once: every one of them has F = 1 (the tie starting at rank 1), F = 2 and F = 3 are left
    empty and the score bins say so, and identical one-time buyers fall in one segment."""
    rows = []
    for card in range(1000):
        once = card < 600
        days = [card % 4 * 150] if once else [0, 200 + card % 7, 400 + card % 50][: 2 + card % 2]
        for i, day in enumerate(days):
            rows.append({"receipt": f"R{card}-{i}", "card_key": f"c{card:04d}", "amount": 100.0 + card % 3,
                         "date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=day)})
    tx = pd.DataFrame(rows).assign(store="S1", city="Kyiv", channel="store", category="Tops", discount=False,
                                   new_collection=False)
    tx.to_parquet(tmp_path / "tx.parquet", index=False)
    result = rfm.segment(rfm.customer_features(tmp_path / "tx.parquet"), rfm.load_rules())
    customers = result.customers
    once = customers[customers["frequency"] == 1]
    assert len(once) == 600 and set(once["f_score"]) == {1}
    assert set(customers.loc[customers["frequency"] > 1, "f_score"]) <= {4, 5}
    # Same recency, frequency and spend: same scores, same segment.
    alike = once.groupby(["recency_days", "monetary"])
    assert (alike[["r_score", "m_score", "rfm_segment"]].nunique() == 1).all().all()
    assert alike.ngroups == 12 and once.groupby("recency_days")["rfm_segment"].nunique().eq(1).all()
    bins = result.score_bins().loc["F"]
    assert bins["customers"].tolist()[:3] == [600, 0, 0] and bins["customers"].sum() == 1000
    assert bins.loc[2, "note"] == "empty: 600 customers (60.0 %) share frequency = 1 and all score 1"
    assert bins.loc[1, "note"].startswith("one tie, more than a fifth: 600 customers (60.0 %)")
    assert bins.loc[1, "range"] == "ranks 1-200 of 1,000, worst first"
    assert (bins.loc[1, "lowest"], bins.loc[1, "highest"]) == (1, 1)


def test_fixed_thresholds_from_the_rules(tmp_path):
    """Thresholds are the first values of the next bin; recency counts down (fewer days scores higher)."""
    features = pd.DataFrame({"card_key": list("abcdefg"), "recency_days": [1, 29, 30, 89, 90, 365, 800],
                             "frequency": [1, 2, 3, 4, 5, 9, 10], "monetary": [0.0, 99.99, 100, 250, 499, 500, 1e6]})
    study_rules = tmp_path / "rfm_segments.yml"  # a study's own file: only its thresholds
    study_rules.write_text("scores:\n  recency_days: [30, 90, 180, 365]\n  frequency: [2, 3, 5, 10]\n"
                           "  monetary: [100, 250, 500, 1000]\n")
    rules = rfm.load_rules(study_rules)
    assert rules.segments == rfm.load_rules().segments  # the template's segments
    result = rfm.segment(features, rules)
    scored = result.customers.set_index("card_key")
    assert scored["r_score"].tolist() == [5, 5, 4, 4, 3, 1, 1]
    assert scored["f_score"].tolist() == [1, 2, 3, 3, 4, 4, 5]
    assert scored["m_score"].tolist() == [1, 1, 2, 3, 3, 4, 5]
    assert scored["rfm_segment"].tolist() == ["New", "Potential loyalists", "Potential loyalists",
                                              "Potential loyalists", "Loyal", "Can't lose them", "Can't lose them"]
    bins = result.score_bins()
    assert bins.loc[("R", 2), "customers"] == 0 and bins.loc[("R", 2), "note"] == "empty: no customer in this range"
    assert bins.loc[("R", 1), "range"] == "365 or more" and bins.loc[("R", 5), "range"] == "under 30"
    assert bins.loc[("F", 3), "range"] == "3 to under 5" and bins.loc[("M", 5), "range"] == "1,000 or more"
    assert (bins["binned by"] == "thresholds").all() and bins["customers"].groupby(level=0).sum().eq(7).all()
    # Mixed: fixed frequency bins, quintiles for recency and spend.
    mixed = rfm.with_scores(features, rfm.RfmScores(frequency=[2, 3, 5, 10]))
    assert mixed["f_score"].tolist() == [1, 2, 3, 3, 4, 4, 5] and mixed["m_score"].tolist() == [1, 1, 2, 2, 3, 4, 5]


@pytest.mark.parametrize("thresholds", ["[2, 3, 5]", "[2, 3, 3, 10]", "[10, 5, 3, 2]", "quintile"])
def test_thresholds_that_do_not_make_five_bins_are_refused(tmp_path, thresholds):
    path = tmp_path / "rfm.yml"
    path.write_text(f"scores:\n  frequency: {thresholds}\n")
    with pytest.raises(CodebookError, match=r"scores\.frequency"):
        rfm.load_rules(path)


def test_the_template_scores_in_quintiles():
    assert rfm.load_rules().scores == rfm.RfmScores()


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


def test_a_study_sets_its_own_thresholds_in_codebooks_rfm(tmp_path):
    import textwrap

    from portrait import Study
    from portrait.segments import segment_inputs

    folder = tmp_path / "data" / "raw" / "shop"
    folder.mkdir(parents=True)
    (folder / "study.yml").write_text(textwrap.dedent("""
        name: shop
        languages: [en]
        privacy: {allow_demo_secret: true}
        codebooks: {rfm: rfm.yml}
        sources:
          transactions:
            path: tx.csv
            columns: {customer: Card, date: Date, amount: Amount}
            export_date: 2026-06-30
        """))
    (folder / "rfm.yml").write_text("scores:\n  frequency: [2, 3, 5, 10]\n")
    rows = [f"C{c},2026-0{1 + p % 5}-1{p % 9} 10:00,{100 + c}" for c in range(12) for p in range(c % 6 + 1)]
    (folder / "tx.csv").write_text("Card,Date,Amount\n" + "\n".join(rows) + "\n")
    from portrait.collect import collect
    study = Study.load(folder)
    collect.write_outputs(study, collect.collect(study, b"k"), {})
    customers = segment_inputs.load(study).rfm.customers
    expected = customers["frequency"].map(lambda f: 1 if f < 2 else 2 if f < 3 else 3 if f < 5 else 4 if f < 10 else 5)
    assert customers["f_score"].tolist() == expected.tolist()


def test_whole_numbers_are_scored_by_counting_as_the_sort_scores_them():
    """Days and purchases (whole numbers in a narrow range) take a counting path without a sort: the same scores
    as the sorting path gives the same values as decimals, ties included."""
    rng = np.random.default_rng(7)
    for trial in range(100):
        n = int(rng.integers(1, 2_000))
        values = rng.integers(-40, 40, n) if trial % 2 else rng.integers(0, 4, n)  # wide ties, negatives
        assert rfm.quintile_scores(values).tolist() == rfm.quintile_scores(values.astype("float64")).tolist()
