"""Persona synthesis on a small hand-made profile: facts, ranking, evidence, messages, strategy, journey, schema."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from portrait.personas import personas
from portrait.report import formatting, report
from portrait.errors import PortraitError
from portrait.personas.messages import Entry, MessageLibrary

LABELS = report.labels("en")


def row(variable, label, category, segment, value, total, base, topic, p=0.001):
    index = round(100 * value / total) if total else np.nan
    return {"variable": variable, "label": label, "category": category, "segment": segment, "value": value,
            "total": total, "p": p, "base": base, "index": index, "significant": p < 0.05, "topic": topic}


def profile():
    rows = []
    for seg, young, buyers in ((1, 70.0, 80.0), (2, 10.0, 20.0)):
        rows += [row("age_group", "Age group", "18-29", seg, young, 40.0, 100, "demographics"),
                 row("city", "City", "Lviv", seg, 30.0 if seg == 1 else 5.0, 17.0, 100, "geography"),
                 row("scheme__brand_relationship", "Relationship with the brand", "buys often", seg, buyers, 50.0, 100, "brand"),
                 row("scheme__brand_relationship", "Relationship with the brand", "knows us but buys elsewhere", seg,
                     100 - buyers, 50.0, 100, "brand"),
                 row("aware__brand", "Brands heard of: Acme (share)", "", seg, 0.9, 0.8, 100, "brand"),
                 row("bought__brand", "Brands bought: Acme (share)", "", seg, buyers / 100, 0.5, 100, "brand"),
                 row("interview__high_price", "Interview: Price too high (share mentioning)", "", seg, 0.5, 0.25, 6,
                     "barrier", p=0.3),
                 row("interview__slow_delivery", "Interview: Slow delivery (share mentioning)", "", seg, 0.25, 0.2, 6,
                     "barrier", p=0.6),
                 row("interview__quality", "Interview: Quality materials (share mentioning)", "", seg, 0.75, 0.4, 6,
                     "motive", p=0.2)]
    return pd.DataFrame(rows)


def facts():
    segments = pd.Series([1] * 60 + [2] * 40)
    weights = pd.Series(1.0, index=segments.index)
    table = pd.DataFrame({
        "card__monetary": [300.0] * 10 + [np.nan] * 50 + [100.0] * 10 + [np.nan] * 30,
        "card__frequency": [3.0] * 10 + [np.nan] * 50 + [1.0] * 5 + [2.0] * 5 + [np.nan] * 30,
        "card__receipts_per_year": [6.0] * 10 + [np.nan] * 50 + [2.0] * 10 + [np.nan] * 30,
        "card__average_ticket": [1000.0] * 10 + [np.nan] * 50 + [500.0] * 10 + [np.nan] * 30,
        "recommend": [10.0] * 30 + [5.0] * 30 + [8.0] * 40,
    })
    return personas.segment_facts(segments, weights, table, recommendation="recommend")


LIBRARY = MessageLibrary(messages={"quality": Entry(message={"en": "Made to last"},
                                                    reason_to_believe={"en": "Certified fabrics"}),
                                   "high_price": Entry(message={"en": "Cost per wear"})})


FUNNEL = {"aware": "aware__brand", "bought": "bought__brand"}  # the study's `funnel` role


def build(shuffle: int | None = None, **settings):
    """The cards from the hand-made inputs; `shuffle` (a seed) puts the profile's and facts' rows and the names in
    another order."""
    config = personas.PersonaSettings(**{"n_primary": 2, "funnel": FUNNEL, "currency": "UAH", **settings})
    quotes = {1: [{"text": "I buy <b>quality</b>", "code": "quality", "document": "INT-01", "turn": 4,
                   "source": "INT-01, turn 4"}]}
    rows, segment_facts, names = profile(), facts(), {1: "Young buyers", 2: "Aware others"}
    if shuffle is not None:
        rows, segment_facts = rows.sample(frac=1, random_state=shuffle), segment_facts.sample(frac=1, random_state=shuffle)
        names = dict(reversed(names.items()))
    return personas.build(rows, segment_facts, names, quotes, LIBRARY, LABELS, config)


def test_facts_by_hand():
    f = facts()
    assert f.loc[1, "respondents"] == 60 and f.loc[1, "share"] == 60.0
    assert f.loc[1, "value_share"] == 75.0 and f.loc[2, "value_share"] == 25.0  # 3000 of 4000 spent
    assert f.loc[2, "repeat_rate"] == 50.0 and f.loc[1, "repeat_rate"] == 100.0
    assert f.loc[1, "nps_score"] == 0.0  # 30 promoters, 30 detractors
    assert f.loc[2, "nps_score"] == 0.0 and f.loc["total", "nps_score"] == 0.0
    # Without a `recommendation` role there is no NPS, not a made-up one.
    table = pd.DataFrame({"card__monetary": [1.0, 2.0]})
    assert personas.segment_facts(pd.Series([1, 2]), pd.Series([1.0, 1.0]), table)["nps_score"].isna().all()
    assert f.loc["total", "card_holders"] == 20


def test_ranking_size_value_and_strategic_weight():
    ranked = personas.rank(facts(), personas.PersonaSettings(n_primary=2))
    assert list(ranked.index) == [1, 2] and ranked["primary"].all()
    pushed = personas.rank(facts(), personas.PersonaSettings(n_primary=2, strategic_weight={"2": 1.0}))
    assert list(pushed.index) == [2, 1]
    with pytest.raises(PortraitError, match="two to four primary personas"):
        personas.PersonaSettings(n_primary=5)


def test_cards_carry_evidence_flags_messages_and_strategy():
    cards = build()
    young = next(c for c in cards if c["segment"] == 1)
    trait = young["traits"]["demographics"][0]
    assert trait["statement"] == "Age group: 18-29" and trait["index"] == 175 and trait["base"] == 100
    assert young["traits"]["geography"][0]["category"] == "Lviv"
    assert all(m["small_base"] for m in young["motives"] + young["barriers"])  # six interviews
    assert [m["code"] for m in young["barriers"]] == ["high_price", "slow_delivery"]
    written = {m["code"]: m["written"] for m in young["messages"]}
    assert written == {"quality": True, "high_price": True, "slow_delivery": False}
    assert any(line.startswith("Buyers (80 %)") and "6 receipts a year" in line and "UAH\u00a01,000" in line
               for line in young["strategy"])
    # From the funnel role: aware 90 %, bought 80 % -> 10 % aware non-buyers, 10 % not aware.
    assert any(line.startswith("Aware non-buyers (10 %)") and "Price too high" in line for line in young["strategy"])
    assert any(line.startswith("Not aware yet (10 %)") for line in young["strategy"])
    assert young["portrait"] == "Stands out by Age group: 18-29; City: Lviv."
    assert young["quotes"][0]["source"] == "INT-01, turn 4"


def test_without_a_funnel_role_there_is_no_funnel_and_no_strategy_line():
    young = next(c for c in build(funnel={}, currency=None) if c["segment"] == 1)
    assert young["brand"]["funnel"] == [] and young["strategy"] == []
    stages = {s["stage"]: s for s in young["journey"]}
    assert stages["awareness"]["kpi"]["value"] is None and stages["loyalty"]["kpi"]["value"] == 100.0
    assert formatting.money(1000.0, None) == "1,000" and formatting.money(1000.0, "EUR") == "€1,000"
    assert formatting.money(4093.6, "UAH", "uk") == "4\u00a0094\u00a0₴" and formatting.money(4093.6, "UAH") == "UAH\u00a04,094"


def test_journey_has_five_stages_with_current_kpis():
    young = next(c for c in build() if c["segment"] == 1)
    stages = {s["stage"]: s for s in young["journey"]}
    assert list(stages) == ["awareness", "consideration", "purchase", "use", "loyalty"]
    assert stages["awareness"]["kpi"]["value"] == 90.0 and stages["awareness"]["kpi"]["total"] == 80.0
    assert stages["purchase"]["kpi"]["value"] == 80.0
    assert stages["loyalty"]["kpi"]["value"] == 100.0 and stages["loyalty"]["kpi"]["base"] == 10
    assert stages["awareness"]["message"] == "Made to last" and stages["purchase"]["message"] == "Cost per wear"
    assert stages["use"]["message"] is None  # slow_delivery has no message written


def test_schema_accepts_cards_and_names_a_broken_field():
    cards = build()
    report.validate(cards)
    broken = copy.deepcopy(cards)
    broken[0]["size"]["share"] = "thirty"
    with pytest.raises(PortraitError, match=r"first at `personas/0/size/share`"):
        report.validate(broken)
    invented = copy.deepcopy(cards)
    invented[0]["messages"][-1]["message"] = "Something we made up"  # written: false must carry no text
    with pytest.raises(PortraitError, match="personas.json does not follow"):
        report.validate(invented)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_order_of_the_input_rows_does_not_change_the_personas(seed):
    shuffled = build(shuffle=seed)
    assert profile().sample(frac=1, random_state=seed).index.tolist() != profile().index.tolist()
    assert shuffled == build()


def test_same_inputs_same_personas_in_another_interpreter():
    # Each run gets its own string-hash seed: a card that depended on the order of a set would differ.
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import test_personas as t; "
            "print(json.dumps(t.build(), sort_keys=True, default=str))")
    runs = [subprocess.Popen([sys.executable, "-c", code, str(Path(__file__).parent)], stdout=subprocess.PIPE,
                             text=True, env={**os.environ, "PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outputs[0] == outputs[1] and json.loads(outputs[0])


def test_persona_quotes_leave_out_a_turn_that_denies_the_code():
    """A respondent saying the price does not bother them is not quoted as the price barrier."""
    turns = pd.DataFrame({"document": ["INT-01", "INT-02"], "turn": [4, 4], "start": [None, None],
                          "text": ["Honestly, it's not expensive at all for what you get.",
                                   "It's just too expensive for me."]})
    codings = pd.DataFrame({"document": ["INT-01", "INT-02"], "turn": [4, 4], "code": ["high_price"] * 2,
                            "matched": ["expensive", "expensive"]})
    quotes = personas.persona_quotes(codings, turns, pd.Series({"INT-01": 1, "INT-02": 1}), profile())
    assert [q["document"] for q in quotes[1]] == ["INT-02"]
    assert quotes[2] == []
