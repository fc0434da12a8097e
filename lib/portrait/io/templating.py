"""Every HTML (and Markdown) the workbook writes is rendered from a jinja2 template in templates/report,
with autoescaping: text from a study (answers, file names, labels) can never become live markup."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parents[1] / "templates" / "report"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#~$])")  # code, emphasis, links, tables, headings, strikethrough, math
_BLOCK_START = re.compile(r"^([-+]|\d{1,9}(?=[.)]))")  # a list item or a rule where the text opens a line
_BARE_LINK = re.compile(r"(?i)(?<=\w)(?=://)|(?<=\bwww)(?=\.)")  # what GFM renderers turn into links


def markdown_escape(text) -> str:
    """Text safe inside Markdown: HTML-significant and Markdown-significant characters escaped.

    The text is kept on one line (whitespace runs become one space): a line break inside a table cell,
    a quote or a list item would end it and let the rest start a heading, a list or a code block."""
    text = "" if text is None else " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    text = _BLOCK_START.sub(lambda m: "\\" + m.group() if not m.group().isdigit() else m.group() + "\\", text)
    return _BARE_LINK.sub(lambda m: "\\", text)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html.j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["md"] = markdown_escape
    from portrait.report import formatting

    env.filters.update(cell=formatting.cell, percent=formatting.percent, number=formatting.number,
                       money=formatting.money, figure=formatting.figure)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
