"""Objectives in money, threats with terms and strategy populations on the 1995 auto talks."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks.bargaining import ACAspiration, Equilibrium, Protocol, Strategy, run_session
from tradetalks.game import (
    BROAD_POPULATION,
    DEFAULT_POPULATION,
    GameSetup,
    prepare_game,
    run_talks,
    sample_parameters,
    scenario_parameters,
    solve_game,
    strategy_spread,
    sweep_batch,
)
from tradetalks.politics import IndicatorSpec, party_scale
from tradetalks.scenario import Scenario, Threat, load_scenario


@pytest.fixture(scope="module")
def autos() -> GameSetup:
    return prepare_game(load_scenario("us-japan-1995-autos"), workers=1)


def _with_threat(setup: GameSetup, **update: object) -> GameSetup:
    """The setup with its first threat changed (pricing does not depend on these fields)."""
    threat, *others = setup.scenario.threats
    changed = Threat.model_validate({**threat.model_dump(), **update})
    scenario = setup.scenario.model_copy(update={"threats": [changed, *others]})
    rebuilt = prepare_game(scenario, workers=1, cache=_Reuse(setup))
    return rebuilt


class _Reuse:
    """A price cache holding one setup's priced arrays, so variants need no solve."""

    def __init__(self, setup: GameSetup) -> None:
        self.setup = setup

    def get_cached_arrays(self, key: str) -> dict[str, np.ndarray] | None:
        s = self.setup
        return {"indicators": s.indicators, "welfare": s.impacts.welfare,
                "value_added": s.impacts.value_added, "exports": s.impacts.exports}  # fmt: skip

    def put_cached_arrays(self, key: str, arrays: object) -> None:
        raise AssertionError("a variant should not be priced")


@settings(max_examples=5, deadline=None)
@given(power=st.integers(-6, 6), seed=st.integers(0, 2**16))
def test_scaling_every_political_weight_changes_no_decision(
    autos: GameSetup, power: int, seed: int
) -> None:
    params = sample_parameters(autos, 60, np.random.default_rng(seed))
    scaled = replace(params, weights=params.weights * 2.0**power)
    a, b = solve_game(autos, params), solve_game(autos, scaled)
    np.testing.assert_array_equal(a.win_sets, b.win_sets)
    np.testing.assert_array_equal(a.credible, b.credible)
    for population in (None, DEFAULT_POPULATION, BROAD_POPULATION):
        ra = run_talks(autos, a, np.random.default_rng(seed), population=population)
        rb = run_talks(autos, b, np.random.default_rng(seed), population=population)
        np.testing.assert_array_equal(ra.batch.agreement, rb.batch.agreement)
        np.testing.assert_array_equal(ra.batch.rounds, rb.batch.rounds)
        np.testing.assert_array_equal(ra.threat_carried_out, rb.threat_carried_out)


