"""Persona synthesis (step 05): the segments of step 04 turned into persona cards a brand team can act on,
every statement carrying its evidence.

A persona's statements come only from data: the segment profile (share or mean, total, index, p, base),
the per-segment facts (size, card holders, value share, repeat rate, NPS), the interview codes of the
segment's interviewed respondents, their quotes, and the message library. Nothing is written that the
data, the codebooks or the library do not hold; a base below `min_base` is flagged on the statement.

Primary personas (two to four, the first article's advice) are ranked by size, value share and the
strategic weight a study sets; the others are secondary, with one line each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portrait import stats
from portrait.personas import person
from portrait.personas.messages import MessageLibrary
from portrait.report import formatting

TRAIT_TOPICS = ["demographics", "geography", "psychographics", "socio_economics"]
SCHEME_FIELDS = ["brand", "purpose", "behaviour_profile", "price", "novelty"]
CODE_GROUPS = ["motive", "barrier", "reason_to_believe", "channel", "decisive_service", "moment", "perception"]
FUNNEL_STAGES = ("aware", "considered", "bought")
# The value share a rank score adds: past card spend, or the CLV expected value over the horizon.
RANK_VALUE = {"value": "value_share", "expected_value": "clv_value_share"}
CLV_FACTS = ["clv_cards", "clv_value_per_card", "clv_index", "clv_value_share", "clv_base_share",
             "clv_probability_active"]


@dataclass
class PersonaSettings:
    n_primary: int = 3                       # two to four primary personas
    strategic_weight: dict = field(default_factory=dict)   # segment -> weight added to its rank score
    min_base: int = 30                       # bases below this are flagged
    top: int = 3                             # statements per section
    language: str = "en"
    currency: str | None = None              # the `currency` role; amounts show without one when absent
    funnel: dict = field(default_factory=dict)   # stage (aware, considered, bought) -> variable, from the role
    recommendation: str | None = None        # the `recommendation` role's variable (0-10), for NPS
    rank_by: str = "value"                   # value in the rank score: "value" (past card spend) or "expected_value"
    person: person.PersonRoles = field(default_factory=person.PersonRoles)  # what the persona as a person is drawn from
    study: str = ""                          # the study's name: the persons' names are fixed per study
    unit: str = "respondents"                # what a segment's share counts: respondents or (card) customers

    @classmethod
    def from_roles(cls, roles, **settings) -> "PersonaSettings":
        funnel = {k: v for k, v in roles.funnel.model_dump().items() if k in FUNNEL_STAGES and v} if roles.funnel else {}
        return cls(**settings, currency=roles.currency, funnel=funnel, recommendation=roles.recommendation,
                   person=person.PersonRoles.from_roles(roles))

    def __post_init__(self):
        if not 2 <= self.n_primary <= 4:
            from portrait.errors import PortraitError
            raise PortraitError(f"n_primary = {self.n_primary}: choose two to four primary personas "
                                "(focus on a few portraits, as the first article advises).")
        if self.rank_by not in RANK_VALUE:
            from portrait.errors import PortraitError
            raise PortraitError(f"rank_by = {self.rank_by!r}: use one of {', '.join(RANK_VALUE)}.")
        self.strategic_weight = {int(k): float(v) for k, v in (self.strategic_weight or {}).items()}


def segment_facts(segments: pd.Series, weights: pd.Series, table: pd.DataFrame,
                  recommendation: str | None = None) -> pd.DataFrame:
    """Per segment and for the total: respondents, weighted share %, card holders, value share % (of the
    card spend of all segmented card holders), repeat rate %, receipts a year, average ticket, and NPS
    from the `recommendation` variable (NaN without one)."""
    frame = pd.DataFrame({"segment": segments, "weight": weights.reindex(segments.index)})
    for column in ("card__monetary", "card__frequency", "card__receipts_per_year", "card__average_ticket"):
        frame[column] = table[column].reindex(segments.index).astype("float64") if column in table else np.nan
    frame["nps_score"] = (table[recommendation].reindex(segments.index).astype("float64")
                    if recommendation and recommendation in table else np.nan)
    total_spend = frame["card__monetary"].sum()

    def facts(part: pd.DataFrame) -> dict:
        holders = part["card__monetary"].notna()
        return {"respondents": len(part), "share": 100 * part["weight"].sum() / frame["weight"].sum(),
                "card_holders": int(holders.sum()),
                "value_share": 100 * part["card__monetary"].sum() / total_spend if total_spend else np.nan,
                "repeat_rate": 100 * (part.loc[holders, "card__frequency"] >= 2).mean() if holders.any() else np.nan,
                "receipts_per_year": part["card__receipts_per_year"].median(),
                "average_ticket": part["card__average_ticket"].median(),
                "nps_score": stats.net_promoter(part["nps_score"], part["weight"]),
                "nps_base": int(part["nps_score"].notna().sum())}

    rows = {s: facts(part) for s, part in frame.groupby("segment", sort=True)}
    rows["total"] = facts(frame)
    return pd.DataFrame.from_dict(rows, orient="index").round(1)


def clv_facts(customers: pd.DataFrame) -> pd.DataFrame:
    """Per segment and for the total of the segmented card holders, from step 04's clv_customers: cards,
    expected value per card over the horizon, its index against every card of the study (= 100), the share
    of the segmented card holders' expected value (the segments' shares add to 100, like `value_share`), the
    share of the whole card base's expected value, and the mean probability of being active (%)."""
    base_total = customers["expected_value"].sum()
    base_per_card = base_total / len(customers) if len(customers) else np.nan
    held = customers.dropna(subset=["segment"])
    held_total = held["expected_value"].sum()

    def facts(part: pd.DataFrame) -> dict:
        per_card = part["expected_value"].mean()
        return {"clv_cards": len(part), "clv_value_per_card": per_card,
                "clv_index": 100 * per_card / base_per_card if base_per_card else np.nan,
                "clv_value_share": 100 * part["expected_value"].sum() / held_total if held_total else np.nan,
                "clv_base_share": 100 * part["expected_value"].sum() / base_total if base_total else np.nan,
                "clv_probability_active": 100 * part["probability_active"].mean()}

    rows = {int(s): facts(part) for s, part in held.groupby("segment", sort=True)}
    rows["total"] = facts(held)
    return pd.DataFrame.from_dict(rows, orient="index", columns=CLV_FACTS).round(1)


