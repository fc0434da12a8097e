"""REFI-QDA projects: our export validates against the published schema and reads back to the same coded
turns; projects as QDA tools write them (tests/data/refi/, themselves schema-valid) are imported."""

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from portrait.interviews.agreement import agreement
from portrait.interviews.autocoding import autocode
from portrait.errors import CodebookError
from portrait.interviews.qdpx import AUTO_CODER, read_project, read_qdpx, write_qdpx
from portrait.interviews.qual_codebook import load_qual_codebook
from portrait.interviews.second_coder import by_coder, pairwise_agreement, read_codings

from test_qual_codebook import DEMO_BOOK, schema_errors

REFI = Path(__file__).resolve().parent / "data" / "refi"
P = "{urn:QDA-XML:project:1.0}"


def pack(folder: Path, path: Path, edit=lambda text: text) -> Path:
    """A fixture folder (project.qde + Sources/) zipped into a .qdpx, as a tool hands it over."""
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            name = file.relative_to(folder).as_posix()
            if name == "project.qde":
                archive.writestr(name, edit(file.read_text(encoding="utf-8")))
            elif file.is_file():
                archive.write(file, name)
    return path


def check_project(archive: zipfile.ZipFile) -> ET.Element:
    """project.qde is valid against the schema, and holds what the schema cannot say: unique GUIDs,
    references that resolve, each text source's text in one place, selections inside their text."""
    qde = archive.read("project.qde")
    assert schema_errors(qde) == []
    root = ET.fromstring(qde)
    guids = [e.get("guid").strip("{}").upper() for e in root.iter() if e.get("guid")]
    assert len(guids) == len(set(guids)), "every GUID names one thing"
    codes = {e.get("guid") for e in root.iter(f"{P}Code")}
    assert {r.get("targetGUID") for r in root.iter(f"{P}CodeRef")} <= codes
    assert {r.get("targetGUID") for r in root.iter(f"{P}MemberCode")} <= codes
    users = {u.get("guid") for u in root.iter(f"{P}User")}
    assert {e.get("creatingUser") for e in root.iter() if e.get("creatingUser")} <= users
    for source in root.iter(f"{P}TextSource"):
        inline, location = source.find(f"{P}PlainTextContent"), source.get("plainTextPath")
        assert (inline is None) != (location is None), "either PlainTextContent or plainTextPath, not both"
        text = inline.text if inline is not None else \
            archive.read("Sources/" + location.removeprefix("internal://")).decode("utf-8-sig")
        for selection in source.iter(f"{P}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start <= end <= len(text)
            if selection.get("name"):  # tools name a selection by its text: the offsets count characters
                assert text[start:end] == selection.get("name"), (source.get("name"), selection.get("guid"))
    return root


@pytest.mark.parametrize("tool", ["qualcoder", "maxqda"])
def test_tool_fixtures_are_valid_refi_qda_projects(tmp_path, tool):
    with zipfile.ZipFile(pack(REFI / tool, tmp_path / f"{tool}.qdpx")) as archive:
        check_project(archive)


def test_round_trip_of_the_demo_coding(tmp_path, demo_study):
    """Export (the auto-coding and a second coder's) -> valid project -> import: the same codings."""
    turns = demo_study.read("turns")
    book = load_qual_codebook(DEMO_BOOK)
    segments = autocode(turns, book)
    second = segments.iloc[::3].assign(coder="Olena")  # a person's coding beside the auto-coder's
    codings = pd.concat([segments.assign(coder="auto"), second])
    path = write_qdpx(tmp_path / "interviews.qdpx", turns, book, codings)
    with zipfile.ZipFile(path) as archive:
        root = check_project(archive)
        assert "project.qde" in archive.namelist() and len(archive.namelist()) == 37  # + 36 sources
        assert archive.read("project.qde").decode().split("\n")[1].startswith(
            '<Project name="portrait interviews"'), "one default namespace, no ns0: prefixes"
    assert [u.get("name") for u in root.iter(f"{P}User")] == ["Olena", "auto"]
    read_book, read_codings = read_qdpx(path)
    assert read_book == book
    expected = set(zip(codings["document"], codings["turn"], codings["code"], codings["coder"]))
    assert set(read_codings.itertuples(index=False, name=None)) == expected
    assert len(read_codings) == len(expected)


def test_export_keeps_a_turn_on_its_line(tmp_path):
    """A line break inside a turn's text would shift every later turn: it becomes a space."""
    book = load_qual_codebook(DEMO_BOOK)
    code = book.codes[0].code
    turns = pd.DataFrame({"document": ["A"] * 3, "turn": [1, 2, 3],
                          "role": ["interviewer", "respondent", "respondent"],
                          "text": ["Why?", "Too\nexpensive,\r\nreally.", "Yes — ціни «кусаються»."]})
    codings = pd.DataFrame({"document": ["A", "A"], "turn": [2, 3], "code": [code, code]})
    path = write_qdpx(tmp_path / "a.qdpx", turns, book, codings, coder="Anna")
    with zipfile.ZipFile(path) as archive:
        check_project(archive)
        assert archive.read(next(n for n in archive.namelist() if n.startswith("Sources/"))).decode() == (
            "interviewer: Why?\nrespondent: Too expensive, really.\nrespondent: Yes — ціни «кусаються».\n")
    assert read_qdpx(path)[1].to_dict("records") == [{"document": "A", "turn": 2, "code": code, "coder": "Anna"},
                                                     {"document": "A", "turn": 3, "code": code, "coder": "Anna"}]


def test_a_qualcoder_project_with_two_coders_is_read(tmp_path):
    project = read_project(pack(REFI / "qualcoder", tmp_path / "qualcoder.qdpx"))
    assert list(project.book.groups) == ["barriers", "motives", "loyalnist"]
    assert [(c.code, c.group) for c in project.book.codes] == [
        ("price_too_high", "barriers"), ("delivery", "barriers"), ("late_delivery", "barriers"),
        ("barriers_other", "barriers"), ("quality", "motives"), ("motives_other", "motives"),
        ("loyalnist", "loyalnist")]
    assert project.parents == {"late_delivery": "delivery"}
    assert project.coders == ["Anna", "Bohdan"]
    assert set(project.codings.itertuples(index=False, name=None)) == {
        ("INT-07", 2, "price_too_high", "Anna"), ("INT-07", 2, "price_too_high", "Bohdan"),
        ("INT-07", 3, "late_delivery", "Bohdan"), ("INT-07", 4, "late_delivery", "Bohdan"),  # over two turns
        ("INT-07", 6, "quality", "Anna"), ("INT-07", 6, "loyalnist", "Bohdan"),
        ("INT-07", 6, "motives_other", "Bohdan"),  # Bohdan's coding on a selection Anna made
        ("INT-12", 2, "price_too_high", "Anna"),
        ("INT-12", 4, "delivery", "Bohdan")}  # characters, not bytes: in bytes it would lie past the text
    assert [(s.name, s.codes, s.documents) for s in project.sets] == [
        ("Shopping experience", ["price_too_high", "delivery"], ["INT-07"]),
        ("Why they come", ["quality", "motives_other"], [])]  # a folder stands for its codes


def test_a_maxqda_project_is_read(tmp_path):
    """Byte-order mark, Windows line ends, blank lines, inline text, a whole-interview coding, a coded parent."""
    project = read_project(pack(REFI / "maxqda", tmp_path / "maxqda.qdpx"))
    assert [(c.code, c.group) for c in project.book.codes] == [
        ("channels", "channels"), ("word_of_mouth", "channels"), ("app", "channels"), ("price", "price"),
        ("repeat_intent", "repeat_intent"), ("online_shopper", "online_shopper")]
    assert project.parents == {"word_of_mouth": "channels", "app": "channels"}
    assert set(project.codings.itertuples(index=False, name=None)) == {
        *{("INT-03", turn, "online_shopper", "Katja") for turn in (1, 2, 3, 4)},
        ("INT-03", 2, "word_of_mouth", "Katja"), ("INT-03", 2, "channels", "Max"),
        ("INT-03", 3, "repeat_intent", "Max"), ("INT-03", 4, "repeat_intent", "Max"),
        ("INT-04", 2, "price", "Katja")}
    assert [(s.name, s.codes) for s in project.sets] == [("Acquisition", ["channels", "word_of_mouth"])]


def test_guids_are_matched_in_either_case_and_in_braces(tmp_path):
    def braces(text):  # every GUID written {UPPER CASE}, as the schema allows
        return re.sub(r'"([0-9a-f]{8}-[0-9a-f-]{27})"', lambda m: '"{' + m.group(1).upper() + '}"', text)

    path = pack(REFI / "qualcoder", tmp_path / "braces.qdpx", braces)
    with zipfile.ZipFile(path) as archive:
        assert "{7D3F0A52" in archive.read("project.qde").decode()
        assert schema_errors(archive.read("project.qde")) == []
    plain = read_project(pack(REFI / "qualcoder", tmp_path / "plain.qdpx"))
    assert read_project(path).codings.equals(plain.codings)


def test_agreement_is_taken_per_pair_of_coders(tmp_path):
    path = pack(REFI / "qualcoder", tmp_path / "qualcoder.qdpx")
    book, _ = read_qdpx(path)
    codes = [c.code for c in book.codes]
    codings = read_codings(path, codes)
    assert list(by_coder(codings)) == ["Anna", "Bohdan"]
    units = pd.DataFrame([("INT-07", t) for t in range(1, 7)] + [("INT-12", t) for t in range(1, 5)],
                         columns=["document", "turn"])
    table = pairwise_agreement(codings, units, codes)
    assert table[["coder", "other coder", "turns compared"]].values.tolist() == [["Anna", "Bohdan", 10]]
    pair = agreement(codings[codings["coder"] == "Anna"], codings[codings["coder"] == "Bohdan"], units, codes)
    assert table.loc[0, "Krippendorff's alpha"] == pair.alpha == 0.1747  # they agree on price, not on the rest
    three = pd.concat([codings, codings[codings["coder"] == "Anna"].assign(coder="Chris")])
    assert pairwise_agreement(three, units, codes)[["coder", "other coder"]].values.tolist() == [
        ["Anna", "Bohdan"], ["Anna", "Chris"], ["Bohdan", "Chris"]]
    assert pairwise_agreement(three, units, codes).loc[1, "Krippendorff's alpha"] == 1.0


def test_a_second_coders_project_leaves_the_auto_coding_out(tmp_path, demo_study):
    """interviews.qdpx carries the auto-coding to the QDA tool: read back, only the people's codings count."""
    turns = demo_study.read("turns")
    book = load_qual_codebook(DEMO_BOOK)
    codes = [c.code for c in book.codes]
    auto = autocode(turns, book)
    path = write_qdpx(tmp_path / "auto.qdpx", turns, book, auto)
    with pytest.raises(CodebookError, match="every coding in the project is by \\['portrait auto-coder'\\]"):
        read_codings(path, codes)
    person = auto.iloc[:5].assign(coder="Olena")
    write_qdpx(path, turns, book, pd.concat([auto.assign(coder=AUTO_CODER), person]))
    assert set(read_codings(path, codes).itertuples(index=False, name=None)) == set(
        zip(person["document"], person["turn"], person["code"], person["coder"]))
    with pytest.raises(CodebookError, match="which are left out"):
        read_codings(path, codes, exclude_coders=["Olena"])


PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Shop study" origin="QualCoder 3.5">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="Anna"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Barriers" isCodable="false">
      <Code guid="33333333-3333-3333-3333-333333333333" name="Price too high" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="44444444-4444-4444-4444-444444444444" name="INT-07" plainTextPath="internal://int07.txt">
      <PlainTextSelection guid="55555555-5555-5555-5555-555555555555" startPosition="33" endPosition="50"
                          creatingUser="11111111-1111-1111-1111-111111111111">
        <Coding guid="66666666-6666-6666-6666-666666666666" creatingUser="11111111-1111-1111-1111-111111111111">
          <CodeRef targetGUID="33333333-3333-3333-3333-333333333333"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
</Project>
"""


def test_a_qda_tools_project_is_imported(tmp_path):
    path = tmp_path / "tool.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT)
        archive.writestr("Sources/int07.txt", "interviewer: Why not more often?\nrespondent: Far too expensive.\n")
    book, segments = read_qdpx(path)
    assert [c.code for c in book.codes] == ["price_too_high"]
    assert segments.to_dict("records") == [{"document": "INT-07", "turn": 2, "code": "price_too_high",
                                            "coder": "Anna"}]


def test_broken_projects_are_named(tmp_path):
    path = tmp_path / "bad.qdpx"
    path.write_bytes(b"not a zip")
    with pytest.raises(CodebookError, match="not a REFI-QDA project"):
        read_qdpx(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT.replace("internal://int07.txt", "internal://gone.txt"))
    with pytest.raises(CodebookError, match="points at 'internal://gone.txt'"):
        read_qdpx(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT.replace('endPosition="50"', 'endPosition="20"'))
        archive.writestr("Sources/int07.txt", "interviewer: Why?\nrespondent: Too expensive.\n")
    with pytest.raises(CodebookError, match="runs from 33 to 20, which is not a stretch of its 45 characters"):
        read_qdpx(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT.replace('CodeRef targetGUID="33333333-3333-3333-3333-333333333333"',
                                                        'CodeRef targetGUID="22222222-2222-2222-2222-222222222222"'))
        archive.writestr("Sources/int07.txt", "interviewer: Why?\nrespondent: Too expensive.\n")
    with pytest.raises(CodebookError, match="refers to a code that is not codable"):
        read_qdpx(path)


def test_segments_from_a_project_must_use_known_codes(tmp_path):
    path = tmp_path / "tool.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT)
        archive.writestr("Sources/int07.txt", "interviewer: Why?\nrespondent: Too expensive.\n")
    assert read_codings(path, ["price_too_high"])["turn"].tolist() == [2]
    with pytest.raises(CodebookError, match=r"codes \['price_too_high'\] are not in the interview codebook"):
        read_codings(path, ["high_price"])
