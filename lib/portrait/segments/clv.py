"""Customer lifetime value per loyalty card: BG/NBD for repeat purchases, Gamma-Gamma for spend per purchase.

The per-card summary (repeat purchases, recency, age T, mean repeat spend) is computed from the purchase days
the study's engine counts (DuckDB or Spark, card_features.purchase_days: line items never reach pandas), in
the study's dates turned into `days` or `weeks`. A purchase is a card's purchase day, as in Fader, Hardie & Lee's CDNOW data and lifetimes'
summaries: receipts on one day count once (the model's clock is continuous and cannot place two purchases
at the same moment), their spend is summed. `frequency` counts repeat purchase days (the first is the
customer's birth, not a repeat), `recency` is the time from the first to the last purchase day, `T` the
time from the first purchase day to the last day before the cut-off, and `monetary_value` the mean spend of
the repeat purchase days (the first day's spend left out, as the Gamma-Gamma papers do).

Both models are pymc-marketing's (the maintained successor of lifetimes), fitted by maximum likelihood:
`BetaGeoModel` and `GammaGammaModel` with flat priors on every parameter, `fit(method="map")`. PyMC's
find_MAP optimises the log likelihood without the Jacobian of the log transform, so with flat priors its
optimum is the maximum-likelihood estimate the papers report (tests/test_clv.py reproduces the published
CDNOW parameters to three decimals). The package's default priors are not flat and move the dropout
parameters (a = 0.71, b = 2.09 on CDNOW instead of 0.79 and 2.43). The Gamma-Gamma model is fitted on repeat
customers with a positive mean repeat spend only, as in Fader, Hardie & Lee (2005, "RFM and CLV").

Predictions per card over a horizon in months (a month is 365.25 / 12 days in either unit, so a fit in days
and one in weeks predict the same): expected purchases, the probability of being active, the expected spend
per purchase (the Gamma-Gamma conditional mean; the population mean for a card with no repeat spend) and the
expected value = expected spend per purchase x expected purchases, undiscounted by default or, with
`discount_rate` (per month), each month's expected purchases discounted by (1 + rate) ^ month, as lifetimes'
and pymc-marketing's `customer_lifetime_value` do (they count a month as 30 days or 4.345 weeks instead).
`value_by` sums them per any grouping column (RFM segment, segment, persona) with each group's share.

The fit depends on the multiset of cards alone: rows are put in order of their values before fitting, so
row order and card keys cannot move an estimate.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from portrait.engine import Engine
from portrait.errors import ModelFitError
from portrait.segments import card_features

Unit = Literal["days", "weeks"]
DAYS_PER_UNIT = {"days": 1, "weeks": 7}
DAYS_PER_MONTH = 365.25 / 12
# Below this many repeat customers the four BG/NBD (or three Gamma-Gamma) parameters are not identified
# well enough to report; CDNOW's sample has 946.
MIN_REPEAT_CUSTOMERS = 30

def card_summary(transactions: str | Path, as_of: str | None = None, unit: Unit = "weeks",
                 holdout_end: str | None = None, engine: Engine | None = None) -> pd.DataFrame:
    """One row per card that bought before `as_of` (the cut-off: purchases on earlier days count; default the
    day after the last purchase): frequency (repeat purchase days), recency and T in `unit`, monetary_value
    (mean spend of the repeat days, 0 without one), first_purchase. With `holdout_end`, also
    holdout_purchases: purchase days from `as_of` up to the day before `holdout_end`, for checking predictions
    (cards first seen in the holdout are not in the summary: the model speaks of the calibration's cards).
    The purchase days are counted by `engine` (DuckDB when none is given) from the processed transactions."""
    if unit not in DAYS_PER_UNIT:
        raise ValueError(f"unit must be one of {sorted(DAYS_PER_UNIT)}, not {unit!r}")
    if holdout_end is not None and as_of is None:
        raise ValueError("a holdout needs `as_of`, the end of the calibration period")
    with card_features.line_items(transactions, engine) as lines:
        if as_of is not None:
            cutoff = pd.Timestamp(as_of)
        else:
            cutoff = card_features.last_purchase(lines).normalize() + pd.Timedelta(days=1)
            if pd.isna(cutoff):
                raise ModelFitError(f"{transactions}: no transactions, so no card to summarise")
        end = pd.Timestamp(holdout_end) if holdout_end is not None else None
        days = card_features.per_card_rows(card_features.purchase_days(lines, cutoff, end))
    summary = _summary(days, cutoff, DAYS_PER_UNIT[unit])
    if end is not None:
        summary["holdout_purchases"] = days["holdout_days"].to_numpy(dtype="int64")
    summary.attrs.update(unit=unit, as_of=str(cutoff.date()))
    if end is not None:
        summary.attrs["holdout_length"] = (end - cutoff).days / DAYS_PER_UNIT[unit]
    return summary


def _summary(days: pd.DataFrame, cutoff: pd.Timestamp, unit_days: int) -> pd.DataFrame:
    """The model's summary from each card's purchase days (card_features.purchase_days): the first day's spend
    left out of the mean repeat spend, times from the first purchase day to the last and to the day before the
    cut-off, in the unit. Money divides as the DECIMAL sums of DuckDB did: units to currency, then by days."""
    first = pd.to_datetime(days["first_day"]).astype("datetime64[us]")
    last = pd.to_datetime(days["last_day"]).astype("datetime64[us]")
    repeats = days["days"].to_numpy(dtype="int64") - 1
    repeat_units = days["units"].to_numpy(dtype="int64") - days["first_units"].to_numpy(dtype="int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(repeats > 0, repeat_units / card_features.UNITS / repeats, 0.0)
    return pd.DataFrame({
        "card_key": days["card_key"], "frequency": repeats,
        "recency": (last - first).dt.days.to_numpy() / float(unit_days),
        "T": ((cutoff.normalize() - pd.Timedelta(days=1)) - first).dt.days.to_numpy() / float(unit_days),
        "monetary_value": monetary, "first_purchase": first})


@dataclass
class ClvFit:
    """The fitted BG/NBD (`purchases`) and Gamma-Gamma (`spend`) models of pymc-marketing, and the unit."""

    purchases: object  # pymc_marketing.clv.BetaGeoModel
    spend: object  # pymc_marketing.clv.GammaGammaModel
    unit: Unit
    cards: int
    repeat_customers: int
    spend_customers: int
    spend_frequency_correlation: float

    def parameters(self) -> pd.DataFrame:
        """The estimates: BG/NBD r, alpha (in the fit's unit), a, b; Gamma-Gamma p, q, gamma (pymc-marketing's v)."""
        bg, gg = _estimates(self.purchases, ["r", "alpha", "a", "b"]), _estimates(self.spend, ["p", "q", "v"])
        rows = [("BG/NBD", name, value) for name, value in bg.items()]
        rows += [("Gamma-Gamma", "gamma" if name == "v" else name, value) for name, value in gg.items()]
        return pd.DataFrame(rows, columns=["model", "parameter", "estimate"])

    def population_spend(self) -> float:
        """The mean spend per purchase of a new customer: p gamma / (q - 1)."""
        gg = _estimates(self.spend, ["p", "q", "v"])
        return gg["p"] * gg["v"] / (gg["q"] - 1)


def _estimates(model, names: list[str]) -> dict[str, float]:
    posterior = model.idata.posterior
    return {name: float(posterior[name].mean()) for name in names}


@contextmanager
def _quietly():
    """Warnings of the libraries that say nothing about our fit: pytensor's BLAS advice for pip installs,
    arviz's note on the extra fit_data group, tqdm's note (inside Jupyter) that no progress widget is installed."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*(BLAS|installed via pip|fit_data|IProgress not found).*")
        warnings.filterwarnings("ignore", category=FutureWarning, module="(pymc|pytensor|arviz|xarray).*")
        yield


