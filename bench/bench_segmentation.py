"""Segmentation, like for like: ours against scikit-learn's KMeans and against stepmix, at 100 k and 1 M customers.

Each pair does the same work on the same rows, from the same parquet, in a fresh interpreter each:

k-means   ours: `segment(data, 16 variables, k_range=(4, 4), models=("kmeans",), n_boot=0, fit_sample=rows)`;
          peer: scikit-learn's `KMeans(n_clusters=4, n_init=10, tol=1e-4, random_state=7).fit(X)` on the same
          standardised matrix, built in plain pandas/numpy by ours' documented recipe (Likert items and visits
          z-scored, spend log(1 + x) then z, city and channel one indicator per category, z / sqrt(levels)).
          Every row is fitted by both (ours' fit_sample is set to the number of rows).
LCA       ours: the same call with `models=("lca",)`; peer: stepmix's `StepMix(n_components=4, n_init=3,
          abs_tol=segmentation.LCA_TOLERANCE, random_state=7)` with the same nested measurement (items, city
          and channel categorical in stepmix's one-hot layout from `stepmix.utils.max_one_hot`, log spend and
          visits z-scored as normal within a class), `.fit(X).predict(X)` on every row.
LCA on a  (`--pairs lca_sample`, for sizes where fitting every row takes too long on a shared machine) the
sample   same, but both fit the same seeded sample of 50,000 rows (ours: its default `fit_sample`; stepmix: the
          rows ours' rule draws) and then predict every row.

Ours does what the peer does plus its own bookkeeping (the step table, silhouette on 3,000 rows,
Calinski-Harabasz, segments numbered by size): that overhead is part of ours' time. Each pair reports time
(median of --repeats runs, interleaved ours / peer), peak resident memory, the ratios ours / peer, the
adjusted Rand index (ARI) between the pair's labels and each one's ARI against the planted segments (after
the clock stops), and the verdict, computed: within TARGET_RATIO x the peer's time AND memory, or not.
The bootstrap stability check (`n_boot` re-fits on resamples of every row) is not in any pair: its cost is
measured separately, timed inside `segment` around `bootstrap_stability`, one run per model.

Customers are synthetic and deterministic (fixed seed), in 4 segments of 40/30/20/10 %: Likert answers are
centred on a segment-specific level per item, city and channel lean towards segment-specific shares, spend
(lognormal) and visits (Poisson) differ a little by segment. Each size is written once to bench/results/ as
parquet and reused (not versioned); generating it is not measured. Figures go to
bench/results/segmentation.json (a run replaces the sizes it measured); bench/readme_table.py renders the
README's table from it. The machine may be shared: the load average before and after each size is recorded.
    .venv/bin/python bench/bench_segmentation.py                   # 100 k and 1 M
    .venv/bin/python bench/bench_segmentation.py --sizes 20000     # a smoke run
    .venv/bin/python bench/bench_segmentation.py --sizes 1M --pairs lca_sample --no-bootstrap
    .venv/bin/python bench/readme_table.py                         # the README's table from the JSON
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from _measure import median_of, run_limited
from _results import git_commit, load_average, machine, machine_line, now, save, shown, size, version

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / "results"
RESULTS = CACHE / "segmentation.json"
SIZES = (100_000, 1_000_000)
DEFAULT_REPEATS = 3
SEED = 20260314
FIT_SEED = 7
K = 4
KMEANS_N_INIT, KMEANS_TOL = 10, 1e-4  # scikit-learn's tol default; ours passes none, so uses it too
LCA_N_INIT = 3
FIT_SAMPLE = 50_000  # ours' default fit_sample: the lca_sample pair fits both on this many rows
BOOT = 5  # bootstrap re-fits in the separate stability measurement
TARGET_RATIO = 1.1  # ours within this many times the peer's time and memory, in every pair
TIME_LIMIT_SECONDS = 600
MEMORY_CAP_MIB = 16 * 1024  # stop a run before it starves the 24 GiB machine
JSON_VERSION = 1
TARGET = {"ratio": TARGET_RATIO, "what": "ours within this many times the peer's time and peak memory, "
                                        "in every like-for-like pair"}
PAIR_ORDER = ("kmeans", "lca", "lca_sample")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Planted design: 4 segments of unequal size.
SEGMENT_SHARE = np.array([0.4, 0.3, 0.2, 0.1])
PLANTED_K = len(SEGMENT_SHARE)
N_ITEMS = 12
ANSWER_SPREAD = 1.0  # sd of answers around a segment's level on an item, in scale points
CITIES = ["Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro"]
CITY_SHARE = np.array([0.4, 0.2, 0.15, 0.15, 0.1])
CITY_LEAN = 0.3  # segment s puts this much extra weight on city s (the 5th city leans to no segment)
CHANNELS = ["store", "online", "app"]
CHANNEL_SHARE_BY_SEGMENT = np.array([[0.6, 0.3, 0.1], [0.3, 0.5, 0.2], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]])
LOG_SPEND_BY_SEGMENT = 7.0 + np.array([0.0, 0.3, -0.2, 0.6])
VISITS_BY_SEGMENT = np.array([3, 5, 2, 8])

ITEMS = [f"likert_{j + 1:02d}" for j in range(N_ITEMS)]
MIXED = ITEMS + ["city", "channel", "spend", "visits"]


def customers(n: int) -> Path:
    """The cached parquet of `n` customers, generated first if missing."""
    path = CACHE / f"segmentation_customers_v1_{n}.parquet"  # bump v1 when the planted design changes
    if not path.exists():
        started = time.perf_counter()
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")  # never leave a half-written file under the cached name
        planted_customers(n).to_parquet(partial, index=False)
        partial.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s (not measured)")
    return path


def draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One category per row from that row's probabilities (rows of `probabilities` sum to 1)."""
    return (rng.random(len(probabilities))[:, None] > np.cumsum(probabilities, axis=1)[:, :-1]).sum(axis=1)


