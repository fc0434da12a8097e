"""The coffee study's survey, exported from a survey tool as an SPSS .sav file.

Variable names are short Ukrainian names (SPSS allows no spaces in names); the full question texts
are the variable labels. Single-choice answers are stored as codes with value labels (the reader
applies them), the attitude grid and the ratings as plain numbers, the multi-select as one variable
per option (1 = chosen, labelled with the option text; blank = not chosen).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from portrait.coffee.population import ATTITUDES, CHANNELS, CITIES, FORMATS, FREQUENCY, GENDERS, IMPROVE_THEMES, INCOME, INCOME_REFUSED, ITEM_SD, MISSING_ITEM, OCCUPATIONS, ORDER_P, ORDERS, PERSON_SD, SATISFACTION_MEAN, SEGMENTS

BRAND = "Зерно і Пара"
ID = "Номер_анкети"
GRID = "Ставлення_"
ORDER = "Замовлення_"
IMPROVE = "Що_покращити"
# Single-choice variables: name, question text, options (codes 1..n; income adds 9 = refused).
SINGLE = [
    ("Стать", "Ваша стать", GENDERS),
    ("Місто", "У якому місті ви живете?", CITIES),
    ("Заняття", "Яке ваше основне заняття?", OCCUPATIONS),
    ("Дохід", "Який ваш особистий дохід на місяць?", INCOME),
    ("Частота", f"Як часто ви купуєте каву в «{BRAND}»?", FREQUENCY),
    ("Формат", f"Як ви зазвичай п'єте каву в «{BRAND}»?", FORMATS),
    ("Канал", "Як ви найчастіше замовляєте каву?", CHANNELS),
]
TRAIT = {"Стать": "gender", "Місто": "city", "Заняття": "occupation", "Дохід": "income", "Частота": "frequency",
         "Формат": "drink_format", "Канал": "order_channel"}
REFUSED_CODE = 9
# The SAV header records when the file was written; a fixed time keeps two builds byte-identical.
FILE_DATE, FILE_TIME = b"16 Mar 26", b"10:00:00"


def build_frame(people: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict, dict]:
    """(answers as SPSS would hold them, variable labels, value labels)."""
    n = len(people)
    seg_idx = people["segment"].map({s: i for i, s in enumerate(SEGMENTS)}).to_numpy()
    cols: dict[str, object] = {}
    labels: dict[str, str] = {}
    values: dict[str, dict[float, str]] = {}

    cols[ID] = [f"A{i:04d}" for i in range(1, n + 1)]
    labels[ID] = "Номер анкети"
    age = people["age"].to_numpy(dtype=float)
    cols["Вік"] = np.where(rng.random(n) < 0.01, np.nan, age)
    labels["Вік"] = "Скільки вам повних років?"
    for name, question, options in SINGLE:
        codes = {text: float(k) for k, text in enumerate(options, start=1)}
        value_labels = {code: text for text, code in codes.items()}
        if name == "Дохід":
            codes[INCOME_REFUSED] = float(REFUSED_CODE)
            value_labels[float(REFUSED_CODE)] = INCOME_REFUSED
        cols[name] = people[TRAIT[name]].map(codes).to_numpy(dtype=float)
        labels[name] = question
        values[name] = value_labels

    person = rng.normal(0, PERSON_SD, n)
    for suffix, statement, _reverse, means in ATTITUDES:
        mean = np.asarray(means)[seg_idx] + person  # acquiescence lifts reverse-worded items too
        answer = np.clip(np.round(mean + rng.normal(0, ITEM_SD, n)), 1, 7)
        cols[GRID + suffix] = np.where(rng.random(n) < MISSING_ITEM, np.nan, answer)
        labels[GRID + suffix] = f"Наскільки ви погоджуєтеся з твердженням? — {statement} (1–7)"

    chance = np.array([ORDER_P[s] for s in SEGMENTS])[seg_idx]
    chosen = rng.random(chance.shape) < chance
    none = ~chosen.any(axis=1)
    chosen[none, chance[none].argmax(axis=1)] = True  # everybody orders something
    for k, (suffix, option) in enumerate(ORDERS):
        cols[ORDER + suffix] = np.where(chosen[:, k], 1.0, np.nan)
        labels[ORDER + suffix] = f"Що ви зазвичай замовляєте? — {option}"
        values[ORDER + suffix] = {1.0: option}

    satisfaction = np.clip(np.round(rng.normal(people["segment"].map(SATISFACTION_MEAN).to_numpy(), 1.4)), 1, 10)
    cols["Задоволеність"] = np.where(rng.random(n) < 0.015, np.nan, satisfaction)
    labels["Задоволеність"] = (f"Наскільки ви загалом задоволені «{BRAND}»? "
                               "(1 — зовсім не задоволений(-а), 10 — повністю задоволений(-а))")
    recommend = np.clip(np.round(satisfaction + rng.normal(0, 1.3, n)), 0, 10)
    cols["Рекомендація"] = np.where(rng.random(n) < 0.015, np.nan, recommend)
    labels["Рекомендація"] = (f"Наскільки ймовірно, що ви порекомендуєте «{BRAND}» друзям чи колегам? "
                              "(0 — зовсім неймовірно, 10 — точно порекомендую)")
    cols[IMPROVE] = [_phrase(theme, rng) for theme in people["improve_theme"]]
    labels[IMPROVE] = f"Що б ви покращили в «{BRAND}»?"
    return pd.DataFrame(cols), labels, values


def _phrase(theme: str, rng: np.random.Generator) -> str:
    if not theme:
        return ""
    phrases = IMPROVE_THEMES[theme]
    return phrases[int(rng.integers(0, len(phrases)))]


def write_sav(frame: pd.DataFrame, labels: dict, values: dict, path: Path) -> None:
    import pyreadstat

    measure = {c: ("nominal" if c in values or c in (ID, IMPROVE) else "scale") for c in frame.columns}
    pyreadstat.write_sav(frame, str(path), file_label=f"Опитування гостей «{BRAND}»",
                         column_labels=[labels[c] for c in frame.columns], variable_value_labels=values,
                         variable_measure=measure)
    _fix_timestamp(path)


def _fix_timestamp(path: Path) -> None:
    """Overwrite the creation date and time of the SAV header (bytes 92-108) with fixed values."""
    data = bytearray(path.read_bytes())
    if data[:4] not in (b"$FL2", b"$FL3"):
        raise ValueError(f"{path}: not an SPSS system file")
    data[92:101] = FILE_DATE
    data[101:109] = FILE_TIME
    path.write_bytes(bytes(data))
