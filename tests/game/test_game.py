"""The two-level game on a real scenario: identities, properties, reproducibility."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

from tradetalks.game import (
    GameSetup,
    option_counts,
    prepare_game,
    run_single,
    run_talks,
    sample_parameters,
    scenario_baseline,
    scenario_parameters,
    solve_game,
    sweep_batch,
    threat_entries,
    threat_shares,
)
from tradetalks.game._talks import _table_utilities
from tradetalks.politics import DomesticRule
from tradetalks.scenario import load_scenario


@pytest.fixture(scope="module")
def autos() -> GameSetup:
    return prepare_game(load_scenario("us-japan-1995-autos"), workers=1)


def test_status_quo_outcome_is_the_zero_shock(autos: GameSetup) -> None:
    # The 1995 status quo keeps every barrier of the data year: pricing it changes nothing.
    sq = autos.status_quo_outcome
    # Indicators are in million USD: 1e-3 is a thousand dollars.
    np.testing.assert_array_less(np.abs(autos.indicators[sq]), 1e-3)
    state = solve_game(autos, scenario_parameters(autos))
    np.testing.assert_allclose(state.threat_values[0, :, 0], 0.0, atol=1e-3)
    # The no-deal status quo point is the same point.
    np.testing.assert_array_equal(autos.indicators[autos.n_outcomes], autos.indicators[sq])


def test_threat_is_spread_over_the_sector_by_the_trade_it_covers(autos: GameSetup) -> None:
    threat = autos.scenario.threats[0]
    baseline = scenario_baseline(autos.scenario)
    (entry,) = threat_entries(threat, baseline)
    usa, jpn = baseline.country_index("USA"), baseline.country_index("JPN")
    c15 = baseline.sector_index("c15")
    flow = baseline.sales_musd[usa, jpn, c15]
    assert entry.rate == pytest.approx(1.0 * 5900 / flow)
    assert 0 < entry.rate < 1


@settings(max_examples=30, deadline=None)
@given(c1=st.floats(0, 1), c2=st.floats(0, 1))
def test_more_credible_threat_never_lowers_the_threateners_no_deal_value(
    autos: GameSetup, c1: float, c2: float
) -> None:
    low, high = sorted((c1, c2))
    base = scenario_parameters(autos)
    values = []
    for c in (low, high):
        state = solve_game(autos, replace(base, credibility=np.array([[c]])))
        values.append(state.no_deal[0, int(autos.threat_maker[0])])
    assert values[1] >= values[0] - 1e-12


def test_zero_thresholds_and_no_vetoes_give_individually_rational_win_sets(
    autos: GameSetup,
) -> None:
    free = tuple(
        DomesticRule(0.0, 0.0, r.constituency, np.zeros_like(r.veto), r.tolerance)
        for r in autos.model.rules
    )
    setup = replace(autos, model=replace(autos.model, rules=free))
    params = replace(scenario_parameters(setup), threshold=np.zeros((1, 2)))
    state = solve_game(setup, params)
    rational = state.utility >= state.no_deal[..., None] - 1e-12
    np.testing.assert_array_equal(state.win_sets, rational)


def test_raising_thresholds_never_enlarges_win_sets(autos: GameSetup) -> None:
    base = scenario_parameters(autos)
    previous = None
    for t in np.linspace(0, 1, 6):
        state = solve_game(autos, replace(base, threshold=np.full((1, 2), t)))
        if previous is not None:
            assert not np.any(state.win_sets & ~previous)
        previous = state.win_sets


def test_same_seed_same_sweep(autos: GameSetup) -> None:
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(42)
        params = sample_parameters(autos, 300, rng)
        state = solve_game(autos, params)
        runs.append((params, run_talks(autos, state, rng)))
    (p1, r1), (p2, r2) = runs
    np.testing.assert_array_equal(p1.credibility, p2.credibility)
    np.testing.assert_array_equal(r1.batch.agreement, r2.batch.agreement)
    np.testing.assert_array_equal(r1.threat_carried_out, r2.threat_carried_out)


def test_sweep_summaries_add_up(autos: GameSetup) -> None:
    rng = np.random.default_rng(0)
    state = solve_game(autos, sample_parameters(autos, 400, rng))
    result = run_talks(autos, state, rng)
    for shares in option_counts(autos, result).values():
        assert sum(shares.values()) == pytest.approx(1.0)
    agreed = result.agreed
    # Every agreement lies in both win-sets of its own sample.
    codes = result.batch.agreement[agreed]
    assert np.all(state.win_sets[agreed][:, :, :][np.arange(codes.size), :, codes])
    # The sanctions are carried out only without a complying deal by their deadline; the
    # compliance review's only after an agreement.
    in_time = agreed & (result.batch.rounds <= 12)
    meets = autos.averts[0, np.maximum(result.batch.agreement, 0)]
    assert not np.any(result.threat_carried_out[in_time & meets, 0])
    assert not np.any(result.threat_carried_out[~agreed, 1])
    assert set(threat_shares(autos, result)) == {"section_301_luxury_cars", "section_301_review"}


def test_single_session_has_a_trace(autos: GameSetup) -> None:
    state = solve_game(autos, scenario_parameters(autos))
    session, one = run_single(autos, state, seed=3)
    assert session is not None
    assert session.trace
    assert one.batch.n_sessions == 1
    if session.agreed:
        assert one.batch.agreement[0] == session.agreement


def test_a_threat_due_inside_the_talks_changes_the_no_deal_values_then(autos: GameSetup) -> None:
    threat = autos.scenario.threats[0]
    early = threat.model_copy(update={"deadline": threat.deadline.model_copy(update={"round": 5})})
    scenario = autos.scenario.model_copy(update={"threats": [early, *autos.scenario.threats[1:]]})
    setup = replace(autos, scenario=scenario)
    rng = np.random.default_rng(11)
    state = solve_game(setup, sample_parameters(setup, 400, rng))
    result = run_talks(setup, state, rng)
    late = ~result.agreed | (result.batch.rounds > 5)  # still talking when the threat fell due
    carried = result.threat_carried_out[:, 0]
    assert carried.any()
    meets = autos.averts[0, np.maximum(result.batch.agreement, 0)]
    assert not carried[~late & meets].any()  # a complying deal in time averts it
    # After the deadline the no-deal value is the status quo's or the threat's, as decided.
    sq, with_threat = state.threat_values[:, :, 0], state.threat_values[:, :, 1]
    final = result.batch.reservation
    best = _table_utilities(state).max(axis=-1)  # the best deal in the win-set caps it
    expected = np.where(carried[:, None], with_threat, sq)
    ran_late = late & result.ran
    np.testing.assert_allclose(final[ran_late], np.minimum(expected, best)[ran_late], rtol=1e-9)


def test_price_cache_key_ignores_how_likely_a_threat_is() -> None:
    from tradetalks.game._setup import _cache_key
    from tradetalks.scenario import Quantity

    s = load_scenario("us-japan-1995-autos")
    first, *rest = s.threats

    def with_threat(**update: object) -> object:
        return s.model_copy(update={"threats": [first.model_copy(update=update), *rest]})

    def key(scenario: object) -> str:
        return _cache_key(scenario, "data", np.ones(3))  # type: ignore[arg-type]

    assert key(with_threat(credibility=Quantity(value=0.95))) == key(s)
    assert key(with_threat(reputation=Quantity(value=5.0))) == key(s)
    assert key(with_threat(size=Quantity(value=2.0))) != key(s)


def test_a_sweep_batch_runs_on_one_blas_thread_and_gives_the_threads_back(
    autos: GameSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second BLAS thread saves no time on a batch's products and takes the core the
    sweep's saving thread (or another worker) needs; the caller's setting comes back."""
    import tradetalks.game._tables as tables

    seen: list[int] = []

    def recording(*args: object, **kwargs: object) -> object:
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        return run_talks(*args, **kwargs)

    monkeypatch.setattr(tables, "run_talks", recording)
    with threadpool_limits(limits=2, user_api="blas"):
        before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        sweep_batch(autos, 1, 0, 20, 0)
        after = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    assert seen and set(seen) == {1}
    assert after == before