def rank(facts: pd.DataFrame, settings: PersonaSettings) -> pd.DataFrame:
    """Segments ordered by score = size share + value share (both 0-1) + strategic weight; the first
    `n_primary` are primary. The value share is past card spend, or with `rank_by="expected_value"` the CLV
    expected value share; without card data (or CLV) it counts 0 for everyone."""
    table = facts.drop(index="total").copy()
    table["strategic_weight"] = [settings.strategic_weight.get(int(s), 0.0) for s in table.index]
    value = table[RANK_VALUE[settings.rank_by]] if RANK_VALUE[settings.rank_by] in table else pd.Series(0.0, table.index)
    table["score"] = (table["share"] / 100 + value.fillna(0) / 100 + table["strategic_weight"]).round(4)
    table = table.sort_values(["score", "share"], ascending=False)
    table["rank"] = range(1, len(table) + 1)
    table["primary"] = table["rank"] <= settings.n_primary
    return table


def _is_share(label: str) -> bool:
    return "(share" in label or label.startswith("Card: Share")


# Per-card amounts of money (card behaviour): shown in the study's currency.
AMOUNTS = {"card__monetary", "card__average_ticket"}


def evidence(row, min_base: int) -> dict:
    """A statement and its numbers: value, total, index, p, significance, base and the small-base flag; the unit
    is "%" (a share), "amount" (money per card) or "mean"."""
    percent = bool(row["category"]) or _is_share(row["label"])
    scale = 100 if (not row["category"] and percent) else 1
    label = row["label"].replace(" (share mentioning)", "").replace(" (share)", "")
    if label.startswith("Interview: "):
        label = label[len("Interview: "):]
    statement = f"{label}: {row['category']}" if row["category"] else label
    p = float(row["p"]) if pd.notna(row["p"]) else None
    return {"statement": statement, "variable": row["variable"], "category": row["category"],
            "value": round(float(row["value"]) * scale, 1), "total": round(float(row["total"]) * scale, 1),
            "unit": "%" if percent else "amount" if row["variable"] in AMOUNTS else "mean",
            "index": None if pd.isna(row["index"]) else int(row["index"]),
            "p": None if p is None else round(p, 4), "significant": bool(row["significant"]),
            "base": int(row["base"]), "small_base": int(row["base"]) < min_base}