def planted_customers(n: int) -> pd.DataFrame:
    # The segment profiles are the same at every size; only the customers drawn from them differ.
    profiles = np.random.default_rng(SEED)
    item_level = profiles.uniform(1.5, 4.5, (PLANTED_K, N_ITEMS))
    closeness = np.exp(-(np.arange(1, 6) - item_level[..., None]) ** 2 / (2 * ANSWER_SPREAD**2))
    answer_share = closeness / closeness.sum(axis=-1, keepdims=True)  # segment x item x answer 1-5
    city_share = (1 - CITY_LEAN) * CITY_SHARE + CITY_LEAN * np.eye(len(CITIES))[:PLANTED_K]

    rng = np.random.default_rng([SEED, n])
    segment = rng.choice(PLANTED_K, n, p=SEGMENT_SHARE)
    columns = {item: (1 + draw(rng, answer_share[segment, j])).astype("int8") for j, item in enumerate(ITEMS)}
    columns["city"] = pd.Categorical.from_codes(draw(rng, city_share[segment]), CITIES)
    columns["channel"] = pd.Categorical.from_codes(draw(rng, CHANNEL_SHARE_BY_SEGMENT[segment]), CHANNELS)
    columns["spend"] = np.round(rng.lognormal(LOG_SPEND_BY_SEGMENT[segment], 0.9), 2)
    columns["visits"] = rng.poisson(VISITS_BY_SEGMENT[segment])
    columns["planted_segment"] = segment + 1
    return pd.DataFrame(columns)



# Every snippet reads the cached parquet and leaves `labels` (one per row, in row order).
READ = """
import numpy as np, pandas as pd
data = pd.read_parquet({path!r})
planted = data.pop("planted_segment").to_numpy()
"""

OURS = READ + """
from portrait.segments.segmentation import segment
result = segment(data, {variables!r}, k_range=({k}, {k}), seed={seed}, n_boot=0, models=({model!r},),
                 fit_sample={fit_sample})
labels = result.labels.reindex(data.index).to_numpy()
"""

