"""Measure, over several demo seeds, what the comparison reports between wave 2 (planted drift) and wave 3 (no new
drift): the false alarms of the sample-based tests (segment sizes, survey traits) on the wave without new drift, and
the card behaviour that still moves (the lapsed cards ageing), counted apart.

Not part of `pytest` (each seed runs the pipeline twice, about four minutes): run it by hand,
`.venv/bin/python tests/measure_waves.py --seeds 1 2 3 4 5`, and read the table it prints.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from portrait import Study, pipeline
from portrait.demo import build_demo

ROOT = Path(__file__).resolve().parents[1]
CHEAP = {"n_boot": 2, "models": ["kmeans"]}


def measure(seed: int) -> dict:
    """Waves 2 and 3 of the demo built with `seed` and run in one history; what wave 3's run reported."""
    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="portrait-waves-") as tmp:
        folder, reports = Path(tmp) / "raw" / "demo", Path(tmp) / "reports"
        for wave in (2, 3):
            build_demo(folder, seed=seed, wave=wave)
            pipeline.run(str(folder), ROOT, None, CHEAP, reports=reports, progress=False, say=lambda m: None)
        comparison = json.loads((Study.load(folder).processed / "comparison.json").read_text(encoding="utf-8"))
    sizes = pd.DataFrame(comparison["sizes"])
    segment, rfm = sizes[sizes["family"] == "Segment"], sizes[sizes["family"] == "RFM segment"]
    # Card behaviour joined to respondents (`card__…`) really moves between the waves: the cards that lapsed in wave 2
    # keep ageing through the RFM segments. Only the survey's traits are false alarms on this wave.
    traits = pd.DataFrame(comparison["traits changed"], columns=["variable"])
    card = traits["variable"].str.startswith("card__")
    return {"seed": seed, "segment size alarms": int(segment["significant"].sum()),
            "segment size tests": len(segment), "survey trait alarms": int((~card).sum()),
            "card trait changes": int(card.sum()),
            "tests in all": comparison["tests"], "RFM moves reported": int(rfm["significant"].sum()),
            "agreement %": comparison["agreement"].get("same segment %")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    rows = [measure(seed) for seed in parser.parse_args().seeds]
    print("wave 3 (no new drift) against wave 2, Holm at α = 0.05 within each family; cheap settings " + json.dumps(CHEAP))
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))
    runs_with_size_alarm = sum(r["segment size alarms"] > 0 for r in rows)
    runs_with_trait_alarm = sum(r["survey trait alarms"] > 0 for r in rows)
    print(f"seeds with any segment-size alarm: {runs_with_size_alarm}/{len(rows)}; "
          f"with any survey-trait alarm: {runs_with_trait_alarm}/{len(rows)}")


if __name__ == "__main__":
    main()
