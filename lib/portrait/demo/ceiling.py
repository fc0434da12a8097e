"""How well anyone could recover the demo's planted attitudinal segments: the Bayes-optimal assignment.

The demo's answers are drawn from known densities (survey.py): per segment, each attitude item is a rounded,
clipped normal around the segment's mean, moved by the person's traits (population.TRAIT_P, survey.TRAIT_ITEMS),
by acquiescence for an acquiescent minority, replaced by a habitual answer for satisficers, sometimes skipped;
a few respondents straight-line the whole grid. `recovery_ceiling` takes the answers as written in the export,
computes each respondent's posterior over the segments under exactly those densities (every latent state summed
out, skipped or out-of-range answers left out) and assigns the most probable one. Its adjusted Rand index and
accuracy against the truth are the ceiling a segmentation of the same answers can approach, never beat on
average. Like the truth, this is for tests and reports on the demo; no pipeline step reads it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.special import logsumexp, ndtr
from sklearn.metrics import adjusted_rand_score, confusion_matrix

from portrait.demo import population, survey

GRIDS = ("attitudes", "values")


@dataclass
class Ceiling:
    """Per respondent (index: Response ID): the planted segment, the Bayes assignment and its posterior."""

    assignments: pd.DataFrame

    def score(self, respondents=None) -> dict[str, float]:
        """ARI and accuracy of the Bayes assignment against the truth, on `respondents` (ids) or on all."""
        rows = self.assignments if respondents is None else self.assignments.loc[list(respondents)]
        return {"ari": float(adjusted_rand_score(rows["truth"], rows["bayes"])),
                "accuracy": float((rows["truth"] == rows["bayes"]).mean()),
                "expected_accuracy": float(rows["posterior"].mean()), "n": len(rows)}

    @property
    def ari(self) -> float:
        return self.score()["ari"]

    @property
    def accuracy(self) -> float:
        return self.score()["accuracy"]


def recovery_ceiling(raw_dir: str | Path = "data/raw/demo", truth_dir: str | Path | None = None,
                     grids: tuple[str, ...] = ("attitudes",)) -> Ceiling:
    """The Bayes-optimal segment of every valid respondent of the demo export, from the answers to `grids`
    (the attitude battery, the segmentation basis, by default; add "values" for the typing tool's items)."""
    unknown = set(grids) - set(GRIDS)
    if unknown or not grids:
        raise ValueError(f"grids must be among {GRIDS}, got {grids}")
    raw_dir = Path(raw_dir)
    truth_dir = Path(truth_dir) if truth_dir else raw_dir.parent.parent / "truth" / raw_dir.name
    export = pd.read_csv(raw_dir / "survey" / "survey_export.csv", dtype=str, encoding="utf-8-sig",
                         keep_default_na=False)
    links = pd.read_csv(truth_dir / "survey_quality.csv", dtype={"Response ID": str})
    links = links[~links["invalid"]]
    people = pd.read_csv(truth_dir / "people.csv")[["person_id", "attitude_segment"]]
    rows = export.merge(links[["Response ID", "person_id"]], on="Response ID").merge(people, on="person_id")
    log_lik = np.zeros((len(rows), len(population.SEGMENTS)))
    if "attitudes" in grids:
        log_lik += _attitude_log_likelihood(_answers(rows, survey.ATTITUDE, list(survey.ATTITUDE_ITEMS)))
    if "values" in grids:
        log_lik += _values_log_likelihood(_answers(rows, survey.VALUES, survey.VALUE_ITEMS))
    log_post = np.log(population.SEGMENT_SHARES) + log_lik
    posterior = np.exp(log_post - logsumexp(log_post, axis=1, keepdims=True))
    segments = np.asarray(population.SEGMENTS)
    return Ceiling(pd.DataFrame({"truth": rows["attitude_segment"].to_numpy(),
                                 "bayes": segments[posterior.argmax(axis=1)],
                                 "posterior": posterior.max(axis=1)},
                                index=pd.Index(rows["Response ID"], name="Response ID")))


def matched_accuracy(truth, labels) -> float:
    """Share of rows whose label, renamed to the truth segment it overlaps most (one to one), is right."""
    table = confusion_matrix(pd.factorize(pd.Series(truth))[0], pd.factorize(pd.Series(labels))[0])
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / table.sum())


