"""Later waves of the demo study: the same people and card holders, some months on.

Wave 1 is the demo as `build_demo` writes it. Wave `w` adds `WAVE_MONTHS` months of purchases per wave after the
first export (wave 3 holds wave 2's months unchanged, plus its own) and replaces the survey with a new sample of
the same pool, fielded `WAVE_MONTHS` months later per wave. The interviews stay those of wave 1.

Planted drift, from wave 2 on (wave 3 changes nothing further — the wave without drift):
- the bargain-hunting segment's share of the surveyed population grows by `BARGAIN_GROWTH` points (respondents are
  drawn with a higher inclusion probability for that segment). Weighting to fixed age and gender targets takes back
  part of it (bargain hunters are neither the youngest nor the oldest), and the typing tool places most but not all
  of them: about half of the planted growth reaches the weighted segment sizes, which on 2,250 respondents needs
  12 points to stand out from sampling noise;
- `LAPSE_SHARE` of the most frequent buyers (relationship `buys_often`) stop buying from the first added month on.
Not planted yet: a new segment that emerges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portrait.demo.loyalty import build_transactions

WAVES = (1, 2, 3)
WAVE_MONTHS = 3
BARGAIN_GROWTH = 0.12
LAPSE_SHARE = 0.35
DRIFT_FROM = 2        # the wave that brings the drift; later waves keep it and add none


def _rng(seed: int, *parts: int) -> np.random.Generator:
    return np.random.default_rng([seed, *parts])


def lapsed(holders: pd.DataFrame, seed: int) -> np.ndarray:
    """Which holders (boolean, in holder order) stop buying from wave 2 on: a fixed share of the frequent buyers."""
    frequent = (holders["relationship"] == "buys_often").to_numpy()
    return frequent & (_rng(seed, DRIFT_FROM, 99).random(len(holders)) < LAPSE_SHARE)


def later_purchases(holders: pd.DataFrame, ids: pd.DataFrame, seed: int, wave: int, start: pd.Timestamp,
                    first_months: int, first_receipt: int) -> pd.DataFrame:
    """The purchases of the months waves 2..`wave` add after the first export, lapsed holders left out."""
    still = holders[~lapsed(holders, seed)].reset_index(drop=True)
    parts, receipt = [], first_receipt
    for w in range(2, wave + 1):
        period_start = start + pd.DateOffset(months=first_months + WAVE_MONTHS * (w - 2))
        part = build_transactions(still, ids, _rng(seed, w, 1), period_start, WAVE_MONTHS,
                                  rate=WAVE_MONTHS / first_months, first_receipt=receipt)
        receipt = int(part["Receipt"].str[2:].astype(int).max()) if len(part) else receipt
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def sample(people: pd.DataFrame, size: int, seed: int, wave: int) -> pd.DataFrame:
    """A new survey sample of the pool for `wave`; from the drift wave on, bargain hunters are drawn more often so
    that their expected share is `BARGAIN_GROWTH` above the pool's."""
    rng = _rng(seed, wave, 2)
    bargain = (people["attitude_segment"] == "bargain_hunter").to_numpy()
    share = bargain.mean()
    target = share + BARGAIN_GROWTH
    tilt = target * (1 - share) / (share * (1 - target)) if wave >= DRIFT_FROM else 1.0
    weight = np.where(bargain, tilt, 1.0)
    chosen = np.sort(rng.choice(len(people), size, replace=False, p=weight / weight.sum()))
    return people.iloc[chosen].reset_index(drop=True)


def answers_rng(seed: int, wave: int) -> np.random.Generator:
    return _rng(seed, wave, 3)


def response_ids(wave: int, n: int) -> list[str]:
    """Response ids of a later wave, apart from wave 1's R100000…"""
    return [f"R{100000 * wave + i}" for i in range(n)]