# The peers build the input themselves in plain pandas/numpy, as ours' docstring says it prepares it.
PEER_BASIS = READ + """
items = data[{items!r}].to_numpy(dtype="float64")
spend = np.log1p(data["spend"].to_numpy(dtype="float64"))  # strongly right-skewed: logged, as ours does
visits = data["visits"].to_numpy(dtype="float64")
zscore = lambda x: (x - x.mean(axis=0)) / x.std(axis=0)
levels = {{c: pd.factorize(data[c].astype(str), sort=True) for c in ("city", "channel")}}
"""

SKLEARN_KMEANS = PEER_BASIS + """
from sklearn.cluster import KMeans
indicators = [zscore(codes[:, None] == np.arange(len(names))) / np.sqrt(len(names)) for codes, names in levels.values()]
X = np.hstack([zscore(items), *indicators, zscore(spend)[:, None], zscore(visits)[:, None]])
labels = KMeans(n_clusters={k}, n_init={n_init}, tol={tol}, random_state={seed}).fit(X).labels_
"""

STEPMIX_LCA = PEER_BASIS + """
from stepmix.stepmix import StepMix
from stepmix.utils import max_one_hot
codes = np.column_stack([items.astype("int64") - 1, *(codes for codes, _ in levels.values())])
onehot, most, total = max_one_hot(codes)
X = np.hstack([onehot, zscore(np.column_stack([spend, visits]))])
measurement = {{"items": {{"model": "categorical", "n_columns": onehot.shape[1], "integer_codes": False,
                           "max_n_outcomes": most, "total_outcomes": total}},
                "scales": {{"model": "gaussian_diag", "n_columns": 2}}}}
rows = {rows}
model = StepMix(n_components={k}, measurement=measurement, n_init={n_init}, abs_tol={tol}, random_state={seed},
                verbose=0, progress_bar=0)
labels = model.fit(X if rows is None else X[rows]).predict(X)
"""

# The bootstrap alone: `segment` with n_boot re-fits, bootstrap_stability timed inside the run.
BOOTSTRAP = READ + """
import time
from portrait.segments import segmentation
boot_seconds = []
_stability = segmentation.bootstrap_stability
def _timed(*args, **kwargs):
    started = time.perf_counter()
    scores = _stability(*args, **kwargs)
    boot_seconds.append(time.perf_counter() - started)
    return scores
segmentation.bootstrap_stability = _timed
result = segmentation.segment(data, {variables!r}, k_range=({k}, {k}), seed={seed}, n_boot={boot},
                              models=({model!r},), fit_sample=len(data))
labels = result.labels.reindex(data.index).to_numpy()
"""

# Runs after the probe has printed its figures (not timed): labels to a file for the pair's ARI.
AFTER = """
import json
from sklearn.metrics import adjusted_rand_score
np.save({labels_path!r}, np.asarray(labels))
extra = {{"ari_planted": adjusted_rand_score(planted, labels)}}
if "boot_seconds" in globals():
    extra |= {{"bootstrap_seconds": boot_seconds[0], "median_ari": float(result.stability.median())}}
print("\\n##" + json.dumps(extra))
"""


def lca_tolerance() -> float:
    from portrait.segments.segmentation import LCA_TOLERANCE
    return LCA_TOLERANCE


