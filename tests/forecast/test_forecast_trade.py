"""The spatial view of trade scenarios: hand-computed answers, brute force, properties.

``data/tiny_trade.toml`` has only issue-preference stakes, so every stake is a score
written in the file and the view can be computed by hand (see each test's comments).
"""

import itertools
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradetalks import ForecastError
from tradetalks.data import load_wiod
from tradetalks.forecast import (
    VETO_CAPABILITY_FACTOR,
    CompromiseModel,
    MeanModel,
    ScenarioForecast,
    ScenarioView,
    TalksDistribution,
    government_capability,
    ideal_positions,
    issue_stakes,
    option_scale,
    relative_salience,
    scenario_view,
    simulate_talks,
    spatial_forecasts,
    threat_boost,
)
from tradetalks.game import (
    GameSetup,
    batch_plan,
    option_counts,
    prepare_game,
    run_talks,
    sample_parameters,
    scenario_parameters,
    solve_game,
    sweep_batch,
    sweep_summary,
)
from tradetalks.politics import party_scale
from tradetalks.scenario import builtin_scenarios, load_scenario

TINY = Path(__file__).parent / "data" / "tiny_trade.toml"


@pytest.fixture(scope="module")
def tiny() -> GameSetup:
    return prepare_game(load_scenario(TINY), workers=1)


@pytest.fixture(scope="module")
def builtins() -> dict[str, GameSetup]:
    return {name: prepare_game(load_scenario(name), workers=1) for name in builtin_scenarios()}


# --- the hand-made scenario -------------------------------------------------------------


def test_tiny_positions_saliences_and_scale_by_hand(tiny: GameSetup) -> None:
    view = scenario_view(tiny, economic_weight={"USA": 3.0, "JPN": 1.0})
    iss = view.issues
    assert iss.actors == ("USA.government", "USA.exporters", "JPN.government", "JPN.farmers")
    assert iss.issue_ids == ("farm_tariff", "pledge")
    # Tariff 20% -> 10% -> 0%: positions in proportion to the rate.
    np.testing.assert_allclose(view.option_position[0], [0.0, 50.0, 100.0])
    # Pledge (categorical), ranked by the US government's utility with the tariff at the
    # status quo: U = ½·leader = ½·½·score → none 0 < big 0.125 < small 0.25.
    np.testing.assert_allclose(view.option_position[1], [0.0, 100.0, 50.0])
    np.testing.assert_allclose(iss.reference, [0.0, 0.0])
    nan = np.nan
    np.testing.assert_allclose(iss.position, [[100, 100, 0, 0], [100, nan, 0, nan]])
    # US government: tariff stakes (0, .375, .75), pledge (0, .25, .125): ranges .75 and .25.
    # Japan: tariff (0, -.525, -.75), pledge (0, -.25, -.2). Exporters/farmers: tariff only.
    np.testing.assert_allclose(iss.salience, [[100, 100, 100, 100], [100 / 3, 0, 100 / 3, 0]])
    # Capabilities: 75 / 25 by economic weight; exporters ½·75; farmers ½·25·veto factor.
    expected = [75.0, 37.5, 25.0, 12.5 * VETO_CAPABILITY_FACTOR]
    np.testing.assert_allclose(iss.capability[0], expected)
    np.testing.assert_allclose(iss.capability[1], [75.0, 0.0, 25.0, 0.0])  # no position, no say
    assert view.is_government == (True, False, True, False)
    assert view.is_veto == (False, False, False, True)
    assert set(iss.proposal_ids) == {"tiny-trade"}


def test_tiny_compromise_by_hand(tiny: GameSetup) -> None:
    view = scenario_view(tiny, economic_weight={"USA": 3.0, "JPN": 1.0})
    forecast = CompromiseModel().fit(view.issues).predict(view.issues)
    # Tariff: (75 + 37.5)·100 / (75 + 37.5 + 25 + 25); pledge: 75·100 / (75 + 25).
    np.testing.assert_allclose(forecast, [11250 / 162.5, 75.0])
    assert view.nearest_option(0, forecast[0]) == "cut"  # 69.2 is nearer 50 than 100
    assert view.nearest_option(1, 75.0) in {"small", "big"}
    assert view.nearest_option(1, 20.0) == "none"
    assert view.nearest_option(1, 25.0) == "none"  # midway: the status quo
    assert view.nearest_option(1, 75.0) == "small"  # midway, no status quo: written order
    assert view.nearest_option(1, float("nan")) is None


