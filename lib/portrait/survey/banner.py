"""Banner tables: a question down the side, a banner of columns across, with significance letters.

Each banner variable's categories get letters (A, B, C …). A cell carries the letter of every
column of the same banner variable it is significantly higher than: column proportions by a
two-proportion z-test, means by Welch's t-test, both on effective bases when weights exist, with an
optional multiple-comparison correction across the pairs of a row. The statistics themselves (and the
headline NPS and top-box measures) live in `portrait.stats`.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from portrait.io.templating import render
from portrait.io import atomic
from portrait import stats
from portrait.stats import nps, top_box  # headline measures; still importable from here

TOTAL = "Total"


@dataclass
class Column:
    banner: str
    category: str
    letter: str
    mask: np.ndarray


def banner_columns(banner: dict[str, pd.Series], index: pd.Index) -> list[Column]:
    """Total plus one column per category of each banner variable (categorical order kept)."""
    columns = [Column(TOTAL, TOTAL, "", np.ones(len(index), dtype=bool))]
    letters = iter(string.ascii_uppercase + string.ascii_lowercase)
    for name, series in banner.items():
        series = series.reindex(index)
        categories = (list(series.cat.categories) if isinstance(series.dtype, pd.CategoricalDtype)
                      else sorted(series.dropna().unique(), key=str))
        for category in categories:
            columns.append(Column(name, str(category), next(letters), series.eq(category).fillna(False).to_numpy()))
    return columns


@dataclass
class BannerTable:
    """Values (column % or means) with letters, unweighted and effective bases, per banner column."""

    title: str
    kind: str
    values: pd.DataFrame
    letters: pd.DataFrame
    bases: pd.DataFrame
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        """Display form: '45.2 BC' cells, then the base rows."""
        shown = self.values.round(1).astype(str).where(self.values.notna(), "–")
        shown = shown + self.letters.map(lambda s: f" {s}" if s else "")
        return pd.concat([shown, self.bases.round(1).astype(str)])

    def summary(self) -> pd.DataFrame:
        return self.to_frame()

    def view(self) -> dict:
        """What the HTML template lays out: title, kind, columns (banner, column, letter) and rows of cells."""
        frame = self.to_frame()
        return {"title": self.title, "kind": self.kind, "alpha": self.alpha, "columns": list(frame.columns),
                "rows": [(str(i), [str(v) for v in row]) for i, row in zip(frame.index, frame.to_numpy())]}

    def to_html(self) -> str:
        """Self-contained HTML table; every label is escaped (answers can contain markup)."""
        return render("survey_tables.html.j2", tables=[self.view()], page=False, title=self.title)


def _letters_for(values: pd.DataFrame, pvalue, columns: list[Column], alpha: float, correction: str) -> pd.DataFrame:
    letters = pd.DataFrame("", index=values.index, columns=values.columns)
    groups: dict[str, list[int]] = {}
    for i, col in enumerate(columns):
        if col.banner != TOTAL:
            groups.setdefault(col.banner, []).append(i)
    for row in values.index:
        pairs, pvalues = [], []
        for members in groups.values():
            for a in members:
                for b in members:
                    if a < b:
                        p = pvalue(row, a, b)
                        if not np.isnan(p):
                            pairs.append((a, b))
                            pvalues.append(p)
        if not pvalues:
            continue
        if correction != "none":
            pvalues = multipletests(pvalues, alpha=alpha, method=correction)[1]
        for (a, b), p in zip(pairs, pvalues):
            if p < alpha:
                high, low = (a, b) if values.loc[row].iloc[a] > values.loc[row].iloc[b] else (b, a)
                cell = values.columns[high]
                letters.loc[row, cell] = "".join(sorted(letters.loc[row, cell] + columns[low].letter))
    return letters


def _frame_columns(columns: list[Column]) -> pd.MultiIndex:
    return pd.MultiIndex.from_tuples([(c.banner, c.category, c.letter) for c in columns],
                                     names=["banner", "column", "letter"])


def _bases(columns: list[Column], answered: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame([[float((c.mask & answered).sum()) for c in columns],
                         [stats.effective_base(w[c.mask & answered]) for c in columns]],
                        index=["Base (unweighted)", "Base (effective)"], columns=_frame_columns(columns))


def crosstab(row: pd.Series, banner: dict[str, pd.Series], weights: pd.Series | None = None,
             alpha: float = 0.05, correction: str = "none", title: str | None = None) -> BannerTable:
    """Column percentages of `row`'s categories in every banner column, with z-test letters."""
    w = (weights.reindex(row.index).to_numpy(dtype=float) if weights is not None else np.ones(len(row)))
    answered = row.notna().to_numpy()
    columns = banner_columns(banner, row.index)
    categories = (list(row.cat.categories) if isinstance(row.dtype, pd.CategoricalDtype)
                  else sorted(row.dropna().unique(), key=str))
    shares = np.full((len(categories), len(columns)), np.nan)
    for j, col in enumerate(columns):
        base = w[col.mask & answered].sum()
        for i, category in enumerate(categories):
            hit = col.mask & answered & row.eq(category).fillna(False).to_numpy()
            shares[i, j] = 100 * w[hit].sum() / base if base else np.nan
    values = pd.DataFrame(shares, index=[str(c) for c in categories], columns=_frame_columns(columns))
    bases = _bases(columns, answered, w)
    n_eff = bases.loc["Base (effective)"].to_numpy()

    def pvalue(r, a, b):
        return stats.proportion_p(values.loc[r].iloc[a] / 100, n_eff[a], values.loc[r].iloc[b] / 100, n_eff[b])

    return BannerTable(title or str(row.name), "column %", values,
                       _letters_for(values, pvalue, columns, alpha, correction), bases, alpha)


