"""Data-driven segments: candidate models over a range of k, compared and chosen by stated rules,
with a stability check by bootstrap re-fits (adjusted Rand index).

Basis preparation (mixed types), over complete cases:
- numeric variables are z-standardised (mean 0, sd 1), after log(1 + x) when they are non-negative and
  strongly right-skewed (skewness > 2, as spend and visit counts are), so a few big spenders do not
  make a segment of their own;
- categorical variables (text, categories, booleans) become one indicator per category, each
  z-standardised and divided by the square root of the number of categories, so a categorical
  variable weighs about as much as one numeric variable whatever its number of categories.

Candidates: k-means, a Gaussian mixture (diagonal covariance) and, when at least one basis variable is a
categorical indicator (text, or whole numbers with at most 10 values such as Likert items), latent
class analysis (stepmix, the best of 3 random starts): categorical measurement for those, and the other
(prepared) variables as normal within a class, so a basis mixing items with spend is one latent class
model, not a Gaussian fitted to 0/1 columns. The chosen solution has the highest silhouette among
those whose smallest segment holds at least `min_share` of respondents (`choose_by="silhouette"`, the
default); or, with `choose_by="bic"`, each mixture model's k is the one with the lowest BIC and the
highest silhouette decides between models (k-means, having no likelihood, is then left out). BIC is how latent class analysts choose k: where classes differ by answer
patterns rather than by levels along the scales, silhouette (a distance measure) picks k-means with the
wrong k and BIC finds the classes (tests' latent-class data: ARI below 0.6 against above 0.9). With many
respondents BIC also splits segments a researcher would keep whole when answers are not independent
within a segment (the demo: latent class BIC picks 6 where 4 attitudinal segments were planted; the
benchmark's mixed basis at 100 k and 1 M rows: 5-6 where 4 were planted), hence silhouette by default
and BIC on request. A Gaussian mixture's BIC is not reported when a basis variable takes a few values
only (categories, scale answers): a normal density collapses onto those values and its BIC keeps
falling as k grows. A solution whose median bootstrap ARI is below `stability_threshold` is flagged,
not hidden.

With more than `fit_sample` rows, candidates are fitted and re-fitted on a random sample of that
size (fixed by the seed) and every row is then assigned by the fitted model; the report says so. Each
candidate is fitted once: the chosen one's fit (and, on every row, its labels) is reused, not repeated.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, silhouette_score
from sklearn.mixture import GaussianMixture

from portrait.errors import PortraitError

MODELS = ("kmeans", "gmm", "lca")
CHOICE_RULES = ("silhouette", "bic")
MAX_CLASS_LEVELS = 10  # whole-number variables with at most this many values count as categorical
MIN_PER_SEGMENT = 10   # rows needed per segment of the largest k, at the very least
ROWS_PER_BLOCK = 16_384  # rows of the basis written at a time (a few MB: stays in cache)
# Latent class EM stops when the mean log-likelihood per row gains less than this. stepmix's default
# (1e-10) runs two to four times as many iterations for the same classes (tests' and benchmark's planted
# data: identical BIC and ARI). Three random starts stay: one alone lands on a worse optimum at times.
LCA_TOLERANCE = 1e-6


def basis_variables(columns: list[str], patterns: list[str]) -> list[str]:
    """Columns named by `patterns` (exact names or shell-style patterns such as `agree__*`), pattern by
    pattern; a pattern that names nothing is an error with the closest columns."""
    from portrait.config.roles import expand

    chosen = []
    for pattern in patterns:
        hits = expand([pattern], columns)
        if not hits:
            import difflib
            close = difflib.get_close_matches(pattern.rstrip("*"), columns, n=3)
            raise PortraitError(f"basis variable {pattern!r} matches no column; check `roles.basis` in study.yml"
                                f"{' (close: ' + ', '.join(close) + ')' if close else ''}.")
        chosen += [c for c in hits if c not in chosen]
    return chosen


def _is_categorical(values: pd.Series) -> bool:
    return (isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(values)
            or pd.api.types.is_string_dtype(values) or values.dtype == object)


@dataclass
class Basis:
    """The prepared basis: `matrix` (numeric, one row per complete case) and how each variable
    was prepared (`steps`), plus the integer codes latent class analysis uses when it applies."""

    matrix: pd.DataFrame
    steps: pd.DataFrame
    codes: pd.DataFrame | None
    dropped: int
    continuous: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        return self.steps

    @property
    def array(self) -> np.ndarray:
        """The matrix as one float64 array: the memory `matrix` wraps (prepare_basis builds it so), not a copy."""
        return self.matrix.to_numpy(dtype="float64", copy=False)

    def overview(self) -> pd.DataFrame:
        """How many basis variables of each type, and how each type is prepared."""
        return self.steps.groupby(["type", "preparation"]).size().rename("variables").reset_index()

    @property
    def discrete(self) -> bool:
        """Whether a variable takes a few values only (categories, or answers on a scale): exactly the
        variables that have codes."""
        return self.codes is not None

    @functools.cached_property
    def latent_class_input(self) -> tuple[np.ndarray, str | dict, dict]:
        """The matrix and stepmix measurement for latent class analysis: the categorical variables in
        stepmix's one-hot layout, encoded once here (stepmix would re-encode integer codes at every EM step,
        a third of its time), then the prepared continuous variables, if any, as normal within a class."""
        from stepmix.utils import max_one_hot

        onehot, most, total = max_one_hot(self.codes.to_numpy())
        layout = {"integer_codes": False, "max_n_outcomes": most, "total_outcomes": total}
        if not self.continuous:
            return onehot, "categorical", layout
        X = np.hstack([onehot, self.array[:, [self.matrix.columns.get_loc(v) for v in self.continuous]]])
        return X, {"items": {"model": "categorical", "n_columns": onehot.shape[1], **layout},
                   "scales": {"model": "gaussian_diag", "n_columns": len(self.continuous)}}, {}


def _compact(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Integer codes in the smallest signed type that holds them (int8 for up to 127 levels): at a million
    rows, 14 variables' codes take 14 MB instead of 112 MB."""
    return codes.astype(next(t for t in (np.int8, np.int16, np.int32, np.int64) if np.iinfo(t).max >= n_levels))


