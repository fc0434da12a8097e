"""Atomic writes: a failure while writing leaves the previous file whole and no temporary behind."""

import stat

import pandas as pd
import pytest

from portrait.io import atomic


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    path = atomic.write_parquet(frame, tmp_path / "sub" / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame, check_dtype=False)


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "t.parquet"
    atomic.write_parquet(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with atomic.atomic_path(target) as tmp:
            tmp.write_bytes(b"half a table")
            raise Boom()
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_unwritable_frame_does_not_replace_target(tmp_path):
    target = tmp_path / "t.parquet"
    atomic.write_parquet(pd.DataFrame({"a": [1]}), target)
    before = target.read_bytes()
    bad = pd.DataFrame({"a": [object()]})  # pyarrow cannot store an arbitrary object
    with pytest.raises(Exception):
        atomic.write_parquet(bad, target)
    assert target.read_bytes() == before
    assert len(list(tmp_path.iterdir())) == 1


def test_written_files_get_ordinary_permissions(tmp_path):
    path = atomic.write_text("x", tmp_path / "report.html")
    # Not the 0600 of a temporary file: what any new file gets under the current umask.
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~atomic._UMASK


def test_csv_for_spreadsheets_neutralises_formulas(tmp_path):
    import pandas as pd

    from portrait.io.atomic import write_csv

    frame = pd.DataFrame({"id": ["=1+1", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\tx", "plain"], "n": [-1, 2, 3, 4, 5, 6]})
    text = write_csv(frame, tmp_path / "out.csv").read_text()
    back = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert back["id"].tolist()[:4] == ["'=1+1", "'+cmd|' /C calc'!A0", "'@SUM(1)", "'-2+3"]
    assert back["id"].tolist()[5] == "plain" and back["n"].tolist()[0] == -1  # numbers untouched
    assert "\n=" not in text and ",=" not in text