def pairs(path: Path) -> list[dict]:
    """The like-for-like pairs at one size: ours and the peer, each a snippet, and the shared settings."""
    common = dict(path=str(path), k=K, seed=FIT_SEED)
    n = pq.read_metadata(path).num_rows
    sample = (f"np.sort(np.random.default_rng({FIT_SEED}).choice(len(data), {FIT_SAMPLE}, replace=False))"
              if n > FIT_SAMPLE else "None")
    return [
        {"key": "kmeans", "label": f"k-means, k={K}", "peer_label": "scikit-learn KMeans", "package": "scikit-learn",
         "settings": f"n_init {KMEANS_N_INIT}, tol {KMEANS_TOL:g}, seed {FIT_SEED}, every row, same standardised "
                     "16-column input (z; spend logged; categories as indicators z / sqrt(levels))",
         "ours": OURS.format(variables=MIXED, model="kmeans", fit_sample="len(data)", **common),
         "peer": SKLEARN_KMEANS.format(items=ITEMS, n_init=KMEANS_N_INIT, tol=KMEANS_TOL, **common)},
        {"key": "lca", "label": f"latent class analysis, k={K}", "peer_label": "stepmix StepMix", "package": "stepmix",
         "settings": f"n_init {LCA_N_INIT}, abs_tol {lca_tolerance():g}, seed {FIT_SEED}, every row, same nested "
                     "measurement (14 categorical one-hot via max_one_hot; log spend and visits z, normal in a class)",
         "ours": OURS.format(variables=MIXED, model="lca", fit_sample="len(data)", **common),
         "peer": STEPMIX_LCA.format(items=ITEMS, n_init=LCA_N_INIT, tol=lca_tolerance(), rows="None", **common)},
        {"key": "lca_sample", "label": f"latent class analysis, k={K}, fitted on a {FIT_SAMPLE:,}-row sample",
         "peer_label": "stepmix StepMix", "package": "stepmix",
         "settings": f"as the LCA pair, but both fit the same seeded sample of {min(n, FIT_SAMPLE):,} rows (ours' "
                     "default fit_sample) and then predict every row",
         "ours": OURS.format(variables=MIXED, model="lca", fit_sample=FIT_SAMPLE, **common),
         "peer": STEPMIX_LCA.format(items=ITEMS, n_init=LCA_N_INIT, tol=lca_tolerance(), rows=sample, **common)},
    ]


def run(snippet: str, labels_path: Path) -> dict:
    try:
        return run_limited(snippet, TIME_LIMIT_SECONDS, MEMORY_CAP_MIB, cwd=str(ROOT),
                           after=AFTER.format(labels_path=str(labels_path)))
    except RuntimeError as error:  # a side that breaks must not lose the others
        return {"failed": str(error).strip().splitlines()[-1]}


def done(figures: dict) -> bool:
    return "stopped" not in figures and "failed" not in figures


def measure_pair(pair: dict, repeats: int, scratch: Path) -> dict:
    """`repeats` runs of ours and the peer, interleaved; the median run of each, the ratios, the ARI
    between their labels (of the median runs) and the computed verdict."""
    runs = {"ours": [], "peer": []}
    before = load_average()
    for _ in range(repeats):
        for side in runs:
            if runs[side] and not done(runs[side][-1]):
                continue  # a run that could not finish is not tried again
            labels_path = scratch / f"{pair['key']}_{side}_{len(runs[side])}.npy"
            runs[side].append(run(pair[side], labels_path) | {"labels_path": str(labels_path)})
    figures = {side: next((r for r in rs if not done(r)), None) or median_of(rs) for side, rs in runs.items()}
    record = {"pair": pair["key"], "label": pair["label"], "settings": pair["settings"],
              # Pairs of one size may be measured in separate runs (--pairs): each carries when and under what load.
              "measured": {"runs": repeats, "load_average_before": round(before, 2),
                           "load_average_after": round(load_average(), 2), "measured_at": now(),
                           "git_commit": git_commit()}}
    for side in ("ours", "peer"):
        f = figures[side]
        row = {"label": "ours: segment()" if side == "ours" else pair["peer_label"],
               "version": version("portrait" if side == "ours" else pair["package"])}
        if "failed" in f:
            record[side] = row | {"failed": f["failed"]}
            continue
        row |= {"seconds": round(f["seconds"], 3), "peak_mib": round(f["peak_mib"], 1), "runs": f.get("runs", 1),
                "spread_seconds": round(f.get("spread", 0.0), 3)}
        if "stopped" in f:
            row["stopped"] = f["stopped"]
        else:
            row["ari_planted"] = round(f["ari_planted"], 4)
        record[side] = row
    ours, peer = figures["ours"], figures["peer"]
    if done(ours) and done(peer):
        from sklearn.metrics import adjusted_rand_score
        agreement = adjusted_rand_score(np.load(ours["labels_path"]), np.load(peer["labels_path"]))
        time_ratio, memory_ratio = ours["seconds"] / peer["seconds"], ours["peak_mib"] / peer["peak_mib"]
        record |= {"time_ratio": round(time_ratio, 3), "memory_ratio": round(memory_ratio, 3),
                   "ari_between": round(agreement, 4),
                   "verdict": {"limit": TARGET_RATIO, "time_holds": time_ratio <= TARGET_RATIO,
                               "memory_holds": memory_ratio <= TARGET_RATIO,
                               "holds": time_ratio <= TARGET_RATIO and memory_ratio <= TARGET_RATIO}}
    else:
        record["verdict"] = {"limit": TARGET_RATIO, "holds": False, "note": "a side did not finish: not comparable"}
    return record


