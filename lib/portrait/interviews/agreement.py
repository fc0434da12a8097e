"""Agreement between two coders (or a coder and the auto-coder), at turn level.

Each coder's work is a set of codes per unit (a respondent turn). Per code: percentage agreement
and Cohen's kappa on the yes/no decisions. Overall: Krippendorff's alpha (nominal) over every
unit × code decision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two raters' labels (scikit-learn's); nan when chance agreement is 1 (both raters
    used one and the same label, e.g. neither coded a code) or there is nothing to compare."""
    a, b = np.asarray(a), np.asarray(b)
    # sklearn also gives nan for a single label, but with warnings, and raises on empty input:
    # a code nobody used is an ordinary row of the agreement table, so answer nan quietly.
    if len(np.union1d(a, b)) < 2:
        return float("nan")
    return float(cohen_kappa_score(a, b))


def krippendorff_alpha_nominal(data: np.ndarray) -> float:
    """Krippendorff's alpha for nominal data; `data` is coders × units with nan for missing."""
    data = np.asarray(data, dtype=float)
    values = np.unique(data[~np.isnan(data)])
    index = {v: i for i, v in enumerate(values)}
    coincidence = np.zeros((len(values), len(values)))
    for unit in data.T:
        present = unit[~np.isnan(unit)]
        m = len(present)
        if m < 2:
            continue  # a unit coded by one coder carries no information on agreement
        for i, x in enumerate(present):
            for j, y in enumerate(present):
                if i != j:
                    coincidence[index[x], index[y]] += 1 / (m - 1)
    n = coincidence.sum()
    totals = coincidence.sum(axis=1)
    observed_disagreement = n - np.trace(coincidence)
    expected_disagreement = (n * n - (totals ** 2).sum()) / (n - 1)
    return float("nan") if expected_disagreement == 0 else 1 - observed_disagreement / expected_disagreement


def decisions(codings: pd.DataFrame, units: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """0/1 per unit (document, turn) and code from a table of codings (document, turn, code)."""
    hits = codings.assign(hit=1).pivot_table(index=["document", "turn"], columns="code", values="hit",
                                              aggfunc="max", fill_value=0)
    return (units.set_index(["document", "turn"]).join(hits.reindex(columns=codes, fill_value=0))
            .reindex(columns=codes).fillna(0).astype(int))


@dataclass
class AgreementResult:
    per_code: pd.DataFrame
    alpha: float
    units: int

    def summary(self) -> pd.DataFrame:
        return self.per_code

    def overall(self, kappa_threshold: float = 0.6) -> pd.DataFrame:
        """One row: turns compared, Krippendorff's alpha, median kappa, codes under the kappa threshold."""
        kappa = self.per_code["kappa"]
        return pd.DataFrame([{"turns compared": self.units, "Krippendorff's alpha": self.alpha,
                              "median kappa": round(float(kappa.median()), 3), "kappa threshold": kappa_threshold,
                              "codes under the threshold": int((kappa < kappa_threshold).sum())}])


def agreement(first: pd.DataFrame, second: pd.DataFrame, units: pd.DataFrame, codes: list[str],
              names: tuple[str, str] = ("first", "second")) -> AgreementResult:
    """Agreement of two codings (tables with document, turn, code) over the same `units`;
    `names` label the two coders' turn counts in the table."""
    a, b = decisions(first, units, codes), decisions(second, units, codes)
    rows = []
    for code in codes:
        x, y = a[code].to_numpy(), b[code].to_numpy()
        rows.append({"code": code, names[0]: int(x.sum()), names[1]: int(y.sum()), "both": int((x & y).sum()),
                     "agreement %": round(100 * float(np.mean(x == y)), 1), "kappa": round(cohen_kappa(x, y), 3)})
    alpha = krippendorff_alpha_nominal(np.vstack([a.to_numpy().ravel(), b.to_numpy().ravel()]))
    return AgreementResult(pd.DataFrame(rows), round(alpha, 4), len(units))


def precision_recall(predicted: pd.DataFrame, reference: pd.DataFrame, units: pd.DataFrame,
                     codes: list[str]) -> pd.DataFrame:
    """Per code precision, recall and F1 of `predicted` against `reference`, plus the macro average."""
    p, r = decisions(predicted, units, codes), decisions(reference, units, codes)
    rows = []
    for code in codes:
        tp = int((p[code] & r[code]).sum())
        fp, fn = int((p[code] & ~r[code].astype(bool)).sum()), int((~p[code].astype(bool) & r[code]).sum())
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        rows.append({"code": code, "reference": tp + fn, "predicted": tp + fp, "precision": round(precision, 3),
                     "recall": round(recall, 3), "f1": round(f1, 3)})
    table = pd.DataFrame(rows)
    macro = {"code": "(macro average)", "reference": int(table["reference"].sum()),
             "predicted": int(table["predicted"].sum()), "precision": round(table["precision"].mean(), 3),
             "recall": round(table["recall"].mean(), 3), "f1": round(table["f1"].mean(), 3)}
    return pd.concat([table, pd.DataFrame([macro])], ignore_index=True)
