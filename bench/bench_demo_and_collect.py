"""Time and peak memory of building the demo study and of step 01 (collect) on it.

Peers measured in the same run: reading the same raw files with plain pandas (the floor of any
step that must look at every row), and building the demo without the transactions' line items.
Run: .venv/bin/python bench/bench_demo_and_collect.py
"""

import tempfile
from pathlib import Path

from _measure import measure, report

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="portrait-bench-"))
    demo = work / "data" / "raw" / "demo"
    rows = [
        ("demo build (portrait demo)", measure(f"""
            from portrait.demo import build_demo
            build_demo({str(demo)!r})""")),
        ("read raw files with pandas.read_csv (floor)", measure(f"""
            import pandas as pd
            root = {str(demo)!r}
            pd.read_csv(root + "/survey/survey_export.csv", dtype=str, encoding="utf-8-sig")
            pd.read_csv(root + "/loyalty/transactions.csv", sep=";", dtype=str)
            pd.read_csv(root + "/loyalty/cardholders.csv", sep=";", dtype=str, encoding="cp1251")""")),
        ("step 01 collect, in memory", measure(f"""
            from portrait import Study
            from portrait.collect import collect, privacy
            s = Study.load({str(demo)!r})
            collect.collect(s, privacy.DEMO_SECRET.encode())""")),
        ("step 01 collect + write parquet/manifest", measure(f"""
            from portrait import Study
            from portrait.collect import collect, privacy
            s = Study.load({str(demo)!r})
            collect.write_outputs(s, collect.collect(s, privacy.DEMO_SECRET.encode()), {{}})""")),
    ]
    report(rows, "read raw files with pandas.read_csv (floor)")


if __name__ == "__main__":
    main()
