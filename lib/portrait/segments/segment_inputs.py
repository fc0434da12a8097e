"""What step 04 segments: the unit of analysis and one table of everything known about each unit.

A study with a coded survey segments **respondents** (those passing the quality checks): their coded
answers, plus the loyalty-card behaviour and RFM segment of those who hold a card (`card__*`) and the
interview codes of those who were interviewed (`interview__*`), both linked through the pseudonymous
`person_key`. A study with transactions but no survey segments **card customers**: their behaviour
features, RFM segment and what the card-holder table says (gender, age, city).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from portrait import engine
from portrait.io import catalog
from portrait.segments import rfm
from portrait.survey import codebook as survey_codebook
from portrait.errors import PortraitError
from portrait.segments.rfm import RfmResult
from portrait.config.roles import SurveyRoles, check_survey
from portrait.config.study import Study

# Card customers' default basis: how often, how much and how they buy (those the export can give).
CUSTOMER_BASIS = ["receipts_per_year", "average_ticket", "discount_share", "new_collection_share", "online_share",
                  "category_breadth", "gift_season_share"]
CARD_LABELS = {
    "receipts_per_year": "Receipts per year", "average_ticket": "Average ticket", "monetary": "Spend",
    "recency_days": "Days since last purchase", "frequency": "Receipts", "tenure_days": "Days since first purchase",
    "discount_share": "Share of items bought on discount", "new_collection_share": "Share of new-collection items",
    "category_breadth": "Categories bought", "online_share": "Share of items bought online",
    "gift_season_share": "Share of items bought in gift seasons", "preferred_city": "Preferred city",
    "rfm_segment": "RFM segment",
}

# Card features that speak to the first article's geography (where they live and shop).
LOCAL_TOPICS = {"preferred_city": "geography"}
OPEN_TOPIC = "open_answers"  # persona card section of the open-answer codes


@dataclass
class SegmentationData:
    unit: str                       # "respondents" or "customers"
    table: pd.DataFrame             # one row per unit
    weights: pd.Series              # survey weights, or 1 per customer
    rfm: RfmResult | None           # every card customer, with the RFM segment
    extra_labels: dict[str, str]    # labels of the card and interview variables joined to the table
    extra_topics: dict[str, str]    # their persona card sections: behaviour, or the interview code's group
    roles: SurveyRoles | None = None  # the survey's roles, checked, with derived defaults (respondents only)
    book: object | None = None        # the survey codebook (respondents only)

    @property
    def role_topics(self) -> dict[str, str]:
        """Persona card sections from the study's roles (respondents only)."""
        return self.roles.roles.topics() if self.roles else {}

    @property
    def weighted(self) -> bool:
        """Whether the unit carries survey weights other than 1."""
        return self.unit == "respondents" and not self.weights.eq(1.0).all()

    def default_basis(self) -> list[str]:
        """The basis when `roles.basis` is empty: the survey's derived default, or card behaviour."""
        if self.unit == "respondents":
            return self.roles.basis if self.roles else []
        return [c for c in CUSTOMER_BASIS if c in self.table]

    def basis_note(self) -> str:
        if self.unit == "respondents":
            if not self.roles:
                return "no basis: the study has no survey codebook"
            if self.roles.roles.basis:
                return f"basis = `roles.basis` in study.yml: {len(self.roles.basis)} variables"
            return next((c for c in self.roles.chosen if c.startswith("basis")), "") or "\n".join(self.roles.skipped)
        return f"basis = card behaviour the export gives ({', '.join(self.default_basis())})"

    def scheme_table(self) -> pd.DataFrame:
        """What the schemes' rules read: card customers' features go by the `card__` names the
        schemes use for card holders, so one scheme file serves both kinds of study."""
        return self.table if self.unit == "respondents" else self.table.add_prefix("card__")

    def summary(self) -> pd.DataFrame:
        rows = {"unit of analysis": self.unit, "rows": len(self.table)}
        if self.unit == "respondents":
            rows["with loyalty-card behaviour"] = int(self.table.get("card__frequency", pd.Series(dtype=float)).notna().sum())
            interviewed = self.table.filter(like="interview__").notna().any(axis=1)
            rows["interviewed"] = int(interviewed.sum())
        if self.rfm is not None:
            rows["card customers (RFM)"] = len(self.rfm.customers)
        return pd.Series(rows, name="value").to_frame()


