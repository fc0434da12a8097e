"""What step 04 hands on: segment assignments, RFM customers, profiles and the typing tool."""

from __future__ import annotations

import pandas as pd

from .rfm import RfmResult
from .schemes import SchemeAssignments
from .segmentation import Segmentation
from .study import Study
from .typing_tool import TOOL_FILE, TypingTool


def save_outputs(study: Study, coded: pd.DataFrame, result: Segmentation, names: dict,
                 assigned: SchemeAssignments | None, rfm_result: RfmResult | None, profile: pd.DataFrame,
                 tool: TypingTool) -> pd.DataFrame:
    """Write segments.parquet (one row per respondent), rfm_customers, segment_profiles, typing tool."""
    frame = coded[["respondent_id", "person_key", "weight"]].copy()
    frame["segment"] = result.labels.reindex(frame.index).astype("Int64")
    frame["segment_name"] = frame["segment"].map(names).astype("string")
    if assigned is not None:
        frame = frame.join(assigned.values.add_prefix("scheme__"))
    written = {"segments": frame, "segment_profiles": profile}
    if rfm_result is not None:
        written["rfm_customers"] = rfm_result.customers
    rows = []
    for table, data in written.items():
        study.write(table, data)
        rows.append({"output": f"{table}.parquet", "rows": len(data)})
    tool.save(study.processed / TOOL_FILE)
    rows.append({"output": TOOL_FILE, "rows": len(tool.items_)})
    return pd.DataFrame(rows)
