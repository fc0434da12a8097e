"""Segmentation of 10 k, 100 k and 1 M customers with planted segments: ours against two peers, in one run.

ours (a)  `segmentation.segment`, full search: k 3-6, k-means and Gaussian mixture, 10 bootstrap re-fits,
          on all 16 variables.
ours (b)  the same full search on the 12 Likert items, latent class analysis included.
ours (e)  the full search on all 16 variables with latent class analysis (items and categories categorical,
          spend and visits normal within a class) and `choose_by="bic"`.
ours (c)  `segment` with k fixed at the planted 4, k-means only, no bootstrap, 16 variables: like-for-like
          with k-prototypes.
ours (d)  `segment` with k fixed at 4, latent class analysis only, no bootstrap, 12 items: like-for-like
          with stepmix.
kmodes    `KPrototypes(n_clusters=4, init="Cao")` on the 16 variables (numeric ones z-scored, spend logged
          first, as ours prepares them; city and channel as categorical columns), one initialisation.
stepmix   `StepMix(n_components=4, measurement="categorical")` on the 12 items coded 0-4; and the same with
          a nested descriptor (items, city, channel categorical; log spend and visits Gaussian), one
          initialisation each.

Peers run with one initialisation (kmodes' default is 10): their cheapest fit, so "ours is faster" is not
won by giving them more work. Ours keeps its own defaults: k-means with 10 starts, latent class analysis
with 3 random starts (stepmix, with a looser convergence tolerance than stepmix's default, see
segmentation.LCA_TOLERANCE). "Faster than a peer" is judged like for like, on ours' single fit at k=4
on the same variables ((c) or (d)); the ratio to ours' full search is printed beside it. Ours fits on a sample of 50,000 rows above that size and then assigns every
row (its `fit_sample`); the peers fit on every row, as their users would.

Customers are synthetic and deterministic (fixed seed), in 4 segments of 40/30/20/10 %: Likert answers are
centred on a segment-specific level per item, city and channel lean towards segment-specific shares, spend
(lognormal) and visits (Poisson) differ a little by segment. Each size is written once to bench/results/ as
parquet and reused; generating it is not measured. Every figure comes from a fresh interpreter with the
probe of _measure.py: wall seconds including imports and reading the parquet, peak resident MiB, and the
adjusted Rand index (ARI) of the labels against the planted segments, computed after the clock stops;
at 10 k each task runs 3 times and the median run is reported.
Every run, ours included, is stopped after TIME_LIMIT_SECONDS and reported as not finished; a task stopped
at one size is not run again at the larger ones (its work only grows) and is reported as not run, and why.

Run on a quiet machine (numbers under load are dominated by thread contention):
    .venv/bin/python bench/bench_segmentation.py
"""

import time
from pathlib import Path

import numpy as np
import pandas as pd
from _measure import median_of, run_limited

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / "results"
SIZES = (10_000, 100_000, 1_000_000)
SEED = 20260314
TIME_LIMIT_SECONDS = 300
MEMORY_CAP_MIB = 16 * 1024  # stop a run before it starves the 24 GiB machine
TARGET_SECONDS_1M = 60
# Runs per task at a size; the median run is reported. At 10 k a run is a few seconds, mostly imports,
# where one run alone says little.
REPEATS = {10_000: 3}

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

# Every snippet reads the cached parquet and leaves `labels` (one per row, in row order) and `picked`.
READ = """
import numpy as np, pandas as pd
data = pd.read_parquet({path!r})
planted = data.pop("planted_segment").to_numpy()
"""

OURS = READ + """
from portrait.segments.segmentation import segment
result = segment(data, {variables!r}, k_range={k_range!r}, seed=7, min_share=0.05, stability_threshold=0.8,
                 n_boot={n_boot}, models={models!r}, fit_sample=50_000, choose_by={choose_by!r})
labels = result.labels.reindex(data.index).to_numpy()
picked = f"{{result.model}} k={{result.k}}"
"""

