"""The typing tool: at most 12 items, honest held-out accuracy (against the segments it learns, and on the demo
against the planted truth next to the Bayes-optimal accuracy), save and load."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone

from portrait.demo.ceiling import recovery_ceiling
from portrait.errors import PortraitError
from portrait.segments.segmentation import segment
from portrait.segments.typing_tool import TypingTool


@pytest.fixture(scope="module")
def demo_segments(demo_study):
    coded = demo_study.read("survey_coded")
    coded = coded[coded["quality_ok"]]
    items = [c for c in coded.columns if c.startswith("attitudes__") or c.startswith("values__")]
    result = segment(coded, [c for c in items if c.startswith("attitudes__")], (3, 6), seed=7, n_boot=2)
    return coded[items], result.labels


def test_demo_tool_uses_at_most_12_items_and_reproduces_the_segments(demo_segments):
    """The tool's held-out agreement with the segmentation it learns: measured 0.942 on 463 respondents (0.996
    before the demo had response error and overlapping segments); a tool 4 points worse fails."""
    answers, labels = demo_segments
    tool = TypingTool(max_items=12, seed=7).fit(answers, labels)
    assert len(tool.items_) <= 12
    assert tool.accuracy_ >= 0.90, tool.summary()
    assert tool.test_size_ >= 400


def test_recovery_tool_on_truly_held_out_respondents_against_the_bayes_accuracy(demo_study):
    """Recovery: a quarter of the respondents is held out of everything — the segmentation and the tool are fitted
    on the rest, segments are named after the planted segment they overlap most on the fitted rows — and the
    tool's segment for the held-out respondents is checked against the truth. Measured on 458 held-out
    respondents: 0.873, against the Bayes-optimal accuracy of 0.924 from the whole attitude grid (0.976 with the
    values grid too, which the tool may use but the segments it learns do not). The tool can only be as right as
    the segmentation it learns (0.894 on the fitted rows), so the bound is the attitude grid's ceiling."""
    coded = demo_study.read("survey_coded")
    coded = coded[coded["quality_ok"]]
    items = [c for c in coded.columns if c.startswith("attitudes__") or c.startswith("values__")]
    complete = coded.dropna(subset=items)
    held = np.random.default_rng(7).random(len(complete)) < 0.25
    fitted, new = complete[~held], complete[held]
    result = segment(fitted, [c for c in items if c.startswith("attitudes__")], (3, 6), seed=7, n_boot=2)
    tool = TypingTool(max_items=12, seed=7).fit(fitted[items], result.labels)
    ceiling = recovery_ceiling(demo_study.folder)
    truth = ceiling.assignments["truth"]
    overlap = pd.crosstab(result.labels.to_numpy(), truth[fitted.loc[result.labels.index, "respondent_id"]].to_numpy())
    rows, cols = linear_sum_assignment(-overlap.to_numpy())
    named = dict(zip(overlap.index[rows], overlap.columns[cols]))
    predicted = tool.predict(new[items])["segment"].map(named)
    ids = new.loc[predicted.index, "respondent_id"]
    accuracy = float((predicted.to_numpy() == truth[ids].to_numpy()).mean())
    bayes = ceiling.score(ids)["accuracy"]
    assert len(ids) >= 400
    assert bayes - 0.08 <= accuracy <= bayes + 0.02, f"held-out accuracy {accuracy:.3f}, Bayes {bayes:.3f}"


def test_save_load_and_predict_a_new_wave(tmp_path, demo_segments):
    answers, labels = demo_segments
    tool = TypingTool(max_items=6, seed=3).fit(answers, labels)
    loaded = TypingTool.load(tool.save(tmp_path / "typing_tool.pkl"))
    wave = answers.sample(50, random_state=1)
    pd.testing.assert_frame_equal(tool.predict(wave), loaded.predict(wave))
    assert loaded.predict(wave)["probability"].between(0, 1).all()
    with pytest.raises(PortraitError, match="lacks the typing tool's items"):
        loaded.predict(wave.drop(columns=loaded.items_[0]))


