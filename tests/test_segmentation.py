"""Data-driven segments: the right k on planted clusters, stability, determinism, demo recovery."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from portrait.errors import PortraitError
from portrait.segmentation import choose, compare_models, prepare_basis, segment

from conftest import TRUTH


def blobs(seed=1, n=300):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0], [4, 4, 0, 0], [0, 4, 4, 4]])
    truth = rng.integers(0, 3, n)
    data = pd.DataFrame(centres[truth] + rng.normal(0, 0.8, (n, 4)), columns=list("abcd"))
    return data, truth


def test_three_planted_clusters_are_found_and_stable():
    data, truth = blobs()
    result = segment(data, list("abcd"), (2, 5), seed=3, n_boot=8)
    assert result.k == 3 and result.stable
    assert adjusted_rand_score(truth, result.labels) > 0.95
    assert "highest silhouette" in result.reason
    assert result.summary()["respondents"].iloc[0] == result.labels.value_counts().max()


def test_same_seed_same_segments():
    data, _ = blobs(2)
    first = segment(data, list("abcd"), (2, 4), seed=5, n_boot=3)
    second = segment(data, list("abcd"), (2, 4), seed=5, n_boot=3)
    pd.testing.assert_series_equal(first.labels, second.labels)
    pd.testing.assert_frame_equal(first.comparison, second.comparison)


def test_noise_is_flagged_as_unstable():
    rng = np.random.default_rng(3)
    data = pd.DataFrame(rng.normal(size=(300, 4)), columns=list("abcd"))
    result = segment(data, list("abcd"), (5, 5), seed=1, n_boot=6, stability_threshold=0.9)
    assert not result.stable and "NOT STABLE" in result.stability_report()


def test_minimum_share_and_bad_basis_are_errors():
    data, _ = blobs()
    comparison = compare_models(prepare_basis(data, list("abcd")), (2, 3), seed=1, models=("kmeans",))
    with pytest.raises(PortraitError, match="no candidate keeps every segment above 60 %"):
        choose(comparison, 0.6)
    with pytest.raises(PortraitError, match=r"\['zz'\] are not in the data"):
        prepare_basis(data, ["a", "zz"])
    with pytest.raises(PortraitError, match="do not vary"):
        prepare_basis(data.assign(e=1.0), ["a", "e"])


def test_demo_attitudinal_segments_are_recovered(demo_study):
    coded = demo_study.read("survey_coded")
    coded = coded[coded["quality_ok"]]
    items = [c for c in coded.columns if c.startswith("attitudes__")]
    result = segment(coded, items, (3, 6), seed=7, n_boot=3)
    links = pd.read_csv(TRUTH / "survey_quality.csv", dtype=str)[["Response ID", "person_id"]]
    planted = pd.read_csv(TRUTH / "people.csv")[["person_id", "attitude_segment"]]
    truth = coded.loc[result.labels.index, ["respondent_id"]].merge(
        links, left_on="respondent_id", right_on="Response ID", how="left").merge(planted, on="person_id", how="left")
    ari = adjusted_rand_score(truth["attitude_segment"], result.labels.to_numpy())
    assert ari >= 0.8, f"ARI {ari:.3f} ({result.reason})"