def distinctive_traits(profile: pd.DataFrame, segment: int, topic: str, settings: PersonaSettings,
                       min_total: float = 3.0) -> list[dict]:
    """The segment's significant traits above the total within one topic, the surest first (smallest p,
    then highest index): a large group clearly over-represented says more about a persona than a tiny
    category with a big index."""
    rows = profile[(profile["segment"] == segment) & (profile["topic"] == topic) & profile["significant"]
                   & (profile["index"] > 100) & ((profile["category"] == "") | (profile["total"] >= min_total))]
    rows = rows.sort_values(["p", "index", "variable"], ascending=[True, False, True]).head(settings.top)
    return [evidence(r, settings.min_base) for _, r in rows.iterrows()]


def scheme_values(profile: pd.DataFrame, segment: int, topic: str, settings: PersonaSettings) -> list[dict]:
    """Every value of the scheme(s) filling `topic` for the segment, largest share first."""
    rows = profile[(profile["segment"] == segment) & (profile["topic"] == topic)
                   & profile["variable"].str.startswith("scheme__")]
    rows = rows.sort_values(["value", "category"], ascending=[False, True])
    return [evidence(r, settings.min_base) for _, r in rows.iterrows()]


def interview_codes(profile: pd.DataFrame, segment: int, group: str, settings: PersonaSettings) -> list[dict]:
    """Interview codes of one group mentioned by the segment's interviewed respondents, most mentioned first."""
    rows = profile[(profile["segment"] == segment) & (profile["topic"] == group)
                   & profile["variable"].str.startswith("interview__") & (profile["value"] > 0)]
    rows = rows.sort_values(["value", "index", "variable"], ascending=[False, False, True]).head(settings.top)
    return [{**evidence(r, settings.min_base), "code": r["variable"].removeprefix("interview__")}
            for _, r in rows.iterrows()]


def funnel(profile: pd.DataFrame, segment: int, settings: PersonaSettings) -> list[dict]:
    """The funnel role's stages (aware, considered, bought) for the segment vs the total; empty without the role."""
    variables = {v: stage for stage, v in settings.funnel.items()}
    rows = profile[(profile["segment"] == segment) & profile["variable"].isin(variables) & profile["category"].eq("")]
    order = {v: i for i, v in enumerate(settings.funnel.values())}
    rows = rows.sort_values("variable", key=lambda v: v.map(order))
    return [{**evidence(r, settings.min_base), "stage": variables[r["variable"]]} for _, r in rows.iterrows()]


def messages_for(codes: list[dict], library: MessageLibrary, language: str) -> list[dict]:
    """The library's message and reason to believe for each code; `written: false` where there is none."""
    out = []
    for item in codes:
        message, proof = library.lookup(item["code"], language)
        out.append({"code": item["code"], "for": item["statement"], "message": message,
                    "reason_to_believe": proof, "written": message is not None})
    return out


def funnel_groups(stages: list[dict]) -> tuple[float, float, float]:
    """Shares (%) of buyers, aware non-buyers and the unaware, from the segment's funnel stages."""
    value = {e["stage"]: e["value"] for e in stages}
    if "aware" not in value or "bought" not in value:
        return 0.0, 0.0, 0.0
    return (round(value["bought"], 1), round(max(value["aware"] - value["bought"], 0.0), 1),
            round(100 - value["aware"], 1))


def strategy(stages: list[dict], facts: pd.Series, moments: list[dict], barriers: list[dict], channels: list[dict],
             labels: dict, currency: str | None, language: str = "en") -> list[str]:
    """The second article's strategy per brand relationship group present in the persona (needs the funnel)."""
    lines = []
    buyers, aware, unaware = funnel_groups(stages)
    listing = lambda items: (" (" + ", ".join(i["statement"] for i in items) + ")") if items else ""
    if buyers:
        lines.append(labels["strategy_buyers"].format(
            share=formatting.percent(buyers, language),
            receipts=formatting.number(facts["receipts_per_year"], language),
            ticket=formatting.money(facts["average_ticket"], currency, language),
            moments=listing(moments)))
    if aware:
        lines.append(labels["strategy_aware"].format(share=formatting.percent(aware, language),
                                                     barriers=listing(barriers)))
    if unaware:
        lines.append(labels["strategy_unaware"].format(share=formatting.percent(unaware, language),
                                                       channels=listing(channels)))
    return lines


