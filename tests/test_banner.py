"""Banner tables: hand-checked percentages and letters, means, T2B/NPS intervals, HTML and Excel."""

import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from portrait import stats as portrait_stats
from portrait.survey.banner import (crosstab, means_table, multi_table, nps, rating_table, recommendation_rows,
                                    to_excel, to_html_page, top_box)


def hand_table():
    # City A: 80 of 100 like it; city B: 50 of 100; city C: 78 of 100.
    city = ["A"] * 100 + ["B"] * 100 + ["C"] * 100
    likes = ["yes"] * 80 + ["no"] * 20 + ["yes"] * 50 + ["no"] * 50 + ["yes"] * 78 + ["no"] * 22
    return pd.Series(likes, name="likes"), {"city": pd.Series(city)}


def z_pvalue(x1, n1, x2, n2):
    p = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return 2 * stats.norm.sf(abs(z))


def test_column_percentages_and_letters_by_hand():
    row, banner = hand_table()
    table = crosstab(row, banner)
    yes = table.values.loc["yes"]
    assert yes[("Total", "Total", "")] == pytest.approx(208 / 3)
    assert yes[("city", "A", "A")] == 80.0 and yes[("city", "B", "B")] == 50.0
    assert z_pvalue(80, 100, 50, 100) < 0.05 and z_pvalue(80, 100, 78, 100) > 0.05
    letters = table.letters.loc["yes"]
    assert letters[("city", "A", "A")] == "B"  # A > B significantly, A vs C not
    assert letters[("city", "C", "C")] == "B"
    assert letters[("city", "B", "B")] == ""
    assert table.letters.loc["no"][("city", "B", "B")] == "AC"
    assert table.bases.loc["Base (unweighted)"].tolist() == [300, 100, 100, 100]


def test_bonferroni_can_remove_a_borderline_letter():
    row = pd.Series(["yes"] * 60 + ["no"] * 40 + ["yes"] * 46 + ["no"] * 54 + ["yes"] * 50 + ["no"] * 50)
    banner = {"g": pd.Series(["A"] * 100 + ["B"] * 100 + ["C"] * 100)}
    assert 0.05 / 3 < z_pvalue(60, 100, 46, 100) < 0.05
    assert crosstab(row, banner).letters.loc["yes"][("g", "A", "A")] == "B"
    assert crosstab(row, banner, correction="bonferroni").letters.loc["yes"][("g", "A", "A")] == ""


def holm_by_hand(pvalues):
    """Holm's step-down adjustment written out: the k-th smallest p times (m - k + 1), kept monotone, capped at 1."""
    order = np.argsort(pvalues)
    adjusted, running = np.empty(len(pvalues)), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def three_cities(yes_a, yes_b, yes_c):
    row = pd.Series(["yes"] * yes_a + ["no"] * (100 - yes_a) + ["yes"] * yes_b + ["no"] * (100 - yes_b)
                    + ["yes"] * yes_c + ["no"] * (100 - yes_c))
    return row, {"g": pd.Series(["A"] * 100 + ["B"] * 100 + ["C"] * 100)}


def test_holm_keeps_a_letter_bonferroni_drops_and_agrees_with_statsmodels():
    # A 70 %, B 45 %, C 54 %: A-B p < 0.001, A-C p = 0.020, B-C p = 0.20. Holm multiplies A-C's p by 2
    # (0.040, kept); Bonferroni by 3 (0.059, dropped).
    row, banner = three_cities(70, 45, 54)
    raw = np.array([z_pvalue(70, 100, 45, 100), z_pvalue(70, 100, 54, 100), z_pvalue(45, 100, 54, 100)])
    adjusted = multipletests(raw, alpha=0.05, method="holm")[1]
    assert np.allclose(adjusted, holm_by_hand(raw))
    assert adjusted[1] < 0.05 < 3 * raw[1] and adjusted[2] > 0.05
    letters = {c: crosstab(row, banner, correction=c).letters.loc["yes"][("g", "A", "A")]
               for c in ("none", "holm", "bonferroni")}
    assert letters == {"none": "BC", "holm": "BC", "bonferroni": "B"}
    assert crosstab(row, banner, correction="holm").letters.loc["no"][("g", "B", "B")] == "A"


