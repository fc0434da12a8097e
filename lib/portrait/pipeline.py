"""The pipeline runner: executes the step notebooks in order with papermill, in this process.

Each run goes to `reports/<study>/<run-id>/`: the executed notebooks, one HTML per notebook without
code cells (images inline, opens offline) and an index page. `reports/<study>/latest` moves to the
run only when every step succeeded; a failed run keeps its executed notebooks for debugging.

The notebooks' outputs go to a staging folder, `data/processed/.staging/<study>/<run-id>/` (a copy of
`data/processed/<study>/` made at the start, so a `--steps 04,05` run reads what 01-03 wrote); the kernels find
it in PORTRAIT_PROCESSED_DIR (`Study.load`). When every selected step succeeded the staging folder takes the
place of `data/processed/<study>/` in one rename; a failed, interrupted or killed run leaves the previous
outputs as they were, and its staging folder is removed (a killed run's by the next run).

Only the workbook's own messages reach the console: papermill's, jupyter_client's and the kernel's log lines
(the "running over TCP without encryption" warning, "KeyboardInterrupt caught in kernel" when a kernel is
shut down) are kept quiet during a run.
"""

from __future__ import annotations

import ast
import ctypes
import difflib
import logging
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError
from traitlets.config import Config

from portrait.history import runs, snapshot
from portrait.io import atomic, catalog
from portrait.config import parameters as typed
from portrait.errors import PipelineError

STEPS = ["01_collect", "02_survey_coding", "03_interview_coding", "04_segmentation", "05_personas"]
# Sources a step needs at least one of; a study lacking them all skips the step (it runs as far as it can).
NEEDS = {"02_survey_coding": ("survey",), "03_interview_coding": ("transcripts",),
         "04_segmentation": ("survey", "transactions"), "05_personas": ("survey", "transactions")}
KERNEL = "portrait"
TEMPLATES = str(Path(__file__).with_name("templates"))
# The kernel's own log (IPKernelApp) goes to our stderr: only a fatal error of the kernel is worth a line there.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
# Library loggers of this process that speak during a run: papermill ("Passed unknown parameter: ..." for our
# resolved-parameters flag), nbclient's and jupyter_client's kernel management (traitlets' loggers).
QUIET_LOGGERS = ("papermill", "nbclient", "jupyter_client", "traitlets", "IPKernelApp")


@dataclass
class RunResult:
    run_dir: Path
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)   # skipped step -> why
    seconds: dict[str, float] = field(default_factory=dict)
    compared_with: str | None = None                        # the earlier run the comparison looked back at


def select_steps(steps: list[str] | None) -> list[str]:
    """Full step names from prefixes such as ["01", "02"]; all steps when None."""
    if not steps:
        return list(STEPS)
    chosen = []
    for prefix in steps:
        matches = [s for s in STEPS if s.startswith(prefix.strip())]
        if not matches:
            raise PipelineError(f"unknown step {prefix!r}; choose from {', '.join(STEPS)}.")
        chosen += [m for m in matches if m not in chosen]
    return [s for s in STEPS if s in chosen]


def notebook_parameters(path: Path) -> dict[str, object]:
    """Names declared in the notebook's `parameters` cell, with their default values."""
    try:
        declared = papermill.inspect_notebook(str(path))
    except ValueError as exc:  # papermill needs the notebook's kernel to parse its parameters
        raise PipelineError(f"{path}: {exc} Open it in JupyterLab, choose the 'Python (portrait)' kernel "
                            "and save.") from None
    values = {}
    for name, info in declared.items():
        try:
            values[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            raise PipelineError(f"{path}: parameter `{name}` = {info['default']} is not a plain value; write a "
                                "number, string, list or mapping in the parameters cell.") from None
    return values


def step_parameters(step: str, notebook: Path, study: str, study_yml: dict, command_line: dict) -> dict:
    """The cell's values, then study.yml's, then -p: merged and validated by the step's model."""
    cell = {k: v for k, v in notebook_parameters(notebook).items() if k != typed.RESOLVED_FLAG}
    given = {k: v for k, v in command_line.items() if k in cell or k in typed.model_for(step).model_fields}
    merged = typed.merge(step, {**cell, "study": study}, study_yml, given)
    return {**merged.model_dump(), typed.RESOLVED_FLAG: True}


def _unknown_parameters(given: dict, steps: list[str]) -> None:
    known = set().union(*(typed.model_for(s).model_fields for s in steps)) - {"study"} if steps else set()
    unknown = sorted(set(given) - known)
    if unknown:
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hints.append(f"`{key}`" + (f" (did you mean `{close[0]}`?)" if close else ""))
        raise PipelineError(f"parameter(s) {', '.join(hints)} are not parameters of the selected steps "
                            f"({', '.join(steps)}); `portrait new-study` lists every parameter with its default.")


def export_html(notebook: Path, target: Path) -> Path:
    """Stakeholder HTML of an executed notebook: no code cells, no prompts, images inline."""
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True, template_name="offline", extra_template_basedirs=[TEMPLATES])
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    return atomic.write_text(body, target)


