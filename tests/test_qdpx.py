"""REFI-QDA projects: our export reads back to the same coded turns; a tool's project is imported."""

import zipfile

import pytest

from portrait.interviews.autocoding import autocode
from portrait.errors import CodebookError
from portrait.interviews.qdpx import read_qdpx, write_qdpx
from portrait.interviews.qual_codebook import load_qual_codebook

from test_qual_codebook import DEMO_BOOK


def test_round_trip_of_the_demo_coding(tmp_path, demo_study):
    turns = demo_study.read("turns")
    book = load_qual_codebook(DEMO_BOOK)
    segments = autocode(turns, book)
    path = write_qdpx(tmp_path / "interviews.qdpx", turns, book, segments, coder="auto")
    read_book, read_codings = read_qdpx(path)
    assert read_book == book
    expected = set(zip(segments["document"], segments["turn"], segments["code"]))
    assert set(zip(read_codings["document"], read_codings["turn"], read_codings["code"])) == expected
    assert set(read_codings["coder"]) == {"auto"}
    with zipfile.ZipFile(path) as archive:
        assert "project.qde" in archive.namelist() and len(archive.namelist()) == 37  # + 36 sources


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


def test_segments_from_a_project_must_use_known_codes(tmp_path):
    from portrait.interviews.second_coder import read_codings

    path = tmp_path / "tool.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT)
        archive.writestr("Sources/int07.txt", "interviewer: Why?\nrespondent: Too expensive.\n")
    assert read_codings(path, ["price_too_high"])["turn"].tolist() == [2]
    with pytest.raises(CodebookError, match=r"codes \['price_too_high'\] are not in the interview codebook"):
        read_codings(path, ["high_price"])