def test_comparison_with_the_talks_by_hand(tiny: GameSetup) -> None:
    view = scenario_view(tiny, economic_weight={"USA": 1.0, "JPN": 1.0})
    no_deal = {"current": 0.0, "cut": 0.0, "free": 0.0, "(no deal)": 1.0}
    talks = TalksDistribution(
        sessions=10, seed=0, batch_size=10, deal_share=0.5,
        shares={"farm_tariff": {"current": 0.1, "cut": 0.4, "free": 0.0, "(no deal)": 0.5},
                "pledge": no_deal},
        modal={"farm_tariff": "(no deal)", "pledge": "(no deal)"},
        modal_agreed={"farm_tariff": "cut", "pledge": None},
        mean_position={"farm_tariff": 40.0, "pledge": None},
    )  # fmt: skip
    forecasts = {"a": np.array([60.0, 10.0]), "b": np.array([np.nan, 0.0])}
    result = ScenarioForecast(view, forecasts, talks).comparison()
    # Only the tariff has deals: |60 - 40| = 20 and 60 is nearest "cut", the modal deal.
    assert result["a"] == {"mean_abs_diff": 20.0, "same_option": 1, "issues": 1}
    assert result["b"] == {"mean_abs_diff": None, "same_option": 0, "issues": 0}


def test_separable_stakes_give_the_same_view_whichever_way_other_issues_are_held(
    tiny: GameSetup,
) -> None:
    # Issue preferences add up, so holding the other issue at its status quo or
    # averaging over it shifts each stake by a constant: same positions and saliences.
    a = scenario_view(tiny, hold="status_quo", economic_weight={"USA": 1, "JPN": 1})
    b = scenario_view(tiny, hold="mean", economic_weight={"USA": 1, "JPN": 1})
    np.testing.assert_allclose(a.issues.position, b.issues.position)
    np.testing.assert_allclose(a.issues.salience, b.issues.salience)


def test_default_capability_is_the_wiod_value_added_share(tiny: GameSetup) -> None:
    view = scenario_view(tiny)
    table = load_wiod(2011)
    va = table.gross_output_musd - table.intermediate_musd.sum(axis=(0, 1))
    usa, jpn = (va[table.country_index(c)].sum() for c in ("USA", "JPN"))
    assert view.issues.capability[0, 0] == pytest.approx(100 * usa / (usa + jpn))
    assert view.issues.capability[0, 2] == pytest.approx(100 * jpn / (usa + jpn))
    np.testing.assert_allclose(view.threat_boost, [1.0, 1.0])  # no threats


def test_bad_arguments_are_forecast_errors(tiny: GameSetup) -> None:
    with pytest.raises(ForecastError, match="JPN"):
        scenario_view(tiny, economic_weight={"USA": 1.0})
    with pytest.raises(ForecastError, match="hold"):
        scenario_view(tiny, hold="max")  # type: ignore[arg-type]
    with pytest.raises(ForecastError):
        government_capability(np.array([0.0, 0.0]), np.array([], int), np.array([]), np.array([]))


# --- pure functions ---------------------------------------------------------------------


def test_option_scale_rules() -> None:
    tpp = load_scenario("us-japan-2014-tpp")
    car = next(i for i in tpp.issues if i.id == "us_car_tariff")  # 2.5%, 1.8%, 0.8%, 0%
    np.testing.assert_allclose(option_scale(car), [0.0, 28.0, 68.0, 100.0])
    rule = next(i for i in tpp.issues if i.id == "currency_rules")
    np.testing.assert_allclose(option_scale(rule), [0.0, 50.0, 100.0])  # written order
    np.testing.assert_allclose(option_scale(rule, [0.3, -1.0, 0.3]), [50.0, 0.0, 100.0])
    # Values that are not monotonic: equally spaced in the written order.
    bumpy = car.model_copy(
        update={"options": [o.model_copy(update={"value": None}) for o in car.options]}
    )
    np.testing.assert_allclose(option_scale(bumpy), [0.0, 100 / 3, 200 / 3, 100.0])


def test_ideal_positions_ties_and_indifference() -> None:
    table = np.array([[0.0, 1.0, 0.5], [1.0, 1.0, 0.0], [0.2, 0.2, 0.2]])
    scale = np.array([0.0, 50.0, 100.0])
    np.testing.assert_allclose(ideal_positions(table, scale), [50.0, 25.0, np.nan])