@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_a_threat_whose_compliance_the_deal_meets_is_never_carried_out(
    autos: GameSetup, seed: int
) -> None:
    setup = _with_threat(
        autos, credibility=1.0, credibility_range=None,
        compliance={"description": "expand", "requires": {"purchase_plans": ["expand"]}},
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    params = sample_parameters(setup, 200, rng)
    state = solve_game(setup, replace(params, credibility=np.ones_like(params.credibility)))
    result = run_talks(setup, state, rng, population=BROAD_POPULATION)
    plans = setup.options[np.maximum(result.batch.agreement, 0), 2]
    expanded = result.agreed & (plans == 2)
    assert not result.threat_carried_out[expanded, 0].any()
    # Any other deal leaves it due: carried out wherever it is worth it to the US.
    other = result.agreed & (plans != 2)
    np.testing.assert_array_equal(result.threat_carried_out[other, 0], state.credible[other, 0])


def test_a_deal_that_keeps_the_status_quo_does_not_avert_the_threat(autos: GameSetup) -> None:
    state = solve_game(autos, scenario_parameters(autos))
    sq = autos.status_quo_outcome
    assert not autos.averts[:, sq].any()
    # Both threats still fall due after it (the review's too: the plans lapse), each with
    # its own chance: the deal is worth the status quo plus their expected effects.
    v = state.threat_values[0]
    effects = v[:, 1:3] - v[:, :1]  # scenarios (0,) and (1,) against the status quo
    expected = v[:, 0] + effects @ state.carry_probability[0]
    np.testing.assert_allclose(state.utility[0, :, sq], expected, rtol=1e-9)
    assert state.utility[0, 1, sq] < state.no_deal[0, 1]  # worse for Japan than no deal


@settings(max_examples=10, deadline=None)
@given(weights=st.lists(st.floats(0, 1), min_size=5, max_size=5), seed=st.integers(0, 99))
def test_a_threat_costing_its_maker_more_than_it_gains_is_never_carried_out(
    autos: GameSetup, weights: list[float], seed: int
) -> None:
    base = scenario_parameters(autos)
    w = base.weights.copy()
    usa = autos.model.actors_of(0)
    w[0, usa] = weights
    params = replace(base, weights=w, credibility=np.ones_like(base.credibility))
    state = solve_game(autos, params)
    gain = state.threat_values[0, 0, 1] - state.threat_values[0, 0, 0]
    many = replace(
        params,
        **{k: np.repeat(getattr(params, k), 50, axis=0) for k in
           ("credibility", "threshold", "leader_strength", "weights", "theta")},
    )  # fmt: skip
    result = run_talks(autos, solve_game(autos, many), np.random.default_rng(seed))
    if gain < 0:
        assert not state.credible[0, 0]
        assert not result.threat_carried_out.any()
    else:
        assert state.credible[0, 0]


def test_a_reputation_term_makes_a_costly_threat_worth_carrying_out(autos: GameSetup) -> None:
    base = scenario_parameters(autos)
    w = np.zeros_like(base.weights)
    consumers = [a.key for a in autos.model.actors].index("USA.consumers")
    w[0, consumers] = 1.0  # a US government that only weighs car buyers: tariffs cost it
    w[0, autos.model.actors_of(1)] = base.weights[0, autos.model.actors_of(1)]
    params = replace(base, weights=w)
    cost = solve_game(autos, params)
    loss = cost.threat_values[0, 0, 0] - cost.threat_values[0, 0, 1]
    assert loss > 0 and not cost.credible[0, 0]
    for reputation, credible in ((0.5 * loss, False), (2.0 * loss, True)):
        setup = _with_threat(autos, reputation=reputation)
        assert solve_game(setup, params).credible[0, 0] == credible


def test_a_compliance_review_draws_delivery(autos: GameSetup) -> None:
    sanctions, review = autos.scenario.threats
    rng = np.random.default_rng(5)
    # Delivered for sure: a complying deal averts the review; never delivered: the review's
    # sanctions fall due after every deal, with their credibility (0.1 here).
    for delivery, chance in ((1.0, 1.0), (0.0, 0.1)):
        changed = Threat.model_validate({
            **review.model_dump(),
            "compliance": {**review.compliance.model_dump(), "delivery": {"value": delivery}},
        })  # fmt: skip
        scenario = autos.scenario.model_copy(update={"threats": [sanctions, changed]})
        setup = prepare_game(scenario, workers=1, cache=_Reuse(autos))
        params = sample_parameters(setup, 400, rng)
        credibility = params.credibility.copy()
        credibility[:, 1] = chance  # the June sanctions keep their sampled credibility
        state = solve_game(setup, replace(params, credibility=credibility))
        result = run_talks(setup, state, rng, population=DEFAULT_POPULATION)
        complying = result.agreed & setup.averts[1, np.maximum(result.batch.agreement, 0)]
        assert complying.sum() >= 50
        carried = result.threat_carried_out[complying, 1]
        assert not np.any(carried & ~state.credible[complying, 1])
        if delivery == 1.0:
            assert not carried.any()
        else:
            assert 0.02 < carried.mean() < 0.25
        assert not result.threat_carried_out[~result.agreed, 1].any()  # no deal, no review


def _in_money(setup: GameSetup) -> Scenario:
    """The older-scale scenario restated in money by hand: shares w / (sum |w| × M_k)."""
    peak = np.abs(setup.indicators).max(axis=0)
    column = {spec: k for k, spec in enumerate(setup.model.indicators)}
    data = setup.scenario.model_dump()
    data["stake_unit"] = "usd_million"
    for party in data["parties"]:
        for holder in [party["leader"], *party["constituencies"]]:
            total = sum(abs(stake["weight"]["value"]) for stake in holder["stakes"])
            for stake in holder["stakes"]:
                stake["weight"]["value"] /= total
                if stake["indicator"] != "issue_preference":
                    spec = IndicatorSpec(stake["indicator"], stake["country"], stake["partner"],
                                         tuple(stake["sectors"]))  # fmt: skip
                    stake["weight"]["value"] /= peak[column[spec]]
    return Scenario.model_validate(data)


def test_an_older_file_decides_as_its_restatement_in_money() -> None:
    # The 1995 autos file as shipped before it was restated in money (tests/game/data).
    older = prepare_game(load_scenario(Path(__file__).parent / "data" /
                                       "us-japan-1995-autos-older.toml"), workers=1)  # fmt: skip
    assert older.scenario.stake_unit is None
    restated = prepare_game(_in_money(older), workers=1, cache=_Reuse(older))
    a = solve_game(older, scenario_parameters(older))
    b = solve_game(restated, scenario_parameters(restated))
    np.testing.assert_allclose(a.utility, b.utility, rtol=1e-9)
    np.testing.assert_array_equal(a.win_sets, b.win_sets)
    # Each indicator on the older scale moves by at most one unit of stake.
    k = len(older.model.indicators)
    shares = np.abs(older.model.stake_weights[:, :k]) * np.abs(older.indicators).max(axis=0)
    assert shares.sum(axis=1).max() <= 1.0 + 1e-12


def test_the_sweep_reports_how_forecasts_move_across_strategies(autos: GameSetup) -> None:
    tables = sweep_batch(autos, 1, 0, 300, 0, None, BROAD_POPULATION)
    sessions = tables["sessions"]
    played = set(sessions["strategy:USA"]) | set(sessions["strategy:JPN"])
    assert {"equilibrium", "micro", "tft", "timebased:e=0.1", "timebased:e=5"} <= played
    spread = strategy_spread(["USA", "JPN"], sessions)
    for party in ("USA", "JPN"):
        per = spread[party]["by_strategy"]
        assert {"equilibrium", "micro", "tft", "timebased:e=0.1", "timebased:e=5"} <= set(per)
        assert sum(v["sessions"] for v in per.values()) == 300
        rates = [v["agreement"] for v in per.values()]
        assert spread[party]["range"]["agreement"] == pytest.approx(max(rates) - min(rates))


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.95, 0.8)])
@pytest.mark.parametrize(("c1", "c2"), [(1.0, 1.0), (3e4, 0.002)])
def test_equilibrium_play_on_rescaled_money_gives_rubinsteins_split(
    d1: float, d2: float, c1: float, c2: float
) -> None:
    # Rubinstein (1982): the first proposer's share tends to (1 - δ2)/(1 - δ1 δ2). Objectives
    # in money differ from unit shares by a factor per party; the engine sees them rescaled.
    share = np.linspace(0.0, 1.0, 2001)
    money = np.vstack([c1 * share, c2 * (1.0 - share)])
    scale = party_scale(money)
    spe = Strategy(Equilibrium(), ACAspiration())
    res = run_session(money / scale[:, None], [0.0, 0.0],
                      Protocol(rounds=400, discount=(d1, d2)), (spe, spe))  # fmt: skip
    assert res.utilities[0] * scale[0] / c1 == pytest.approx((1 - d2) / (1 - d1 * d2), abs=2e-3)