def means_table(variables: pd.DataFrame, banner: dict[str, pd.Series], weights: pd.Series | None = None,
                alpha: float = 0.05, correction: str = "none", title: str = "Means") -> BannerTable:
    """Weighted means of numeric `variables` (rows) per banner column, with Welch t-test letters."""
    w_all = (weights.reindex(variables.index).to_numpy(dtype=float) if weights is not None
             else np.ones(len(variables)))
    columns = banner_columns(banner, variables.index)
    means = pd.DataFrame(index=list(variables.columns), columns=_frame_columns(columns), dtype=float)
    sds, ns = means.copy(), means.copy()
    for name in variables.columns:
        x = variables[name].astype("float64").to_numpy()
        ok = ~np.isnan(x)
        i = means.index.get_loc(name)
        for j, col in enumerate(columns):
            m = col.mask & ok
            if m.sum() == 0:
                continue
            means.iloc[i, j], sds.iloc[i, j] = stats.weighted_mean_sd(x[m], w_all[m])
            ns.iloc[i, j] = stats.effective_base(w_all[m])
    answered = variables.notna().any(axis=1).to_numpy()

    def pvalue(r, a, b):
        return stats.welch_p_from_summary(means.loc[r].iloc[a], sds.loc[r].iloc[a], ns.loc[r].iloc[a],
                                          means.loc[r].iloc[b], sds.loc[r].iloc[b], ns.loc[r].iloc[b])

    return BannerTable(title, "mean", means, _letters_for(means, pvalue, columns, alpha, correction),
                       _bases(columns, answered, w_all), alpha)


