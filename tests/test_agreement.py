"""Agreement statistics agree with scikit-learn's cohen_kappa_score and the krippendorff package."""

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from portrait.interviews.agreement import agreement, cohen_kappa, krippendorff_alpha_nominal, precision_recall


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kappa_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 3, 200)
    b = np.where(rng.random(200) < 0.7, a, rng.integers(0, 3, 200))
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_alpha_matches_krippendorff_package_with_missing_values(seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 4, (3, 120)).astype(float)
    data[1] = np.where(rng.random(120) < 0.6, data[0], data[1])
    data[rng.random(data.shape) < 0.1] = np.nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(data) == pytest.approx(expected, abs=1e-12)


def units():
    return pd.DataFrame({"document": ["d1"] * 4 + ["d2"] * 4, "turn": [2, 4, 6, 8] * 2})


def coding(rows):
    return pd.DataFrame(rows, columns=["document", "turn", "code"])


def test_agreement_per_code_and_overall():
    first = coding([("d1", 2, "price"), ("d1", 4, "price"), ("d2", 6, "kids"), ("d2", 8, "kids")])
    second = coding([("d1", 2, "price"), ("d2", 6, "kids"), ("d2", 8, "price")])
    result = agreement(first, second, units(), ["price", "kids"])
    table = result.per_code.set_index("code")
    assert table.loc["price", ["first", "second", "both"]].tolist() == [2, 2, 1]
    assert table.loc["price", "agreement %"] == 75.0
    assert table.loc["kids", "kappa"] == pytest.approx(cohen_kappa_score([0, 0, 0, 0, 0, 0, 1, 1],
                                                                         [0, 0, 0, 0, 0, 0, 1, 0]), abs=1e-3)
    decisions = np.array([[1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1],
                          [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]], dtype=float)
    assert result.alpha == pytest.approx(krippendorff.alpha(reliability_data=decisions,
                                                            level_of_measurement="nominal"), abs=1e-4)


def test_precision_recall_f1():
    predicted = coding([("d1", 2, "price"), ("d1", 4, "price"), ("d2", 6, "kids")])
    reference = coding([("d1", 2, "price"), ("d2", 6, "kids"), ("d2", 8, "kids")])
    table = precision_recall(predicted, reference, units(), ["price", "kids"]).set_index("code")
    assert table.loc["price", ["precision", "recall"]].tolist() == [0.5, 1.0]
    assert table.loc["kids", ["precision", "recall", "f1"]].tolist() == [1.0, 0.5, 0.667]
    assert table.loc["(macro average)", "f1"] == pytest.approx((0.667 + 0.667) / 2, abs=1e-3)
