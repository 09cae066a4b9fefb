"""Win-sets derived again after a threat is carried out while the talks go on (1995 autos).

The threat of the 1995 auto talks is moved to round 6 of 12, so that it can be carried out
mid-talks. Each deal is then priced together with the sanctions in force; the table the
engine switches to is checked against a brute-force recomputation (one solve of the trade
model per deal with the sanctions, the stakes, objectives and ratification by hand).
"""

from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from tradetalks.game import (
    DEFAULT_POPULATION,
    GameSetup,
    GameState,
    _talks,
    outcome_entries,
    prepare_game,
    run_talks,
    sample_parameters,
    scenario_baseline,
    scenario_parameters,
    solve_game,
    threat_entries,
)
from tradetalks.game._pricing import solve_items
from tradetalks.game._talks import _conditional_no_deal, _in_force, _inputs, _rederived
from tradetalks.politics import dollar_matrix, ratifiable, threat_rounds, threat_scenarios
from tradetalks.scenario import Threat, load_scenario


def _moved(round_: int, credibility: float) -> GameSetup:
    scenario = load_scenario("us-japan-1995-autos")
    threat, review = scenario.threats
    mid = Threat.model_validate({**threat.model_dump(), "deadline": {"round": round_},
                                 "credibility": {"value": credibility},
                                 "credibility_range": None})  # fmt: skip
    return prepare_game(scenario.model_copy(update={"threats": [mid, review]}), workers=1)


@pytest.fixture(scope="module")
def mid() -> GameSetup:
    return _moved(6, 1.0)


def test_only_threats_due_before_the_end_are_priced_with_every_deal(mid: GameSetup) -> None:
    assert mid.executed == ((0,),)
    n_points = mid.n_outcomes * 2 + len(threat_scenarios(2))
    assert mid.indicators.shape[0] == mid.preferences.shape[0] == n_points
    # The status-quo deal with the sanctions in force is the no-deal point with them.
    first = mid.n_outcomes + len(threat_scenarios(2))
    sq = mid.status_quo_outcome
    np.testing.assert_allclose(mid.indicators[first + sq], mid.indicators[mid.n_outcomes + 1],
                               atol=1e-6)  # fmt: skip
    as_written = prepare_game(load_scenario("us-japan-1995-autos"), workers=1)
    assert as_written.executed == () and as_written.indicators.shape[0] == mid.n_outcomes + 4


def test_the_rederived_win_sets_match_a_brute_force_recomputation(mid: GameSetup) -> None:
    state = solve_game(mid, scenario_parameters(mid))
    assert state.credible[0, 0]  # the sanctions are worth carrying out to the US
    carried = np.array([[True, False]])
    decided = threat_rounds(mid.scenario) <= 6  # decided once 6 rounds are over
    assert decided.tolist() == [True, False]
    no_deal = _conditional_no_deal(mid, state, carried, np.broadcast_to(decided, (1, 2)))
    world = _in_force(mid, state)
    assert world is not None
    table = _rederived(mid, state, world, carried, decided, no_deal)
    assert table is not None

    # Brute force: every deal solved again with the sanctions on top.
    scenario, model = mid.scenario, mid.model
    baseline = scenario_baseline(scenario)
    threat = scenario.threats[0]
    utility = np.zeros((2, mid.n_outcomes))
    stakes = np.zeros((len(model.actors), mid.n_outcomes))
    for o in range(mid.n_outcomes):
        items = outcome_entries(scenario, mid.space.labels(o), baseline)
        items += threat_entries(threat, baseline)
        result = solve_items(baseline, items, decompose=False)[0]
        x = dollar_matrix(model.indicators, [result], baseline)[0]
        s = model.stake_weights @ np.concatenate([x, mid.preferences[o]])
        stakes[:, o] = s
        for p in range(2):
            mine = model.party_of == p
            utility[p, o] = model.weights[mine] @ s[mine]
    # The compliance review is still pending after a deal: its expected effect, added.
    values = state.threat_values[0]  # (parties, scenarios ∅, {0}, {1}, {0, 1})
    due = state.carry_probability[0, 1] * mid.exposure[1]
    utility += (values[:, 2] - values[:, 0])[:, None] * due[None, :]
    points = state.stakes[0][:, mid.n_outcomes :]
    stakes += (points[:, 2] - points[:, 0])[:, None] * due[None, :]
    # No deal now means the sanctions stand (no review without an agreement).
    np.testing.assert_allclose(no_deal[0], values[:, 1])
    win = np.zeros_like(utility, dtype=bool)
    for p, rule in enumerate(model.rules):
        mine = model.actors_of(p)
        ratified = ratifiable(stakes[mine], points[mine, 1], model.weights[mine], rule)
        win[p] = ratified & (utility[p] >= values[p, 1] - 1e-9 * np.abs(values).max())

    inside = table[0] >= no_deal[0][:, None] - 1e-9 * np.abs(values).max()
    np.testing.assert_array_equal(inside, win)
    np.testing.assert_allclose(table[0][win], utility[win], rtol=1e-6, atol=1e-3)
    # The earlier rule (the table kept, only the reservation values moved) differs.
    additive = state.win_sets[0] & (state.utility[0] >= no_deal[0][:, None])
    assert np.any(additive != win)


def _sweeps(setup: GameSetup, state: GameState, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """The same sweep with win-sets derived again, and with the table kept (earlier rule)."""
    new = run_talks(setup, state, np.random.default_rng(2), population=DEFAULT_POPULATION)
    with monkeypatch.context() as m:
        m.setattr(_talks, "_inputs", partial(_talks._inputs, rederive=False))
        old = run_talks(setup, state, np.random.default_rng(2), population=DEFAULT_POPULATION)
    return new, old


def test_with_no_threat_carried_out_the_talks_are_as_before(
    mid: GameSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = sample_parameters(mid, 300, np.random.default_rng(1))
    never = solve_game(mid, replace(params, credibility=params.credibility * 0.0))
    new, old = _sweeps(mid, never, monkeypatch)
    assert not new.threat_carried_out.any()
    for field in ("status", "agreement", "rounds", "utilities", "discounted"):
        np.testing.assert_array_equal(getattr(new.batch, field), getattr(old.batch, field))
    # When the sanctions are carried out, the two rules part.
    new, old = _sweeps(mid, solve_game(mid, params), monkeypatch)
    assert new.threat_carried_out[:, 0].any()
    assert np.any(new.batch.agreement != old.batch.agreement)


def test_sessions_switch_tables_only_where_the_threat_was_carried_out(mid: GameSetup) -> None:
    state = solve_game(mid, sample_parameters(mid, 300, np.random.default_rng(4)))
    new = _inputs(mid, state, np.random.default_rng(5), None)
    old = _inputs(mid, state, np.random.default_rng(5), None, rederive=False)
    (e_new,), (e_old,) = new.protocol.escalations, old.protocol.escalations
    assert e_old.utilities is None and e_new.utilities is not None
    switched = np.any(np.asarray(e_new.utilities) != new.utilities, axis=(1, 2))
    assert np.array_equal(switched[new.ran], new.carried[new.ran, 0])
    # Both runs see the same draws; sessions where nothing was carried out play alike.
    a = run_talks(mid, state, np.random.default_rng(5))
    assert a.threat_carried_out[:, 0].any() and a.agreed.any()