def _source_cell(executed: Path, index: int) -> tuple[int, str]:
    """Number (from 1, as in the source notebook) and first code line of the executed cell `index`.

    papermill inserts an `injected-parameters` cell; it is not counted, so the number matches
    what a researcher sees when opening the notebook in JupyterLab.
    """
    cells = [c for c in nbformat.read(executed, as_version=4).cells
             if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]  # banner added after the failure
    injected = [i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])]
    number = index + 1 - sum(1 for i in injected if i < index)
    lines = [l for l in cells[index].source.splitlines() if l.strip() and not l.startswith("#")]
    return number, (lines[0].strip() if lines else "")


ANSI = re.compile(r"\x1b\[[0-9;]*m")
ARROW = re.compile(r"^-*>\s*(\d+)\s?(.*)$")


FRAME = re.compile(r"^(?:Cell In\[\d+\], line \d+|File (?P<file>.+?):\d+, in (?P<function>[\w.<>]+))")


def _failing_line(exc: PapermillExecutionError) -> tuple[int, str, str | None] | None:
    """(line, code, library call) of the failure: the cell's own line (IPython marks it `----> 3 …` under a
    `Cell In[…]` frame; in a chained exception the last such frame), and the call it made that raised,
    as `pandas DataFrame.__getitem__` (None when the cell's own line raised)."""
    marks, frame = [], None  # (frame header match, line number, code) for every arrow
    for entry in exc.traceback or []:
        for line in ANSI.sub("", entry).splitlines():
            header = FRAME.match(line.strip())
            if header:
                frame = header
                continue
            match = ARROW.match(line.strip())
            if match and frame is not None:
                marks.append((frame, int(match.group(1)), match.group(2).strip()))
    in_cell = [i for i, (frame, _, _) in enumerate(marks) if frame.group(0).startswith("Cell In")]
    if not in_cell:
        return None
    last = in_cell[-1]
    _, number, code = marks[last]
    called = marks[last + 1][0] if last + 1 < len(marks) else None
    return number, code, _library_call(called) if called is not None else None


def _library_call(frame: re.Match) -> str:
    """`pandas DataFrame.__getitem__` from a frame header `File …/site-packages/pandas/core/frame.py:4330, in …`."""
    parts = Path(frame.group("file")).parts
    anchors = [i for i, part in enumerate(parts) if part == "site-packages" and i + 1 < len(parts)] or \
        [i for i, part in enumerate(parts) if part == "lib" and i + 1 < len(parts)]  # our own lib/portrait
    anchor = anchors[-1] if anchors else None
    package = parts[anchor + 1] if anchor is not None else Path(frame.group("file")).stem
    return f"{package} {frame.group('function')}"


def _quarantine_summary(s) -> list[str]:
    """Per source: read, kept, quarantined and the commonest reason — what step 01 says on the console."""
    if not s.has("reconciliation"):
        return []
    reasons = s.read("quarantine") if s.has("quarantine") else None
    lines = []
    for row in s.read("reconciliation").itertuples():
        top = ""
        if reasons is not None and row.quarantined:
            common = reasons.loc[reasons["source"] == row.source, "reason"].value_counts()
            top = f" (most often: {common.index[0][:120]})" if len(common) else ""
        lines.append(f"    {row.source}: read {row.read:,} {row.unit} · kept {row.kept:,} · quarantined "
                     f"{row.quarantined:,}{top}")
    if s.has("source_checks"):
        lines += [f"    {row.source}: {row.rows:,} {row.check}" for row in s.read("source_checks").itertuples() if row.rows]
    return lines


