"""Profiles: hand-checked shares, means, indices and significance; distinctive traits; names."""

import numpy as np
import pandas as pd
import pytest

from portrait.segments.profiles import distinctive, profile, suggest_names


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
    assert names[1] == "Style street · Score 4" and names[2] == "Classic fans"  # a mean trait carries its value


def test_names_are_unique_within_a_run():
    import pandas as pd

    traits = pd.DataFrame({"segment": [1, 1, 1, 2, 2, 2, 3, 3], "variable": ["a", "b", "c", "a", "b", "d", "a", "b"],
                           "category": ["x", "y", "z", "x", "y", "w", "x", "y"],
                           "trait": ["A: x — 1", "B: y — 1", "C: z — 1", "A: x — 1", "B: y — 1", "D: w — 1",
                                     "A: x — 1", "B: y — 1"]})
    names = suggest_names(traits)
    assert len(set(names.values())) == 3
    assert names[1] == "A x · B y" and names[2] == "A x · B y · D w" and names[3] == "A x · B y (3)"


def test_small_bases_never_make_a_distinctive_trait():
    frame, segments = data()
    # Only six people of segment 1 answered `interviewed`; all said yes, nobody else did.
    frame["interviewed"] = np.r_[np.ones(6), np.full(94, np.nan), np.zeros(100)]
    table = profile(frame, segments, {"style": "Style", "interviewed": "Mentions X"})
    row = table[(table["variable"] == "interviewed") & (table["segment"] == 1)].iloc[0]
    assert row["base"] == 6 and row["value"] == 1.0
    assert "interviewed" not in set(distinctive(table)["variable"])
    assert "interviewed" in set(distinctive(table, min_base=5)["variable"])


def test_schemes_and_other_sources_are_profiled(tmp_path):
    import textwrap

    from portrait.segments.profiles import profile_variables
    from portrait.segments.schemes import apply_schemes, load_schemes

    path = tmp_path / "schemes.yml"
    path.write_text(textwrap.dedent("""
        schemes:
          - id: price
            label: Price orientation
            rules:
              - {value: hunter, when: "sale >= 4"}
              - {value: full price, when: "sale <= 2"}
    """))
    table = pd.DataFrame({"sale": [5, 1, 3, 4], "card__monetary": [10.0, None, 30.0, 5.0]})
    assigned = apply_schemes(table, load_schemes(path))
    variables = profile_variables(table, None, {"card__monetary": "Card: spend", "absent": "Not here"}, assigned)
    assert variables.labels == {"scheme__price": "Price orientation", "card__monetary": "Card: spend"}
    # `unclassified` is left out of the shares: the profile reads among those a scheme classifies.
    assert variables.data["scheme__price"].isna().tolist() == [False, False, True, False]
    assert list(variables.data["scheme__price"].cat.categories) == ["hunter", "full price"]


def test_unweighted_means_are_tested_like_scipy_and_weights_shrink_the_base():
    from scipy import stats

    frame, segments = data()
    rng = np.random.default_rng(2)
    frame["score"] = rng.normal(3, 1, 200) + np.r_[np.full(100, 0.3), np.zeros(100)]
    plain = profile(frame, segments, {"score": "Score"}).set_index("segment")
    expected = stats.ttest_ind(frame["score"][:100], frame["score"][100:], equal_var=False).pvalue
    assert plain.loc[1, "p"] == pytest.approx(expected)
    uneven = pd.Series(np.where(np.arange(200) % 2, 3.0, 0.2))  # effective base far below 200
    weighted = profile(frame, segments, {"score": "Score"}, uneven).set_index("segment")
    assert weighted.loc[1, "p"] > plain.loc[1, "p"]
