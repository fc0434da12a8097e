"""Run a snippet in a fresh interpreter and return its wall time and peak resident memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

PROBE = """
import json, resource, time
_start = time.perf_counter()
{body}
_seconds = time.perf_counter() - _start
print("\\n@@" + json.dumps({{"seconds": _seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(body: str, cwd: str = ".") -> dict:
    code = PROBE.format(body=textwrap.dedent(body))
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line[2:] for line in out.splitlines() if line.startswith("@@")))


def report(rows: list[tuple[str, dict]], baseline: str) -> None:
    base = dict(rows)[baseline]["seconds"]
    print(f"{'task':<56}{'seconds':>9}{'peak MiB':>10}{'ratio':>8}")
    for name, figures in rows:
        print(f"{name:<56}{figures['seconds']:>9.2f}{figures['peak_mib']:>10.0f}{figures['seconds'] / base:>8.2f}")
    print(f"ratio = seconds / seconds of '{baseline}', measured in this run")
