"""One typed parameter channel: the notebooks' parameters cells are the step models' defaults, and the
layers merge in order (cell < study.yml < -p) with one validation."""

from pathlib import Path

import pytest

from portrait import pipeline
from portrait.config import parameters
from portrait.errors import StudyConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("step", list(parameters.STEP_MODELS))
def test_the_parameters_cell_declares_every_parameter_with_the_models_default(step):
    cell = pipeline.notebook_parameters(ROOT / "notebooks" / f"{step}.ipynb")
    assert cell.pop(parameters.RESOLVED_FLAG) is False
    model = parameters.model_for(step)
    assert set(cell) == set(model.model_fields), step
    defaults = {k: f.default for k, f in model.model_fields.items()}
    assert cell == defaults


def test_layers_merge_in_order_and_validate_once():
    merged = parameters.merge("04_segmentation", {"k_max": 7, "seed": 7}, {"k_max": 5, "n_boot": 3}, {"k_max": 4})
    assert (merged.k_max, merged.n_boot, merged.seed) == (4, 3, 7)
    with pytest.raises(StudyConfigError, match=r"(?s)study.yml, parameters of 04_segmentation.*`modles`.*`models`"):
        parameters.merge("04_segmentation", {}, {"modles": ["kmeans"]}, {})
    with pytest.raises(StudyConfigError, match=r"k_min \(6\) is above k_max \(4\)"):
        parameters.merge("04_segmentation", {}, {"k_min": 6}, {"k_max": 4})
    with pytest.raises(StudyConfigError, match=r"`parameters.04_segmentaton`: no such step \(did you mean `04_segmentation`"):
        parameters.model_for("04_segmentaton")


def test_a_notebook_run_by_the_runner_takes_the_injected_values_as_they_are(monkeypatch):
    namespace = {"study": "data/raw/none", "weighting": False, parameters.RESOLVED_FLAG: True}
    resolved = parameters.resolve("02_survey_coding", namespace)  # study.yml is not read again
    assert resolved.weighting is False and resolved.alpha == 0.05


def test_an_import_cannot_shadow_a_parameter():
    import portrait.survey.weighting as weighting_module

    namespace = {"study": "data/raw/none", "weighting": weighting_module, parameters.RESOLVED_FLAG: True}
    with pytest.raises(StudyConfigError, match=r"`weighting`: expected bool"):
        parameters.resolve("02_survey_coding", namespace)


def test_new_study_lists_every_parameter_with_its_default():
    listing = parameters.listing()
    for step, model in parameters.STEP_MODELS.items():
        assert f"#  {step}:" in listing
        for key in model.model_fields:
            if key != "study":
                assert f"#    {key}: " in listing
