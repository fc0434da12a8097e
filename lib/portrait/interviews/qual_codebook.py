"""The qualitative codebook: grouped codes with definitions, inclusion/exclusion notes and patterns
per language, and its exchange with QDA tools through the REFI-QDA codebook format (.qdc).

In a .qdc file each group is a non-codable parent code and each code a codable child. What REFI-QDA
has no field for (our code id and the patterns) travels in the code's Description under lines
starting with `[portrait]`, so a codebook exported and imported again is equal to the original,
and a codebook made in QualCoder, NVivo, ATLAS.ti or MAXQDA imports with ids taken from names.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
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
    ET.register_namespace("", NAMESPACE)
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
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_qdc(book: QualCodebook, path: str | Path) -> Path:
    return atomic.write_text(to_qdc(book), path)


def _slug(text: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", text.lower())) or "code"


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


def from_qdc(text: str, source: str = ".qdc") -> QualCodebook:
    """Read a REFI-QDA codebook: top-level codes become groups, codable descendants become codes."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise CodebookError(f"{source}: not valid XML ({exc}).") from None
    if root.tag != f"{{{NAMESPACE}}}CodeBook":
        raise CodebookError(f"{source}: the root element is {root.tag!r}, not a REFI-QDA CodeBook "
                            f"in namespace {NAMESPACE}.")
    ns = {"q": NAMESPACE}
    groups, codes = {}, []
    for parent in root.findall("q:Codes/q:Code", ns):
        fields, marks = _parse_description(parent.findtext("q:Description", default="", namespaces=ns))
        group_id = marks.get("id") or _slug(parent.get("name", ""))
        groups[group_id] = {"label": parent.get("name", group_id), "description": fields["definition"]}
        # A codable top-level code (a flat codebook) is filed under its own group.
        members = parent.findall(".//q:Code", ns) or ([parent] if parent.get("isCodable") == "true" else [])
        for element in members:
            if element.get("isCodable") != "true":
                continue
            fields, marks = _parse_description(element.findtext("q:Description", default="", namespaces=ns))
            patterns = {k: [w.strip() for w in v.split(";") if w.strip()] for k, v in marks.items() if k != "id"}
            codes.append({"code": marks.get("id") or _slug(element.get("name", "")), "group": group_id,
                          "label": element.get("name", ""), **fields, "patterns": patterns})
    try:
        return QualCodebook.model_validate({"groups": groups, "codes": codes})
    except ValidationError as exc:
        raise CodebookError(f"{source}: the codebook is not usable ({exc}).") from None


def read_qdc(path: str | Path) -> QualCodebook:
    return from_qdc(Path(path).read_text(encoding="utf-8"), str(path))