def prepare_basis(data: pd.DataFrame, variables: list[str]) -> Basis:
    """Complete cases of `variables`, prepared as the module docstring says; errors name the fix."""
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise PortraitError(f"basis variables {missing} are not in the data; check the notebook parameters.")
    if not variables:
        raise PortraitError("no basis variables chosen; set the notebook parameter `basis`.")
    complete = data[variables].dropna()
    if complete.empty:  # no complete case: nothing varies
        raise PortraitError(f"basis variables {variables} do not vary; drop them.")
    # First pass: what each variable becomes (codes, transformed values, column names); then the basis is
    # written into one float64 array, so the matrix the models read is never copied.
    plans, steps, codes, names, constant = [], [], {}, [], []
    for v in variables:
        values = complete[v]
        if _is_categorical(values):
            level_codes, levels = _levels_as_text(values)
            if len(levels) < 2:
                constant.append(v)
                continue
            codes[v] = level_codes = _compact(level_codes, len(levels))
            share = np.bincount(level_codes, minlength=len(levels)) / len(level_codes)
            # An indicator of share p, z-standardised: (1[code = j] - p) / sqrt(p (1 - p)), then / sqrt(levels).
            plans.append((level_codes, share, np.sqrt(share * (1 - share)) * np.sqrt(len(levels))))
            names += [f"{v}={level}" for level in levels]
            steps.append((v, "categorical", f"{len(levels)} indicators, z / sqrt({len(levels)})"))
            continue
        x = values.to_numpy(dtype="float64")
        if x.min() == x.max():
            constant.append(v)
            continue
        whole = False
        if np.all(np.mod(x, 1) == 0):
            value_codes, uniques = pd.factorize(x, sort=True)
            if whole := len(uniques) <= MAX_CLASS_LEVELS:
                codes[v] = _compact(value_codes, MAX_CLASS_LEVELS)
        transform = "z"
        if x.min() >= 0 and pd.Series(x).skew() > 2:
            x, transform = np.log1p(x), "log(1 + x), then z"
        plans.append((x, x.mean(), x.std()))
        names.append(v)
        steps.append((v, "numeric" + (" (whole numbers)" if whole else ""), transform))
    if constant:
        raise PortraitError(f"basis variables {constant} do not vary; drop them.")
    array = np.empty((len(complete), len(names)), dtype="float64")
    # Written a block of rows at a time: a column of a row-major array is strided, and a block stays in cache.
    for start in range(0, len(array), ROWS_PER_BLOCK):
        block, rows = array[start:start + ROWS_PER_BLOCK], slice(start, start + ROWS_PER_BLOCK)
        column = 0
        for values, centre, scale in plans:
            if np.ndim(centre) == 0:
                np.subtract(values[rows], centre, out=block[:, column])
                block[:, column] /= scale
                column += 1
                continue
            for level in range(len(centre)):
                block[:, column] = values[rows] == level
                block[:, column] -= centre[level]
                block[:, column] /= scale[level]
                column += 1
    matrix = pd.DataFrame(array, index=complete.index, columns=names, copy=False)
    table = pd.DataFrame(steps, columns=["variable", "type", "preparation"])
    return Basis(matrix, table, pd.DataFrame(codes, index=complete.index) if codes else None,
                 len(data) - len(complete), [v for v in variables if v not in codes])


