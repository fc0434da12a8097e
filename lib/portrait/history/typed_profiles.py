"""Segment profiles through typing tools, so that two runs' traits are compared with one classifier.

Two k-means fits on two samples draw their borders a little differently: comparing each run's own segments would
report a trait as changed when only the border moved. Step 04 therefore also profiles its units as its own typing
tool assigns them (kept in the run's snapshot) and as the earlier run's typing tool assigns them; the comparison
then sets the earlier run's units against this run's, both typed by the earlier run's tool.
"""

from __future__ import annotations

import pandas as pd

from portrait.segments import profiles
from portrait.segments.typing_tool import TypingTool

THIS_RUN = "this run"


def typed_profiles(study, tool: TypingTool | None, answers: pd.DataFrame, variables, weights: pd.Series | None,
                   unit: str, compare_to: str = "previous") -> pd.DataFrame:
    """Long profile table with a `tool` column: `this run` (this run's tool on its units) and, when the study has an
    earlier run with a typing tool on the same unit, that run's id (its tool on this run's units). Empty without a
    typing tool (a loyalty-only study segments card customers and has none)."""
    from portrait.history import runs, snapshot

    frames = []
    if tool is not None:
        frames.append(_profile(tool, answers, variables, weights).assign(tool=THIS_RUN))
        earlier = runs.previous(runs.reports_folder(study), compare_to)
        snap = snapshot.load(earlier["folder"] / runs.SNAPSHOT) if earlier else None
        if snap is not None and snap.tool is not None and snap.meta.get("unit") == unit:
            frames.append(_profile(snap.tool, answers, variables, weights).assign(tool=earlier.get("run_id")))
    if not frames:
        return pd.DataFrame(columns=["tool", "variable", "label", "category", "segment", "value", "total", "p", "base",
                                     "effective_base", "index", "significant", "topic"])
    table = pd.concat(frames, ignore_index=True)
    return table.astype({"tool": "string", "topic": "string"})


def _profile(tool: TypingTool, answers: pd.DataFrame, variables, weights) -> pd.DataFrame:
    from portrait.history.snapshot import classify

    typed = classify(tool, answers).dropna().astype("int64")
    return profiles.profile(variables.data, typed, variables.labels, weights, topics=variables.topics)
