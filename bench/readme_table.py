"""Render the README's benchmark tables from the committed JSON, so its figures are generated, never typed.

Each table lives in README.md between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`; everything between
the two markers is replaced by the rendering of bench/results/NAME.json. Today: rfm (bench/bench_rfm.py),
segmentation (bench/bench_segmentation.py), clv (bench/bench_clv.py) and collect_transactions
(bench/bench_collect_transactions.py).

    .venv/bin/python bench/readme_table.py            # rewrite the tables in README.md
    .venv/bin/python bench/readme_table.py --check    # exit 1 if README.md is not what the JSON renders to
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "results"

THREAD_NAMES = {"ours": "ours", "ours_spark": "ours on Spark", "duckdb_floor": "DuckDB floor",
                "polars_floor": "polars floor", "pandas_same": "pandas"}
AGREEMENT_NAMES = {"ours": "ours", "ours_spark": "ours on Spark", "duckdb_floor": "the DuckDB floor",
                   "polars_floor": "the polars floor", "pandas_same": "pandas-same"}


def rfm(data: dict) -> str:
    """The RFM table: one row per size and tool, then each size's conditions and the target's verdict."""
    target = data["target"]
    lines = ["| size | tool | returns | seconds | peak MiB | × ours | × DuckDB floor |",
             "|---|---|---|---:|---:|---:|---:|"]
    for key, record in data["sizes"].items():
        size = f"{record['rows']:,} lines"
        for i, tool in enumerate(record["tools"].values()):
            first = size if i == 0 else ""
            if "failed" in tool:
                lines.append(f"| {first} | {tool['label']} | | failed: {tool['failed']} | | | |")
                continue
            if "not_run" in tool:
                lines.append(f"| {first} | {tool['label']} | {tool['not_run']} | — | — | — | — |")
                continue
            returns = f"{tool['columns']} columns: {tool['returns']}" if "columns" in tool else tool["returns"]
            seconds = f"{tool['seconds']:.2f}"
            if "stopped" in tool:
                seconds, returns = f"> {tool['seconds']:.0f}", f"{tool['stopped']}"
            lines.append(f"| {first} | {tool['label']} | {returns} | {seconds} | {tool['peak_mib']:,.0f} | "
                         f"{ratio(tool, 'ratio_to_ours')} | {ratio(tool, 'ratio_to_duckdb_floor')} |")
    lines.append("")
    for key, record in data["sizes"].items():
        lines.append(f"- {conditions(record)}")
    peak = f"{target['peak_mib']:,} MiB"
    goal = (f"{target['rows']:,} lines with every feature: ≤ {target['seconds']} s, ≤ 4 GB = {peak} peak, "
            f"≤ {target['ratio_to_floor']} × the DuckDB floor")
    if verdict := judged_verdict(data, goal):
        lines.append(verdict)
    else:
        measured = ", ".join(f"{r['rows']:,}" for r in data["sizes"].values())
        context = "; ".join(
            f"at {r['rows']:,} lines ours is {c['value']} × the DuckDB floor" for r in data["sizes"].values()
            for c in r["verdict"]["checks"] if "floor" in c["check"] and c["value"] is not None)
        lines.append(f"- Target ({goal}): not judged — only {measured} lines measured, and the target is judged "
                     f"at {target['rows']:,}{'; ' + context if context else ''}.")
    return "\n".join(lines)


def judged_verdict(data: dict, goal: str) -> str | None:
    """The target's line from the size it is judged at, each check with its value; None if not measured."""
    judged = [r for r in data["sizes"].values() if r["verdict"]["judged"]]
    if not judged:
        return None
    v = judged[0]["verdict"]
    checks = "; ".join(f"{c['check']}: {'—' if c['value'] is None else c['value']} "
                       f"{'holds' if c['holds'] else 'missed'}" for c in v["checks"])
    return f"- Target ({goal}): **{'holds' if v['holds'] else 'missed'}** — {checks}."


def ratio(tool: dict, key: str) -> str:
    if key not in tool:
        return "—"
    return f"> {tool[key]:.2f}" if "stopped" in tool else f"{tool[key]:.2f}"


