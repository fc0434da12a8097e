"""REFI-QDA projects (.qdpx): hand interviews to a QDA tool for coding, and read the coding back.

A .qdpx is a zip holding `project.qde` (XML, namespace urn:QDA-XML:project:1.0, schema
Project-mrt2019.xsd) and `Sources/`. We write each interview as a plain-text source with one speaker
turn per line ("role: text"), each coding as a `PlainTextSelection` over the turn's text, made by the
`User` that stands for its coder. Reading takes what QualCoder, MAXQDA, ATLAS.ti or NVivo write: a
selection's character offsets (startPosition, endPosition: characters, not bytes, end exclusive) map
to every turn they cover, a turn being a non-blank line of the source's text (from `Sources/` or
inline `PlainTextContent`); codings on a whole source cover all its turns; nested codes are flattened
into the codebook with their parents kept (qual_codebook.read_code_tree); `<Sets>` are read with their
member codes and sources; each coding's `creatingUser` (else its selection's) names its coder, so one
file can hold several coders. Coded selections come back as rows (document, turn, code, coder).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from portrait.io import atomic
from portrait.errors import CodebookError
from portrait.interviews.qual_codebook import NAMESPACE as CODEBOOK_NAMESPACE
from portrait.interviews.qual_codebook import (CodeTree, QualCodebook, normal_guid, read_code_tree, stable_guid,
                                               to_qdc, xml_text)

NAMESPACE = "urn:QDA-XML:project:1.0"
Q = f"{{{NAMESPACE}}}"
AUTO_CODER = "portrait auto-coder"
CODING_COLUMNS = ["document", "turn", "code", "coder"]
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


@dataclass
class CodeSet:
    """A REFI-QDA `<Set>`: member codes (ids; a non-codable member stands for its codable descendants)
    and member text sources (document names)."""
    name: str
    codes: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class QdaProject:
    """What read_project takes from a .qdpx: the codebook (with parents of nested codes), the coded
    turns, the coders (every `<User>`, in file order) and the sets."""
    book: QualCodebook
    codings: pd.DataFrame
    coders: list[str]
    sets: list[CodeSet]
    parents: dict[str, str]


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", str(text))


def write_qdpx(path: str | Path, turns: pd.DataFrame, book: QualCodebook,
               codings: pd.DataFrame | None = None, coder: str = AUTO_CODER) -> Path:
    """A project with the codebook, one text source per interview and (optionally) coded selections:
    one selection per coded turn and coder, one coding in it per code. A `coder` column in `codings`
    names each row's coder (a `<User>` each); without one, every coding is `coder`'s."""
    coders = [coder] if codings is None or "coder" not in codings else \
        sorted(set(codings["coder"].fillna(coder).astype(str)) or {coder})
    users = {name: stable_guid(f"user:{name}") for name in coders}
    project = ET.Element(f"{Q}Project", {"name": "portrait interviews", "origin": "portrait"})
    user_list = ET.SubElement(project, f"{Q}Users")
    for name, guid in users.items():
        ET.SubElement(user_list, f"{Q}User", {"guid": guid, "name": name})
    codebook = ET.fromstring(to_qdc(book))
    ET.SubElement(project, f"{Q}CodeBook").append(_renamespace(codebook.find(f"{{{CODEBOOK_NAMESPACE}}}Codes")))
    files = {}
    sources = ET.SubElement(project, f"{Q}Sources")
    for document, doc_turns in turns.sort_values(["document", "turn"]).groupby("document", sort=True):
        guid = stable_guid(f"source:{document}")
        lines = [f"{_one_line(role)}: {_one_line(text)}" for role, text in zip(doc_turns["role"], doc_turns["text"])]
        files[f"Sources/{guid}.txt"] = "\n".join(lines) + "\n"
        source = ET.SubElement(sources, f"{Q}TextSource", {"guid": guid, "name": str(document),
                                                           "plainTextPath": f"internal://{guid}.txt"})
        if codings is None:
            continue
        spans, position = {}, 0  # the turn's speech: after "role: ", to the end of its line
        for turn, role, line in zip(doc_turns["turn"], doc_turns["role"], lines):
            spans[int(turn)] = (position + len(_one_line(role)) + 2, position + len(line))
            position += len(line) + 1
        mine = codings[codings["document"] == document]
        who = mine["coder"].fillna(coder).astype(str) if "coder" in mine else pd.Series(coder, index=mine.index)
        selections = {}
        for turn, code, name in sorted(set(zip(mine["turn"].astype(int), mine["code"], who))):
            if turn not in spans:
                raise CodebookError(f"a coding of {document!r} names turn {turn}, which the interview lacks.")
            if (turn, name) not in selections:
                start, end = spans[turn]
                selections[turn, name] = ET.SubElement(source, f"{Q}PlainTextSelection", {
                    "guid": stable_guid(f"sel:{document}:{turn}:{name}"), "startPosition": str(start),
                    "endPosition": str(end), "creatingUser": users[name]})
            coding = ET.SubElement(selections[turn, name], f"{Q}Coding", {
                "guid": stable_guid(f"coding:{document}:{turn}:{code}:{name}"), "creatingUser": users[name]})
            ET.SubElement(coding, f"{Q}CodeRef", {"targetGUID": stable_guid(f"code:{code}")})
    if not len(sources):
        project.remove(sources)  # the schema wants at least one source in <Sources>
    with atomic.atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml_text(project, NAMESPACE))
        for name, text in files.items():
            archive.writestr(name, text)
    return Path(path)


def _renamespace(element: ET.Element) -> ET.Element:
    """The codebook's elements moved into the project namespace (a .qde uses one namespace)."""
    for node in element.iter():
        node.tag = Q + node.tag.split("}", 1)[-1]
    return element


