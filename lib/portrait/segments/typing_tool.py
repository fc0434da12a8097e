"""The typing tool: a short questionnaire (at most `max_items` survey items, chosen by the tool)
that assigns a new respondent to a segment, with its held-out accuracy.

Items are ranked by the weight an L1-penalised multinomial logistic regression gives them on
standardised answers; the tool is then a plain logistic regression on the chosen items, so a
researcher can print the items and use them in the next wave's questionnaire.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from portrait.io import atomic, catalog
from portrait.errors import PortraitError


# scikit-learn 1.8 spells the L1 penalty as l1_ratio=1 and deprecates `penalty`; older releases need it.
_LASSO = {"l1_ratio": 1.0} if tuple(int(p) for p in sklearn.__version__.split(".")[:2]) >= (1, 8) else {"penalty": "l1"}


@dataclass
class TypingTool:
    """scikit-learn style: parameters in the constructor, `fit` learns, learned state ends in `_`."""

    max_items: int = 12
    test_share: float = 0.25
    seed: int = 7
    items_: list[str] = field(default_factory=list)
    model_: object = None
    accuracy_: float = float("nan")
    test_size_: int = 0
    held_out_: list = field(default_factory=list)  # index labels of the respondents the accuracy is measured on

    def fit(self, answers: pd.DataFrame, segments: pd.Series) -> "TypingTool":
        data = answers.astype("float64").join(segments.rename("_segment"), how="inner").dropna()
        X, y = data.drop(columns="_segment"), data["_segment"]
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=self.test_share, stratify=y,
                                                            random_state=self.seed)
        ranking = make_pipeline(StandardScaler(), LogisticRegression(solver="saga", C=0.05, max_iter=5000,
                                                                     random_state=self.seed, **_LASSO))
        ranking.fit(X_train, y_train)
        weight = np.abs(ranking[-1].coef_).sum(axis=0)
        self.items_ = list(X.columns[np.argsort(weight)[::-1][: self.max_items]])
        self.model_ = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=self.seed))
        self.model_.fit(X_train[self.items_], y_train)
        self.accuracy_ = float((self.model_.predict(X_test[self.items_]) == y_test.to_numpy()).mean())
        self.test_size_ = len(y_test)
        self.held_out_ = list(y_test.index)
        # Refit on everyone for use; the accuracy above stays the honest held-out figure.
        self.model_.fit(X[self.items_], y)
        return self

    def predict(self, answers: pd.DataFrame) -> pd.DataFrame:
        """Segment and its probability for each respondent with all the tool's items answered."""
        if self.model_ is None:
            raise PortraitError("the typing tool has not been fitted; run the segmentation step first.")
        missing = [i for i in self.items_ if i not in answers.columns]
        if missing:
            raise PortraitError(f"the new wave lacks the typing tool's items {missing}; ask these questions.")
        complete = answers[self.items_].astype("float64").dropna()
        probabilities = self.model_.predict_proba(complete)
        return pd.DataFrame({"segment": self.model_.classes_[probabilities.argmax(axis=1)],
                             "probability": probabilities.max(axis=1).round(3)}, index=complete.index)

    def summary(self, book=None) -> pd.DataFrame:
        """The chosen items in rank order, each named as the study's codebook words it (`book`), and the
        tool's held-out accuracy."""
        items = [book.title_of(item) for item in self.items_] if book is not None else self.items_
        return pd.DataFrame({"item": items, "rank": range(1, len(self.items_) + 1)}).assign(
            **{"held-out accuracy": round(self.accuracy_, 3), "test respondents": self.test_size_})

    def save(self, path: str | Path) -> Path:
        return atomic.write_bytes(pickle.dumps(self), path)

    @staticmethod
    def load(path: str | Path) -> "TypingTool":
        path = Path(path)
        if not path.exists():
            raise PortraitError(f"{path}: no typing tool here; run the segmentation step (04) first.")
        tool = pickle.loads(path.read_bytes())
        if not isinstance(tool, TypingTool):
            raise PortraitError(f"{path}: not a portrait typing tool.")
        return tool


TOOL_FILE = catalog.TYPING_TOOL.file


def classify_wave(study, wave: Path) -> pd.DataFrame:
    """Segments for a new survey wave (same export format as the study's survey): id, segment,
    probability; a respondent who skipped one of the tool's items is `unclassified`."""
    from portrait.survey import codebook
    from portrait.io.readers import ROW, read_table

    tool = TypingTool.load(study.processed / TOOL_FILE)
    source = study.config.sources.survey
    raw = read_table(Path(wave), "csv" if Path(wave).suffix.lower() != ".xlsx" else "excel")
    id_column = source.id_column or ROW  # a survey without ids: the row number in the wave's file
    if id_column not in raw.columns:
        raise PortraitError(f"{wave}: no column {source.id_column!r} (the survey's id column).")
    book = codebook.subset(codebook.load_codebook(study.raw_path(study.config.codebooks.survey)), tool.items_)
    coded = codebook.apply(book, raw)
    predicted = tool.predict(coded.data)
    out = pd.DataFrame({"respondent_id": raw[id_column].astype("string")}).join(predicted)
    segment = pd.to_numeric(out["segment"], errors="coerce").astype("Int64")  # 3, not 3.0
    out["segment"] = segment.astype("string").fillna("unclassified")
    return out
