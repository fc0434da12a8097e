"""The demo's online-survey export: question texts as headers, response error, and the usual dirt of real exports.

Answers are drawn from the planted truth (population.py) and then carry the error real respondents make, at
the named rates below: factual answers misreported, an acquiescent minority agreeing too readily, satisficers
giving their habitual answer across a grid, and items skipped. The attitudinal segments overlap the way real
ones do: the best possible classifier (ceiling.py) recovers them at an adjusted Rand index near 0.8, not 1.
The error draws come from a child of the demo's generator, so the rest of the demo is drawn as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portrait.demo import interview_bank
from portrait.demo.identities import display_phone
from portrait.demo.population import ALL_SEGMENTS, HOBBIES, INCOME, PURPOSES

BRAND = "Loom & Lark"
COMPETITORS = ["Zara", "Reserved", "Mango"]
ATTITUDE = "How much do you agree with each statement?"
VALUES = "How important is each of these to you?"

# Response error. Each is a share of respondents (or of their answers); comments say why that rate.
# Re-interview studies find simple factual items answered differently by a few to ten per cent of people
# (recall of purchases, brands and frequencies is the weakest): 6 % of every factual answer below is
# misreported — a yes/no flipped, an ordered answer one category off, a nominal one replaced by another option.
MISREPORT_RATE = 0.06
# Acquiescence (yea-saying) is a trait of a minority in most online panels; 15 % of respondents agree more
# than their attitude warrants, by 0.7 scale points on every agree-scale item (before rounding).
ACQUIESCENT_SHARE = 0.15
ACQUIESCENCE_SHIFT = 0.7
# Satisficers: 8 % of respondents give their habitual answer to half the items of the attitude grid instead
# of a considered one (the milder form of straight-lining, which quality checks do not catch; the 16-item grid
# is where it shows, the 6-item values grid is left alone); the full straight-liners the checks should catch
# are planted with the dirt (STRAIGHTLINER_SHARE).
SATISFICER_SHARE = 0.08
SATISFICE_PROB = 0.5
HABITUAL_ANSWERS = (3, 4, 5)             # the middle or agreeing end, as satisficers' answers cluster
STRAIGHTLINER_SHARE = 60 / 2250          # every item of the attitude grid the same (flagged by step 01)
# Item non-response clusters in people: 10 % of respondents skip each single-choice or grid item with
# probability 0.2, so about 2 % of any item is blank and 90 % answer the whole attitude grid.
# Multi-select questions are left out: a skipped "select all that apply" cannot be told from "none".
SKIPPER_SHARE = 0.10
SKIP_PROB = 0.2

# Overlap of the attitudinal segments: each segment's mean below is pulled toward the item's mean over the
# segments by this factor, and answers scatter around it with this sd (1-5 scale, before rounding). With the
# traits' shifts, acquiescence and satisficing on top, the Bayes-optimal assignment from the attitude grid
# recovers the planted segments at an ARI near 0.8 (ceiling.recovery_ceiling: 0.807 on the 1,855 respondents
# step 04 segments).
ATTITUDE_SEPARATION = 0.5
ATTITUDE_SD = 1.05
EMERGING_SEPARATION = 1.0   # the segment later waves bring in stands apart (the pull would hide it)

# Attitude items and the mean answer (1-5) of each planted segment, before ATTITUDE_SEPARATION:
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
# The emerging segment (population.EMERGING_SEGMENT, later waves only), in the same units: before the pull toward
# the first four segments' mean, so that it sits as far from them as they sit from each other.
EMERGING_ATTITUDE = {
    "I love trying new styles and trends": 2.2, "I follow new collections as soon as they appear": 1.2,
    "I prefer classic, proven styles": 3.6, "I buy clothes only when they are on sale": 1.4,
    "I compare prices in several shops before buying": 2.0, "Quality of fabric matters more to me than price": 4.9,
    "I am willing to pay more for a well-known brand": 1.2, "I often shop for my children": 1.6,
    "Clothes must above all be practical and comfortable": 4.6, "I like to stand out with what I wear": 1.6,
    "I wait for promo codes and loyalty discounts": 1.3, "I stick to brands I already know": 1.4,
    "Shopping should be quick and convenient for the whole family": 1.8,
    "I rarely buy new clothes; I wear things for years": 4.9, "I enjoy discovering new designers": 4.2,
    "Fashion is not important to me": 4.4,
}
VALUE_ITEMS = ["Tradition", "Novelty and change", "Saving money", "Quality", "Family", "Self-expression"]
FREQUENCY = ["Never", "Less than 3 times a year", "3-8 times a year", "More than 8 times a year"]
KIDS = ["Yes, regularly", "Sometimes", "I have no children"]
PURPOSE_LABEL = {"self": "Mostly for myself", "gift": "Mostly as gifts for others",
                 "intermediary": "For my clients or employer (as a stylist or assistant)"}
WHERE_BUY = ["City stores", f"{BRAND} online shop", "Marketplaces", "Instagram shops"]
LEARN = ["Instagram", "Friends and family", "Shop windows", "Fashion blogs", "TV and magazines"]

OPEN_MORE = f"What would make you buy from {BRAND} more often?"
OPEN_ELSE = "Is there anything else you would like to tell us?"


VALUE_MEANS = {
    "Tradition": (1.8, 3.0, 4.4, 3.8), "Novelty and change": (4.6, 2.5, 1.8, 2.4),
    "Saving money": (2.3, 4.7, 2.2, 3.8), "Quality": (3.5, 2.6, 4.8, 3.6),
    "Family": (2.6, 3.4, 3.6, 4.8), "Self-expression": (4.8, 2.6, 2.6, 2.2)}
EMERGING_VALUES = {"Tradition": 2.4, "Novelty and change": 2.6, "Saving money": 3.0, "Quality": 4.8, "Family": 3.0,
                   "Self-expression": 3.4}
VALUE_SD_CLEAN = 0.8                      # the values grid keeps its planted separation (not the basis)
ANSWER_LEVELS = np.arange(1, 6)


def attitude_means() -> dict[str, np.ndarray]:
    """Each attitude item's mean answer per segment (ALL_SEGMENTS order), after ATTITUDE_SEPARATION: pulled toward
    the first four segments' mean (the emerging one is pulled toward the same point)."""
    out = {}
    for item, means in ATTITUDE_ITEMS.items():
        means = np.asarray(means, dtype=float)
        centre = means.mean()
        out[item] = np.append(centre + ATTITUDE_SEPARATION * (means - centre),
                              centre + EMERGING_SEPARATION * (EMERGING_ATTITUDE[item] - centre))
    return out


