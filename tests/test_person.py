"""The persona as one person: name by modal gender and typical age, age with agreeing numerals, narrative in
en/uk/ru whose every sentence links to an evidence line of the card, escaped like everything from a study."""

import re

import pandas as pd
import pytest

from portrait.personas import person, personas
from portrait.report import report

from test_personas import LIBRARY, facts, row


def profile(gender_1="Female", age_1=47.3):
    """Two segments with the roles a person is drawn from: segment 1 mostly `gender_1`, aged `age_1` on average,
    in Odesa, managers; segment 2 mostly men, aged 24, in Kyiv, students."""
    rows = []
    for seg, gender, age, city, job in ((1, gender_1, age_1, "Odesa", "Manager"), (2, "Male", 24.0, "Kyiv", "Student")):
        other = "Male" if gender != "Male" else "Female"
        rows += [row("gender", "Gender", gender, seg, 64.0, 54.0, 200, "demographics"),
                 row("gender", "Gender", other, seg, 36.0, 46.0, 200, "demographics", p=0.2),
                 row("age", "Age", "", seg, age, 38.0, 200, "demographics"),
                 row("city", "City", city, seg, 41.0, 20.0, 200, "geography"),
                 row("city", "City", "Lviv" if city != "Lviv" else "Kyiv", seg, 12.0, 20.0, 200, "geography", p=0.3),
                 row("occupation", "Occupation", job, seg, 33.0, 18.0, 200, "socio_economics"),
                 row("planned", "Plans purchases <b>ahead</b> (share)", "", seg, 0.62 if seg == 1 else 0.2, 0.31, 200,
                     "psychographics", p=0.0001),
                 row("att_quality", "Quality of fabric matters more than price", "", seg, 4.2 if seg == 1 else 2.1,
                     3.1, 200, "socio_economics", p=0.0005),
                 row("interview__quality", "Interview: Quality materials (share mentioning)", "", seg, 0.75, 0.4, 6,
                     "motive", p=0.2)]
    return pd.DataFrame(rows)


ROLES = person.PersonRoles(gender="gender", age="age", place="city", occupation="occupation")


def cards(language="en", study="shop", **kwargs):
    config = personas.PersonaSettings(n_primary=2, language=language, study=study, person=ROLES)
    quotes = {1: [{"text": "I buy <b>quality</b>", "code": "quality", "document": "INT-01", "turn": 4,
                   "source": "INT-01, turn 4"}]}
    built = personas.build(profile(**kwargs), facts(), {1: "Planners", 2: "Students"}, quotes, LIBRARY,
                           report.labels(language), config)
    return {c["segment"]: c for c in built}


@pytest.mark.parametrize("answer, gender", [("Female", "female"), ("Жінка", "female"), ("женский", "female"),
                                            ("Male", "male"), ("Чоловік", "male"), ("Мужчина", "male"),
                                            ("Other / prefer not to say", "neutral"), ("", "neutral")])
def test_gender_answers_are_recognised_in_three_languages(answer, gender):
    assert person.gender_of(answer) == gender


@pytest.mark.parametrize("language, years, text", [
    ("uk", 21, "21 рік"), ("uk", 23, "23 роки"), ("uk", 47, "47 років"), ("uk", 11, "11 років"),
    ("ru", 21, "21 год"), ("ru", 34, "34 года"), ("ru", 47, "47 лет"), ("en", 47, "47")])
def test_an_age_agrees_with_its_numeral(language, years, text):
    assert person.age_phrase({"category": "", "value": years}, language) == text


def test_an_age_band_is_said_as_a_band():
    assert person.age_phrase({"category": "45+", "value": 61.0}, "uk") == "вік 45+"
    assert person.band_start("30-44") == 30 and person.band_start("45+") == 45 and person.band_start("any") is None


def test_the_person_is_drawn_from_the_segments_most_typical_values():
    young = cards()[2]["person"]
    assert (young["gender"], young["age"], young["place"], young["occupation"]) == ("male", "24", "Kyiv", "Student")
    names = person._table()["names"]["en"]
    assert young["name"] in names["male"]["young"]
    planners = cards()[1]["person"]
    assert planners["name"] in names["female"]["middle"] and planners["age"] == "47"
    assert [f["statement"] for f in planners["facts"]] == ["Gender: Female", "Age", "City: Odesa",
                                                            "Occupation: Manager"]


def test_names_are_unique_fixed_per_study_and_kept_when_a_segment_is_added():
    people = {s: ("female", "middle") for s in range(1, 6)}
    chosen = person.names(people, "uk", "shop")
    assert len(set(chosen.values())) == 5
    assert person.names(people, "uk", "shop") == chosen  # deterministic
    more = person.names({**people, 6: ("female", "middle"), 7: ("male", "older")}, "uk", "shop")
    assert all(more[s] == chosen[s] for s in chosen)  # earlier segments keep their names
    many = person.names({s: ("male", "young") for s in range(1, 40)}, "en", "shop")
    assert len(set(many.values())) == 39  # beyond the lists: still unique


@pytest.mark.parametrize("language, female, male", [
    ("en", "She is a typical member", "He is a typical member"),
    ("uk", "Вона — типова представниця", "Він — типовий представник"),
    ("ru", "Она — типичная представительница", "Он — типичный представитель")])
def test_the_narrative_agrees_with_the_persons_gender(language, female, male):
    by_segment = cards(language)
    assert female in " ".join(s["text"] for s in by_segment[1]["narrative"])
    assert male in " ".join(s["text"] for s in by_segment[2]["narrative"])
    neutral = cards(language, gender_1="Other / prefer not to say")[1]
    assert neutral["person"]["gender"] == "neutral"
    assert neutral["person"]["name"] in " ".join(s["text"] for s in neutral["narrative"][1:])


def test_the_narrative_in_ukrainian_reads_as_one_person():
    planners = cards("uk")[1]
    text = " ".join(s["text"] for s in planners["narrative"])
    name = planners["person"]["name"]
    assert text.startswith(f"{name}, 47 років, місце проживання — Odesa; основне заняття — Manager.")
    assert "Як і 62 % схожих на неї (проти 31 % загалом), вона обирає «Plans purchases <b>ahead</b>»." in text
    assert "«Quality of fabric matters more than price»: у середньому 4,2 серед схожих на неї (загалом 3,1)." in text


def test_every_sentence_links_to_an_evidence_line_of_the_card_and_nothing_is_unescaped():
    for card in cards().values():
        html = report.render_card(card, "Acme", "en", "UAH")
        ids = set(re.findall(r'id="([^"]+)"', html))
        links = re.findall(r'<a href="#([^"]+)">', html)
        assert links and len(links) == len(card["narrative"])
        assert set(links) <= ids, set(links) - ids
        assert "<b>ahead" not in html and "<b>quality" not in html
        markdown = report.render_card(card, "Acme", "en", "UAH", markdown=True)
        assert card["person"]["name"] in markdown.splitlines()[0] and "<b>ahead" not in markdown
    quoted = cards()[1]
    assert quoted["headline_quote"]["source"] == "INT-01, turn 4"
    html = report.render_card(quoted, None, "en")
    assert "I buy &lt;b&gt;quality&lt;/b&gt;" in html and "«Plans purchases &lt;b&gt;ahead&lt;/b&gt;»" in html


def test_the_cards_with_a_person_follow_the_schema():
    report.validate(list(cards("ru").values()))
