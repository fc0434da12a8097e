"""study.yml validation: one clear message naming the key and the fix."""

import pytest
import yaml

from portrait.survey.codebook import load_codebook
from portrait.errors import StudyConfigError
from portrait.config.skeleton import write_skeleton
from portrait.config.study import Study

MINIMAL = {
    "name": "s1",
    "brand": "Acme",
    "languages": ["en"],
    "sources": {"survey": {"path": "survey.csv", "id_column": "ID"}},
}


def make_study(tmp_path, config, files=("survey.csv",)):
    folder = tmp_path / "data" / "raw" / "s1"
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text("ID,Q1\n1,a\n", encoding="utf-8")
    (folder / "study.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder


def test_minimal_study_loads_and_processed_folder_is_beside_raw(tmp_path):
    study = Study.load(make_study(tmp_path, MINIMAL))
    assert study.name == "s1"
    assert study.config.sources.transactions is None
    assert study.processed == tmp_path / "data" / "processed" / "s1"


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    config = {**MINIMAL, "sources": {"survey": {"path": "survey.csv", "id_column": "ID", "delimter": ";"}}}
    with pytest.raises(StudyConfigError) as err:
        Study.load(make_study(tmp_path, config))
    assert "sources.survey.delimter" in str(err.value)
    assert "did you mean `delimiter`" in str(err.value)


def test_missing_required_key(tmp_path):
    config = {k: v for k, v in MINIMAL.items() if k != "languages"}
    with pytest.raises(StudyConfigError, match=r"`languages`: required key is missing"):
        Study.load(make_study(tmp_path, config))


def test_wrong_type_names_key_and_value(tmp_path):
    config = {**MINIMAL, "languages": ["en", "fr"]}
    with pytest.raises(StudyConfigError, match=r"`languages\[1\]`.*'fr'"):
        Study.load(make_study(tmp_path, config))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(StudyConfigError, match=r"sources.survey.path.*survey.csv.*does not exist"):
        Study.load(make_study(tmp_path, MINIMAL, files=()))


def test_path_may_not_leave_the_study_folder(tmp_path):
    config = {**MINIMAL, "sources": {"survey": {"path": "../../secret.csv", "id_column": "ID"}}}
    (tmp_path / "data" / "secret.csv").parent.mkdir(parents=True)
    (tmp_path / "data" / "secret.csv").write_text("ID\n1\n")
    with pytest.raises(StudyConfigError, match="leaves the study folder"):
        Study.load(make_study(tmp_path, config))


def test_bad_delimiter_value(tmp_path):
    config = {**MINIMAL, "sources": {"survey": {"path": "survey.csv", "id_column": "ID", "delimiter": ":"}}}
    with pytest.raises(StudyConfigError, match=r"sources.survey.delimiter"):
        Study.load(make_study(tmp_path, config))


def test_invalid_yaml_is_reported(tmp_path):
    folder = make_study(tmp_path, MINIMAL)
    (folder / "study.yml").write_text("name: [unclosed\n")
    with pytest.raises(StudyConfigError, match="not valid YAML"):
        Study.load(folder)


def test_missing_study_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StudyConfigError, match="not found"):
        Study.load("data/raw/nowhere")


def test_study_found_from_a_subfolder(tmp_path, monkeypatch):
    make_study(tmp_path, MINIMAL)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert Study.load("data/raw/s1").folder == tmp_path / "data" / "raw" / "s1"


def test_new_study_skeleton_is_a_valid_study_once_files_exist(tmp_path):
    folder = write_skeleton(tmp_path / "data" / "raw" / "fresh", "fresh")
    text = (folder / "study.yml").read_text()
    assert "name: fresh" in text and "#" in text
    for relative in ["survey/export.csv", "interviews/participants.csv", "loyalty/cardholders.csv",
                     "loyalty/transactions.csv"]:
        (folder / relative).write_text("x\n")
    study = Study.load(folder)
    assert study.config.privacy.allow_demo_secret is False
    book = load_codebook(study.raw_path(study.config.codebooks.survey))
    assert [q.id for q in book.questions] == ["age", "gender"]
    with pytest.raises(StudyConfigError, match="already exists"):
        write_skeleton(folder, "fresh")


def test_secret_file_inside_repository_is_refused(tmp_path):
    config = {**MINIMAL, "privacy": {"secret_file": str(tmp_path / "key.txt")}}
    with pytest.raises(StudyConfigError, match="secret_file"):
        Study.load(make_study(tmp_path, config))


def test_config_parsing_is_bounded(tmp_path, monkeypatch):
    from portrait.config import yamlconfig

    folder = make_study(tmp_path, MINIMAL)
    text = (folder / "study.yml").read_text()
    (folder / "study.yml").write_text("anchor: &x [1, 2]\n" + text.replace("name:", "alias: *x\nname:", 1))
    with pytest.raises(StudyConfigError, match=r"aliases \(\*name\) are not allowed"):
        Study.load(folder)
    (folder / "study.yml").write_text(text + "#" * 200 + "\n")
    monkeypatch.setattr(yamlconfig, "MAX_BYTES", 100)
    with pytest.raises(StudyConfigError, match=r"bytes is more than a study.yml needs \(limit 100\)"):
        Study.load(folder)
    monkeypatch.setattr(yamlconfig, "MAX_BYTES", 5_000_000)
    (folder / "study.yml").write_text(text + "deep: " + "[" * 60 + "]" * 60 + "\n")
    with pytest.raises(StudyConfigError, match=r"nested more than 40 levels deep"):
        Study.load(folder)
