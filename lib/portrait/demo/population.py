"""The demo's people and their planted segments: the ground truth every demo source is drawn from.

Each person carries every dimension the source articles name (demographics, geography,
psychographics, socio-economics, brand relationship with frequency tier, purchase purpose,
traditionalist/experimenter, discount and novelty hunting, parents buying for children,
local/foreign) plus one attitudinal segment that drives the survey's attitude grid.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENTS = ["trend_explorer", "bargain_hunter", "classic_quality", "family_practical"]
SEGMENT_SHARES = [0.26, 0.27, 0.25, 0.22]
# A segment that is not in the first wave's market: newcomers who buy little, for years, from small designers and
# not for the label. Later demo waves bring them in (demo/waves.py); the survey answers of every segment, this one
# last, follow survey.attitude_means.
EMERGING_SEGMENT = "conscious_minimalist"
ALL_SEGMENTS = SEGMENTS + [EMERGING_SEGMENT]

# Probability of each trait that moves attitude answers (survey.TRAIT_ITEMS), by segment in SEGMENTS order;
# "behaviour_profile" is the chance of being an experimenter.
TRAIT_P = {
    "behaviour_profile": (0.92, 0.40, 0.06, 0.40),
    "discount_hunter": (0.08, 0.88, 0.08, 0.08),
    "novelty_hunter": (0.85, 0.07, 0.07, 0.07),
    "parent_buying_for_children": (0.08, 0.08, 0.08, 0.90),
}

CITIES = ["Kyiv", "Lviv", "Odesa", "Kharkiv", "Dnipro"]
CITY_SHARES = [0.40, 0.18, 0.15, 0.14, 0.13]
CLIMATE = {"Kyiv": "continental", "Lviv": "humid continental", "Odesa": "maritime", "Kharkiv": "continental",
           "Dnipro": "continental"}
FOREIGN_NATIONALITIES = ["Polish", "German", "American", "British", "Turkish", "Georgian"]
FOREIGN_LANGUAGE_EN = {"Polish": 0.6, "German": 0.8, "American": 1.0, "British": 1.0, "Turkish": 0.8, "Georgian": 0.4}

RELATIONSHIPS = ["unaware", "aware_non_buyer", "buys_rarely", "buys_medium", "buys_often"]
PURPOSES = ["self", "gift", "intermediary"]
INCOME = ["Under 15,000 UAH", "15,000-29,999 UAH", "30,000-49,999 UAH", "50,000-79,999 UAH", "80,000 UAH or more"]
EDUCATION = ["Secondary school", "Vocational", "Bachelor's degree", "Master's degree or higher"]
OCCUPATIONS = ["Employee", "Manager", "Entrepreneur", "Student", "Freelancer", "On parental leave", "Retired"]
LIVING = ["Own apartment", "Rented apartment", "Own house", "Living with parents"]
FAMILY = ["Single", "Married", "In a partnership", "Divorced", "Widowed"]
RELIGION = ["Orthodox Christian", "Greek Catholic", "Roman Catholic", "Other religion", "Not religious",
            "Prefer not to say"]
HOBBIES = ["Sport and fitness", "Travel", "Reading", "Cooking", "Art and museums", "Gardening", "Gaming", "Dancing"]
CULTURE = ["Ukrainian designers", "European classics", "Minimalism", "Streetwear"]
CHANNEL_PREF = ["store", "online", "both"]

# Probability of each hobby by segment (columns follow HOBBIES).
HOBBY_P = {
    "trend_explorer":  [0.45, 0.65, 0.25, 0.20, 0.55, 0.05, 0.35, 0.45],
    "bargain_hunter":  [0.30, 0.25, 0.35, 0.45, 0.15, 0.25, 0.30, 0.15],
    "classic_quality": [0.25, 0.45, 0.60, 0.35, 0.45, 0.40, 0.05, 0.10],
    "family_practical": [0.30, 0.20, 0.25, 0.60, 0.10, 0.45, 0.10, 0.10],
}


def _choice(rng: np.random.Generator, options: list, probs, size: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=np.asarray(probs) / np.sum(probs))]


def make_people(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """`n` people with every planted dimension; deterministic for a given generator state."""
    seg = _choice(rng, SEGMENTS, SEGMENT_SHARES, n)
    is_seg = {s: seg == s for s in SEGMENTS}

    age = np.where(is_seg["trend_explorer"], rng.normal(27, 6, n),
          np.where(is_seg["classic_quality"], rng.normal(46, 10, n),
          np.where(is_seg["family_practical"], rng.normal(37, 6, n), rng.normal(35, 11, n))))
    age = np.clip(np.round(age), 18, 75).astype(int)
    gender = _choice(rng, ["Female", "Male", "Other / prefer not to say"], [0.66, 0.32, 0.02], n)
    foreign = rng.random(n) < 0.15
    nationality = np.where(foreign, _choice(rng, FOREIGN_NATIONALITIES, [3, 2, 1, 1, 2, 1], n), "Ukrainian")
    en_share = np.array([FOREIGN_LANGUAGE_EN.get(x, 0.0) for x in nationality])
    language = np.where(foreign, np.where(rng.random(n) < en_share, "en", "ru"),
                        np.where(rng.random(n) < 0.62, "uk", "ru"))
    city = _choice(rng, CITIES, CITY_SHARES, n)

    parent = np.where(is_seg["family_practical"], rng.random(n) < TRAIT_P["parent_buying_for_children"][3],
                      rng.random(n) < TRAIT_P["parent_buying_for_children"][0])
    has_children = parent | (rng.random(n) < 0.2)
    family = np.where(has_children, _choice(rng, FAMILY, [0.05, 0.7, 0.15, 0.08, 0.02], n),
                      _choice(rng, FAMILY, [0.55, 0.15, 0.2, 0.08, 0.02], n))
    p = TRAIT_P
    experimenter = np.where(is_seg["trend_explorer"], rng.random(n) < p["behaviour_profile"][0],
                   np.where(is_seg["classic_quality"], rng.random(n) < p["behaviour_profile"][2],
                            rng.random(n) < p["behaviour_profile"][1]))
    discount_hunter = np.where(is_seg["bargain_hunter"], rng.random(n) < p["discount_hunter"][1],
                               rng.random(n) < p["discount_hunter"][0])
    novelty_hunter = np.where(is_seg["trend_explorer"], rng.random(n) < p["novelty_hunter"][0],
                              rng.random(n) < p["novelty_hunter"][1])
    purpose = _choice(rng, PURPOSES, [0.72, 0.21, 0.07], n)

    income_base = np.where(is_seg["bargain_hunter"], 0.9, np.where(is_seg["classic_quality"], 2.6, 1.9))
    income = np.clip(np.round(income_base + rng.normal(0, 0.9, n)), 0, 4).astype(int)
    education = np.clip(np.round(1.5 + 0.35 * income + rng.normal(0, 0.8, n)), 0, 3).astype(int)
    occupation = np.where(purpose == "intermediary", "Stylist / personal assistant",
                 np.where(age < 23, np.where(rng.random(n) < 0.7, "Student", "Employee"),
                 np.where(age > 62, "Retired",
                 _choice(rng, ["Employee", "Manager", "Entrepreneur", "Freelancer", "On parental leave"],
                         [0.5, 0.2, 0.12, 0.12, 0.06], n))))
    living = np.where(age < 24, _choice(rng, LIVING, [0.05, 0.45, 0.02, 0.48], n),
                      np.where(income >= 3, _choice(rng, LIVING, [0.55, 0.15, 0.3, 0.0], n),
                               _choice(rng, LIVING, [0.45, 0.4, 0.1, 0.05], n)))
    household = np.clip(1 + (family == "Married").astype(int) + (family == "In a partnership").astype(int)
                        + has_children * rng.integers(1, 3, n) + (living == "Living with parents") * 2, 1, 6)
    religion = _choice(rng, RELIGION, [0.45, 0.1, 0.05, 0.05, 0.2, 0.15], n)
    religion = np.where(foreign & (religion == "Greek Catholic"), "Roman Catholic", religion)
    culture = np.where(is_seg["trend_explorer"], _choice(rng, CULTURE, [0.35, 0.05, 0.2, 0.4], n),
              np.where(is_seg["classic_quality"], _choice(rng, CULTURE, [0.25, 0.6, 0.15, 0.0], n),
                       _choice(rng, CULTURE, [0.35, 0.25, 0.3, 0.1], n)))
    channel = np.where(is_seg["trend_explorer"], _choice(rng, CHANNEL_PREF, [0.2, 0.5, 0.3], n),
              np.where(is_seg["classic_quality"], _choice(rng, CHANNEL_PREF, [0.6, 0.1, 0.3], n),
                       _choice(rng, CHANNEL_PREF, [0.35, 0.35, 0.3], n)))

    people = pd.DataFrame({
        "person_id": [f"P{i:05d}" for i in range(1, n + 1)],
        "attitude_segment": seg,
        "age": age,
        "gender": gender,
        "nationality": nationality,
        "local": ~foreign,
        "language": language,
        "city": city,
        "climate": [CLIMATE[c] for c in city],
        "family_status": family,
        "has_children": has_children,
        "parent_buying_for_children": parent,
        "religion": religion,
        "income_band": np.asarray(INCOME, dtype=object)[income],
        "income_level": income,
        "education": np.asarray(EDUCATION, dtype=object)[education],
        "occupation": occupation,
        "living_conditions": living,
        "household_size": household,
        "cultural_preference": culture,
        "behaviour_profile": np.where(experimenter, "experimenter", "traditionalist"),
        "discount_hunter": discount_hunter,
        "novelty_hunter": novelty_hunter,
        "purpose": purpose,
        "channel_preference": channel,
    })
    hobby_p = np.array([HOBBY_P[s] for s in seg])
    hobbies = rng.random((n, len(HOBBIES))) < hobby_p
    people["hobbies"] = ["; ".join(h for h, on in zip(HOBBIES, row) if on) for row in hobbies]
    return people


def assign_relationship(people: pd.DataFrame, probs: list[float], rng: np.random.Generator) -> np.ndarray:
    """Brand relationship (funnel stage with frequency tier) for each person."""
    return _choice(rng, RELATIONSHIPS, probs, len(people))
