"""Banner tables: a question down the side, a banner of columns across, with significance letters, laid out as
market-research teams expect from SPSS Custom Tables or Q.

Each banner variable's categories get letters (A, B, C …) under the question's label, which spans them; the
total column comes first, once. A cell carries the letter of every column of the same banner variable it is
significantly higher than: column proportions by a two-proportion z-test, means (and NPS, the mean of +100 /
0 / -100 scores) by Welch's t-test, both on effective bases when weights exist, with an optional
multiple-comparison correction across the pairs of a row. A column whose unweighted base is under `min_base`
is marked and takes part in no test: it neither carries letters nor lends its letter to others. Rating
questions show each item's mean and top-2-box share; the recommendation question its promoters, passives,
detractors and NPS. A legend under each table states the test, the level, the correction and the letters'
meaning. The statistics themselves (and the headline NPS and top-box measures) live in `portrait.stats`.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from portrait.io.templating import render
from portrait.report import formatting
from portrait.io import atomic
from portrait import stats
from portrait.stats import nps, top_box  # headline measures; still importable from here
from portrait.survey.codebook import top_codes

TOTAL = "Total"
UNWEIGHTED, EFFECTIVE = "Base (unweighted)", "Base (effective)"
MIN_BASE = 30            # columns with fewer answers (unweighted) are marked and not tested
SMALL_MARK = "*"
# What each kind of row is tested with, for the legend (labels in templates/report_labels.yml).
TESTS = {"%": "banner_test_share", "mean": "banner_test_mean", "net_promoter": "banner_test_nps"}
SORTS = ("none", "multi", "all")  # which questions' answer rows are sorted by the total (sort_answers)


def table_words(language: str = "en") -> dict[str, str]:
    """The tables' words in the study's report language (en, uk, ru)."""
    from portrait.report.report import labels as report_labels

    return report_labels(language)


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
    """Values (column %, means, NPS) with letters, unweighted and effective bases, per banner column; `row_kinds`
    says per row whether it is a share ("%"), a mean ("mean") or an NPS ("net_promoter")."""

    title: str
    kind: str
    values: pd.DataFrame
    letters: pd.DataFrame
    bases: pd.DataFrame
    alpha: float
    correction: str = "none"
    min_base: int = MIN_BASE
    row_kinds: list[str] | None = None
    language: str = "en"

    def __post_init__(self):
        if self.row_kinds is None:  # shares unless the maker says otherwise
            self.row_kinds = ["%"] * len(self.values)

    @property
    def small(self) -> list[bool]:
        """Per column: an unweighted base under `min_base` (the total is never marked)."""
        bases = self.bases.loc[UNWEIGHTED]
        return [banner != TOTAL and bases.iloc[j] < self.min_base for j, (banner, _, _) in enumerate(bases.index)]

    def legend(self) -> str:
        """The test, the level, the correction and what the letters and marks mean."""
        words = table_words(self.language)
        tests = "; ".join(words[TESTS[k]] for k in dict.fromkeys(self.row_kinds))
        correction = (words["banner_no_correction"] if self.correction == "none" else
                      words["banner_correction"].format(correction=words[f"correction_{self.correction}"]))
        text = words["banner_legend"].format(tests=tests, alpha=formatting.number(self.alpha, self.language, 4),
                                             correction=correction)
        if any(self.small):
            text += " " + words["banner_small"].format(mark=SMALL_MARK, min_base=self.min_base)
        return text

    def cells(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """Rows as (label, kind, [(value, letters) per column]): shares and means with one decimal (two for means
        under 10), NPS whole; then the bases, unweighted whole, effective with one decimal."""
        rows, words, language = [], table_words(self.language), self.language
        for i, (label, kind) in enumerate(zip(self.values.index, self.row_kinds)):  # by position: labels may repeat
            cells = zip(self.values.iloc[i], self.letters.iloc[i])
            rows.append((str(label), kind, [(_shown(v, kind, language), letters) for v, letters in cells]))
        rows.append((words["banner_base_unweighted"], "base",
                     [(formatting.number(v, language, 0, fixed=True), "") for v in self.bases.loc[UNWEIGHTED]]))
        rows.append((words["banner_base_effective"], "base",
                     [(formatting.number(v, language, 1, fixed=True), "") for v in self.bases.loc[EFFECTIVE]]))
        return rows

    def to_frame(self) -> pd.DataFrame:
        """Display form: '45.2 BC' cells, then the base rows."""
        rows = self.cells()
        return pd.DataFrame([[f"{v} {l}".strip() for v, l in cells] for _, _, cells in rows],
                            index=[label for label, _, _ in rows], columns=self.values.columns)

    def summary(self) -> pd.DataFrame:
        return self.to_frame()

    def view(self) -> dict:
        """What the HTML template lays out: the title, the banner questions with their columns (the total first,
        once), the rows of cells and the legend."""
        small, groups = self.small, []
        for j, (banner, column, letter) in enumerate(self.values.columns):
            if banner == TOTAL:
                continue
            if not groups or groups[-1]["label"] != banner:
                groups.append({"label": banner, "columns": []})
            groups[-1]["columns"].append({"label": column, "letter": letter, "small": small[j]})
        return {"title": self.title, "kind": self.kind, "groups": groups, "legend": self.legend(),
                "small_mark": SMALL_MARK, "total": table_words(self.language)["banner_total"], "rows": self.cells()}

    def to_html(self) -> str:
        """Self-contained HTML table; every label is escaped (answers can contain markup)."""
        return render("survey_tables.html.j2", tables=[self.view()], page=False, title=self.title,
                      language=self.language)


def _shown(value: float, kind: str, language: str = "en") -> str:
    """A cell's figure: NPS whole, means under 10 with two decimals, the rest with one."""
    if pd.isna(value):
        return "–"
    decimals = 0 if kind == "net_promoter" else 2 if kind == "mean" and abs(value) < 10 else 1
    return formatting.number(value, language, decimals, fixed=True)


