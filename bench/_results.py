"""What every benchmark records beside its figures, and the JSON it keeps them in.

The conditions of a run (machine, load, Python, time, commit, package versions) and bench/results/NAME.json,
one entry per size: a run replaces the sizes it measured and keeps the others, so a long series can be
measured in parts. bench/readme_table.py renders the README's tables from these files.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_average() -> float:
    """The 1-minute load average: the machine may be shared, and wall times depend on it."""
    return psutil.getloadavg()[0]


def machine_line() -> str:
    """Printed before a run starts."""
    return (f"{psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM; "
            f"load average now: {load_average():.1f}\n")


def machine(load: tuple[float, float]) -> dict:
    """A size's conditions shared by every benchmark: the machine, the load average before and after measuring
    it, Python, when and at which commit."""
    return {"cores": psutil.cpu_count(), "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_before": round(load[0], 2), "load_average_after": round(load[1], 2),
            "python": platform.python_version(), "measured_at": now(), "git_commit": git_commit()}


def save(records: dict[int, dict], output: Path, *, benchmark: str, json_version: int, target: dict,
         merge: Callable[[dict, dict], dict] | None = None) -> None:
    """Merge the measured sizes into `output` and write it atomically. The other sizes stay as they were; a size
    measured again replaces the old entry, or is `merge(new, old)` when given. A file of another `json_version`
    is started afresh."""
    data = {"benchmark": benchmark, "script": f"bench/bench_{benchmark}.py", "version": json_version, "sizes": {}}
    if output.exists():
        old = json.loads(output.read_text())
        if old.get("version") == json_version:
            data["sizes"] = old.get("sizes", {})
    data["target"] = target
    for n, record in records.items():
        old_record = data["sizes"].get(str(n))
        data["sizes"][str(n)] = merge(record, old_record) if merge and old_record else record
    data["sizes"] = dict(sorted(data["sizes"].items(), key=lambda item: int(item[0])))
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    partial.replace(output)


def size(text: str) -> int:
    """A size on the command line: 200000, 200_000, 200k, 10M."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def shown(path: Path) -> Path:
    """A path as printed: relative to the repository when inside it."""
    return path.relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
