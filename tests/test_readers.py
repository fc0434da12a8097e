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


def test_a_ragged_row_is_kept_aside_with_its_line_not_the_whole_file(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("ID;City;Score\n1;Kyiv;5\n2;Lviv;4;extra;cells\n3;Odesa;3\n4;Dnipro\n", encoding="utf-8")
    frame = read_table(path, "csv", keep_problems=True)
    assert frame["ID"].tolist() == ["1", "2", "3", "4"]
    problems = frame["_problem"]
    assert problems.iloc[1].startswith("line 3 has 5 cells, the header 3")
    assert pd.isna(problems.iloc[3]) and pd.isna(frame.loc[3, "Score"])  # short: padded
    assert problems.isna().tolist() == [True, False, True, True]
    with pytest.raises(SourceFormatError, match=r"r.csv: 1 row\(s\) cannot be read as they stand; first: line 3"):
        read_table(path, "csv")  # a caller that cannot quarantine is stopped at the line


def test_an_exporter_that_drops_trailing_blanks_is_not_ragged(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("ID,A,B\n1,x\n2,y,z\n3\n", encoding="utf-8")
    frame = read_table(path, "csv", keep_problems=True)
    assert "_problem" not in frame and frame["A"].tolist()[:2] == ["x", "y"] and pd.isna(frame.loc[2, "A"])


def test_a_mostly_ragged_file_blames_the_delimiter(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("ID;City\n1;Kyiv;a\n2;Lviv;b\n3;Odesa;c\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"3 of 3 rows do not have the header's 2 cells.*`delimiter:`"):
        read_table(path, "csv", keep_problems=True)


def test_a_few_foreign_bytes_in_utf8_are_named_by_line(tmp_path):
    path = tmp_path / "m.csv"
    good = "".join(f"{i},Київ,{i}\n" for i in range(1, 30))
    path.write_bytes(("ID,Місто,N\n" + good).encode("utf-8") + b"30,caf\xe9,30\n")
    frame = read_table(path, "csv", keep_problems=True)
    assert frame["_problem"].notna().sum() == 1
    assert frame["_problem"].dropna().iloc[0].startswith("line 31 holds byte(s) 0xE9")
    assert frame["Місто"].iloc[0] == "Київ" and "\ufffd" in frame["Місто"].iloc[-1]


def test_a_binary_file_is_not_blamed_on_the_encoding(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(SourceFormatError, match="b.csv: this is not a text file"):
        read_table(path, "csv")


def test_excel_with_two_header_rows(tmp_path):
    path = tmp_path / "two.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Respondent", "Satisfaction", None, None])
    sheet.merge_cells("B1:D1")
    sheet.append(["ID", "Price", "Quality", "Service"])
    sheet.append(["1", "4", "5", "3"])
    sheet.append(["2", "2", "3", "4"])
    book.save(path)
    with pytest.raises(SourceFormatError, match=r"two.xlsx: 2 of 4 columns have no header in row 1.*`header_row:`"):
        read_table(path, "excel")
    frame = read_table(path, "excel", header_row=2)
    assert list(frame.columns) == [ROW, "ID", "Price", "Quality", "Service"]
    assert frame[ROW].tolist() == [3, 4] and frame["Quality"].tolist() == ["5", "3"]


def test_spss_without_value_labels_says_so(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "bare.sav"
    pyreadstat.write_sav(pd.DataFrame({"ID": [1.0, 2.0], "city": [1.0, 2.0]}), str(path))
    read = read_table(path, "spss")
    assert read["city"].tolist() == ["1", "2"]
    assert "no value labels" in read.attrs["notes"][0]