def measure_bootstrap(path: Path, scratch: Path) -> list[dict]:
    """One run per model of `segment` with BOOT re-fits; the bootstrap's seconds as timed inside the run."""
    rows = []
    for model in ("kmeans", "lca"):
        snippet = BOOTSTRAP.format(path=str(path), variables=MIXED, k=K, seed=FIT_SEED, boot=BOOT, model=model)
        f = run(snippet, scratch / f"bootstrap_{model}.npy")
        row = {"model": model, "re_fits": BOOT}
        if not done(f):
            rows.append(row | {"not_finished": f.get("stopped") or f.get("failed")})
            continue
        boot = f["bootstrap_seconds"]
        rows.append(row | {"seconds_total": round(f["seconds"], 3), "bootstrap_seconds": round(boot, 3),
                           "seconds_per_re_fit": round(boot / BOOT, 3),
                           "seconds_without_bootstrap": round(f["seconds"] - boot, 3),
                           "peak_mib": round(f["peak_mib"], 1), "median_ari": round(f["median_ari"], 4)})
    return rows


def entry(n: int, path: Path, repeats: int, pair_records: list[dict], bootstrap: list[dict],
          load: tuple[float, float]) -> dict:
    conditions = {
        "rows": n, "file": path.name, "k": K, "variables": len(MIXED), "runs": repeats,
        "statistic": f"median of {repeats} interleaved run(s) (ours, peer, ours, ...), each in a fresh interpreter, "
                     "imports and reading the parquet included",
        "bootstrap": f"{BOOT} re-fits on resamples of every row, one run per model, timed inside segment()",
        "memory_cap_mib": MEMORY_CAP_MIB, "time_limit_seconds": TIME_LIMIT_SECONDS,
        "threads": (f"{os.environ['OMP_NUM_THREADS']} per run (OpenMP and BLAS), both sides"
                    if "OMP_NUM_THREADS" in os.environ else "library defaults (OpenMP and BLAS: every core), both sides"),
        **machine(load), "versions": {p: version(p) for p in ("scikit-learn", "stepmix", "numpy", "pandas")},
    }
    return {"rows": n, "conditions": conditions, "pairs": pair_records, "bootstrap": bootstrap,
            "holds": all(p["verdict"]["holds"] for p in pair_records)}