def kpi(name: str, value, total, base, unit: str) -> dict:
    return {"name": name, "value": None if pd.isna(value) else round(float(value), 1),
            "total": None if pd.isna(total) else round(float(total), 1), "base": int(base), "unit": unit}


def _message(card: dict, code: str | None, field: str = "message") -> str | None:
    entry = next((m for m in card["messages"] if m["code"] == code), None)
    return entry[field] if entry else None


def _short(item: dict, labels: dict, language: str = "en") -> str:
    """A statement for a journey map cell: survey shares keep their figure; interview codes their name."""
    if item.get("code") or item["unit"] != "%":
        return item["statement"]
    return (f"{item['statement']} ({formatting.percent(item['value'], language)} {labels['vs_total']} "
            f"{formatting.percent(item['total'], language)})")


def journey(card: dict, facts: pd.Series, total: pd.Series, labels: dict, online: dict | None,
            language: str = "en") -> list[dict]:
    """Customer journey map: five stages, each with touchpoints, what moves the persona on, what stops it,
    the message (from the library, for the code that stage turns on) and a KPI with the segment's current
    value and the total's. Where each part comes from:

    - awareness: channel codes and channel questions / motives / the main barrier / top motive's message;
      KPI heard of the brand
    - consideration: channel questions / reasons to believe / perceptions / top motive's reason to
      believe; KPI would consider the brand
    - purchase: the card's online share / motives / barriers / top barrier's message; KPI bought
    - use and service: decisive service / decisive service / the last barrier / its message; KPI NPS
    - loyalty: consumption moments / moments / — / second motive's message; KPI repeat rate on the card
    """
    funnel_kpi = {e["stage"]: e for e in card["brand"]["funnel"]}

    def from_funnel(stage, name):
        e = funnel_kpi.get(stage)
        return kpi(name, e["value"], e["total"], e["base"], "%") if e else kpi(name, np.nan, np.nan, 0, "%")

    motives, barriers = card["motives"], card["barriers"]
    code = lambda items, i: items[i]["code"] if len(items) > i else None
    channels = card["questions"]["where"]
    online_share = [online] if online else []
    stages = [
        ("awareness", card["channels_codes"] + channels, motives, barriers[:1], _message(card, code(motives, 0)),
         from_funnel("aware", labels["kpi_aware"])),
        ("consideration", channels, card["reasons_to_believe"], card["perceptions"],
         _message(card, code(motives, 0), "reason_to_believe"), from_funnel("considered", labels["kpi_considered"])),
        ("purchase", online_share, motives, barriers, _message(card, code(barriers, 0)),
         from_funnel("bought", labels["kpi_bought"])),
        ("use", card["decisive_service"], card["decisive_service"], barriers[-1:],
         _message(card, barriers[-1]["code"] if barriers else None),
         kpi(labels["kpi_nps"], facts["nps_score"], total["nps_score"], facts["nps_base"], "NPS")),
        ("loyalty", card["moments"], card["moments"], [], _message(card, code(motives, 1)),
         kpi(labels["kpi_repeat"], facts["repeat_rate"], total["repeat_rate"], facts["card_holders"], "%")),
    ]
    unique = lambda items: list(dict.fromkeys(_short(i, labels, language) for i in items))
    return [{"stage": stage, "label": labels[stage], "touchpoints": unique(touch), "moves": unique(moves),
             "stops": unique(stops), "message": message, "kpi": kpi_value}
            for stage, touch, moves, stops, message, kpi_value in stages]


