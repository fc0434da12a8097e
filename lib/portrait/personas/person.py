"""A persona drawn as one person, as the first article asks ("a composite image of one typical member of the
segment"): a name, an age, a place and an occupation taken from the segment's most typical values, and a short
narrative in the report's language whose every sentence points to the evidence line it comes from.

Names come from a list shipped with the package (templates/persona_person.yml) by the segment's modal gender and
typical age; the choice is a function of the study's name and the segment number, unique within the study, so a
segment that keeps its number from run to run (history/identity.py) keeps its person while its modal gender and
generation stay. The phrases agree with the person's gender and with numerals (Babel's plural rules: "21 рік",
"23 роки", "47 років"); values from the data are never inflected, only quoted or set in apposition.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from babel import Locale

from portrait.report import formatting

PERSON_YML = Path(__file__).parents[1] / "templates" / "persona_person.yml"


@lru_cache(maxsize=1)
def _table() -> dict:
    return yaml.safe_load(PERSON_YML.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PersonRoles:
    """The survey variables the person is drawn from (any may be missing: that part is left out)."""
    gender: str | None = None
    age: str | None = None
    place: str | None = None
    occupation: str | None = None

    @classmethod
    def from_roles(cls, roles) -> "PersonRoles":
        return cls(gender=roles.demographics.gender, age=roles.demographics.age,
                   place=roles.geography.region, occupation=roles.demographics.occupation)


def gender_of(answer: str | None) -> str:
    """"female", "male" or "neutral" for a study's gender answer (its whole text or first word, en/uk/ru)."""
    if not answer:
        return "neutral"
    text = answer.strip().lower()
    first = text.replace("/", " ").split()[0] if text.split() else text
    for gender in ("female", "male"):
        words = _table()["gender_answers"][gender]
        if text in words or first in words:
            return gender
    return "neutral"


def generation(age: float | None) -> str:
    """"young", "middle" or "older" by the age bounds of the name list; "middle" when the age is unknown."""
    if age is None or pd.isna(age):
        return "middle"
    young, older = _table()["generations"]
    return "young" if age < young else "middle" if age < older else "older"


def band_start(band: str) -> float | None:
    """The first number of an age band ("45+" -> 45, "30-44" -> 30), None without one."""
    found = re.search(r"\d+", band)
    return float(found.group()) if found else None


def typical(profile: pd.DataFrame, segment: int, variable: str | None) -> dict | None:
    """The segment's most typical value of `variable`: its modal category (largest share), or its mean for a
    numeric variable, as a profile row; None when the profile lacks the variable."""
    if not variable:
        return None
    rows = profile[(profile["segment"] == segment) & (profile["variable"] == variable)]
    if rows.empty:
        return None
    categories = rows[rows["category"] != ""]
    if categories.empty:
        return rows.iloc[0].to_dict()
    return categories.sort_values(["value", "category"], ascending=[False, True]).iloc[0].to_dict()


def names(people: dict[int, tuple[str, str]], language: str, study: str) -> dict[int, str]:
    """A name per segment from (gender, generation), unique within the study: each segment starts at a place in
    its list fixed by the study's name and its number, and takes the first name not yet given (segments in
    number order); a list that runs out continues in the other generations of that gender, then the neutral list."""
    table = _table()["names"][language]
    taken, chosen = set(), {}
    for segment in sorted(people):
        gender, cohort = people[segment]
        lists = ([table[gender][cohort]] + [table[gender][g] for g in ("young", "middle", "older") if g != cohort]
                 if gender in ("female", "male") else [])
        lists.append(table["neutral"])
        start = int(hashlib.sha256(f"{study}\x1f{segment}".encode()).hexdigest(), 16)
        for candidates in lists:
            order = [candidates[(start + i) % len(candidates)] for i in range(len(candidates))]
            free = [n for n in order if n not in taken]
            if free:
                chosen[segment] = free[0]
                break
        else:  # more segments than names: number the neutral ones
            chosen[segment] = f"{table['neutral'][start % len(table['neutral'])]} {segment}"
        taken.add(chosen[segment])
    return chosen


def age_phrase(age: dict | None, language: str) -> str | None:
    """The person's age: a whole number with its noun agreeing (uk, ru), or "aged <band>" for a band."""
    if age is None:
        return None
    phrases = _table()["phrases"][language]
    if age["category"]:
        return phrases["band"].format(band=age["category"])
    years = int(round(float(age["value"])))
    forms = phrases["years"]
    form = Locale.parse(language).plural_form(years)
    return forms.get(form, forms["other"]).format(n=years)


def describe(profile: pd.DataFrame, segment: int, roles: PersonRoles) -> dict:
    """What the person is drawn from: the typical gender, age, place and occupation rows (None where absent)."""
    return {part: typical(profile, segment, getattr(roles, part)) for part in ("gender", "age", "place", "occupation")}


def _gender(typical_values: dict) -> str:
    return gender_of(typical_values["gender"]["category"] if typical_values.get("gender") else None)


def person(typical_values: dict, name: str, language: str) -> dict:
    """The person: name, gender (grammatical), age phrase, place and occupation."""
    gender = _gender(typical_values)
    place, occupation = typical_values.get("place"), typical_values.get("occupation")
    return {"name": name, "gender": gender, "age": age_phrase(typical_values.get("age"), language),
            "place": place["category"] or None if place else None,
            "occupation": occupation["category"] or None if occupation else None}


def person_key(typical_values: dict) -> tuple[str, str]:
    """(gender, generation) the name list is chosen by."""
    age = typical_values.get("age")
    years = None if age is None else (band_start(age["category"]) if age["category"] else float(age["value"]))
    return _gender(typical_values), generation(years)


def narrative(who: dict, card: dict, traits: list[dict], language: str, unit: str, currency: str | None = None
              ) -> list[dict]:
    """The narrative: sentences, each with the anchor of the evidence it comes from (`anchor`) — the person's
    typical values, the segment's size, then each trait (survey shares and means, interview codes)."""
    phrases, gender, name = _table()["phrases"][language], who["gender"], who["name"]
    intro = phrases["intro"].format(name=name)
    if who["age"]:
        intro += phrases["intro_age"].format(age=who["age"])
    if who["place"]:
        intro += phrases["intro_place"].format(place=who["place"])
    if who["occupation"]:
        intro += phrases["intro_occupation"].format(occupation=who["occupation"])
    sentences = [{"text": intro + ".", "anchor": f"{card['id']}-typical"}] if intro != name else []
    sentences.append({"text": phrases["member"][gender].format(
        name=name, segment=card["name"], share=formatting.percent(card["size"]["share"], language), unit=unit),
        "anchor": f"{card['id']}-size"})
    for item in traits:
        if item.get("code"):
            kind = "interview"
        else:
            kind = "share_trait" if item["unit"] == "%" else "mean_trait"
        sentences.append({"text": phrases[kind][gender].format(
            name=name, statement=item["statement"],
            value=formatting.figure(item["value"], item["unit"], language, currency),
            total=formatting.figure(item["total"], item["unit"], language, currency)), "anchor": item["anchor"]})
    return sentences


def anchor(card_id: str, item: dict) -> str:
    """A stable id for an evidence line within a card."""
    digest = hashlib.sha256(f"{item['variable']}\x1f{item['category']}".encode()).hexdigest()[:10]
    return f"{card_id}-{digest}"
