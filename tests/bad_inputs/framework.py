"""The corpus framework: a case, what a case observes, the leak scan, running one case, the summary table.

A `Case` is a record: `name`; `recipe(folder)`, which damages a fresh copy of the base study; `expected`,
the kind of outcome that must be observed; `observe(folder)`, which runs the relevant step and returns an
`Outcome` (the kind observed and a short text); and `must`, regular expressions the observed text must
match (the file named, the words of the fix, the row, the mask). A case passes when the observed kind is
the expected one, every `must` matches and the leak scan finds no clear personal value in anything the case
wrote (nor in the message it showed).

Kinds: `error` (a PortraitError whose message names the file and the fix), `quarantined` (rows moved to the
quarantine and read = kept + quarantined), `flagged` (kept, counted in `source_checks` or a flag), `masked`
(personal data replaced by [email], [phone] …), `escaped` / `neutralised` (markup or formulas made harmless),
`accepted` (a good input read correctly). Observers report other kinds when something else happens
(`crash` for an exception that is not ours, `long error`, `not masked`, `unescaped` …).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from portrait import Study
from portrait.collect import collect
from portrait.errors import PortraitError

from . import base

MAX_MESSAGE = 600  # an error message never echoes more than a few hundred characters
MASKS = re.compile(r"\[(?:email|phone|card|iban|name|personal)\]")


@dataclass(frozen=True)
class Outcome:
    kind: str
    detail: str


@dataclass(frozen=True)
class Case:
    name: str
    recipe: Callable[[Path], object] | None
    expected: str
    observe: Callable[[Path], Outcome]
    must: tuple[str, ...] = ()
    study: Callable[[Path], Path] = base.build  # builds the study under a case's folder, returns the study folder


@dataclass
class Result:
    case: Case
    module: str
    outcome: Outcome
    leaks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def missing(self) -> list[str]:
        return [p for p in self.case.must if not re.search(p, self.outcome.detail, re.S)]

    @property
    def passed(self) -> bool:
        return self.outcome.kind == self.case.expected and not self.missing and not self.leaks

    def why(self) -> str:
        """What went wrong, for the assertion message."""
        parts = []
        if self.outcome.kind != self.case.expected:
            parts.append(f"expected {self.case.expected}, observed {self.outcome.kind}")
        parts += [f"observed text lacks /{p}/" for p in self.missing]
        parts += [f"leak: {leak}" for leak in self.leaks]
        return "; ".join(parts) + f"\nobserved: {self.outcome.kind}: {self.outcome.detail}"


# ------------------------------------------------------------------ the cases

def all_cases() -> list[tuple[str, Case]]:
    """(module, case) for every case of every `cases_*.py` module in this folder, in file order."""
    found = []
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("cases_"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            found += [(info.name.removeprefix("cases_"), case) for case in module.CASES]
    names = [case.name for _, case in found]
    assert len(names) == len(set(names)), f"case names repeat: {sorted(n for n in names if names.count(n) > 1)}"
    return found


def run_case(module: str, case: Case, root: Path) -> Result:
    """Build the study under `root`, damage it, observe, then scan everything written for clear values."""
    started = time.perf_counter()
    root.mkdir(parents=True, exist_ok=True)
    folder = case.study(root)
    if case.recipe is not None:
        case.recipe(folder)
    try:
        outcome = case.observe(folder)
    except Exception as exc:  # noqa: BLE001 - anything but our own errors is a finding: a crash
        outcome = Outcome("crash", f"{type(exc).__name__}: {short(str(exc), 300)}")
    outcome = Outcome(outcome.kind, outcome.detail.replace(str(folder), "<study>").replace(str(folder.parents[2]), "<case>"))
    leaks = leak_scan(folder.parents[2], {"the observed text": outcome.detail})
    return Result(case, module, outcome, leaks, time.perf_counter() - started)


def short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------ observers of step 01

def step01(folder: Path):
    """Step 01 as the notebook runs it: load study.yml, collect, write every output; (study, result)."""
    study = Study.load(folder)
    result = collect.collect(study, base.SECRET)
    collect.write_outputs(study, result, {"study": str(folder)})
    return study, result


def _refused(exc: PortraitError) -> Outcome:
    message = str(exc)
    kind = "error" if len(message) <= MAX_MESSAGE else "long error"
    return Outcome(kind, f"{type(exc).__name__}: {message}" + ("" if kind == "error" else f" ({len(message)} chars)"))


def _counts(result, source: str) -> str:
    row = result.reconciliation.set_index("source").loc[source]
    return f"read {row['read']} = kept {row['kept']} + quarantined {row['quarantined']}"


def error(max_seconds: float | None = None) -> Callable[[Path], Outcome]:
    """Step 01 is refused: `error` with the message (`slow error` after `max_seconds`)."""
    def observe(folder: Path) -> Outcome:
        started = time.perf_counter()
        try:
            _, result = step01(folder)
        except PortraitError as exc:
            outcome = _refused(exc)
            seconds = time.perf_counter() - started
            if max_seconds is not None and seconds > max_seconds:
                return Outcome("slow error", f"{seconds:.1f} s: {outcome.detail}")
            return outcome
        return Outcome("accepted", "no error; " + "; ".join(f"{s}: {_counts(result, s)}" for s in result.sources))
    return observe


def quarantine(source: str) -> Callable[[Path], Outcome]:
    """Rows of `source` in the quarantine: file, row, values (as the quarantine shows them) and reason."""
    def observe(folder: Path) -> Outcome:
        try:
            _, result = step01(folder)
        except PortraitError as exc:
            return _refused(exc)
        rows = result.quarantine[result.quarantine["source"] == source]
        counts = _counts(result, source)
        if not result.reconciliation.set_index("source").loc[source, "reconciles"]:
            return Outcome("unreconciled", counts)
        if rows.empty:
            return Outcome("accepted", f"nothing quarantined; {counts}")
        shown = [f"{r.file} row {r.row} [{r.values}]: {r.reason}" for r in rows.head(3).itertuples()]
        return Outcome("quarantined", " | ".join(shown) + f"; {counts}")
    return observe


def checks(source: str) -> Callable[[Path], Outcome]:
    """Rows of `source` kept but counted in `source_checks` (returns, duplicates, unknown cards …)."""
    def observe(folder: Path) -> Outcome:
        try:
            study, result = step01(folder)
        except PortraitError as exc:
            return _refused(exc)
        written = pd.read_parquet(study.processed / "source_checks.parquet")
        found = written[(written["source"] == source) & (written["rows"] > 0)]
        listed = "; ".join(f"{r.check}: {r.rows} row(s)" + (f", amount {r.amount:g}" if pd.notna(r.amount) else "")
                           for r in found.itertuples())
        quarantined = result.reconciliation.set_index("source").loc[source, "quarantined"]
        kind = "quarantined" if quarantined else "flagged" if len(found) else "accepted"
        return Outcome(kind, f"{listed or 'no check counted'}; {_counts(result, source)}")
    return observe


def masking(table: str, column: str, near: str | None = None) -> Callable[[Path], Outcome]:
    """The cells of a written table's column around a planted value (`near`: text beside it, or any cell
    holding a mask): `masked` when they show [email], [phone], [card], [iban] or [name] instead."""
    def observe(folder: Path) -> Outcome:
        try:
            study, _ = step01(folder)
        except PortraitError as exc:
            return _refused(exc)
        values = pd.read_parquet(study.processed / f"{table}.parquet")[column].dropna().astype(str)
        cells = values[values.str.contains(near, regex=False)] if near else values[values.str.contains(MASKS)]
        if cells.empty:
            return Outcome("absent", f"no cell of {table}.{column} holds {near or 'a mask'!r}")
        kind = "masked" if cells.str.contains(MASKS).all() else "not masked"
        return Outcome(kind, f"{table}.{column}: " + " | ".join(repr(short(c, 80)) for c in cells.head(3)))
    return observe


def reading(source: str | None = None, show: Callable[[pd.DataFrame], str] | None = None) -> Callable[[Path], Outcome]:
    """A good input: every row of `source` (of every source when None) kept; `show` describes the table read."""
    def observe(folder: Path) -> Outcome:
        try:
            _, result = step01(folder)
        except PortraitError as exc:
            return _refused(exc)
        names = [source] if source else list(result.sources)
        recon = result.reconciliation.set_index("source")
        clean = all(recon.loc[n, "reconciles"] and recon.loc[n, "quarantined"] == 0 and recon.loc[n, "kept"] > 0
                    for n in names)
        text = "; ".join(f"{n}: {_counts(result, n)}" for n in names)
        if show is not None:
            table = result.tables[source]
            text += "; " + show(table.to_pandas() if hasattr(table, "to_pandas") else table)  # line items: a file
        return Outcome("accepted" if clean else "quarantined", text)
    return observe


# ------------------------------------------------------------------ the leak scan

_TEXTS: dict[tuple[str, int, int], str] = {}
_BASE64 = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]*")


def written_files(root: Path) -> list[Path]:
    """Everything under a case's folder but the raw study (the input) and `outside/` (planted by recipes)."""
    skip = [root / "data" / "raw", root / "outside"]
    return sorted(p for p in root.rglob("*") if p.is_file() and not any(s == p or s in p.parents for s in skip))


