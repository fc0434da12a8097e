"""Step 01 for loyalty transactions from a CSV export at 10 M and 50 M line items: read, validate, quarantine,
pseudonymise the card numbers and write the processed table, on each engine, beside the pandas path it replaced.

engine (duckdb)   `collect.collect` + `collect.write_outputs` on a study holding only the transactions, with
                  `engine: duckdb` and a 4 GB memory limit (`duckdb: {memory_limit: 4GB}`).
engine (spark)    the same study with `engine: spark` in local mode (`local[*]`), Spark's start included; at 10 M
                  only (SPARK_MAX_ROWS).
pandas (before)   the same two calls on the same study with the workbook as it was before the engines
                  (git commit PANDAS_COMMIT, exported to a temporary folder): the CSV read into pandas as text,
                  validated by pandera row by row, pseudonymised in Python, written by pyarrow; stopped after
                  PANDAS_TIME_LIMIT_SECONDS.

Like for like: the same CSV (the same rows, the same study.yml apart from the engine keys, the same secret),
each run in a fresh interpreter (imports included) under the same time limit and memory cap; after the clock
stops each run says how many line items it kept and quarantined, which must agree. The target (issue 15): at
50 M line items on DuckDB <= 60 s and <= 4 GB. Figures go to bench/results/collect_transactions.json.

The CSV is the RFM benchmark's synthetic parquet (bench_rfm.write_transactions, the same seed) written as a
till export: 16-digit card numbers, `;`-separated, dates as `YYYY-MM-DD HH:MM`; generated once per size into
bench/results/ (not versioned); generating it is not measured.
    .venv/bin/python bench/bench_collect_transactions.py                  # 10 M and 50 M
    .venv/bin/python bench/bench_collect_transactions.py --sizes 200k     # a smoke run
"""

import argparse
import subprocess
import tarfile
import tempfile
import textwrap
from pathlib import Path

import duckdb
import yaml

import bench_rfm
import _results
from _measure import median_of, run_limited

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / "results"
RESULTS = CACHE / "collect_transactions.json"
SIZES = (10_000_000, 50_000_000)
REPEATS = {10_000_000: 1, 50_000_000: 1}
DEFAULT_REPEATS = 3
PANDAS_COMMIT = "4ee6ca3"  # the last commit whose step 01 read transactions through pandas
TIME_LIMIT_SECONDS = 1800
# The pandas path is stopped sooner: at 50 M it would hold the whole export as text (tens of GB), and a run that
# cannot finish in ten minutes has said what it has to say beside DuckDB's.
PANDAS_TIME_LIMIT_SECONDS = 600
# Spark's step 01 runs at 10 M only (about 4 minutes there on 2 cores); at 50 M it would add a quarter of an hour to
# `make bench` beside a target set for DuckDB. The RFM benchmark runs Spark at every size.
SPARK_MAX_ROWS = 10_000_000
MEMORY_CAP_MIB = 20 * 1024
TARGET_ROWS, TARGET_SECONDS, TARGET_PEAK_MIB = 50_000_000, 60, 4e9 / 2**20
SECRET = "bench-secret-not-for-real-data"
JSON_VERSION = 1

STUDY = {
    "name": "bench", "languages": ["en"], "privacy": {"secret_env": "PORTRAIT_BENCH_SECRET"},
    "sources": {"transactions": {
        "path": "transactions.csv", "delimiter": ";", "encoding": "utf-8", "personal": {"Card": "card"},
        "date_format": "%Y-%m-%d %H:%M", "decimal": ".", "export_date": "2026-12-01",
        "columns": {"customer": "Card", "date": "Date", "amount": "Amount", "receipt": "Receipt", "store": "Store",
                    "city": "City", "channel": "Channel", "category": "Category", "discount": "Discount",
                    "new_collection": "New"}}},
}
ENGINES = {"engine_duckdb": {"engine": "duckdb", "duckdb": {"memory_limit": "4GB"}},
           "engine_spark": {"engine": "spark", "spark": {"master": "local[*]"}},
           "pandas_before": {}}

