"""The harness: folds never split proposals, no leakage, bootstrap and paired comparisons."""

from typing import Self

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks import ForecastError
from tradetalks.forecast import (
    CompromiseModel,
    MeanModel,
    cross_val_predict,
    default_models,
    evaluate,
    load_deu,
    make_issue_set,
    plot_evaluation,
    proposal_folds,
)
from tradetalks.forecast._base import ParamsMixin
from tradetalks.forecast._evaluate import cluster_bootstrap_weights, score_predictions


@pytest.fixture(scope="module")
def deu():
    return load_deu()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 25), min_size=4, max_size=80),
    st.integers(2, 6),
    st.integers(0, 10_000),
)
def test_folds_never_split_a_proposal(labels, k, seed) -> None:
    proposals = [f"p{x}" for x in labels]
    n_groups = len(set(proposals))
    if n_groups < k:
        with pytest.raises(ForecastError):
            proposal_folds(proposals, k, seed)
        return
    folds = proposal_folds(proposals, k, seed)
    for p in set(proposals):
        assert len({folds[i] for i, q in enumerate(proposals) if q == p}) == 1
    assert set(folds) == set(range(k))  # every fold used: largest-first into the lightest


def test_folds_are_reproducible_and_seed_dependent(deu) -> None:
    a = proposal_folds(deu.proposal_ids, 5, 0)
    np.testing.assert_array_equal(a, proposal_folds(deu.proposal_ids, 5, 0))
    assert not np.array_equal(a, proposal_folds(deu.proposal_ids, 5, 1))
    sizes = np.bincount(a)
    assert sizes.max() - sizes.min() <= 6  # balanced up to the largest proposal


class _Spy(ParamsMixin):
    """Remembers the proposals it was trained on; predicts the training outcomes' mean."""

    seen: list[set[str]] = []  # noqa: RUF012 - test-only registry shared by clones

    def __init__(self) -> None:
        pass

    def fit(self, issues) -> Self:
        _Spy.seen.append(set(issues.proposal_ids))
        self.level_ = float(np.nanmean(issues.outcome))
        return self

    def predict(self, issues):
        return np.full(issues.n_issues, self.level_)


def test_cross_validation_trains_without_the_test_proposals(deu) -> None:
    _Spy.seen = []
    folds = proposal_folds(deu.proposal_ids, 4, 0)
    cross_val_predict(_Spy(), deu, folds)
    assert len(_Spy.seen) == 4
    for fold, trained_on in enumerate(_Spy.seen):
        tested = {p for p, f in zip(deu.proposal_ids, folds, strict=True) if f == fold}
        assert not trained_on & tested
        assert trained_on | tested == set(deu.proposal_ids)


def test_bootstrap_weights_resample_whole_proposals() -> None:
    clusters = ["a", "a", "b", "c", "c", "c"]
    w = cluster_bootstrap_weights(clusters, 500, 0)
    assert w.shape == (500, 6)
    np.testing.assert_array_equal(w[:, 0], w[:, 1])
    np.testing.assert_array_equal(w[:, 3], w[:, 5])
    # each draw picks 3 proposals: Σ over proposals of their counts = 3
    np.testing.assert_array_equal(w[:, [0, 2, 3]].sum(axis=1), 3)


def test_scores_and_paired_differences() -> None:
    outcome = np.array([10.0, 20, 30, 40, 50, 60])
    proposals = ["a", "a", "b", "b", "c", "c"]
    good = outcome + np.array([1, -1, 2, -2, 5, -20])
    scores = score_predictions(
        {"same": good.copy(), "good": good, "bad": outcome + 30}, outcome, proposals, "good", 500
    )
    by = {s.name: s for s in scores}
    assert by["good"].mae == pytest.approx(31 / 6)
    assert by["good"].within10 == pytest.approx(5 / 6)
    assert by["bad"].within10 == 0
    assert by["same"].mae_diff == 0 and by["same"].mae_diff_ci == (0.0, 0.0)
    assert by["bad"].mae_diff == pytest.approx(30 - 31 / 6)
    assert by["bad"].share_draws_better == 0
    lo, hi = by["good"].mae_ci
    assert lo <= by["good"].mae <= hi


def test_unknown_baseline() -> None:
    with pytest.raises(ForecastError, match="baseline"):
        score_predictions({"a": np.zeros(2)}, np.zeros(2), ["x", "y"], "b")


def test_evaluate_cross_validation_on_deu(deu, tmp_path) -> None:
    models = {"mean": MeanModel(), "compromise": CompromiseModel()}
    result = evaluate(models, deu, folds=5, seed=0, n_boot=300)
    assert result.n_issues == 208 and result.mode == "cross-validation"
    by = {s.name: s for s in result.scores}
    # The mean learns nothing: cross-validated = the SOURCES.md figure.
    assert round(by["mean"].mae, 1) == 22.7
    assert by["compromise"].mae_diff == 0
    png = plot_evaluation(result, tmp_path / "scores.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.to_dict()["models"][0]["name"] == "mean"


def test_evaluate_out_of_sample_fits_on_train_only(deu) -> None:
    props = list(dict.fromkeys(deu.proposal_ids))
    train_rows = np.array([p in set(props[:40]) for p in deu.proposal_ids])
    _Spy.seen = []
    result = evaluate(
        {"spy": _Spy(), "compromise": CompromiseModel()},
        deu.subset(~train_rows),
        deu.subset(train_rows),
        n_boot=200,
    )
    assert result.mode == "out-of-sample"
    assert _Spy.seen == [set(props[:40])]


def test_evaluate_needs_scorable_issues() -> None:
    issues = make_issue_set(["a", "b"], [[0, 100]])
    with pytest.raises(ForecastError, match="nothing to score"):
        evaluate({"compromise": CompromiseModel()}, issues)


@pytest.mark.slow
def test_full_comparison_runs_and_every_model_beats_nothing_silly(deu) -> None:
    result = evaluate(default_models(), deu, folds=5, seed=0, n_boot=300)
    for s in result.scores:
        assert 10 < s.mae < 40  # every model is a real forecaster on the 0–100 scale
