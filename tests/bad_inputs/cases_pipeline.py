"""Pipeline cases. One full run (steps 01-05) of the hostile study, then a partial run and `portrait classify`
on it, made once per corpus folder and shared by several checks; and two runs that stop early (a run already
under way, a failing cell) on the base study."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd

from portrait import cli, pipeline
from portrait.errors import PortraitError

from . import base
from .framework import Case, Outcome, written_files

ROOT = Path(__file__).resolve().parents[2]  # the workbook: its notebooks run the hostile study


@dataclass
class HostileRun:
    folder: Path
    executed: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latest_after_partial: str = ""
    partial_messages: list[str] = field(default_factory=list)
    classify: str = ""


_RUNS: dict[Path, HostileRun] = {}


def hostile(root: Path) -> Path:
    """The hostile study under the corpus folder, run once: steps 01-05 (`full`), then step 01 alone
    (`partial`), then `portrait classify` on a wave holding the formula-like ids."""
    shared = root.parent / "hostile"
    if shared not in _RUNS:
        folder = base.build_hostile(shared)
        run = _RUNS[shared] = HostileRun(folder)
        reports = shared / "reports"
        try:
            result = pipeline.run(str(folder), ROOT, reports=reports, progress=False, run_id="full",
                                  say=run.messages.append)
            run.executed = result.executed
            pipeline.run(str(folder), ROOT, ["01"], reports=reports, progress=False, run_id="partial",
                         say=run.partial_messages.append)
            run.latest_after_partial = (reports / "hostile" / "latest").resolve().name
        except Exception as exc:  # noqa: BLE001 - every check of the shared run reports it
            run.errors.append(f"{type(exc).__name__}: {exc}")
        wave = folder / "waves" / "wave2.csv"  # inside the raw study: an input, not an output
        wave.parent.mkdir()
        wave.write_text("".join((folder / "survey.csv").read_text(encoding="utf-8").splitlines(True)[:41]),
                        encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main(["classify", str(wave), "--study", str(folder)])
            run.classify = f"exit {code}: {out.getvalue().strip()} {err.getvalue().strip()}"
        except Exception as exc:  # noqa: BLE001
            run.classify = f"crash: {type(exc).__name__}: {exc}"
    return _RUNS[shared].folder


def _run(folder: Path) -> HostileRun:
    return _RUNS[folder.parents[2]]


def pages(root: Path) -> dict[str, str]:
    """What a browser or a Markdown viewer renders: HTML and Markdown files, and the HTML outputs of notebooks."""
    found = {}
    for path in written_files(root):
        if path.suffix in (".html", ".md"):
            found[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            found[str(path.relative_to(root))] = "".join(
                "".join(output.get("data", {}).get(mime, "")) for cell in cells for output in cell.get("outputs", [])
                for mime in ("text/html", "text/markdown"))
    return found


def markup(n: int):
    """Where the planted markup number `n` is shown escaped, and whether it is live anywhere."""
    live, inert = base.MARKUP.format(n=n), html.escape(base.MARKUP.format(n=n))

    def observe(folder: Path) -> Outcome:
        shown = pages(folder.parents[2])
        raw = [name for name, text in shown.items() if live in text]
        escaped = ", ".join(f"{'/'.join(Path(name).parts[-2:])} ×{text.count(inert)}" for name, text in shown.items()
                            if inert in text)
        if raw:
            return Outcome("unescaped", f"live markup in {', '.join(raw)}")
        return Outcome("escaped" if escaped else "absent", f"escaped in {escaped or 'no page'}; live nowhere")
    return observe


def classify_output(folder: Path) -> Outcome:
    """`portrait classify`'s CSV: the formula-like ids as a spreadsheet reads them, and the segments."""
    run = _run(folder)
    path = base.outputs_of(folder) / "wave2_segments.csv"
    if not path.exists():
        return Outcome("absent", f"no wave2_segments.csv; classify {run.classify}")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    ids = [r["respondent_id"] for r in rows[:3]]
    segments = sorted({r["segment"] for r in rows})
    inert = all(i.startswith("'") for i in ids) and not any(r["respondent_id"].startswith(("=", "+", "-", "@"))
                                                            for r in rows)
    return Outcome("neutralised" if inert else "live formulas",
                   f"ids {ids}; segments as written: {', '.join(segments)}; classify {run.classify[:60]}")


def workbook_cells(folder: Path) -> Outcome:
    """Every .xlsx the run wrote: formula cells, and the formula-like label as stored."""
    formulas, stored = 0, []
    for path in base.outputs_of(folder).glob("*.xlsx"):
        for sheet in openpyxl.load_workbook(path):
            for row in sheet.iter_rows():
                for cell in row:
                    formulas += cell.data_type == "f"
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                        stored.append(f"{path.name}!{cell.coordinate} as {'text' if cell.data_type == 's' else cell.data_type}")
    if not stored:
        return Outcome("absent", "the formula-like label is in no workbook")
    return Outcome("neutralised" if not formulas else "live formulas",
                   f"{formulas} formula cell(s); label stored {', '.join(sorted(set(stored))[:2])}")


def ids_kept(folder: Path) -> Outcome:
    """The formula-like respondent ids through steps 01-05, as the parquet tables hold them."""
    out = base.outputs_of(folder)
    kept = {name: sorted(set(base.FORMULA_IDS) & set(pd.read_parquet(out / f"{name}.parquet")["respondent_id"]))
            for name in ("respondents", "survey_coded", "segments")}
    whole = all(len(ids) == 3 for ids in kept.values())
    return Outcome("accepted" if whole else "lost", "; ".join(f"{n}: {len(ids)} of 3 ids as text" for n, ids in kept.items()))