def _levels_as_text(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes of a categorical variable's values and its levels as text in sorted order (the order indicators
    and latent class codes follow). Factorized as they are, then the few levels turned into text: turning a
    million values into text first costs seconds."""
    value_codes, uniques = pd.factorize(values, sort=False)
    text = pd.Index(uniques).astype("string")
    if text.has_duplicates:  # distinct values with the same text (1 and "1"): one level, as text decides
        return pd.factorize(values.astype("string"), sort=True)
    order = np.argsort(text.to_numpy(dtype=object), kind="stable")
    rank = np.empty(len(order), dtype="int64")
    rank[order] = np.arange(len(order))
    return rank[value_codes], text[order]


def _fit(model: str, k: int, basis: Basis, rows: np.ndarray | None, seed: int, n_init: int | None = None):
    """A fitted model with a `predict(rows_of_basis)`-style interface over row positions; `rows=None` fits
    on every row, without copying the matrix."""
    if model in ("kmeans", "gmm"):
        X = basis.array
        if model == "kmeans":
            estimator = KMeans(n_clusters=k, n_init=n_init or 10, random_state=seed)
        else:
            estimator = GaussianMixture(n_components=k, covariance_type="diag", n_init=n_init or 3, random_state=seed)
        return _Positional(estimator.fit(X if rows is None else X[rows]), X)
    if model == "lca":
        from stepmix.stepmix import StepMix

        if basis.codes is None:
            raise PortraitError("latent class analysis needs a categorical indicator (text, or whole numbers "
                                f"with at most {MAX_CLASS_LEVELS} values); drop `lca` from the models.")
        X, measurement, params = basis.latent_class_input
        fitted = StepMix(n_components=k, measurement=measurement, measurement_params=params, n_init=n_init or 3,
                         abs_tol=LCA_TOLERANCE, random_state=seed, verbose=0, progress_bar=0)
        return _Positional(fitted.fit(X if rows is None else X[rows]), X)
    raise PortraitError(f"unknown model {model!r}; use one of {', '.join(MODELS)}.")


@dataclass
class _Positional:
    """A fitted estimator and the full matrix it assigns rows of (`rows=None`: every row)."""
    estimator: object
    X: np.ndarray

    def predict(self, rows: np.ndarray | None = None) -> np.ndarray:
        return self.estimator.predict(self.X if rows is None else self.X[rows])

    def bic(self, rows: np.ndarray | None = None) -> float:
        if not hasattr(self.estimator, "bic"):
            return np.nan
        return float(self.estimator.bic(self.X if rows is None else self.X[rows]))


def bic_note(basis: Basis, models: tuple[str, ...]) -> list[str]:
    """Why the Gaussian mixture's BIC is left blank on this basis, if it is."""
    if "gmm" in models and basis.discrete:
        return ["gmm's BIC not reported: the basis has variables with a few values only (categories, or answers "
                "on a scale), on which a normal density collapses onto the values and the BIC keeps falling as k "
                "grows; gmm is compared by silhouette, and for scale items lca's BIC is the one to read."]
    return []


