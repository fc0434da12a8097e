"""Tabular readers: encodings, delimiters, Excel sheets, SPSS value labels, clear format errors."""

import pandas as pd
import pytest

from portrait.errors import SourceFormatError
from portrait.io.readers import ROW, detect_encoding, read_table

ROWS = [["ID", "Місто", "Оцінка"], ["1", "Київ", "5"], ["2", "Львів", ""], ["3", "Одеса", "4"]]


def write_csv(path, sep, encoding):
    path.write_text("\n".join(sep.join(r) for r in ROWS) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_csv_encodings_and_delimiters_are_detected(tmp_path, encoding, sep):
    path = write_csv(tmp_path / "s.csv", sep, encoding)
    frame = read_table(path, "csv")
    assert list(frame.columns) == [ROW, "ID", "Місто", "Оцінка"]
    assert frame["Місто"].tolist() == ["Київ", "Львів", "Одеса"]
    assert frame[ROW].tolist() == [2, 3, 4]  # the row numbers a person sees in the file
    assert pd.isna(frame.loc[1, "Оцінка"])


def test_detect_encoding_prefers_utf8_and_bom():
    assert detect_encoding("Київ".encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfabc") == "utf-8-sig"
    assert detect_encoding(("Привіт, як справи? Це текст українською мовою. " * 5).encode("cp1251")) == "cp1251"


def test_declared_wrong_encoding_names_file_and_fix(tmp_path):
    path = write_csv(tmp_path / "s.csv", ",", "cp1251")
    with pytest.raises(SourceFormatError, match=r"s\.csv.*cannot decode as utf-8.*encoding:"):
        read_table(path, "csv", encoding="utf-8")


def test_empty_csv_is_reported(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(SourceFormatError, match="empty.csv: the file is empty"):
        read_table(path, "csv")


def test_duplicated_headers_are_reported(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("ID,Q,Q\n1,2,3\n")
    with pytest.raises(SourceFormatError, match=r"d.csv: column header\(s\) \['Q'\] appear more than once"):
        read_table(path, "csv")


def test_excel_with_chosen_sheet(tmp_path):
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.DataFrame(ROWS[1:], columns=ROWS[0]).to_excel(writer, sheet_name="Data", index=False)
    frame = read_table(path, "excel", sheet="Data")
    assert frame["Місто"].tolist() == ["Київ", "Львів", "Одеса"]
    with pytest.raises(SourceFormatError, match="sheet"):
        read_table(path, "excel", sheet="Missing")


def test_spss_value_labels_are_applied(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "s.sav"
    frame = pd.DataFrame({"ID": [1.0, 2.0, 3.0], "city": [1.0, 2.0, 1.0], "age": [25.0, 31.0, float("nan")]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"city": {1.0: "Kyiv", 2.0: "Lviv"}})
    read = read_table(path, "spss")
    assert read["city"].tolist() == ["Kyiv", "Lviv", "Kyiv"]
    assert read["age"].tolist()[:2] == ["25", "31"] and pd.isna(read["age"].iloc[2])


def test_corrupt_spss_is_reported(tmp_path):
    path = tmp_path / "bad.sav"
    path.write_bytes(b"not spss")
    with pytest.raises(SourceFormatError, match="bad.sav: not a readable SPSS file"):
        read_table(path, "spss")


def test_unknown_format(tmp_path):
    with pytest.raises(SourceFormatError, match="unknown format"):
        read_table(tmp_path / "x.json", "json")


def test_utf16_exports_are_read_with_or_without_a_byte_order_mark(tmp_path):
    from portrait.io.readers import read_csv

    text = "ID\tName\tCity\n1\tОлена\tКиїв\n2\tIvan\tLviv\n"
    for name, data in [("bom.csv", text.encode("utf-16")), ("le.csv", text.encode("utf-16-le"))]:
        (tmp_path / name).write_bytes(data)
        frame = read_csv(tmp_path / name)
        assert frame["City"].tolist() == ["Київ", "Lviv"] and frame["_row"].tolist() == [2, 3], name


def test_a_broken_or_renamed_workbook_says_what_it_is_and_the_fix(tmp_path):
    from portrait.errors import SourceFormatError
    from portrait.io.readers import read_excel

    (tmp_path / "cut.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(SourceFormatError, match=r"cut.xlsx: not a complete .xlsx file.*save it again as .xlsx"):
        read_excel(tmp_path / "cut.xlsx")
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(SourceFormatError, match=r"old.xlsx: an old .xls workbook renamed .xlsx"):
        read_excel(tmp_path / "old.xlsx")
