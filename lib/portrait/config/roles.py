"""Roles: which of the study's own variables play each part an analysis needs.

An analysis never asks for a variable id; it asks for a role ("the brand funnel", "recommendation 0-10",
"the banner") and the study's `roles:` block in study.yml names its variables. A role the study leaves
out is skipped with its reason ("no brand funnel: the study declares no `funnel` role"). Where a
default is unambiguous it is derived and said: the basis is every scale (or every Likert item), the
banner is the demographic and geographic roles, the typing tool's items are the basis's items.
"""

from __future__ import annotations

import difflib
import fnmatch
from datetime import date
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, field_validator

from portrait.errors import CodebookError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunnelRoles(_Strict):
    """The brand funnel: 0/1 coded variables for each stage, and how often buyers buy."""

    aware: str = Field(description="0/1: has heard of the brand")
    considered: str | None = Field(None, description="0/1: would consider it")
    bought: str = Field(description="0/1: has bought it")
    frequency: str | None = Field(None, description="single choice, ordered: how often buyers buy (buyer tiers)")


class DemographicRoles(_Strict):
    age: str | None = None
    gender: str | None = None
    income: str | None = None
    education: str | None = None
    occupation: str | None = None
    household: str | None = None
    children: str | None = None


class GeographyRoles(_Strict):
    region: str | None = Field(None, description="region or city")
    local_foreign: str | None = Field(None, description="local residents against visitors or expatriates")


class WeightingRoles(_Strict):
    """RIM targets (shares or percents) on the labels of coded variables, and the weight cap."""

    cap: float | None = Field(5.0, gt=1)
    targets: dict[str, dict[str, float]] = Field(min_length=1)


class CardholderRoles(_Strict):
    """Columns of the card-holder table that describe the holder (before pseudonymisation)."""

    gender: str | None = None
    birth_year: str | None = None


