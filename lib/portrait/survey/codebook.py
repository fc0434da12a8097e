"""The survey codebook: questions, value labels, missing codes, reverse items, scales, derived variables.

`load_codebook(path)` reads and validates the YAML on its own; `check(codebook, frame)` validates it
against the data (every problem at once, with "did you mean"); `apply(codebook, frame)` turns the
raw answers into coded variables. Answers that match no label are never silently made missing:
each is reported and counted in `CodedSurvey.unlabelled`.

Coded variable names: the question id for one-column questions, `<id>__<item>` for the items of a
multi-select (0/1) or a grid.
"""

from __future__ import annotations

import difflib
import graphlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from portrait.config import yamlconfig
from portrait.errors import CodebookError
from portrait.io.numbers import to_number
from portrait.rules import first_match, identifiers

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# What a variable describes, for the persona cards (the first article's four groups of traits and more).
Topic = Literal["demographics", "geography", "psychographics", "socio_economics", "brand", "purpose", "channels",
                "needs", "behaviour"]


class Question(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    label: str | None = None
    column: str | None = Field(None, description="exact header")
    pattern: str | None = Field(None, description="regex on headers; group 1 is the item or option text")
    type: Literal["single", "multi", "likert", "numeric", "date", "open"]
    labels: dict[int, str] = Field(default_factory=dict)
    missing: list[int | str] = Field(default_factory=list, description="codes meaning no answer (don't know …)")
    range: tuple[float, float] | None = None
    items: dict[str, str] = Field(default_factory=dict, description="item id -> option/item text in the header")
    reverse: list[str] = Field(default_factory=list, description="item ids scored in reverse")
    topic: Topic | None = Field(None, description="the persona card section this question informs")

    @model_validator(mode="after")
    def _one_source(self) -> "Question":
        if (self.column is None) == (self.pattern is None):
            raise ValueError("give exactly one of `column` (exact header) or `pattern` (regex)")
        if self.type == "multi" and self.pattern is None:
            raise ValueError("a multi-select spreads over columns: give `pattern` with the option in group 1")
        return self

    @property
    def title(self) -> str:
        return self.label or self.id


class Scale(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    label: str | None = None
    items: list[str] = Field(min_length=2, description="coded variable names, e.g. agree__quality")
    score: Literal["mean", "sum"] = "mean"
    min_answered: float = Field(0.5, gt=0, le=1, description="share of items needed for a score")
    topic: Topic | None = None


class Rule(_Strict):
    value: str
    when: str = Field(description="pandas expression over coded variables, e.g. 'aware_brand == 0'")


class Derived(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    label: str | None = None
    rules: list[Rule] = Field(min_length=1, description="first matching rule gives the value")
    order: list[str] = Field(default_factory=list, description="display order of the values")
    topic: Topic | None = None


class Codebook(_Strict):
    questions: list[Question]
    scales: list[Scale] = Field(default_factory=list)
    derived: list[Derived] = Field(default_factory=list)

    def question(self, qid: str) -> Question:
        return next(q for q in self.questions if q.id == qid)

    def _question_and_item(self, variable: str) -> tuple[Question | None, str | None]:
        """The question a coded variable comes from (None when the codebook does not know it) and its item id."""
        qid, _, item = variable.partition("__")
        return next((q for q in self.questions if q.id == qid), None), item or None

    def title_of(self, variable: str) -> str:
        """What a coded variable is called in the study's own words: the question's label, and for an item of a
        grid or multi-select (`question__item`) the item's text after it; the id itself when the codebook does
        not know it."""
        question, item = self._question_and_item(variable)
        if question is None:
            return variable
        return f"{question.title} · {question.items.get(item, item)}" if item else question.title

    def item_text(self, variable: str) -> str:
        """The shortest name of a coded variable in the study's words: an item's own text for an item of a grid or
        multi-select, otherwise as title_of."""
        question, item = self._question_and_item(variable)
        return question.items.get(item, item) if question is not None and item else self.title_of(variable)

    def topics(self) -> dict[str, str]:
        """Topic of every question, scale and derived variable that declares one (by id)."""
        return {x.id: x.topic for x in [*self.questions, *self.scales, *self.derived] if x.topic}


def subset(codebook: Codebook, variables: list[str]) -> Codebook:
    """Only the questions that produce `variables` (e.g. a typing tool's items for a short new wave)."""
    wanted = {v.split("__", 1)[0] for v in variables}
    return Codebook(questions=[q for q in codebook.questions if q.id in wanted])


def load_codebook(path: str | Path) -> Codebook:
    return yamlconfig.load(Path(path), Codebook, CodebookError, "survey codebook")


# ---------------------------------------------------------------- matching questions to columns

def slug(text: str) -> str:
    """A short variable-name piece from an option or item text, in any alphabet ("Чай з молоком" -> чай_з_молоком)."""
    words = re.findall(r"[^\W_]+", text.lower())
    piece = "_".join(words)[:40] or "item"
    return piece if not piece[0].isdigit() else f"n{piece}"


def question_columns(question: Question, columns: list[str]) -> dict[str, str]:
    """Coded variable name -> raw header, for one question."""
    if question.column is not None:
        return {question.id: question.column} if question.column in columns else {}
    found = {}
    regex = re.compile(question.pattern)
    by_text = {text: item for item, text in question.items.items()}
    for column in columns:
        match = regex.search(column)
        if match:
            text = match.group(1) if regex.groups else column
            item = by_text.get(text, slug(text))
            name = f"{question.id}__{item}"
            if name in found:
                raise CodebookError(f"question `{question.id}`: the headers {found[name]!r} and {column!r} both give "
                                    f"`{name}`; name the items under `items:` (item id: text as in the header).")
            found[name] = column
    return found


def _close(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.5)
    return f" Did you mean {close[0]!r}?" if close else ""


def check(codebook: Codebook, frame: pd.DataFrame) -> list[str]:
    """Every structural problem of the codebook against the data; empty when it can be applied."""
    columns = [c for c in frame.columns]
    errors: list[str] = []
    variables: set[str] = set()
    for q in codebook.questions:
        if q.pattern is not None:
            try:
                re.compile(q.pattern)
            except re.error as exc:
                errors.append(f"question `{q.id}`: pattern {q.pattern!r} is not a valid regex ({exc}).")
                continue
        found = question_columns(q, columns)
        if not found:
            target = q.column if q.column is not None else q.pattern
            hint = _close(q.column, columns) if q.column is not None else ""
            errors.append(f"question `{q.id}`: no column matches {target!r}.{hint}")
            continue
        if q.pattern is not None:
            texts = {re.search(q.pattern, c).group(1) for c in found.values()} if re.compile(q.pattern).groups else set()
            for item, text in q.items.items():
                if text not in texts:
                    errors.append(f"question `{q.id}`: item `{item}` ({text!r}) matches no column.{_close(text, sorted(texts))}")
        for item in q.reverse:
            if f"{q.id}__{item}" not in found:
                errors.append(f"question `{q.id}`: reverse item `{item}` is not one of its items."
                              f"{_close(item, [v.split('__', 1)[1] for v in found])}")
        if q.type in ("single",) and not q.labels:
            errors.append(f"question `{q.id}`: a single-choice question needs `labels`.")
        variables |= set(found)
        if q.type == "multi":
            variables.add(q.id)
    for scale in codebook.scales:
        for item in scale.items:
            if item not in variables:
                errors.append(f"scale `{scale.id}`: item `{item}` does not exist.{_close(item, sorted(variables))}")
        variables.add(scale.id)
    derived_ids = {d.id for d in codebook.derived}
    graph = {}
    for d in codebook.derived:
        needs = set().union(*(identifiers(r.when) for r in d.rules))
        for name in sorted(needs - variables - derived_ids):
            errors.append(f"derived `{d.id}`: unknown variable `{name}` in its rules."
                          f"{_close(name, sorted(variables | derived_ids))}")
        graph[d.id] = needs & derived_ids
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        errors.append(f"derived variables form a cycle: {' -> '.join(exc.args[1])}. Break it.")
    return errors


# ---------------------------------------------------------------- applying the codebook

@dataclass
class CodedSurvey:
    """Coded variables per respondent, their labels, and the answers no label explained."""

    data: pd.DataFrame
    variables: pd.DataFrame
    value_labels: dict[str, dict]
    unlabelled: pd.DataFrame
    declared_missing: pd.DataFrame
    unused_labels: pd.DataFrame
    orders: dict[str, list[str]]

    def summary(self) -> pd.DataFrame:
        return self.variables

    def unlabelled_summary(self) -> pd.DataFrame:
        """Unexplained answers per question and value, summed over the question's items."""
        table = self.unlabelled.groupby(["question", "value"], sort=True).agg(
            respondents=("respondents", "sum"), items=("variable", "nunique")).reset_index()
        return table

    def messages(self) -> list[str]:
        """Readable lines for every answer no label explains and every label no answer used."""
        lines = []
        for row in self.unlabelled.itertuples():
            hint = f" Did you mean {row.closest_label!r}?" if row.closest_label else ""
            lines.append(f"question `{row.question}`: {row.respondents} answer(s) {row.value!r} in "
                         f"{row.column!r} match no label and are not declared missing.{hint}")
        for row in self.unused_labels.itertuples():
            lines.append(f"question `{row.question}`: label {row.code} ({row.label!r}) is never answered "
                         f"in `{row.variable}`.")
        return lines

    def labelled(self, variable: str) -> pd.Series:
        """The variable with its value labels, categorical in label (or declared) order."""
        series = self.data[variable]
        labels = self.value_labels.get(variable)
        if labels:
            return pd.Series(pd.Categorical(series.map(labels), categories=list(dict.fromkeys(labels.values()))),
                             index=series.index, name=variable)
        order = self.orders.get(variable)
        if order:
            return pd.Series(pd.Categorical(series, categories=order), index=series.index, name=variable)
        return series

    def labelled_frame(self, variables: list[str]) -> pd.DataFrame:
        return pd.DataFrame({v: self.labelled(v) for v in variables})


def _norm(text: object) -> str:
    return " ".join(str(text).split()).casefold()


def _code_values(raw: pd.Series, q: Question) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(coded values, mask of unexplained answers, mask of declared-missing answers)."""
    present = raw.notna() & raw.astype("string").str.strip().ne("")
    # Normalise each distinct answer once: exports repeat a handful of answers many times.
    # (typed as text: a column nobody answered would otherwise map to numbers and fail the comparison)
    normalised = raw.map({v: _norm(v) for v in raw.dropna().unique()}).astype("string")
    missing_text = {_norm(m) for m in q.missing}
    declared = present & normalised.isin(missing_text)
    if q.type == "open":
        return raw.where(present & ~declared), pd.Series(False, index=raw.index), declared
    if q.type == "date":
        values = pd.to_datetime(raw.where(present & ~declared), format="mixed", errors="coerce")
        return values, present & ~declared & values.isna(), declared
    number = to_number(raw, "auto").astype("float64")  # a decimal comma (`2,5`) is read, not lost
    if q.labels and q.type in ("single", "likert"):
        by_label = {_norm(v): k for k, v in q.labels.items()}
        from_label = normalised.map(by_label)
        from_code = number.where(number.isin(list(q.labels)))
        values = pd.to_numeric(from_label, errors="coerce").astype("float64").fillna(from_code.astype("float64"))
        if q.type == "likert" and q.range:
            values = values.fillna(number.where(number.between(*q.range)))
    else:
        values = number.where(number.between(*q.range)) if q.range else number
    values = values.where(present & ~declared)
    return values.astype("Float64"), present & ~declared & values.isna(), declared


def apply(codebook: Codebook, frame: pd.DataFrame, broke_off: pd.Series | None = None) -> CodedSurvey:
    """Code every question, reverse items, score scales and compute derived variables.

    `broke_off` (for example the `qf_incomplete` flag) marks respondents whose blank multi-select
    means "not reached" (missing) rather than "none chosen" (all zeros).
    """
    errors = check(codebook, frame)
    if errors:
        raise CodebookError(f"the codebook does not fit the data ({len(errors)} problem(s)):\n  - "
                            + "\n  - ".join(errors))
    out = pd.DataFrame(index=frame.index)
    rows, labels, unexplained, declared_rows, unused = [], {}, [], [], []
    broke_off = broke_off if broke_off is not None else pd.Series(False, index=frame.index)
    for q in codebook.questions:
        found = question_columns(q, list(frame.columns))
        if q.type == "multi":
            chosen = frame[list(found.values())].notna() & frame[list(found.values())].astype("string").ne("")
            none_at_all = ~chosen.any(axis=1) & broke_off
            for name, column in found.items():
                out[name] = chosen[column].astype("Int64").mask(none_at_all)
            out[q.id] = chosen.sum(axis=1).astype("Int64").mask(none_at_all)  # options chosen
            rows.append((q.id, q.title, q.type, len(found)))
            continue
        for name, column in found.items():
            values, odd, declared = _code_values(frame[column], q)
            if q.type == "likert" and name.split("__", 1)[-1] in q.reverse and q.range:
                values = q.range[0] + q.range[1] - values
            out[name] = values
            if q.labels:
                labels[name] = dict(q.labels)
            for value, count in frame.loc[odd, column].value_counts().items():
                unexplained.append((q.id, name, column, value, int(count), _closest_label(value, q)))
            for code, text in q.labels.items():
                if not values.eq(code).any():
                    unused.append((q.id, name, code, text))
            for value, count in frame.loc[declared, column].value_counts().items():
                declared_rows.append((q.id, name, value, int(count)))
        rows.append((q.id, q.title, q.type, len(found)))
    for scale in codebook.scales:
        items = out[scale.items].astype("float64")
        enough = items.notna().mean(axis=1) >= scale.min_answered
        score = items.mean(axis=1) if scale.score == "mean" else items.sum(axis=1, min_count=1)
        out[scale.id] = score.where(enough)
        rows.append((scale.id, scale.label or scale.id, f"scale ({scale.score})", len(scale.items)))
    order = graphlib.TopologicalSorter({d.id: set().union(*(identifiers(r.when) for r in d.rules))
                                        & {x.id for x in codebook.derived} for d in codebook.derived})
    derived = {d.id: d for d in codebook.derived}
    for name in order.static_order():
        d = derived[name]
        out[name] = first_match(out, [(r.value, r.when) for r in d.rules], f"derived `{d.id}`")
        rows.append((d.id, d.label or d.id, "derived", len(d.rules)))
    variables = pd.DataFrame(rows, columns=["variable", "label", "type", "columns"])
    unlabelled = pd.DataFrame(unexplained, columns=["question", "variable", "column", "value", "respondents",
                                                    "closest_label"])
    declared = pd.DataFrame(declared_rows, columns=["question", "variable", "value", "respondents"])
    unused_labels = pd.DataFrame(unused, columns=["question", "variable", "code", "label"])
    orders = {d.id: d.order for d in codebook.derived if d.order}
    return CodedSurvey(out, variables, labels, unlabelled, declared, unused_labels, orders)


def _closest_label(value: object, q: Question) -> str | None:
    close = difflib.get_close_matches(str(value), [str(v) for v in q.labels.values()], n=1, cutoff=0.6)
    return close[0] if close else None


def for_study(study) -> Codebook:
    """The study's survey codebook (`codebooks.survey`), or a clear error when it names none."""
    if not study.config.codebooks.survey:
        raise CodebookError(f"{study.folder / 'study.yml'}: coding the survey needs a codebook; name it in "
                            "`codebooks.survey` (`portrait new-study` writes a commented codebook.yml to start from).")
    return load_codebook(study.raw_path(study.config.codebooks.survey))


def top_codes(question: Question, n: int = 2) -> list[float]:
    """The `n` highest answer codes of a rating question (from its range, else its labels)."""
    if question.range:
        high = question.range[1]
        return [high - i for i in range(n)]
    return sorted(question.labels, reverse=True)[:n]
