"""Each model on hand-made cases with known answers, brute force and invariances."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from tradetalks import ForecastError
from tradetalks.forecast import (
    CompromiseModel,
    ExchangeModel,
    ExpectedUtilityModel,
    MeanModel,
    MedianModel,
    NashBargainingModel,
    NotFittedError,
    StackedModel,
    make_issue_set,
)
from tradetalks.forecast._expected_utility import (
    basic_utilities,
    expected_utility,
    resolve_offers,
    risk_exponents,
    run_issue,
    win_probability,
)
from tradetalks.forecast._nash import nash_bargaining, nash_objective
from tradetalks.forecast._stacked import lad_convex_weights, pivot_midpoint

SPATIAL = [
    CompromiseModel(),
    NashBargainingModel(),
    NashBargainingModel(exponent=1.0),
    ExpectedUtilityModel(),
    ExchangeModel(),
]


def fitted_predict(model, issues):
    return model.fit(issues).predict(issues)


@pytest.mark.parametrize("model", SPATIAL, ids=repr)
def test_two_actors_of_equal_power_meet_halfway(model) -> None:
    issues = make_issue_set(["a", "b"], [[0, 100], [20, 60]])
    np.testing.assert_allclose(fitted_predict(model, issues), [50, 40], atol=1e-5)


@pytest.mark.parametrize("model", SPATIAL, ids=repr)
def test_actor_with_all_capability_and_salience_decides(model) -> None:
    issues = make_issue_set(
        ["a", "b", "c"],
        [[10, 90, 60], [70, 0, 100]],
        capability=[[1, 0, 0], [1, 0, 0]],
        salience=[[100, 0, 0], [100, 0, 0]],
    )
    np.testing.assert_allclose(fitted_predict(model, issues), [10, 70], atol=1e-5)


@pytest.mark.parametrize("model", SPATIAL, ids=repr)
def test_consensus_is_the_forecast(model) -> None:
    issues = make_issue_set(["a", "b", "c"], [[35, 35, 35]], capability=[[1, 5, 2]])
    np.testing.assert_allclose(fitted_predict(model, issues), [35], atol=1e-6)


def test_mean_and_median_ignore_missing_positions() -> None:
    issues = make_issue_set(["a", "b", "c", "d"], [[0, 10, np.nan, 50], [0, 100, 30, 40]])
    np.testing.assert_allclose(fitted_predict(MeanModel(), issues), [20, 42.5])
    np.testing.assert_allclose(fitted_predict(MedianModel(), issues), [10, 35])


def test_compromise_closed_form() -> None:
    issues = make_issue_set(
        ["a", "b", "c"], [[0, 100, 40]], capability=[[1, 2, 3]], salience=[[50, 25, 100]]
    )
    expected = (1 * 50 * 0 + 2 * 25 * 100 + 3 * 100 * 40) / (50 + 50 + 300)
    np.testing.assert_allclose(fitted_predict(CompromiseModel(), issues), [expected])


def test_missing_salience_is_filled() -> None:
    issues = make_issue_set(["a", "b"], [[0, 100]], salience=[[np.nan, 100]])
    np.testing.assert_allclose(
        fitted_predict(CompromiseModel(missing_salience=50), issues), [200 / 3]
    )


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        CompromiseModel().predict(make_issue_set(["a"], [[1]]))


def test_bad_hyperparameter_is_a_forecast_error() -> None:
    with pytest.raises(ForecastError, match="disagreement"):
        NashBargainingModel(disagreement="nope").fit(make_issue_set(["a"], [[1]]))  # type: ignore[arg-type]


# --- Nash bargaining ---------------------------------------------------------------


def test_nash_weighted_quadratic_closed_form() -> None:
    # Two actors at 0 and 100, weights w0, w1, quadratic utility, d = 0:
    # max w0 log(1 − x²) + w1 log(1 − (1 − x)²) on the unit scale; check the first-order condition.
    x = (
        nash_bargaining(
            np.array([[0.0, 100.0]]), np.array([[3.0, 1.0]]), np.array([np.nan]), (0, 100)
        )[0]
        / 100
    )
    foc = 3 * (-2 * x) / (1 - x**2) + 1 * (2 * (1 - x)) / (1 - (1 - x) ** 2)
    assert abs(foc) < 1e-6
    assert 0 < x < 0.5


def test_nash_with_status_quo_disagreement() -> None:
    # Both actors prefer to move right of the status quo 0: feasible set (0, 20).
    # FOC of log(100 − (x−10)²) + log(900 − (x−30)²): x = 20 − 4√3 ≈ 13.07? -> brute force.
    pos, w, ref = np.array([[10.0, 30.0]]), np.array([[1.0, 1.0]]), np.array([0.0])
    x = nash_bargaining(pos, w, ref, (0, 100), disagreement="reference")[0]
    d = 1 - (np.abs(0 - pos) / 100) ** 2
    brute = minimize_scalar(
        lambda t: -nash_objective(np.array([t]), pos, w, d, 100, 2.0)[0],
        bounds=(1e-9, 20 - 1e-9),
        method="bounded",
        options={"xatol": 1e-10},
    ).x
    assert abs(x - brute) < 1e-5
    assert 0 < x < 20


def test_nash_status_quo_is_kept_when_actors_straddle_it() -> None:
    x = nash_bargaining(
        np.array([[0.0, 100.0]]),
        np.array([[1.0, 1.0]]),
        np.array([40.0]),
        (0, 100),
        disagreement="reference",
    )
    assert x[0] == 40


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=2, max_size=6),
    st.lists(st.floats(0.1, 10), min_size=6, max_size=6),
    st.sampled_from([1.0, 2.0, 3.0]),
)
def test_nash_matches_brute_force(positions, weights, exponent) -> None:
    pos = np.array([positions])
    w = np.array([weights[: len(positions)]])
    x = nash_bargaining(pos, w, np.array([np.nan]), (0, 100), exponent)[0]
    grid = np.linspace(0, 100, 20001)
    values = nash_objective(grid, np.repeat(pos, grid.size, 0), np.repeat(w, grid.size, 0),
                            np.zeros((grid.size, pos.shape[1])), 100.0, exponent)  # fmt: skip
    best = nash_objective(np.array([x]), pos, w, np.zeros_like(pos), 100.0, exponent)[0]
    assert best >= values.max() - 1e-7


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=1, max_size=7),
    st.lists(st.floats(0.5, 5), min_size=7, max_size=7),
    st.lists(st.floats(1, 100), min_size=7, max_size=7),
)
def test_mirror_symmetry(positions, caps, sals) -> None:
    """Reflecting every position x → 100 − x reflects the forecast (no model favours a side)."""
    n = len(positions)
    kw = {"capability": [caps[:n]], "salience": [sals[:n]]}
    issues = make_issue_set([f"a{i}" for i in range(n)], [positions], **kw)
    mirrored = make_issue_set([f"a{i}" for i in range(n)], [[100 - p for p in positions]], **kw)
    for model in (CompromiseModel(), NashBargainingModel(), MeanModel(), ExchangeModel()):
        forecast = fitted_predict(model, issues)
        assert 0 <= forecast[0] <= 100
        assert min(positions) - 1e-6 <= forecast[0] <= max(positions) + 1e-6
        np.testing.assert_allclose(
            forecast, 100 - fitted_predict(model, mirrored), atol=1e-5, err_msg=repr(model)
        )


# --- Expected-utility model (Scholz et al. 2011), worked by hand ---------------------


def test_win_probabilities_are_complementary() -> None:
    x = np.array([0.0, 30.0, 100.0, 55.0])
    p = win_probability(x, np.array([1.0, 2.0, 0.5, 3.0]))
    off = ~np.eye(4, dtype=bool)
    np.testing.assert_allclose((p + p.T)[off], 1.0)


def test_eu_two_actor_case_by_hand() -> None:
    """A at 0 (c = 3), B at 100 (c = 1), s = 1: values worked out on paper.

    P_AB = 300/400 = 0.75. With r = 1: U_s = 2d = 2, U_f = −2, U_sq = 0, so
    E^A_B = 0.75·2 + 0.25·(−2) = 1 and E^B_A = −1. Exposure S_A = −1, S_B = 1, so
    R_A = −1, R_B = 1 and r_A = (4/3)/(2/3) = 2, r_B = (2/3)/(4/3) = 1/2. Then
    U_sq^A = 2 − 4·¼ = 1 gives E^A_B = 1 − 1 = 0 and U_sq^B = 2 − 4/√2 gives
    E^B_A = −1 − (2 − 2√2) = 2√2 − 3. No challenge has positive value, so no one moves
    and the forecast is the weighted median, A's position.
    """
    x, votes, s = np.array([0.0, 100.0]), np.array([3.0, 1.0]), np.array([1.0, 1.0])
    p = win_probability(x, votes)
    assert p[0, 1] == pytest.approx(0.75) and p[1, 0] == pytest.approx(0.25)
    e = expected_utility(basic_utilities(x, 0.0, np.ones(2), 100.0), p, s, 1.0, 1.0)
    np.testing.assert_allclose(e, [[0, 1], [-1, 0]])
    r = risk_exponents(e)
    np.testing.assert_allclose(r, [2.0, 0.5])
    e2 = expected_utility(basic_utilities(x, 0.0, r, 100.0), p, s, 1.0, 1.0)
    np.testing.assert_allclose(e2, [[0, 0], [2 * np.sqrt(2) - 3, 0]], atol=1e-12)
    result = run_issue(x, np.array([3.0, 1.0]), s)
    assert result.forecast == 0 and result.converged
    np.testing.assert_array_equal(result.positions, x)


def test_eu_closed_form_with_unit_risk() -> None:
    """With r = 1 and Q = 1: E^i_j = 2d (1 − 2 s_j (1 − P_ij))."""
    x = np.array([0.0, 40.0, 100.0])
    s = np.array([0.3, 0.9, 0.6])
    p = win_probability(x, np.array([1.0, 2.0, 1.5]) * s)
    e = expected_utility(basic_utilities(x, 40.0, np.ones(3), 100.0), p, s, 1.0, 1.0)
    d = np.abs(x[:, None] - x[None, :]) / 100
    np.testing.assert_allclose(e, 2 * d * (1 - 2 * s[None, :] * (1 - p)), atol=1e-12)


@pytest.mark.parametrize(
    ("e_ba", "expected_b"),
    [
        (-0.2, 60.0),  # compromise: B moves |−0.2/0.5| = 40% of the way to A
        (-0.7, 0.0),  # capitulation: |E^B_A| ≥ E^A_B
        (0.3, 0.0),  # conflict B loses: 0 < E^B_A < E^A_B
    ],
)
def test_offer_resolution_rules(e_ba: float, expected_b: float) -> None:
    x = np.array([0.0, 100.0])
    e = np.array([[0.0, 0.5], [e_ba, 0.0]])
    np.testing.assert_allclose(resolve_offers(x, e), [0.0, expected_b])


def test_eu_risk_exponents_are_bounded() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        e = rng.normal(size=(5, 5))
        np.fill_diagonal(e, 0)
        r = risk_exponents(e)
        assert np.all((r >= 0.5 - 1e-12) & (r <= 2 + 1e-12))


# --- Exchange model (Stokman & van Oosten 1994), worked by hand ---------------------


def test_exchange_two_issue_case_by_hand() -> None:
    """i (100, 100), saliences (80, 20); j (0, 0), saliences (20, 80); equal capability.

    Compromise: O_d = 80, O_e = 20. j may give on d up to O_d (ΔO_d ≤ 20·80/100 = 16),
    i on e up to O_e (ΔO_e ≤ 16); the rate (80+20)/(20+80) = 1 gives ΔO = 16 on both, so
    j moves to 80 on d and i to 20 on e: O_d = (80·100 + 20·80)/100 = 96 and
    O_e = (20·20 + 80·0)/100 = 4. Each gains 80·16 − 20·16 = 960.
    """
    issues = make_issue_set(
        ["i", "j"],
        [[100, 0], [100, 0]],
        salience=[[80, 20], [20, 80]],
        proposal_ids=["p", "p"],
    )
    np.testing.assert_allclose(fitted_predict(ExchangeModel(), issues), [96, 4])
    separate = make_issue_set(["i", "j"], [[100, 0], [100, 0]], salience=[[80, 20], [20, 80]])
    np.testing.assert_allclose(fitted_predict(ExchangeModel(), separate), [80, 20])


def test_no_exchange_when_relative_saliences_agree() -> None:
    issues = make_issue_set(
        ["i", "j"], [[100, 0], [100, 0]], salience=[[80, 40], [20, 10]], proposal_ids=["p", "p"]
    )
    np.testing.assert_allclose(
        fitted_predict(ExchangeModel(), issues), fitted_predict(CompromiseModel(), issues)
    )


# --- Our stacked model --------------------------------------------------------------


def test_lad_convex_weights_brute_force() -> None:
    rng = np.random.default_rng(0)
    f = rng.uniform(0, 100, size=(40, 2))
    y = 0.3 * f[:, 0] + 0.7 * f[:, 1] + rng.laplace(0, 5, 40)
    w = lad_convex_weights(f, y)
    grid = np.linspace(0, 1, 10001)
    losses = np.abs(y[None, :] - np.outer(grid, f[:, 0]) - np.outer(1 - grid, f[:, 1])).sum(1)
    assert np.abs(y - f @ w).sum() <= losses.min() + 1e-6
    assert w.sum() == pytest.approx(1) and np.all(w >= 0)


def test_stacked_recovers_the_generating_model() -> None:
    rng = np.random.default_rng(1)
    pos = rng.choice([0.0, 25, 50, 100], size=(60, 5))
    outcome = pos.mean(axis=1)
    issues = make_issue_set(
        list("abcde"), pos, outcome=outcome, capability=rng.uniform(1, 9, (60, 5))
    )
    model = StackedModel(candidates=[("mean", "compromise", "median")], anchors=()).fit(issues)
    assert model.pooled_weights_[0] == pytest.approx(1, abs=1e-6)
    np.testing.assert_allclose(model.predict(issues), outcome, atol=1e-6)


def test_stacked_inner_cross_validation_picks_the_generating_features() -> None:
    rng = np.random.default_rng(2)
    pos = rng.uniform(0, 100, size=(80, 7))
    cap = rng.uniform(1, 9, (80, 7))
    probe = make_issue_set(list("abcdefg"), pos, capability=cap)
    truth = StackedModel(anchors=())._feature("members_q0.25", probe)
    issues = make_issue_set(
        list("abcdefg"),
        pos,
        capability=cap,
        outcome=truth,
        proposal_ids=[f"p{k // 2}" for k in range(80)],
    )
    candidates = [("mean",), ("mean", "members_q0.25"), ("median", "compromise")]
    model = StackedModel(candidates=candidates, anchors=()).fit(issues)
    assert model.features_ == ("mean", "members_q0.25", "compromise")  # the prior joins
    assert model.blend_ == 1.0  # exact features: no shrinkage towards the prior
    assert model.inner_choice_.mae[(("mean", "members_q0.25"), 1.0)] < 1e-6
    assert model.inner_choice_.mae[(("mean",), 1.0)] > 1


def test_pivot_midpoint_by_rule() -> None:
    # Weights 1..5 at 0, 25, 50, 75, 100 (total 15); QMV q = 62/87 ≈ 0.713:
    # quantile 0.287 → 50 (cum 6/15 = 0.4), quantile 0.713 → 100 (cum 10/15 < 0.713).
    issues = make_issue_set(list("abcde"), [[0, 25, 50, 75, 100]], capability=[[1, 2, 3, 4, 5]])
    assert pivot_midpoint(issues, range(5))[0] == 75
    unan = make_issue_set(list("abcde"), [[0, 25, 50, 75, 100]], capability=[[1, 2, 3, 4, 5]])
    object.__setattr__(unan, "voting_rule", ("Unan",))
    assert pivot_midpoint(unan, range(5))[0] == 50


def test_stacked_rejects_unknown_features() -> None:
    issues = make_issue_set(["a", "b", "c"], [[0, 100, 30]] * 6, outcome=[50] * 6)
    with pytest.raises(ForecastError, match="unknown feature 'members_q2'"):
        StackedModel(candidates=[("members_q2",)]).fit(issues)


def test_stacked_needs_training_outcomes() -> None:
    issues = make_issue_set(["a", "b"], [[0, 100]] * 3)
    with pytest.raises(ForecastError, match="at least 5 training issues"):
        StackedModel().fit(issues)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 20, 50, 70, 100]), min_size=12, max_size=12),
    st.lists(st.floats(5, 100), min_size=12, max_size=12),
    st.lists(st.floats(1, 10), min_size=4, max_size=4),
)
def test_every_exchange_gains_both_sides_equally(positions, saliences, caps) -> None:
    """Stokman–van Oosten exchanges: both traders gain, by the same amount (3 issues × 4 actors)."""
    from tradetalks.forecast._exchange import candidate_exchanges

    pos = np.array(positions).reshape(3, 4)
    sal = np.array(saliences).reshape(3, 4)
    cap = np.tile(caps, (3, 1))
    for ex in candidate_exchanges(pos, cap, sal):
        d, e, j, i = ex.issue_d, ex.issue_e, ex.giver_d, ex.giver_e
        gain_i = sal[d, i] * ex.outcome_shift_d - sal[e, i] * ex.outcome_shift_e
        gain_j = sal[e, j] * ex.outcome_shift_e - sal[d, j] * ex.outcome_shift_d
        assert gain_i == pytest.approx(gain_j, rel=1e-9, abs=1e-9)
        assert gain_i > 0 and gain_i == pytest.approx(ex.gain, rel=1e-9)
    issues = make_issue_set(list("abcd"), pos, salience=sal, capability=cap, proposal_ids="ppp")
    forecast = fitted_predict(ExchangeModel(), issues)
    assert np.all(forecast >= pos.min(axis=1) - 1e-9) and np.all(forecast <= pos.max(axis=1) + 1e-9)
