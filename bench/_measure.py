"""Run a snippet in a fresh interpreter and return its wall time and peak resident memory."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import time

# The peak is the process image's own high-water mark (VmHWM), not getrusage's ru_maxrss: Linux carries ru_maxrss
# over from the parent through fork and exec, so a child of a benchmark holding gigabytes would report them too.
PROBE = """
import json, time
_start = time.perf_counter()
{body}
_seconds = time.perf_counter() - _start
_hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print("\\n@@" + json.dumps({{"seconds": _seconds, "peak_mib": _hwm / 1024}}))
"""


def measure(body: str, cwd: str = ".") -> dict:
    code = PROBE.format(body=textwrap.dedent(body))
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:  # say why, as run_limited does: the snippet's traceback, not only its exit status
        raise RuntimeError(f"benchmark snippet failed:\n{done.stderr[-2000:]}")
    return json.loads(next(line[2:] for line in done.stdout.splitlines() if line.startswith("@@")))


def run_limited(body: str, seconds: float, cap_mib: float, cwd: str = ".", after: str = "") -> dict:
    """Like `measure`, but stops the run after `seconds` or above `cap_mib` resident memory; then the
    result carries `stopped` (why) and the largest resident memory seen until then. `after` runs once
    the clock has stopped; a JSON object it prints on a line starting with `##` joins the result.

    Memory is that of the whole process tree (a Spark run's JVM is a child of the interpreter): `peak_mib` is
    the larger of the interpreter's own peak and the tree's resident memory sampled every 0.2 s."""
    import psutil

    code = PROBE.format(body=textwrap.dedent(body)) + textwrap.dedent(after)
    # Output goes to files, not pipes: DuckDB's progress bar alone could fill a pipe nobody reads yet.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, stdout=out, stderr=err, text=True)
        watched, started, seen_mib, stopped = psutil.Process(child.pid), time.perf_counter(), 0.0, None
        while child.poll() is None:
            try:
                seen_mib = max(seen_mib, tree_mib(watched))
            except psutil.NoSuchProcess:
                break
            if time.perf_counter() - started > seconds:
                stopped = f"did not finish in {seconds:.0f} s"
            elif seen_mib > cap_mib:
                stopped = f"stopped above {cap_mib:.0f} MiB resident"
            if stopped:
                child.kill()
                child.wait()
                return {"stopped": stopped, "seconds": time.perf_counter() - started, "peak_mib": seen_mib}
            time.sleep(0.2)
        out.seek(0), err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"benchmark snippet failed:\n{err.read()[-2000:]}")
        lines = out.read().splitlines()
    figures = json.loads(next(line[2:] for line in lines if line.startswith("@@")))
    figures["peak_mib"] = max(figures["peak_mib"], seen_mib)
    extra = [json.loads(line[2:]) for line in lines if line.startswith("##")]
    return figures | (extra[0] if extra else {})


def tree_mib(process) -> float:
    """Resident memory of `process` and of every process it started, in MiB."""
    import psutil

    total = process.memory_info().rss
    for child in process.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def median_of(runs: list[dict]) -> dict:
    """The run with the median wall time (odd number of runs) and how many runs there were; a stopped
    run ends the series, so a stopped result is returned as it is."""
    stopped = [run for run in runs if "stopped" in run]
    if stopped:
        return stopped[0]
    middle = sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]
    return middle | {"runs": len(runs), "spread": max(r["seconds"] for r in runs) - min(r["seconds"] for r in runs)}


def report(rows: list[tuple[str, dict]], baseline: str) -> None:
    base = dict(rows)[baseline]["seconds"]
    print(f"{'task':<56}{'seconds':>9}{'peak MiB':>10}{'ratio':>8}")
    for name, figures in rows:
        print(f"{name:<56}{figures['seconds']:>9.2f}{figures['peak_mib']:>10.0f}{figures['seconds'] / base:>8.2f}")
    print(f"ratio = seconds / seconds of '{baseline}', measured in this run")