class _StudyLock:
    """One run of a study at a time: a second run is refused with who holds the lock and since when; a lock
    left by a run that is gone (its process no longer exists) is taken over."""

    def __init__(self, folder: Path, say, name: str = ".run.lock"):
        self.path, self.say = folder / name, say

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = self.path.read_text(encoding="utf-8", errors="replace").split()
                pid = int(holder[0]) if holder and holder[0].isdigit() else None
                if pid and _alive(pid):
                    raise PipelineError(f"another run of this study is under way (process {pid}, started "
                                        f"{' '.join(holder[1:2])}); wait for it, or remove {self.path} if it is gone.")
                self.say(f"a run that is gone left {self.path}; taking it over")
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")
            return self
        raise PipelineError(f"could not take the lock {self.path}; remove it if no run is under way.")

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 with RENAME_EXCHANGE): a reader sees the one or the
    other, never neither. False where the system or the file system cannot; the caller then renames twice."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


class _Staging:
    """A run's outputs, written aside and promoted together.

    On entry (holding the study's lock `data/processed/.staging/<study>.run.lock`, so two runs of one study
    never share the processed folder, whatever their --reports): what a killed run left is removed,
    `data/processed/<study>/` is copied into `.staging/<study>/<run-id>/`, and PORTRAIT_PROCESSED_DIR names that
    copy to the kernels. On a clean exit the copy takes the live folder's place; on any exception (a failed
    step, Ctrl-C) it is deleted and the live folder is left as it was. Yields the study pointed at the copy.
    """

    def __init__(self, loaded, run_id: str, say):
        from portrait.config import study as study_module

        self.module, self.loaded, self.say = study_module, loaded, say
        self.live = study_module.processed_folder(loaded.folder).resolve()
        self.folders = study_module.staging_folders(loaded.folder)
        self.dir = self.folders / run_id
        self.aside = self.folders / f"{run_id}.previous"
        self.lock = _StudyLock(self.folders.parent, say, f"{loaded.folder.name}.run.lock")
        self.env = None

    def __enter__(self):
        self.lock.__enter__()
        try:
            self._clean_leftovers()
            self.folders.mkdir(parents=True, exist_ok=True)
            if self.live.is_dir():
                shutil.copytree(self.live, self.dir, symlinks=True)
            else:
                self.dir.mkdir()
        except BaseException:
            self._remove(self.dir)
            self._finish()
            raise
        self.env = os.environ.get(self.module.PROCESSED_ENV)
        os.environ[self.module.PROCESSED_ENV] = str(self.dir)  # papermill's kernels inherit our environment
        return self.module.Study(self.loaded.folder, self.loaded.config, self.dir)

    def __exit__(self, kind, error, traceback):
        if self.env is None:
            os.environ.pop(self.module.PROCESSED_ENV, None)
        else:
            os.environ[self.module.PROCESSED_ENV] = self.env
        try:
            if kind is None:
                self._promote()
            else:
                self._remove(self.dir)
                note = (f"{self.live} keeps the outputs of the last run that finished; this run's outputs were "
                        "discarded.")
                if isinstance(error, PipelineError):
                    error.args = (f"{error}\n{note}",)
                else:
                    self.say(note)
        finally:
            self._finish()
        return False

    def _clean_leftovers(self) -> None:
        """Under the lock, anything in `.staging/<study>/` was left by a run that is gone (killed, or the machine
        stopped). A stop between the two renames of a promotion leaves no live folder: the previous comes back."""
        if not self.folders.is_dir():
            return
        previous = sorted(self.folders.glob("*.previous"), key=lambda p: p.stat().st_mtime)
        if previous and not self.live.exists() and not self.live.is_symlink():
            os.rename(previous[-1], self.live)
            self.say(f"a run that is gone left {self.live} missing; restored the outputs it had replaced")
        for leftover in sorted(self.folders.iterdir()):
            self.say(f"a run that is gone left {leftover}; removing it")
            self._remove(leftover)

    def _promote(self) -> None:
        try:
            if not self.live.exists():
                os.rename(self.dir, self.live)
                return
            if _exchange(self.dir, self.live):
                old = self.dir  # now holds the previous outputs
            else:
                os.rename(self.live, self.aside)
                try:
                    os.rename(self.dir, self.live)
                except BaseException:
                    os.rename(self.aside, self.live)
                    raise
                old = self.aside
        except OSError as exc:
            self._remove(self.dir)
            raise PipelineError(f"could not put this run's outputs in place of {self.live} ({exc}); it keeps the "
                                "outputs of the last run that finished.") from None
        self._remove(old)

    def _finish(self) -> None:
        try:
            self.folders.rmdir()  # only when empty
        except OSError:
            pass
        self.lock.__exit__(None, None, None)

    @staticmethod
    def _remove(path: Path) -> None:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)


