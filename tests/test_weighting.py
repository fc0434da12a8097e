"""RIM weighting agrees with weightipy, reports convergence and refuses impossible targets."""

import numpy as np
import pandas as pd
import pytest
import weightipy

from portrait.survey.weighting import WeightingError, rake

TARGETS = {"gender": {"F": 52, "M": 48}, "city": {"Kyiv": 40, "Lviv": 35, "Odesa": 25},
           "age": {"young": 30, "middle": 40, "old": 30}}


def sample(n=1500, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "gender": rng.choice(["F", "M"], n, p=[0.66, 0.34]),
        "city": rng.choice(["Kyiv", "Lviv", "Odesa"], n, p=[0.55, 0.2, 0.25]),
        "age": rng.choice(["young", "middle", "old"], n, p=[0.45, 0.35, 0.2]),
    })


def test_margins_are_met_and_weights_match_weightipy():
    frame = sample()
    result = rake(frame, TARGETS)
    assert result.converged and result.max_deviation < 1e-10
    margins = result.margins.set_index(["variable", "category"])
    assert margins.loc[("gender", "F"), "weighted %"] == 52.0
    scheme = weightipy.scheme_from_dict(TARGETS, rim_params={"max_iterations": 5000, "convcrit": 1e-12})
    reference = weightipy.weight(frame.copy(), scheme)
    reference = reference / reference.mean()
    assert np.max(np.abs(result.weights.to_numpy() - reference.to_numpy())) < 1e-6
    assert result.efficiency == pytest.approx(weightipy.weighting_efficiency(reference), rel=1e-6)


def test_effective_base_and_cap():
    frame = sample()
    free = rake(frame, TARGETS)
    assert free.effective_base < len(frame)
    capped = rake(frame, TARGETS, cap=2.0, tolerance=1e-6)
    assert capped.weights.max() <= 2.0 + 1e-9


def test_unreachable_targets_are_an_error_not_a_silent_weight():
    frame = sample()
    with pytest.raises(WeightingError, match="did not converge.*cap of 1.05"):
        rake(frame, TARGETS, cap=1.05, max_iter=200)


@pytest.mark.parametrize("targets, message", [
    ({"gender": {"F": 50, "M": 45, "X": 5}}, r"target categories \['X'\] have no respondents"),
    ({"gender": {"F": 100}}, r"categories \['M'\] are in the data but have no target"),
    ({"income": {"low": 1}}, "weighting variable `income` is not in the data"),
])
def test_impossible_targets_are_named(targets, message):
    with pytest.raises(WeightingError, match=message):
        rake(sample(), targets)


def test_missing_value_on_a_weighting_variable():
    frame = sample()
    frame.loc[3, "city"] = None
    with pytest.raises(WeightingError, match="`city`: 1 respondent"):
        rake(frame, TARGETS)


def test_missing_values_can_be_left_at_weight_one_and_are_counted():
    frame = sample()
    frame.loc[[3, 7], "city"] = None
    result = rake(frame, TARGETS, missing="unweighted")
    assert result.unweighted == 2 and result.weights.loc[[3, 7]].tolist() == [1.0, 1.0]
    known = frame["city"].notna()
    shares = result.weights[known].groupby(frame.loc[known, "gender"]).sum() / result.weights[known].sum()
    assert shares["F"] == pytest.approx(0.52)


def test_a_blank_weighting_variable_says_so_not_merge():
    frame = sample(20)
    frame["gender"] = None
    with pytest.raises(WeightingError, match=r"`gender`: no respondent of 20 has a value.*blank column"):
        rake(frame, TARGETS)