def applicable_models(basis: Basis, models: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """The models that fit this basis, and a note for each one left out."""
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise PortraitError(f"unknown model(s) {unknown}; use {', '.join(MODELS)}.")
    if "lca" in models and basis.codes is None:
        return tuple(m for m in models if m != "lca"), [
            "lca left out: latent class analysis needs at least one categorical indicator, and every basis "
            "variable is continuous (for those alone, the Gaussian mixture is the latent class model)."]
    return tuple(models), []


def _sample(n: int, size: int, seed: int) -> np.ndarray | None:
    """The rows models are fitted on: None (every row, no copy) up to `size` rows, else a sorted random sample."""
    return None if n <= size else np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def compare_models(basis: Basis, k_range: tuple[int, int], seed: int, models: tuple[str, ...] = ("kmeans", "gmm"),
                   fit_sample: int = 50_000) -> pd.DataFrame:
    """One row per (model, k): silhouette, Calinski-Harabasz, BIC (mixtures, LCA), smallest segment share."""
    return _compare(basis, k_range, seed, models, fit_sample)[0]


def _compare(basis: Basis, k_range: tuple[int, int], seed: int, models: tuple[str, ...],
             fit_sample: int) -> tuple[pd.DataFrame, dict[tuple[str, int], tuple[_Positional, np.ndarray]]]:
    """The comparison table, and each candidate's fitted model with its labels of the fitted rows (kept so
    that the chosen candidate is not fitted again)."""
    n = len(basis.matrix)
    check_size(n, k_range)
    rows = _sample(n, fit_sample, seed)
    X = basis.array if rows is None else basis.array[rows]
    table, fits = [], {}
    for model in models:
        for k in range(k_range[0], k_range[1] + 1):
            fitted = _fit(model, k, basis, rows, seed)
            # k-means' own labels of the rows it was fitted on are what predict would return, a pass saved.
            labels = fitted.estimator.labels_ if model == "kmeans" else fitted.predict(rows)
            fits[model, k] = (fitted, labels.astype(np.min_scalar_type(k)))  # int8 for k < 128: a small copy
            shares = np.bincount(labels, minlength=k) / len(labels)
            several = len(np.unique(labels)) > 1
            table.append({"model": model, "k": k,
                          "silhouette": _silhouette(X, labels, seed) if several else np.nan,
                          "calinski_harabasz": round(float(calinski_harabasz_score(X, labels)), 1) if several else np.nan,
                          "bic": np.nan if model == "gmm" and basis.discrete else round(fitted.bic(rows), 1),
                          "smallest segment %": round(100 * float(shares.min()), 1)})
    return pd.DataFrame(table), fits


def _silhouette(X: np.ndarray, labels: np.ndarray, seed: int) -> float:
    """Silhouette on at most 3,000 rows, its distances computed in 16 MiB chunks: scikit-learn's default
    (1 GiB) would hold all 3,000 x 3,000 (70 MiB) at once, a fixed cost that is most of the peak on small data."""
    with sklearn.config_context(working_memory=16):
        return round(float(silhouette_score(X, labels, sample_size=min(len(X), 3000), random_state=seed)), 4)


def check_size(n: int, k_range: tuple[int, int]) -> None:
    low, high = k_range
    if low < 2 or high < low:
        raise PortraitError(f"k range {list(k_range)} is not valid; use two whole numbers 2 <= k_min <= k_max.")
    if n < MIN_PER_SEGMENT * high:
        raise PortraitError(f"too few respondents for k up to {high}: {n} complete cases, need at least "
                            f"{MIN_PER_SEGMENT * high}; lower k_max or choose basis variables with fewer gaps.")


@dataclass
class Segmentation:
    comparison: pd.DataFrame
    model: str
    k: int
    labels: pd.Series
    reason: str
    stability: pd.Series
    stability_threshold: float
    basis: Basis | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def stable(self) -> bool:
        return float(self.stability.median()) >= self.stability_threshold

    def summary(self, unit: str = "respondents") -> pd.DataFrame:
        sizes = self.labels.value_counts().sort_index()
        return pd.DataFrame({unit: sizes, "%": (100 * sizes / sizes.sum()).round(1)}).rename_axis("segment")

    @property
    def silhouette(self) -> float:
        """The chosen candidate's silhouette."""
        row = self.comparison[(self.comparison["model"] == self.model) & (self.comparison["k"] == self.k)]
        return float(row["silhouette"].iloc[0]) if len(row) else float("nan")

    def weak(self, threshold: float) -> bool:
        return not self.silhouette >= threshold

    def structure_report(self, threshold: float) -> str:
        """Whether the segments are well apart, in words: below `threshold` the structure is called weak."""
        if self.weak(threshold):
            return (f"WEAK STRUCTURE: silhouette {self.silhouette:.3f} is below {threshold} — the segments overlap a "
                    "lot; read them as tendencies within one population, not as distinct types.")
        return f"structure: silhouette {self.silhouette:.3f} (at least {threshold}: the segments are apart)"

    def stability_report(self) -> str:
        verdict = "stable" if self.stable else "NOT STABLE — read the segments with care"
        return (f"{self.model}, k={self.k}: bootstrap ARI median {self.stability.median():.3f} "
                f"(min {self.stability.min():.3f}, {len(self.stability)} re-fits) — {verdict} "
                f"(threshold {self.stability_threshold})")


def check_choice_rule(choose_by: str) -> None:
    if choose_by not in CHOICE_RULES:
        raise PortraitError(f"unknown choice rule {choose_by!r}; set the notebook parameter `choose_by` to one of "
                            f"{', '.join(CHOICE_RULES)}.")


def choose(comparison: pd.DataFrame, min_share: float, choose_by: str = "silhouette") -> tuple[pd.Series, str]:
    """The candidate the rule `choose_by` picks (see the module docstring) among those meeting the minimum
    segment share, and the reason in words."""
    check_choice_rule(choose_by)
    eligible = comparison[comparison["smallest segment %"] >= 100 * min_share].dropna(subset=["silhouette"])
    if eligible.empty:
        raise PortraitError(f"no candidate keeps every segment above {100 * min_share:.0f} % of respondents; "
                            "lower min_share or the k range.")
    share = f"whose smallest segment is at least {100 * min_share:.0f} %"
    if choose_by == "silhouette":
        best = eligible.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
        return best, (f"{best['model']} with k={int(best['k'])}: the highest silhouette ({best['silhouette']}) among "
                      f"{len(eligible)} candidates {share} (its smallest: {best['smallest segment %']} %).")
    with_bic = eligible.dropna(subset=["bic"])
    if with_bic.empty:
        raise PortraitError(f"choose_by='bic' needs a candidate with a BIC {share}: latent class analysis (lca, on "
                            "categorical items) or a Gaussian mixture (gmm, on a basis without categories or scale "
                            "answers); add one to `models`, lower min_share, or set choose_by='silhouette'.")
    # Lowest BIC within each model; between models the BICs are of different likelihoods, so silhouette decides.
    per_model = with_bic.sort_values(["bic", "k"]).groupby("model", sort=False).head(1)
    best = per_model.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]
    reason = (f"{best['model']} with k={int(best['k'])}: the lowest BIC ({best['bic']}) of {best['model']}'s "
              f"{int((with_bic['model'] == best['model']).sum())} candidates {share} (its smallest: "
              f"{best['smallest segment %']} %)")
    others = per_model[per_model["model"] != best["model"]]
    if len(others):
        rivals = ", ".join(f"{r.model} k={int(r.k)}: {r.silhouette}" for r in others.itertuples())
        reason += (f"; between models, the highest silhouette of each one's BIC choice ({best['silhouette']}; "
                   f"{rivals})")
    return best, reason + "."


