"""Step 04's customer lifetime value: the holdout check and the full fit of clv.py on the study's loyalty-card
transactions, value per RFM segment and per data-driven segment, and what step 04 writes of it
(`clv_customers.parquet`, `clv.json`) for step 05.

The holdout check fits on every purchase but the last `clv_holdout_weeks` and compares the predicted purchase
days of those weeks with the actual ones; the full fit then uses everything and predicts `clv_horizon_months`
ahead. A study without transactions, or with too few repeat buyers for the models, gets no CLV and a note that
says why; the rest of the step goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from portrait import engine
from portrait.config.study import Study
from portrait.errors import ModelFitError
from portrait.io import atomic, catalog
from portrait.segments import clv, rfm
from portrait.segments.rfm import RfmResult

PREDICTIONS = ["frequency", "recency", "T", "monetary_value", "expected_purchases", "probability_active",
               "expected_spend_per_purchase", "expected_value"]
NO_TRANSACTIONS = "no CLV: the study has no loyalty-card transactions"


@dataclass
class CustomerValue:
    """CLV of a study's cards: empty tables and a `note` when it could not be estimated."""

    unit: str
    horizon_months: float
    discount_rate: float
    holdout_weeks: int
    note: str = ""                                    # why there is no CLV (or no holdout check); "" when all ran
    customers: pd.DataFrame = field(default_factory=pd.DataFrame)   # per card: predictions, rfm_segment, segment
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)  # model, parameter, estimate
    holdout: pd.DataFrame = field(default_factory=pd.DataFrame)     # clv.holdout_check, rounded
    facts: dict = field(default_factory=dict)          # cards, repeat customers, correlation, calibration dates

    @property
    def fitted(self) -> bool:
        return not self.customers.empty

    def by_rfm(self) -> pd.DataFrame | str:
        """Expected value per RFM segment (clv.value_by), or the note."""
        return _rounded(clv.value_by(self.customers, "rfm_segment")) if self.fitted else self.note

    def by_segment(self) -> pd.DataFrame | str:
        """Expected value per data-driven segment (after `assign_segments`); cards outside every segment are
        `(none)`, so the shares cover the whole base."""
        if not self.fitted:
            return self.note
        if "segment_name" not in self.customers:
            return "no segments assigned yet: call assign_segments after the segmentation"
        return _rounded(clv.value_by(self.customers, "segment_name"))

    def summary(self) -> pd.DataFrame:
        """What was fitted, on how much, with which settings, and the holdout in one line."""
        rows = {"unit": self.unit, "horizon (months)": self.horizon_months,
                "discount rate per month": self.discount_rate, **self.facts}
        if self.note:
            rows["note"] = self.note
        return pd.Series(rows, name="value").astype("string").to_frame()


def _rounded(table: pd.DataFrame) -> pd.DataFrame:
    return table.round({"expected_purchases": 1, "expected_value": 0, "probability_active": 3, "value_per_card": 1,
                        "% of cards": 1, "% of expected value": 1})


def estimate(study: Study, rfm_result: RfmResult | None, unit: clv.Unit = "weeks", horizon_months: float = 12,
             discount_rate: float = 0.0, holdout_weeks: int = 39) -> CustomerValue:
    """The holdout check (fit on all but the last `holdout_weeks`, predict them) and the full fit over every
    card of `rfm_result` (step 04's RFM customers); a study without transactions gets only the note."""
    result = CustomerValue(unit, horizon_months, discount_rate, holdout_weeks)
    if rfm_result is None or not study.has(catalog.TRANSACTIONS):
        result.note = NO_TRANSACTIONS
        return result
    path = study.table_path(catalog.TRANSACTIONS)
    with engine.for_study(study.config) as connected:
        end = rfm.last_purchase(path, connected).normalize() + pd.Timedelta(days=1)  # the day after the last purchase
        cutoff = end - pd.Timedelta(weeks=holdout_weeks)
        notes = []
        try:
            calibration = clv.card_summary(path, as_of=str(cutoff.date()), unit=unit, holdout_end=str(end.date()),
                                           engine=connected)
            result.holdout = clv.holdout_check(clv.fit(calibration, unit), calibration).round(3)
            result.facts.update({"calibration ends": str((cutoff - pd.Timedelta(days=1)).date()),
                                 "holdout": f"{holdout_weeks} weeks to {(end - pd.Timedelta(days=1)).date()}"})
        except ModelFitError as exc:
            notes.append(f"no holdout check ({holdout_weeks} weeks held out): {exc}")
        try:
            summary = clv.card_summary(path, unit=unit, engine=connected)
            fitted = clv.fit(summary, unit)
        except ModelFitError as exc:
            result.note = f"no CLV: {exc}"
            return result
    predictions = clv.predict(fitted, summary, horizon_months, discount_rate)
    segments = rfm_result.customers.set_index("card_key")["rfm_segment"].astype("string")
    predictions["rfm_segment"] = predictions["card_key"].map(segments).astype("string")
    result.customers = predictions[["card_key", *PREDICTIONS, "rfm_segment"]].reset_index(drop=True)
    result.parameters = fitted.parameters()
    result.facts.update({"cards": fitted.cards, "repeat customers": fitted.repeat_customers,
                         "repeat customers with spend": fitted.spend_customers,
                         "spend-frequency correlation": round(fitted.spend_frequency_correlation, 3),
                         "data end": str((end - pd.Timedelta(days=1)).date())})
    result.note = "; ".join(notes)
    return result


