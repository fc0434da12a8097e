"""The qualitative codebook: grouped codes with definitions, inclusion/exclusion notes and patterns
per language, and its exchange with QDA tools through the REFI-QDA codebook format (.qdc).

In a .qdc file each group is a non-codable parent code and each code a codable child (the structure
of the REFI-QDA schema's CodeBook). What REFI-QDA has no field for (our code id and the patterns)
travels in the code's Description under lines starting with `[portrait]`, so a codebook exported and
imported again is equal to the original, and a codebook made in QualCoder, NVivo, ATLAS.ti or MAXQDA
imports with ids taken from names. A tool's deeper code tree is flattened: every codable code at any
depth, a codable parent as well as its children, becomes a code of its top-level group, and
read_code_tree keeps which code was whose parent.
"""

from __future__ import annotations

import copy
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from portrait.io import atomic
from portrait.config import yamlconfig
from portrait.errors import CodebookError

NAMESPACE = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("9b0c2f52-6a4e-4c55-9d0e-6f7274726169")
MARK = "[portrait] "
GROUP_COLOURS = ["#2F5D62", "#DFA878", "#BA704F", "#6C4A6E", "#8FA9C7", "#C9B458", "#5E7D4F", "#A7C4BC"]


class QualCode(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str
    label: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    patterns: dict[str, list[str]] = Field(default_factory=dict)


class QualGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str
    description: str = ""


class QualCodebook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: dict[str, QualGroup]
    codes: list[QualCode]

    @model_validator(mode="after")
    def _consistent(self) -> "QualCodebook":
        ids = [c.code for c in self.codes]
        if len(ids) != len(set(ids)):
            raise ValueError(f"code ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        for code in self.codes:
            if code.group not in self.groups:
                raise ValueError(f"code `{code.code}` names group `{code.group}`, which is not under `groups`")
        return self

    def in_group(self, group: str) -> list[QualCode]:
        return [c for c in self.codes if c.group == group]


def load_qual_codebook(path: str | Path) -> QualCodebook:
    path = Path(path)
    return yamlconfig.load(path, QualCodebook, CodebookError, "interview codebook")


def stable_guid(name: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


def normal_guid(guid: str | None) -> str:
    """A GUID as REFI-QDA allows it (either case, optionally in braces) in one form, for comparisons."""
    return (guid or "").strip().strip("{}").upper()


def _description(code: QualCode) -> str:
    lines = [code.definition.strip()]
    if code.include:
        lines.append(f"Include: {code.include.strip()}")
    if code.exclude:
        lines.append(f"Exclude: {code.exclude.strip()}")
    lines.append(f"{MARK}id={code.code}")
    lines += [f"{MARK}{lang}={'; '.join(words)}" for lang, words in sorted(code.patterns.items())]
    return "\n".join(line for line in lines if line)


def to_qdc(book: QualCodebook, origin: str = "portrait") -> str:
    """The codebook as REFI-QDA Codebook XML (namespace urn:QDA-XML:codebook:1.0)."""
    root = ET.Element(f"{{{NAMESPACE}}}CodeBook", {"origin": origin})
    codes = ET.SubElement(root, f"{{{NAMESPACE}}}Codes")
    for number, (group_id, group) in enumerate(book.groups.items()):
        parent = ET.SubElement(codes, f"{{{NAMESPACE}}}Code", {
            "guid": stable_guid(f"group:{group_id}"), "name": group.label, "isCodable": "false",
            "color": GROUP_COLOURS[number % len(GROUP_COLOURS)]})
        ET.SubElement(parent, f"{{{NAMESPACE}}}Description").text = f"{group.description}\n{MARK}id={group_id}".strip()
        for code in book.in_group(group_id):
            child = ET.SubElement(parent, f"{{{NAMESPACE}}}Code", {
                "guid": stable_guid(f"code:{code.code}"), "name": code.label, "isCodable": "true",
                "color": GROUP_COLOURS[number % len(GROUP_COLOURS)]})
            ET.SubElement(child, f"{{{NAMESPACE}}}Description").text = _description(code)
    return xml_text(root, NAMESPACE) + "\n"


def xml_text(root: ET.Element, namespace: str) -> str:
    """An XML document whose elements all lie in `namespace`, written with it as the default namespace.

    Not ET.register_namespace (one global registry: the .qdc and the .qde each want their own default)
    nor tostring's default_namespace (it refuses unqualified attributes): local names, one xmlns."""
    root = copy.deepcopy(root)
    for node in root.iter():
        if node.tag != f"{{{namespace}}}{node.tag.rpartition('}')[2]}":
            raise ValueError(f"element {node.tag!r} is not in namespace {namespace}")
        node.tag = node.tag.rpartition("}")[2]
    root.set("xmlns", namespace)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def write_qdc(book: QualCodebook, path: str | Path) -> Path:
    return atomic.write_text(to_qdc(book), path)


# Cyrillic letters spelled in Latin ones, so that code names in Ukrainian or Russian give readable ids.
_CYRILLIC = {**dict(zip("абвгґдезийклмнопрстуфыэі", "abvggdeziyklmnoprstufyei")),
             "є": "ye", "ж": "zh", "ї": "yi", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
             "ю": "yu", "я": "ya", "ё": "yo", "ь": "", "ъ": ""}


def _slug(text: str) -> str:
    text = "".join(_CYRILLIC.get(ch, ch) for ch in text.lower())
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    slug = "_".join(re.findall(r"[a-z0-9]+", text))
    return (f"code_{slug}" if slug[:1].isdigit() else slug) or "code"


def _parse_description(text: str | None) -> tuple[dict, dict[str, str]]:
    fields, marks = {"definition": [], "include": "", "exclude": ""}, {}
    for line in (text or "").splitlines():
        if line.startswith(MARK):
            key, _, value = line[len(MARK):].partition("=")
            marks[key.strip()] = value.strip()
        elif line.startswith("Include: "):
            fields["include"] = line[len("Include: "):]
        elif line.startswith("Exclude: "):
            fields["exclude"] = line[len("Exclude: "):]
        elif line.strip():
            fields["definition"].append(line.strip())
    fields["definition"] = "\n".join(fields["definition"])
    return fields, marks


def _unique(marked: list[str | None], slugs: list[str], fallbacks: list[str]) -> list[str]:
    """Ids: a `[portrait] id=` as written; a name's slug when no other code has it, else the fallback
    (the parent's slug in front), numbered if that repeats too."""
    wanted = [m or s for m, s in zip(marked, slugs)]
    taken, result = set(m for m in marked if m), []
    for mark, slug, fallback in zip(marked, slugs, fallbacks):
        if mark:
            result.append(mark)
            continue
        candidate, number = (slug if wanted.count(slug) == 1 else fallback), 2
        while candidate in taken:
            candidate, number = f"{fallback}_{number}", number + 1
        taken.add(candidate)
        result.append(candidate)
    return result


@dataclass
class CodeTree:
    """A REFI-QDA code tree read into a codebook, with what the flat codebook cannot hold.

    `by_guid`: each codable code's GUID (normal_guid) -> its code id; `below`: each code's GUID -> what it
    stands for in a set: its own id when codable, else the ids of its codable descendants; `parents`:
    code id -> the id of the nearest codable code above it (nested codes are flattened into their
    top-level group, each parent kept as a code of its own).
    """
    book: QualCodebook
    by_guid: dict[str, str]
    below: dict[str, list[str]]
    parents: dict[str, str]


def read_code_tree(codes: ET.Element | None, namespace: str, source: str) -> CodeTree:
    """The codes under a REFI-QDA `<Codes>` element (of a .qdc, or of a project's `<CodeBook>`).

    Top-level codes become groups; every codable code at any depth becomes a code of its top-level
    group, a codable parent as well as its children. Ids come from `[portrait] id=` lines, else from
    names (Cyrillic spelled in Latin letters); a name used twice takes its parent's name in front.
    """
    if codes is None:
        raise CodebookError(f"{source}: the codebook has no <Codes> element.")
    q = f"{{{namespace}}}"
    parent_of = {child: node for node in codes.iter(f"{q}Code") for child in node.findall(f"{q}Code")}
    top = codes.findall(f"{q}Code")
    top_parsed = [_parse_description(e.findtext(f"{q}Description")) for e in top]
    top_slugs = [_slug(e.get("name", "")) for e in top]
    group_ids = _unique([marks.get("id") for _, marks in top_parsed], top_slugs, top_slugs)
    groups, found = {}, []  # found: (codable element, its group id)
    for element, (fields, _), group_id in zip(top, top_parsed, group_ids):
        groups[group_id] = {"label": element.get("name", group_id), "description": fields["definition"]}
        found += [(node, group_id) for node in element.iter(f"{q}Code") if node.get("isCodable") == "true"]
    parsed = [_parse_description(node.findtext(f"{q}Description")) for node, _ in found]
    slugs = [_slug(node.get("name", "")) for node, _ in found]
    fallbacks = [f"{_slug(parent_of[node].get('name', ''))}_{slug}" if node in parent_of else slug
                 for (node, _), slug in zip(found, slugs)]
    ids = _unique([marks.get("id") for _, marks in parsed], slugs, fallbacks)
    id_of = {node: code_id for (node, _), code_id in zip(found, ids)}
    records = []
    for (node, group_id), (fields, marks), code_id in zip(found, parsed, ids):
        patterns = {k: [w.strip() for w in v.split(";") if w.strip()] for k, v in marks.items() if k != "id"}
        records.append({"code": code_id, "group": group_id, "label": node.get("name", ""), **fields,
                        "patterns": patterns})
    try:
        book = QualCodebook.model_validate({"groups": groups, "codes": records})
    except ValidationError as exc:
        raise CodebookError(f"{source}: the codebook is not usable ({exc}).") from None
    parents = {}
    for node, _ in found:
        above = parent_of.get(node)
        while above is not None and above not in id_of:
            above = parent_of.get(above)
        if above is not None:
            parents[id_of[node]] = id_of[above]
    return CodeTree(book, by_guid={normal_guid(node.get("guid")): id_of[node] for node, _ in found},
                    below={normal_guid(node.get("guid")): [id_of[node]] if node in id_of else
                           [id_of[n] for n in node.iter(f"{q}Code") if n in id_of] for node in codes.iter(f"{q}Code")},
                    parents=parents)


def from_qdc(text: str, source: str = ".qdc") -> QualCodebook:
    """Read a REFI-QDA codebook: top-level codes become groups, codable codes at any depth become codes."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise CodebookError(f"{source}: not valid XML ({exc}).") from None
    if root.tag != f"{{{NAMESPACE}}}CodeBook":
        raise CodebookError(f"{source}: the root element is {root.tag!r}, not a REFI-QDA CodeBook "
                            f"in namespace {NAMESPACE}.")
    return read_code_tree(root.find(f"{{{NAMESPACE}}}Codes"), NAMESPACE, source).book


def read_qdc(path: str | Path) -> QualCodebook:
    return from_qdc(Path(path).read_text(encoding="utf-8-sig"), str(path))
