"""Studies that are not the demo, run as a new user would: a skeleton from `portrait new-study`, a
ten-line codebook and a survey export with none of the demo's questions. Every step runs, every
analysis the study has no role for says why, the report has no section for an absent role and no word
of the demo, and a parameter set in study.yml takes effect."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from portrait import pipeline
from portrait.config import skeleton

from conftest import ROOT

TEN_LINE_CODEBOOK = """\
questions:
  - {id: gender, column: Gender, type: single, labels: {1: Female, 2: Male}, topic: demographics}
  - {id: region, column: Region, type: single, labels: {1: North, 2: South, 3: East}}
  - {id: age, column: Age, type: numeric, range: [18, 90], topic: demographics}
  - {id: agree, pattern: "^Agree - (.+)$", type: likert, range: [1, 5], topic: psychographics}
scales:
  - {id: outgoing, label: Outgoing, items: [agree__parties, agree__new_people, agree__talk], topic: psychographics}
  - {id: careful, label: Careful, items: [agree__plans, agree__savings, agree__checks], topic: psychographics}
derived:
  - {id: age_band, label: Age band, order: [under 40, 40+], topic: demographics,
     rules: [{value: under 40, when: "age < 40"}, {value: 40+, when: "age >= 40"}]}
"""
ITEMS = {"parties": 0, "new_people": 0, "talk": 0, "plans": 1, "savings": 1, "checks": 1}
DEMO_WORDS = ["Loom", "Lark", "fashion", "UAH", "hryvnia", "brand_relationship", "attitudes__"]


def survey_export(n: int = 420, seed: int = 3) -> pd.DataFrame:
    """Two planted groups (outgoing vs careful) answering six agreement items, plus three demographics."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    frame = pd.DataFrame({"Gender": rng.choice(["Female", "Male"], n), "Region": rng.choice(["North", "South", "East"], n),
                          "Age": rng.integers(18, 80, n)})
    for item, side in ITEMS.items():
        centre = np.where(group == side, 4.2, 1.8)
        frame[f"Agree - {item}"] = np.clip(np.rint(rng.normal(centre, 0.8)), 1, 5).astype(int)
    return frame


