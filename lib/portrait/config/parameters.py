"""Step parameters: one typed model per notebook, one way in.

Three layers, later ones winning: the notebook's `parameters` cell, `study.yml`'s `parameters: <step>:`
and `portrait run -p key=value`. `portrait run` merges them, validates once (an unknown key gets a
"did you mean", a wrong type names the key and the type expected) and injects the result with
`parameters_resolved = True`. A notebook opened by hand (JupyterLab, nbval) merges its own cell with
study.yml the same way, through `resolve`. The models' defaults are the parameters cells' values
(a test checks they agree), so `portrait new-study` can list every parameter with its default.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from portrait.errors import StudyConfigError


class StepParameters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    study: str = "data/raw/demo"


class CollectParameters(StepParameters):
    write: bool = Field(True, description="write the processed tables (false: look only)")


class SurveyCodingParameters(StepParameters):
    weighting: bool = Field(True, description="RIM weighting to the `weighting` role's targets (false: unweighted)")
    alpha: float = Field(0.05, gt=0, lt=1, description="significance level of the banner tables")
    correction: Literal["none", "bonferroni", "holm"] = Field("none", description="multiple-comparison correction")
    min_base: int = Field(30, ge=1, description="banner columns with fewer answers are marked and not tested")
    sort_answers: Literal["none", "multi", "all"] = Field(
        "multi", description="answers sorted by the total: multi-selects, also single questions, or none")
    reliability_threshold: float = Field(0.7, gt=0, le=1, description="Cronbach's alpha below this is flagged")
    n_themes: int = Field(4, ge=1, le=20, description="candidate themes proposed among uncoded open answers")
    seed: int = 7


class InterviewCodingParameters(StepParameters):
    quotes_per_code: int = Field(3, ge=1, le=20)
    quote_max_chars: int = Field(200, ge=40, le=2000)
    n_themes: int = Field(5, ge=1, le=20, description="candidate themes proposed among uncoded turns")
    seed: int = 7
    compare_by: str = Field("", description="survey variable to compare codes by; empty: the first banner variable")
    kappa_threshold: float = Field(0.6, gt=0, le=1, description="codes whose kappa with a second coder is below this")


class SegmentationParameters(StepParameters):
    models: list[Literal["kmeans", "gmm", "lca"]] = Field(["kmeans", "gmm", "lca"], min_length=1)
    k_min: int = Field(3, ge=2, le=20)
    k_max: int = Field(7, ge=2, le=20)
    seed: int = 7
    min_share: float = Field(0.05, ge=0, lt=0.5, description="smallest segment share a candidate may have")
    choose_by: Literal["silhouette", "bic"] = "silhouette"
    stability_threshold: float = Field(0.8, gt=0, le=1, description="a median bootstrap ARI below this is flagged")
    weak_structure: float = Field(0.25, gt=0, lt=1, description="a chosen silhouette below this is called weak")
    n_boot: int = Field(20, ge=2, le=500)
    cross_schemes: list[str] = Field([], description="schemes crossed with the segments; empty: every scheme")
    max_items: int = Field(12, ge=2, le=60, description="items of the typing tool at most")
    segment_names: dict[int, str] = Field({}, description="names that replace the suggested ones, by segment")
    clv_unit: Literal["weeks", "days"] = Field("weeks", description="clock of the CLV models (both predict the same)")
    clv_horizon_months: float = Field(12, gt=0, le=120, description="months ahead the expected value covers")
    clv_discount_rate: float = Field(0.0, ge=0, lt=1, description="CLV discount rate per month (0: undiscounted)")
    clv_holdout_weeks: int = Field(39, ge=1, le=260, description="last weeks held out to check the CLV predictions")
    compare_to: str = Field("previous", max_length=64,
                            description="earlier run whose segment numbers and names are kept: previous, a run id, none")
    identity_max_distance: float = Field(25.0, gt=0, le=400, description="mean index difference up to which a "
                                         "segment is the same as an earlier run's (above: it emerged)")
    keep_model: bool = Field(True, description="with an earlier run to compare to, use its model family (k chosen "
                                               "again) so that waves stay comparable; false: compare every model")


class PersonaParameters(StepParameters):
    n_primary: int = Field(3, ge=2, le=4, description="primary personas: two to four")
    min_base: int = Field(30, ge=1, description="statements on fewer answers are flagged")
    quotes_per_persona: int = Field(4, ge=0, le=20)
    strategic_weight: dict[int, float] = Field({}, description="segment -> weight added to its rank score")
    rank_by: Literal["value", "expected_value"] = Field(
        "value", description="value in the rank score: past card spend, or CLV's expected value over the horizon")
    compare_to: str = Field("previous", max_length=64,
                            description="earlier run the report says what changed since: previous, a run id, none")
    change_alpha: float = Field(0.05, gt=0, lt=1, description="significance level of the changes since the earlier run")
    change_correction: Literal["none", "bonferroni", "holm"] = Field(
        "holm", description="multiple-comparison correction within each family of changes: segment sizes, RFM sizes, traits")


STEP_MODELS: dict[str, type[StepParameters]] = {
    "01_collect": CollectParameters,
    "02_survey_coding": SurveyCodingParameters,
    "03_interview_coding": InterviewCodingParameters,
    "04_segmentation": SegmentationParameters,
    "05_personas": PersonaParameters,
}
RESOLVED_FLAG = "parameters_resolved"


def model_for(step: str) -> type[StepParameters]:
    if step not in STEP_MODELS:
        close = difflib.get_close_matches(step, list(STEP_MODELS), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        raise StudyConfigError(f"`parameters.{step}`: no such step{hint}; steps are {', '.join(STEP_MODELS)}.")
    return STEP_MODELS[step]


def _type_name(model: type[StepParameters], key: str) -> str:
    annotation = model.model_fields[key].annotation
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def describe_errors(step: str, model: type[StepParameters], error: ValidationError, where: str) -> str:
    lines = []
    for e in error.errors():
        key = str(e["loc"][0]) if e["loc"] else "?"
        if e["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, list(model.model_fields), n=1)
            hint = f" Did you mean `{close[0]}`?" if close else f" Known: {', '.join(model.model_fields)}."
            lines.append(f"`{key}`: {step} has no such parameter.{hint}")
        elif key in model.model_fields:
            lines.append(f"`{key}`: expected {_type_name(model, key)}, got {e.get('input')!r} ({e['msg']}).")
        else:
            lines.append(f"`{key}`: {e['msg']}.")
    return f"{where}, parameters of {step}: {len(lines)} problem(s):\n  - " + "\n  - ".join(lines)


def validate(step: str, values: dict[str, Any], where: str = "parameters") -> StepParameters:
    model = model_for(step)
    try:
        parsed = model.model_validate(values)
    except ValidationError as exc:
        raise StudyConfigError(describe_errors(step, model, exc, where)) from None
    if isinstance(parsed, SegmentationParameters) and parsed.k_min > parsed.k_max:
        raise StudyConfigError(f"{where}, parameters of {step}: k_min ({parsed.k_min}) is above k_max "
                               f"({parsed.k_max}).")
    return parsed


def merge(step: str, cell: dict[str, Any], study_yml: dict[str, Any], command_line: dict[str, Any]) -> StepParameters:
    """The notebook cell, then study.yml, then -p; validated once."""
    validate(step, {k: v for k, v in study_yml.items()}, "study.yml")  # its own errors name study.yml
    return validate(step, {**cell, **study_yml, **command_line}, "portrait run")


def resolve(step: str, namespace: dict[str, Any]) -> StepParameters:
    """The step's parameters inside a notebook: the runner's merged values as they are, or (a notebook
    run by hand) the parameters cell's values with study.yml's `parameters:` on top."""
    model = model_for(step)
    cell = {k: namespace[k] for k in model.model_fields if k in namespace}
    if namespace.get(RESOLVED_FLAG):
        return validate(step, cell, "injected")
    from portrait.config.study import Study

    study = Study.load(cell.get("study", model.model_fields["study"].default))
    return merge(step, cell, study.config.parameters.get(step, {}), {})


def listing() -> str:
    """Every step's parameters with their defaults, as YAML comments (for `portrait new-study`)."""
    lines = []
    for step, model in STEP_MODELS.items():
        fields = {k: f for k, f in model.model_fields.items() if k != "study"}
        lines.append(f"#  {step}:")
        for key, f in fields.items():
            note = f"   # {f.description}" if f.description else ""
            lines.append(f"#    {key}: {_yaml(f.default)}{note}")
    return "\n".join(lines)


def _yaml(value: Any) -> str:
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    return str(value)
