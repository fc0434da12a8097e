"""Weighted statistics, in one place: effective base, weighted mean and sd, the significance tests of
banner tables and profiles, the change of a share between runs, top-box shares and the Net Promoter Score.

Every test runs on effective bases (Kish): weighting costs precision, and the effective base is the
sample size an unweighted sample of the same precision would have. Without weights it is the count.

scipy and statsmodels are imported inside the functions that use them, so that weighting, method notes
and persona facts (which need only the effective base or the NPS point estimate) load without them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def effective_base(weights) -> float:
    """Kish effective base (Σw)² / Σw²; 0 when there are no weights (or they sum to 0)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w ** 2).sum()) if w.sum() > 0 else 0.0


def weighted_mean_sd(x, weights) -> tuple[float, float]:
    """Weighted mean and population-weighted sd (ddof 0) of `x`: DescrStatsW's mean and std, to the last digits."""
    # Not DescrStatsW itself: its dot product can leave a last-digit error on a constant variable
    # (mean 1.9999999999999996, sd 4e-16), which Welch's test then calls a significant difference.
    x, weights = np.asarray(x, dtype=float), np.asarray(weights, dtype=float)
    mean = np.average(x, weights=weights)
    return float(mean), float(np.sqrt(np.average((x - mean) ** 2, weights=weights)))


def welch_p_from_summary(mean1: float, sd1: float, n1: float, mean2: float, sd2: float, n2: float) -> float:
    """Two-sided Welch t-test p of two weighted means from their population-weighted sds and effective
    bases; nan when either base is missing or under 2.

    The sd is rescaled by √(n/(n−1)) with n the effective base. statsmodels' CompareMeans would take the
    sum of weights as n (other degrees of freedom), so scipy's test from summary statistics is used.
    """
    from scipy import stats as scipy_stats

    if np.isnan(n1) or np.isnan(n2) or min(n1, n2) < 2:
        return np.nan
    return float(scipy_stats.ttest_ind_from_stats(mean1, sd1 * np.sqrt(n1 / (n1 - 1)), n1,
                                                  mean2, sd2 * np.sqrt(n2 / (n2 - 1)), n2, equal_var=False).pvalue)


def welch_p(x1, w1, x2, w2) -> float:
    """Welch's t-test of the weighted means of two groups on their effective bases (nan under 2)."""
    n1, n2 = effective_base(w1), effective_base(w2)
    if min(n1, n2) < 2:
        return np.nan
    (m1, s1), (m2, s2) = weighted_mean_sd(x1, w1), weighted_mean_sd(x2, w2)
    with warnings.catch_warnings():  # two constant groups (a share of 0 everywhere) give no p-value
        warnings.simplefilter("ignore", RuntimeWarning)
        return welch_p_from_summary(m1, s1, n1, m2, s2, n2)


def proportion_p(p1: float, n1: float, p2: float, n2: float) -> float:
    """Two-proportion z-test p of shares `p1`, `p2` (0-1) on effective bases `n1`, `n2`; nan when a base
    is under 2, a share is missing, or both shares are 0 % or both 100 % (no variance to test)."""
    from statsmodels.stats.proportion import proportions_ztest

    if min(n1, n2) < 2 or np.isnan(p1) or np.isnan(p2):
        return np.nan
    # Shares that differ only by float rounding (weighted 99.999999... % against 100 %) have no variance to
    # test either: their pooled share rounds to 0 or 1 and the z statistic would be a spurious infinity.
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    if min(pooled, 1 - pooled) < 1e-9:
        return np.nan
    return float(proportions_ztest([p1 * n1, p2 * n2], [n1, n2])[1])


def share_difference(then: float, n_then: float, now: float, n_now: float, confidence: float = 0.95) -> dict:
    """Two shares (0-1) on effective bases, as a comparison between runs reports them: then and now in %, the change
    in points with its Wald interval, and the two-proportion z-test's p (`proportion_p`)."""
    from scipy import stats as scipy_stats

    z = float(scipy_stats.norm.ppf(0.5 + confidence / 2))
    half = z * np.sqrt(then * (1 - then) / max(n_then, 1) + now * (1 - now) / max(n_now, 1))
    change = now - then
    return {"then": round(100 * then, 2), "now": round(100 * now, 2), "change": round(100 * change, 2),
            "low": round(100 * (change - half), 2), "high": round(100 * (change + half), 2),
            "p": proportion_p(then, n_then, now, n_now)}


def _answered_weights(values: pd.Series, weights: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    ok = values.notna().to_numpy()
    w = weights.reindex(values.index).to_numpy(dtype=float)[ok] if weights is not None else np.ones(ok.sum())
    return ok, w


def top_box(values: pd.Series, top: list, weights: pd.Series | None = None, confidence: float = 0.95) -> dict:
    """Share (%, `estimate`) answering one of `top` codes, with a Wilson interval on the effective base."""
    from statsmodels.stats.proportion import proportion_confint

    ok, w = _answered_weights(values, weights)
    hit = values[ok].isin(top).to_numpy()
    share = float((w * hit).sum() / w.sum())
    n = effective_base(w)
    low, high = proportion_confint(share * n, n, alpha=1 - confidence, method="wilson")
    return {"estimate": round(100 * share, 1), "ci low": round(100 * float(low), 1),
            "ci high": round(100 * float(high), 1),
            "base": int(ok.sum()), "effective base": round(n, 1)}


def nps(scores: pd.Series, weights: pd.Series | None = None, confidence: float = 0.95) -> dict:
    """Net Promoter Score (`estimate`: % promoters 9-10 minus % detractors 0-6) with a normal-approximation
    interval on the effective base."""
    from scipy import stats as scipy_stats

    ok, w = _answered_weights(scores, weights)
    x = scores[ok].astype(float).to_numpy()
    promoters = float((w * (x >= 9)).sum() / w.sum())
    detractors = float((w * (x <= 6)).sum() / w.sum())
    score = promoters - detractors
    n = effective_base(w)
    half = float(scipy_stats.norm.ppf(0.5 + confidence / 2) * np.sqrt((promoters + detractors - score ** 2) / n))
    return {"estimate": round(100 * score, 1), "ci low": round(100 * (score - half), 1),
            "ci high": round(100 * (score + half), 1), "promoters %": round(100 * promoters, 1),
            "detractors %": round(100 * detractors, 1), "base": int(ok.sum()), "effective base": round(n, 1)}


def net_promoter(scores: pd.Series, weights: pd.Series) -> float:
    """NPS point estimate (weighted % promoters 9-10 minus % detractors 0-6), unrounded; nan without answers."""
    answered = scores.dropna()
    if answered.empty:
        return np.nan
    w = weights.reindex(answered.index)
    return float(100 * (w[answered >= 9].sum() - w[answered <= 6].sum()) / w.sum())
