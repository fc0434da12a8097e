"""The catalog of processed outputs: every table a run writes is listed and matches its schema, and a
write that breaks a schema (or names no table) fails at the write, naming the table and the column."""

import pandas as pd
import pytest

from portrait.io import catalog
from portrait.errors import PortraitError
from portrait.config.study import Study


def test_every_table_of_the_demo_run_is_in_the_catalog_and_matches_it(demo_run, demo_study):
    result, _ = demo_run
    started = min(p.stat().st_mtime for p in result.run_dir.glob("*.ipynb")) - 60  # files older than the run are stale
    fresh = [p for p in demo_study.processed.iterdir() if p.is_file() and p.stat().st_mtime >= started]
    written = sorted(p.stem for p in fresh if p.suffix == ".parquet")
    assert set(written) <= set(catalog.TABLES), set(written) - set(catalog.TABLES)
    assert len(written) >= 16
    for name in written:
        catalog.TABLES[name].check(demo_study.read(name))
    # Dotfiles are the test suite's own (the stale-data stamp), not the pipeline's outputs.
    files = {p.name for p in fresh if p.suffix != ".parquet" and not p.name.startswith(".")}
    assert files <= {f.file for f in catalog.FILES.values()}, files - {f.file for f in catalog.FILES.values()}


def test_a_write_that_breaks_the_schema_fails_and_names_table_and_column(tmp_path, demo_study):
    study = Study(demo_study.folder, demo_study.config, tmp_path)
    good = pd.DataFrame({"scale": ["a"], "items": [3], "n": [10], "alpha": [0.8], "threshold": [0.7],
                         "below_threshold": [False]})
    study.write(catalog.SCALE_RELIABILITY, good)
    with pytest.raises(PortraitError, match=r"table `scale_reliability` \(written by 02_survey_coding\).*"
                                            r"column `alpha` \(float\) is missing"):
        study.write("scale_reliability", good.drop(columns="alpha"))
    with pytest.raises(PortraitError, match=r"column `n` is object, expected int"):
        study.write("scale_reliability", good.assign(n=["ten"]).astype({"n": object}))
    with pytest.raises(PortraitError, match=r"columns \['extra'\] are not in the catalog"):
        study.write("scale_reliability", good.assign(extra=1))
    with pytest.raises(PortraitError, match=r"no table `scale_reliabilty` in the catalog.*scale_reliability"):
        study.read("scale_reliabilty")
    assert not (tmp_path / "scale_reliabilty.parquet").exists()


def test_open_tables_take_study_specific_columns(tmp_path, demo_study):
    study = Study(demo_study.folder, demo_study.config, tmp_path)
    frame = pd.DataFrame({"segment": pd.array([1, 2], dtype="Int64"), "segment_name": ["A", "B"],
                          "respondent_id": ["1", "2"], "scheme__any": ["x", "y"]})
    study.write(catalog.SEGMENTS, frame)
    assert study.has("segments") and study.read(catalog.SEGMENTS).shape == (2, 4)


def test_the_summary_lists_every_output_with_its_step():
    table = catalog.summary()
    assert set(table["step"]) == {"01_collect", "02_survey_coding", "03_interview_coding", "04_segmentation",
                                  "05_personas"}
    assert {"codings.parquet", "segmentation.json", "report.html"} <= set(table["output"])
