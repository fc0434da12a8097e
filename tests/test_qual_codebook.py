"""The interview codebook and its REFI-QDA (.qdc) exchange: round trip and import of a tool's file."""

from pathlib import Path

import pytest

from portrait.errors import CodebookError
from portrait.interviews.qual_codebook import QualCodebook, from_qdc, load_qual_codebook, read_qdc, write_qdc

DEMO_BOOK = Path(__file__).resolve().parents[1] / "lib" / "portrait" / "demo" / "interview_codebook.yml"


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
