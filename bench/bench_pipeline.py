"""Wall time of `portrait run` on the demo next to its floor: one kernel start plus the step's own work.

The runner executes notebooks through papermill's Python API in one process, so its overhead over
the floor should be small. Run: .venv/bin/python bench/bench_pipeline.py
"""

import tempfile
from pathlib import Path

from _measure import measure, report

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    reports = Path(tempfile.mkdtemp(prefix="portrait-bench-"))
    rows = [
        ("portrait run --steps 01 (papermill + HTML)", measure(f"""
            from pathlib import Path
            from portrait import pipeline
            pipeline.run("data/raw/demo", Path("."), ["01"], reports=Path({str(reports)!r}), progress=False,
                         say=lambda *_: None)""", cwd=str(ROOT))),
        ("kernel start + shutdown", measure("""
            from jupyter_client.manager import start_new_kernel
            km, kc = start_new_kernel(kernel_name="portrait")
            kc.execute_interactive("1")
            kc.stop_channels(); km.shutdown_kernel(now=True)""", cwd=str(ROOT))),
        ("step 01 work alone (collect + write)", measure("""
            from portrait import Study, collect, privacy
            s = Study.load("data/raw/demo")
            collect.write_outputs(s, collect.collect(s, privacy.DEMO_SECRET.encode()), {})""", cwd=str(ROOT))),
    ]
    floor = rows[1][1]["seconds"] + rows[2][1]["seconds"]
    rows.append(("floor = kernel start + step work", {"seconds": floor, "peak_mib": float("nan")}))
    report(rows, "floor = kernel start + step work")


if __name__ == "__main__":
    main()