def build(profile: pd.DataFrame, facts: pd.DataFrame, names: dict, quotes: dict[int, list[dict]],
          library: MessageLibrary, labels: dict, settings: PersonaSettings) -> list[dict]:
    """One persona per segment, ranked; `quotes` maps a segment to its quotes (text, code, source)."""
    ranking = rank(facts, settings)
    typical = {int(s): person.describe(profile, int(s), settings.person) for s in ranking.index}
    person_names = person.names({s: person.person_key(t) for s, t in typical.items()}, settings.language,
                                settings.study)
    unit = labels["of_customers"] if settings.unit == "customers" else labels["of_respondents"]
    own = {v for v in vars(settings.person).values() if v}  # the person's roles, said in the narrative's intro
    personas = []
    for segment, place in ranking.iterrows():
        segment = int(segment)
        f = facts.loc[segment]
        traits = {t: distinctive_traits(profile, segment, t, settings) for t in TRAIT_TOPICS}
        schemes = {t: scheme_values(profile, segment, t, settings) for t in SCHEME_FIELDS}
        codes = {g: interview_codes(profile, segment, g, settings) for g in CODE_GROUPS}
        card = {
            "id": f"segment-{segment}", "segment": segment, "rank": int(place["rank"]), "primary": bool(place["primary"]),
            "name": names.get(segment, f"Segment {segment}"),
            "size": {"share": float(f["share"]), "respondents": int(f["respondents"]),
                     "card_holders": int(f["card_holders"]),
                     "value_share": None if pd.isna(f["value_share"]) else float(f["value_share"]),
                     "small_base": int(f["respondents"]) < settings.min_base},
            "ranking": {"score": float(place["score"]), "strategic_weight": float(place["strategic_weight"])},
            "clv": _clv_card(f),
            "traits": traits,
            "brand": {"relationship": schemes["brand"], "funnel": funnel(profile, segment, settings),
                      "stage": schemes["brand"][0]["category"] if schemes["brand"] else None},
            "purpose": schemes["purpose"], "behaviour_profile": schemes["behaviour_profile"],
            "price": schemes["price"], "novelty": schemes["novelty"],
            "behaviour": distinctive_traits(profile, segment, "behaviour", settings),
            "open_answers": distinctive_traits(profile, segment, "open_answers", settings),
            "motives": codes["motive"], "barriers": codes["barrier"],
            "reasons_to_believe": codes["reason_to_believe"], "decisive_service": codes["decisive_service"],
            "channels_codes": codes["channel"], "moments": codes["moment"], "perceptions": codes["perception"],
            "questions": {
                "need": distinctive_traits(profile, segment, "needs", settings) + codes["motive"],
                "who": (traits["demographics"] + schemes["purpose"])[: settings.top + 1],
                "where": distinctive_traits(profile, segment, "channels", settings) + codes["channel"],
                "problems": codes["barrier"],
            },
            "quotes": quotes.get(segment, []),
        }
        card["messages"] = messages_for(codes["motive"][:2] + codes["barrier"], library, settings.language)
        card["strategy"] = strategy(card["brand"]["funnel"], f, codes["moment"], codes["barrier"],
                                    distinctive_traits(profile, segment, "channels", settings), labels, settings.currency,
                                    settings.language)
        _anchor(card)
        # The four groups of traits first; a study without them (a loyalty export) speaks through behaviour.
        leading = [traits[t][:1] for t in TRAIT_TOPICS] + [card["behaviour"][:1], card["open_answers"][:1]]
        headline = [t["statement"] if t["unit"] == "%" else
                    f"{t['statement']} {formatting.figure(t['value'], t['unit'], settings.language, settings.currency)} "
                    f"({labels['vs_total']} {formatting.figure(t['total'], t['unit'], settings.language, settings.currency)})"
                    for items in leading for t in items][:4]
        card["portrait"] = (labels["portrait_line"].format(traits="; ".join(headline)) if headline
                            else labels["portrait_none"])
        who = person.person(typical[segment], person_names[segment], settings.language)
        card["person"] = {**who, "facts": [evidence(pd.Series(row), settings.min_base)
                                           for row in typical[segment].values() if row]}
        # The narrative tells what the intro does not: the first trait of each group beyond the person's own roles.
        told = [next(iter(t for t in items if t["variable"] not in own), None)
                for items in [*traits.values(), card["behaviour"], card["open_answers"]]]
        told = [t for t in told if t][:3] + codes["motive"][:1]
        card["narrative"] = person.narrative(who, card, told, settings.language, unit, settings.currency)
        card["headline_quote"] = card["quotes"][0] if card["quotes"] else None
        card["strongest"] = [t for items in leading for t in items][:3]
        online = profile[(profile["segment"] == segment) & (profile["variable"] == "card__online_share")]
        card["journey"] = journey(card, f, facts.loc["total"], labels,
                                  evidence(online.iloc[0], settings.min_base) if len(online) else None,
                                  settings.language)
        personas.append(card)
    return personas