KPROTOTYPES = READ + """
from kmodes.kprototypes import KPrototypes
numeric = data.drop(columns=["city", "channel"]).astype("float64")
numeric["spend"] = np.log1p(numeric["spend"])
numeric = (numeric - numeric.mean()) / numeric.std(ddof=0)
X = np.column_stack([numeric.to_numpy(dtype=object), data["city"].astype(str).to_numpy(dtype=object),
                     data["channel"].astype(str).to_numpy(dtype=object)])
labels = KPrototypes(n_clusters={k}, init="Cao", n_init=1, random_state=7).fit(
    X, categorical=[X.shape[1] - 2, X.shape[1] - 1]).labels_
picked = "k={k}"
"""

STEPMIX_ITEMS = READ + """
from stepmix.stepmix import StepMix
X = data[{items!r}].to_numpy() - 1
labels = StepMix(n_components={k}, measurement="categorical", n_init=1, random_state=7, verbose=0,
                 progress_bar=0).fit(X).predict(X)
picked = "k={k}"
"""

STEPMIX_MIXED = READ + """
from stepmix.stepmix import StepMix
behaviour = np.column_stack([np.log1p(data["spend"]), data["visits"]])
behaviour = (behaviour - behaviour.mean(axis=0)) / behaviour.std(axis=0)
X = np.column_stack([data[{items!r}].to_numpy() - 1, data["city"].cat.codes, data["channel"].cat.codes, behaviour])
descriptor = {{"answers": {{"model": "categorical", "n_columns": {n_categorical}}},
               "behaviour": {{"model": "gaussian_diag", "n_columns": 2}}}}
labels = StepMix(n_components={k}, measurement=descriptor, n_init=1, random_state=7, verbose=0,
                 progress_bar=0).fit(X).predict(X)
picked = "k={k}"
"""

# Runs after the probe has printed its figures, so the ARI is not timed.
SCORE = """
import json
from sklearn.metrics import adjusted_rand_score
print("\\n##" + json.dumps({"ari": adjusted_rand_score(planted, labels), "picked": picked}))
"""


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


def tasks(path: Path) -> list[tuple[str, str, tuple[str, str] | None]]:
    """(name, snippet, references) for one size. A peer's references are the ours rows its seconds are
    divided by: the full search on the same variables, and the single fit at k=4 on the same variables."""
    ours = lambda variables, k_range, n_boot, models, choose_by="silhouette": OURS.format(  # noqa: E731
        path=str(path), variables=variables, k_range=k_range, n_boot=n_boot, models=models, choose_by=choose_by)
    k = PLANTED_K
    return [
        ("ours (a) full search, k 3-6, kmeans+gmm, 16 vars", ours(MIXED, (3, 6), 10, ("kmeans", "gmm")), None),
        ("ours (b) full search incl. LCA, 12 items", ours(ITEMS, (3, 6), 10, ("kmeans", "gmm", "lca")), None),
        ("ours (e) full search by BIC incl. LCA, 16 vars", ours(MIXED, (3, 6), 10, ("kmeans", "gmm", "lca"), "bic"),
         None),
        (f"ours (c) one k-means at k={k}, 16 vars", ours(MIXED, (k, k), 0, ("kmeans",)), None),
        (f"ours (d) one LCA at k={k}, 12 items", ours(ITEMS, (k, k), 0, ("lca",)), None),
        (f"kmodes KPrototypes k={k}, 16 vars", KPROTOTYPES.format(path=str(path), k=k), ("ours (a)", "ours (c)")),
        (f"stepmix categorical k={k}, 12 items", STEPMIX_ITEMS.format(path=str(path), k=k, items=ITEMS),
         ("ours (b)", "ours (d)")),
        (f"stepmix nested k={k}, 16 vars",
         STEPMIX_MIXED.format(path=str(path), k=k, items=ITEMS, n_categorical=N_ITEMS + 2), ("ours (a)", "ours (c)")),
    ]


