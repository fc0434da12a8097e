"""`portrait new-study NAME`: a commented study skeleton that needs no change to lib/ or notebooks."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from portrait.errors import StudyConfigError

FOLDERS = ["survey", "interviews", "loyalty"]


def write_skeleton(folder: Path, name: str) -> Path:
    """Create `folder` with study.yml, codebook.yml and empty source folders; never overwrites a study."""
    if (folder / "study.yml").exists():
        raise StudyConfigError(f"{folder / 'study.yml'} already exists; choose another name or edit it.")
    for sub in FOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    templates = files("portrait").joinpath("templates")
    study = templates.joinpath("study.yml").read_text(encoding="utf-8")
    from portrait.config.parameters import listing

    study = study.replace("__NAME__", name).replace("__PARAMETERS__", listing())
    (folder / "study.yml").write_text(study, encoding="utf-8")
    (folder / "codebook.yml").write_text(templates.joinpath("codebook.yml").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    return folder
