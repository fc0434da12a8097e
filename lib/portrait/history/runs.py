"""The runs of a study: one record per run (`run.json` in its folder), the study's index page listing them and
`status.json` for a monitor.

`reports/<study>/<run-id>/run.json` says when the run started and finished, what it ran and skipped, whether it
succeeded, failed (and why) or was partial. `reports/<study>/status.json` says whether the last run succeeded and
which run `latest` points at; `reports/<study>/index.html` lists every run, newest first.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from portrait.io import atomic

RECORD = "run.json"
STATUS = "status.json"
SNAPSHOT = "snapshot"
REPORTS_ENV = "PORTRAIT_REPORTS_DIR"    # the study's reports folder, named to the kernels by the runner
RUN_ENV = "PORTRAIT_RUN_ID"             # the run under way, so it never compares with itself
SUCCEEDED, FAILED, PARTIAL = "succeeded", "failed", "partial"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def reports_folder(study) -> Path:
    """Where a study's runs are kept: the folder the runner names (PORTRAIT_REPORTS_DIR), else
    `reports/<study folder name>/` at the repository root (`data/raw/<study>` two levels below it)."""
    named = os.environ.get(REPORTS_ENV)
    if named:
        return Path(named)
    return study.folder.resolve().parents[2] / "reports" / study.folder.name


def write_record(run_dir: Path, **fields) -> dict:
    """Write (or update) the run's record: fields given are merged into what it already says."""
    path = run_dir / RECORD
    record = read_record(run_dir) or {}
    record.update(fields)
    atomic.write_json(record, path)
    return record


def read_record(run_dir: Path) -> dict | None:
    path = run_dir / RECORD
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def runs(study_reports: Path) -> list[dict]:
    """Every recorded run of the study, oldest first (by when it started, to the nanosecond: a run id given by hand
    need not sort by time)."""
    if not study_reports.is_dir():
        return []
    found = []
    for folder in sorted(p for p in study_reports.iterdir() if p.is_dir() and not p.is_symlink()):
        record = read_record(folder)
        if record is not None:
            found.append({**record, "folder": folder})
    return sorted(found, key=lambda r: (r.get("started_ns") or 0, r.get("run_id") or ""))


def with_snapshot(study_reports: Path) -> list[dict]:
    """Succeeded, complete runs that kept a snapshot, oldest first: the runs a comparison can look back at."""
    return [r for r in runs(study_reports) if r.get("status") == SUCCEEDED and (r["folder"] / SNAPSHOT).is_dir()]


def previous(study_reports: Path, compare_to: str = "previous") -> dict | None:
    """The run to compare with: the last succeeded run with a snapshot (`previous`), a run named by its id, or
    none (`none`). The run under way (PORTRAIT_RUN_ID) is never its own previous run."""
    if compare_to == "none":
        return None
    under_way = os.environ.get(RUN_ENV)
    candidates = [r for r in with_snapshot(study_reports) if r.get("run_id") != under_way]
    if compare_to == "previous":
        return candidates[-1] if candidates else None
    named = [r for r in candidates if r.get("run_id") == compare_to]
    if not named:
        from portrait.errors import PortraitError

        known = ", ".join(r.get("run_id", "?") for r in candidates) or "none yet"
        raise PortraitError(f"compare_to = {compare_to!r}: no succeeded run of that id with a snapshot in "
                            f"{study_reports}; runs that can be compared with: {known}.")
    return named[0]


def write_status(study_reports: Path, study: str) -> dict:
    """status.json and index.html of the study from its run records: the last run, whether it succeeded (and why
    not), the last good run and the run `latest` points at."""
    records = runs(study_reports)
    last = records[-1] if records else None
    good = [r for r in records if r.get("status") == SUCCEEDED]
    latest = study_reports / "latest"
    status = {
        "study": study,
        "checked": now(),
        "ok": bool(last and last.get("status") == SUCCEEDED),
        "last_run": _public(last),
        "last_success": _public(good[-1]) if good else None,
        "latest": os.readlink(latest) if latest.is_symlink() else None,
        "runs": len(records),
    }
    atomic.write_json(status, study_reports / STATUS)
    from portrait.io.templating import render

    atomic.write_text(render("study_index.html.j2", study=study, status=status,
                             runs=[_public(r) for r in reversed(records)]), study_reports / "index.html")
    return status


FIELDS = ("run_id", "started_ns", "started", "finished", "status", "error", "executed", "skipped", "compared_with")


def _public(record: dict | None) -> dict | None:
    """The record without its folder, every field of FIELDS present (None when the run did not say)."""
    if record is None:
        return None
    return {**{k: None for k in FIELDS}, **{k: v for k, v in record.items() if k != "folder"}}