def conditions(record: dict) -> str:
    c, tools = record["conditions"], record["tools"]
    threads = ", ".join(f"{THREAD_NAMES.get(k, k)} {str(t).split(' ')[0]}" for k, t in c["threads"].items()
                        if t is not None)
    versions = ", ".join(f"{name} {tools[k]['version']}" for k, name in
                         (("duckdb_floor", "DuckDB"), ("ours_spark", "pyspark"), ("polars_floor", "polars"),
                          ("pymc_marketing", "pymc-marketing"), ("lifetimes", "lifetimes"), ("pandas_same", "pandas"))
                         if tools.get(k, {}).get("version"))
    a = record.get("agreement", {})
    compared = [AGREEMENT_NAMES.get(k, k) for k in sorted(a.get("compared", []), key=list(AGREEMENT_NAMES).index)]
    agree = (f"same cards in every result, same R/F/M sums in {', '.join(compared[:-1])} and {compared[-1]}"
             if a.get("same_cards") and a.get("same_rfm_sums") and len(compared) > 1
             else "results DISAGREE (see the JSON's agreement)")
    limit = f"{c['time_limit_seconds']} s"
    if "spark_time_limit_seconds" in c:
        limit += f" ({c['spark_time_limit_seconds']} s on Spark)"
    return (f"{record['rows']:,} lines: {c['statistic']}; memory cap {c['memory_cap_mib']:,} MiB (of the whole process "
            f"tree), time limit {limit}; threads: {threads}; {c['cores']} cores, {c['ram_gib']:.0f} GiB RAM, load "
            f"average {c['load_average_before']:.1f} before, {c['load_average_after']:.1f} after; measured "
            f"{c['measured_at'][:10]} at commit {c['git_commit']} ({versions}); {agree}.")