def test_relative_salience() -> None:
    out = relative_salience(np.array([[0.5, 0.25, 0.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(out, [[100.0, 50.0, 0.0], [0.0, 0.0, 0.0]])


def test_government_capability_threat_boost() -> None:
    weight = np.array([3.0, 1.0])
    # No threats: shares of the economies, summing to 100.
    base = government_capability(weight, np.array([], int), np.array([]), np.array([]))
    np.testing.assert_allclose(base, [75.0, 25.0])
    # Party 1 threatens (credibility .5, target loses .4), party 0's threat is empty.
    out = government_capability(weight, np.array([1, 0]), np.array([0.4, 0.0]), np.array([0.5, 1]))
    np.testing.assert_allclose(out, [75.0, 25.0 * 1.2])
    boost = threat_boost(2, np.array([1, 1]), np.array([0.4, -3.0]), np.array([0.5, 1.0]))
    np.testing.assert_allclose(boost, [1.0, 1.2])  # a "threat" that helps its target: no boost


def test_a_party_without_economic_weight(tiny: GameSetup) -> None:
    view = scenario_view(tiny, economic_weight={"USA": 2.0, "JPN": 0.0})
    np.testing.assert_allclose(view.issues.capability[0], [100.0, 50.0, 0.0, 0.0])
    np.testing.assert_allclose(view.threat_boost, [1.0, 1.0])


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 3), min_size=1, max_size=3),
    seed=st.integers(0, 2**32 - 1),
    which=st.integers(0, 2),
)
def test_issue_stakes_against_brute_force(sizes: list[int], seed: int, which: int) -> None:
    rng = np.random.default_rng(seed)
    issue = which % len(sizes)
    options = np.array(list(product(*[range(n) for n in sizes])), dtype=np.int64)
    stakes = rng.normal(size=(2, len(options)))
    sq = [int(rng.integers(n)) for n in sizes]
    held = issue_stakes(stakes, options, sq, issue, "status_quo")
    mean = issue_stakes(stakes, options, sq, issue, "mean")
    for j in range(sizes[issue]):
        point = list(sq)
        point[issue] = j
        row = next(r for r, o in enumerate(options) if list(o) == point)
        np.testing.assert_allclose(held[:, j], stakes[:, row])
        rows = [r for r, o in enumerate(options) if o[issue] == j]
        np.testing.assert_allclose(mean[:, j], stakes[:, rows].mean(axis=1))


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.float64, (3, 4), elements=st.sampled_from(list(np.linspace(-1, 1, 17)))),
    st.floats(0.1, 100),
)
def test_positions_and_saliences_ignore_the_stakes_unit(table: np.ndarray, k: float) -> None:
    # Positions depend only on each actor's ranking; saliences only on range ratios.
    # (Stakes on a grid: ties and indifference are told apart by an absolute tolerance,
    # meant for normalised stakes, so values within 1e-9 of a tie are left out.)
    scale = np.array([0.0, 20.0, 70.0, 100.0])
    np.testing.assert_allclose(
        ideal_positions(k * table + 3.0, scale), ideal_positions(table, scale)
    )
    ranges = np.ptp(table, axis=1, keepdims=True) * np.array([[1.0, 0.5]])
    np.testing.assert_allclose(relative_salience(k * ranges), relative_salience(ranges), atol=1e-9)


# --- the built-in scenarios -------------------------------------------------------------


def _check_valid(view: ScenarioView, setup: GameSetup) -> None:
    iss = view.issues
    n_issues = len(setup.scenario.issues)
    assert iss.n_issues == n_issues and iss.scale == (0.0, 100.0)
    assert iss.n_actors == len(setup.model.actors)  # leaders become governments
    pos = iss.position[~np.isnan(iss.position)]
    assert np.all((pos >= 0) & (pos <= 100))
    assert np.all((iss.salience >= 0) & (iss.salience <= 100 + 1e-9))
    has = iss.has_position
    for a in range(iss.n_actors):
        if has[:, a].any():
            assert iss.salience[has[:, a], a].max() == pytest.approx(100.0)
    for k in range(n_issues):
        scale = view.option_position[k]
        assert scale.min() == 0.0 and scale.max() == pytest.approx(100.0)
        assert iss.reference[k] in scale
        # Every position is an option's position, or the mean of the positions of options
        # that tie for best (an agreement that averts a threat, whatever else it says).
        means = [np.mean(c) for r in range(1, len(scale) + 1)
                 for c in itertools.combinations(scale, r)]  # fmt: skip
        assert np.all(np.isin(np.round(iss.position[k, has[k]], 9), np.round(means, 9)))
    assert np.all(np.isfinite(iss.capability))


