"""The stamp that keeps tests off stale processed data.

The tests read what the pipeline wrote into `data/processed/demo/`. That folder is only as good as the inputs
and the code that made it: the stamp written beside the outputs records a signature of both (every raw file of
the study, every file of the package, the code cells of the step notebooks, the package and Python versions)
and a digest of `personas.json` as the run left it. A session whose signature differs, or whose outputs were
rewritten since (a `portrait run` with other parameters), runs the pipeline again before any test.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path

import portrait

STAMP = ".portrait-test-stamp"
OUTPUT = "personas.json"  # written last, by step 05: a run that finished rewrote it


def _notebook_code(path: Path) -> bytes:
    """The code cells of a notebook: stored outputs, execution counts and markdown do not change what it writes."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return json.dumps([c["source"] for c in cells if c["cell_type"] == "code"]).encode()


def _files(folder: Path, pattern: str):
    return sorted(p for p in folder.rglob(pattern)
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def signature(raw: Path, package: Path, notebooks: Path) -> str:
    """A hash of the study's raw files, the package's source files and the notebooks' code, with the versions."""
    digest = hashlib.sha256(f"portrait {portrait.__version__} python {platform.python_version()}\n".encode())
    for label, folder, pattern in (("raw", raw, "*"), ("package", package, "*"), ("notebooks", notebooks, "*.ipynb")):
        for path in _files(folder, pattern):
            content = _notebook_code(path) if path.suffix == ".ipynb" else path.read_bytes()
            digest.update(f"{label}/{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _output_digest(processed: Path) -> str | None:
    output = processed / OUTPUT
    return hashlib.sha256(output.read_bytes()).hexdigest() if output.is_file() else None


def is_fresh(processed: Path, expected: str) -> bool:
    """True when the outputs were stamped with `expected` and have not been rewritten since."""
    stamp = processed / STAMP
    if not stamp.is_file() or (digest := _output_digest(processed)) is None:
        return False
    return stamp.read_text(encoding="utf-8").split() == [expected, digest]


def write(processed: Path, expected: str) -> None:
    (processed / STAMP).write_text(f"{expected}\n{_output_digest(processed)}\n", encoding="utf-8")


def ensure_fresh(processed: Path, raw: Path, package: Path, notebooks: Path, run) -> bool:
    """Call `run()` (which rebuilds `processed`) unless the stamp there matches; stamp what it made. True if it ran."""
    expected = signature(raw, package, notebooks)
    if is_fresh(processed, expected):
        return False
    run()
    write(processed, expected)
    return True
