"""Provenance manifest: which inputs (by hash), parameters and code produced the processed tables."""

from __future__ import annotations

import hashlib
import platform
import subprocess
from pathlib import Path

from portrait import __version__


_KNOWN_SHA256: dict[tuple, str] = {}  # (path, size, mtime) -> hash, from a reader that streamed the whole file


def _identity(path: Path) -> tuple:
    status = Path(path).stat()
    return str(Path(path).resolve()), status.st_size, status.st_mtime_ns


def remember_sha256(path: Path, digest: str) -> None:
    """Keep the hash a reader computed while it streamed the whole file anyway (a loyalty export of gigabytes is
    then read once, not twice); a file changed since (size or time) is hashed again."""
    _KNOWN_SHA256[_identity(path)] = digest


def file_sha256(path: Path) -> str:
    known = _KNOWN_SHA256.get(_identity(path))
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit(folder: Path) -> str | None:
    """The repository's commit, with '+dirty' when the work tree has changes; None outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty else "")


def manifest(step: str, study_dir: Path, inputs: dict[str, Path], outputs: dict[str, dict],
             parameters: dict) -> dict:
    """A JSON-ready record of one step's run (no timestamps, so equal runs give equal manifests)."""
    return {
        "step": step,
        "study": study_dir.name,
        "portrait_version": __version__,
        "python": platform.python_version(),
        "git_commit": git_commit(study_dir),
        "parameters": parameters,
        "inputs": {name: {"path": str(path.relative_to(study_dir)), "bytes": path.stat().st_size,
                          "sha256": file_sha256(path)} for name, path in sorted(inputs.items())},
        "outputs": outputs,
    }