def whole_run(folder: Path) -> Outcome:
    run = _run(folder)
    if run.errors:
        return Outcome("error", run.errors[0])
    counts = [m.strip() for m in run.messages if " · " in m]
    return Outcome("accepted", f"ran {', '.join(run.executed)}; " + "; ".join(counts))


def partial_run(folder: Path) -> Outcome:
    run = _run(folder)
    if run.errors:
        return Outcome("error", run.errors[0])
    said = next((m for m in run.partial_messages if "latest" in m), "nothing said about latest")
    kind = "accepted" if run.latest_after_partial == "full" else "moved"
    return Outcome(kind, f"latest -> {run.latest_after_partial}; {said}")


def run_under_way(folder: Path) -> Outcome:
    """A second run while another process (alive: a sleeping child) holds the study's lock."""
    reports = folder.parents[2] / "reports"
    holder = subprocess.Popen(["sleep", "60"])
    try:
        lock = reports / folder.name / ".run.lock"
        lock.parent.mkdir(parents=True)
        lock.write_text(f"{holder.pid} 2026-12-01T06:00:00+00:00\n")
        pipeline.run(str(folder), ROOT, reports=reports, progress=False, run_id="second", say=lambda m: None)
        return Outcome("accepted", "the second run ran")
    except PortraitError as exc:
        named = "names the holder" if f"process {holder.pid}," in str(exc) else "does not name the holder"
        return Outcome("error", f"{type(exc).__name__}: {exc} ({named}; run folder "
                                f"{'made' if (reports / folder.name / 'second').exists() else 'not made'})")
    finally:
        holder.kill()
        holder.wait()


def failing_cell(folder: Path) -> Outcome:
    """A workbook whose step 01 notebook fails on its fourth line (a value that is not a number)."""
    workbook = folder.parents[2] / "workbook"
    body = ("import pandas as pd\nframe = pd.read_csv(study + '/survey.csv', dtype=str)\n"
            "total = frame['Seconds'].astype(int).sum()\nratio = total / int(frame['City'].iloc[0])\nprint(ratio)")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("study = 'x'\nwrite = True", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## A step"), nbformat.v4.new_code_cell(body)])
    notebook.metadata["kernelspec"] = {"name": "portrait", "display_name": "Python (portrait)", "language": "python"}
    (workbook / "notebooks").mkdir(parents=True)
    nbformat.write(notebook, workbook / "notebooks" / "01_collect.ipynb")
    try:
        pipeline.run(str(folder), workbook, ["01"], reports=folder.parents[2] / "reports", progress=False,
                     run_id="bad", say=lambda m: None)
    except PortraitError as exc:
        return Outcome("error", f"{type(exc).__name__}: {str(exc).replace(str(folder.parents[2]), '<case>')}")
    return Outcome("accepted", "the notebook ran")


def shared(name, expected, observe, must):
    return Case(name, None, expected, observe, must, study=hostile)


CASES = [
    shared("hostile study: every step runs, every row kept", "accepted", whole_run,
           (r"ran 01_collect, 02_survey_coding, 03_interview_coding, 04_segmentation, 05_personas",
            r"survey: read 240 rows · kept 240 · quarantined 0", r"transcripts: read 3 files · kept 3")),
    shared("markup in a transcript file name", "escaped", markup(1),
           (r"01_collect\.html", r"03_interview_coding\.html", r"report\.html", r"segment-\d\.md", r"segment-\d\.html")),
    shared("markup in a participant label", "escaped", markup(2), (r"01_collect\.html", r"01_collect\.ipynb")),
    shared("markup in an open answer", "escaped", markup(3), (r"02_survey_coding\.html", r"02_survey_coding\.ipynb")),
    shared("markup in a codebook label", "escaped", markup(4),
           (r"report\.html", r"segment-\d\.md", r"survey_tables\.html", r"02_survey_coding\.html",
            r"04_segmentation\.html", r"05_personas\.html")),
    shared("formula-like respondent ids kept as text through the steps", "accepted", ids_kept,
           (r"respondents: 3 of 3", r"survey_coded: 3 of 3", r"segments: 3 of 3")),
    shared("formula-like ids in `portrait classify` output", "neutralised", classify_output,
           (r"'=HYPERLINK", r"'\+cmd", r"'@SUM\(1\)", r"segments as written: \d+(, \d+)*(, unclassified)?;",
            r"classify exit 0: classified 40 respondents")),
    shared("formula-like codebook label in the banner workbook", "neutralised", workbook_cells,
           (r"^0 formula cell\(s\)", r"survey_tables\.xlsx!\w+ as text")),
    shared("a partial run (step 01) leaves `latest` alone", "accepted", partial_run,
           (r"latest -> full", r"stays at the last complete run")),
    Case("a second run while one is under way", None, "error", run_under_way,
         must=(r"PipelineError: another run of this study is under way \(process \d+, started 2026-12-01T06:00:00",
               "names the holder", "run folder not made")),
    Case("a failing notebook cell", None, "error", failing_cell,
         must=(r"01_collect\.ipynb failed in cell 3, line 4 \(`ratio = total / int\(frame\['City'\]\.iloc\[0\]\)`\)",
               r"ValueError: invalid literal for int\(\) with base 10: 'Kyiv'", r"executed notebook up to the failure is kept")),
]
