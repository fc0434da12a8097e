"""Later waves of the demo study: the same people and card holders, some months on.

Wave 1 is the demo as `build_demo` writes it. Wave `w` adds `WAVE_MONTHS` months of purchases per wave after the
first export (wave 3 holds wave 2's months unchanged, plus its own) and replaces the survey with a new sample of
the same pool (and of newcomers, below), fielded `WAVE_MONTHS` months later per wave. The interviews stay those of
wave 1.

Planted drift, from wave 2 on (wave 3 changes nothing further — the wave without drift):
- the bargain-hunting segment's share of the surveyed population grows by `BARGAIN_GROWTH` points (respondents are
  drawn with a higher inclusion probability for that segment). Weighting to fixed age and gender targets takes back
  part of it (bargain hunters are neither the youngest nor the oldest), and the typing tool places most but not all
  of them: about half of the planted growth reaches the weighted segment sizes, which on 2,250 respondents needs
  12 points to stand out from sampling noise;
- `LAPSE_SHARE` of the most frequent buyers (relationship `buys_often`) stop buying from the first added month on;
- a segment that was not there emerges: newcomers to the market (`EMERGING_SHARE` of each later sample, segment
  population.EMERGING_SEGMENT: they buy rarely and for years, from small designers, not for the label) answer the
  survey. They hold no loyalty card yet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portrait.demo.identities import make_identities
from portrait.demo.loyalty import build_transactions
from portrait.demo.population import EMERGING_SEGMENT, assign_relationship, make_people

WAVES = (1, 2, 3)
WAVE_MONTHS = 3
BARGAIN_GROWTH = 0.12
LAPSE_SHARE = 0.35
EMERGING_SHARE = 0.12
DRIFT_FROM = 2        # the wave that brings the drift; later waves keep it and add none
NEWCOMERS = 4_000     # the emerging segment's pool, beside the first wave's


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


def newcomers(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The emerging segment's people and their identities (person ids N00001…), from a stream of their own: the
    first wave's draws are untouched. Their demographics are drawn as everyone's; their traits are the segment's
    (not discount or novelty hunters, rarely parents shopping for children, half of them experimenters)."""
    rng = _rng(seed, DRIFT_FROM, 4)
    people = make_people(NEWCOMERS, rng)
    n = len(people)
    people["person_id"] = [f"N{i:05d}" for i in range(1, n + 1)]
    people["attitude_segment"] = EMERGING_SEGMENT
    people["behaviour_profile"] = np.where(rng.random(n) < 0.5, "experimenter", "traditionalist")
    people["discount_hunter"] = rng.random(n) < 0.04
    people["novelty_hunter"] = rng.random(n) < 0.04
    people["parent_buying_for_children"] = people["has_children"] & (rng.random(n) < 0.1)
    people["relationship"] = assign_relationship(people, [0.2, 0.3, 0.3, 0.15, 0.05], rng)
    people["card_holder"] = False
    return people, make_identities(people, rng)


def sample(people: pd.DataFrame, size: int, seed: int, wave: int, emerging: pd.DataFrame | None = None
           ) -> pd.DataFrame:
    """A new survey sample for `wave`. From the drift wave on, `EMERGING_SHARE` of the sample comes from `emerging`
    (the newcomers) and bargain hunters are drawn more often, so that their expected share of the whole sample is
    `BARGAIN_GROWTH` above their share of the pool."""
    rng = _rng(seed, wave, 2)
    bargain = (people["attitude_segment"] == "bargain_hunter").to_numpy()
    share = bargain.mean()
    drift = wave >= DRIFT_FROM
    new = round(EMERGING_SHARE * size) if drift and emerging is not None else 0
    target = (share + BARGAIN_GROWTH) * size / (size - new)  # among the pool's draws: the whole sample gains the points
    tilt = target * (1 - share) / (share * (1 - target)) if drift else 1.0
    weight = np.where(bargain, tilt, 1.0)
    chosen = np.sort(rng.choice(len(people), size - new, replace=False, p=weight / weight.sum()))
    drawn = [people.iloc[chosen]]
    if new:
        drawn.append(emerging.iloc[np.sort(rng.choice(len(emerging), new, replace=False))])
    together = pd.concat(drawn, ignore_index=True)
    return together.iloc[rng.permutation(len(together)) if new else np.arange(len(together))].reset_index(drop=True)


def answers_rng(seed: int, wave: int) -> np.random.Generator:
    return _rng(seed, wave, 3)


def response_ids(wave: int, n: int) -> list[str]:
    """Response ids of a later wave, apart from wave 1's R100000…"""
    return [f"R{100000 * wave + i}" for i in range(n)]
