"""nbval's `# NBVAL_CHECK_OUTPUT` compares a cell's stored output with a fresh run: on a cell stored without
output, or with an empty table, that comparison checks nothing. Every marked cell must keep a real output."""

import re

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MARKER = "NBVAL_CHECK_OUTPUT"
EMPTY_TEXT = re.compile(r"^(Empty DataFrame\b|Series\(\[\], |''$|\"\"$|\[\]$|\{\}$)")
HTML_TABLE = re.compile(r"<table\b.*?</table>", re.S)
BODY_ROW = re.compile(r"<tbody>\s*<tr\b", re.S)


def emptiness(cell) -> str | None:
    """Why the stored output of a marked cell checks nothing, or None when it holds something."""
    shown = [o for o in cell.outputs if o.output_type in {"execute_result", "display_data", "stream"}]
    if not shown:
        return "no stored output"
    for output in shown:
        if output.output_type == "stream":
            if output.text.strip():
                return None
            continue
        plain = output.data.get("text/plain", "").strip()
        html = output.data.get("text/html", "")
        tables = HTML_TABLE.findall(html)
        if EMPTY_TEXT.match(plain) or (tables and not any(BODY_ROW.search(t) for t in tables)):
            return f"an empty table or value ({plain.splitlines()[0] if plain else 'HTML table without rows'})"
        if plain or html:
            return None
    return "only empty output"


def marked_cells(path):
    notebook = nbformat.read(path, as_version=4)
    return [(index, cell) for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and MARKER in cell.source]


def test_the_rule_sees_an_empty_frame_a_missing_output_and_a_real_one():
    import pandas as pd

    def cell(*outputs):
        return nbformat.v4.new_code_cell(f"# {MARKER}\nx", outputs=list(outputs))

    def shown(value):
        return nbformat.v4.new_output("execute_result", {"text/plain": repr(value), "text/html": value._repr_html_()})

    assert emptiness(cell()) == "no stored output"
    assert emptiness(cell(shown(pd.DataFrame(columns=["scheme", "lacks"])))).startswith("an empty table")
    assert emptiness(cell(nbformat.v4.new_output("stream", name="stdout", text="\n"))) == "only empty output"
    assert emptiness(cell(shown(pd.DataFrame({"scheme": ["a"], "lacks": ["b"]})))) is None
    assert emptiness(cell(nbformat.v4.new_output("stream", name="stdout", text="every role is declared\n"))) is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_checked_cell_has_an_output_worth_comparing(path):
    cells = marked_cells(path)
    assert cells, f"{path.name} checks no output at all"
    offenders = [f"cell {index}: {reason}" for index, cell in cells if (reason := emptiness(cell))]
    assert offenders == [], f"{path.name}: " + "; ".join(offenders)
