"""What step 04 hands on: segment assignments, RFM customers, profiles, the model choice and the
typing tool, all under `data/processed/<study>/`."""

from __future__ import annotations

import pandas as pd

from portrait.io import atomic, catalog
from portrait.segments.schemes import SchemeAssignments
from portrait.segments.segment_inputs import SegmentationData
from portrait.segments.segmentation import Segmentation
from portrait.config.study import Study
from portrait.segments.typing_tool import TOOL_FILE, TypingTool

ID_COLUMNS = {"respondents": ["respondent_id", "person_key", "weight"], "customers": ["card_key"]}


def save_outputs(study: Study, data: SegmentationData, result: Segmentation, names: dict,
                 assigned: SchemeAssignments | None, profile: pd.DataFrame, tool: TypingTool | None,
                 weak_threshold: float = 0.25, identity=None, typed_profiles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Write segments.parquet (one row per unit: ids, segment, name, every scheme), segment_profiles,
    rfm_customers (when the study has transactions), segmentation.json (unit, model, k, why, stability,
    names, and with `identity` the earlier run whose numbers and names were kept and how each segment matched)
    and the typing tool (respondents only), with the profiles through the typing tools (history.typed_profiles) when
    given; return what was written."""
    frame = data.table[ID_COLUMNS[data.unit]].copy()
    frame["segment"] = result.labels.reindex(frame.index).astype("Int64")
    frame["segment_name"] = frame["segment"].map(names).astype("string")
    if assigned is not None:
        frame = frame.join(assigned.values.add_prefix("scheme__"))
    written = {"segments": frame, "segment_profiles": profile}
    if typed_profiles is not None and len(typed_profiles):
        written["segment_profiles_typed"] = typed_profiles
    if data.rfm is not None:
        written["rfm_customers"] = data.rfm.customers
    rows = []
    for table, content in written.items():
        study.write(table, content)
        rows.append({"output": f"{table}.parquet", "rows": len(content)})
    choice = {"unit": data.unit, "model": result.model, "k": result.k, "reason": result.reason,
              "stability_median_ari": round(float(result.stability.median()), 4),
              "stability_threshold": result.stability_threshold, "stable": result.stable,
              "silhouette": round(result.silhouette, 4), "weak_threshold": weak_threshold,
              "weak": result.weak(weak_threshold), "weighted": bool(data.weighted),
              "notes": result.notes, "names": {str(k): v for k, v in sorted(names.items())},
              "sizes": {str(k): int(v) for k, v in result.labels.value_counts().sort_index().items()},
              "comparison": result.comparison.astype(object).where(result.comparison.notna(), None)
              .to_dict(orient="records")}
    if identity is not None and identity.compared_with is not None:
        table = identity.table.astype(object).where(identity.table.notna(), None)
        choice["identity"] = {"compared_with": identity.compared_with, "segments": table.to_dict(orient="records")}
    atomic.write_json(choice, study.path(catalog.SEGMENTATION))
    rows.append({"output": "segmentation.json", "rows": len(result.comparison)})
    if tool is not None:
        tool.save(study.processed / TOOL_FILE)
        rows.append({"output": TOOL_FILE, "rows": len(tool.items_)})
    return pd.DataFrame(rows)
