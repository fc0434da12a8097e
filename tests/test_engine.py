"""The engine layer: DuckDB and Spark read and write the same tables; sources stay inside the study folder."""

import pandas as pd
import pytest
from pydantic import ValidationError

from portrait import engine
from portrait.config.study import SparkSettings
from portrait.errors import StudyConfigError

LINES = pd.DataFrame({"card_key": ["a", "a", "b"], "amount": [1.5, 2.0, 3.25],
                      "date": pd.to_datetime(["2026-01-01 10:00", "2026-01-02 11:00", "2026-02-03 12:00"])})


@pytest.fixture(params=["duckdb", "spark"])
def any_engine(request, spark_settings):
    with engine.connect(request.param, spark_settings) as connected:
        yield connected


def test_each_engine_reads_back_what_it_wrote_and_the_other_reads_it_too(any_engine, tmp_path, spark_settings):
    source = tmp_path / "lines.parquet"
    LINES.to_parquet(source)
    lines = any_engine.parquet(source)
    written = any_engine.write_parquet(lines.filter(lines.amount > 1.6), tmp_path / "out.parquet")
    assert written.is_dir() == (any_engine.kind == "spark")  # Spark writes a folder of parts
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial file left behind
    for kind in ("duckdb", "spark"):
        with engine.connect(kind, spark_settings) as other:
            back = other.fetch(other.parquet(written).order_by("amount"))
            assert back["amount"].tolist() == [2.0, 3.25]
            assert back["date"].dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2026-01-02 11:00", "2026-02-03 12:00"]


def test_a_rewrite_replaces_the_table_whole(any_engine, tmp_path):
    source = tmp_path / "lines.parquet"
    LINES.to_parquet(source)
    lines = any_engine.parquet(source)
    target = tmp_path / "out.parquet"
    any_engine.write_parquet(lines, target)
    any_engine.write_parquet(lines.filter(lines.card_key == "b"), target)
    assert any_engine.fetch(any_engine.parquet(target))["card_key"].tolist() == ["b"]


def test_hive_partitions_are_read_with_their_key(any_engine, tmp_path):
    for month, part in LINES.groupby(LINES["date"].dt.strftime("%Y-%m")):
        folder = tmp_path / "lines" / f"month={month}"
        folder.mkdir(parents=True)
        part.to_parquet(folder / "part-0.parquet")
    table = any_engine.fetch(any_engine.parquet(tmp_path / "lines", hive=True))
    assert sorted(table["amount"]) == [1.5, 2.0, 3.25]
    assert sorted(table["month"].astype(str).unique()) == ["2026-01", "2026-02"]


def test_a_csv_is_read_as_text_so_no_cell_is_guessed_away(any_engine, tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("card;amount\n0042;1,5\n0043;x\n", encoding="utf-8")
    table = any_engine.fetch(any_engine.csv(path, ";"))
    assert table["card"].tolist() == ["0042", "0043"]  # leading zeros kept
    assert table["amount"].tolist() == ["1,5", "x"]


def test_a_link_out_of_the_study_folder_is_refused(tmp_path):
    study, outside = tmp_path / "study", tmp_path / "elsewhere"
    (study / "lines").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.parquet").write_bytes(b"PAR1")
    (study / "lines" / "part-0.parquet").write_bytes(b"PAR1")
    assert engine.confined_files(study / "lines", study) == [study / "lines" / "part-0.parquet"]
    (study / "lines" / "part-1.parquet").symlink_to(outside / "secret.parquet")
    with pytest.raises(StudyConfigError, match="part-1.parquet: leads out of the study folder"):
        engine.confined_files(study / "lines", study)


def test_spark_settings_take_one_way_in():
    with pytest.raises(ValidationError, match="either `master` or `connect`"):
        SparkSettings(master="local[2]", connect="sc://host:15002")
    with pytest.raises(ValidationError, match="sc://"):
        SparkSettings(connect="http://host:15002")


def test_duckdb_takes_its_memory_limit_and_threads(tmp_path):
    from portrait.config.study import DuckDBSettings

    limits = DuckDBSettings(memory_limit="512MB", threads=1, temp_directory=str(tmp_path / "it's spill"))
    with engine.connect("duckdb", duckdb_settings=limits) as connected:
        settings = dict(connected.backend.raw_sql(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit', 'threads', "
            "'temp_directory')").fetchall())
    assert settings["threads"] == "1" and settings["temp_directory"].endswith("it's spill")
    assert settings["memory_limit"] in {"488.2 MiB", "512.0 MB", "488.2MiB"}, settings["memory_limit"]
    with pytest.raises(ValidationError):
        DuckDBSettings(memory_limit="4GB'; DROP")


def test_a_numbered_copy_on_duckdb_keeps_the_file_order_or_refuses(tmp_path):
    """Rows numbered by their position in a write must be in the file's order: a long IN list (which DuckDB would
    turn into a join that shuffles rows) keeps the order, and a plan with a join is refused before writing."""
    rows = 300_000  # enough rows for DuckDB to read the file on several threads
    source = tmp_path / "cells.csv"
    source.write_text("".join(f"{i};{'x' if i % 7 else ' y'}\n" for i in range(rows)))
    with engine.connect("duckdb") as duck:
        duck.backend.raw_sql("SET threads = 2")
        records = duck.csv_records(source, ";", 2, tmp_path / "unused")
        words = [f"w{i}" for i in range(40)] + ["x"]
        flagged = records.mutate(known=records.c1.isin(words))
        copy = duck.fetch(duck.numbered_copy(flagged, tmp_path / "copy.parquet").select("_row", "c0", "known"))
        assert copy["c0"].astype(int).tolist() == (copy["_row"] - 1).tolist() == list(range(rows))
        assert copy["known"].sum() == rows - rows // 7 - 1
        other = duck.backend.read_parquet(tmp_path / "copy.parquet")
        joined = records.join(other.select(c0=other.c0, again=other.c1), "c0")
        with pytest.raises(RuntimeError, match="keeps their order"):
            duck.numbered_copy(joined, tmp_path / "refused.parquet")
        assert not (tmp_path / "refused.parquet").exists()


def test_a_result_too_large_for_sparks_driver_stops_with_the_settings_that_raise_the_limit():
    """What Spark raised when the per-card rows of 200 M line items passed its 1 GiB default (reproduced at 10 M
    with `spark.driver.maxResultSize: 20m`): said with the study.yml settings, not a Java stack trace; other
    errors pass as they are."""
    spark_said = ("An error occurred while calling o76.getResult.\n: org.apache.spark.SparkException: Exception "
                  "thrown in awaitResult: \n\tat org.apache.spark.util.SparkThreadUtils$.awaitResult\nCaused by: "
                  "org.apache.spark.SparkException: Job aborted due to stage failure: Total size of serialized "
                  "results of 1 tasks (51.6 MiB) is bigger than spark.driver.maxResultSize (20.0 MiB)")
    with pytest.raises(StudyConfigError, match=r"spark: conf:.*spark.driver.memory: 8g") as raised:
        with engine.driver_limits():
            raise RuntimeError(spark_said)
    assert "SparkThreadUtils" not in str(raised.value)
    with pytest.raises(ValueError, match="something else"):
        with engine.driver_limits():
            raise ValueError("something else")
    assert engine.SPARK_DEFAULTS["spark.driver.maxResultSize"] == "0"  # the driver's memory bounds a result