def segmentation(data: dict) -> str:
    """The segmentation table: one row per size and like-for-like pair, ours beside the peer, the ratios, the
    agreement of the two labelings and the computed verdict; then the bootstrap's cost and each size's conditions."""
    limit = data["target"]["ratio"]
    lines = ["| size | pair (same settings) | ours s | peer s | ours MiB | peer MiB | time × | memory × | ARI ours–peer "
             f"| runs' spread s (ours / peer) | within {limit}× |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for record in data["sizes"].values():
        for i, pair in enumerate(record["pairs"]):
            first = f"{record['rows']:,}" if i == 0 else ""
            ours, peer = pair["ours"], pair["peer"]
            what = f"{pair['label']}: ours vs {peer['label']}"
            if "time_ratio" not in pair:
                lines.append(f"| {first} | {what} | {side_seconds(ours)} | {side_seconds(peer)} | | | | | | | "
                             f"not comparable: {pair['verdict']['note']} |")
                continue
            v = pair["verdict"]
            verdict = "holds" if v["holds"] else "**missed** (" + ", ".join(
                name for name, key in (("time", "time_holds"), ("memory", "memory_holds")) if not v[key]) + ")"
            lines.append(f"| {first} | {what} | {ours['seconds']:.2f} | {peer['seconds']:.2f} | {ours['peak_mib']:,.0f} | "
                         f"{peer['peak_mib']:,.0f} | {pair['time_ratio']:.2f} | {pair['memory_ratio']:.2f} | "
                         f"{pair['ari_between']:.3f} | {ours['spread_seconds']:.2f} / {peer['spread_seconds']:.2f} | "
                         f"{verdict} |")
    lines.append("")
    for record in data["sizes"].values():
        c = record["conditions"]
        settings = "; ".join(f"{p['label']}: {p['settings']}{pair_measured(p)}" for p in record["pairs"])
        versions = ", ".join(f"{name} {v}" for name, v in c["versions"].items() if v)
        statistic = c["statistic"]
        if all("measured" in p for p in record["pairs"]):  # pairs measured in runs of their own: each says how
            statistic = ("the median of each pair's runs, interleaved ours / peer, each in a fresh interpreter, "
                         "imports and reading the parquet included")
        lines.append(f"- {record['rows']:,} customers, {c['variables']} mixed variables: {statistic}; {settings}; "
                     f"threads: {c['threads']}; {c['cores']} cores, {c['ram_gib']:.0f} GiB RAM, shared with other "
                     f"work: load average {c['load_average_before']:.1f} before, {c['load_average_after']:.1f} after "
                     f"the {'latest ' if 'measured' in record['pairs'][0] else ''}run; measured {c['measured_at'][:10]} "
                     f"at commit {c['git_commit']} ({versions}).")
        boots = [f"{b['model']} {b['bootstrap_seconds']:.2f} s for {b['re_fits']} re-fits ({b['seconds_per_re_fit']:.2f} s "
                 f"each, median ARI {b['median_ari']:.3f}) on top of {b['seconds_without_bootstrap']:.2f} s"
                 for b in record["bootstrap"] if "bootstrap_seconds" in b]
        if boots:
            lines.append(f"  Bootstrap stability, measured apart ({c['bootstrap']}): {'; '.join(boots)}.")
    return "\n".join(lines)


def pair_measured(pair: dict) -> str:
    """When and under what load a pair was measured, for pairs measured in a run of their own."""
    m = pair.get("measured")
    if not m:
        return ""
    return (f" (median of {m['runs']}; load average {m['load_average_before']:.1f} before, "
            f"{m['load_average_after']:.1f} after; {m['measured_at'][:16].replace('T', ' ')} UTC, commit {m['git_commit']})")


def side_seconds(side: dict) -> str:
    return side.get("failed") or side.get("stopped") or f"{side['seconds']:.2f}"


PEER = "lifetimes"  # the CLV benchmark's like-for-like peer


def clv(data: dict) -> str:
    """The CLV table: one row per size and tool with wall and CPU time, fit and predict, peak memory and the
    ratios to the peer measured in the same run; then each size's conditions and estimates, and the verdict."""
    lines = ["| size | tool | wall s | CPU s | fit s | predict s | peak MiB | time × lifetimes | memory × lifetimes |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for record in data["sizes"].values():
        peer = record["tools"].get(PEER, {})
        for i, tool in enumerate(record["tools"].values()):
            first = f"{record['customers']:,} customers" if i == 0 else ""
            if "failed" in tool:
                lines.append(f"| {first} | {tool['label']} | failed: {tool['failed']} | | | | | | |")
                continue
            if "stopped" in tool:
                lines.append(f"| {first} | {tool['label']} | > {tool['seconds']:.0f}: {tool['stopped']} | "
                             f"{tool['cpu_seconds']:.2f} | | | {tool['peak_mib']:,.0f} | | |")
                continue
            lines.append(f"| {first} | {tool['label']} | {tool['seconds']:.2f} | {tool['cpu_seconds']:.2f} | "
                         f"{tool['fit_seconds']:.2f} | {tool['predict_seconds']:.2f} | {tool['peak_mib']:,.0f} | "
                         f"{to_peer(tool, peer, 'seconds')} | {to_peer(tool, peer, 'peak_mib')} |")
    lines.append("")
    for record in data["sizes"].values():
        c, tools = record["conditions"], record["tools"]
        versions = ", ".join(f"{name} {v}" for name, v in (
            ("pymc-marketing", tools.get("ours", {}).get("version")), ("lifetimes", tools.get(PEER, {}).get("version")),
            ("PyTensor", c.get("pytensor")), ("Python", c.get("python"))) if v)
        lines.append(f"- {record['customers']:,} customers: {c['statistic']}; memory cap {c['memory_cap_mib']:,} MiB, "
                     f"time limit {c['time_limit_seconds']} s; {c['cores']} cores, {c['ram_gib']:.0f} GiB RAM, load "
                     f"average {c['load_average_before']:.1f} before, {c['load_average_after']:.1f} after; measured "
                     f"{c['measured_at'][:10]} at commit {c['git_commit']} ({versions}); {estimates(record)}.")
    target = data["target"]
    goal = f"clv.fit + clv.predict of {target['customers']:,} customers in ≤ {target['seconds']} s wall time"
    judged = [r for r in data["sizes"].values() if r["verdict"]["judged"]]
    if judged:
        v = judged[0]["verdict"]
        value = v["checks"][0]["value"]
        seconds = "did not finish" if value is None else f"{value:.2f} s"
        lines.append(f"- Target ({goal}): **{'holds' if v['holds'] else 'missed'}** — {seconds}.")
    else:
        measured = ", ".join(f"{r['customers']:,}" for r in data["sizes"].values())
        lines.append(f"- Target ({goal}): not judged — only {measured} customers measured.")
    return "\n".join(lines)


def to_peer(tool: dict, peer: dict, key: str) -> str:
    """`tool`'s figure over the peer's, both measured in the same run; — where the peer has none."""
    return f"{tool[key] / peer[key]:.2f}" if key in peer and "stopped" not in peer else "—"


def estimates(record: dict) -> str:
    """How close ours' and the peer's estimates are, and ours' beside the parameters that made the data."""
    ours = record["tools"].get("ours", {}).get("estimates")
    if not ours:
        return "no estimates from ours"
    a = record["agreement"]
    agree = (f"largest difference between ours' and lifetimes' estimates {a['largest_abs_difference']}"
             if a.get("compared") else "lifetimes' estimates not compared")
    found = ", ".join(f"{k} {ours[k]:.3f}" for k in record["truth"])
    truth = ", ".join(f"{k} {v}" for k, v in record["truth"].items())
    return f"{agree}; ours' estimates {found} (drawn from {truth})"


COLLECT_LABELS = {"engine_duckdb": "step 01 on DuckDB (memory_limit 4 GB)",
                  "engine_spark": "step 01 on Spark local[*]",
                  "pandas_before": "step 01 as it was: pandas + pandera (commit {commit})"}


def pandas_limit(conditions: dict) -> str:
    limit = conditions.get("pandas_time_limit_seconds")
    return f" ({limit} s for the pandas path)" if limit else ""


def collect_transactions(data: dict) -> str:
    """Step 01 on a CSV export: each engine beside the pandas path it replaced, the counts each kept and
    quarantined, then each size's conditions and the target's verdict."""
    target = data["target"]
    lines = ["| size | task | seconds | peak MiB | × DuckDB | read | kept | quarantined |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for record in data["sizes"].values():
        c = record["conditions"]
        for i, (key, tool) in enumerate(record["tools"].items()):
            first = f"{record['rows']:,} lines" if i == 0 else ""
            label = COLLECT_LABELS.get(key, key).format(commit=c.get("pandas_before_commit"))
            if "failed" in tool:
                lines.append(f"| {first} | {label} | failed: {tool['failed']} | | | | | |")
                continue
            if "not_run" in tool:
                lines.append(f"| {first} | {label} | {tool['not_run']} | — | — | — | — | — |")
                continue
            if "stopped" in tool:
                lines.append(f"| {first} | {label} | > {tool['seconds']:.0f}: {tool['stopped']} | "
                             f"{tool['peak_mib']:,.0f} | — | — | — | — |")
                continue
            ratio = f"{tool['ratio_to_duckdb']:.2f}" if "ratio_to_duckdb" in tool else "—"
            lines.append(f"| {first} | {label} | {tool['seconds']:.1f} | {tool['peak_mib']:,.0f} | {ratio} | "
                         f"{tool.get('read', 0):,} | {tool.get('kept', 0):,} | {tool.get('quarantined', 0):,} |")
    lines.append("")
    for record in data["sizes"].values():
        c = record["conditions"]
        versions = ", ".join(f"{k} {v}" for k, v in c["versions"].items() if v)
        lines.append(f"- {record['rows']:,} lines: {c['statistic']}; memory cap {c['memory_cap_mib']:,} MiB (of the "
                     f"whole process tree), time limit {c['time_limit_seconds']} s"
                     f"{pandas_limit(c)}; {c['cores']} cores, "
                     f"{c['ram_gib']:.0f} GiB RAM, load average {c['load_average_before']:.1f} before, "
                     f"{c['load_average_after']:.1f} after; measured {c['measured_at'][:10]} at commit "
                     f"{c['git_commit']} ({versions}); "
                     f"{'the same counts from every finished run' if record['same_counts'] else 'counts DISAGREE'}.")
    goal = f"{target['rows']:,} lines on DuckDB: ≤ {target['seconds']} s, ≤ {target['peak']} peak"
    if verdict := judged_verdict(data, goal):
        lines.append(verdict)
    else:
        lines.append(f"- Target ({goal}): not judged — {target['rows']:,} lines not measured.")
    return "\n".join(lines)


RENDERERS = {"rfm": rfm, "segmentation": segmentation, "clv": clv, "collect_transactions": collect_transactions}


def render(readme: str, names: list[str]) -> str:
    for name in names:
        start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if len(pattern.findall(readme)) != 1:
            raise SystemExit(f"README.md needs exactly one {start} ... {end} block")
        data = json.loads((RESULTS / f"{name}.json").read_text())
        note = f"<!-- generated by bench/readme_table.py from bench/results/{name}.json: edit that, not this -->"
        block = f"{start}\n{note}\n{RENDERERS[name](data)}\n{end}"
        readme = pattern.sub(lambda _: block, readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"tables to render: {', '.join(RENDERERS)} (default: all)")
    parser.add_argument("--check", action="store_true", help="only check that README.md is up to date")
    args = parser.parse_args(argv)
    if unknown := set(args.names) - set(RENDERERS):
        parser.error(f"no table named {', '.join(sorted(unknown))}; known: {', '.join(RENDERERS)}")
    old = README.read_text()
    new = render(old, args.names or list(RENDERERS))
    if args.check:
        if new != old:
            print("README.md's benchmark tables differ from bench/results: run bench/readme_table.py")
            return 1
        print("README.md's benchmark tables match bench/results")
        return 0
    if new != old:
        README.write_text(new)
    print(f"README.md: {', '.join(args.names or RENDERERS)} table(s) {'rewritten' if new != old else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
