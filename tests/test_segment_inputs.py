"""The unit of step 04: respondents with card behaviour and interview codes joined, or card customers."""

from portrait.segments import segment_inputs


def test_demo_respondents_carry_card_behaviour_and_interview_codes(demo_study):
    data = segment_inputs.load(demo_study)
    coded = demo_study.read("survey_coded")
    assert data.unit == "respondents" and len(data.table) == int(coded["quality_ok"].sum())
    assert data.default_basis() == [c for c in data.table.columns if c.startswith("attitudes__")]  # roles.basis
    assert len(data.default_basis()) == 16
    holders = set(demo_study.read("cardholders")["person_key"].dropna())
    has_card = data.table["card__monetary"].notna()
    assert has_card.sum() > 500
    assert data.table.loc[has_card, "person_key"].isin(holders).all()
    assert not data.table.loc[~has_card, "person_key"].isin(holders).any()
    # Interview codes only for respondents who were interviewed; 1/0 for them.
    interviewed = set(demo_study.read("participants")["person_key"])
    codes = data.table.filter(like="interview__")
    assert codes.shape[1] >= 20
    mask = codes.notna().any(axis=1)
    assert data.table.loc[mask, "person_key"].isin(interviewed).all() and 10 <= mask.sum() <= 36
    assert set(codes[mask].stack().unique()) <= {0.0, 1.0}
    assert data.extra_labels["card__rfm_segment"] == "Card: RFM segment"
    assert data.summary().loc["interviewed", "value"] == mask.sum()


def test_a_loyalty_only_study_segments_card_customers(tmp_path, demo_study):
    from portrait.config.study import Study

    study = Study(demo_study.folder, demo_study.config, tmp_path)
    for table in ("transactions", "cardholders"):
        study.write(table, demo_study.read(table))
    data = segment_inputs.load(study)
    assert data.unit == "customers" and len(data.table) == demo_study.read("transactions")["card_key"].nunique()
    assert (data.weights == 1.0).all() and data.table["rfm_segment"].notna().all()
    assert data.table["age"].between(16, 100).mean() > 0.95
    assert "card__discount_share" in data.scheme_table().columns
    assert set(data.default_basis()) <= set(data.table.columns)
    # The summary names this unit and counts it; nothing about respondents or interviews.
    summary = data.summary()["value"]
    assert summary.to_dict() == {"unit of analysis": "customers", "rows": len(data.table),
                                 "card customers (RFM)": len(data.rfm.customers)}
    assert summary["rows"] == demo_study.read("transactions")["card_key"].nunique()