def _kernel_config() -> Config:
    """CurveZMQ between this process and a kernel whose spec declares it (ours does): nothing in plain text on the
    loopback, and no "running over TCP without encryption" warning. Without CurveZMQ in pyzmq, or for a kernel
    that does not declare it, the kernel runs over plain TCP as before (its warning is below CRITICAL)."""
    import zmq

    return Config({"KernelManager": {"transport_encryption": "auto"}} if zmq.has("curve") else {})


@contextmanager
def _quiet_libraries():
    """Library loggers at ERROR for the run (papermill's "Passed unknown parameter", jupyter_client's notes);
    our own messages go through `say` and PipelineError, not through these loggers."""
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def _load_study(root: Path, study: str):
    """The study; an unreadable study.yml stops the run before any notebook, with its message."""
    from portrait.config.study import Study

    return Study.load(Path(study) if Path(study).is_absolute() else root / study)


def _index_page(study: str, run_id: str, executed: list[str], skipped: dict[str, str], report: bool = False) -> str:
    from portrait.io.templating import render

    return render("run_index.html.j2", study=study, run_id=run_id, executed=executed,
                  skipped=list(skipped.items()), report=report)


def _stakeholder_report(s, written: bool, run_dir: Path) -> bool:
    """Copy the report step 05 just wrote (into the run's staging folder) into the run folder (so each run keeps
    its own)."""

    if not written:
        return False
    source = s.processed / catalog.REPORT.file
    atomic.write_bytes(source.read_bytes(), run_dir / "report.html")
    return True


def _point_latest(study_reports: Path, run_dir: Path) -> None:
    link = study_reports / "latest"
    tmp = study_reports / f".latest.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_dir.name, target_is_directory=True)
    os.replace(tmp, link)  # atomic switch: readers see the old run or the new one, never neither


def run(study: str, root: Path, steps: list[str] | None = None, parameters: dict | None = None,
        reports: Path | None = None, kernel: str = KERNEL, progress: bool = True, run_id: str | None = None,
        say=print) -> RunResult:
    """Execute the selected step notebooks for `study` (a path relative to `root`).

    Every run that gets the study's lock leaves a record (`run.json`) and updates the study's `status.json` and
    index page, whether it succeeded or failed; a complete run that succeeded keeps a snapshot for later
    comparisons and moves `latest`."""
    given_parameters = dict(parameters or {})
    study_name = Path(study).name
    run_id = run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    study_reports = (reports or root / "reports") / study_name
    run_dir = study_reports / run_id
    with _StudyLock(study_reports, say), _quiet_libraries(), _history_environment(study_reports, run_id):
        run_dir.mkdir(parents=True, exist_ok=True)
        runs.write_record(run_dir, run_id=run_id, study=study_name, started=runs.now(), started_ns=time.time_ns(),
                          status="running", selected=steps or list(STEPS))
        try:
            result, complete = _run(study, root, steps, given_parameters, study_name, run_id, run_dir, kernel,
                                    progress, say)
        except BaseException as exc:
            runs.write_record(run_dir, status=runs.FAILED, finished=runs.now(), error=_why(exc))
            runs.write_status(study_reports, study_name)
            raise
        if complete:
            _point_latest(study_reports, run_dir)
        else:
            say(f"a partial run ({', '.join(result.executed)}): {study_reports / 'latest'} stays at the last complete run")
        runs.write_record(run_dir, status=runs.SUCCEEDED, finished=runs.now(), complete=complete,
                          executed=result.executed, skipped=result.reasons, compared_with=result.compared_with,
                          seconds={k: round(v, 1) for k, v in result.seconds.items()})
        runs.write_status(study_reports, study_name)
    return result


