"""Personas from the demo's real step-04 outputs: deterministic, traceable to the profile, real quotes."""

import json

import pytest

from portrait.personas import persona_sources, personas
from portrait.report import report


@pytest.fixture(scope="module")
def demo_personas(demo_study):
    def once():
        sources = persona_sources.load(demo_study)
        config = personas.PersonaSettings(3, None, 30, language="en")
        quotes = personas.persona_quotes(sources.codings, sources.turns, sources.document_segment,
                                         sources.profile, 4)
        return sources, personas.build(sources.profile, sources.facts, sources.names, quotes, sources.library,
                                       report.labels("en"), config)
    return once


def test_two_runs_give_identical_personas(demo_personas):
    first, second = demo_personas()[1], demo_personas()[1]
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_demo_personas_are_ranked_and_follow_the_schema(demo_personas):
    sources, cards = demo_personas()
    report.validate(cards)
    assert [c["rank"] for c in cards] == list(range(1, len(cards) + 1))
    assert sum(c["primary"] for c in cards) == 3 and all(c["primary"] for c in cards[:3])
    assert sum(c["size"]["share"] for c in cards) == pytest.approx(100, abs=0.5)
    assert sum(c["size"]["value_share"] for c in cards) == pytest.approx(100, abs=0.5)


def test_every_statement_traces_back_to_the_profile(demo_personas):
    sources, cards = demo_personas()
    profile = sources.profile.set_index(["variable", "category", "segment"])
    checked = 0
    for card in cards:
        items = [e for topic in card["traits"].values() for e in topic] + card["motives"] + card["barriers"] + \
            card["purpose"] + card["brand"]["funnel"]
        for e in items:
            source = profile.loc[(e["variable"], e["category"], card["segment"])]
            scale = 100 if (not e["category"] and e["unit"] == "%") else 1
            assert e["value"] == pytest.approx(source["value"] * scale, abs=0.06)
            assert e["base"] == source["base"] and e["small_base"] == (source["base"] < 30)
            checked += 1
    assert checked > 60


def test_quotes_are_real_turns_of_the_segments_interviewees(demo_personas, demo_study):
    sources, cards = demo_personas()
    turns = demo_study.read("turns").set_index(["document", "turn"])["text"]
    for card in cards:
        assert 2 <= len(card["quotes"]) <= 4, card["name"]
        for quote in card["quotes"]:
            assert sources.document_segment[quote["document"]] == card["segment"]
            words = quote["text"].rstrip("…").split()
            assert " ".join(words[:6]) in " ".join(turns[(quote["document"], quote["turn"])].split())
