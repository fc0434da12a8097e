"""RIM weighting agrees with weightipy (with and without a cap), reports convergence and refuses impossible targets."""

import shutil

import numpy as np
import pandas as pd
import pytest
import weightipy

from portrait import pipeline
from portrait.errors import PipelineError
from portrait.survey.weighting import WeightingError, rake

from conftest import ROOT

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
    for variable, target in TARGETS.items():  # the margins, computed here from the weights alone
        shares = result.weights.groupby(frame[variable]).sum() / result.weights.sum()
        assert np.allclose(shares[list(target)].to_numpy(), np.array(list(target.values())) / 100, atol=1e-9)
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
    assert free.effective_base < len(frame) and free.weights.max() > 3  # the cap below binds
    capped = rake(frame, TARGETS, cap=2.0, tolerance=1e-9)
    assert capped.converged and capped.weights.max() <= 2.0 + 1e-9 and (capped.weights > 2.0 - 1e-9).sum() > 100


@pytest.mark.parametrize("cap", [2.0, 1.8])
def test_capped_weights_match_weightipy_with_the_same_cap(cap):
    frame = sample()
    result = rake(frame, TARGETS, cap=cap, tolerance=1e-10, max_iter=5000)
    scheme = weightipy.scheme_from_dict(TARGETS, rim_params={"max_iterations": 5000, "convcrit": 1e-12, "cap": cap})
    scheme.anesrake_cap_correction = False  # weightipy otherwise caps at cap + 0.0001
    reference = weightipy.weight(frame.copy(), scheme)
    reference = reference / reference.mean()
    assert reference.max() == pytest.approx(cap) and result.weights.max() == pytest.approx(cap)
    assert np.max(np.abs(result.weights.to_numpy() - reference.to_numpy())) < 1e-6


def test_unreachable_targets_are_an_error_not_a_silent_weight():
    frame = sample()
    with pytest.raises(WeightingError, match=r"did not converge in 200 iterations.*cap of 1.05") as raised:
        rake(frame, TARGETS, cap=1.05, max_iter=200)
    # What the raking reached is kept with the error, and says it did not converge.
    reached = raised.value.result
    assert reached.converged is False and reached.iterations == 200
    assert reached.max_deviation > 0.01 and f"{100 * reached.max_deviation:.3f} points off" in str(raised.value)
    assert reached.weights.max() <= 1.05 + 1e-9
    off = reached.margins["weighted %"] - reached.margins["target %"]
    assert off.abs().max() == pytest.approx(100 * reached.max_deviation, abs=0.01)


def test_the_pipeline_stops_on_a_raking_that_cannot_converge_and_says_why(tmp_path, demo_study):
    # Step 02 alone on a copy of the demo whose cap makes its targets unreachable, reading step 01's outputs.
    folder = tmp_path / "data" / "raw" / "demo"
    shutil.copytree(demo_study.folder, folder)
    shutil.copytree(demo_study.processed, tmp_path / "data" / "processed" / "demo")
    study = folder / "study.yml"
    text = study.read_text(encoding="utf-8")
    assert "    cap: 5\n" in text
    study.write_text(text.replace("    cap: 5\n", "    cap: 1.05\n"), encoding="utf-8")
    with pytest.raises(PipelineError, match=r"02_survey_coding.ipynb failed.*WeightingError: raking did not "
                                            r"converge.*cap of 1.05"):
        pipeline.run(str(folder), ROOT, ["02"], reports=tmp_path / "reports", progress=False, say=lambda m: None)


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
