"""Cronbach's alpha agrees with pingouin to 1e-9; weak scales are flagged."""

import numpy as np
import pandas as pd
import pingouin
import pytest

from portrait.survey.reliability import cronbach_alpha, scale_reliability


def items(seed, n=300, k=5, noise=1.0, missing=0.05):
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    frame = pd.DataFrame({f"q{i}": np.clip(np.round(3 + trait + rng.normal(0, noise, n)), 1, 5) for i in range(k)})
    return frame.mask(rng.random(frame.shape) < missing)


@pytest.mark.parametrize("seed, noise", [(1, 0.5), (2, 1.0), (3, 3.0)])
def test_alpha_matches_pingouin(seed, noise):
    frame = items(seed, noise=noise)
    expected, _ = pingouin.cronbach_alpha(data=frame, nan_policy="listwise")
    assert cronbach_alpha(frame) == pytest.approx(expected, abs=1e-9)


def test_alpha_if_deleted_and_warning():
    frame = items(4, noise=0.6, missing=0)
    frame["noise"] = np.random.default_rng(9).integers(1, 6, len(frame))  # an item measuring nothing
    result = scale_reliability(frame, {"good": ["q0", "q1", "q2"], "mixed": ["q3", "q4", "noise"]}, threshold=0.8)
    table = result.items.set_index(["scale", "item"])
    assert table.loc[("mixed", "noise"), "raises_alpha"]  # dropping the unrelated item helps
    expected, _ = pingouin.cronbach_alpha(data=frame[["q3", "q4"]])
    assert table.loc[("mixed", "noise"), "alpha_if_deleted"] == pytest.approx(expected, abs=1e-3)
    assert result.scales.set_index("scale").loc["mixed", "below_threshold"]
    assert any("`mixed`" in w for w in result.warnings) and not any("`good`" in w for w in result.warnings)