def _letters_for(values: pd.DataFrame, pvalue, columns: list[Column], alpha: float, correction: str,
                 small: list[bool] | None = None) -> pd.DataFrame:
    """Letters per cell; columns marked `small` take part in no test."""
    letters = pd.DataFrame("", index=values.index, columns=values.columns)
    groups: dict[str, list[int]] = {}
    for i, col in enumerate(columns):
        if col.banner != TOTAL and not (small and small[i]):
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
                        index=[UNWEIGHTED, EFFECTIVE], columns=_frame_columns(columns))


def _small(columns: list[Column], bases: pd.DataFrame, min_base: int) -> list[bool]:
    return [c.banner != TOTAL and b < min_base for c, b in zip(columns, bases.loc[UNWEIGHTED])]


def crosstab(row: pd.Series, banner: dict[str, pd.Series], weights: pd.Series | None = None,
             alpha: float = 0.05, correction: str = "none", title: str | None = None, min_base: int = MIN_BASE,
             sort: bool = False, language: str = "en") -> BannerTable:
    """Column percentages of `row`'s categories in every banner column, with z-test letters; `sort` orders the
    answers by their total share (for a question without a natural order)."""
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
    if sort:
        values = values.sort_values(values.columns[0], ascending=False, kind="stable")
    bases = _bases(columns, answered, w)
    n_eff = bases.loc[EFFECTIVE].to_numpy()

    def pvalue(r, a, b):
        return stats.proportion_p(values.loc[r].iloc[a] / 100, n_eff[a], values.loc[r].iloc[b] / 100, n_eff[b])

    letters = _letters_for(values, pvalue, columns, alpha, correction, _small(columns, bases, min_base))
    return BannerTable(title or str(row.name), table_words(language)["banner_kind_column"], values, letters, bases,
                       alpha, correction, min_base, ["%"] * len(values), language)


def means_table(variables: pd.DataFrame, banner: dict[str, pd.Series], weights: pd.Series | None = None,
                alpha: float = 0.05, correction: str = "none", title: str = "Means", min_base: int = MIN_BASE,
                language: str = "en") -> BannerTable:
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

    bases = _bases(columns, answered, w_all)
    letters = _letters_for(means, pvalue, columns, alpha, correction, _small(columns, bases, min_base))
    return BannerTable(title, table_words(language)["banner_kind_mean"], means, letters, bases, alpha, correction,
                       min_base, ["mean"] * len(means), language)