@pytest.mark.slow
def test_builtins_yield_valid_issue_sets_matching_the_game(builtins: dict[str, GameSetup]) -> None:
    for name, setup in builtins.items():
        view = scenario_view(setup)
        _check_valid(view, setup)
        # Brute force: the government's position is its best outcome among those that
        # change only this issue from the status quo (read off the game's utilities).
        state = solve_game(setup, scenario_parameters(setup))
        sq = np.array([i.status_quo_index() for i in setup.scenario.issues])
        for p in range(len(setup.scenario.parties)):
            col = view.issues.actors.index(f"{setup.scenario.parties[p].code}.government")
            for k, issue in enumerate(setup.scenario.issues):
                utils = []
                for j in range(len(issue.options)):
                    point = sq.copy()
                    point[k] = j
                    utils.append(state.utility[0, p, int(setup.space.encode(point))])
                if np.ptp(utils) < 1e-9:
                    assert np.isnan(view.issues.position[k, col]), (name, issue.id)
                    continue
                best = int(np.argmax(utils))
                assert view.issues.position[k, col] == pytest.approx(
                    view.option_position[k][best]
                ), (name, issue.id)
        forecasts = spatial_forecasts(view.issues, {"mean": MeanModel()})
        assert forecasts["mean"].shape == (view.issues.n_issues,)


@pytest.mark.slow
def test_credible_threat_raises_its_makers_capability(builtins: dict[str, GameSetup]) -> None:
    setup = builtins["us-japan-1994-framework"]  # Section 301 threat by the USA, credible
    view = scenario_view(setup)
    state = solve_game(setup, scenario_parameters(setup))
    assert state.credible[0, 0]
    loss = state.threat_values[0, 1, 0] - state.threat_values[0, 1, 1]
    loss /= party_scale(state.utility[0], state.threat_values[0])[1]  # objectives in money
    credibility = setup.scenario.threats[0].credibility.value
    np.testing.assert_allclose(view.threat_boost, [1 + credibility * loss, 1.0])
    assert view.threat_boost[0] > 1.0
    # The empty threat of the 2014 scenario (not credible) boosts nobody.
    tpp = scenario_view(builtins["us-japan-2014-tpp"])
    np.testing.assert_allclose(tpp.threat_boost, 1.0)  # every one of its 12 parties


@pytest.mark.slow
def test_simulated_talks_match_the_games_own_counts(builtins: dict[str, GameSetup]) -> None:
    setup = builtins["us-japan-1995-autos"]
    view = scenario_view(setup)
    talks = simulate_talks(setup, view, sessions=300, seed=7, batch_size=300)
    rng = np.random.default_rng([7, 1])  # the main job's stream for batch 1
    state = solve_game(setup, sample_parameters(setup, 300, rng))
    result = run_talks(setup, state, rng)
    expected = option_counts(setup, result)
    for issue, shares in expected.items():
        assert talks.shares[issue] == pytest.approx(shares)
        assert sum(talks.shares[issue].values()) == pytest.approx(1.0)
        assert talks.modal[issue] == max(shares, key=lambda o: shares[o])
        deals = {o: v for o, v in shares.items() if o != "(no deal)"}
        assert talks.modal_agreed[issue] == max(deals, key=lambda o: deals[o])
    assert talks.deal_share == pytest.approx(result.agreed.mean())
    # The main job's sweep (``tradetalks run``/``sweep``) with the same seed and batches
    # gives the same distribution, batch for batch.
    other = simulate_talks(setup, view, sessions=300, seed=7, batch_size=100)
    plan = batch_plan(300, 100)
    sessions = pd.concat([sweep_batch(setup, i, first, n, 7)["sessions"] for i, first, n in plan])
    summary = sweep_summary(setup, sessions)
    assert other.sessions == summary["sessions"] == 300
    assert other.deal_share == pytest.approx(summary["agreement_rate"])
    for issue, shares in summary["options"].items():
        assert other.shares[issue] == pytest.approx(shares)
    with pytest.raises(ForecastError):
        simulate_talks(setup, view, sessions=0)
