"""The coffee study's loyalty export: one row per purchase with customer id, date, amount and store.

Customers are drawn from the same four segments as the survey (the two sources are not linked: the
export carries no personal data). The segment shapes how often a customer comes, at what time of
day and week, how much one purchase costs, and whether they come back over the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portrait.coffee.population import CITIES, SEGMENTS, choice, draw_segments

COLUMNS = {"customer": "Клієнт", "date": "Дата", "amount": "Сума", "store": "Заклад"}
STORES = {
    "Київ": ["Київ, Поділ", "Київ, Печерськ", "Київ, Лук'янівка", "Київ, Лівобережна"],
    "Львів": ["Львів, Площа Ринок", "Львів, Франківська"],
    "Одеса": ["Одеса, Дерибасівська"],
    "Дніпро": ["Дніпро, Яворницького"],
    "Харків": ["Харків, Сумська"],
}
CUSTOMER_CITY_P = [0.40, 0.19, 0.14, 0.14, 0.13]
VISITS_PER_YEAR = {"work_from_cafe": 21.0, "speed_commuter": 28.5, "quality_connoisseur": 11.5, "price_student": 10.0}
TICKET_MEDIAN = {"work_from_cafe": 185.0, "speed_commuter": 78.0, "quality_connoisseur": 140.0, "price_student": 72.0}
# Hour of the purchase: mean, sd, by segment (the cafés open 07:00-22:00).
HOUR = {"work_from_cafe": (12.5, 2.5), "speed_commuter": (8.3, 0.8), "quality_connoisseur": (11.5, 2.8),
        "price_student": (14.0, 3.0)}
# Relative weight of a weekday (Mon..Sun) by segment.
WEEKDAY = {"work_from_cafe": [1, 1, 1, 1, 1, 0.8, 0.6], "speed_commuter": [1, 1, 1, 1, 1, 0.15, 0.1],
           "quality_connoisseur": [0.8, 0.8, 0.8, 0.8, 1, 1.4, 1.4], "price_student": [1, 1, 1, 1, 1, 0.7, 0.6]}
BEANS_SHARE = 0.07      # connoisseurs sometimes buy a bag of beans as well
PRICE_RISE = 0.08       # menu prices rise over the year


def build_transactions(rng: np.random.Generator, customers: int, start: pd.Timestamp,
                       months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the export, the truth: customer id -> planted segment, city and home store)."""
    end = start + pd.DateOffset(months=months)
    days = pd.date_range(start, end - pd.Timedelta(days=1), freq="D")
    n_days = len(days)
    segment = draw_segments(rng, customers)
    seg_idx = np.array([SEGMENTS.index(s) for s in segment])
    city = choice(rng, CITIES, CUSTOMER_CITY_P, customers)
    home = np.array([STORES[c][int(k) % len(STORES[c])] for c, k in
                     zip(city, rng.choice(4, customers, p=[0.45, 0.25, 0.18, 0.12]))], dtype=object)

    # Active window: most customers all year, some join later, some stop coming.
    first = np.zeros(customers, dtype=int)
    last = np.full(customers, n_days - 1)
    kind = rng.random(customers)
    joined = kind < 0.18
    lapsed = (kind >= 0.18) & (kind < 0.36)
    first[joined] = rng.integers(30, n_days - 20, joined.sum())
    last[lapsed] = rng.integers(20, n_days - 30, lapsed.sum())
    share = (last - first + 1) / n_days

    rate = np.array([VISITS_PER_YEAR[s] for s in SEGMENTS])[seg_idx] * rng.gamma(2.0, 0.5, customers)
    visits = np.maximum(1, rng.poisson(rate * share * n_days / 365))
    owner = np.repeat(np.arange(customers), visits)
    m = len(owner)

    # Days within each customer's window, weighted by the segment's weekday pattern (inverse CDF).
    weekday = days.day_of_week.to_numpy()
    day = np.empty(m, dtype=int)
    for k, name in enumerate(SEGMENTS):
        rows = seg_idx[owner] == k
        weight = np.asarray(WEEKDAY[name])[weekday]
        cum = np.concatenate([[0.0], np.cumsum(weight)])
        lo, hi = cum[first[owner[rows]]], cum[last[owner[rows]] + 1]
        u = lo + rng.random(rows.sum()) * (hi - lo)
        day[rows] = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, n_days - 1)
    mean_hour = np.array([HOUR[s][0] for s in SEGMENTS])[seg_idx[owner]]
    sd_hour = np.array([HOUR[s][1] for s in SEGMENTS])[seg_idx[owner]]
    minute = np.round((mean_hour + rng.normal(0, 1, m) * sd_hour) * 60).astype(int)
    # Outside opening hours: the purchase falls in the first or the last hour instead.
    minute = np.where(minute < 7 * 60, 7 * 60 + rng.integers(0, 60, m), minute)
    minute = np.where(minute >= 22 * 60, 21 * 60 + rng.integers(0, 60, m), minute)
    when = days.to_numpy()[day] + pd.to_timedelta(minute, unit="m").to_numpy()

    ticket = np.array([TICKET_MEDIAN[s] for s in SEGMENTS])[seg_idx[owner]]
    amount = ticket * rng.lognormal(0, 0.3, m) * (1 + PRICE_RISE * day / n_days)
    beans = (segment[owner] == "quality_connoisseur") & (rng.random(m) < BEANS_SHARE)
    amount = amount + np.where(beans, rng.uniform(380, 560, m), 0.0)

    stray = rng.random(m)
    same_city = np.array([STORES[c][int(k) % len(STORES[c])] for c, k in
                          zip(city[owner], rng.integers(0, 4, m))], dtype=object)
    all_stores = [s for c in CITIES for s in STORES[c]]
    anywhere = np.asarray(all_stores, dtype=object)[rng.integers(0, len(all_stores), m)]
    store = np.where(stray < 0.85, home[owner], np.where(stray < 0.97, same_city, anywhere))

    ids = np.array([f"K{i:06d}" for i in rng.choice(np.arange(1, 1_000_000), customers, replace=False)])
    frame = pd.DataFrame({
        COLUMNS["customer"]: ids[owner],
        COLUMNS["date"]: pd.DatetimeIndex(when).strftime("%Y-%m-%d %H:%M"),
        COLUMNS["amount"]: [f"{x:.2f}" for x in amount],
        COLUMNS["store"]: store,
    })
    frame = frame.sort_values([COLUMNS["date"], COLUMNS["customer"]], kind="stable").reset_index(drop=True)
    truth = pd.DataFrame({"customer_id": ids, "segment": segment, "city": city, "home_store": home,
                          "purchases": visits}).sort_values("customer_id").reset_index(drop=True)
    return frame, truth