def show(record: dict) -> None:
    c = record["conditions"]
    print(f"{c['rows']:,} customers, k={c['k']}, {c['variables']} variables; {c['statistic']}; load average "
          f"{c['load_average_before']:.1f} before, {c['load_average_after']:.1f} after")
    print(f"{'pair':<30}{'side':<22}{'seconds':>9}{'peak MiB':>10}{'ARI planted':>12}")
    for p in record["pairs"]:
        for side in ("ours", "peer"):
            s = p[side]
            figures = (f"{s.get('failed') or s.get('stopped')}" if "failed" in s or "stopped" in s else
                       f"{s['seconds']:>9.2f}{s['peak_mib']:>10.0f}{s['ari_planted']:>12.3f}")
            print(f"{p['label'] if side == 'ours' else '':<30}{s['label']:<22}{figures}")
        v = p["verdict"]
        if "time_ratio" in p:
            print(f"{'':<30}ours / peer: time {p['time_ratio']:.2f}x, memory {p['memory_ratio']:.2f}x; ARI between "
                  f"the two: {p['ari_between']:.3f}; within {v['limit']}x: {'HOLDS' if v['holds'] else 'MISSED'}")
        else:
            print(f"{'':<30}{v['note']}")
        print(f"{'':<30}({p['settings']})")
    print(f"bootstrap stability, measured apart ({c['bootstrap']}):")
    for b in record["bootstrap"]:
        if "not_finished" in b:
            print(f"  {b['model']}: {b['not_finished']}")
            continue
        print(f"  {b['model']}: {b['bootstrap_seconds']:.2f} s for {b['re_fits']} re-fits ({b['seconds_per_re_fit']:.2f} s "
              f"each; median ARI {b['median_ari']:.3f}); segment() without them {b['seconds_without_bootstrap']:.2f} s")
    print()


def merge(record: dict, old_record: dict) -> dict:
    """A run of some pairs (--pairs) or without the bootstrap keeps what an earlier run measured at this size."""
    measured = {p["pair"] for p in record["pairs"]}
    c = old_record["conditions"]
    kept = [p if "measured" in p else p | {"measured": {  # from a run that measured the whole size
        "runs": c["runs"], "load_average_before": c["load_average_before"],
        "load_average_after": c["load_average_after"], "measured_at": c["measured_at"],
        "git_commit": c["git_commit"]}} for p in old_record["pairs"] if p["pair"] not in measured]
    record["pairs"] = sorted(kept + record["pairs"], key=lambda p: PAIR_ORDER.index(p["pair"]))
    record["bootstrap"] = record["bootstrap"] or old_record.get("bootstrap", [])
    record["holds"] = all(p["verdict"]["holds"] for p in record["pairs"])
    return record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=size, default=list(SIZES),
                        help="customers per file (default: 100k 1M); e.g. --sizes 20000 for a smoke run")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="runs per side of a pair (median)")
    parser.add_argument("--pairs", nargs="+", choices=PAIR_ORDER, default=["kmeans", "lca"],
                        help="pairs to measure; the others measured earlier at the same size are kept in the JSON")
    parser.add_argument("--no-bootstrap", action="store_true", help="skip the separate bootstrap measurement")
    parser.add_argument("--threads", type=int, help="threads per run for OpenMP and BLAS, the same for both sides "
                                                    "(default: the libraries' own, every core)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON of the figures (default: {RESULTS})")
    args = parser.parse_args(argv)
    if args.threads:  # inherited by every run: on a shared machine, fewer threads than cores contend less
        os.environ.update({name: str(args.threads) for name in THREAD_VARIABLES})
    paths = {n: customers(n) for n in args.sizes}
    print(machine_line())
    for n, path in paths.items():
        before = load_average()
        with tempfile.TemporaryDirectory() as scratch:
            records = [measure_pair(p, args.repeats, Path(scratch)) for p in pairs(path) if p["key"] in args.pairs]
            bootstrap = [] if args.no_bootstrap else measure_bootstrap(path, Path(scratch))
        record = entry(n, path, args.repeats, records, bootstrap, (before, load_average()))
        show(record)
        # One size at a time: a long run interrupted keeps what it measured.
        save({n: record}, args.output, benchmark="segmentation", json_version=JSON_VERSION, target=TARGET, merge=merge)
    print(f"figures written to {shown(args.output)}; the README's table: .venv/bin/python bench/readme_table.py")


if __name__ == "__main__":
    main()
