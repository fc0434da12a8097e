"""RFM per loyalty card at 1 M, 10 M and 50 M line items: ours against two peers, in one run.

ours      `rfm.customer_features` (DuckDB straight from the parquet) + `rfm.segment` with the default rules.
lifetimes `lifetimes.utils.summary_data_from_transaction_data` on the parquet read with pandas.
pandas    plain `read_parquet` + groupby: recency, frequency (distinct receipts), monetary per card.

Every timing includes imports and reading the parquet; each runs in a fresh interpreter (see
_measure.py), peers under a time limit and a memory cap so a peer that cannot finish is reported as
such. Transactions are synthetic and deterministic (fixed seed), written once per size to
bench/results/ and reused; generating them is not measured. Run: .venv/bin/python bench/bench_rfm.py
"""

import json
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from _measure import PROBE, report

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / "results"
SIZES = (1_000_000, 10_000_000, 50_000_000)
SEED = 20260301
TIME_LIMIT_SECONDS = 600
MEMORY_CAP_MIB = 20 * 1024  # stop a run before it starves the 24 GiB machine
TARGET_SECONDS_50M = 60
TARGET_PEAK_MIB_50M = 8e9 / 2**20  # "8 GB" read strictly as 8·10^9 bytes = 7629 MiB

# Shape of the synthetic export; stores and categories are those of the demo chain.
LINES_PER_CARD = 20
FIRST_MONTH, MONTHS = np.datetime64("2024-09", "M"), 18
CATEGORIES = ["Dresses", "Tops", "Trousers", "Outerwear", "Shoes", "Bags", "Accessories", "Kids"]
CATEGORY_SHARE = [0.14, 0.2, 0.14, 0.08, 0.12, 0.1, 0.17, 0.05]
BASE_PRICE = np.array([2400, 900, 1500, 4200, 2900, 2200, 600, 800])
STORES = {"Kyiv": ["Kyiv Ocean Plaza", "Kyiv Gulliver", "Kyiv Podil"], "Lviv": ["Lviv Forum", "Lviv King Cross"],
          "Odesa": ["Odesa Riviera", "Odesa Fontan"], "Kharkiv": ["Kharkiv Nikolsky"],
          "Dnipro": ["Dnipro Most City", "Dnipro Passage"]}
CITY_SHARE = [0.4, 0.2, 0.15, 0.15, 0.1]
SCHEMA = pa.schema([("receipt", pa.large_string()), ("card_key", pa.large_string()), ("date", pa.timestamp("us")),
                    ("store", pa.large_string()), ("city", pa.large_string()), ("channel", pa.large_string()),
                    ("category", pa.large_string()), ("amount", pa.float64()), ("discount", pa.bool_()),
                    ("new_collection", pa.bool_())])

OURS = """
from portrait import rfm
features = rfm.customer_features({path!r})
result = rfm.segment(features, rfm.load_rules())
"""

LIFETIMES = """
import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data
lines = pd.read_parquet({path!r}, columns=["card_key", "date", "amount"])
summary = summary_data_from_transaction_data(lines, "card_key", "date", monetary_value_col="amount")
"""

PANDAS = """
import pandas as pd
lines = pd.read_parquet({path!r}, columns=["receipt", "card_key", "date", "amount"])
cutoff = lines["date"].max() + pd.Timedelta(days=1)
per_card = lines.groupby("card_key").agg(last=("date", "max"), frequency=("receipt", "nunique"),
                                         monetary=("amount", "sum"))
per_card["recency_days"] = (cutoff - per_card.pop("last")).dt.days
"""


def transactions(n_lines: int) -> Path:
    """The cached parquet of `n_lines` line items, generated first if missing."""
    path = CACHE / f"rfm_transactions_{n_lines}.parquet"
    if not path.exists():
        started = time.perf_counter()
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")  # never leave a half-written file under the cached name
        write_transactions(partial, n_lines)
        partial.rename(path)
        print(f"generated {path.name} in {time.perf_counter() - started:.0f} s (not measured)")
    return path