STEP = """
import os
os.environ["PORTRAIT_BENCH_SECRET"] = {secret!r}
from portrait import Study
from portrait.collect import collect
study = Study.load({study!r})
result = collect.collect(study, {secret!r}.encode())
collect.write_outputs(study, result, {{}})
"""
AFTER = """
_r = result.reconciliation.set_index("source").loc["transactions"]
print("##" + json.dumps({"read": int(_r["read"]), "kept": int(_r["kept"]), "quarantined": int(_r["quarantined"])}))
"""


def csv_export(n_lines: int) -> Path:
    """The till export of `n_lines` line items, written once from the RFM benchmark's parquet."""
    path = CACHE / f"collect_transactions_{bench_rfm.GENERATOR_VERSION}_{n_lines}.csv"
    if not path.exists():
        parquet = bench_rfm.transactions(n_lines)
        partial = path.with_suffix(".partial")
        with duckdb.connect() as con:
            con.execute("SET enable_progress_bar = false")
            con.execute(f"""
                COPY (SELECT lpad(CAST(hash(card_key) % 10000000000000000 AS VARCHAR), 16, '0') AS "Card",
                             strftime(date, '%Y-%m-%d %H:%M') AS "Date", amount AS "Amount", receipt AS "Receipt",
                             store AS "Store", city AS "City", channel AS "Channel", category AS "Category",
                             CASE WHEN discount THEN 'yes' ELSE 'no' END AS "Discount",
                             CASE WHEN new_collection THEN '1' ELSE '0' END AS "New"
                      FROM read_parquet('{parquet}'))
                TO '{partial}' (FORMAT csv, DELIMITER ';', HEADER true)""")
        partial.rename(path)
    return path


def study_folder(root: Path, csv: Path, tool: str) -> Path:
    folder = root / "data" / "raw" / tool
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "transactions.csv"
    if not link.exists():
        link.hardlink_to(csv)  # the same bytes inside each study folder, without copying gigabytes
    (folder / "study.yml").write_text(yaml.safe_dump({**STUDY, **ENGINES[tool]}, sort_keys=False))
    return folder


def pandas_lib(root: Path) -> Path:
    """The workbook's lib/ as of PANDAS_COMMIT, exported (not checked out) into `root`."""
    target = root / "lib_before"
    if not (target / "lib").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", PANDAS_COMMIT, "lib"], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        with tempfile.TemporaryFile() as tar:
            tar.write(archive)
            tar.seek(0)
            tarfile.open(fileobj=tar).extractall(target, filter="data")
    return target / "lib"


def measure_size(n_lines: int, root: Path, repeats: int) -> dict:
    csv = csv_export(n_lines)
    runs = {tool: [] for tool in ENGINES}
    for _ in range(repeats):
        for tool in ENGINES:
            if runs[tool] and ("stopped" in runs[tool][-1] or "failed" in runs[tool][-1]):
                continue
            if tool == "engine_spark" and n_lines > SPARK_MAX_ROWS:
                runs[tool] = [{"not_run": f"not run above {SPARK_MAX_ROWS // 1_000_000} M line items (time: see "
                                          "the RFM benchmark for Spark at every size)"}]
                continue
            folder = study_folder(root / f"{tool}-{n_lines}", csv, tool)  # one per size: the link names its CSV
            snippet = STEP.format(secret=SECRET, study=str(folder))
            if tool == "pandas_before":  # the old package first on the path, ahead of the installed one
                snippet = f"import sys; sys.path.insert(0, {str(pandas_lib(root))!r})\n" + snippet
            try:
                limit = PANDAS_TIME_LIMIT_SECONDS if tool == "pandas_before" else TIME_LIMIT_SECONDS
                runs[tool].append(run_limited(textwrap.dedent(snippet), limit, MEMORY_CAP_MIB, cwd=str(root),
                                              after=AFTER))
            except RuntimeError as error:
                runs[tool].append({"failed": str(error).strip().splitlines()[-1]})
    return {tool: next((r for r in found if "failed" in r or "not_run" in r), None) or median_of(found)
            for tool, found in runs.items()}