def test_holm_drops_a_borderline_letter_the_uncorrected_test_keeps():
    row, banner = three_cities(60, 46, 50)
    raw = np.array([z_pvalue(60, 100, 46, 100), z_pvalue(60, 100, 50, 100), z_pvalue(46, 100, 50, 100)])
    assert raw[0] < 0.05 and (multipletests(raw, alpha=0.05, method="holm")[1] >= 0.05).all()
    assert crosstab(row, banner).letters.loc["yes"][("g", "A", "A")] == "B"
    assert crosstab(row, banner, correction="holm").letters.loc["yes"].eq("").all()


def test_weights_use_the_effective_base():
    row, banner = hand_table()
    weights = pd.Series(np.where(np.arange(300) % 2 == 0, 2.0, 0.5))
    table = crosstab(row, banner, weights)
    effective = table.bases.loc["Base (effective)"]
    assert effective[("city", "A", "A")] == pytest.approx(100 * 1.25 ** 2 / 2.125)
    assert table.bases.loc["Base (unweighted)"][("city", "A", "A")] == 100


def test_means_with_welch_letters():
    rng = np.random.default_rng(1)
    values = pd.DataFrame({"score": np.r_[rng.normal(4, 1, 80), rng.normal(3, 1, 80)]})
    banner = {"g": pd.Series(["A"] * 80 + ["B"] * 80)}
    table = means_table(values, banner)
    expected = stats.ttest_ind(values["score"][:80], values["score"][80:], equal_var=False).pvalue
    assert expected < 0.05
    assert table.letters.loc["score"][("g", "A", "A")] == "B"
    assert table.values.loc["score"][("g", "B", "B")] == pytest.approx(values["score"][80:].mean())


def test_top_box_and_nps_intervals():
    scores = pd.Series([10] * 50 + [8] * 30 + [3] * 20)
    result = nps(scores)
    assert result["estimate"] == 30.0
    assert result["ci low"] < 30 < result["ci high"]
    half = 1.959964 * np.sqrt((0.5 + 0.2 - 0.09) / 100)
    assert result["ci high"] == pytest.approx(round(100 * (0.3 + half), 1))
    t2b = top_box(pd.Series([5, 4, 4, 2, 1, None]), [4, 5])
    assert t2b["estimate"] == 60.0 and t2b["base"] == 5 and t2b["ci low"] < 60 < t2b["ci high"]


def test_html_escapes_and_excel_keeps_formulas_as_text(tmp_path):
    row = pd.Series(["=HYPERLINK(\"http://evil.example\",\"click\")", "<script>alert(1)</script>", "ok"] * 10)
    table = crosstab(row, {"g": pd.Series(["A", "B"] * 15)}, title="Open answers")
    page = table.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    whole = to_html_page([table], "<img src=x onerror=alert(1)> tables")
    assert "<img" not in whole and "&lt;img src=x onerror=alert(1)&gt; tables" in whole and "&lt;script&gt;" in whole
    path = to_excel([table], tmp_path / "tables.xlsx")
    sheet = openpyxl.load_workbook(path)["T1"]
    labels = [sheet.cell(r, 1).value for r in range(5, 8)]
    assert row.iloc[0] in labels
    assert all(sheet.cell(r, 1).data_type == "s" for r in range(5, 8))
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere


def test_multi_select_table_shares_and_letters():
    items = pd.DataFrame({"sport": [1] * 60 + [0] * 40 + [1] * 30 + [0] * 70, "travel": [1, 0] * 100})
    items.loc[0, "travel"] = None  # did not answer that item
    table = multi_table(items, {"g": pd.Series(["A"] * 100 + ["B"] * 100)}, labels={"sport": "Sport"})
    assert list(table.values.index) == ["Sport", "travel"]
    assert table.values.loc["Sport"][("g", "A", "A")] == 60.0
    assert table.letters.loc["Sport"][("g", "A", "A")] == "B"
    assert table.values.loc["travel"][("g", "A", "A")] == pytest.approx(49 / 99 * 100)


