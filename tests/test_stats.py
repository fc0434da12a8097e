"""Weighted statistics agree with hand-computed examples and with scipy / statsmodels / scikit-learn."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from portrait.survey import banner
from portrait import stats
from portrait.interviews.agreement import cohen_kappa


def test_effective_base_by_hand():
    assert stats.effective_base([1, 1, 2]) == pytest.approx(16 / 6)  # (1+1+2)² / (1+1+4)
    assert stats.effective_base(np.ones(7)) == 7
    assert stats.effective_base(pd.Series([0.5, 0.5])) == 2
    assert stats.effective_base([]) == 0.0


def test_weighted_mean_sd_by_hand_and_as_descrstatsw():
    mean, sd = stats.weighted_mean_sd([1, 2, 3], [1, 1, 2])
    assert mean == pytest.approx(2.25)
    assert sd == pytest.approx(np.sqrt(0.6875))  # (1.25² + 0.25² + 2·0.75²) / 4
    rng = np.random.default_rng(0)
    x, w = rng.normal(5, 2, 400), rng.lognormal(0, 0.6, 400)
    described = DescrStatsW(x, weights=w, ddof=0)
    assert stats.weighted_mean_sd(x, w) == pytest.approx((described.mean, described.std), abs=1e-12)


def test_constant_variable_has_exact_mean_and_no_spread():
    rng = np.random.default_rng(1)
    for n in (63, 237, 300):
        assert stats.weighted_mean_sd(np.full(n, 2.0), rng.lognormal(0, 0.5, n)) == (2.0, 0.0)


def test_welch_unweighted_is_scipys_welch_test():
    rng = np.random.default_rng(2)
    x1, x2 = rng.normal(0, 1, 40), rng.normal(0.5, 2, 70)
    expected = scipy_stats.ttest_ind(x1, x2, equal_var=False).pvalue
    assert stats.welch_p(x1, np.ones(40), x2, np.ones(70)) == pytest.approx(expected, abs=1e-12)


def test_welch_weighted_is_compare_means_on_effective_bases():
    # statsmodels' CompareMeans counts the sum of weights as the sample size; with the weights rescaled
    # to sum to the effective base it is the test the workbook runs (and differs from the raw weights).
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(3, 1, 80), rng.normal(3.3, 1.2, 120)
    w1, w2 = rng.lognormal(0, 0.7, 80), rng.lognormal(0, 0.7, 120)

    def described(x, w, total):
        return DescrStatsW(x, weights=w * total / w.sum(), ddof=0)

    on_effective = CompareMeans(described(x1, w1, stats.effective_base(w1)),
                                described(x2, w2, stats.effective_base(w2))).ttest_ind(usevar="unequal")[1]
    on_weights = CompareMeans(DescrStatsW(x1, weights=w1), DescrStatsW(x2, weights=w2)).ttest_ind(usevar="unequal")[1]
    p = stats.welch_p(x1, w1, x2, w2)
    assert p == pytest.approx(on_effective, abs=1e-12)
    assert abs(p - on_weights) > 1e-4
    (m1, s1), (m2, s2) = stats.weighted_mean_sd(x1, w1), stats.weighted_mean_sd(x2, w2)
    assert stats.welch_p_from_summary(m1, s1, stats.effective_base(w1), m2, s2,
                                      stats.effective_base(w2)) == pytest.approx(p, abs=1e-12)


def test_welch_without_a_testable_difference_is_nan_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(stats.welch_p(np.zeros(5), np.ones(5), np.zeros(8), np.ones(8)))
        assert np.isnan(stats.welch_p(np.array([1.0]), np.ones(1), np.zeros(8), np.ones(8)))
        assert np.isnan(stats.welch_p_from_summary(1.0, 1.0, np.nan, 2.0, 1.0, 10.0))


def test_proportion_p_by_hand_and_as_statsmodels():
    z = 0.2 / np.sqrt(0.4 * 0.6 * (1 / 100 + 1 / 100))  # pooled share 0.4
    assert stats.proportion_p(0.5, 100, 0.3, 100) == pytest.approx(2 * scipy_stats.norm.sf(z), abs=1e-12)
    expected = proportions_ztest([0.42 * 57.3, 0.61 * 88.1], [57.3, 88.1])[1]
    assert stats.proportion_p(0.42, 57.3, 0.61, 88.1) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("p1, n1, p2, n2", [(0, 50, 0, 60), (1, 50, 1, 60), (0.3, 1.5, 0.4, 60),
                                            (np.nan, 50, 0.4, 60), (1.0, 50, 1 - 1e-13, 60),
                                            (0.0, 40, 1e-13, 30)])
def test_proportion_p_is_nan_when_nothing_to_test(p1, n1, p2, n2):
    # Shares a float rounding apart (a weighted 99.99999... % against 100 %) have no variance either: no
    # spurious infinite z statistic and p = 0, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(stats.proportion_p(p1, n1, p2, n2))


def test_top_box_by_hand():
    values = pd.Series([5, 4, 3, 2, np.nan])
    result = stats.top_box(values, [4, 5])
    low, high = proportion_confint(2, 4, method="wilson")
    assert result == {"estimate": 50.0, "ci low": round(100 * low, 1), "ci high": round(100 * high, 1),
                      "base": 4, "effective base": 4.0}
    weighted = stats.top_box(values, [4, 5], pd.Series([2.0, 1, 1, 2, 9]))
    assert weighted["estimate"] == 50.0 and weighted["effective base"] == 3.6  # 6² / 10


def test_nps_by_hand():
    result = stats.nps(pd.Series([10, 9, 8, 7, 6, 0, np.nan]))
    half = 100 * 1.959964 * np.sqrt((1 / 3 + 1 / 3) / 6)
    assert result["estimate"] == 0.0 and result["base"] == 6
    assert result["ci low"] == pytest.approx(-half, abs=0.05) and result["ci high"] == pytest.approx(half, abs=0.05)
    weighted = stats.nps(pd.Series([10, 5, 8]), pd.Series([2.0, 1, 1]))
    assert (weighted["estimate"], weighted["promoters %"], weighted["detractors %"]) == (25.0, 50.0, 25.0)


def test_net_promoter_is_the_unrounded_nps_estimate():
    rng = np.random.default_rng(4)
    scores = pd.Series(rng.integers(0, 11, 200).astype(float))
    scores[:10] = np.nan
    weights = pd.Series(rng.lognormal(0, 0.5, 200))
    assert round(stats.net_promoter(scores, weights), 1) == stats.nps(scores, weights)["estimate"]
    assert stats.net_promoter(pd.Series([10.0, 5.0, 8.0], index=[3, 1, 2]),
                              pd.Series([1.0, 1.0, 2.0], index=[2, 3, 1])) == pytest.approx(-25.0)  # by index
    assert np.isnan(stats.net_promoter(pd.Series([np.nan, np.nan]), pd.Series([1.0, 1.0])))


def test_banner_keeps_its_headline_names():
    assert banner.nps is stats.nps and banner.top_box is stats.top_box


def test_kappa_by_hand():
    a = [1, 1, 0, 0, 1, 0, 1, 1]
    b = [1, 0, 0, 0, 1, 1, 1, 1]
    # observed 6/8; chance (5/8)² + (3/8)² = 34/64; kappa = (48/64 - 34/64) / (30/64) = 7/15
    assert cohen_kappa(a, b) == pytest.approx(7 / 15, abs=1e-12)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_kappa_of_a_code_nobody_used_is_nan_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(cohen_kappa(np.zeros(9, int), np.zeros(9, int)))
        assert np.isnan(cohen_kappa([], []))
    assert cohen_kappa(np.zeros(9, int), np.ones(9, int)) == 0.0
