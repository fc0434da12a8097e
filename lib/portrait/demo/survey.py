"""The demo's online-survey export: question texts as headers, and the usual dirt of real exports."""

from __future__ import annotations

import numpy as np
import pandas as pd

from portrait.demo import interview_bank
from portrait.demo.identities import display_phone
from portrait.demo.population import HOBBIES

BRAND = "Loom & Lark"
COMPETITORS = ["Zara", "Reserved", "Mango"]
ATTITUDE = "How much do you agree with each statement?"
VALUES = "How important is each of these to you?"

# Attitude items and the mean answer (1-5) of each planted segment:
# trend_explorer, bargain_hunter, classic_quality, family_practical.
ATTITUDE_ITEMS = {
    "I love trying new styles and trends": (4.6, 2.6, 1.8, 2.4),
    "I follow new collections as soon as they appear": (4.5, 2.0, 2.2, 2.0),
    "I prefer classic, proven styles": (1.7, 3.0, 4.7, 3.3),
    "I buy clothes only when they are on sale": (2.2, 4.7, 1.6, 3.0),
    "I compare prices in several shops before buying": (2.4, 4.6, 2.0, 3.6),
    "Quality of fabric matters more to me than price": (3.0, 1.7, 4.7, 3.0),
    "I am willing to pay more for a well-known brand": (3.6, 1.5, 4.3, 2.2),
    "I often shop for my children": (1.6, 2.2, 1.8, 4.7),
    "Clothes must above all be practical and comfortable": (2.0, 3.4, 3.3, 4.7),
    "I like to stand out with what I wear": (4.7, 2.4, 2.2, 1.8),
    "I wait for promo codes and loyalty discounts": (2.6, 4.8, 1.8, 3.4),
    "I stick to brands I already know": (1.6, 2.8, 4.5, 3.4),
    "Shopping should be quick and convenient for the whole family": (2.0, 2.8, 2.4, 4.8),
    "I rarely buy new clothes; I wear things for years": (1.3, 3.6, 3.8, 3.0),
    "I enjoy discovering new designers": (4.7, 1.8, 2.3, 1.7),
    "Fashion is not important to me": (1.2, 3.2, 2.0, 3.6),
}
VALUE_ITEMS = ["Tradition", "Novelty and change", "Saving money", "Quality", "Family", "Self-expression"]
FREQUENCY = ["Never", "Less than 3 times a year", "3-8 times a year", "More than 8 times a year"]
PURPOSE_LABEL = {"self": "Mostly for myself", "gift": "Mostly as gifts for others",
                 "intermediary": "For my clients or employer (as a stylist or assistant)"}
WHERE_BUY = ["City stores", f"{BRAND} online shop", "Marketplaces", "Instagram shops"]
LEARN = ["Instagram", "Friends and family", "Shop windows", "Fashion blogs", "TV and magazines"]

OPEN_MORE = f"What would make you buy from {BRAND} more often?"
OPEN_ELSE = "Is there anything else you would like to tell us?"


def _likert(rng: np.random.Generator, mean: np.ndarray, sd: float = 0.75) -> np.ndarray:
    return np.clip(np.round(mean + rng.normal(0, sd, len(mean))), 1, 5).astype(int)