def _answers(rows: pd.DataFrame, question: str, items: list[str]) -> np.ndarray:
    """Answers 1-5 as numbers; blanks and out-of-range codes (the demo's dirt) as NaN."""
    values = rows[[f"{question} - {item}" for item in items]].apply(pd.to_numeric, errors="coerce").to_numpy()
    return np.where(np.isin(values, survey.ANSWER_LEVELS), values, np.nan)


def _one_hot(values: np.ndarray) -> np.ndarray:
    """(respondents, items, 5): 1 at the answer given, all 0 where the item was not answered."""
    levels = survey.ANSWER_LEVELS
    return (values[:, :, None] == levels[None, None, :]).astype(float)


def _level_probabilities(means: np.ndarray, sd: float) -> np.ndarray:
    """P(answer = 1..5) for a normal around `means` (any shape), rounded and clipped to the scale."""
    edges = np.array([-np.inf, 1.5, 2.5, 3.5, 4.5, np.inf])
    cdf = ndtr((edges - means[..., None]) / sd)
    return np.clip(np.diff(cdf, axis=-1), 1e-300, None)


def _attitude_log_likelihood(values: np.ndarray) -> np.ndarray:
    """log P(answers | segment), traits, acquiescence, satisficing and straight-lining summed out."""
    items = list(survey.ATTITUDE_ITEMS)
    means = survey.attitude_means()
    traits = list(population.TRAIT_P)
    shift_when = {(trait, holds): np.zeros(len(items)) for trait in traits for holds in (True, False)}
    for item, trait, when_true, when_false in survey.TRAIT_ITEMS:
        shift_when[(trait, True)][items.index(item)] += when_true
        shift_when[(trait, False)][items.index(item)] += when_false
    onehot = _one_hot(values)
    habitual = survey.HABITUAL_ANSWERS
    per_segment = []
    for s in range(len(population.SEGMENTS)):
        base = np.array([means[item][s] for item in items])
        terms = []
        for combo in itertools.product((True, False), repeat=len(traits)):
            log_prior = sum(np.log(population.TRAIT_P[t][s] if holds else 1 - population.TRAIT_P[t][s])
                            for t, holds in zip(traits, combo))
            shift = sum(shift_when[(t, holds)] for t, holds in zip(traits, combo))
            for acquiescent in (True, False):
                log_prior_a = log_prior + np.log(survey.ACQUIESCENT_SHARE if acquiescent
                                                 else 1 - survey.ACQUIESCENT_SHARE)
                probs = _level_probabilities(base + shift + survey.ACQUIESCENCE_SHIFT * acquiescent,
                                             survey.ATTITUDE_SD)
                terms.append(log_prior_a + np.log(1 - survey.SATISFICER_SHARE)
                             + np.einsum("njl,jl->n", onehot, np.log(probs)))
                for answer in habitual:
                    mixed = (1 - survey.SATISFICE_PROB) * probs
                    mixed[:, answer - 1] += survey.SATISFICE_PROB
                    terms.append(log_prior_a + np.log(survey.SATISFICER_SHARE / len(habitual))
                                 + np.einsum("njl,jl->n", onehot, np.log(mixed)))
        per_segment.append(logsumexp(np.stack(terms, axis=1), axis=1))
    considered = np.stack(per_segment, axis=1)
    # Straight-liners answer every item with one value whatever their segment.
    complete = ~np.isnan(values).any(axis=1)
    same = complete & (values.min(axis=1, initial=np.inf, where=complete[:, None]) == values.max(axis=1))
    liner = np.where(same, np.log(survey.STRAIGHTLINER_SHARE / len(survey.ANSWER_LEVELS)), -np.inf)
    return np.logaddexp(np.log(1 - survey.STRAIGHTLINER_SHARE) + considered, liner[:, None])


def _values_log_likelihood(values: np.ndarray) -> np.ndarray:
    """log P(value answers | segment): independent rounded normals, skipped items left out."""
    onehot = _one_hot(values)
    out = []
    for s in range(len(population.SEGMENTS)):
        probs = _level_probabilities(np.array([survey.VALUE_MEANS[item][s] for item in survey.VALUE_ITEMS]),
                                     survey.VALUE_SD_CLEAN)
        out.append(np.einsum("njl,jl->n", onehot, np.log(probs)))
    return np.stack(out, axis=1)
