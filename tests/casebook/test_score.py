"""Scoring functions against closed forms."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks.casebook import bootstrap_interval, brier, hit, log_loss
from tradetalks.casebook._score import EPSILON, bootstrap_means

probability = st.floats(0.0, 1.0, allow_nan=False)


@given(p=probability, y=st.booleans())
def test_binary_brier_is_the_squared_error(p: float, y: bool) -> None:
    probs = {"yes": p, "no": 1.0 - p}
    assert brier(probs, "yes" if y else "no") == pytest.approx((p - float(y)) ** 2, abs=1e-12)


@given(raw=st.lists(st.floats(0.01, 1.0), min_size=2, max_size=6), k=st.integers(0, 5))
def test_categorical_brier_is_half_the_sum_of_squares(raw: list[float], k: int) -> None:
    p = np.array(raw) / sum(raw)
    keys = [f"o{i}" for i in range(len(p))]
    answer = keys[k % len(p)]
    y = np.array([float(key == answer) for key in keys])
    assert brier(dict(zip(keys, p, strict=True)), answer) == pytest.approx(
        0.5 * float(((p - y) ** 2).sum()), abs=1e-12
    )
    assert 0.0 <= brier(dict(zip(keys, p, strict=True)), answer) <= 1.0


@given(p=st.floats(EPSILON, 1 - EPSILON))
def test_log_loss_is_minus_log_p(p: float) -> None:
    assert log_loss({"yes": p, "no": 1 - p}, "yes") == pytest.approx(-math.log(p))


def test_log_loss_is_clipped_and_a_coin_flip_costs_log_two() -> None:
    assert log_loss({"yes": 0.0, "no": 1.0}, "yes") == pytest.approx(-math.log(EPSILON))
    assert log_loss({"yes": 1.0, "no": 0.0}, "yes") == pytest.approx(-math.log(1 - EPSILON))
    assert log_loss({"yes": 0.5, "no": 0.5}, "no") == pytest.approx(math.log(2))
    assert brier({"yes": 0.5, "no": 0.5}, "no") == pytest.approx(0.25)


def test_hit_counts_ties_as_a_share() -> None:
    assert hit({"yes": 0.7, "no": 0.3}, "yes") == 1.0
    assert hit({"yes": 0.7, "no": 0.3}, "no") == 0.0
    assert hit({"yes": 0.5, "no": 0.5}, "no") == 0.5
    assert hit({"a": 0.4, "b": 0.4, "c": 0.2}, "a") == 0.5
    assert hit({"a": 0.4, "b": 0.4, "c": 0.2}, "c") == 0.0


def test_bootstrap_of_identical_episodes_has_no_width() -> None:
    interval = bootstrap_interval([[0.2, 0.4], [0.2, 0.4], [0.2, 0.4]])
    assert (interval.mean, interval.low, interval.high) == pytest.approx((0.3, 0.3, 0.3))


def test_bootstrap_pools_questions_and_weights_episodes_by_size() -> None:
    groups = [[1.0, 1.0, 1.0], [0.0]]
    assert bootstrap_interval(groups).mean == pytest.approx(0.75)  # pooled, not 0.5
    # a draw of group 0 twice gives 1; of group 1 twice gives 0; one of each gives 3/4
    means = bootstrap_means(groups, draws=4000, seed=1)
    assert set(np.round(means, 12)) == {0.0, 0.75, 1.0}
    assert np.mean(means == 0.75) == pytest.approx(0.5, abs=0.03)


def test_bootstrap_spread_matches_the_closed_form() -> None:
    """One question per episode: the bootstrap mean's variance is the plug-in sigma^2 / n."""
    rng = np.random.default_rng(7)
    values = rng.normal(size=40)
    means = bootstrap_means([[v] for v in values], draws=20_000, seed=3)
    assert means.mean() == pytest.approx(values.mean(), abs=0.01)
    assert means.std() == pytest.approx(values.std() / math.sqrt(len(values)), rel=0.03)


@settings(max_examples=25)
@given(st.lists(st.lists(st.floats(0, 1), min_size=1, max_size=4), min_size=2, max_size=8))
def test_bootstrap_interval_brackets_the_pooled_mean_range(groups: list[list[float]]) -> None:
    interval = bootstrap_interval(groups, draws=200)
    flat = [v for g in groups for v in g]
    assert min(flat) - 1e-12 <= interval.low <= interval.high <= max(flat) + 1e-12