def to_excel(tables: list[BannerTable], path: str | Path) -> Path:
    """One sheet per table, formatted; every text cell is stored as text (never as a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    for number, table in enumerate(tables, start=1):
        sheet = book.create_sheet(f"T{number}")
        frame = table.to_frame()
        _text(sheet.cell(1, 1), table.title).font = Font(bold=True, size=12)
        _text(sheet.cell(2, 1), f"{table.kind}; letters: higher than that column at p < {table.alpha}")
        for j, (banner, category, letter) in enumerate(frame.columns, start=2):
            _text(sheet.cell(3, j), banner).font = Font(bold=True)
            cell = _text(sheet.cell(4, j), f"{category} ({letter})" if letter else category)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE7E5")
            cell.alignment = Alignment(wrap_text=True, horizontal="center")
        for i, (label, row) in enumerate(zip(frame.index, frame.to_numpy()), start=5):
            _text(sheet.cell(i, 1), str(label)).font = Font(bold=label.startswith("Base"))
            for j, value in enumerate(row, start=2):
                _text(sheet.cell(i, j), str(value)).alignment = Alignment(horizontal="right")
        sheet.column_dimensions["A"].width = 48
    with atomic.atomic_path(path) as tmp:
        book.save(tmp)
    return Path(path)


def _text(cell, value: str):
    # openpyxl treats a string starting with "=" as a formula; an answer such as
    # "=HYPERLINK(...)" must stay inert text in a stakeholder's spreadsheet. Characters XML cannot hold
    # (control characters from a pasted answer) become the replacement character instead of failing the file.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value).replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")
    cell.data_type = "s"
    return cell


def to_html_page(tables: list[BannerTable], title: str) -> str:
    """One offline HTML page holding every table (no scripts, no external requests)."""
    return render("survey_tables.html.j2", tables=[t.view() for t in tables], page=True, title=title)


def multi_table(items: pd.DataFrame, banner: dict[str, pd.Series], weights: pd.Series | None = None,
                alpha: float = 0.05, correction: str = "none", title: str = "Multi-select",
                labels: dict[str, str] | None = None) -> BannerTable:
    """A multi-select question: % choosing each option (0/1 columns of `items`) among those who answered."""
    # Both categories always exist, so an option nobody chose shows 0 % rather than no row.
    parts = [crosstab(pd.Series(pd.Categorical(items[column].map({1: "chosen", 0: "not chosen"}),
                                               categories=["chosen", "not chosen"]), index=items.index),
                      banner, weights, alpha, correction) for column in items.columns]
    names = [labels.get(c, c) if labels else c for c in items.columns]
    values = pd.concat([p.values.loc[["chosen"]] for p in parts]).set_axis(names)
    letters = pd.concat([p.letters.loc[["chosen"]] for p in parts]).set_axis(names)
    return BannerTable(title, "% choosing (several answers possible)", values, letters, parts[0].bases, alpha)


def _item_variables(question, data: pd.DataFrame) -> list[str]:
    if question.id in data:
        return [question.id]
    return [c for c in data.columns if c.startswith(f"{question.id}__")]


def _range_text(book, variable: str) -> str:
    q = next((q for q in book.questions if q.id == variable.split("__", 1)[0]), None)
    return f"{q.range[0]:g}-{q.range[1]:g}" if q is not None and q.range else "no declared range"


def question_tables(coded, book, columns: dict[str, pd.Series], weights: pd.Series | None = None,
                    alpha: float = 0.05, correction: str = "none", exclude: tuple = ()) -> list[BannerTable]:
    """A banner table for every single, multi and Likert question and every derived variable of the
    codebook (column % or means), then the scales' means: each table's scale range comes from the codebook."""
    data, tables = coded.data, []
    for q in book.questions:
        variables = _item_variables(q, data)
        if q.id in exclude or not variables:
            continue
        if q.type == "single":
            tables.append(crosstab(coded.labelled(q.id), columns, weights, alpha, correction, q.title))
        elif q.type == "multi":
            labels = {f"{q.id}__{k}": v for k, v in q.items.items()}
            tables.append(multi_table(data[variables], columns, weights, alpha, correction, q.title, labels))
        elif q.type == "likert":
            names = {f"{q.id}__{k}": v for k, v in q.items.items()}
            frame = data[variables].rename(columns=names)
            tables.append(means_table(frame, columns, weights, alpha, correction,
                                      f"{q.title} (means, {_range_text(book, variables[0])})"))
    for d in book.derived:
        if d.id not in exclude and d.id in data:
            tables.append(crosstab(coded.labelled(d.id), columns, weights, alpha, correction, d.label or d.id))
    by_range: dict[str, list] = {}
    for scale in book.scales:
        if scale.id in data:
            by_range.setdefault(_range_text(book, scale.items[0]), []).append(scale)
    for text, scales in by_range.items():
        frame = data[[s.id for s in scales]].rename(columns={s.id: s.label or s.id for s in scales})
        tables.append(means_table(frame, columns, weights, alpha, correction, f"Scales (means, {text})"))
    return tables


def headline_measures(coded, book, survey_roles, weights: pd.Series | None = None) -> pd.DataFrame | str:
    """NPS of the `recommendation` role and the top-two-box share of the `satisfaction` role, with
    intervals; a sentence naming the missing roles when the study has neither."""
    from portrait.survey.codebook import top_codes

    rows = {}
    recommendation = survey_roles.variable("recommendation")
    if recommendation:
        rows[f"NPS · {book.title_of(recommendation)}"] = nps(coded.data[recommendation], weights)
    satisfaction = survey_roles.variable("satisfaction")
    if satisfaction:
        question = next(q for q in book.questions if q.id == satisfaction.split("__", 1)[0])
        top = top_codes(question)
        rows[f"Top-2-box · {book.title_of(satisfaction)} ({', '.join(f'{t:g}' for t in top)})"] = \
            top_box(coded.data[satisfaction], top, weights)
    if not rows:
        return "no headline measure: the study declares no `recommendation` (0-10) or `satisfaction` role"
    return pd.DataFrame.from_dict(rows, orient="index")