def text_of(path: Path) -> str:
    """What a file says, case-folded: parquet cells read with pandas, zip members (.xlsx, .qdpx) unpacked,
    notebooks without their images, pages without inline base64 images, any other file as UTF-8."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _TEXTS:
        if path.suffix == ".parquet":
            text = pd.read_parquet(path).to_csv()
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        elif path.suffix == ".ipynb":
            notebook = json.loads(path.read_text(encoding="utf-8"))
            for cell in notebook.get("cells", []):
                for output in cell.get("outputs", []):
                    output.get("data", {}).pop("image/png", None)
                    output.get("data", {}).pop("image/jpeg", None)
            text = json.dumps(notebook, ensure_ascii=False)
        else:
            text = _BASE64.sub("", path.read_bytes().decode("utf-8", "replace"))
        _TEXTS[key] = text.casefold()
    return _TEXTS[key]


def leak_scan(root: Path, shown: dict[str, str] | None = None) -> list[str]:
    """`value in file` for every clear personal value (base.CLEAR) found in a written file or a shown text."""
    texts = {str(p.relative_to(root)): text_of(p) for p in written_files(root)}
    texts.update({k: v.casefold() for k, v in (shown or {}).items()})
    return [f"{value!r} in {where}" for value in base.CLEAR for where, text in texts.items()
            if value.casefold() in text]


# ------------------------------------------------------------------ the summary table

RESULTS: list[Result] = []  # filled by the test run, printed by conftest's terminal summary


def table(results: list[Result], markdown: bool = True) -> str:
    """case | expected | observed | pass, one line per case (Markdown, for an issue note)."""
    lines = ["| module | case | expected | observed | pass |", "|---|---|---|---|---|"]
    for r in results:
        observed = short(f"{r.outcome.kind}: {r.outcome.detail}", 150).replace("|", "\\|")
        verdict = "pass" if r.passed else "FAIL"
        lines.append(f"| {r.module} | {r.case.name} | {r.case.expected} | {observed} | {verdict} |")
    passed = sum(r.passed for r in results)
    lines.append(f"\n{passed} of {len(results)} cases pass; {sum(r.seconds for r in results):.0f} s in the cases.")
    return "\n".join(lines)
