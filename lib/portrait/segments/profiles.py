"""Segment profiles: each segment against the total on every variable, with index and significance,
the list of what makes a segment different, and names suggested from its strongest traits.

Index = segment value / total value × 100 (shares for categories, means for numeric variables).
Significance compares the segment with the rest of the sample (z-test for shares, Welch's t-test
for means) on effective bases when weights exist (`portrait.stats`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portrait import stats


def profile(data: pd.DataFrame, segments: pd.Series, variables: dict[str, str],
            weights: pd.Series | None = None, alpha: float = 0.05, topics: dict[str, str] | None = None) -> pd.DataFrame:
    """Long table: variable, label, category, segment, value, total, index, p, significant, base (answers) and
    effective_base (Kish, of the answers' weights) (and topic, the persona card section of each variable, when
    `topics` is given).

    `variables` maps a column of `data` to its label; categorical columns (strings or categoricals)
    are profiled per category (share %), numeric ones by their mean.
    """
    index = segments.index
    w_all = (weights.reindex(index).to_numpy(dtype=float) if weights is not None else np.ones(len(index)))
    seg = segments.to_numpy()
    rows = []
    for column, label in variables.items():
        values = data.loc[index, column]
        categorical = isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object or \
            pd.api.types.is_string_dtype(values)
        answered = values.notna().to_numpy()
        if categorical:
            categories = (list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype)
                          else sorted(values.dropna().unique(), key=str))
            for category in categories:
                hit = (values == category).fillna(False).to_numpy()
                total = 100 * w_all[hit & answered].sum() / max(w_all[answered].sum(), 1e-12)
                for s in sorted(np.unique(seg)):
                    inside, rest = answered & (seg == s), answered & (seg != s)
                    share = 100 * w_all[hit & inside].sum() / max(w_all[inside].sum(), 1e-12)
                    rest_share = 100 * w_all[hit & rest].sum() / max(w_all[rest].sum(), 1e-12)
                    p = stats.proportion_p(share / 100, stats.effective_base(w_all[inside]),
                                           rest_share / 100, stats.effective_base(w_all[rest]))
                    rows.append((column, label, str(category), s, share, total, p, int(inside.sum()),
                                 stats.effective_base(w_all[inside])))
        else:
            x = values.astype("float64").to_numpy()
            if not answered.any():
                continue
            total, _ = stats.weighted_mean_sd(x[answered], w_all[answered])
            for s in sorted(np.unique(seg)):
                inside, rest = answered & (seg == s), answered & (seg != s)
                if not inside.any():  # e.g. nobody in this segment was interviewed
                    continue
                mean, _ = stats.weighted_mean_sd(x[inside], w_all[inside])
                p = stats.welch_p(x[inside], w_all[inside], x[rest], w_all[rest])
                rows.append((column, label, "", s, mean, total, p, int(inside.sum()),
                             stats.effective_base(w_all[inside])))
    table = pd.DataFrame(rows, columns=["variable", "label", "category", "segment", "value", "total", "p", "base",
                                        "effective_base"])
    table["effective_base"] = table["effective_base"].astype("float64").round(1)
    table["index"] = (100 * table["value"] / table["total"].replace(0, np.nan)).round(0)
    table["significant"] = table["p"] < alpha
    table[["value", "total"]] = table[["value", "total"]].round(4)
    if topics is not None:
        table["topic"] = table["variable"].map(topics).astype("string")
    return table


def distinctive(table: pd.DataFrame, top: int = 6, min_total: float = 3.0, min_base: int = 30) -> pd.DataFrame:
    """Per segment, the significant traits furthest above the total (index), shares of at least
    `min_total` % in the total (tiny categories make huge but meaningless indices), on at least
    `min_base` answers in the segment (a handful of interviews does not describe a segment)."""
    over = table[table["significant"] & (table["index"] > 100) & (table["base"] >= min_base) &
                 ((table["category"] == "") | (table["total"] >= min_total))].copy()
    over["strength"] = over["index"] - 100
    picked = over.sort_values(["segment", "strength"], ascending=[True, False]).groupby("segment").head(top)
    picked["trait"] = [
        f"{r.label}: {r.category} — {r.value:.0f}% vs {r.total:.0f}% (index {r.index:.0f})" if r.category
        else f"{r.label} — {r.value:.2f} vs {r.total:.2f} (index {r.index:.0f})"
        for r in picked.itertuples()]
    return picked[["segment", "trait", "variable", "category", "index", "p", "base"]].reset_index(drop=True)


def _name_piece(trait: str, category: str) -> str:
    """A short phrase for a trait: the category, or the question when the category says little."""
    head, _, figures = trait.partition(" — ")
    label = head.split(": ")[0]
    if not category:  # a mean or a share: the item's own words with the segment's value
        words = head.split(": ")[-1]
        value = float(figures.split(" vs ")[0])
        if "(share" in words or words.lower().startswith("share"):
            return f"{words.replace(' (share mentioning)', '').replace(' (share)', '')} {100 * value:.0f} %"
        return f"{words} {round(value, 1):g}"
    if category.lower().startswith("yes"):
        return label
    if category.lower() == "no":
        return f"{label}: {category.lower()}"
    return f"{label} {category.lower()}" if len(category.split()) == 1 else category


def suggest_names(traits: pd.DataFrame, overrides: dict | None = None) -> dict:
    """A name per segment from its two strongest traits, unless `study.yml` names it."""
    names, used = {}, set()
    for segment, group in traits.groupby("segment", sort=True):
        # The two strongest traits of different variables, each starting with a capital letter; a third
        # (then the segment number) when another segment already has that name: names are unique in a run.
        strongest = group.drop_duplicates("variable")
        parts = [_name_piece(r.trait, r.category) for r in strongest.itertuples()]
        parts = list(dict.fromkeys(p[:1].upper() + p[1:] for p in parts))
        name = " · ".join(parts[:2]) or f"Segment {segment}"
        if name in used and len(parts) > 2:
            name = " · ".join(parts[:3])
        if name in used:
            name = f"{name} ({segment})"
        names[segment] = name
        used.add(name)
    # study.yml keys may come as strings ("1") or numbers (1); segments are numbered 1..k.
    names.update({int(k) if str(k).isdigit() else k: v for k, v in (overrides or {}).items()})
    return names


@dataclass
class ProfileVariables:
    data: pd.DataFrame
    labels: dict[str, str]
    scales: list[str]
    topics: dict[str, str]


def profile_variables(table: pd.DataFrame, book=None, extra_labels: dict[str, str] | None = None,
                      assigned=None, extra_topics: dict[str, str] | None = None,
                      role_topics: dict[str, str] | None = None) -> ProfileVariables:
    """The variables a segment is profiled on: every labelled single-choice question of the survey
    codebook (as its labels), numeric questions, multi-select options (share choosing), scales and
    derived variables; the schemes' values (unclassified left out); and `extra_labels` — columns
    joined from other sources (loyalty card, interviews) with their labels. Topics (persona card
    sections) come from the codebook, the schemes and `extra_topics`."""
    data, labels = pd.DataFrame(index=table.index), {}
    for q in (book.questions if book else []):
        if q.type == "single" and q.labels and q.id in table:
            data[q.id] = pd.Categorical(table[q.id].map(q.labels), categories=list(dict.fromkeys(q.labels.values())))
            labels[q.id] = q.title
        elif q.type == "numeric" and q.id in table:
            data[q.id], labels[q.id] = table[q.id].astype("float64"), q.title
        elif q.type == "multi":
            for item, text in q.items.items():
                column = f"{q.id}__{item}"
                if column in table:
                    data[column], labels[column] = table[column].astype("float64"), f"{q.title}: {text} (share)"
    for scale in (book.scales if book else []):
        data[scale.id], labels[scale.id] = table[scale.id].astype("float64"), scale.label or scale.id
    for derived in (book.derived if book else []):
        data[derived.id] = pd.Categorical(table[derived.id], categories=derived.order or None)
        labels[derived.id] = derived.label or derived.id
    if assigned is not None:
        for scheme in assigned.schemes:
            values = assigned.values[scheme.id].reindex(table.index)
            order = list(dict.fromkeys(r.value for r in scheme.rules))
            data[f"scheme__{scheme.id}"] = pd.Categorical(values.where(values != "unclassified"), categories=order)
            labels[f"scheme__{scheme.id}"] = scheme.label
    for column, label in (extra_labels or {}).items():
        if column in table and column not in data:
            values = table[column]
            data[column] = (values.astype("string") if pd.api.types.is_string_dtype(values) or values.dtype == object
                            else values.astype("float64"))
            labels[column] = label
    declared = book.topics() if book else {}
    topics = {v: declared[v.split("__", 1)[0]] for v in data if v.split("__", 1)[0] in declared}
    # A role gives a section to its variable (or a multi-select's options) where the codebook gives none.
    for variable, topic in (role_topics or {}).items():
        for v in data:
            if v not in topics and (v == variable or v.startswith(f"{variable}__")):
                topics[v] = topic
    if assigned is not None:
        topics.update({f"scheme__{s.id}": s.topic for s in assigned.schemes if s.topic})
    topics.update({v: t for v, t in (extra_topics or {}).items() if v in data})
    return ProfileVariables(data, labels, [s.id for s in (book.scales if book else [])], topics)


def index_matrix(table: pd.DataFrame, variables: list[str], names: dict) -> pd.DataFrame:
    """Index (total = 100) of numeric `variables` by segment, rows labelled, columns named: the heatmap."""
    picked = table[table["category"].eq("") & table["variable"].isin(variables)]
    return picked.pivot(index="label", columns="segment", values="index").rename(columns=names)
