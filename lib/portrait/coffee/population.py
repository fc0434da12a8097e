"""The planted segments of the coffee study and the traits each one shapes.

Four latent segments drive the attitude grid, the demographics, visit frequency, what people order
and how often and how much loyalty customers spend. Segments overlap on purpose: every answer is
drawn around the segment's mean with individual noise, so a segment is a tendency, not a rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENTS = ["work_from_cafe", "speed_commuter", "quality_connoisseur", "price_student"]
SEGMENT_SHARES = [0.24, 0.30, 0.22, 0.24]
SEGMENT_NAMES_UK = {
    "work_from_cafe": "Працюють у кав'ярні",
    "speed_commuter": "Кава на бігу",
    "quality_connoisseur": "Поціновувачі якості",
    "price_student": "Ощадливі студенти",
}

CITIES = ["Київ", "Львів", "Одеса", "Дніпро", "Харків"]
CITY_P = {
    "work_from_cafe": [0.46, 0.24, 0.10, 0.10, 0.10],
    "speed_commuter": [0.38, 0.16, 0.15, 0.16, 0.15],
    "quality_connoisseur": [0.40, 0.22, 0.16, 0.11, 0.11],
    "price_student": [0.32, 0.22, 0.14, 0.14, 0.18],
}

GENDERS = ["Жінка", "Чоловік", "Інше / не хочу вказувати"]
WOMEN_SHARE = {"work_from_cafe": 0.58, "speed_commuter": 0.47, "quality_connoisseur": 0.50, "price_student": 0.62}

OCCUPATIONS = ["Навчаюся", "Працюю в офісі", "Працюю віддалено або на фрилансі", "Маю власну справу",
               "Працюю у сфері послуг або на виробництві", "Не працюю або на пенсії"]
OCCUPATION_P = {
    "work_from_cafe": [0.05, 0.15, 0.55, 0.20, 0.03, 0.02],
    "speed_commuter": [0.04, 0.55, 0.08, 0.10, 0.20, 0.03],
    "quality_connoisseur": [0.04, 0.38, 0.18, 0.27, 0.05, 0.08],
    "price_student": [0.80, 0.04, 0.06, 0.00, 0.09, 0.01],
}

INCOME = ["До 10 000 грн", "10 000–19 999 грн", "20 000–34 999 грн", "35 000–54 999 грн", "55 000 грн і більше"]
INCOME_REFUSED = "Не хочу відповідати"
INCOME_MEAN = {"work_from_cafe": 3.0, "speed_commuter": 2.8, "quality_connoisseur": 3.6, "price_student": 1.3}

AGE = {  # mean, sd of age in years
    "work_from_cafe": (31, 6), "speed_commuter": (36, 8), "quality_connoisseur": (39, 10), "price_student": (21, 2.5),
}

# Visit frequency, ascending (codes 1-5), by segment.
FREQUENCY = ["Рідше ніж раз на місяць", "Кілька разів на місяць", "Раз на тиждень", "Кілька разів на тиждень",
             "Щодня або майже щодня"]
FREQUENCY_P = {
    "work_from_cafe": [0.05, 0.15, 0.25, 0.40, 0.15],
    "speed_commuter": [0.03, 0.10, 0.17, 0.35, 0.35],
    "quality_connoisseur": [0.10, 0.30, 0.30, 0.22, 0.08],
    "price_student": [0.15, 0.35, 0.25, 0.20, 0.05],
}

FORMATS = ["Беру з собою", "Сиджу в кав'ярні", "По-різному"]
FORMAT_P = {
    "work_from_cafe": [0.10, 0.65, 0.25],
    "speed_commuter": [0.80, 0.03, 0.17],
    "quality_connoisseur": [0.30, 0.35, 0.35],
    "price_student": [0.35, 0.35, 0.30],
}

CHANNELS = ["На касі в кав'ярні", "Через застосунок із самовивозом", "Через службу доставки"]
CHANNEL_P = {
    "work_from_cafe": [0.75, 0.15, 0.10],
    "speed_commuter": [0.45, 0.50, 0.05],
    "quality_connoisseur": [0.80, 0.12, 0.08],
    "price_student": [0.80, 0.15, 0.05],
}

# Multi-select "what do you usually order": (column suffix, option text) and the chance by segment.
ORDERS = [("еспресо", "Еспресо або американо"), ("капучино", "Капучино, лате чи флет-вайт"),
          ("фільтр", "Фільтр-кава або альтернатива"), ("чай", "Чай, какао чи матча"),
          ("випічка", "Випічка або десерт")]
ORDER_P = {
    "work_from_cafe": [0.35, 0.60, 0.25, 0.30, 0.60],
    "speed_commuter": [0.65, 0.50, 0.10, 0.10, 0.20],
    "quality_connoisseur": [0.55, 0.35, 0.70, 0.15, 0.30],
    "price_student": [0.30, 0.65, 0.10, 0.35, 0.35],
}

# Attitude grid (1-7 agreement): column suffix, statement, reverse-worded, mean answer by segment
# in SEGMENTS order. Reverse-worded items carry the mean of the raw (unreversed) answer.
ATTITUDES = [
    ("смак", "Смак кави для мене важливіший за ціну", False, (4.6, 3.6, 6.3, 3.3)),
    ("зерно", "Мені цікаво, з якого зерна та обсмаження зварена моя кава", False, (4.2, 2.8, 6.2, 3.0)),
    ("байдуже", "Мені байдуже, яку каву пити, аби була гаряча", True, (3.2, 4.6, 1.6, 4.5)),
    ("ціна", "Я обираю кав'ярню насамперед за ціною", False, (3.6, 3.4, 2.2, 6.1)),
    ("бонуси", "Я завжди користуюся акціями та бонусами програми лояльності", False, (4.2, 3.8, 2.8, 6.0)),
    ("швидкість", "Мені важливо отримати каву за дві-три хвилини", False, (2.8, 6.3, 3.4, 4.0)),
    ("почекаю", "Я охоче почекаю довше, якщо кава буде смачнішою", True, (5.0, 1.8, 5.9, 3.6)),
    ("робота", "Я часто працюю або навчаюся в кав'ярні", False, (6.3, 1.8, 3.2, 4.8)),
    ("атмосфера", "Затишна атмосфера та місце, де можна посидіти, для мене дуже важливі", False, (6.2, 2.4, 4.6, 4.6)),
    ("новинки", "Я люблю пробувати сезонні та нові напої", False, (4.6, 3.0, 5.0, 4.8)),
]
ITEM_SD = 1.15          # individual noise around the segment mean, on the 1-7 scale
PERSON_SD = 0.3         # each person's overall tendency to agree (acquiescence)
MISSING_ITEM = 0.02     # share of grid answers left blank

SATISFACTION_MEAN = {"work_from_cafe": 8.3, "speed_commuter": 7.5, "quality_connoisseur": 7.7, "price_student": 7.3}

# Open answer "what would you improve": themes by segment, and short phrases per theme.
IMPROVE_THEMES = {
    "work_space": ["Більше розеток біля столиків", "Швидший Wi-Fi", "Більше місць, щоб посидіти з ноутбуком",
                   "Тихіша музика вдень", "Більше великих столів для роботи"],
    "speed": ["Швидше обслуговування зранку", "Можливість замовити наперед у застосунку",
              "Окрема каса для кави з собою", "Менші черги о восьмій ранку", "Відкриватися раніше, о шостій тридцять"],
    "coffee_quality": ["Більше сортів зерна для фільтра", "Сезонні моносорти", "Стабільніша якість еспресо в різних закладах",
                       "Дегустації кави для гостей", "Продавати зерно свіжого обсмаження"],
    "price": ["Студентські знижки", "Дешевший американо", "Бонус за кожну п'яту каву",
              "Комбо кава та випічка за меншу ціну", "Знижки в години, коли мало людей"],
    "menu": ["Більше рослинного молока", "Смачніша випічка", "Більше десертів без цукру", "Сезонні напої частіше"],
    "nothing": ["Все влаштовує", "Нічого, все добре", "Поки що все подобається"],
}
IMPROVE_P = {  # over work_space, speed, coffee_quality, price, menu, nothing
    "work_from_cafe": [0.55, 0.05, 0.08, 0.07, 0.15, 0.10],
    "speed_commuter": [0.03, 0.60, 0.05, 0.07, 0.10, 0.15],
    "quality_connoisseur": [0.07, 0.05, 0.58, 0.03, 0.17, 0.10],
    "price_student": [0.12, 0.05, 0.03, 0.60, 0.12, 0.08],
}
IMPROVE_BLANK = 0.3


def choice(rng: np.random.Generator, options: list, probs, size: int) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p / p.sum())]


def by_segment(rng: np.random.Generator, segment: np.ndarray, options: list, table: dict) -> np.ndarray:
    """One draw per person from the segment's distribution over `options`."""
    out = np.empty(len(segment), dtype=object)
    for name in SEGMENTS:
        mask = segment == name
        out[mask] = choice(rng, options, table[name], int(mask.sum()))
    return out


