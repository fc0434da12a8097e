"""A run's snapshot: what a later run compares with, kept beside the run's report (`<run>/snapshot/`).

Small and pseudonymous: per segmented unit its segment, weight, pseudonymous key and the segment the run's own
typing tool gives it; the segment profiles (aggregates), also as the run's typing tool assigns the segments; segment names and personas; the RFM segment and spend
per card key; headline measures per segment (size, value share, NPS) and per RFM segment; the typing tool; the
run's parameters and input hashes. No answer, name or free text.

`capture(study)` reads the processed outputs of a study (in a run, its staging folder); the same object, in
memory, also holds the units' coded answers, so an earlier run's typing tool can classify this run's units —
those answers are never saved. What the comparison took from them is: each unit's segment by the earlier run's tool
(`typed_earlier`) and the profiles through it, so a saved snapshot compares with its earlier run as the run did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from portrait import __version__
from portrait.io import atomic, catalog
from portrait.segments.typing_tool import TypingTool

KEYS = ("person_key", "card_key")        # pseudonymous keys a unit may carry


@dataclass
class Snapshot:
    meta: dict                                # run_id, captured (UTC), study, unit, weighted, inputs, parameters
    units: pd.DataFrame                       # segment, weight, typed (own tool), keys
    profiles: pd.DataFrame                    # segment_profiles of the run
    names: dict[int, str]                     # segment -> name
    metrics: pd.DataFrame                     # measure, group, value: sizes, value shares, NPS, RFM shares
    rfm: pd.DataFrame | None = None           # card_key, rfm_segment, monetary
    personas: list[dict] = field(default_factory=list)   # id, segment, name, primary, rank
    tool: TypingTool | None = None
    typed_profiles: pd.DataFrame | None = None  # profiles of the units as the run's own typing tool assigns them
    answers: pd.DataFrame | None = field(default=None, repr=False)   # in memory only: the units' coded answers
    by_earlier: pd.DataFrame | None = field(default=None, repr=False)  # profiles through the earlier run's tool

    @property
    def date(self) -> str:
        """The day of the run (UTC), as the report says "since <date>"."""
        return str(self.meta.get("captured", ""))[:10]

    @property
    def run_id(self) -> str | None:
        return self.meta.get("run_id")


def capture(study) -> Snapshot:
    """The snapshot of a study's processed outputs (steps 04 and 05)."""
    from portrait.personas import persona_sources

    sources = persona_sources.load(study)
    segments = study.read(catalog.SEGMENTS).dropna(subset=["segment"])
    units = pd.DataFrame({"segment": segments["segment"].astype("int64").to_numpy(),
                          "weight": (segments["weight"].astype("float64") if "weight" in segments
                                     else pd.Series(1.0, index=segments.index)).to_numpy()})
    for key in KEYS:
        if key in segments:
            units[key] = segments[key].astype("string").to_numpy()
    answers = None
    tool = TypingTool.load(study.path(catalog.TYPING_TOOL)) if study.path(catalog.TYPING_TOOL).exists() else None
    if sources.coded is not None and "respondent_id" in segments:
        coded = sources.coded.set_index(sources.coded["respondent_id"].to_numpy())
        answers = coded.reindex(segments["respondent_id"].to_numpy()).reset_index(drop=True)
        answers = answers.select_dtypes("number")
    if tool is not None and answers is not None:
        units["typed"] = classify(tool, answers)
    earlier = _earlier_tool(study)
    if earlier is not None and answers is not None:  # kept so that the saved snapshot compares as the run did
        units["typed_earlier"] = classify(earlier[1], answers)
    rfm = None
    if study.has(catalog.RFM_CUSTOMERS):
        rfm = study.read(catalog.RFM_CUSTOMERS)[["card_key", "rfm_segment", "monetary"]].reset_index(drop=True)
    meta = {"study": study.name, "captured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "unit": sources.unit, "weighted": bool(sources.choice.get("weighted", False)),
            "model": sources.choice.get("model"), "k": sources.choice.get("k"), "version": __version__,
            "inputs": _inputs(study), "typed_earlier_by": earlier[0] if earlier is not None else None}
    typed = by_earlier = None
    if study.has(catalog.SEGMENT_PROFILES_TYPED):
        from portrait.history.typed_profiles import THIS_RUN

        table = study.read(catalog.SEGMENT_PROFILES_TYPED)
        own = table["tool"] == THIS_RUN
        typed = table[own].drop(columns="tool").reset_index(drop=True)
        by_earlier = table[~own].reset_index(drop=True)
    return Snapshot(meta, units, sources.profile.reset_index(drop=True), dict(sources.names),
                    _metrics(sources, rfm), rfm, _personas(study), tool, typed, answers, by_earlier)


def _earlier_tool(study) -> tuple[str, TypingTool] | None:
    """The run this run's comparison looked back at, and its typing tool (None without either)."""
    from portrait.history import runs

    run_id = compared_with(study)
    if not run_id:
        return None
    path = runs.reports_folder(study) / run_id / runs.SNAPSHOT / "typing_tool.pkl"
    return (run_id, TypingTool.load(path)) if path.exists() else None