def card_segments(unit: str, table: pd.DataFrame, labels: pd.Series, names: dict,
                  cardholders: pd.DataFrame | None) -> pd.DataFrame:
    """Segment and name per card: the card customer's own (unit `customers`), or (unit `respondents`) the
    segment of the respondent holding the card, through person_key in the card-holder table; every card of a
    respondent counts, a card linked to two people goes with the first."""
    segment = labels.reindex(table.index).astype("Int64")
    if unit == "customers":
        per_card = pd.DataFrame({"card_key": table["card_key"].to_numpy(), "segment": segment.to_numpy()})
    else:
        if cardholders is None or "person_key" not in cardholders:
            return pd.DataFrame({"card_key": pd.Series(dtype="string"), "segment": pd.Series(dtype="Int64"),
                                 "segment_name": pd.Series(dtype="string")})
        by_person = pd.Series(segment.to_numpy(), index=table["person_key"].to_numpy())
        by_person = by_person[by_person.notna() & by_person.index.notna()]
        by_person = by_person[~by_person.index.duplicated()]
        links = cardholders[["card_key", "person_key"]].dropna().drop_duplicates("card_key")
        per_card = pd.DataFrame({"card_key": links["card_key"].to_numpy(),
                                 "segment": links["person_key"].map(by_person).astype("Int64").to_numpy()})
    per_card = per_card.dropna(subset=["segment"]).drop_duplicates("card_key")
    per_card["segment_name"] = per_card["segment"].map(names).astype("string")
    return per_card


def assign_segments(value: CustomerValue, unit: str, table: pd.DataFrame, labels: pd.Series, names: dict,
                    study: Study) -> pd.DataFrame | str:
    """Put each card's data-driven segment on the CLV customers (see `card_segments`) and return the expected
    value per segment, or the note when there is no CLV."""
    if not value.fitted:
        return value.note
    holders = study.read(catalog.CARDHOLDERS) if study.has(catalog.CARDHOLDERS) else None
    per_card = card_segments(unit, table, labels, names, holders).set_index("card_key")
    value.customers["segment"] = value.customers["card_key"].map(per_card["segment"]).astype("Int64")
    value.customers["segment_name"] = value.customers["card_key"].map(per_card["segment_name"]).astype("string")
    return value.by_segment()


def save(study: Study, value: CustomerValue) -> pd.DataFrame:
    """Write clv_customers.parquet (pseudonymous card keys, predictions, RFM segment, segment) and clv.json
    (settings, parameters, holdout table, facts, note); a study without CLV writes only clv.json with its note,
    so step 05 knows why. Return what was written."""
    rows = []
    if value.fitted:
        customers = value.customers.copy()
        for column in ("segment", "segment_name"):
            if column not in customers:
                customers[column] = pd.array([pd.NA] * len(customers), dtype="Int64" if column == "segment" else "string")
        study.write(catalog.CLV_CUSTOMERS, customers)
        rows.append({"output": catalog.CLV_CUSTOMERS.file, "rows": len(customers)})
    else:  # a table left by an earlier run would speak for a fit that no longer holds
        study.table_path(catalog.CLV_CUSTOMERS).unlink(missing_ok=True)
    holdout = value.holdout.reset_index()
    summary = {"unit": value.unit, "horizon_months": value.horizon_months, "discount_rate": value.discount_rate,
               "holdout_weeks": value.holdout_weeks, "fitted": value.fitted, "note": value.note,
               "facts": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in value.facts.items()},
               "parameters": value.parameters.to_dict(orient="records"),
               "holdout": holdout.to_dict(orient="records")}
    atomic.write_json(summary, study.path(catalog.CLV))
    rows.append({"output": catalog.CLV.file, "rows": len(value.parameters)})
    return pd.DataFrame(rows)
