"""The interview codebook and its REFI-QDA (.qdc) exchange: round trip, import of a tool's file, and
validation against the published REFI-QDA schema (../shared/refi-qda/Project-mrt2019.xsd)."""

import functools
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from portrait.errors import CodebookError
from portrait.interviews.qual_codebook import (QualCodebook, from_qdc, load_qual_codebook, read_code_tree, read_qdc,
                                               to_qdc, write_qdc)

DEMO_BOOK = Path(__file__).resolve().parents[1] / "lib" / "portrait" / "demo" / "interview_codebook.yml"
DATA = Path(__file__).resolve().parent / "data"
# CI lays shared/ beside the repository: the schema is read from there, never fetched.
REFI_QDA = Path(__file__).resolve().parents[2] / "shared" / "refi-qda"
PROJECT_XSD = REFI_QDA / "Project-mrt2019.xsd"
PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


@functools.cache
def refi_schema():
    """The REFI-QDA project schema; its absence fails the test (it must not pass unchecked)."""
    if not PROJECT_XSD.is_file():
        pytest.fail(f"The REFI-QDA schema {PROJECT_XSD} is missing: the tests validate exports against "
                    "shared/refi-qda/Project-mrt2019.xsd, which must lie beside the repository (../shared).",
                    pytrace=False)
    import xmlschema

    return xmlschema.XMLSchema(str(PROJECT_XSD))


def schema_errors(document: bytes | str | ET.Element) -> list[str]:
    """What the project schema finds wrong in a project.qde (text or element); [] when it is valid."""
    source = io.BytesIO(document.encode() if isinstance(document, str) else document) \
        if isinstance(document, (bytes, str)) else document
    return [f"{error.path}: {error.reason}" for error in refi_schema().iter_errors(source)]


def qdc_in_project(text: str) -> ET.Element:
    """A .qdc codebook as the project schema sees a codebook, for validation.

    Project-mrt2019.xsd declares one global element, Project; CodeBook exists only as Project's child
    (type CodeBookType: one <Codes>, no attributes). So the .qdc is validated as the CodeBook of a
    minimal Project: its elements moved from urn:QDA-XML:codebook:1.0 to urn:QDA-XML:project:1.0, the
    root's `origin` attribute (which the stand-alone codebook schema allows on CodeBook) carried by the
    Project, and a <Sets> (which it allows after <Codes>) moved to the Project's <Sets>. Anything else on
    the root is refused here, so the wrapping hides nothing.
    """
    root = ET.fromstring(text.encode() if isinstance(text, str) else text)
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook", root.tag
    assert set(root.attrib) <= {"origin", XSI_LOCATION}, root.attrib
    children = [child.tag.rpartition("}")[2] for child in root]
    assert children in (["Codes"], ["Codes", "Sets"]), children
    project = ET.Element(f"{{{PROJECT_NS}}}Project", {"name": "codebook", **{k: v for k, v in root.attrib.items()
                                                                              if k == "origin"}})
    codebook = ET.SubElement(project, f"{{{PROJECT_NS}}}CodeBook")
    for child in list(root):
        for node in child.iter():
            assert node.tag.startswith(f"{{{CODEBOOK_NS}}}"), node.tag
            node.tag = f"{{{PROJECT_NS}}}" + node.tag.rpartition("}")[2]
        (codebook if child.tag.endswith("}Codes") else project).append(child)
    return project


def test_exported_codebook_has_the_schemas_codebook_structure(tmp_path):
    text = write_qdc(load_qual_codebook(DEMO_BOOK), tmp_path / "codebook.qdc").read_text(encoding="utf-8")
    assert schema_errors(qdc_in_project(text)) == []


def test_qda_tools_codebook_fixture_is_valid_too():
    assert schema_errors(qdc_in_project((DATA / "qualcoder_export.qdc").read_text(encoding="utf-8"))) == []


def test_the_schema_check_is_real():
    """A codebook the schema refuses is reported: a GUID that is not one, a code without isCodable."""
    text = to_qdc(load_qual_codebook(DEMO_BOOK))
    broken = text.replace('isCodable="true"', "", 1).replace(text[text.index('guid="') + 6:][:36], "not-a-guid", 1)
    errors = schema_errors(qdc_in_project(broken))
    assert any("isCodable" in e for e in errors) and any("not-a-guid" in e for e in errors), errors