def stacked(parts: list[tuple[BannerTable, dict[str, str] | None, str, str]], title: str, kind: str) -> BannerTable:
    """One table from rows of others: (table, its rows to take -> their labels, or None for every row as it is
    labelled; a suffix for the labels; the rows' kind); the bases are the first part's."""
    values, letters, kinds = [], [], []
    for table, rows, suffix, row_kind in parts:
        rows = rows if rows is not None else {r: r for r in table.values.index}
        chosen = list(rows)
        names = [f"{rows[r]}{suffix}" for r in chosen]
        values.append(table.values.loc[chosen].set_axis(names))
        letters.append(table.letters.loc[chosen].set_axis(names))
        kinds += [row_kind] * len(names)
    first = parts[0][0]
    return BannerTable(title, kind, pd.concat(values), pd.concat(letters), first.bases, first.alpha,
                       first.correction, first.min_base, kinds, first.language)


def rating_table(items: pd.DataFrame, top: list[float], banner: dict[str, pd.Series],
                 weights: pd.Series | None = None, alpha: float = 0.05, correction: str = "none",
                 title: str = "Ratings", min_base: int = MIN_BASE, language: str = "en") -> BannerTable:
    """A rating question: each item's mean (Welch letters) and top-2-box share (`top` codes; z-test letters)."""
    words = table_words(language)
    means = means_table(items, banner, weights, alpha, correction, title, min_base, language)
    boxes = [crosstab(pd.Series(pd.Categorical(np.where(items[c].isna(), None,
                                                        np.where(items[c].isin(top), "top", "rest")),
                                               categories=["top", "rest"]), index=items.index),
                      banner, weights, alpha, correction, min_base=min_base, language=language) for c in items.columns]
    parts = []
    for column, box in zip(items.columns, boxes):
        parts.append((means, {column: column}, words["banner_mean_suffix"], "mean"))
        parts.append((box, {"top": column}, words["banner_top2_suffix"], "%"))
    return stacked(parts, title, words["banner_kind_rating"])


def recommendation_rows(scores: pd.Series, banner: dict[str, pd.Series], weights: pd.Series | None = None,
                        alpha: float = 0.05, correction: str = "none", title: str = "Recommendation",
                        min_base: int = MIN_BASE, language: str = "en") -> BannerTable:
    """Promoters (9-10), passives (7-8), detractors (0-6) as column % with z-test letters, then NPS (promoters
    minus detractors) with Welch letters on the +100/0/-100 score of each respondent."""
    words = table_words(language)
    score = scores.astype("float64")
    groups = [words["banner_promoters"], words["banner_passives"], words["banner_detractors"]]
    group = pd.Series(pd.Categorical(np.select([score >= 9, score >= 7, score >= 0], groups, None), categories=groups),
                      index=scores.index).where(score.notna())
    shares = crosstab(group, banner, weights, alpha, correction, title, min_base, language=language)
    points = pd.DataFrame({"NPS": np.where(score >= 9, 100.0, np.where(score >= 7, 0.0, -100.0))},
                          index=scores.index).where(score.notna(), axis=0)
    net = means_table(points, banner, weights, alpha, correction, title, min_base, language)
    return stacked([(shares, None, "", "%"), (net, {"NPS": "NPS"}, "", "net_promoter")], title,
                   words["banner_kind_nps"])


NUMBER_FORMATS = {"%": "0.0", "mean": "0.00", "net_promoter": "0", UNWEIGHTED: "0", EFFECTIVE: "0.0"}