class GiftPeriod(_Strict):
    """A gift season of the study's market, as month-day bounds (inclusive), e.g. 12-01 to 12-31."""

    name: str
    start: str = Field(pattern=r"^\d{2}-\d{2}$")
    end: str = Field(pattern=r"^\d{2}-\d{2}$")

    @field_validator("start", "end")
    @classmethod
    def _valid_day(cls, value: str) -> str:
        month, day = (int(x) for x in value.split("-"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise ValueError("write month-day as MM-DD, e.g. 12-24")
        return value

    def days(self, first: date, last: date) -> list[tuple[date, date]]:
        """The period's days from `first` to `last` (both included) as half-open ranges of dates [start, end):
        every date whose month * 100 + day lies between start and end, a period wrapping the new year when its
        start comes after its end (a 02-30 starts on 1 March)."""
        start, end = (int(x.replace("-", "")) for x in (self.start, self.end))
        spans = []
        for year in range(first.year - 1, last.year + 1):
            spans.append((_first_date_from(year, start), _first_date_from(year + (start > end), end + 1)))
        return [(a, b) for a, b in spans if a <= last and b > first]


def _first_date_from(year: int, month_day: int) -> date:
    """The first date of `year` whose month * 100 + day is at least `month_day` (12-32: the next 1 January)."""
    month, day = divmod(month_day, 100)
    if month > 12 or (month == 12 and day > 31):
        return date(year + 1, 1, 1)
    try:
        return date(year, month, day)
    except ValueError:  # a day the month does not have: the first of the next month
        return date(year, month + 1, 1)


class Roles(_Strict):
    """The `roles:` block of study.yml. Every key is optional; an absent role skips its analyses."""

    currency: str | None = Field(None, description="currency of amounts (transactions, spend questions)")
    funnel: FunnelRoles | None = None
    recommendation: str | None = Field(None, description="likelihood to recommend, 0-10 (NPS)")
    satisfaction: str | None = Field(None, description="overall satisfaction (a rating or a Likert item)")
    demographics: DemographicRoles = Field(default_factory=DemographicRoles)
    geography: GeographyRoles = Field(default_factory=GeographyRoles)
    purpose: str | None = Field(None, description="purchase purpose (for self, as a gift, ...)")
    channel: str | None = Field(None, description="where they buy or learn (a multi-select or single)")
    basis: list[str] = Field(default_factory=list, description="segmentation basis; default: every scale")
    banner: list[str] = Field(default_factory=list, description="banner columns; default: demographics, geography")
    typing_items: list[str] = Field(default_factory=list, description="typing-tool items; default: basis items")
    weighting: WeightingRoles | None = None
    cardholders: CardholderRoles = Field(default_factory=CardholderRoles)
    gift_calendar: list[GiftPeriod] = Field(default_factory=list)

    def survey_variables(self) -> dict[str, str]:
        """Every single-variable role that names a coded survey variable: `role path -> variable`."""
        named = {"recommendation": self.recommendation, "satisfaction": self.satisfaction,
                 "purpose": self.purpose, "channel": self.channel}
        if self.funnel:
            named.update({f"funnel.{k}": v for k, v in self.funnel.model_dump().items()})
        named.update({f"demographics.{k}": v for k, v in self.demographics.model_dump().items()})
        named.update({f"geography.{k}": v for k, v in self.geography.model_dump().items()})
        return {k: v for k, v in named.items() if v}

    def topics(self) -> dict[str, str]:
        """The persona card section each role's variable informs (used where the codebook gives no topic)."""
        sections = {"demographics": "demographics", "geography": "geography", "purpose": "purpose",
                    "channel": "channels", "recommendation": "brand", "satisfaction": "brand", "funnel": "brand"}
        return {variable: sections[role.split(".")[0]] for role, variable in self.survey_variables().items()}

    def banner_default(self) -> list[str]:
        """The demographic and geographic roles, in their declared order."""
        return [v for v in [*self.demographics.model_dump().values(), *self.geography.model_dump().values()] if v]


def expand(patterns: list[str], columns: list[str]) -> list[str]:
    """Columns named by `patterns` (exact names or shell-style patterns such as `items__*`), in column order."""
    return [c for c in columns if any(c == p or fnmatch.fnmatchcase(c, p) for p in patterns)]


@dataclass
class SurveyRoles:
    """The roles of a coded survey, checked against its variables, with derived defaults and skips."""

    roles: Roles
    variables: list[str]
    basis: list[str] = field(default_factory=list)
    banner: list[str] = field(default_factory=list)
    typing_items: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)      # defaults derived, said aloud
    skipped: list[str] = field(default_factory=list)     # analyses skipped, with the reason

    def has(self, role: str) -> bool:
        """Whether a role (`funnel`, `recommendation`, `demographics.gender`, ...) names a variable."""
        if role == "funnel":
            return self.roles.funnel is not None
        return role in self.roles.survey_variables()

    def variable(self, role: str) -> str | None:
        return self.roles.survey_variables().get(role)

    def report(self) -> str:
        return "\n".join([*(f"chosen: {c}" for c in self.chosen), *(f"skipped: {s}" for s in self.skipped)]) or \
            "every role is declared"


def _closest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return f" Did you mean `{close[0]}`?" if close else ""


def check_survey(roles: Roles, variables: list[str], book) -> SurveyRoles:
    """Check every role against the coded variables (each miss named with the closest variable) and
    derive the defaults: basis = every scale, else every Likert item; banner = demographic and
    geographic roles; typing items = the basis's Likert items, else the basis."""
    problems = []
    for role, variable in roles.survey_variables().items():
        if variable not in variables:
            problems.append(f"`roles.{role}` names `{variable}`, which the codebook does not produce."
                            f"{_closest(variable, variables)}")
    for key in ("basis", "banner", "typing_items"):
        for pattern in getattr(roles, key):
            if not expand([pattern], variables):
                problems.append(f"`roles.{key}`: `{pattern}` matches no coded variable.{_closest(pattern, variables)}")
    if roles.weighting:
        for variable in roles.weighting.targets:
            if variable not in variables:
                problems.append(f"`roles.weighting.targets.{variable}`: no such coded variable."
                                f"{_closest(variable, variables)}")
    if problems:
        raise CodebookError("study.yml roles: " + f"{len(problems)} problem(s):\n  - " + "\n  - ".join(problems)
                            + "\nCorrect the variable ids (coded names: the question id, or `<id>__<item>`).")
    result = SurveyRoles(roles, variables)
    questions, declared_scales = (book.questions, book.scales) if book is not None else ([], [])
    scales = [s.id for s in declared_scales]
    likert = [c for q in questions if q.type == "likert" for c in variables if c == q.id or c.startswith(f"{q.id}__")]
    if roles.basis:
        result.basis = expand(roles.basis, variables)
    elif scales:
        result.basis = scales
        result.chosen.append(f"basis = every scale of the codebook ({', '.join(scales)})")
    elif likert:
        result.basis = likert
        result.chosen.append(f"basis = every Likert item ({len(likert)} items; the codebook declares no scale)")
    else:
        result.skipped.append("no segmentation basis on the survey: `roles.basis` is empty and the codebook has "
                              "no scale or Likert item")
    if roles.banner:
        result.banner = expand(roles.banner, variables)
    else:
        numeric = {q.id for q in questions if q.type in ("numeric", "date", "open")}
        result.banner = [v for v in roles.banner_default() if v not in numeric]
        left_out = [v for v in roles.banner_default() if v in numeric]
        if left_out:
            result.chosen.append(f"banner leaves out numeric {', '.join(left_out)} (derive groups in the codebook "
                                 "to use them as columns)")
        if result.banner:
            result.chosen.append(f"banner = the demographic and geographic roles ({', '.join(result.banner)})")
        else:
            result.skipped.append("no banner columns: `roles.banner` is empty and no demographic or geographic role "
                                  "is declared; tables show the total only")
    if roles.typing_items:
        result.typing_items = expand(roles.typing_items, variables)
    else:
        items = [c for c in likert if c in result.basis] or [c for c in result.basis if c not in scales]
        scale_items = [i for s in declared_scales if s.id in result.basis for i in s.items]
        result.typing_items = items or [i for i in variables if i in scale_items]
        if result.typing_items:
            result.chosen.append(f"typing-tool items = the items of the basis ({len(result.typing_items)})")
    if roles.funnel is None:
        result.skipped.append("no brand funnel: the study declares no `funnel` role")
    if not roles.recommendation:
        result.skipped.append("no NPS: the study declares no `recommendation` role (likelihood to recommend, 0-10)")
    if roles.weighting is None:
        result.skipped.append("no weighting: the study declares no `weighting` role (targets); every respondent "
                              "weighs 1")
    return result


