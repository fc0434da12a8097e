"""Scale reliability: Cronbach's alpha per scale and alpha if each item were deleted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha on complete cases: k/(k-1) * (1 - sum of item variances / variance of the sum)."""
    complete = items.astype("float64").dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        return float("nan")
    cov = np.cov(complete.to_numpy(), rowvar=False, ddof=1)
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


@dataclass
class ReliabilityResult:
    """One row per scale (alpha, base, warning) and one per item (alpha if deleted)."""

    scales: pd.DataFrame
    items: pd.DataFrame
    threshold: float

    def summary(self) -> pd.DataFrame:
        return self.scales

    def to_frame(self, title_of: Callable[[str], str] | None = None) -> pd.DataFrame:
        """Alpha if each item were deleted; with `title_of` (Codebook.item_text) the items in the study's own words."""
        return self.items if title_of is None else self.items.assign(item=self.items["item"].map(title_of))

    @property
    def warnings(self) -> list[str]:
        return [f"scale `{row.scale}`: alpha {row.alpha:.2f} is below {self.threshold:.2f}; "
                "check reverse items or drop the weakest item."
                for row in self.scales.itertuples() if row.below_threshold]


def scale_reliability(data: pd.DataFrame, scales: dict[str, list[str]], threshold: float = 0.7) -> ReliabilityResult:
    """Alpha for each scale (name -> item columns), with a warning flag below `threshold`."""
    scale_rows, item_rows = [], []
    for name, items in scales.items():
        frame = data[items]
        alpha = cronbach_alpha(frame)
        scale_rows.append({"scale": name, "items": len(items), "n": int(frame.dropna().shape[0]),
                           "alpha": round(alpha, 3), "threshold": threshold, "below_threshold": bool(alpha < threshold)})
        for item in items:
            rest = [i for i in items if i != item]
            if_deleted = cronbach_alpha(frame[rest]) if len(rest) >= 2 else float("nan")
            item_rows.append({"scale": name, "item": item, "alpha_if_deleted": round(if_deleted, 3),
                              "raises_alpha": bool(if_deleted > alpha)})
    columns = ["scale", "items", "n", "alpha", "threshold", "below_threshold"]
    return ReliabilityResult(pd.DataFrame(scale_rows, columns=columns), pd.DataFrame(item_rows), threshold)