def entry(n_lines: int, repeats: int, figures: dict, load: tuple[float, float]) -> dict:
    tools = {}
    done = {k: f for k, f in figures.items() if "seconds" in f and "stopped" not in f and "failed" not in f}
    for tool, f in figures.items():
        row = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in f.items()}
        if "engine_duckdb" in done and tool in done:
            row["ratio_to_duckdb"] = round(f["seconds"] / done["engine_duckdb"]["seconds"], 3)
        tools[tool] = row
    counts = {(f.get("read"), f.get("kept"), f.get("quarantined")) for f in done.values()}
    duck = figures["engine_duckdb"]
    ok = "engine_duckdb" in done
    checks = [{"check": f"<= {TARGET_SECONDS} s", "value": round(duck["seconds"], 1) if ok else None,
               "holds": ok and duck["seconds"] <= TARGET_SECONDS},
              {"check": f"peak <= 4 GB = {TARGET_PEAK_MIB:.0f} MiB", "value": round(duck["peak_mib"]) if ok else None,
               "holds": ok and duck["peak_mib"] <= TARGET_PEAK_MIB}]
    judged = n_lines == TARGET_ROWS
    return {"rows": n_lines, "tools": tools, "same_counts": len(counts) == 1,
            "verdict": {"judged": judged, "checks": checks,
                        "holds": all(c["holds"] for c in checks) if judged else None},
            "conditions": {"rows": n_lines, "runs": repeats, "time_limit_seconds": TIME_LIMIT_SECONDS,
                           "pandas_time_limit_seconds": PANDAS_TIME_LIMIT_SECONDS,
                           "memory_cap_mib": MEMORY_CAP_MIB, "pandas_before_commit": PANDAS_COMMIT,
                           "versions": {p: _results.version(p) for p in ("duckdb", "pyspark", "ibis-framework")},
                           **_results.machine(load),
                           "statistic": f"median of {repeats} interleaved run(s), each a fresh interpreter, "
                                        "imports, reading the CSV and writing every output included"}}


def show(record: dict) -> None:
    c = record["conditions"]
    print(f"{c['rows']:,} line items from CSV; {c['statistic']}; load average {c['load_average_before']}")
    print(f"{'task':<16}{'seconds':>9}{'peak MiB':>10}{'x duckdb':>10}  kept / quarantined")
    for tool, t in record["tools"].items():
        if "seconds" not in t or "failed" in t:
            print(f"{tool:<16}{t.get('not_run') or 'failed: ' + str(t.get('failed'))}")
            continue
        ratio = f"{t['ratio_to_duckdb']:>10.2f}" if "ratio_to_duckdb" in t else f"{'':>10}"
        what = t.get("stopped") or f"{t.get('kept', '?'):,} / {t.get('quarantined', '?'):,}"
        print(f"{tool:<16}{t['seconds']:>9.1f}{t['peak_mib']:>10.0f}{ratio}  {what}")
    print(f"same counts from every finished run: {'yes' if record['same_counts'] else 'NO'}")
    v = record["verdict"]
    checks = "; ".join(f"{x['check']}: {x['value']} {'holds' if x['holds'] else 'MISSED'}" for x in v["checks"])
    print(f"target {'HOLDS' if v['holds'] else 'MISSED' if v['judged'] else 'not judged at this size'}: {checks}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=_results.size, default=list(SIZES))
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        for n in args.sizes:
            repeats = args.repeats or REPEATS.get(n, DEFAULT_REPEATS)
            before = _results.load_average()
            figures = measure_size(n, Path(scratch), repeats)
            record = entry(n, repeats, figures, (before, _results.load_average()))
            show(record)
            _results.save({n: record}, args.output, benchmark="collect_transactions", json_version=JSON_VERSION,
                          target={"rows": TARGET_ROWS, "seconds": TARGET_SECONDS, "peak": "4 GB = 4e9 bytes",
                                  "what": "step 01 on the transactions, DuckDB"})


if __name__ == "__main__":
    main()
