"""The domestic game's pure functions, against brute force and closed forms."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradetalks.politics import (
    DomesticRule,
    actor_stakes,
    carried_out_probabilities,
    complies,
    government_utility,
    party_scale,
    ratifiable,
    threat_scenarios,
    win_set,
    worth_carrying_out,
)

finite = st.floats(-10, 10, allow_nan=False)


def test_stakes_are_signed_sums_of_dollar_changes() -> None:
    x = np.array([[100.0, -40.0], [5.0, 10_000.0]])  # 2 points, 2 indicators, million USD
    w = np.array([[1.0, -0.5]])  # holds all of the first, loses half of the second
    # point 0: 100 + 20 = 120; point 1: 5 - 5000 = -4995 (no rescaling: the big stake wins)
    np.testing.assert_allclose(actor_stakes(x, w), [[120.0, -4995.0]])


def test_government_utility_is_the_weighted_sum_of_its_own_actors() -> None:
    stakes = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    u = government_utility(stakes, [1.0, 3.0, 2.0], [0, 0, 1], 2)
    np.testing.assert_allclose(u, [[1.0, 3.0], [-2.0, -2.0]])


def test_party_scale_is_the_largest_absolute_value_and_never_zero() -> None:
    u = np.array([[1.0, -5.0], [0.0, 0.0]])
    t = np.array([[2.0], [0.0]])
    np.testing.assert_allclose(party_scale(u, t), [5.0, 1.0])


def test_compliance_terms_pick_the_outcomes_that_meet_them() -> None:
    options = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [2, 1]])
    terms = [{1: [1]}, {0: [1, 2], 1: [1]}, {}]
    np.testing.assert_array_equal(
        complies(terms, options),
        [[0, 1, 0, 1, 1], [0, 0, 0, 1, 1], [1, 1, 1, 1, 1]],
    )


def test_a_threat_is_carried_out_when_gain_plus_reputation_is_not_negative() -> None:
    np.testing.assert_array_equal(
        worth_carrying_out([-5.0, -5.0, 0.0, 3.0], [0.0, 6.0, 0.0, 0.0]), [0, 1, 1, 1]
    )


def test_one_threat_no_deal_is_the_issue_formula() -> None:
    # value of no deal = c × threat + (1 − c) × status quo
    probs = carried_out_probabilities([0.3], [True])
    assert threat_scenarios(1) == [(), (0,)]
    np.testing.assert_allclose(probs, [0.7, 0.3])
    np.testing.assert_allclose(carried_out_probabilities([0.3], [False]), [1.0, 0.0])


@given(arrays(np.float64, (3,), elements=st.floats(0, 1)))
def test_threat_scenario_probabilities_sum_to_one(c: np.ndarray) -> None:
    p = carried_out_probabilities(c, [True, True, True])
    assert len(threat_scenarios(3)) == 8
    np.testing.assert_allclose(p.sum(), 1.0)
    for k in range(3):  # the marginal of each threat is its credibility
        inside = [i for i, s in enumerate(threat_scenarios(3)) if k in s]
        np.testing.assert_allclose(p[inside].sum(), c[k])


def _brute_ratify(s, s0, w, constituency, veto, tol, threshold, strength):  # type: ignore[no-untyped-def]
    eps = 1e-12  # the same slack for float ties as the implementation
    out = []
    for o in range(s.shape[1]):
        total = sum(w[a] for a in range(len(w)) if constituency[a])
        yes = sum(w[a] for a in range(len(w)) if constituency[a] and s[a, o] >= s0[a] - eps)
        share = yes / total if total > 0 else 1.0
        blocked = any(veto[a] and s[a, o] < s0[a] - tol[a] - eps for a in range(len(w)))
        out.append(share >= threshold * (1 - strength) - eps and not blocked)
    return np.array(out)


@settings(max_examples=200)
@given(
    s=arrays(np.float64, (4, 7), elements=st.floats(-1, 1)),
    s0=arrays(np.float64, (4,), elements=st.floats(-1, 1)),
    w=arrays(np.float64, (4,), elements=st.floats(0, 1)),
    veto=arrays(bool, (4,)),
    tol=arrays(np.float64, (4,), elements=st.floats(0, 0.5)),
    threshold=st.floats(0, 1),
    strength=st.floats(0, 1),
)
def test_ratification_matches_brute_force(s, s0, w, veto, tol, threshold, strength) -> None:  # type: ignore[no-untyped-def]
    constituency = np.array([False, True, True, True])  # actor 0 is the leader
    rule = DomesticRule(threshold, strength, constituency, veto, tol)
    got = ratifiable(s, s0, w, rule)
    want = _brute_ratify(s, s0, w, constituency, veto, tol, threshold, strength)
    np.testing.assert_array_equal(got, want)


@settings(max_examples=200)
@given(
    s=arrays(np.float64, (3, 9), elements=st.floats(-1, 1)),
    s0=arrays(np.float64, (3,), elements=st.floats(-1, 1)),
    w=arrays(np.float64, (3,), elements=st.floats(0.01, 1)),
    u=arrays(np.float64, (9,), elements=st.floats(-1, 1)),
    u0=st.floats(-1, 1),
    t1=st.floats(0, 1),
    t2=st.floats(0, 1),
)
def test_raising_a_threshold_never_enlarges_a_win_set(s, s0, w, u, u0, t1, t2) -> None:  # type: ignore[no-untyped-def]
    lo, hi = sorted((t1, t2))
    rule = DomesticRule(lo, 0.2, np.ones(3, bool), np.zeros(3, bool), np.zeros(3))
    small = win_set(u, u0, ratifiable(s, s0, w, rule, threshold=hi))
    large = win_set(u, u0, ratifiable(s, s0, w, rule, threshold=lo))
    assert not np.any(small & ~large)


@given(
    s=arrays(np.float64, (3, 9), elements=st.floats(-1, 1)),
    s0=arrays(np.float64, (3,), elements=st.floats(-1, 1)),
    u=arrays(np.float64, (9,), elements=st.floats(-1, 1)),
    u0=st.floats(-1, 1),
)
def test_zero_threshold_no_vetoes_gives_the_individually_rational_set(s, s0, u, u0) -> None:  # type: ignore[no-untyped-def]
    rule = DomesticRule(0.0, 0.0, np.ones(3, bool), np.zeros(3, bool), np.zeros(3))
    ws = win_set(u, u0, ratifiable(s, s0, np.ones(3), rule))
    np.testing.assert_array_equal(ws, u >= u0 - 1e-12)


def test_vectorised_ratification_equals_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    s = rng.uniform(-1, 1, (5, 3, 6))
    s0 = rng.uniform(-1, 1, (5, 3))
    w = rng.uniform(0, 1, (5, 3))
    thr = rng.uniform(0, 1, 5)
    lam = rng.uniform(0, 1, 5)
    rule = DomesticRule(0.5, 0.1, np.array([False, True, True]), np.array([False, True, False]),
                        np.array([0.0, 0.1, 0.0]))  # fmt: skip
    together = ratifiable(s, s0, w, rule, threshold=thr, leader_strength=lam)
    for k in range(5):
        alone = ratifiable(s[k], s0[k], w[k], rule, threshold=thr[k], leader_strength=lam[k])
        np.testing.assert_array_equal(together[k], alone)
    assert list(itertools.islice(threat_scenarios(2), 4)) == [(), (0,), (1,), (0, 1)]


def test_an_answer_is_carried_out_only_after_what_it_answers() -> None:
    # Threat 1 answers threat 0 (retaliation): P(∅) = 1 - p0, P({0}) = p0 (1 - p1),
    # P({1}) = 0, P({0, 1}) = p0 p1.
    p0, p1 = 0.6, 0.3
    probs = carried_out_probabilities([p0, p1], [True, True], trigger=[-1, 0])
    np.testing.assert_allclose(probs, [1 - p0, p0 * (1 - p1), 0.0, p0 * p1])


@settings(max_examples=50)
@given(arrays(np.float64, (4,), elements=st.floats(0, 1)), st.integers(0, 2))
def test_chained_probabilities_sum_to_one_and_respect_triggers(c: np.ndarray, chain: int) -> None:
    trigger = [[-1, -1, -1, -1], [-1, 0, 1, 2], [-1, 0, 0, -1]][chain]
    probs = carried_out_probabilities(c, np.ones(4, bool), trigger=trigger)
    assert probs.sum() == pytest.approx(1.0)
    for k, subset in enumerate(threat_scenarios(4)):
        if any(trigger[t] >= 0 and trigger[t] not in subset for t in subset):
            assert probs[k] == 0.0
