"""Every HTML (and Markdown) the workbook writes is rendered from a jinja2 template in templates/report,
with autoescaping: text from a study (answers, file names, labels) can never become live markup."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parents[1] / "templates" / "report"


def markdown_escape(text) -> str:
    """Text safe inside Markdown: HTML-significant and Markdown-significant characters escaped."""
    text = "" if text is None else str(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", text)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = markdown_escape
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
