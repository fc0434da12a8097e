"""RIM weighting (raking): weights that reproduce target margins, with caps and a convergence report.

Weights have mean 1, so weighted counts stay on the scale of the sample. Later tables use them and
show both the unweighted base and the effective base (Kish): (sum w)^2 / sum w^2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portrait import stats
from portrait.errors import PortraitError


class WeightingError(PortraitError):
    """Targets cannot be met (or the raking did not converge); the message says which margin and why.
    After a raking that did not converge, `result` holds its last weights and margins (`converged` False)."""

    def __init__(self, message: str, result: "WeightingResult | None" = None):
        super().__init__(message)
        self.result = result


@dataclass
class WeightingResult:
    weights: pd.Series
    margins: pd.DataFrame
    iterations: int
    converged: bool
    max_deviation: float
    unweighted: int = 0

    @property
    def effective_base(self) -> float:
        return stats.effective_base(self.weights.dropna())

    @property
    def efficiency(self) -> float:
        """Kish weighting efficiency in % (100 = no loss of precision)."""
        return 100 * self.effective_base / self.weights.notna().sum()

    def summary(self) -> pd.DataFrame:
        w = self.weights.dropna()
        return pd.DataFrame([
            ("respondents weighted", len(w) - self.unweighted),
            ("respondents left at weight 1 (no value on a weighting variable)", self.unweighted),
            ("iterations", self.iterations), ("converged", self.converged),
            ("largest deviation from a target (pp)", round(100 * self.max_deviation, 6)),
            ("minimum weight", round(float(w.min()), 3)), ("maximum weight", round(float(w.max()), 3)),
            ("weighting efficiency %", round(self.efficiency, 1)), ("effective base", round(self.effective_base, 1)),
        ], columns=["measure", "value"])


def _shares(targets: dict) -> dict:
    total = sum(targets.values())
    return {k: v / total for k, v in targets.items()}


def _cap(w: np.ndarray, cap: float) -> np.ndarray:
    """Trim weights above `cap` and share the trimmed mass among the others (mean stays 1)."""
    w = w.copy()
    for _ in range(100):
        over = w >= cap
        w[over] = cap
        rest = len(w) - cap * over.sum()
        if rest <= 0 or not (~over).any():
            raise WeightingError(f"a cap of {cap} cannot keep the mean weight at 1; raise it.")
        w[~over] *= rest / w[~over].sum()
        if w.max() <= cap * (1 + 1e-12):
            break
    return w


def rake(frame: pd.DataFrame, targets: dict[str, dict], cap: float | None = None, max_iter: int = 1000,
         tolerance: float = 1e-10, missing: str = "error") -> WeightingResult:
    """Rake `frame`'s respondents to `targets` (variable -> {category: share or percent}).

    `missing="unweighted"` gives respondents with no value on a weighting variable weight 1 (they are
    counted in the summary); the default raises. Raises WeightingError when a target category
    has no respondents, a sample category has no target, or the margins are not met within
    `tolerance` after `max_iter` iterations (for example when a cap makes them unreachable).
    """
    shares = {var: _shares(t) for var, t in targets.items()}
    if absent := [var for var in shares if var not in frame.columns]:
        raise WeightingError(f"weighting variable `{absent[0]}` is not in the data; fix the weighting targets.")
    if blank := [var for var in shares if frame[var].isna().all()]:
        raise WeightingError(f"weighting variable `{blank[0]}`: no respondent of {len(frame)} has a value (a blank "
                             "column in the export?). Check the export, or drop it from the weighting targets.")
    if missing == "unweighted":
        # Respondents without a value on a weighting variable keep weight 1 and are reported.
        known = frame[list(shares)].notna().all(axis=1)
        result = rake(frame[known], targets, cap, max_iter, tolerance)
        result.weights = result.weights.reindex(frame.index).fillna(1.0)
        result.unweighted = int((~known).sum())
        return result
    for var, target in shares.items():
        values = frame[var]
        if values.isna().any():
            raise WeightingError(f"`{var}`: {int(values.isna().sum())} respondent(s) have no value; "
                                 "impute it or drop them before weighting.")
        present = set(values.unique())
        if missing := sorted(map(str, set(target) - present)):
            raise WeightingError(f"`{var}`: target categories {missing} have no respondents; merge them.")
        if extra := sorted(map(str, present - set(target))):
            raise WeightingError(f"`{var}`: categories {extra} are in the data but have no target; add them.")
    masks = {var: {c: frame[var].eq(c).to_numpy() for c in target} for var, target in shares.items()}
    w = np.ones(len(frame))
    deviation = np.inf
    for iteration in range(1, max_iter + 1):
        for var, target in shares.items():
            for category, share in target.items():
                mask = masks[var][category]
                w[mask] *= share * w.sum() / w[mask].sum()
        w *= len(w) / w.sum()
        if cap is not None:
            w = _cap(w, cap)
        deviation = max(abs(w[m].sum() / w.sum() - shares[var][c]) for var in shares for c, m in masks[var].items())
        if deviation < tolerance:
            break
    weights = pd.Series(w, index=frame.index, name="weight")
    rows = []
    for var, target in shares.items():
        for category, share in target.items():
            mask = masks[var][category]
            rows.append({"variable": var, "category": category, "sample %": round(100 * mask.mean(), 2),
                         "target %": round(100 * share, 2), "weighted %": round(100 * w[mask].sum() / w.sum(), 2)})
    result = WeightingResult(weights, pd.DataFrame(rows), iteration, bool(deviation < tolerance), float(deviation))
    if not result.converged:
        raise WeightingError(f"raking did not converge in {max_iter} iterations: a margin is still "
                             f"{100 * deviation:.3f} points off its target"
                             f"{' (the cap of ' + str(cap) + ' may make the targets unreachable)' if cap else ''}. "
                             "Raise the cap, merge small categories or relax the targets.", result)
    return result