def _run(study, root, steps, given_parameters, study_name, run_id, run_dir, kernel, progress, say):
    selected = select_steps(steps)
    loaded = _load_study(root, study)
    config = loaded.config
    sources = {name for name in type(config.sources).model_fields if getattr(config.sources, name) is not None}
    lacking = {s: [] if not NEEDS.get(s) or set(NEEDS[s]) & sources else list(NEEDS[s]) for s in selected}
    present = [s for s in selected if (root / "notebooks" / f"{s}.ipynb").exists() and not lacking[s]]
    _unknown_parameters(given_parameters, present)
    merged = {s: step_parameters(s, root / "notebooks" / f"{s}.ipynb", study, config.parameters.get(s, {}),
                                 given_parameters) for s in present}
    # The steps this study can run at all: a run that did them all is complete, and only then is `latest` moved.
    runnable = [s for s in STEPS if (root / "notebooks" / f"{s}.ipynb").exists()
                and (not NEEDS.get(s) or set(NEEDS[s]) & sources)]
    with _Staging(loaded, run_id, say) as staged:
        result = _run_steps(root, staged, study, selected, present, lacking, merged, run_dir, kernel, progress, say)
        report = _stakeholder_report(staged, "05_personas" in result.executed, run_dir)
        result.compared_with = snapshot.compared_with(staged) if "05_personas" in result.executed else None
    atomic.write_text(_index_page(study_name, run_id, result.executed, result.reasons, report),
                      run_dir / "index.html")
    complete = set(runnable) <= set(result.executed)
    if "05_personas" in result.executed:  # segments and personas just promoted, small and pseudonymous
        snapshot.save(snapshot.capture(loaded), run_dir / runs.SNAPSHOT, run_id=run_id, parameters=merged)
    return result, complete


def _why(exc: BaseException) -> str:
    """What a monitor reads in status.json: the error's kind and its whole message (bounded)."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"{type(exc).__name__}: {str(exc).strip()}"[:2000]


@contextmanager
def _history_environment(study_reports: Path, run_id: str):
    """The kernels learn where the study's earlier runs are and which run is under way (so a comparison looks back
    at the runs before this one)."""
    saved = {name: os.environ.get(name) for name in (runs.REPORTS_ENV, runs.RUN_ENV)}
    os.environ[runs.REPORTS_ENV], os.environ[runs.RUN_ENV] = str(study_reports.resolve()), run_id
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run_steps(root, loaded, study, selected, present, lacking, merged, run_dir, kernel, progress, say) -> RunResult:
    result = RunResult(run_dir)
    for number, step in enumerate(selected, start=1):
        if step not in present:
            reason = (f"the study has no {' or '.join(lacking[step])}" if lacking[step]
                      else "notebook not in this workbook yet")
            say(f"[{number}/{len(selected)}] {step}: {reason} — skipped")
            result.skipped.append(step)
            result.reasons[step] = reason
            continue
        say(f"[{number}/{len(selected)}] {step}")
        started = time.perf_counter()
        output = run_dir / f"{step}.ipynb"
        try:
            papermill.execute_notebook(str(root / "notebooks" / f"{step}.ipynb"), str(output), parameters=merged[step],
                                       kernel_name=kernel, progress_bar=progress, cwd=str(root),
                                       report_mode=False, extra_arguments=list(KERNEL_ARGUMENTS),
                                       config=_kernel_config())
        except PapermillExecutionError as exc:
            cell, first_line = _source_cell(output, exc.cell_index)
            failing = _failing_line(exc)
            where = f"cell {cell}, line {failing[0]} (`{failing[1]}`)" if failing else f"cell {cell} (`{first_line}`)"
            if failing and failing[2]:
                where += f" in the call to {failing[2]}"
            raise PipelineError(
                f"{step}.ipynb failed in {where}: {exc.ename}: {exc.evalue}\n"
                f"The executed notebook up to the failure is kept at {output}."
            ) from None
        export_html(output, run_dir / f"{step}.html")
        result.seconds[step] = time.perf_counter() - started
        result.executed.append(step)
        if step == "01_collect":
            for line in _quarantine_summary(loaded):
                say(line)
    return result
