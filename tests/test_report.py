"""The report and cards: escaped user text, complete label tables, self-contained HTML, nothing written on failure."""

import copy
import re

import pytest
import yaml

from portrait.report import report
from portrait.errors import PortraitError

from test_personas import build

ATTACK = "<script>alert('x')</script>"


def hostile_cards():
    cards = build()
    cards[0]["name"] = f"Fans {ATTACK}"
    cards[0]["quotes"][0]["text"] = f"I said {ATTACK} | *loud*"
    cards[0]["traits"]["demographics"][0]["statement"] = f"Answer: {ATTACK}"
    return cards


def test_user_text_is_escaped_in_html_and_markdown():
    cards = hostile_cards()
    page = report.render_report(cards, [], {"sources": [{"source": ATTACK}]}, "demo", "Acme & <Co>", "en")
    assert "<script" not in page and page.count("&lt;script&gt;") >= 4
    assert "Acme &amp; &lt;Co&gt;" in page
    card = report.render_card(cards[0], "Acme", "en")
    assert "<script" not in card and "&lt;script&gt;" in card
    markdown = report.render_card(cards[0], "Acme", "en", markdown=True)
    assert "<script" not in markdown and "&lt;script&gt;" in markdown
    assert r"\| \*loud\*" in markdown  # table and emphasis characters cannot break the layout


def test_every_language_has_every_label():
    table = yaml.safe_load((report.TEMPLATES / "report_labels.yml").read_text(encoding="utf-8"))
    assert set(table) >= {"en", "uk", "ru"}
    for language, labels in table.items():
        assert set(labels) == set(table["en"]), language
        assert all(labels[k].count("{") == table["en"][k].count("{") for k in labels), language
    with pytest.raises(PortraitError, match="report_language 'de' has no labels"):
        report.labels("de")


@pytest.mark.parametrize("language, heading", [("en", "Customer journey maps"), ("uk", "Карти шляху клієнта"),
                                               ("ru", "Карты пути клиента")])
def test_report_in_each_language_is_self_contained(language, heading):
    page = report.render_report(build(), [], {}, "demo", "Acme", language)
    assert heading in page and f'<html lang="{language}">' in page
    assert not re.search(r'(src|href)="(https?:)?//', page) and "<link" not in page and "<script" not in page
    assert "@page { size: A4" in page  # print layout
    assert page.count('class="journey"') == len(build())  # a journey map per persona


def test_a_failed_validation_writes_nothing(tmp_path):
    broken = copy.deepcopy(build())
    del broken[0]["journey"]
    with pytest.raises(PortraitError):
        report.write(tmp_path, broken, "<html></html>", "Acme", "en")
    assert list(tmp_path.iterdir()) == []
    written = report.write(tmp_path, build(), "<html></html>", "Acme", "en")
    assert (tmp_path / "personas.json").exists() and (tmp_path / "personas" / "segment-1.md").exists()
    assert written["items"].tolist() == [2, 4, 1]


def test_table_cells_follow_the_report_language():
    from portrait.report.formatting import cell

    assert cell(True, "en") == "yes" and cell(False, "uk", "так", "ні") == "ні"
    assert cell(42231.6, "en") == "42,231.6" and cell(42231.6, "uk") == "42\xa0231,6"
    assert cell(0.8123, "ru") == "0,8123" and cell(1234567, "en") == "1,234,567"
    assert cell(float("nan")) == "—" and cell("<b>") == "<b>"  # text is escaped by the template, not here
