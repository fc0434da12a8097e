"""The stakeholder report and the persona cards: one self-contained HTML file (styles and charts inline,
no scripts, opens offline, prints on A4), plus one HTML and one Markdown card per persona, and
`personas.json` checked against the published schema (templates/personas.schema.json).

Everything the study supplies (names, labels, quotes, messages) is escaped by the templates: an answer
containing `<script>` shows as text.
"""

from __future__ import annotations

import base64
import functools
import io
import json
from pathlib import Path

import pandas as pd
import yaml

from portrait import __version__
from portrait.io import atomic, catalog, templating
from portrait.errors import PortraitError

TEMPLATES = Path(__file__).parents[1] / "templates"
SCHEMA = TEMPLATES / "personas.schema.json"


@functools.cache
def _label_table() -> dict[str, dict[str, str]]:
    # Read once per process: banner tables ask for their words once per table.
    return yaml.safe_load((TEMPLATES / "report_labels.yml").read_text(encoding="utf-8"))


def labels(language: str) -> dict[str, str]:
    """The report's labels in `language` (en, uk or ru), a copy the caller may change."""
    table = _label_table()
    if language not in table:
        raise PortraitError(f"report_language {language!r} has no labels; use one of {', '.join(table)}.")
    return dict(table[language])


def chart(figure, title: str) -> dict:
    """A matplotlib figure as an inline PNG (data URI), so the report needs no other file."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(figure)
    return {"title": title, "src": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")}


def validate(personas: list[dict]) -> None:
    """Check personas against the published JSON schema; the error names the persona and the field."""
    import jsonschema  # imported here: its format checkers take about a second to load, and only this needs it

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors({"personas": personas}), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise PortraitError(f"personas.json does not follow {SCHEMA.name}: {len(errors)} problem(s), first at "
                            f"`{where}`: {errors[0].message}")


# What a study without a context (an older caller) is assumed to have: every section.
FULL_CONTEXT = {"unit": "respondents", "weighted": True, "topics": None, "cards": True, "interviews": True,
                "funnel": True, "recommendation": True, "messages": True,
                "stages": ["awareness", "consideration", "purchase", "use", "loyalty"],
                "kpis": ["awareness", "consideration", "purchase", "use", "loyalty"], "skipped": [], "weak": False,
                "silhouette": None, "weak_threshold": None, "currency": None, "rfm": [], "clv": None}


def render_report(personas: list[dict], charts: list[dict], appendix: dict, study: str, brand: str | None,
                  language: str, currency: str | None = None, stamp: str | None = None,
                  context: dict | None = None, changes: dict | None = None) -> str:
    """The stakeholder report; `context` (PersonaSources.context) says which sections the study can fill;
    `changes` (history.compare.History.for_report) opens it with what changed since the earlier run."""
    return templating.render("report.html.j2", changes=changes,
        personas=personas, charts=charts, appendix=appendix, study=study, brand=brand, language=language,
        L=labels(language), css=(TEMPLATES / "report" / "style.css").read_text(encoding="utf-8"),
        currency=currency, stamp=stamp, version=__version__, ctx=context or FULL_CONTEXT)


def render_card(persona: dict, brand: str | None, language: str, currency: str | None = None,
                markdown: bool = False, context: dict | None = None) -> str:
    template = "card.md.j2" if markdown else "card.html.j2"
    return templating.render(template,
        p=persona, brand=brand, language=language, L=labels(language), currency=currency,
        css=(TEMPLATES / "report" / "style.css").read_text(encoding="utf-8"), ctx=context or FULL_CONTEXT)


def comparison_charts(sources, settings, language: str) -> list[dict]:
    """Size against value per segment and, with a `funnel` role, the funnel by segment (inline PNGs)."""
    from portrait import plots

    L = labels(language)
    unit = L["of_customers"] if sources.unit == "customers" else L["of_respondents"]
    has_value = sources.facts["value_share"].notna().any()
    title = f"% {unit}" + (f" · % {L['value_share']}" if has_value else "")
    charts = [chart(plots.segment_sizes(sources.facts, sources.names, title, f"% {unit}", f"% {L['value_share']}"),
                    title)]
    if settings.funnel and sources.unit == "respondents":
        stages = {v: L.get(f"kpi_{stage}", stage) for stage, v in settings.funnel.items()}
        figure = plots.funnel_by_segment(sources.profile, sources.names, stages, L["funnel_stage"])
        if figure is not None:
            charts.append(chart(figure, L["funnel_stage"]))
    return charts


def write(folder: Path, personas: list[dict], report_html: str, brand: str | None, language: str,
          currency: str | None = None, context: dict | None = None) -> pd.DataFrame:
    """personas.json (validated first: nothing is written when it fails), a card per persona as HTML and
    Markdown under personas/, and report.html — each written atomically. Returns what was written."""
    validate(personas)
    rows = [{"output": catalog.PERSONAS.file, "items": len(personas)}]
    atomic.write_json({"personas": personas}, folder / catalog.PERSONAS.file)
    for p in personas:
        atomic.write_text(render_card(p, brand, language, currency, context=context),
                          folder / "personas" / f"{p['id']}.html")
        atomic.write_text(render_card(p, brand, language, currency, markdown=True, context=context),
                          folder / "personas" / f"{p['id']}.md")
    rows.append({"output": "personas/*.html, personas/*.md", "items": 2 * len(personas)})
    atomic.write_text(report_html, folder / catalog.REPORT.file)
    rows.append({"output": catalog.REPORT.file, "items": 1})
    return pd.DataFrame(rows)