def _model_data(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary in pymc-marketing's columns, customer ids 0..n-1 in the summary's row order."""
    return pd.DataFrame({"customer_id": np.arange(len(summary)),
                         "frequency": summary["frequency"].to_numpy(dtype="float64"),
                         "recency": summary["recency"].to_numpy(dtype="float64"),
                         "T": summary["T"].to_numpy(dtype="float64"),
                         "monetary_value": summary["monetary_value"].to_numpy(dtype="float64")})


def _canonical_order(summary: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by their values: the sums inside the likelihood, and so the optimiser's path, no longer
    depend on row order or card keys."""
    order = np.lexsort([summary[c].to_numpy() for c in ("monetary_value", "T", "recency", "frequency")])
    return summary.iloc[order]


def fit(summary: pd.DataFrame, unit: Unit | None = None) -> ClvFit:
    """BG/NBD on every card and Gamma-Gamma on the repeat customers with a positive mean repeat spend, both by
    maximum likelihood (pymc-marketing, flat priors, find_MAP). Too few repeat customers is an error that says
    how many there are and how many are needed."""
    unit = unit or summary.attrs.get("unit", "weeks")
    repeat = summary["frequency"] > 0
    spenders = repeat & (summary["monetary_value"] > 0)
    for kind, count in (("repeat customers", int(repeat.sum())), ("repeat customers with positive spend",
                                                                   int(spenders.sum()))):
        if count < MIN_REPEAT_CUSTOMERS:
            raise ModelFitError(
                f"CLV needs at least {MIN_REPEAT_CUSTOMERS} {kind} to fit BG/NBD and Gamma-Gamma; the data has "
                f"{count} of {len(summary):,} cards. A longer period of transactions (or an earlier cut-off "
                "with a holdout) gives more.")
    data = _model_data(_canonical_order(summary))
    with _quietly():
        from pymc_extras.prior import Prior  # pymc-marketing's prior class, installed with it
        from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

        flat = Prior("HalfFlat")  # flat priors: the MAP is the maximum-likelihood estimate
        purchases = BetaGeoModel(model_config={name: flat for name in ("r", "alpha", "a", "b")})
        purchases.fit(data=data[["customer_id", "frequency", "recency", "T"]], method="map", progressbar=False)
        spend_data = data[(data["frequency"] > 0) & (data["monetary_value"] > 0)]
        spend = GammaGammaModel(model_config={name: flat for name in ("p", "q", "v")})
        spend.fit(data=spend_data[["customer_id", "frequency", "monetary_value"]], method="map", progressbar=False)
    result = ClvFit(purchases, spend, unit, len(summary), int(repeat.sum()), int(spenders.sum()),
                    float(np.corrcoef(spend_data["frequency"], spend_data["monetary_value"])[0, 1]))
    estimates = result.parameters().set_index("parameter")["estimate"]
    if not (np.isfinite(estimates).all() and (estimates > 0).all()):
        raise ModelFitError(f"the CLV fit did not converge to positive finite parameters: {estimates.to_dict()}")
    if estimates["q"] <= 1:
        raise ModelFitError(f"Gamma-Gamma q = {estimates['q']:.3f} <= 1: the mean spend per purchase is infinite "
                            "under this fit; spend per purchase varies too much between customers for the model")
    return result


def _squeezed(values) -> np.ndarray:
    """A MAP prediction (one chain, one draw) as a plain array per customer."""
    return np.asarray(values.mean(("chain", "draw")) if "chain" in values.dims else values, dtype="float64")


def expected_purchases(fitted: ClvFit, summary: pd.DataFrame, periods: float) -> pd.Series:
    """Each card's expected purchases over the next `periods` (in the fit's unit), given its history."""
    with _quietly():
        values = fitted.purchases.expected_purchases(_model_data(summary), future_t=periods)
    return pd.Series(_squeezed(values), index=summary.index, name="expected_purchases")


def predict(fitted: ClvFit, summary: pd.DataFrame, horizon_months: float = 12,
            discount_rate: float = 0.0) -> pd.DataFrame:
    """Per card over `horizon_months`: expected_purchases, probability_active, expected_spend_per_purchase
    (Gamma-Gamma conditional mean; the population mean where a card has no positive repeat spend) and
    expected_value (spend per purchase x purchases; discounted month by month at `discount_rate` per month
    when it is above 0). The summary's columns come first, in its row order."""
    if horizon_months <= 0 or discount_rate < 0:
        raise ValueError("horizon_months must be above 0 and discount_rate at least 0")
    data = _model_data(summary)
    # A card without a positive repeat spend tells nothing about its own spend: the population mean.
    spend_data = data.assign(frequency=np.where(data["monetary_value"] > 0, data["frequency"], 0.0))
    month = DAYS_PER_MONTH / DAYS_PER_UNIT[fitted.unit]
    with _quietly():
        purchases = _squeezed(fitted.purchases.expected_purchases(data, future_t=horizon_months * month))
        active = _squeezed(fitted.purchases.expected_probability_alive(data))
        per_purchase = _squeezed(fitted.spend.expected_customer_spend(spend_data))
        if discount_rate == 0:
            value = per_purchase * purchases
        else:
            # Purchases month by month (the last step ends at the horizon), each month discounted.
            ends = np.minimum(np.arange(1, np.ceil(horizon_months) + 1), horizon_months)
            cumulative = [_squeezed(fitted.purchases.expected_purchases(data, future_t=end * month))
                          for end in ends[:-1]] + [purchases]
            monthly = np.diff(np.vstack([np.zeros(len(data)), *cumulative]), axis=0)
            value = per_purchase * (monthly / (1 + discount_rate) ** np.arange(1, len(ends) + 1)[:, None]).sum(axis=0)
    return summary.assign(expected_purchases=purchases, probability_active=active,
                          expected_spend_per_purchase=per_purchase, expected_value=value)


def value_by(predictions: pd.DataFrame, column: str) -> pd.DataFrame:
    """Cards, expected purchases and expected value per group of `column` (RFM segment, segment, persona),
    with each group's share of the cards and of the base's expected value (each adds to 100), the mean
    probability of being active and the expected value per card; largest expected value first. Cards without
    a group are counted under `(none)` so the shares still cover the whole base."""
    groups = predictions[column].astype("string").fillna("(none)")
    table = predictions.groupby(groups.rename(column), sort=False).agg(
        cards=("expected_value", "size"), expected_purchases=("expected_purchases", "sum"),
        expected_value=("expected_value", "sum"), probability_active=("probability_active", "mean"))
    table["value_per_card"] = table["expected_value"] / table["cards"]
    table["% of cards"] = 100 * table["cards"] / table["cards"].sum()
    table["% of expected value"] = 100 * table["expected_value"] / table["expected_value"].sum()
    return table.sort_values(["expected_value", "cards"], ascending=False)


def holdout_check(fitted: ClvFit, summary: pd.DataFrame) -> pd.DataFrame:
    """Predicted against actual purchases in the holdout, per number of repeat purchases in the calibration
    (the paper's conditional-expectation chart; 7 and more pooled) and in total: cards, actual and predicted
    mean purchases per card. Needs a summary made with `holdout_end`."""
    if "holdout_purchases" not in summary or "holdout_length" not in summary.attrs:
        raise ValueError("the summary has no holdout: make it with card_summary(..., holdout_end=...)")
    predicted = expected_purchases(fitted, summary, summary.attrs["holdout_length"])
    frame = pd.DataFrame({"calibration_repeat_purchases": np.minimum(summary["frequency"], 7),
                          "actual": summary["holdout_purchases"], "predicted": predicted})
    table = frame.groupby("calibration_repeat_purchases").agg(cards=("actual", "size"), actual=("actual", "mean"),
                                                              predicted=("predicted", "mean"))
    table.index = [str(i) if i < 7 else "7+" for i in table.index]
    total = pd.DataFrame({"cards": [len(frame)], "actual": [frame["actual"].mean()],
                          "predicted": [frame["predicted"].mean()]}, index=["all"])
    return pd.concat([table, total]).rename_axis("calibration repeat purchases")