def read_qdpx(path: str | Path) -> tuple[QualCodebook, pd.DataFrame]:
    """The project's codebook and its coded selections as (document, turn, code, coder) rows."""
    project = read_project(path)
    return project.book, project.codings


def read_project(path: str | Path) -> QdaProject:
    """Everything read_qdpx gives, with the coders, the sets and the parents of nested codes."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
        root = ET.fromstring(archive.read("project.qde"))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
        raise CodebookError(f"{path}: not a REFI-QDA project (.qdpx with project.qde): {exc}.") from None
    if root.tag != f"{Q}Project":
        raise CodebookError(f"{path}: project.qde has root {root.tag!r}, not a REFI-QDA Project.")
    codebook = root.find(f"{Q}CodeBook")
    if codebook is None:
        raise CodebookError(f"{path}: the project has no codebook.")
    tree = read_code_tree(codebook.find(f"{Q}Codes"), NAMESPACE, str(path))
    users = _users(root)
    rows, documents = [], {}
    for source in root.iter(f"{Q}TextSource"):
        name = source.get("name") or source.get("guid")
        documents[normal_guid(source.get("guid"))] = name
        text = _read_source(archive, source, path)
        lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*", text) if m.group().strip()]
        for coding in source.findall(f"{Q}Coding"):  # the whole source coded
            rows += [(name, turn, *_coding(coding, source, tree, users, path, name))
                     for turn in range(1, len(lines) + 1)]
        for selection in source.iter(f"{Q}PlainTextSelection"):
            turns = _turns_covered(selection, lines, len(text), name, path)
            for coding in selection.findall(f"{Q}Coding"):
                rows += [(name, turn, *_coding(coding, selection, tree, users, path, name)) for turn in turns]
    codings = pd.DataFrame(rows, columns=CODING_COLUMNS).drop_duplicates(ignore_index=True)
    return QdaProject(tree.book, codings.astype({"turn": "int64"}), list(users.values()),
                      _sets(root, tree, documents, path), tree.parents)


def _users(root: ET.Element) -> dict[str, str]:
    """Each `<User>`'s GUID -> a coder name: its name, else its id, else its GUID (repeated names told apart)."""
    found = [(normal_guid(u.get("guid")), u.get("name") or u.get("id") or normal_guid(u.get("guid")))
             for u in root.iter(f"{Q}User")]
    names = [name for _, name in found]
    return {guid: name if names.count(name) == 1 else f"{name} ({guid[:8]})" for guid, name in found}


