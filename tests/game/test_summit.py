"""A summit stage before the main deadline (the 1995 auto talks, Halifax-style)."""

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks import ScenarioError
from tradetalks.game import (
    DEFAULT_POPULATION,
    GameSetup,
    calendar_summary,
    prepare_game,
    round_dates,
    run_single,
    run_talks,
    sample_parameters,
    scenario_parameters,
    sessions_table,
    solve_game,
)
from tradetalks.scenario import Quantity, Stage, load_scenario, loads_scenario, scenario_text


@pytest.fixture(scope="module")
def autos() -> GameSetup:
    setup = prepare_game(load_scenario("us-japan-1995-autos"), workers=1)
    # Leader strengths as written (no range), so that a summit can restate them exactly.
    kept = [u for u in setup.scenario.uncertainty if "leader_strength" not in u.target]
    return replace(setup, scenario=setup.scenario.model_copy(update={"uncertainty": kept}))


def _with(setup: GameSetup, *stages: Stage) -> GameSetup:
    return replace(setup, scenario=setup.scenario.model_copy(update={"stages": list(stages)}))


def _summit(last: int, rounds: int = 1, **extra: object) -> Stage:
    return Stage.model_validate({"id": "summit", "rounds": rounds,
                                 "deadline": {"round": last}, **extra})  # fmt: skip


def _run(setup: GameSetup, seed: int, n: int = 150):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    state = solve_game(setup, sample_parameters(setup, n, rng))
    return state, run_talks(setup, state, rng, population=DEFAULT_POPULATION)


@settings(max_examples=8, deadline=None)
@given(last=st.integers(1, 11), rounds=st.integers(1, 4), same=st.booleans(),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_a_summit_with_no_threat_and_no_effect_changes_nothing(
    autos: GameSetup, last: int, rounds: int, same: bool, seed: int
) -> None:
    # No effect: no leader strengths of its own, or exactly the governments' own (then
    # the engine switches to an identical table and back).
    written = {p.code: p.ratification.leader_strength.value for p in autos.scenario.parties}
    stage = _summit(last, min(rounds, last), leader_strength=written if same else {})
    _, plain = _run(autos, seed)
    _, staged = _run(_with(autos, stage), seed)
    for field in ("status", "agreement", "rounds", "utilities", "discounted"):
        np.testing.assert_array_equal(getattr(plain.batch, field), getattr(staged.batch, field))
    np.testing.assert_array_equal(plain.threat_carried_out, staged.threat_carried_out)


def test_a_summit_reports_success_failure_and_what_followed(autos: GameSetup) -> None:
    # Ratification that binds: 90% support, no veto players (in the file as written the
    # vetoes decide, and a leader's strength changes no win-set).
    s = autos.scenario
    binds = {"threshold": Quantity(value=0.9), "veto_players": []}
    parties = [p.model_copy(update={"ratification": p.ratification.model_copy(update=binds)})
               for p in s.parties]  # fmt: skip
    binding = prepare_game(s.model_copy(update={"parties": parties}), workers=1)
    strong = {"USA": 0.5, "JPN": 0.5}
    halifax = {"round": 8, "date": dt.date(1995, 6, 16)}
    setup = _with(binding, _summit(8, 2, leader_strength=strong, deadline=halifax))
    dates = round_dates(setup)
    assert dates is not None and dates[7] == dt.date(1995, 6, 16)
    assert dates[-1] == dt.date(1995, 6, 28) and dates == sorted(dates)
    state, result = _run(setup, 5, 400)
    summary = calendar_summary(setup, sessions_table(setup, result, 0))
    m = summary["stages"]["summits"]["summit"]
    assert m["rounds"] == [7, 8] and m["date"] == "1995-06-16"
    assert m["agreed_before"] + m["agreed"] + m["failed"] == pytest.approx(1.0)
    assert m["agreed_before"] + m["agreed"] + m["agreed_after"] == pytest.approx(
        result.agreed.mean()
    )
    assert m["failed"] > 0 and m["agreed_after"] <= m["failed"]
    # At the summit, deals only the strong leaders can carry at home are signed.
    at = result.agreed & (result.batch.rounds > 6) & (result.batch.rounds <= 8)
    codes = result.batch.agreement[at]
    talks_win = state.win_sets[np.flatnonzero(at), :, codes].all(axis=1)
    assert at.any() and not talks_win.all()
    later = result.agreed & (result.batch.rounds > 8)  # the talks' win-sets again after it
    codes = result.batch.agreement[later]
    assert state.win_sets[np.flatnonzero(later), :, codes].all()


def test_a_traced_session_shows_the_summit(autos: GameSetup) -> None:
    setup = _with(autos, _summit(3, 1, leader_strength={"USA": 0.9}, source="assumption"))
    state = solve_game(setup, scenario_parameters(setup))
    session, _ = run_single(setup, state, strategies={"USA": "hardliner", "JPN": "hardliner"})
    assert session is not None
    stages = [(s.round, s.action) for s in session.trace if s.action in ("summit", "talks")]
    assert stages == [(2, "summit"), (3, "talks")]


@pytest.mark.parametrize(
    ("stage", "field", "message"),
    [
        ('deadline = { round = 12 }', "stages[1].deadline", "not before the end"),
        ('deadline = { round = 2 }\nrounds = 3', "stages[1].rounds", "overlap"),
        ('deadline = { round = 4 }\nleader_strength = { FRA = 0.5 }\nsource = "assumption"',
         "stages[1].leader_strength.FRA", "not a party"),
        ('deadline = { round = 4 }\nleader_strength = { USA = 1.5 }\nsource = "assumption"',
         "stages[1].leader_strength.USA", "[0, 1)"),
        ('deadline = { round = 4 }\nleader_strength = { USA = 0.5 }', "stages[1].source",
         "cite"),
        ('deadline = { round = 4, source = "nowhere" }', "stages[1].deadline.source",
         "not declared"),
    ],
)  # fmt: skip
def test_validate_names_the_stage_field_at_fault(stage: str, field: str, message: str) -> None:
    text, _ = scenario_text("us-japan-1995-autos")  # the Halifax summit is stages[0]
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text + f'\n[[stages]]\nid = "summit"\n{stage}\n', "autos.toml")
    assert any(field in str(p) and message in str(p) for p in err.value.problems)