def build_answers(sample: pd.DataFrame, ids: pd.DataFrame, rng: np.random.Generator,
                  start: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clean answers for every sampled person, then the dirt; returns (export, quality truth)."""
    n = len(sample)
    seg_idx = sample["attitude_segment"].map(
        {"trend_explorer": 0, "bargain_hunter": 1, "classic_quality": 2, "family_practical": 3}).to_numpy()
    rel = sample["relationship"].to_numpy()
    aware = rel != "unaware"
    buyer = np.isin(rel, ["buys_rarely", "buys_medium", "buys_often"])
    considered = buyer | ((rel == "aware_non_buyer") & (rng.random(n) < 0.45))

    cols: dict[str, object] = {}
    cols["Response ID"] = [f"R{100000 + i}" for i in range(n)]
    started = start + pd.to_timedelta(np.sort(rng.integers(0, 30 * 24 * 3600, n)), unit="s")
    duration = np.round(rng.lognormal(np.log(780), 0.35, n)).astype(int)
    cols["Start time"] = started.strftime("%Y-%m-%d %H:%M:%S")
    cols["Submit time"] = (started + pd.to_timedelta(duration, unit="s")).strftime("%Y-%m-%d %H:%M:%S")
    cols["Duration (seconds)"] = duration.astype(str)
    ident = ids.set_index("person_id").loc[sample["person_id"]]
    cols["Your first name"] = ident["first_name"].to_numpy()
    gives_contact = rng.random(n) < 0.88
    cols["What is your e-mail address?"] = np.where(gives_contact, ident["email"].to_numpy(), "")
    styles = rng.integers(0, 4, n)
    cols["What is your phone number?"] = [display_phone(p, s) if g else ""
                                         for p, s, g in zip(ident["phone"], styles, gives_contact)]
    cols["How old are you?"] = sample["age"].astype(str).to_numpy()
    cols["What is your gender?"] = sample["gender"].to_numpy()
    cols["Which city do you live in?"] = sample["city"].to_numpy()
    cols["What is your nationality?"] = sample["nationality"].to_numpy()
    cols["Do you live in Ukraine permanently?"] = np.where(sample["local"], "Yes",
                                                         "No, I am visiting or living here temporarily")
    cols["Which language do you speak at home?"] = sample["language"].map(
        {"uk": "Ukrainian", "ru": "Russian", "en": "English"}).to_numpy()
    cols["What is your religion? (optional)"] = sample["religion"].to_numpy()
    cols["What is your family status?"] = sample["family_status"].to_numpy()
    cols["Do you have children under 14?"] = np.where(sample["has_children"], "Yes", "No")
    cols["How many people live in your household?"] = sample["household_size"].astype(str).to_numpy()
    cols["What is your monthly personal income?"] = sample["income_band"].to_numpy()
    cols["What is your highest level of education?"] = sample["education"].to_numpy()
    cols["What is your main occupation?"] = sample["occupation"].to_numpy()
    cols["Which describes your home best?"] = sample["living_conditions"].to_numpy()
    hobby_sets = sample["hobbies"].str.split("; ")
    for hobby in HOBBIES:
        cols[f"Which of these do you do in your free time? - {hobby}"] = [
            hobby if hobby in h else "" for h in hobby_sets]
    cols["Which fashion style is closest to you?"] = sample["cultural_preference"].to_numpy()
    value_means = {
        "Tradition": (1.8, 3.0, 4.4, 3.8), "Novelty and change": (4.6, 2.5, 1.8, 2.4),
        "Saving money": (2.3, 4.7, 2.2, 3.8), "Quality": (3.5, 2.6, 4.8, 3.6),
        "Family": (2.6, 3.4, 3.6, 4.8), "Self-expression": (4.8, 2.6, 2.6, 2.2)}
    for item in VALUE_ITEMS:
        cols[f"{VALUES} - {item}"] = _likert(rng, np.array(value_means[item])[seg_idx], 0.8)
    planned = np.where(seg_idx == 2, rng.random(n) < 0.75, rng.random(n) < 0.35)
    cols["How do you usually shop for clothes?"] = np.where(
        planned, "I plan purchases in advance", np.where(rng.random(n) < 0.5, "I mostly buy on impulse", "A mix of both"))
    news = np.clip(np.where(seg_idx == 0, 3, 1) + rng.integers(-1, 2, n), 0, 3)
    cols["How often do you read fashion news or blogs?"] = np.array(["Never", "Monthly", "Weekly", "Daily"])[news]

    for brand in [BRAND] + COMPETITORS:
        heard = aware if brand == BRAND else rng.random(n) < 0.8
        cols[f"Which of these fashion brands have you heard of? - {brand}"] = np.where(heard, brand, "")
    for brand in [BRAND] + COMPETITORS:
        cons = considered if brand == BRAND else rng.random(n) < 0.4
        cols[f"Which of these brands would you consider buying? - {brand}"] = np.where(cons, brand, "")
    for brand in [BRAND] + COMPETITORS:
        bought = buyer if brand == BRAND else rng.random(n) < 0.3
        cols[f"Which of these brands have you bought in the last 12 months? - {brand}"] = np.where(bought, brand, "")
    tier = pd.Series(rel).map({"buys_rarely": 1, "buys_medium": 2, "buys_often": 3}).fillna(0).astype(int).to_numpy()
    cols[f"How often do you buy at {BRAND}?"] = np.where(aware, np.array(FREQUENCY, dtype=object)[tier], "")
    cols[f"Do you have a {BRAND} loyalty card?"] = np.where(
        sample["card_holder"], "Yes", np.where(aware, np.where(rng.random(n) < 0.9, "No", "Not sure"), "No"))
    cols["Who do you usually buy clothes and accessories for?"] = sample["purpose"].map(PURPOSE_LABEL).to_numpy()
    kids = np.where(sample["parent_buying_for_children"], "Yes, regularly",
                    np.where(sample["has_children"], "Sometimes", "I have no children"))
    cols["Do you buy clothes for your children?"] = kids
    shifts = _trait_shifts(sample)
    for item, means in ATTITUDE_ITEMS.items():
        cols[f"{ATTITUDE} - {item}"] = _likert(rng, np.array(means)[seg_idx] + shifts.get(item, 0.0))
    pref = sample["channel_preference"].to_numpy()
    where_p = {"City stores": np.where(pref == "online", 0.2, 0.9),
               f"{BRAND} online shop": np.where(pref == "store", 0.15, 0.85),
               "Marketplaces": np.where(seg_idx == 1, 0.7, 0.3), "Instagram shops": np.where(seg_idx == 0, 0.6, 0.15)}
    for place in WHERE_BUY:
        cols[f"Where do you usually buy clothes? - {place}"] = np.where(rng.random(n) < where_p[place], place, "")
    learn_p = {"Instagram": np.where(seg_idx == 0, 0.85, 0.35), "Friends and family": np.where(seg_idx == 3, 0.8, 0.4),
               "Shop windows": np.where(seg_idx == 2, 0.6, 0.3), "Fashion blogs": np.where(seg_idx == 0, 0.6, 0.1),
               "TV and magazines": np.where(seg_idx == 2, 0.4, 0.1)}
    for source in LEARN:
        cols[f"Where do you learn about new fashion? - {source}"] = np.where(rng.random(n) < learn_p[source], source, "")
    nps = np.clip(np.round(rng.normal(np.where(buyer, 7.6 + 0.6 * tier, 5.5), 1.6)), 0, 10).astype(int)
    cols[f"How likely are you to recommend {BRAND} to a friend? (0-10)"] = np.where(aware, nps.astype(str), "")
    spend = np.round(rng.lognormal(np.log(1500 + 900 * sample["income_level"].to_numpy()), 0.4) / 50) * 50
    cols["About how much do you spend on clothes and accessories per month? (UAH)"] = spend.astype(int).astype(str)
    cols[OPEN_MORE] = _open_answers(sample, rng)
    extra = np.where(rng.random(n) < 0.03, [f"Please write to me: {e}" for e in ident["email"]], "")
    cols[OPEN_ELSE] = extra
    frame = pd.DataFrame(cols)
    for column in frame.columns:
        if frame[column].dtype != object:
            frame[column] = frame[column].astype(str)
    return _add_dirt(frame, sample, rng)


# Individual traits move the items that express them, on top of the attitudinal segment's mean:
# (item, trait column, shift when the trait holds, shift when it does not).
TRAIT_ITEMS = [
    ("I love trying new styles and trends", "behaviour_profile", 0.8, -0.8),
    ("I enjoy discovering new designers", "behaviour_profile", 0.8, -0.8),
    ("I prefer classic, proven styles", "behaviour_profile", -0.8, 0.8),
    ("I stick to brands I already know", "behaviour_profile", -0.6, 0.6),
    ("I buy clothes only when they are on sale", "discount_hunter", 1.2, -0.6),
    ("I wait for promo codes and loyalty discounts", "discount_hunter", 0.8, -0.4),
    ("I follow new collections as soon as they appear", "novelty_hunter", 1.2, -0.5),
    ("I often shop for my children", "parent_buying_for_children", 1.4, -0.8),
]


def _trait_shifts(sample: pd.DataFrame) -> dict[str, np.ndarray]:
    shifts: dict[str, np.ndarray] = {}
    for item, trait, when_true, when_false in TRAIT_ITEMS:
        holds = (sample[trait] == "experimenter") if trait == "behaviour_profile" else sample[trait].astype(bool)
        shifts[item] = shifts.get(item, 0.0) + np.where(holds.to_numpy(), when_true, when_false)
    return shifts


def open_answer_code(person: pd.Series) -> str:
    """The planted theme of a person's answer to OPEN_MORE."""
    if person["relationship"] in ("unaware", "aware_non_buyer"):
        return "unfamiliar_brand"
    if person["discount_hunter"]:
        return "discount_deals"
    if person["novelty_hunter"]:
        return "new_styles"
    if person["parent_buying_for_children"]:
        return "kids_clothes"
    if person["channel_preference"] == "online":
        return "slow_delivery"
    return "quality_materials"


def _open_answers(sample: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    answers = []
    for k, (_, person) in enumerate(sample.iterrows()):
        if rng.random() < 0.25:
            answers.append("")
            continue
        answers.append(interview_bank.theme_sentence(open_answer_code(person), person["language"], int(rng.integers(0, 5))))
    return answers


def _add_dirt(frame: pd.DataFrame, sample: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plant speeders, straight-liners, out-of-range codes, incompletes, duplicates, blank and broken rows."""
    n = len(frame)
    truth = pd.DataFrame({"Response ID": frame["Response ID"], "person_id": sample["person_id"].to_numpy(),
                          "speeder": False, "straightliner": False, "out_of_range": False, "incomplete": False,
                          "duplicate": False})
    order = rng.permutation(n)
    speeders, liners, ranges, incompletes = order[:70], order[70:130], order[130:175], order[175:215]
    median = frame["Duration (seconds)"].astype(int).median()
    for i in speeders:
        fast = int(median * rng.uniform(0.1, 0.25))
        frame.loc[i, "Duration (seconds)"] = str(fast)
        frame.loc[i, "Submit time"] = (pd.Timestamp(frame.loc[i, "Start time"]) + pd.Timedelta(seconds=fast)).strftime(
            "%Y-%m-%d %H:%M:%S")
    grid = [c for c in frame.columns if c.startswith(ATTITUDE)]
    for i in liners:
        frame.loc[i, grid] = str(int(rng.integers(1, 6)))
    for i in ranges:
        column = grid[int(rng.integers(0, len(grid)))] if rng.random() < 0.8 else "How old are you?"
        frame.loc[i, column] = "999" if column == "How old are you?" else str(int(rng.choice([0, 6, 9])))
    late = frame.columns[frame.columns.get_loc(f"Which of these fashion brands have you heard of? - {BRAND}"):]
    for i in incompletes:
        frame.loc[i, late] = ""
    truth.loc[speeders, "speeder"] = True
    truth.loc[liners, "straightliner"] = True
    truth.loc[ranges, "out_of_range"] = True
    truth.loc[incompletes, "incomplete"] = True

    # Duplicates are re-submissions by people who left a contact: that is how they can be recognised.
    with_contact = [i for i in order[221:] if frame.loc[i, "What is your e-mail address?"]]
    dup_src = np.sort(with_contact[:50])
    dups = frame.iloc[dup_src].copy()
    dups["Response ID"] = [f"R{900000 + i}" for i in range(len(dups))]
    shift = pd.to_timedelta(rng.integers(120, 3600, len(dups)), unit="s")
    dups["Start time"] = (pd.to_datetime(dups["Start time"]) + shift).dt.strftime("%Y-%m-%d %H:%M:%S")
    dups["Submit time"] = (pd.to_datetime(dups["Submit time"]) + shift).dt.strftime("%Y-%m-%d %H:%M:%S")
    dup_truth = truth.iloc[dup_src].copy()
    dup_truth["Response ID"] = dups["Response ID"].to_numpy()
    dup_truth["duplicate"] = True

    blank = pd.DataFrame("", index=range(12), columns=frame.columns)
    broken = frame.iloc[order[215:221]].copy()
    broken["Response ID"] = [f"R{800000 + i}" for i in range(len(broken))]
    broken.iloc[:3, broken.columns.get_loc("Response ID")] = ""
    broken.iloc[3:, broken.columns.get_loc("Submit time")] = "not submitted"
    broken_truth = pd.DataFrame({"Response ID": broken["Response ID"], "invalid": True})

    export = pd.concat([frame, dups, blank, broken], ignore_index=True)
    # Shuffle rows the way exports interleave them, deterministically.
    export = export.iloc[rng.permutation(len(export))].reset_index(drop=True)
    truth = pd.concat([truth, dup_truth], ignore_index=True)
    truth["invalid"] = False
    truth = pd.concat([truth, broken_truth.assign(person_id=None)], ignore_index=True)
    return export, truth