def value_means(item: str) -> np.ndarray:
    """A values item's mean answer per segment (ALL_SEGMENTS order)."""
    return np.array([*VALUE_MEANS[item], EMERGING_VALUES[item]])


def _likert(rng: np.random.Generator, mean: np.ndarray, sd: float) -> np.ndarray:
    return np.clip(np.round(mean + rng.normal(0, sd, len(mean))), 1, 5).astype(int)


def response_styles(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Each respondent's answering style: acquiescent, satisficer (with a habitual answer), skipper."""
    return pd.DataFrame({
        "acquiescent": rng.random(n) < ACQUIESCENT_SHARE,
        "satisficer": rng.random(n) < SATISFICER_SHARE,
        "habitual_answer": rng.choice(HABITUAL_ANSWERS, n),
        "skipper": rng.random(n) < SKIPPER_SHARE,
    })


class _Misreport:
    """Misreporting at MISREPORT_RATE and item non-response, answer by answer; remembers what it changed."""

    def __init__(self, styles: pd.DataFrame, rng: np.random.Generator):
        self.styles, self.rng, self.changed = styles, rng, {}
        self.n = len(styles)

    def _hit(self, name: str) -> np.ndarray:
        hit = self.rng.random(self.n) < MISREPORT_RATE
        self.changed[name] = hit
        return hit

    def flip(self, name: str, values: np.ndarray) -> np.ndarray:
        """A yes/no answer reversed."""
        return np.where(self._hit(name), ~values, values)

    def off_by_one(self, name: str, levels: np.ndarray, top: int) -> np.ndarray:
        """An ordered answer (0..top) one category up or down, staying on the scale."""
        step = np.where(self.rng.random(self.n) < 0.5, -1, 1)
        moved = levels + step
        moved = np.where(moved < 0, 1, np.where(moved > top, top - 1, moved))
        return np.where(self._hit(name), moved, levels)

    def other_option(self, name: str, codes: np.ndarray, options: int) -> np.ndarray:
        """A nominal answer (0..options-1) replaced by one of the other options."""
        other = (codes + self.rng.integers(1, options, self.n)) % options
        return np.where(self._hit(name), other, codes)

    def skip(self, answers) -> np.ndarray:
        """Item non-response: a skipper leaves this item blank with probability SKIP_PROB."""
        answers = np.asarray(answers, dtype=object)
        blank = self.styles["skipper"].to_numpy() & (self.rng.random(self.n) < SKIP_PROB)
        return np.where(blank, "", answers)

    def truth(self) -> pd.DataFrame:
        return pd.DataFrame({f"misreported_{k}": v for k, v in self.changed.items()})


def _grid_answers(rng: np.random.Generator, error: _Misreport, styles: pd.DataFrame, mean: np.ndarray,
                  sd: float) -> np.ndarray:
    """A grid item: the considered answer, or a satisficer's habitual one; then skips."""
    considered = _likert(rng, mean, sd)
    habitual = styles["satisficer"].to_numpy() & (error.rng.random(error.n) < SATISFICE_PROB)
    return error.skip(np.where(habitual, styles["habitual_answer"].to_numpy(), considered).astype(str))


def build_answers(sample: pd.DataFrame, ids: pd.DataFrame, rng: np.random.Generator,
                  start: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Answers for every sampled person with their response error, then the dirt;
    returns (export, quality truth, response-error truth)."""
    n = len(sample)
    error_rng = rng.spawn(1)[0]  # a child stream: the main stream draws exactly what it drew before
    styles = response_styles(n, error_rng)
    error = _Misreport(styles, error_rng)
    seg_idx = sample["attitude_segment"].map({s: i for i, s in enumerate(ALL_SEGMENTS)}).to_numpy()
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
    phone_styles = rng.integers(0, 4, n)
    cols["What is your phone number?"] = [display_phone(p, s) if g else ""
                                         for p, s, g in zip(ident["phone"], phone_styles, gives_contact)]
    cols["How old are you?"] = sample["age"].astype(str).to_numpy()
    cols["What is your gender?"] = sample["gender"].to_numpy()
    cols["Which city do you live in?"] = sample["city"].to_numpy()
    cols["What is your nationality?"] = sample["nationality"].to_numpy()
    local = error.flip("resident", sample["local"].to_numpy(dtype=bool))
    cols["Do you live in Ukraine permanently?"] = error.skip(
        np.where(local, "Yes", "No, I am visiting or living here temporarily"))
    cols["Which language do you speak at home?"] = sample["language"].map(
        {"uk": "Ukrainian", "ru": "Russian", "en": "English"}).to_numpy()
    cols["What is your religion? (optional)"] = sample["religion"].to_numpy()
    cols["What is your family status?"] = sample["family_status"].to_numpy()
    has_children = error.flip("children", sample["has_children"].to_numpy(dtype=bool))
    cols["Do you have children under 14?"] = error.skip(np.where(has_children, "Yes", "No"))
    cols["How many people live in your household?"] = sample["household_size"].astype(str).to_numpy()
    income = error.off_by_one("income", sample["income_level"].to_numpy(), len(INCOME) - 1)
    cols["What is your monthly personal income?"] = error.skip(np.asarray(INCOME, dtype=object)[income])
    cols["What is your highest level of education?"] = sample["education"].to_numpy()
    cols["What is your main occupation?"] = sample["occupation"].to_numpy()
    cols["Which describes your home best?"] = sample["living_conditions"].to_numpy()
    hobby_sets = sample["hobbies"].str.split("; ")
    for hobby in HOBBIES:
        cols[f"Which of these do you do in your free time? - {hobby}"] = [
            hobby if hobby in h else "" for h in hobby_sets]
    cols["Which fashion style is closest to you?"] = sample["cultural_preference"].to_numpy()
    for item in VALUE_ITEMS:
        cols[f"{VALUES} - {item}"] = _grid_answers(rng, error, styles.assign(satisficer=False),
                                                   value_means(item)[seg_idx], VALUE_SD_CLEAN)
    planned = np.where(seg_idx == 2, rng.random(n) < 0.75, rng.random(n) < 0.35)
    cols["How do you usually shop for clothes?"] = np.where(
        planned, "I plan purchases in advance", np.where(rng.random(n) < 0.5, "I mostly buy on impulse", "A mix of both"))
    news = np.clip(np.where(seg_idx == 0, 3, 1) + rng.integers(-1, 2, n), 0, 3)
    cols["How often do you read fashion news or blogs?"] = np.array(["Never", "Monthly", "Weekly", "Daily"])[news]

    # Brand questions: heard of, considered, bought, each answer misreported at MISREPORT_RATE.
    heard = {}
    for brand in [BRAND] + COMPETITORS:
        planted = aware if brand == BRAND else rng.random(n) < 0.8
        heard[brand] = error.flip(f"aware_{brand}", planted)
        cols[f"Which of these fashion brands have you heard of? - {brand}"] = np.where(heard[brand], brand, "")
    for brand in [BRAND] + COMPETITORS:
        cons = error.flip(f"considered_{brand}", considered if brand == BRAND else rng.random(n) < 0.4)
        cols[f"Which of these brands would you consider buying? - {brand}"] = np.where(cons, brand, "")
    for brand in [BRAND] + COMPETITORS:
        bought = error.flip(f"bought_{brand}", buyer if brand == BRAND else rng.random(n) < 0.3)
        cols[f"Which of these brands have you bought in the last 12 months? - {brand}"] = np.where(bought, brand, "")
    tier = pd.Series(rel).map({"buys_rarely": 1, "buys_medium": 2, "buys_often": 3}).fillna(0).astype(int).to_numpy()
    tier = error.off_by_one("frequency", tier, len(FREQUENCY) - 1)
    # Asked of those who say they know the brand (the survey's routing follows the answer, not the truth).
    cols[f"How often do you buy at {BRAND}?"] = error.skip(
        np.where(heard[BRAND], np.array(FREQUENCY, dtype=object)[tier], ""))
    cols[f"Do you have a {BRAND} loyalty card?"] = np.where(
        sample["card_holder"], "Yes", np.where(aware, np.where(rng.random(n) < 0.9, "No", "Not sure"), "No"))
    purpose = error.other_option("purpose", sample["purpose"].map(PURPOSES.index).to_numpy(), len(PURPOSES))
    cols["Who do you usually buy clothes and accessories for?"] = error.skip(
        pd.Series(np.asarray(PURPOSES, dtype=object)[purpose]).map(PURPOSE_LABEL).to_numpy())
    kids_level = np.where(sample["parent_buying_for_children"], 0, np.where(sample["has_children"], 1, 2))
    kids_level = error.off_by_one("buys_for_children", kids_level, len(KIDS) - 1)
    cols["Do you buy clothes for your children?"] = error.skip(np.asarray(KIDS, dtype=object)[kids_level])
    shifts = _trait_shifts(sample)
    acquiescence = np.where(styles["acquiescent"], ACQUIESCENCE_SHIFT, 0.0)
    for item, means in attitude_means().items():
        cols[f"{ATTITUDE} - {item}"] = _grid_answers(rng, error, styles,
                                                     means[seg_idx] + shifts.get(item, 0.0) + acquiescence,
                                                     ATTITUDE_SD)
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
    cols[f"How likely are you to recommend {BRAND} to a friend? (0-10)"] = np.where(heard[BRAND], nps.astype(str), "")
    spend = np.round(rng.lognormal(np.log(1500 + 900 * sample["income_level"].to_numpy()), 0.4) / 50) * 50
    cols["About how much do you spend on clothes and accessories per month? (UAH)"] = spend.astype(int).astype(str)
    cols[OPEN_MORE] = _open_answers(sample, rng)
    extra = np.where(rng.random(n) < 0.03, [f"Please write to me: {e}" for e in ident["email"]], "")
    cols[OPEN_ELSE] = extra
    frame = pd.DataFrame(cols)
    for column in frame.columns:
        if frame[column].dtype != object:
            frame[column] = frame[column].astype(str)
    export, quality_truth = _add_dirt(frame, sample, rng)
    error_truth = pd.concat([pd.DataFrame({"Response ID": frame["Response ID"],
                                           "person_id": sample["person_id"].to_numpy()}),
                             styles, error.truth()], axis=1)
    return export, quality_truth, error_truth


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
    cut = np.cumsum([70, round(STRAIGHTLINER_SHARE * n), 45, 40])
    speeders, liners, ranges, incompletes = np.split(order[:cut[-1]], cut[:-1])
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
    with_contact = [i for i in order[cut[-1] + 6:] if frame.loc[i, "What is your e-mail address?"]]
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
    broken = frame.iloc[order[cut[-1]:cut[-1] + 6]].copy()
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
