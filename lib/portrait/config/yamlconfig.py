"""One way to read a YAML configuration file into a pydantic model, with one style of error.

Every configuration the workbook reads (study.yml, the survey codebook, the code frame, the interview
codebook, schemes, messages, RFM rules) goes through `load`. Parsing is bounded: a file over
`MAX_BYTES`, nesting deeper than `MAX_DEPTH` or YAML aliases (the "billion laughs" expansion) are refused
before anything is built. A problem names the file, the place (`questions[3] (id: gender).labels`),
what is wrong, the value found and, for an unknown key, the closest known one.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from portrait.errors import PortraitError

MAX_BYTES = 5_000_000
MAX_DEPTH = 40
Model = TypeVar("Model", bound=BaseModel)


class _NoAliases(yaml.SafeLoader):
    """Safe loading without anchors and aliases: an alias can make a small file expand without bound."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"line {event.start_mark.line + 1}: aliases (*name) are not allowed; "
                                 "write the value out")
        return super().compose_node(parent, index)


def _depth(node: Any, limit: int = MAX_DEPTH) -> int:
    stack, deepest = [(node, 1)], 1
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def read(path: Path, error: type[PortraitError] = PortraitError, what: str = "file") -> Any:
    """The parsed YAML of `path`, bounded; a missing, oversized, aliased or malformed file is `error`."""
    path = Path(path)
    if not path.exists():
        raise error(f"{path}: no {what} here; add one (`portrait new-study` writes commented examples).")
    if path.stat().st_size > MAX_BYTES:
        raise error(f"{path}: {path.stat().st_size:,} bytes is more than a {what} needs (limit {MAX_BYTES:,}); "
                    "is it the right file?")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliases)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text; save the {what} as UTF-8.") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc}). Fix the indentation or quoting.") from None
    if _depth(raw) > MAX_DEPTH:
        raise error(f"{path}: nested more than {MAX_DEPTH} levels deep; a {what} is flatter than that.")
    return raw


def load(path: Path, model: type[Model], error: type[PortraitError] = PortraitError, what: str = "file",
         raw: Any = None) -> Model:
    """`path` read (or `raw`, already read) and validated as `model`; every problem at once, in one style."""
    path = Path(path)
    raw = read(path, error, what) if raw is None else raw
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise error(f"{path}: expected a mapping of keys at the top level of the {what}.")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(describe(path, model, exc, raw, what)) from None


def describe(path: Path, model: type[BaseModel], exc: ValidationError, raw: Any, what: str = "file") -> str:
    problems = []
    for e in exc.errors():
        where = place(e["loc"], raw)
        if e["type"] == "extra_forbidden":
            known = known_keys(model, e["loc"][:-1])
            close = difflib.get_close_matches(str(e["loc"][-1]), known, n=1)
            hint = (f" (did you mean `{close[0]}`?)" if close
                    else f" (known here: {', '.join(known)})" if known else "")
            problems.append(f"`{where}`: unknown key. Remove it or correct its spelling{hint}.")
        elif e["type"] == "missing":
            problems.append(f"`{where}`: required key is missing; add it (README describes every {what} key).")
        else:
            problems.append(f"`{where}`: {e['msg']} (got {_short(repr(e.get('input')))}).")
    return f"{path}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems)


def _short(text: str, limit: int = 200) -> str:
    """A value as an error may echo it: never more than `limit` characters."""
    return text if len(text) <= limit else text[:limit] + f"… ({len(text):,} characters)"


def place(loc: tuple, raw: Any) -> str:
    """`questions[3] (id: gender).labels` rather than a bare index path."""
    parts, node = [], raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            node = node[part] if part < len(node) else {}
            name = next((node.get(k) for k in ("id", "code", "name") if isinstance(node, dict) and node.get(k)), None)
            label = f"[{part}]" + (f" (id: {name})" if name else "")
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            node = node.get(part, {}) if isinstance(node, dict) else {}
            parts.append(str(part))
    return ".".join(parts)


def known_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the (nested) model at `loc`, for "did you mean"; list indices and the keys of a
    mapping (`messages: {code: entry}`) are stepped over."""
    current: Any = model
    keyed = False  # the next part is a key of a mapping, not a field
    for part in loc:
        if isinstance(part, int) or keyed:
            keyed = False
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or str(part) not in fields:
            return []
        annotation = fields[str(part)].annotation
        keyed = getattr(annotation, "__origin__", None) is dict
        candidates = [a for a in _flatten(annotation) if hasattr(a, "model_fields")]
        if not candidates:
            return []
        current = candidates[0]
    return list(getattr(current, "model_fields", {}))


def _flatten(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    if not args:
        return [annotation]
    return [a for arg in args for a in _flatten(arg)]