def bootstrap_stability(basis: Basis, model: str, k: int, labels: np.ndarray, seed: int, n_boot: int = 20,
                        fit_sample: int = 50_000) -> pd.Series:
    """ARI between the chosen labels and re-fits on bootstrap samples (each predicting every row)."""
    n = len(basis.matrix)
    rng = np.random.default_rng(seed)
    scores = []
    for b in range(n_boot):
        sample = rng.choice(n, min(n, fit_sample), replace=True)
        refit = _fit(model, k, basis, sample, seed + b + 1, n_init=1 if model == "lca" else None)
        scores.append(adjusted_rand_score(labels, refit.predict()))
    return pd.Series(scores, name="ARI")


def segment(data: pd.DataFrame, variables: list[str], k_range: tuple[int, int] = (3, 7), seed: int = 7,
            min_share: float = 0.05, stability_threshold: float = 0.8, n_boot: int = 20,
            models: tuple[str, ...] = ("kmeans", "gmm"), fit_sample: int = 50_000,
            choose_by: str = "silhouette") -> Segmentation:
    """Compare candidates, choose one, label rows 1..k (1 = largest), and measure stability."""
    check_choice_rule(choose_by)  # before minutes of fitting
    basis = prepare_basis(data, variables)
    usable, notes = applicable_models(basis, tuple(models))
    comparison, fits = _compare(basis, k_range, seed, usable, fit_sample)
    notes += bic_note(basis, usable)
    best, reason = choose(comparison, min_share, choose_by)
    model, k = str(best["model"]), int(best["k"])
    n = len(basis.matrix)
    if n > fit_sample:
        notes.append(f"{n:,} rows: models fitted on a random sample of {fit_sample:,}, every row then assigned.")
    # The chosen candidate was fitted during the comparison: reuse it (its labels, when it saw every row).
    fitted, fit_labels = fits[model, k]
    raw = fit_labels.astype("int64") if n <= fit_sample else fitted.predict()
    del fits
    # Number segments by size so that segment 1 is always the largest, run after run.
    lookup = np.zeros(int(raw.max()) + 1, dtype="int64")
    lookup[pd.Series(raw).value_counts().index.to_numpy()] = np.arange(1, len(np.unique(raw)) + 1)
    labels = pd.Series(lookup[raw], index=basis.matrix.index, name="segment")
    stability = bootstrap_stability(basis, model, k, raw, seed, n_boot, fit_sample)
    if basis.dropped:
        notes.append(f"{basis.dropped:,} rows left out: a basis variable is missing for them.")
    return Segmentation(comparison, model, k, labels, reason, stability, stability_threshold, basis, notes)