def _coding(coding: ET.Element, selection: ET.Element, tree: CodeTree, users: dict[str, str], path: Path,
            document: str) -> tuple[str, str]:
    """(code, coder) of one `<Coding>`: its CodeRef's code; its creatingUser, else its selection's."""
    ref = coding.find(f"{Q}CodeRef")
    target = normal_guid(ref.get("targetGUID") if ref is not None else "")
    code = tree.by_guid.get(target)
    if code is None:
        what = "a code that is not codable" if target in tree.below else "a code that is not in the project's codebook"
        raise CodebookError(f"{path}: a coding in {document!r} refers to {what} ({target}).")
    user = normal_guid(coding.get("creatingUser") or selection.get("creatingUser"))
    return code, users.get(user, user)


def _turns_covered(selection: ET.Element, lines: list[tuple[int, int]], length: int, document: str,
                   path: Path) -> list[int]:
    """The turns (1-based non-blank lines) whose text the selection [start, end) overlaps; an empty
    selection, or one over line breaks alone, counts for the line it starts in."""
    try:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        start, end = -1, -1
    if not 0 <= start <= end or start > length:
        raise CodebookError(f"{path}: selection {selection.get('guid')} in {document!r} runs from "
                            f"{selection.get('startPosition')} to {selection.get('endPosition')}, which is not a "
                            f"stretch of its {length} characters of text.")
    covered = [turn for turn, (a, b) in enumerate(lines, start=1) if start < b and end > a]
    if not covered and lines:
        covered = [max((turn for turn, (a, _) in enumerate(lines, start=1) if a <= start), default=1)]
    if not covered:
        raise CodebookError(f"{path}: selection {selection.get('guid')} in {document!r} is coded, but the "
                            "source has no text.")
    return covered


def _sets(root: ET.Element, tree: CodeTree, documents: dict[str, str], path: Path) -> list[CodeSet]:
    sets = []
    for element in root.findall(f"{Q}Sets/{Q}Set"):
        codes, names = [], []
        for member in element.findall(f"{Q}MemberCode"):
            target = normal_guid(member.get("targetGUID"))
            if target not in tree.below:
                raise CodebookError(f"{path}: set {element.get('name')!r} names a code ({target}) that is not in "
                                    "the project's codebook.")
            codes += [c for c in tree.below[target] if c not in codes]
        for member in element.findall(f"{Q}MemberSource"):
            target = normal_guid(member.get("targetGUID"))
            if target in documents and documents[target] not in names:
                names.append(documents[target])  # a picture, PDF or media source is not an interview
        sets.append(CodeSet(element.get("name", ""), codes, names, element.findtext(f"{Q}Description") or ""))
    return sets


def _read_source(archive: zipfile.ZipFile, source: ET.Element, path: Path) -> str:
    """A text source's plain text: inline `PlainTextContent`, else the `Sources/` file its plainTextPath
    names (internal://, or a path inside the project file); UTF-8, a byte-order mark not counted."""
    inline = source.find(f"{Q}PlainTextContent")
    if inline is not None:
        return inline.text or ""
    location = source.get("plainTextPath", "")
    member = "Sources/" + location.removeprefix("internal://") if location.startswith("internal://") else location
    try:
        data = archive.read(member)
    except KeyError:
        raise CodebookError(f"{path}: source {source.get('name')!r} points at {location!r}, "
                            "which is not in the project file.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{path}: source {source.get('name')!r} ({location}) is not UTF-8 text "
                            f"as REFI-QDA requires ({exc}).") from None