# The card's own evidence lists: each line gets an anchor the narrative links to.
ANCHORED = ["behaviour", "open_answers", "motives", "barriers", "reasons_to_believe", "decisive_service",
            "channels_codes", "moments", "perceptions", "purpose", "behaviour_profile", "price", "novelty"]


def _anchor(card: dict) -> None:
    lists = [*card["traits"].values(), card["brand"]["relationship"], card["brand"]["funnel"],
             *(card[key] for key in ANCHORED), *card["questions"].values()]
    for items in lists:
        for item in items:
            item.setdefault("anchor", person.anchor(card["id"], item))


def _clv_card(facts: pd.Series) -> dict | None:
    """The persona's CLV facts for the card (None without CLV or without card holders in the segment)."""
    if pd.isna(facts.get("clv_cards")) or not facts["clv_cards"]:
        return None
    number = lambda key: None if pd.isna(facts[key]) else float(facts[key])
    return {"cards": int(facts["clv_cards"]), "value_per_card": number("clv_value_per_card"),
            "index": None if pd.isna(facts["clv_index"]) else int(round(facts["clv_index"])),
            "value_share": number("clv_value_share"), "base_share": number("clv_base_share"),
            "probability_active": number("clv_probability_active")}


def summary(personas: list[dict]) -> pd.DataFrame:
    """One row per persona: rank, name, size, value share, and how many statements are flagged small-base."""
    def flagged(p):
        items = [e for topic in p["traits"].values() for e in topic] + p["motives"] + p["barriers"]
        return sum(e["small_base"] for e in items)

    return pd.DataFrame([{"rank": p["rank"], "primary": p["primary"], "segment": p["segment"], "name": p["name"],
                          "% of respondents": p["size"]["share"], "% of card spend": p["size"]["value_share"],
                          **({"% of expected value": (p.get("clv") or {}).get("value_share")}
                             if any(q.get("clv") for q in personas) else {}),
                          "quotes": len(p["quotes"]), "messages written": sum(m["written"] for m in p["messages"]),
                          "small-base statements": flagged(p)} for p in personas]).set_index("rank")


def persona_quotes(codings: pd.DataFrame, turns: pd.DataFrame, document_segment: pd.Series,
                   profile: pd.DataFrame, per_persona: int = 4, max_chars: int = 220) -> dict[int, list[dict]]:
    """Up to `per_persona` quotes per segment from its interviewed respondents, on the persona's most
    mentioned motive and barrier codes first, one per interview; each keeps its source (interview, turn)."""
    from portrait.interviews.quotes import quote_bank

    mentioned = profile[profile["topic"].isin(["motive", "barrier"]) & (profile["value"] > 0)]
    out = {}
    for segment in sorted(profile["segment"].unique()):
        ranked = mentioned[mentioned["segment"] == segment].sort_values(["value", "variable"], ascending=[False, True])
        codes = [v.removeprefix("interview__") for v in ranked["variable"]]
        segment = int(segment)
        documents = document_segment[document_segment == segment].index
        mine = codings[codings["document"].isin(documents)]
        if mine.empty:
            out[segment] = []
            continue
        bank = quote_bank(mine, turns, per_code=per_persona, max_chars=max_chars)
        bank["priority"] = bank["code"].map({c: i for i, c in enumerate(codes)}).fillna(len(codes))
        bank = bank.sort_values(["priority", "document", "turn"]).drop_duplicates("document").head(per_persona)
        out[segment] = [{"text": r.quote, "code": r.code, "document": r.document, "turn": int(r.turn),
                         "source": f"{r.document}, turn {int(r.turn)}"} for r in bank.itertuples()]
    return out
