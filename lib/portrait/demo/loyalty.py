"""The demo's loyalty-card export: card holders (cp1251, like an accounting-system export) and purchases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from portrait.demo.identities import display_phone

CATEGORIES = ["Dresses", "Tops", "Trousers", "Outerwear", "Shoes", "Bags", "Accessories", "Kids"]
BASE_PRICE = np.array([2400, 900, 1500, 4200, 2900, 2200, 600, 800])
STORES = {"Kyiv": ["Kyiv Ocean Plaza", "Kyiv Gulliver", "Kyiv Podil"], "Lviv": ["Lviv Forum", "Lviv King Cross"],
          "Odesa": ["Odesa Riviera"], "Kharkiv": ["Kharkiv Nikolsky"], "Dnipro": ["Dnipro Most City"]}
# Receipts over the whole period by frequency tier; chosen so tiers land in the survey's bands.
RECEIPTS_MEAN = {"buys_rarely": 3.0, "buys_medium": 10.0, "buys_often": 26.0}


def build_cardholders(holders: pd.DataFrame, ids: pd.DataFrame, rng: np.random.Generator,
                      start: pd.Timestamp) -> pd.DataFrame:
    ident = ids.set_index("person_id").loc[holders["person_id"]]
    changed_phone = rng.random(len(holders)) < 0.04  # some people give the shop another number
    phones = [display_phone(p, 2) if not c else f"38099{rng.integers(1_000_000, 9_999_999)}"
              for p, c in zip(ident["phone"], changed_phone)]
    registered = start - pd.to_timedelta(rng.integers(0, 5 * 365, len(holders)), unit="D")
    return pd.DataFrame({
        "Card number": ident["card_number"].to_numpy(),
        "Name": (ident["first_name"] + " " + ident["last_name"]).to_numpy(),
        "Phone": phones,
        "E-mail": ident["email"].to_numpy(),
        "Birth year": (2026 - holders["age"]).astype(str).to_numpy(),
        "Gender": holders["gender"].map({"Female": "Ж", "Male": "Ч"}).fillna("").to_numpy(),
        "City": holders["city"].to_numpy(),
        "Registered": registered.strftime("%Y-%m-%d"),
    })


def build_transactions(holders: pd.DataFrame, ids: pd.DataFrame, rng: np.random.Generator,
                       start: pd.Timestamp, months: int, rate: float = 1.0, first_receipt: int = 0) -> pd.DataFrame:
    """Line items of every receipt, vectorised; behaviour follows each holder's planted traits.

    The first export gives every holder at least one receipt over the period; a later period (`rate`: its share of
    the first period's receipts, receipts numbered from `first_receipt`) may give a holder none."""
    n = len(holders)
    card = ids.set_index("person_id").loc[holders["person_id"], "card_number"].to_numpy()
    receipts = rng.poisson(rate * holders["relationship"].map(RECEIPTS_MEAN).to_numpy())
    if first_receipt == 0:
        receipts = np.maximum(1, receipts)
    owner = np.repeat(np.arange(n), receipts)
    r = len(owner)
    days = (start + pd.DateOffset(months=months) - start).days
    # Gift buyers concentrate around 8 March and the New Year holidays.
    day = rng.integers(0, days, r)
    gift = holders["purpose"].to_numpy()[owner] == "gift"
    season = rng.random(r) < 0.5
    holiday = np.where(rng.random(r) < 0.5, pd.Timestamp("2025-12-20"), pd.Timestamp("2026-03-04"))
    holiday_day = (pd.to_datetime(holiday) - start).days + rng.integers(0, 12, r)
    inside = (holiday_day >= 0) & (holiday_day < days)  # a later, shorter period may hold neither holiday
    day = np.where(gift & season & inside, holiday_day, day)
    when = start + pd.to_timedelta(day, unit="D") + pd.to_timedelta(rng.integers(10 * 60, 21 * 60, r), unit="m")

    items = 1 + rng.binomial(2, np.where(holders["attitude_segment"].to_numpy()[owner] == "family_practical",
                                           0.6, 0.3))
    line_owner = np.repeat(owner, items)
    line_when = np.repeat(when.to_numpy(), items)
    line_receipt = np.repeat(np.arange(r), items)
    m = len(line_owner)
    seg = holders["attitude_segment"].to_numpy()[line_owner]
    cat_p = np.tile([0.14, 0.2, 0.14, 0.08, 0.12, 0.1, 0.17, 0.05], (m, 1))
    cat_p[holders["parent_buying_for_children"].to_numpy()[line_owner], 7] = 0.45
    cat_p /= cat_p.sum(axis=1, keepdims=True)
    category = (rng.random((m, 1)) > np.cumsum(cat_p, axis=1)).sum(axis=1)
    discount = rng.random(m) < np.where(holders["discount_hunter"].to_numpy()[line_owner], 0.82, 0.14)
    new_coll = rng.random(m) < np.where(holders["novelty_hunter"].to_numpy()[line_owner], 0.72,
                                        np.where(holders["behaviour_profile"].to_numpy()[line_owner] == "experimenter",
                                                 0.45, 0.12))
    income = holders["income_level"].to_numpy()[line_owner]
    amount = BASE_PRICE[category] * (0.7 + 0.15 * income) * rng.lognormal(0, 0.25, m) * np.where(discount, 0.7, 1.0)
    amount = np.where(seg == "classic_quality", amount * 1.25, amount)
    online = rng.random(r) < holders["channel_preference"].map({"store": 0.1, "online": 0.85, "both": 0.45}).to_numpy()[owner]
    city = holders["city"].to_numpy()[owner]
    store = np.array([STORES[c][k % len(STORES[c])] for c, k in zip(city, rng.integers(0, 3, r))], dtype=object)
    store = np.where(online, "Online shop", store)
    frame = pd.DataFrame({
        "Receipt": [f"CH{x:07d}" for x in line_receipt + 1 + first_receipt],
        "Card number": card[line_owner],
        "Date": pd.DatetimeIndex(line_when).strftime("%Y-%m-%d %H:%M"),
        "Store": store[line_receipt],
        "City": city[line_receipt],
        "Channel": np.where(online, "online", "store")[line_receipt],
        "Category": np.asarray(CATEGORIES, dtype=object)[category],
        "Amount": np.round(amount, 2).astype(str),
        "Discount": np.where(discount, "1", "0"),
        "New collection": np.where(new_coll, "1", "0"),
    })
    frame = frame.sort_values(["Date", "Receipt"], kind="stable").reset_index(drop=True)
    return _add_dirt(frame, rng)


def _add_dirt(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A few rows a real export would carry: impossible dates, non-numeric amounts, missing cards."""
    bad = rng.choice(len(frame), 60, replace=False)
    frame.loc[bad[:20], "Date"] = "2026-02-31 12:00"
    frame.loc[bad[20:40], "Amount"] = "n/a"
    frame.loc[bad[40:], "Card number"] = ""
    return frame