def test_an_option_nobody_chose_shows_zero_percent():
    items = pd.DataFrame({"a": [0, 0, 0, 0], "b": [1, 0, 1, 0]})
    table = multi_table(items, {"city": pd.Series(["X", "X", "Y", "Y"])})
    assert table.values.loc["a"].tolist() == [0.0, 0.0, 0.0]
    assert table.values.loc["b"].tolist() == [50.0, 50.0, 50.0]


def test_a_label_with_a_control_character_does_not_break_the_workbook(tmp_path):
    row, banner = hand_table()
    table = crosstab(row.replace("yes", "y\x0bes"), banner, title="a\x0bb\ufffe")
    path = tmp_path / "t.xlsx"
    to_excel([table], path)
    sheet = openpyxl.load_workbook(path)["T1"]
    assert sheet.cell(1, 1).value == "a\ufffdb\ufffd"


def small_column_table():
    """Cities A and B with 100 answers each, C with 25: C's 'yes' (100 %) would beat both if it were tested."""
    return crosstab(*small_column_data())


def small_column_data():
    row = pd.Series(["yes"] * 80 + ["no"] * 20 + ["yes"] * 50 + ["no"] * 50 + ["yes"] * 25)
    return row, {"City of residence": pd.Series(["A"] * 100 + ["B"] * 100 + ["C"] * 25)}


def test_a_column_under_the_minimum_base_is_marked_and_not_tested():
    table = small_column_table()
    assert table.small == [False, False, False, True]
    assert table.letters[("City of residence", "C", "C")].eq("").all()  # carries no letters
    assert not table.letters.apply(lambda column: column.str.contains("C")).any().any()  # lends none
    assert table.letters.loc["yes"][("City of residence", "A", "A")] == "B"  # the others still are
    tested = crosstab(*small_column_data(), min_base=20)
    assert tested.small == [False] * 4
    assert tested.letters.loc["yes"][("City of residence", "C", "C")] == "AB"  # with a lower minimum it is tested
    assert "* fewer than 30 answers (unweighted)" in table.legend()


def test_the_header_spans_the_question_over_its_answers_and_says_total_once():
    page = small_column_table().to_html()
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert head.count(">Total<") == 1
    assert '<th colspan="3" class="question">City of residence</th>' in head
    assert "C *<br>" in head and "City of residence C" not in head


def test_bases_are_whole_unweighted_and_one_decimal_effective_and_the_legend_states_the_test():
    row, banner = hand_table()
    weights = pd.Series(np.where(np.arange(300) % 2 == 0, 2.0, 0.5))
    table = crosstab(row, banner, weights, correction="holm")
    rows = {label: cells for label, _, cells in table.cells()}
    assert [v for v, _ in rows["Base (unweighted)"]] == ["300", "100", "100", "100"]
    assert [v for v, _ in rows["Base (effective)"]][1] == f"{100 * 1.25 ** 2 / 2.125:.1f}"
    legend = table.legend()
    assert "two-proportion z-test" in legend and "p < 0.05" in legend and "Holm correction" in legend
    assert "higher than the column with that letter" in legend


def test_rating_questions_show_mean_and_top_two_box_rows():
    items = pd.DataFrame({"Quality": [5, 4, 4, 2, 1] * 20 + [2, 1, 1, 3, 2] * 20})
    banner = {"g": pd.Series(["A"] * 100 + ["B"] * 100)}
    table = rating_table(items, [5, 4], banner)
    assert list(table.values.index) == ["Quality · mean", "Quality · top-2-box %"]
    assert table.row_kinds == ["mean", "%"]
    assert table.values.loc["Quality · top-2-box %"][("g", "A", "A")] == 60.0  # 5, 4, 4 of five answers
    assert table.values.loc["Quality · mean"][("g", "B", "B")] == pytest.approx(1.8)
    assert table.letters.loc["Quality · top-2-box %"][("g", "A", "A")] == "B"
    assert "means: Welch's t-test" in table.legend() and "z-test" in table.legend()


