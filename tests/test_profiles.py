"""Profiles: hand-checked shares, means, indices and significance; distinctive traits; names."""

import numpy as np
import pandas as pd
import pytest

from portrait.profiles import distinctive, profile, suggest_names


def data():
    segments = pd.Series([1] * 100 + [2] * 100)
    frame = pd.DataFrame({
        "style": ["street"] * 60 + ["classic"] * 40 + ["street"] * 10 + ["classic"] * 90,
        "score": np.r_[np.full(100, 4.0), np.full(100, 2.0)] + np.tile([0.1, -0.1], 100),
    })
    return frame, segments


def test_shares_means_and_indices_by_hand():
    frame, segments = data()
    table = profile(frame, segments, {"style": "Style", "score": "Score"}).set_index(["variable", "category", "segment"])
    street = table.loc[("style", "street", 1)]
    assert street["value"] == 60.0 and street["total"] == 35.0 and street["index"] == round(100 * 60 / 35)
    assert street["significant"]
    score = table.loc[("score", "", 2)]
    assert score["value"] == pytest.approx(2.0) and score["index"] == 67.0 and score["significant"]


def test_distinctive_traits_and_names():
    frame, segments = data()
    traits = distinctive(profile(frame, segments, {"style": "Style", "score": "Score"}))
    assert traits.loc[traits["segment"] == 1, "trait"].iloc[0] == "Style: street — 60% vs 35% (index 171)"
    names = suggest_names(traits, {"2": "Classic fans"})
    assert names[1] == "Style street · Score" and names[2] == "Classic fans"
