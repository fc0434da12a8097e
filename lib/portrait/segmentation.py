"""Data-driven segments: candidate models over a range of k, compared and chosen by stated rules,
with a stability check by bootstrap re-fits (adjusted Rand index).

Basis variables are z-standardised (mean 0, sd 1) over complete cases, so every attitude item
weighs the same. Candidates: k-means and a Gaussian mixture (diagonal covariance). The chosen
solution is the one with the highest silhouette among those whose smallest segment holds at least
`min_share` of respondents; a solution whose median bootstrap ARI is below `stability_threshold`
is flagged, not hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, silhouette_score
from sklearn.mixture import GaussianMixture

from .errors import PortraitError


def prepare_basis(data: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """Complete cases of `variables`, z-standardised; the index keeps the respondents' rows."""
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise PortraitError(f"basis variables {missing} are not in the data; check the notebook parameters.")
    basis = data[variables].astype("float64").dropna()
    spread = basis.std(ddof=0).replace(0, np.nan)
    if spread.isna().any():
        raise PortraitError(f"basis variables {list(spread[spread.isna()].index)} do not vary; drop them.")
    return (basis - basis.mean()) / spread


def _fit(model: str, k: int, X: np.ndarray, seed: int):
    if model == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X)
    if model == "gmm":
        return GaussianMixture(n_components=k, covariance_type="diag", n_init=3, random_state=seed).fit(X)
    raise PortraitError(f"unknown model {model!r}; use kmeans or gmm.")


def compare_models(basis: pd.DataFrame, k_range: tuple[int, int], seed: int,
                   models: tuple[str, ...] = ("kmeans", "gmm")) -> pd.DataFrame:
    """One row per (model, k): silhouette, Calinski-Harabasz, BIC (mixtures), smallest segment share."""
    X = basis.to_numpy()
    rows = []
    for model in models:
        for k in range(k_range[0], k_range[1] + 1):
            fitted = _fit(model, k, X, seed)
            labels = fitted.predict(X)
            shares = np.bincount(labels, minlength=k) / len(labels)
            rows.append({"model": model, "k": k,
                         "silhouette": round(float(silhouette_score(X, labels, sample_size=min(len(X), 3000),
                                                                    random_state=seed)), 4),
                         "calinski_harabasz": round(float(calinski_harabasz_score(X, labels)), 1),
                         "bic": round(float(fitted.bic(X)), 1) if model == "gmm" else np.nan,
                         "smallest segment %": round(100 * float(shares.min()), 1)})
    return pd.DataFrame(rows)


@dataclass
class Segmentation:
    comparison: pd.DataFrame
    model: str
    k: int
    labels: pd.Series
    reason: str
    stability: pd.Series
    stability_threshold: float

    @property
    def stable(self) -> bool:
        return float(self.stability.median()) >= self.stability_threshold

    def summary(self) -> pd.DataFrame:
        sizes = self.labels.value_counts().sort_index()
        return pd.DataFrame({"respondents": sizes, "%": (100 * sizes / sizes.sum()).round(1)}).rename_axis("segment")

    def stability_report(self) -> str:
        verdict = "stable" if self.stable else "NOT STABLE — read the segments with care"
        return (f"{self.model}, k={self.k}: bootstrap ARI median {self.stability.median():.3f} "
                f"(min {self.stability.min():.3f}, {len(self.stability)} re-fits) — {verdict} "
                f"(threshold {self.stability_threshold})")


def choose(comparison: pd.DataFrame, min_share: float) -> tuple[pd.Series, str]:
    """The candidate with the highest silhouette among those meeting the minimum segment share."""
    eligible = comparison[comparison["smallest segment %"] >= 100 * min_share]
    if eligible.empty:
        raise PortraitError(f"no candidate keeps every segment above {100 * min_share:.0f} % of respondents; "
                            "lower min_share or the k range.")
    best = eligible.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
    reason = (f"{best['model']} with k={int(best['k'])}: the highest silhouette ({best['silhouette']}) among "
              f"{len(eligible)} candidates whose smallest segment is at least {100 * min_share:.0f} % "
              f"(its smallest: {best['smallest segment %']} %).")
    return best, reason


def bootstrap_stability(basis: pd.DataFrame, model: str, k: int, labels: np.ndarray, seed: int,
                        n_boot: int = 20) -> pd.Series:
    """ARI between the chosen labels and re-fits on bootstrap samples (each predicting every respondent)."""
    X = basis.to_numpy()
    rng = np.random.default_rng(seed)
    scores = []
    for b in range(n_boot):
        sample = rng.choice(len(X), len(X), replace=True)
        refit = _fit(model, k, X[sample], seed + b + 1)
        scores.append(adjusted_rand_score(labels, refit.predict(X)))
    return pd.Series(scores, name="ARI")


def segment(data: pd.DataFrame, variables: list[str], k_range: tuple[int, int] = (3, 7), seed: int = 7,
            min_share: float = 0.05, stability_threshold: float = 0.8, n_boot: int = 20) -> Segmentation:
    """Compare candidates, choose one, label respondents 1..k (by size), and measure stability."""
    basis = prepare_basis(data, variables)
    comparison = compare_models(basis, k_range, seed)
    best, reason = choose(comparison, min_share)
    model, k = str(best["model"]), int(best["k"])
    raw = _fit(model, k, basis.to_numpy(), seed).predict(basis.to_numpy())
    # Number segments by size so that segment 1 is always the largest, run after run.
    order = {old: new for new, old in enumerate(pd.Series(raw).value_counts().index, start=1)}
    labels = pd.Series([order[x] for x in raw], index=basis.index, name="segment")
    stability = bootstrap_stability(basis, model, k, raw, seed, n_boot)
    return Segmentation(comparison, model, k, labels, reason, stability, stability_threshold)