def interview_codes(study: Study) -> tuple[pd.DataFrame, dict[str, str], dict[str, str]] | None:
    """1/0 per interview code for each interviewed person (index person_key), with code labels and
    groups (motive, barrier, reason_to_believe, …)."""
    if not (study.has(catalog.CODINGS) and study.has(catalog.PARTICIPANTS)):
        return None
    codings = study.read(catalog.CODINGS)
    participants = study.read(catalog.PARTICIPANTS).dropna(subset=["person_key"])
    id_column = study.config.sources.participants.id_column
    documents = participants.set_index(id_column)["person_key"]
    present = pd.crosstab(codings["document"], codings["code"]).clip(upper=1)
    per_person = present.reindex(documents.index, fill_value=0).set_axis(documents.to_numpy()).groupby(level=0).max()
    labels = {c: c.replace("_", " ") for c in per_person.columns}
    groups = codings.drop_duplicates("code").set_index("code")["group"].to_dict()
    if study.config.codebooks.interviews:
        from portrait.interviews.qual_codebook import load_qual_codebook
        book = load_qual_codebook(study.raw_path(study.config.codebooks.interviews))
        labels.update({c.code: c.label for c in book.codes})
    per_person = per_person.astype("float64").add_prefix("interview__")
    return (per_person, {f"interview__{c}": f"Interview: {label} (share mentioning)" for c, label in labels.items()},
            {f"interview__{c}": g for c, g in groups.items()})


def open_code_labels(study: Study, table: pd.DataFrame) -> dict[str, str]:
    """Labels of the open-answer codes step 02 wrote (`open__<code>`), from the study's code frame."""
    if not study.config.codebooks.open_ended:
        return {}
    from portrait.survey.open_coding import load_code_frame

    frame = load_code_frame(study.raw_path(study.config.codebooks.open_ended))
    return {f"open__{c.code}": f"Open answer: {c.label} (share mentioning)" for c in frame.codes
            if f"open__{c.code}" in table}


def _column(holders: pd.DataFrame, column: str, role: str) -> pd.Series:
    if column not in holders:
        raise PortraitError(f"study.yml `roles.cardholders.{role}` names {column!r}, which the card-holder table "
                            f"does not have (its columns: {', '.join(map(str, holders.columns))}).")
    return holders[column]


def load(study: Study, rfm_rules: rfm.RfmRules | None = None) -> SegmentationData:
    """The unit, its table and weights, and RFM over the card customers when the study has transactions."""
    has_survey = study.has(catalog.SURVEY_CODED)
    has_cards = study.has(catalog.TRANSACTIONS)
    if not (has_survey or has_cards):
        raise PortraitError(f"{study.name}: step 04 needs a coded survey (steps 01 and 02) or loyalty-card "
                            "transactions (step 01); run those steps first.")
    result = None
    roles = study.config.roles
    if has_cards:
        with engine.for_study(study.config) as connected:
            features = rfm.customer_features(study.table_path(catalog.TRANSACTIONS), gift_calendar=roles.gift_calendar,
                                             engine=connected)
        rules = rfm_rules or (rfm.load_rules(study.raw_path(study.config.codebooks.rfm)) if study.config.codebooks.rfm
                              else rfm.load_rules())
        result = rfm.segment(features, rules)
    labels, topics = {}, {}
    if has_survey:
        table = study.read(catalog.SURVEY_CODED).query("quality_ok")
        if result is not None and study.has(catalog.CARDHOLDERS):
            table = table.join(rfm.respondent_behaviour(table, study.read(catalog.CARDHOLDERS), result.customers))
            present = [k for k in CARD_LABELS if f"card__{k}" in table]
            labels.update({f"card__{k}": f"Card: {CARD_LABELS[k]}" for k in present})
            topics.update({f"card__{k}": LOCAL_TOPICS.get(k, "behaviour") for k in present})
        labels.update(open_code_labels(study, table))
        topics.update({c: OPEN_TOPIC for c in labels if c.startswith("open__")})
        codes = interview_codes(study)
        if codes is not None:
            table = table.join(codes[0], on="person_key")
            labels.update(codes[1])
            topics.update(codes[2])
        book = (survey_codebook.load_codebook(study.raw_path(study.config.codebooks.survey))
                if study.config.codebooks.survey else None)
        checked = check_survey(roles, list(table.columns), book)
        return SegmentationData("respondents", table, table["weight"].astype("float64"), result, labels, topics,
                                checked, book)
    table = result.customers.copy()
    described = roles.cardholders
    if study.has(catalog.CARDHOLDERS) and (described.gender or described.birth_year):
        holders = study.read(catalog.CARDHOLDERS).drop_duplicates("card_key").set_index("card_key")
        if described.gender:
            table["gender"] = table["card_key"].map(_column(holders, described.gender, "gender")).astype("string")
            labels["gender"], topics["gender"] = "Gender (card)", "demographics"
        if described.birth_year:
            born = pd.to_numeric(table["card_key"].map(_column(holders, described.birth_year, "birth_year")),
                                 errors="coerce")
            with engine.for_study(study.config) as connected:
                last_purchase = rfm.last_purchase(study.table_path(catalog.TRANSACTIONS), engine=connected)
            table["age"] = (last_purchase.year - born).astype("Float64")
            labels["age"], topics["age"] = "Age (card)", "demographics"
    present = [k for k in CARD_LABELS if k in table]
    labels.update({k: CARD_LABELS[k] for k in present})
    topics.update({k: LOCAL_TOPICS.get(k, "behaviour") for k in present})
    return SegmentationData("customers", table, pd.Series(1.0, index=table.index), result, labels, topics)