def draw_segments(rng: np.random.Generator, n: int) -> np.ndarray:
    return choice(rng, SEGMENTS, SEGMENT_SHARES, n)


def make_respondents(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Survey respondents with their planted segment and every trait the segment shapes (as label texts)."""
    segment = draw_segments(rng, n)
    seg_idx = np.array([SEGMENTS.index(s) for s in segment])
    mean_age = np.array([AGE[s][0] for s in SEGMENTS])[seg_idx]
    sd_age = np.array([AGE[s][1] for s in SEGMENTS])[seg_idx]
    age = np.clip(np.round(rng.normal(mean_age, sd_age)), 16, 75).astype(int)
    women = np.array([WOMEN_SHARE[s] for s in SEGMENTS])[seg_idx]
    u = rng.random(n)
    gender = np.where(u < 0.02, GENDERS[2], np.where(u < 0.02 + 0.98 * women, GENDERS[0], GENDERS[1]))
    city = by_segment(rng, segment, CITIES, CITY_P)
    occupation = by_segment(rng, segment, OCCUPATIONS, OCCUPATION_P)
    # Age and occupation agree: the oldest are mostly retired, the youngest mostly study.
    occupation = np.where((age >= 62) & (rng.random(n) < 0.7), OCCUPATIONS[5], occupation)
    occupation = np.where((age <= 18) & (rng.random(n) < 0.9), OCCUPATIONS[0], occupation)
    income_level = np.clip(np.round(np.array([INCOME_MEAN[s] for s in SEGMENTS])[seg_idx]
                                    + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    income = np.where(rng.random(n) < 0.04, INCOME_REFUSED, np.asarray(INCOME, dtype=object)[income_level - 1])
    theme = by_segment(rng, segment, list(IMPROVE_THEMES), IMPROVE_P)
    theme = np.where(rng.random(n) < IMPROVE_BLANK, "", theme)
    return pd.DataFrame({
        "segment": segment,
        "age": age,
        "gender": gender,
        "city": city,
        "occupation": occupation,
        "income": income,
        "frequency": by_segment(rng, segment, FREQUENCY, FREQUENCY_P),
        "drink_format": by_segment(rng, segment, FORMATS, FORMAT_P),
        "order_channel": by_segment(rng, segment, CHANNELS, CHANNEL_P),
        "improve_theme": theme,
    })
