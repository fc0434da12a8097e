"""Wall time of `portrait run` on the demo next to its floor: one kernel start plus the notebook's own
work (its code cells executed in a plain interpreter).

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
        ("01_collect cells exec'd in plain Python", measure("""
            import matplotlib
            matplotlib.use("Agg")
            import nbformat
            nb = nbformat.read("notebooks/01_collect.ipynb", as_version=4)
            scope = {"display": lambda *a, **k: None}
            for cell in nb.cells:
                if cell.cell_type == "code":
                    exec(compile(cell.source, "01_collect", "exec"), scope)""", cwd=str(ROOT))),
    ]
    floor = rows[1][1]["seconds"] + rows[2][1]["seconds"]
    rows.append(("floor = kernel start + notebook work", {"seconds": floor, "peak_mib": float("nan")}))
    report(rows, "floor = kernel start + notebook work")


if __name__ == "__main__":
    main()