def write_transactions(path: Path, n_lines: int) -> None:
    """Receipts of 1-3 items over 18 months, written month by month in date order, like a till export;
    a month at a time keeps memory small, and each card's purchases end up spread over the whole file."""
    rng = np.random.default_rng([SEED, n_lines])
    # About one registered card in eleven buys nothing in 18 months with the propensities below, so
    # register 10 % more cards to have ~LINES_PER_CARD line items per card that appears in the data.
    n_cards = round(n_lines / LINES_PER_CARD * 1.1)
    # Card traits: skewed purchase propensity (a few heavy buyers, many occasional ones), home city,
    # how often they buy online, how much they hunt discounts.
    propensity = np.cumsum(rng.exponential(size=n_cards))
    propensity /= propensity[-1]
    home_city = rng.choice(len(STORES), n_cards, p=CITY_SHARE)
    online_share = rng.beta(1, 5, n_cards)
    discount_share = rng.beta(2, 6, n_cards)
    # Card keys look like the pseudonyms of step 01 (16 hex digits); an odd multiplier keeps them unique.
    card_keys = pa.array([f"{k:016x}" for k in np.arange(1, n_cards + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)],
                         pa.large_string())

    # Items per receipt for the whole file up front (one byte each), cut so the total is exactly n_lines.
    items = 1 + rng.binomial(2, 0.5, n_lines // 2 + 10 * math.isqrt(n_lines) + 100).astype(np.int8)
    n_receipts = int(np.searchsorted(np.cumsum(items, dtype=np.int64), n_lines)) + 1
    items = items[:n_receipts]
    items[-1] -= int(items.sum(dtype=np.int64)) - n_lines

    months = FIRST_MONTH + np.arange(MONTHS + 1)
    days = np.diff(months.astype("datetime64[D]")).astype(int)
    weight = days * np.where(months[:-1].astype(int) % 12 == 11, 1.5, 1.0)  # December busier
    receipt_bounds = np.concatenate([[0], np.round(np.cumsum(weight) / weight.sum() * n_receipts).astype(np.int64)])

    store_names = [s for stores in STORES.values() for s in stores]
    first_store = np.cumsum([0] + [len(s) for s in STORES.values()])[:-1]
    stores_in_city = np.array([len(s) for s in STORES.values()])
    labels = lambda names: pa.array(names + ["Online shop"], pa.large_string())  # noqa: E731
    store_labels, city_labels = labels(store_names), pa.array(list(STORES), pa.large_string())

    with pq.ParquetWriter(path, SCHEMA) as writer:
        for month in range(MONTHS):
            first, last = receipt_bounds[month], receipt_bounds[month + 1]
            r = last - first
            card = np.searchsorted(propensity, rng.random(r))
            start = months[month].astype("datetime64[us]")
            when = np.sort(start + (rng.integers(0, days[month], r) * 86_400 + rng.integers(10 * 3600, 21 * 3600, r))
                           * np.timedelta64(1_000_000, "us"))
            online = rng.random(r) < online_share[card]
            # Mostly a store of the home city; one receipt in ten in another city (travel).
            city = np.where(rng.random(r) < 0.9, home_city[card], rng.choice(len(STORES), r, p=CITY_SHARE))
            store = first_store[city] + rng.integers(0, 1 << 30, r) % stores_in_city[city]
            store = np.where(online, len(store_names), store)
            receipt_ids = pc.binary_join_element_wise(
                "R", pc.utf8_lpad(pc.cast(pa.array(np.arange(first, last) + 1), pa.string()), 10, "0"), "")

            per_line = np.repeat(np.arange(r), items[first:last])
            m = len(per_line)
            line_card = card[per_line]
            category = rng.choice(len(CATEGORIES), m, p=CATEGORY_SHARE)
            discount = rng.random(m) < discount_share[line_card]
            amount = np.round(BASE_PRICE[category] * rng.lognormal(0, 0.3, m) * np.where(discount, 0.7, 1.0), 2)
            writer.write_table(pa.table({
                "receipt": pc.cast(receipt_ids, pa.large_string()).take(per_line),
                "card_key": card_keys.take(line_card),
                "date": pa.array(when[per_line]),
                "store": store_labels.take(store[per_line]),
                "city": city_labels.take(city[per_line]),
                "channel": pa.array(np.where(online, "online", "store")[per_line], pa.large_string()),
                "category": pa.array(np.asarray(CATEGORIES, dtype=object)[category], pa.large_string()),
                "amount": amount,
                "discount": discount,
                "new_collection": rng.random(m) < 0.2,
            }, schema=SCHEMA))


def run_limited(body: str, seconds: float = TIME_LIMIT_SECONDS, cap_mib: float = MEMORY_CAP_MIB) -> dict:
    """Like _measure.measure, but stops the run after `seconds` or above `cap_mib` resident memory;
    then the result carries `stopped` (why) and the largest resident memory seen until then."""
    code = PROBE.format(body=textwrap.dedent(body))
    child = subprocess.Popen([sys.executable, "-c", code], cwd=str(ROOT), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    watched, started, seen_mib, stopped = psutil.Process(child.pid), time.perf_counter(), 0.0, None
    while child.poll() is None:
        try:
            seen_mib = max(seen_mib, watched.memory_info().rss / 2**20)
        except psutil.NoSuchProcess:
            break
        if time.perf_counter() - started > seconds:
            stopped = f"did not finish in {seconds:.0f} s"
        elif seen_mib > cap_mib:
            stopped = f"stopped above {cap_mib:.0f} MiB resident"
        if stopped:
            child.kill()
            child.communicate()
            return {"stopped": stopped, "seconds": time.perf_counter() - started, "peak_mib": seen_mib}
        time.sleep(0.2)
    out, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"benchmark snippet failed:\n{err[-2000:]}")
    return json.loads(next(line[2:] for line in out.splitlines() if line.startswith("@@")))


def main() -> None:
    paths = {n: transactions(n) for n in SIZES}
    holds = []
    for n, path in paths.items():
        label = f"{n / 1e6:g} M lines, {pq.read_metadata(path).num_rows:,} rows"
        ours = f"ours: customer_features + segment ({label})"
        rows = [
            (ours, run_limited(OURS.format(path=str(path)))),
            ("lifetimes summary_data_from_transaction_data", run_limited(LIFETIMES.format(path=str(path)))),
            ("pandas read_parquet + groupby R/F/M", run_limited(PANDAS.format(path=str(path)))),
        ]
        finished = [(name, figures) for name, figures in rows if "stopped" not in figures]
        report(finished, ours)
        for name, figures in rows:
            if "stopped" in figures:
                print(f"{name:<56}{figures['stopped']} (resident {figures['peak_mib']:.0f} MiB when stopped); "
                      f"ratio > {figures['seconds'] / rows[0][1]['seconds']:.2f}")
        for name, figures in rows[1:]:
            holds.append((f"ours faster than {name.split()[0]} at {n / 1e6:g} M",
                          "stopped" in figures or figures["seconds"] > rows[0][1]["seconds"]))
        if n == 50_000_000:
            holds.insert(0, (f"RFM of 50 M under {TARGET_SECONDS_50M} s", rows[0][1]["seconds"] < TARGET_SECONDS_50M))
            holds.insert(1, (f"RFM of 50 M under 8 GB peak ({TARGET_PEAK_MIB_50M:.0f} MiB)",
                             rows[0][1]["peak_mib"] < TARGET_PEAK_MIB_50M))
        print()
    print("targets (product owner):")
    for target, held in holds:
        print(f"  {target:<60}{'holds' if held else 'MISSED'}")


if __name__ == "__main__":
    main()