def new_study(root: Path, name: str, roles: dict | None = None, parameters: dict | None = None) -> Path:
    """`portrait new-study` then the edits a user makes: a survey-only study, no ids, no personal columns."""
    folder = skeleton.write_skeleton(root / "data" / "raw" / name, name)
    survey_export().to_csv(folder / "survey" / "export.csv", index=False)
    (folder / "codebook.yml").write_text(TEN_LINE_CODEBOOK, encoding="utf-8")
    config = yaml.safe_load((folder / "study.yml").read_text(encoding="utf-8"))
    survey = config["sources"]["survey"]
    survey.update(id_column=None, link_key=None, personal={})
    survey["quality"].update(duplicate_on=[])
    config["sources"] = {"survey": survey}
    config["privacy"]["allow_demo_secret"] = True
    config["roles"] = {"demographics": {"gender": "gender", "age": "age_band"}, "geography": {"region": "region"},
                       **(roles or {})}
    config["parameters"] = parameters or {}
    (folder / "study.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder


def run(folder: Path, tmp_path: Path, steps=None, given=None, say=None):
    return pipeline.run(str(folder), ROOT, steps, given or {}, reports=tmp_path / "reports", progress=False,
                        say=say or (lambda message: None))


def notebook_text(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for c in cells if c["cell_type"] == "code" for o in c["outputs"])


@pytest.fixture(scope="module")
def skeleton_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("skeleton")
    folder = new_study(tmp, "market", parameters={"04_segmentation": {"k_min": 2, "k_max": 4,
                                                                     "segment_names": {1: "First mover"}}})
    messages = []
    result = run(folder, tmp, say=messages.append)
    return folder, tmp / "data" / "processed" / "market", result, messages


def test_a_skeleton_study_runs_every_step_it_has_data_for(skeleton_run):
    _, processed, result, messages = skeleton_run
    assert result.executed == ["01_collect", "02_survey_coding", "04_segmentation", "05_personas"]
    assert any("03_interview_coding: the study has no transcripts — skipped" in m for m in messages)
    assert "    survey: read 420 rows · kept 420 · quarantined 0" in messages  # step 01's count on the console
    coded = pd.read_parquet(processed / "survey_coded.parquet")
    assert len(coded) == 420 and (coded["weight"] == 1.0).all()
    # No id column: the row number a person sees in the file; no link key: the pseudonymised id links.
    assert coded["respondent_id"].tolist()[:3] == ["2", "3", "4"] and coded["person_key"].notna().all()


def test_every_skipped_analysis_says_why(skeleton_run):
    _, _, result, _ = skeleton_run
    collect = notebook_text(result.run_dir / "01_collect.ipynb")
    assert "linking not available: fewer than two sources carry a personal link key; survey declare(s) no " \
           "`link_key`" in collect
    survey = notebook_text(result.run_dir / "02_survey_coding.ipynb")
    for reason in ["no brand funnel: the study declares no `funnel` role",
                   "no weighting: the study declares no `weighting` role",
                   "no headline measure: the study declares no `recommendation` (0-10) or `satisfaction` role",
                   "no code frame: the study names no `codebooks.open_ended`",
                   "chosen: basis = every scale of the codebook (outgoing, careful)"]:
        assert reason in survey, reason
    segmentation = notebook_text(result.run_dir / "04_segmentation.ipynb")
    assert "no RFM: the study has no loyalty-card transactions" in segmentation
    assert "no scheme applies" in segmentation
    personas = notebook_text(result.run_dir / "05_personas.ipynb")
    assert "No NPS: the study declares no `recommendation` role." in personas


def test_the_report_has_no_section_for_an_absent_role_and_no_demo_word(skeleton_run):
    _, processed, result, _ = skeleton_run
    report = (result.run_dir / "report.html").read_text(encoding="utf-8")
    for absent in ["Brand relationship", "<h4>Funnel</h4>", "<h4>Behaviour</h4>", "card holders", "(weighted)",
                   "<h4>Motives</h4>", "Purchase purpose", "Net Promoter Score", "Traditionalist or experimenter"]:
        assert absent not in report, absent
    assert "No journey map" in report and "What this study does not have" in report
    # Roles give card sections where the codebook has no topic: region is geography by its role alone.
    toc = re.findall(r"<h4>([^<]+)</h4>", report)
    assert "Geography" in toc and "Psychographics" in toc
    for path in [result.run_dir / "report.html", *sorted((processed / "personas").glob("*"))]:
        text = path.read_text(encoding="utf-8")
        for word in DEMO_WORDS:
            assert word not in text, f"{word!r} in {path.name}"
    names = [c["name"] for c in json.loads((processed / "personas.json").read_text())["personas"]]
    assert len(set(names)) == len(names)


def test_parameters_in_study_yml_take_effect(skeleton_run):
    _, processed, result, _ = skeleton_run
    choice = json.loads((processed / "segmentation.json").read_text())
    assert max(row["k"] for row in choice["comparison"]) == 4  # k_max from study.yml, not the notebook's 7
    assert choice["names"]["1"] == "First mover"
    injected = json.loads((result.run_dir / "04_segmentation.ipynb").read_text())["cells"]
    assert any("k_max = 4" in "".join(c["source"]) for c in injected if "injected-parameters" in
               c["metadata"].get("tags", []))


def test_planted_groups_are_recovered_on_a_non_demo_study(skeleton_run):
    _, processed, _, _ = skeleton_run
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(3)
    planted = rng.integers(0, 2, 420)  # the same draw survey_export made first
    segments = pd.read_parquet(processed / "segments.parquet")
    rows = segments["respondent_id"].astype(int) - 2
    assert adjusted_rand_score(planted[rows], segments["segment"]) > 0.9


def test_command_line_parameter_wins_and_is_not_shadowed_by_an_import(tmp_path):
    folder = new_study(tmp_path, "weighted", roles={
        "weighting": {"cap": 5, "targets": {"gender": {"Female": 70, "Male": 30}}}})
    processed = tmp_path / "data" / "processed" / "weighted"
    run(folder, tmp_path, ["01", "02"])
    assert not (pd.read_parquet(processed / "survey_coded.parquet")["weight"] == 1.0).all()
    run(folder, tmp_path, ["02"], {"weighting": False})
    assert (pd.read_parquet(processed / "survey_coded.parquet")["weight"] == 1.0).all()


def test_a_role_naming_a_missing_variable_says_which_and_the_closest(tmp_path):
    folder = new_study(tmp_path, "typo", roles={"recommendation": "gendr"})
    with pytest.raises(pipeline.PipelineError, match=r"roles.recommendation.*`gendr`.*Did you mean `gender`"):
        run(folder, tmp_path, ["01", "02"])


def test_a_wrong_parameter_in_study_yml_stops_before_any_notebook(tmp_path):
    from portrait.errors import StudyConfigError

    folder = new_study(tmp_path, "bad", parameters={"04_segmentation": {"k_maks": 4, "n_boot": "many"}})
    with pytest.raises(StudyConfigError) as error:
        run(folder, tmp_path, ["01"])
    message = str(error.value)
    assert "`k_maks`: 04_segmentation has no such parameter. Did you mean `k_max`?" in message
    assert "`n_boot`: expected int" in message
    assert not list((tmp_path / "reports").rglob("*.ipynb"))  # no notebook ran
    # A scheduled run that stops here still tells its monitor why.
    status = json.loads((tmp_path / "reports" / "bad" / "status.json").read_text())
    assert status["ok"] is False and "k_maks" in status["last_run"]["error"]