def classify(tool: TypingTool, answers: pd.DataFrame) -> pd.Series:
    """Each unit's segment by `tool` (Int64; missing where an item of the tool is unanswered or absent)."""
    if any(item not in answers for item in tool.items_):
        return pd.Series(pd.NA, index=answers.index, dtype="Int64")
    typed = tool.predict(answers)["segment"].astype("int64")
    return typed.reindex(answers.index).astype("Int64")


def _metrics(sources, rfm: pd.DataFrame | None) -> pd.DataFrame:
    """The headline measures a trend follows: per segment its share %, value share % and NPS (from step 05's
    facts, the one place they are computed); per RFM segment its % of customers and % of value."""
    rows = []
    facts = sources.facts.drop(index="total", errors="ignore")
    for segment, row in facts.iterrows():
        for measure, column in (("share %", "share"), ("value share %", "value_share"), ("NPS", "nps_score")):
            if column in row and pd.notna(row[column]):
                rows.append({"measure": measure, "group": str(sources.names.get(int(segment), segment)),
                             "segment": int(segment), "value": float(row[column])})
    if rfm is not None and len(rfm):
        total = rfm["monetary"].sum()
        for name, part in rfm.groupby("rfm_segment", sort=True):
            rows.append({"measure": "RFM % of customers", "group": str(name), "segment": -1,
                         "value": 100 * len(part) / len(rfm)})
            rows.append({"measure": "RFM % of value", "group": str(name), "segment": -1,
                         "value": 100 * part["monetary"].sum() / total if total else np.nan})
    return pd.DataFrame(rows, columns=["measure", "group", "segment", "value"])


def _personas(study) -> list[dict]:
    path = study.path(catalog.PERSONAS)
    if not path.exists():
        return []
    cards = json.loads(path.read_text(encoding="utf-8")).get("personas", [])
    return [{"id": c.get("id"), "segment": c.get("segment"), "name": c.get("name"), "primary": c.get("primary"),
             "rank": c.get("rank")} for c in cards]


def _inputs(study) -> dict:
    """The input hashes step 01 recorded (manifest), per source: path and sha256."""
    path = study.path(catalog.MANIFEST)
    if not path.exists():
        return {}
    inputs = json.loads(path.read_text(encoding="utf-8")).get("inputs", {})
    return {name: {"path": v.get("path"), "sha256": v.get("sha256")} for name, v in inputs.items()
            if isinstance(v, dict)}


def save(snap: Snapshot, folder: Path, run_id: str, parameters: dict | None = None) -> Path:
    """Write the snapshot into `folder` (each file atomically; answers are not written)."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {**snap.meta, "run_id": run_id, "parameters": _plain(parameters or {}),
            "names": {str(k): v for k, v in snap.names.items()}, "personas": snap.personas}
    atomic.write_parquet(snap.units, folder / "units.parquet")
    atomic.write_parquet(snap.profiles, folder / "profiles.parquet")
    atomic.write_parquet(snap.metrics, folder / "metrics.parquet")
    if snap.rfm is not None:
        atomic.write_parquet(snap.rfm, folder / "rfm.parquet")
    if snap.tool is not None:
        snap.tool.save(folder / "typing_tool.pkl")
    if snap.typed_profiles is not None:
        atomic.write_parquet(snap.typed_profiles, folder / "typed_profiles.parquet")
    if snap.by_earlier is not None and len(snap.by_earlier):
        atomic.write_parquet(snap.by_earlier, folder / "by_earlier.parquet")
    atomic.write_json(meta, folder / "meta.json")  # last: a folder with meta.json is complete
    return folder


def load(folder: Path) -> Snapshot:
    from portrait.errors import PortraitError

    if not (folder / "meta.json").is_file():
        raise PortraitError(f"{folder}: not a run snapshot (no meta.json); compare with another run.")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    names = {int(k): v for k, v in meta.pop("names", {}).items()}
    personas = meta.pop("personas", [])
    rfm = pd.read_parquet(folder / "rfm.parquet") if (folder / "rfm.parquet").exists() else None
    tool = TypingTool.load(folder / "typing_tool.pkl") if (folder / "typing_tool.pkl").exists() else None
    typed = pd.read_parquet(folder / "typed_profiles.parquet") if (folder / "typed_profiles.parquet").exists() else None
    by_earlier = pd.read_parquet(folder / "by_earlier.parquet") if (folder / "by_earlier.parquet").exists() else None
    return Snapshot(meta, pd.read_parquet(folder / "units.parquet"), pd.read_parquet(folder / "profiles.parquet"),
                    names, pd.read_parquet(folder / "metrics.parquet"), rfm, personas, tool, typed,
                    by_earlier=by_earlier)


def compared_with(study) -> str | None:
    """The run the study's last comparison looked back at (None when there was none)."""
    path = study.path(catalog.COMPARISON)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8")).get("compared_with")


def _plain(value):
    """Parameters as JSON can hold them (tuples as lists, anything else as text)."""
    return json.loads(json.dumps(value, default=str))
