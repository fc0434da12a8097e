"""Rule-based segment schemes (the articles' ways of dividing customers), declared in YAML.

Each scheme gives every respondent exactly one value — the first rule that matches — or
`unclassified` with the reason: which variables it needed were missing, or that no rule matched.
A researcher adds a scheme in the study's YAML without touching code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from portrait.config import yamlconfig
from portrait.survey.codebook import IDENTIFIER
from portrait.rules import first_match, identifiers
from portrait.errors import CodebookError

UNCLASSIFIED = "unclassified"
# Persona card fields a scheme can fill (step 05): the card's trait groups plus the second article's views.
SchemeTopic = Literal["demographics", "geography", "psychographics", "socio_economics", "brand", "purpose",
                      "behaviour_profile", "price", "novelty", "behaviour"]


class SchemeRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str
    when: str


class Scheme(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=IDENTIFIER)
    label: str
    article: str = Field("", description="which source article names this scheme, and how")
    topic: SchemeTopic | None = Field(None, description="the persona card field this scheme fills")
    rules: list[SchemeRule] = Field(min_length=1)


class SchemeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schemes: list[Scheme] = Field(min_length=1)


def load_schemes(path: str | Path) -> list[Scheme]:
    path = Path(path)
    return yamlconfig.load(path, SchemeFile, CodebookError, "scheme file").schemes


def check_schemes(schemes: list[Scheme], columns: list[str]) -> list[str]:
    """Unknown variables in the rules, with the closest existing variable."""
    errors = []
    for scheme in schemes:
        for rule in scheme.rules:
            for name in sorted(identifiers(rule.when) - set(columns)):
                close = difflib.get_close_matches(name, columns, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                errors.append(f"scheme `{scheme.id}`, value {rule.value!r}: unknown variable `{name}`.{hint}")
    return errors


def applicable(schemes: list[Scheme], columns: list[str]) -> tuple[list[Scheme], pd.DataFrame]:
    """The schemes whose variables all exist, and a table of the others with what they lack — e.g. a
    transactions-only study applies the card schemes and lists the survey schemes it cannot."""
    usable, skipped = [], []
    for scheme in schemes:
        lacking = sorted(set().union(*(identifiers(r.when) for r in scheme.rules)) - set(columns))
        if lacking:
            skipped.append({"scheme": scheme.id, "label": scheme.label, "lacks": ", ".join(lacking)})
        else:
            usable.append(scheme)
    return usable, pd.DataFrame(skipped, columns=["scheme", "label", "lacks"])


@dataclass
class SchemeAssignments:
    values: pd.DataFrame
    reasons: pd.DataFrame
    schemes: list[Scheme]

    def table(self, scheme: str, weights: pd.Series | None = None) -> pd.DataFrame:
        """Respondents and (weighted) % per value of one scheme, in rule order, unclassified last."""
        rules = next(s for s in self.schemes if s.id == scheme).rules
        order = list(dict.fromkeys([r.value for r in rules] + [UNCLASSIFIED]))
        w = weights if weights is not None else pd.Series(1.0, index=self.values.index)
        counts = self.values[scheme].value_counts().reindex(order, fill_value=0)
        shares = w.groupby(self.values[scheme]).sum().reindex(order, fill_value=0)
        return pd.DataFrame({"respondents": counts, "%": (100 * shares / w.sum()).round(1)}).rename_axis(scheme)

    def summary(self) -> pd.DataFrame:
        rows = []
        for scheme in self.schemes:
            counts = self.values[scheme.id].value_counts()
            rows.append({"scheme": scheme.id, "label": scheme.label, "values": len(counts.drop(UNCLASSIFIED, errors="ignore")),
                         "largest": counts.drop(UNCLASSIFIED, errors="ignore").idxmax() if len(counts) else None,
                         "unclassified": int(counts.get(UNCLASSIFIED, 0))})
        return pd.DataFrame(rows)


def apply_schemes(data: pd.DataFrame, schemes: list[Scheme]) -> SchemeAssignments:
    """One value per respondent and scheme (or `unclassified` with its reason)."""
    errors = check_schemes(schemes, list(data.columns))
    if errors:
        raise CodebookError("the schemes do not fit the data:\n  - " + "\n  - ".join(errors))
    values, reasons = pd.DataFrame(index=data.index), pd.DataFrame(index=data.index)
    for scheme in schemes:
        result = first_match(data, [(r.value, r.when) for r in scheme.rules], f"scheme `{scheme.id}`")
        needed = sorted(set().union(*(identifiers(r.when) for r in scheme.rules)))
        missing = data[needed].isna()
        reason = pd.Series("", index=data.index, dtype="string")
        unmatched = result.isna()
        reason[unmatched] = [
            "missing: " + ", ".join(c for c in needed if row[c]) if row.any() else "no rule matched"
            for _, row in missing[unmatched].iterrows()
        ]
        values[scheme.id] = result.fillna(UNCLASSIFIED)
        reasons[scheme.id] = reason
    return SchemeAssignments(values, reasons, schemes)