def ratio(peer: dict, ours: dict) -> str:
    """peer seconds / ours seconds. A stopped (or not run) task took longer than its seconds, so the ratio
    is then a bound: '>' when the peer was stopped, '<' when ours was."""
    if "stopped" in peer and "stopped" in ours:
        return "n/a"
    value = peer["seconds"] / ours["seconds"]
    bound = ">" if "stopped" in peer else "<" if "stopped" in ours else ""
    return f"{bound}{value:.2f}" if value < 1 else f"{bound}{value:.1f}"


def faster(ours: dict, peer: dict) -> str:
    """Whether ours beat the peer: ours stopped loses to a peer that finished; both stopped cannot be told."""
    if "stopped" in ours:
        return "unknown (both stopped)" if "stopped" in peer else "MISSED"
    return "holds" if "stopped" in peer or peer["seconds"] > ours["seconds"] else "MISSED"


def main() -> None:
    paths = {n: customers(n) for n in SIZES}
    holds, stopped_at = [], {}
    for n, path in paths.items():
        print(f"n = {n:,} customers, planted k = {PLANTED_K} ({'/'.join(f'{100 * s:.0f}' for s in SEGMENT_SHARE)} %)")
        print(f"{'task':<52}{'seconds':>9}{'peak MiB':>10}{'ARI':>7}  {'picked':<12}{'/ search':>9}{'/ 1 fit':>9}")
        rows = {}
        for name, snippet, references in tasks(path):
            if name in stopped_at:
                # Every task's work grows with n, so one stopped at a smaller size would be stopped again.
                figures = {"stopped": f"not run: {stopped_at[name]}", "seconds": TIME_LIMIT_SECONDS,
                           "peak_mib": float("nan")}
            else:
                runs = []
                for _ in range(REPEATS.get(n, 1)):
                    runs.append(run_limited(snippet, TIME_LIMIT_SECONDS, MEMORY_CAP_MIB, cwd=str(ROOT), after=SCORE))
                    if "stopped" in runs[-1]:
                        break
                figures = median_of(runs)
                if "stopped" in figures:
                    stopped_at[name] = f"{figures['stopped']} at n = {n:,}"
            rows[name[:8] if name.startswith("ours") else name] = figures
            if "stopped" in figures:
                memory = "" if np.isnan(figures["peak_mib"]) else f" ({figures['peak_mib']:.0f} MiB then)"
                line = f"{name:<52}{figures['stopped'] + memory:<47}"
            else:
                line = (f"{name:<52}{figures['seconds']:>9.2f}{figures['peak_mib']:>10.0f}{figures['ari']:>7.3f}  "
                        f"{figures['picked']:<12}")
            if references:
                search, single = references
                line += f"{ratio(figures, rows[search]):>9}{ratio(figures, rows[single]):>9}"
                # The like-for-like verdict: one fit at the planted k on the same variables. The full
                # search does 8-12 fits and 10 bootstrap re-fits; its ratio is printed, not judged.
                holds.append((f"ours {single[5:]} faster than {name.split(' k=')[0]} at n = {n:,}",
                              faster(rows[single], figures)))
            print(line, flush=True)
        if n == 1_000_000:
            for position, key in enumerate(("ours (a)", "ours (b)", "ours (e)")):
                full = rows[key]
                holds.insert(position, (f"segmentation of 1 M customers under {TARGET_SECONDS_1M} s ({key} full search)",
                                        "holds" if "stopped" not in full and full["seconds"] < TARGET_SECONDS_1M
                                        else "MISSED"))
        print()
    print("/ search = peer seconds / seconds of ours' full search on the same variables ((a) for the 16 variables,")
    print("(b) for the 12 items); / 1 fit = peer seconds / ours' single fit at k=4 on the same variables ((c), (d));")
    print(f"'>' / '<' = the peer / ours was stopped at {TIME_LIMIT_SECONDS} s (or not run), so the ratio is a bound.")
    print("All figures from this one run.")
    print()
    print("targets (product owner):")
    for target, verdict in holds:
        print(f"  {target:<70}{verdict}")


if __name__ == "__main__":
    main()