def test_recommendation_rows_give_promoters_detractors_and_the_nps():
    scores = pd.Series([10] * 50 + [8] * 30 + [3] * 20 + [9] * 20 + [7] * 30 + [2] * 50)
    banner = {"g": pd.Series(["A"] * 100 + ["B"] * 100)}
    table = recommendation_rows(scores, banner)
    assert list(table.values.index) == ["Promoters (9-10)", "Passives (7-8)", "Detractors (0-6)", "NPS"]
    for group, part in (("A", scores[:100]), ("B", scores[100:])):
        assert table.values.loc["NPS"][("g", group, group)] == pytest.approx(portrait_stats.nps(part)["estimate"])
    assert table.values.loc["NPS"][("g", "A", "A")] == pytest.approx(30.0)
    assert table.values.loc["NPS"][("g", "B", "B")] == pytest.approx(-30.0)
    assert table.letters.loc["NPS"][("g", "A", "A")] == "B"
    assert dict(zip(table.values.index, table.row_kinds))["NPS"] == "net_promoter"


def test_answers_without_a_natural_order_can_be_sorted_by_the_total():
    items = pd.DataFrame({"rare": [1] * 10 + [0] * 90, "common": [1] * 70 + [0] * 30, "middle": [1, 0] * 50})
    banner = {"g": pd.Series(["A", "B"] * 50)}
    assert list(multi_table(items, banner).values.index) == ["rare", "common", "middle"]
    assert list(multi_table(items, banner, sort=True).values.index) == ["common", "middle", "rare"]
    row = pd.Series(["x"] * 10 + ["y"] * 60 + ["z"] * 30)
    assert list(crosstab(row, banner, sort=True).values.index) == ["y", "z", "x"]


def test_the_workbook_has_contents_links_frozen_headers_numbers_and_the_markings(tmp_path):
    tables = [small_column_table(), rating_table(pd.DataFrame({"Quality": [5, 4, 1, 2] * 60}), [5, 4],
                                                 {"Region": pd.Series(["N", "S"] * 120)})]
    path = to_excel(tables, tmp_path / "tables.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contents", "T1", "T2"]
    contents = book["Contents"]
    assert [contents.cell(r, 1).hyperlink.location for r in (3, 4)] == ["'T1'!A1", "'T2'!A1"]
    assert contents.cell(3, 2).value == tables[0].title
    sheet = book["T1"]
    assert sheet.freeze_panes == "B5"
    assert sheet.cell(3, 2).value == "Total" and sheet.cell(3, 3).value == "City of residence"
    assert "C3:H3" in {str(r) for r in sheet.merged_cells.ranges}  # the question spans its three answers
    assert sheet.cell(4, 7).value == "C * (C)"
    yes = next(r for r in range(5, 12) if sheet.cell(r, 1).value == "yes")
    assert sheet.cell(yes, 3).data_type == "n" and sheet.cell(yes, 3).value == 80.0
    assert sheet.cell(yes, 3).number_format == "0.0" and sheet.cell(yes, 4).value == "B"
    unweighted = next(r for r in range(5, 12) if sheet.cell(r, 1).value == "Base (unweighted)")
    assert sheet.cell(unweighted, 2).value == 225 and sheet.cell(unweighted, 2).number_format == "0"
    assert sheet.cell(unweighted + 3, 1).value == tables[0].legend()
    mean_row = book["T2"].cell(5, 3)
    assert mean_row.data_type == "n" and mean_row.number_format == "0.00"
    with zipfile.ZipFile(path) as archive:
        assert not any("<f>" in archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))


def test_tables_speak_the_report_language(tmp_path):
    row, banner = small_column_data()
    table = crosstab(row, banner, correction="holm", language="uk")
    page = to_html_page([table], "Таблиці")
    assert ">Разом<" in page and "База (незважена)" in page and "База (ефективна)" in page
    assert "z-тест для двох часток" in table.legend() and "поправка Голма" in table.legend()
    assert "* менше ніж 30 відповідей" in table.legend()
    shares = {label: cells for label, _, cells in table.cells()}
    assert shares["yes"][0][0] == "68,9"  # 155 of 225, decimal comma
    scores = pd.Series([10] * 60 + [3] * 40)
    net = recommendation_rows(scores, {"g": pd.Series(["A", "B"] * 50)}, language="ru")
    assert list(net.values.index) == ["Промоутеры (9-10)", "Нейтралы (7-8)", "Критики (0-6)", "NPS"]
    book = openpyxl.load_workbook(to_excel([table], tmp_path / "t.xlsx"))
    assert book["Contents"]["A1"].value == "Таблиці" and book["T1"]["B3"].value == "Разом"
