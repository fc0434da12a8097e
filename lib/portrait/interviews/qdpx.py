"""REFI-QDA projects (.qdpx): hand interviews to a QDA tool for coding, and read the coding back.

A .qdpx is a zip holding `project.qde` (XML, namespace urn:QDA-XML:project:1.0) and `Sources/`.
We write each interview as a plain-text source with one speaker turn per line ("role: text"),
so a selection's character position tells its turn; coded selections are read back as rows
(document, turn, code, coder). A source we did not write is read the same way, a line per turn.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd

from portrait.io import atomic
from portrait.errors import CodebookError
from portrait.interviews.qual_codebook import NAMESPACE as CODEBOOK_NAMESPACE
from portrait.interviews.qual_codebook import QualCodebook, stable_guid, from_qdc, to_qdc

NAMESPACE = "urn:QDA-XML:project:1.0"
Q = f"{{{NAMESPACE}}}"


def _source_text(turns: pd.DataFrame) -> str:
    return "\n".join(f"{role}: {text}" for role, text in zip(turns["role"], turns["text"])) + "\n"


def write_qdpx(path: str | Path, turns: pd.DataFrame, book: QualCodebook,
               codings: pd.DataFrame | None = None, coder: str = "portrait") -> Path:
    """A project with the codebook, one text source per interview and (optionally) coded selections."""
    ET.register_namespace("", NAMESPACE)
    user = stable_guid(f"user:{coder}")
    project = ET.Element(f"{Q}Project", {"name": "portrait interviews", "origin": "portrait"})
    ET.SubElement(ET.SubElement(project, f"{Q}Users"), f"{Q}User", {"guid": user, "name": coder})
    codebook = ET.fromstring(to_qdc(book).split("?>", 1)[1])
    project_codebook = ET.SubElement(project, f"{Q}CodeBook")
    project_codebook.append(_renamespace(codebook.find(f"{{{CODEBOOK_NAMESPACE}}}Codes")))
    sources = ET.SubElement(project, f"{Q}Sources")
    files = {}
    for document, doc_turns in turns.sort_values(["document", "turn"]).groupby("document", sort=True):
        guid = stable_guid(f"source:{document}")
        text = _source_text(doc_turns)
        files[f"Sources/{guid}.txt"] = text
        source = ET.SubElement(sources, f"{Q}TextSource", {"guid": guid, "name": str(document),
                                                           "plainTextPath": f"internal://{guid}.txt"})
        if codings is None:
            continue
        offsets, position = {}, 0
        for turn, line in zip(doc_turns["turn"], text.splitlines()):
            offsets[int(turn)] = (position, position + len(line))
            position += len(line) + 1
        for row in codings[codings["document"] == document].itertuples():
            start, end = offsets[int(row.turn)]
            selection = ET.SubElement(source, f"{Q}PlainTextSelection", {
                "guid": stable_guid(f"sel:{document}:{row.turn}:{row.code}"), "startPosition": str(start),
                "endPosition": str(end), "creatingUser": user})
            coding = ET.SubElement(selection, f"{Q}Coding", {"guid": stable_guid(f"coding:{document}:{row.turn}:{row.code}"),
                                                              "creatingUser": user})
            ET.SubElement(coding, f"{Q}CodeRef", {"targetGUID": stable_guid(f"code:{row.code}")})
    ET.indent(project)
    with atomic.atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", ET.tostring(project, encoding="unicode", xml_declaration=True))
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
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
        root = ET.fromstring(archive.read("project.qde"))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as exc:
        raise CodebookError(f"{path}: not a REFI-QDA project (.qdpx with project.qde): {exc}.") from None
    if root.tag != f"{Q}Project":
        raise CodebookError(f"{path}: project.qde has root {root.tag!r}, not a REFI-QDA Project.")
    codes_element = root.find(f"{Q}CodeBook/{Q}Codes")
    if codes_element is None:
        raise CodebookError(f"{path}: the project has no codebook.")
    codebook_root = ET.Element(f"{{{CODEBOOK_NAMESPACE}}}CodeBook")
    codebook_root.append(codes_element)
    for node in codes_element.iter():
        node.tag = f"{{{CODEBOOK_NAMESPACE}}}" + node.tag.split("}", 1)[-1]
    book = from_qdc(ET.tostring(codebook_root, encoding="unicode"), str(path))
    by_guid = {}
    for element in codes_element.iter(f"{{{CODEBOOK_NAMESPACE}}}Code"):
        name = element.get("name")
        match = next((c for c in book.codes if c.label == name), None)
        if match is not None:
            by_guid[element.get("guid")] = match.code
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    rows = []
    for source in root.iter(f"{Q}TextSource"):
        text = _read_source(archive, source, path)
        line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        for selection in source.iter(f"{Q}PlainTextSelection"):
            start = int(selection.get("startPosition", "0"))
            turn = sum(1 for s in line_starts if s <= start)
            for ref in selection.iter(f"{Q}CodeRef"):
                code = by_guid.get(ref.get("targetGUID"))
                if code is None:
                    raise CodebookError(f"{path}: a selection in {source.get('name')!r} refers to a code "
                                        f"({ref.get('targetGUID')}) that is not in the project's codebook.")
                coder = users.get(selection.get("creatingUser"), selection.get("creatingUser") or "")
                rows.append((source.get("name"), turn, code, coder))
    codings = pd.DataFrame(rows, columns=["document", "turn", "code", "coder"]).drop_duplicates()
    return book, codings.astype({"turn": "int64"})


def _read_source(archive: zipfile.ZipFile, source: ET.Element, path: Path) -> str:
    location = source.get("plainTextPath", "")
    member = "Sources/" + location.removeprefix("internal://") if location.startswith("internal://") else location
    try:
        return archive.read(member).decode("utf-8")
    except KeyError:
        raise CodebookError(f"{path}: source {source.get('name')!r} points at {location!r}, "
                            "which is not in the project file.") from None
