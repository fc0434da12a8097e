"""Segments that keep their number and name from run to run.

k-means or a mixture may number the same group differently in the next run (segment 2 becomes 3). Each segment of
this run is matched to a segment of the earlier run by profile similarity: the distance between two segments is
the mean absolute difference of their indices (total = 100, capped at 400) over the profile rows both runs have;
the Hungarian algorithm (scipy's linear_sum_assignment) pairs the segments so that the total distance is smallest.
A pair closer than `max_distance` keeps the earlier number and name; a segment of this run without such a partner
has emerged (it gets a number no earlier segment had), an earlier one without a partner has vanished.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

INDEX_CAP = 400.0
KEPT, EMERGED, VANISHED = "kept", "emerged", "vanished"


@dataclass
class Identity:
    table: pd.DataFrame                         # fitted segment, number kept or given, earlier name, distance, status
    numbers: dict[int, int]                     # fitted label -> number in this run
    names: dict[int, str] = field(default_factory=dict)   # number -> the earlier name, for segments kept
    compared_with: str | None = None

    @property
    def relabelled(self) -> bool:
        return any(k != v for k, v in self.numbers.items())

    def summary(self) -> pd.DataFrame | str:
        if self.compared_with is None:
            return "no earlier run to keep identities from: segments are numbered by size (1 = largest)"
        return self.table


def distances(earlier: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute index difference between every earlier segment (rows) and every current one (columns),
    over the (variable, category) rows both profiles hold."""
    def matrix(profile):
        frame = profile.assign(index=profile["index"].astype("float64").clip(0, INDEX_CAP))
        return frame.pivot_table(index=["variable", "category"], columns="segment", values="index", aggfunc="first")

    a, b = matrix(earlier), matrix(current)
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    out = pd.DataFrame(index=a.columns.astype(int), columns=b.columns.astype(int), dtype="float64")
    for i in a.columns:
        for j in b.columns:
            both = a[i].notna() & b[j].notna()
            out.loc[int(i), int(j)] = float((a.loc[both, i] - b.loc[both, j]).abs().mean()) if both.any() else np.nan
    return out


def match(earlier_profiles: pd.DataFrame | None, earlier_names: dict[int, str], current: pd.DataFrame,
          max_distance: float, compared_with: str | None = None) -> Identity:
    """Numbers (and earlier names) for this run's fitted segments; identity when there is no earlier run."""
    labels = sorted(int(s) for s in current["segment"].unique())
    if earlier_profiles is None or earlier_profiles.empty:
        table = pd.DataFrame({"segment": labels, "number": labels})
        return Identity(table, {s: s for s in labels})
    cost = distances(earlier_profiles, current)
    filled = cost.fillna(cost.max().max() * 10 if cost.notna().any().any() else 1.0)
    rows, cols = linear_sum_assignment(filled.to_numpy())
    pairs = {int(filled.columns[c]): (int(filled.index[r]), float(cost.iat[r, c])) for r, c in zip(rows, cols)}
    numbers, names, records = {}, {}, []
    taken = set(int(s) for s in cost.index)
    fresh = max(taken | set(labels)) + 1
    for label in labels:
        earlier, distance = pairs.get(label, (None, np.nan))
        if earlier is not None and distance <= max_distance:
            numbers[label] = earlier
            names[earlier] = earlier_names.get(earlier, f"Segment {earlier}")
            status = KEPT
        else:
            numbers[label], fresh = fresh, fresh + 1
            status = EMERGED
        records.append({"segment": label, "number": numbers[label], "earlier segment": earlier,
                        "earlier name": earlier_names.get(earlier) if earlier is not None else None,
                        "distance": round(distance, 1) if not np.isnan(distance) else None, "status": status})
    for earlier in sorted(set(int(s) for s in cost.index) - set(names)):
        records.append({"segment": None, "number": None, "earlier segment": earlier,
                        "earlier name": earlier_names.get(earlier), "distance": None, "status": VANISHED})
    table = pd.DataFrame(records).astype({"segment": "Int64", "number": "Int64", "earlier segment": "Int64"})
    return Identity(table, numbers, names, compared_with)


def relabel(result, profile: pd.DataFrame, identity: Identity):
    """The segmentation and its profile table with the segments renumbered as `identity` says."""
    numbers = identity.numbers
    labels = result.labels.map(numbers).astype("int64").rename(result.labels.name)
    return dataclasses.replace(result, labels=labels), profile.assign(segment=profile["segment"].map(numbers))


def names(identity: Identity, suggested: dict, overrides: dict | None = None) -> dict:
    """Names for this run: the earlier name for a segment kept, the suggestion for one that emerged, and the
    study's own names (`segment_names`) above both."""
    out = {int(k): v for k, v in suggested.items()}
    out.update(identity.names)
    out.update({int(k) if str(k).isdigit() else k: v for k, v in (overrides or {}).items()})
    seen = set()
    for number in sorted(out):  # an emerged segment's suggestion may repeat a kept name: names stay unique
        if out[number] in seen:
            out[number] = f"{out[number]} ({number})"
        seen.add(out[number])
    return out


def from_history(study, profile: pd.DataFrame, unit: str, compare_to: str = "previous",
                 max_distance: float = 25.0) -> Identity:
    """Match this run's segments (their `profile`) to those of the earlier run the study's history holds
    (`compare_to`: previous, a run id, or none); numbers by size when there is none."""
    from portrait.history import runs, snapshot

    earlier = runs.previous(runs.reports_folder(study), compare_to)
    if earlier is None:
        return match(None, {}, profile, max_distance)
    snap = snapshot.load(earlier["folder"] / runs.SNAPSHOT)
    if str(snap.meta.get("unit")) != unit:
        return match(None, {}, profile, max_distance)   # respondents then, cards now: nothing to match
    return match(snap.profiles, snap.names, profile, max_distance, earlier.get("run_id"))


def models_for(study, models: list[str], unit: str, compare_to: str = "previous", keep: bool = True
               ) -> tuple[list[str], str]:
    """The models step 04 compares, and a sentence saying which and why: with `keep` and an earlier run of the same
    unit whose model is among `models`, that model only (k is still chosen, so a segment may emerge or vanish),
    so that a new wave's segments stay comparable with the earlier run's; else every model of `models`."""
    from portrait.history import runs, snapshot

    every = f"models compared: {', '.join(models)}"
    earlier = runs.previous(runs.reports_folder(study), compare_to) if keep else None
    if earlier is None:
        return list(models), every
    meta = snapshot.load(earlier["folder"] / runs.SNAPSHOT).meta
    model = meta.get("model")
    if str(meta.get("unit")) != unit or model not in models:
        return list(models), f"{every} (the run compared with, {earlier['run_id']}, used {model}: not this unit's or " \
                             "not among the models)"
    return [model], (f"models compared: {model} only, the model of the run compared with ({earlier['run_id']}), so "
                     f"that this wave's segments stay comparable; k is chosen again (keep_model: false compares "
                     f"{', '.join(models)})")