def test_accuracy_is_measured_on_held_out_respondents():
    # Labels unrelated to 30 noisy items on 80 respondents: a model fits its training rows well above chance
    # (it memorises noise), so an accuracy measured on training rows would show here, and only held-out
    # rows give chance level.
    rng = np.random.default_rng(0)
    answers = pd.DataFrame(rng.normal(size=(80, 30)), columns=[f"q{i}" for i in range(30)])
    labels = pd.Series(rng.integers(1, 4, 80), index=answers.index)
    tool = TypingTool(max_items=30, seed=1).fit(answers, labels)
    held_out = pd.Index(tool.held_out_)
    training = answers.index.difference(held_out)
    assert len(held_out) == tool.test_size_ == 20 and held_out.isin(answers.index).all()
    assert held_out.intersection(training).empty and len(training) == 60
    # The reported figure is that of a model fitted on the other rows, scored on the held-out ones ...
    model = clone(tool.model_).fit(answers.loc[training, tool.items_], labels[training])
    assert tool.accuracy_ == pytest.approx((model.predict(answers.loc[held_out, tool.items_]) == labels[held_out]).mean())
    # ... and it differs from the figure on training rows by far more than chance would.
    on_training = (model.predict(answers.loc[training, tool.items_]) == labels[training]).mean()
    assert tool.accuracy_ < 0.5 and on_training - tool.accuracy_ > 0.3, (tool.accuracy_, on_training)


def test_missing_tool_is_a_clear_error(tmp_path):
    with pytest.raises(PortraitError, match="run the segmentation step"):
        TypingTool.load(tmp_path / "none.pkl")


def test_classify_command_scores_a_new_wave(tmp_path, demo_study, demo_segments, capsys):
    import shutil

    from portrait import cli
    from portrait.config.study import Study

    folder = tmp_path / "data" / "raw" / "demo"
    shutil.copytree(demo_study.folder, folder)
    study = Study.load(folder)
    answers, labels = demo_segments
    tool = TypingTool(max_items=12, seed=7).fit(answers, labels)
    tool.save(study.processed / "typing_tool.pkl")
    export = pd.read_csv(folder / "survey" / "survey_export.csv", dtype=str, encoding="utf-8-sig")
    wave = export.dropna(subset=["Response ID"]).head(40)
    wave.to_csv(tmp_path / "wave2.csv", index=False)
    assert cli.main(["classify", str(tmp_path / "wave2.csv"), "--study", str(folder)]) == 0
    assert "classified 40 respondents" in capsys.readouterr().out
    result = pd.read_csv(study.processed / "wave2_segments.csv")
    assert len(result) == 40 and "@" not in result.to_csv()  # ids and segments only
    assert set(result["segment"].astype(str)) <= {"1", "2", "3", "4", "5", "6", "unclassified"}
    assert not result["segment"].astype(str).str.contains(r"\.0").any()  # 3, not 3.0
    # The same people, classified from their raw answers, land in the segments the study gave them.
    coded = demo_study.read("survey_coded")
    known = pd.Series(labels.to_numpy(), index=coded.loc[labels.index, "respondent_id"].to_numpy())
    both = result[result["respondent_id"].isin(known.index)]
    agree = (both["segment"].astype(str).to_numpy() == known[both["respondent_id"]].astype(str).to_numpy()).mean()
    assert len(both) >= 25 and agree >= 0.85
    # Ids that a spreadsheet would run as formulas are written as text.
    hostile = wave.head(3).copy()
    hostile["Response ID"] = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)"]
    hostile.to_csv(tmp_path / "wave3.csv", index=False)
    assert cli.main(["classify", str(tmp_path / "wave3.csv"), "--study", str(folder)]) == 0
    ids = (study.processed / "wave3_segments.csv").read_text().splitlines()[1:]
    assert all(line.startswith(("'=", "'+", "'@", "\"'=")) for line in ids), ids



def test_summary_names_the_items_in_the_codebooks_words(demo_segments, demo_study):
    """A stakeholder reads the typing tool's questions as the questionnaire words them, not as column ids."""
    from portrait.survey.codebook import load_codebook
    book = load_codebook(demo_study.raw_path(demo_study.config.codebooks.survey))
    answers, labels = demo_segments
    tool = TypingTool(max_items=4, seed=7).fit(answers, labels)
    named = tool.summary(book)["item"].tolist()
    assert named == [book.title_of(item) for item in tool.items_]
    assert all(name != item and "__" not in name for name, item in zip(named, tool.items_))
    assert tool.summary()["item"].tolist() == tool.items_  # without a codebook, the ids
