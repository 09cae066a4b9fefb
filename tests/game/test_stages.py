"""Stages, the calendar and chains of threats on the 1995 auto talks."""

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from tradetalks.game import (
    GameSetup,
    calendar_summary,
    prepare_game,
    round_dates,
    run_talks,
    sample_parameters,
    sessions_table,
    solve_game,
)
from tradetalks.scenario import Threat, load_scenario


@pytest.fixture(scope="module")
def autos() -> GameSetup:
    return prepare_game(load_scenario("us-japan-1995-autos"), workers=1)


def _sweep(setup: GameSetup, seed: int = 3, n: int = 300):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    state = solve_game(setup, sample_parameters(setup, n, rng))
    return state, run_talks(setup, state, rng)


def test_rounds_are_spread_over_the_talks_calendar(autos: GameSetup) -> None:
    dates = round_dates(autos)
    assert dates is not None and len(dates) == 12
    assert dates[0] > dt.date(1995, 5, 16) and dates[-1] == dt.date(1995, 6, 28)
    assert dates == sorted(dates)
    _, result = _sweep(autos)
    summary = calendar_summary(autos, sessions_table(autos, result, 0))
    by = list(summary["agreed_by"].values())
    assert by == sorted(by) and by[-1] == pytest.approx(result.agreed.mean())
    review = summary["stages"]["threats"]["section_301_review"]
    assert review["without_deal"] == 0.0 and review["due"] == "1996-06-28"


def test_a_calendar_and_a_stage_with_nothing_due_change_nothing(autos: GameSetup) -> None:
    # No calendar: the same sessions. A compliance review whose sanctions are of size 0.
    undated = replace(autos, scenario=autos.scenario.model_copy(
        update={"protocol": {k: v for k, v in autos.scenario.protocol.items() if k != "start"}}
    ))  # fmt: skip
    assert round_dates(undated) is None
    a, b = _sweep(autos)[1], _sweep(undated)[1]
    np.testing.assert_array_equal(a.batch.agreement, b.batch.agreement)
    threat, review = autos.scenario.threats
    empty = Threat.model_validate({**review.model_dump(), "size": 0.0})
    setup = prepare_game(autos.scenario.model_copy(update={"threats": [threat, empty]}),
                         workers=1)  # fmt: skip
    without = prepare_game(autos.scenario.model_copy(update={"threats": [threat]}), workers=1)
    c, d = _sweep(setup)[0], _sweep(without)[0]
    np.testing.assert_allclose(c.utility, d.utility, rtol=1e-7, atol=1e-2)  # solver noise
    # Win-sets agree except on ties with no deal (within the solver's noise).
    near_tie = np.abs(d.utility - d.no_deal[..., None]) < 1e-2
    assert np.all((c.win_sets == d.win_sets) | near_tie)


def test_retaliation_follows_only_the_threat_it_answers(autos: GameSetup) -> None:
    threat = autos.scenario.threats[0]
    retaliation = Threat.model_validate(
        {**threat.model_dump(), "id": "japan_retaliates", "by": "JPN", "against": "USA",
         "after": threat.id, "size": {"value": 1.0}, "covered_value_musd": {"value": 5900.0},
         "credibility": {"value": 0.9}, "credibility_range": None,
         "compliance": {"description": "the US sanctions are lifted"}}
    )  # fmt: skip
    scenario = autos.scenario.model_copy(update={"threats": [threat, retaliation]})
    setup = prepare_game(scenario, workers=1)
    assert list(setup.trigger) == [-1, 0]
    state, result = _sweep(setup, n=400)
    assert state.scenario_probability[:, 2].max() == 0.0  # never retaliation alone
    carried = result.threat_carried_out
    assert not np.any(carried[:, 1] & ~carried[:, 0])


def test_an_escalation_step_is_weighed_given_the_steps_before_it(autos: GameSetup) -> None:
    threat = autos.scenario.threats[0]
    step = Threat.model_validate(
        {**threat.model_dump(), "id": "second_step", "after": threat.id,
         "credibility": {"value": 0.7}, "credibility_range": None}
    )  # fmt: skip
    setup = prepare_game(autos.scenario.model_copy(update={"threats": [threat, step]}), workers=1)
    state, result = _sweep(setup, n=300)
    v = state.threat_values[:, 0]  # the maker's (USA) objective in each no-deal scenario
    gain = v[:, 3] - v[:, 1]  # the second step, once the first is carried out
    np.testing.assert_array_equal(state.credible[:, 1], gain >= -1e-12 * np.abs(v).max(axis=1))
    carried = result.threat_carried_out
    assert not np.any(carried[:, 1] & ~carried[:, 0])
