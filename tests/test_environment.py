"""pyproject.toml and environment.yml must list the same dependencies with the same version ranges."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(spec: str) -> tuple[str, str]:
    name, rest = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", spec).groups()
    return name.lower().replace("_", "-"), rest.replace(" ", "")


def pyproject_requirements(path: Path) -> dict[str, str]:
    project = tomllib.loads(path.read_text())["project"]
    specs = project["dependencies"] + [s for group in project["optional-dependencies"].values() for s in group]
    return dict(_split(s) for s in specs)


def environment_requirements(path: Path) -> dict[str, str]:
    env = yaml.safe_load(path.read_text())
    specs = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python=", "pip"))]
    pip = next((d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d), [])
    specs += [d for d in pip if not d.startswith("-")]  # packages conda-forge lacks come from pip
    return dict(_split(s) for s in specs)


def drift(py: dict[str, str], conda: dict[str, str]) -> dict[str, tuple]:
    names = set(py) | set(conda)
    return {n: (py.get(n), conda.get(n)) for n in sorted(names) if py.get(n) != conda.get(n)}


def test_environment_yml_mirrors_pyproject():
    py = pyproject_requirements(ROOT / "pyproject.toml")
    assert drift(py, environment_requirements(ROOT / "environment.yml")) == {}
    assert all(py.values()), "every dependency has a pinned version range"


def test_a_changed_range_is_reported(tmp_path):
    changed = tmp_path / "environment.yml"
    changed.write_text((ROOT / "environment.yml").read_text().replace("pandas>=3.0,<4", "pandas>=2.0,<4"))
    py = pyproject_requirements(ROOT / "pyproject.toml")
    assert drift(py, environment_requirements(changed)) == {"pandas": (">=3.0,<4", ">=2.0,<4")}