def test_nested_codes_are_flattened_with_their_parents_kept():
    """Codable codes at any depth become codes of their top-level group; a codable parent stays a code;
    a name used twice takes its parent's name; Cyrillic and numbered names give valid ids."""
    qdc = f"""<CodeBook xmlns="{CODEBOOK_NS}"><Codes>
      <Code guid="00000000-0000-4000-8000-000000000001" name="Channels" isCodable="true">
        <Code guid="00000000-0000-4000-8000-000000000002" name="Online" isCodable="true">
          <Code guid="00000000-0000-4000-8000-000000000003" name="App" isCodable="true"/>
          <Code guid="00000000-0000-4000-8000-000000000004" name="Other" isCodable="true"/>
        </Code>
        <Code guid="00000000-0000-4000-8000-000000000005" name="Folder" isCodable="false">
          <Code guid="00000000-0000-4000-8000-000000000006" name="Other" isCodable="true"/>
        </Code>
      </Code>
      <Code guid="00000000-0000-4000-8000-000000000007" name="Ціна і якість" isCodable="false">
        <Code guid="00000000-0000-4000-8000-000000000008" name="1. Дорого" isCodable="true"/>
      </Code>
    </Codes></CodeBook>"""
    assert schema_errors(qdc_in_project(qdc)) == []
    tree = read_code_tree(ET.fromstring(qdc).find(f"{{{CODEBOOK_NS}}}Codes"), CODEBOOK_NS, "test")
    assert [(c.code, c.group) for c in tree.book.codes] == [
        ("channels", "channels"), ("online", "channels"), ("app", "channels"), ("online_other", "channels"),
        ("folder_other", "channels"), ("code_1_dorogo", "tsina_i_yakist")]
    assert tree.parents == {"online": "channels", "app": "online", "online_other": "online",
                            "folder_other": "channels"}
    assert tree.below["00000000-0000-4000-8000-000000000005"] == ["folder_other"]  # a folder: its codes
    assert tree.below["00000000-0000-4000-8000-000000000002"] == ["online"]  # a codable code: itself
    assert from_qdc(qdc) == tree.book


def test_demo_codebook_covers_the_articles_categories():
    book = load_qual_codebook(DEMO_BOOK)
    assert set(book.groups) == {"motive", "barrier", "reason_to_believe", "channel", "decisive_service",
                                "moment", "perception"}
    assert all(set(code.patterns) == {"en", "uk", "ru"} for code in book.codes)


def test_export_then_import_gives_an_equal_codebook(tmp_path):
    book = load_qual_codebook(DEMO_BOOK)
    path = write_qdc(book, tmp_path / "codebook.qdc")
    text = path.read_text()
    assert text.startswith("<?xml") and 'xmlns="urn:QDA-XML:codebook:1.0"' in text
    assert text.count('isCodable="true"') == len(book.codes)
    assert read_qdc(path) == book


def test_a_qda_tools_codebook_imports_with_ids_from_names():
    book = read_qdc(Path(__file__).parent / "data" / "qualcoder_export.qdc")
    assert list(book.groups) == ["barriers", "loyalty"]
    codes = {c.code: c for c in book.codes}
    assert set(codes) == {"price_too_high", "delivery", "loyalty"}
    assert codes["price_too_high"].group == "barriers"
    assert codes["price_too_high"].definition == "Says the products are too expensive."
    assert codes["loyalty"].group == "loyalty" and codes["delivery"].patterns == {}


def test_not_a_codebook_is_refused():
    with pytest.raises(CodebookError, match="not a REFI-QDA CodeBook"):
        from_qdc('<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0"/>')
    with pytest.raises(CodebookError, match="not valid XML"):
        from_qdc("<CodeBook")


def test_unknown_group_and_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="names group `nope`"):
        QualCodebook.model_validate({"groups": {"g": {"label": "G"}},
                                     "codes": [{"code": "a", "group": "nope", "label": "A"}]})
    with pytest.raises(ValueError, match="code ids repeat"):
        QualCodebook.model_validate({"groups": {"g": {"label": "G"}},
                                     "codes": [{"code": "a", "group": "g", "label": "A"}] * 2})


def test_second_coders_csv_is_read_into_turns(tmp_path):
    from portrait.interviews.second_coder import read_codings_csv

    path = tmp_path / "coder.csv"
    path.write_text("document,start,end,code,coder\nINT-01,4,6,high_price,b\nINT-02,2,2,fit_problems,b\n")
    segments = read_codings_csv(path, ["high_price", "fit_problems"])
    assert segments["turn"].tolist() == [4, 5, 6, 2]
    path.write_text("document,start,end,code,coder\nINT-01,4,4,hig_price,b\n")
    with pytest.raises(CodebookError, match=r"row 2: code 'hig_price' is not in the interview codebook. "
                                            r"Did you mean 'high_price'\?"):
        read_codings_csv(path, ["high_price"])
    path.write_text("document,start,end,code,coder\nINT-01,6,4,high_price,b\n")
    with pytest.raises(CodebookError, match="row 2: start '6' and end '4'"):
        read_codings_csv(path, ["high_price"])


def test_a_missing_schema_fails_rather_than_skips(monkeypatch, tmp_path):
    import test_qual_codebook

    monkeypatch.setattr(test_qual_codebook, "PROJECT_XSD", tmp_path / "Project-mrt2019.xsd")
    with pytest.raises(pytest.fail.Exception, match="REFI-QDA schema .* is missing"):
        refi_schema.__wrapped__()