def to_excel(tables: list[BannerTable], path: str | Path) -> Path:
    """A contents sheet linking to one sheet per table. Each table sheet: the title, the banner questions' labels
    spanning their columns, the total once, header rows frozen; values stored as numbers with number formats
    (letters in the cell beside each value); small bases marked; the legend under the table. Every text cell
    is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    words = table_words(tables[0].language if tables else "en")
    book = Workbook()
    contents = book.active
    contents.title = "Contents"
    _text(contents.cell(1, 1), words["banner_contents"]).font = Font(bold=True, size=12)
    for name, header in zip("ABC", (words["banner_table"], words["banner_title"], words["banner_kind"])):
        _text(contents[f"{name}2"], header).font = Font(bold=True)
    head = PatternFill("solid", fgColor="DDE7E5")
    for number, table in enumerate(tables, start=1):
        sheet_name = f"T{number}"
        link = _text(contents.cell(number + 2, 1), sheet_name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet_name}'!A1")  # a link within the file
        link.style = "Hyperlink"
        _text(contents.cell(number + 2, 2), table.title)
        _text(contents.cell(number + 2, 3), table.kind)
        sheet = book.create_sheet(sheet_name)
        _text(sheet.cell(1, 1), table.title).font = Font(bold=True, size=12)
        _text(sheet.cell(2, 1), table.kind)
        small = table.small
        total = _text(sheet.cell(3, 2), words["banner_total"])
        total.font, total.fill, total.alignment = Font(bold=True), head, Alignment(horizontal="center")
        sheet.merge_cells(start_row=3, start_column=2, end_row=4, end_column=2)
        place, column = {}, 3  # banner column index -> its value column in the sheet (letters one to the right)
        for j, (banner, category, letter) in enumerate(table.values.columns):
            if banner == TOTAL:
                place[j] = 2
                continue
            place[j] = column
            label = _text(sheet.cell(4, column), f"{category}{' ' + SMALL_MARK if small[j] else ''} ({letter})")
            label.font, label.fill = Font(bold=True), head
            label.alignment = Alignment(wrap_text=True, horizontal="center")
            sheet.merge_cells(start_row=4, start_column=column, end_row=4, end_column=column + 1)
            column += 2
        start = 3
        for banner in dict.fromkeys(b for b, _, _ in table.values.columns if b != TOTAL):
            width = 2 * sum(b == banner for b, _, _ in table.values.columns)
            cell = _text(sheet.cell(3, start), banner)
            cell.font, cell.fill, cell.alignment = Font(bold=True), head, Alignment(horizontal="center", wrap_text=True)
            sheet.merge_cells(start_row=3, start_column=start, end_row=3, end_column=start + width - 1)
            start += width
        row, n = 5, len(table.values)
        for i, (label, kind, cells) in enumerate(table.cells()):
            _text(sheet.cell(row, 1), label).font = Font(bold=kind in ("base", "net_promoter"))
            base = (UNWEIGHTED, EFFECTIVE)[i - n] if kind == "base" else None
            source = table.bases.loc[base] if base else table.values.iloc[i]
            for j, (value, letters) in enumerate(zip(source, (l for _, l in cells))):
                target = sheet.cell(row, place[j])
                if not pd.isna(value):
                    target.value = float(value)
                    target.number_format = NUMBER_FORMATS[base or kind]
                if letters:
                    _text(sheet.cell(row, place[j] + 1), letters).font = Font(bold=True, color="2F5D62")
            row += 1
        legend = _text(sheet.cell(row + 1, 1), table.legend())
        legend.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=max(column - 1, 2))
        sheet.row_dimensions[row + 1].height = 45
        sheet.freeze_panes = "B5"
        sheet.column_dimensions["A"].width = 48
        for c in range(2, column):
            sheet.column_dimensions[get_column_letter(c)].width = 9 if c == 2 or c % 2 else 5
    contents.column_dimensions["B"].width = 70
    contents.column_dimensions["C"].width = 30
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
    return render("survey_tables.html.j2", tables=[t.view() for t in tables], page=True, title=title,
                  language=tables[0].language if tables else "en")


def multi_table(items: pd.DataFrame, banner: dict[str, pd.Series], weights: pd.Series | None = None,
                alpha: float = 0.05, correction: str = "none", title: str = "Multi-select",
                labels: dict[str, str] | None = None, min_base: int = MIN_BASE, sort: bool = False,
                language: str = "en") -> BannerTable:
    """A multi-select question: % choosing each option (0/1 columns of `items`) among those who answered;
    `sort` orders the options by their total share."""
    # Both categories always exist, so an option nobody chose shows 0 % rather than no row.
    parts = [crosstab(pd.Series(pd.Categorical(items[column].map({1: "chosen", 0: "not chosen"}),
                                               categories=["chosen", "not chosen"]), index=items.index),
                      banner, weights, alpha, correction, min_base=min_base, language=language)
             for column in items.columns]
    if sort:
        order = np.argsort([-p.values.loc["chosen"].iloc[0] for p in parts], kind="stable")
        parts, items = [parts[i] for i in order], items[[items.columns[i] for i in order]]
    # The base of a multi-select is everyone who answered the question (the first option's base).
    return stacked([(p, {"chosen": labels.get(c, c) if labels else c}, "", "%") for p, c in zip(parts, items.columns)],
                   title, table_words(language)["banner_kind_multi"])


def _item_variables(question, data: pd.DataFrame) -> list[str]:
    if question.id in data:
        return [question.id]
    return [c for c in data.columns if c.startswith(f"{question.id}__")]


def _range_text(book, variable: str, unknown: str = "no declared range") -> str:
    q = next((q for q in book.questions if q.id == variable.split("__", 1)[0]), None)
    return f"{q.range[0]:g}-{q.range[1]:g}" if q is not None and q.range else unknown


def question_tables(coded, book, columns: dict[str, pd.Series], weights: pd.Series | None = None,
                    alpha: float = 0.05, correction: str = "none", exclude: tuple = (), min_base: int = MIN_BASE,
                    sort_answers: str = "multi", recommendation: str | None = None,
                    satisfaction: str | None = None, language: str = "en") -> list[BannerTable]:
    """A banner table for every question and derived variable of the codebook, then the scales' means. The banner
    columns go under their questions' labels. Single and derived questions: column %; multi-selects: % choosing;
    rating grids (and the `satisfaction` role): each item's mean and top-2-box share; the `recommendation` role:
    promoters, passives, detractors and NPS; other numeric questions: means. `sort_answers` orders the answers
    of multi-selects ("multi") or of single questions too ("all") by their total share; "none" keeps the
    questionnaire's order. Each table's scale range comes from the codebook; the tables' own words are in
    `language`."""
    if sort_answers not in SORTS:
        raise ValueError(f"sort_answers = {sort_answers!r}: use one of {', '.join(SORTS)}")
    data, tables = coded.data, []
    derived = {d.id: d.label for d in book.derived if d.label}
    columns = {derived.get(name) or book.title_of(name): series for name, series in columns.items()}
    common = {"alpha": alpha, "correction": correction, "min_base": min_base, "language": language}
    words = table_words(language)
    span = lambda variable: _range_text(book, variable, words["banner_no_range"])
    for q in book.questions:
        variables = _item_variables(q, data)
        if q.id in exclude or not variables:
            continue
        if q.id in (recommendation, satisfaction) and q.type == "numeric":
            scores = data[q.id]
            tables.append(recommendation_rows(scores, columns, weights, title=q.title, **common)
                          if q.id == recommendation else
                          rating_table(data[[q.id]].rename(columns={q.id: q.title}), top_codes(q), columns, weights,
                                       title=f"{q.title} ({span(q.id)})", **common))
        elif q.type == "single":
            tables.append(crosstab(coded.labelled(q.id), columns, weights, title=q.title,
                                   sort=sort_answers == "all", **common))
        elif q.type == "multi":
            labels = {f"{q.id}__{k}": v for k, v in q.items.items()}
            tables.append(multi_table(data[variables], columns, weights, title=q.title, labels=labels,
                                      sort=sort_answers in ("multi", "all"), **common))
        elif q.type == "likert":
            names = {f"{q.id}__{k}": v for k, v in q.items.items()}
            frame = data[variables].rename(columns=names)
            tables.append(rating_table(frame, top_codes(q), columns, weights,
                                       title=f"{q.title} ({span(variables[0])})", **common))
        elif q.type == "numeric":
            tables.append(means_table(data[[q.id]].rename(columns={q.id: q.title}), columns, weights,
                                      title=q.title, **common))
    for d in book.derived:
        if d.id not in exclude and d.id in data:
            tables.append(crosstab(coded.labelled(d.id), columns, weights, title=d.label or d.id, **common))
    by_range: dict[str, list] = {}
    for scale in book.scales:
        if scale.id in data:
            by_range.setdefault(span(scale.items[0]), []).append(scale)
    for text, scales in by_range.items():
        frame = data[[s.id for s in scales]].rename(columns={s.id: s.label or s.id for s in scales})
        tables.append(means_table(frame, columns, weights, title=words["banner_scales"].format(range=text), **common))
    return tables


def headline_measures(coded, book, survey_roles, weights: pd.Series | None = None) -> pd.DataFrame | str:
    """NPS of the `recommendation` role and the top-two-box share of the `satisfaction` role, with
    intervals; a sentence naming the missing roles when the study has neither."""
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
