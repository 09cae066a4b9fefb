"""The two-level game with three and twelve parties: group sums, win-sets, Nash, the main job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tradetalks.economics import make_shock, solve
from tradetalks.game import (
    GameSetup,
    analysis_summary,
    calendar_summary,
    describe_scenario,
    draw_plays,
    impact_tables,
    outcome_entries,
    outcome_table,
    prepare_game,
    run_single,
    sample_parameters,
    scenario_baseline,
    scenario_parameters,
    session_summary,
    solve_game,
    strategy_spread,
    sweep_batch,
    sweep_summary,
)
from tradetalks.scenario import load_scenario
from tradetalks.scenario._codes import COUNTRY_GROUPS

TOY = Path(__file__).parents[1] / "scenario" / "nparty" / "three_party.toml"


@pytest.fixture(scope="module")
def toy() -> GameSetup:
    return prepare_game(load_scenario(TOY), workers=1)


@pytest.fixture(scope="module")
def tpp() -> GameSetup:
    return prepare_game(load_scenario("us-japan-2014-tpp"), workers=1)


def test_a_group_partys_indicators_are_its_members_sums(toy: GameSetup) -> None:
    # Independent of the indicator code: price one outcome and sum the model's arrays.
    s = toy.scenario
    baseline = scenario_baseline(s)
    choice = {"us_car_tariff": "eliminate", "eu_car_tariff": "halve"}
    entries = outcome_entries(s, choice, baseline)
    result = solve(baseline, make_shock(baseline, entries), decompose=False)
    assert result.trade_musd is not None
    eu = [baseline.country_index(c) for c in COUNTRY_GROUPS["EU"]]
    jpn = baseline.country_index("JPN")
    c15 = baseline.sector_index("c15")
    va0 = baseline.va_share * baseline.gross_output_musd
    want = {
        "value_added EU c15": float(result.value_added_musd[eu, c15].sum() - va0[eu, c15].sum()),
        "real_income EU": float(((result.welfare_hat - 1.0) * baseline.income_musd)[eu].sum()),
        "exports JPN→EU c15": float(result.trade_musd[eu, jpn, c15].sum()
                                     - baseline.sales_musd[eu, jpn, c15].sum()),
    }  # fmt: skip
    ids = [i.id for i in s.issues]
    options = [s.issues[k].option_ids().index(choice.get(i, s.issues[k].status_quo))
               for k, i in enumerate(ids)]  # fmt: skip
    code = int(toy.space.encode(np.array(options)))
    labels = [spec.label for spec in toy.model.indicators]
    for label, value in want.items():
        got = toy.indicators[code, labels.index(label)]
        # The batch solver and a single solve agree to the solver tolerance.
        assert got == pytest.approx(value, rel=1e-6, abs=1e-3), label
    # The EU tariff cut moves every member's tariff: the EU imports more Japanese cars than at
    # the status quo (its 10% is not in the data year's tariffs, so both are shocks).
    k = labels.index("exports JPN→EU c15")
    assert toy.indicators[code, k] > toy.indicators[toy.status_quo_outcome, k]


def test_three_party_win_sets_zopa_and_nash_by_brute_force(toy: GameSetup) -> None:
    state = solve_game(toy, scenario_parameters(toy))
    u, d = state.utility[0], state.no_deal[0]
    assert u.shape == (3, toy.n_outcomes)
    np.testing.assert_array_equal(state.win_sets[0], state.ratified[0] & (u >= d[:, None] - 1e-9))
    np.testing.assert_array_equal(state.zopa[0], state.win_sets[0].all(axis=0))
    summary = analysis_summary(toy, state)
    zopa = np.flatnonzero(state.zopa[0])
    assert summary["zopa_size"] == len(zopa) > 0
    best = zopa[np.argmax(np.prod(u[:, zopa] - d[:, None], axis=0))]
    assert summary["nash"]["outcome"] == int(best)
    assert set(summary["nash"]["utilities"]) == {"USA", "JPN", "EU"}
    table = outcome_table(toy, state)
    assert {"u:EU", "win_set:EU", "ratified:EU"} <= set(table.columns)


def test_three_party_session_and_sweep(toy: GameSetup) -> None:
    state = solve_game(toy, scenario_parameters(toy))
    _, one = run_single(toy, state, seed=0)
    session = session_summary(toy, one)
    if session["outcome"] is not None:  # an agreement is in every win-set
        assert state.zopa[0, session["outcome"]]
    assert set(session["strategies"]) == {"USA", "JPN", "EU"}
    batch = sweep_batch(toy, 1, 0, 60, seed=3)
    sessions, params = batch["sessions"], batch["params"]
    assert len(sessions) == 60 and {"u:EU", "strategy:EU"} <= set(sessions.columns)
    assert params["threshold.EU"].between(0.2, 0.6).all()
    again = sweep_batch(toy, 1, 0, 60, seed=3)["sessions"]
    pd.testing.assert_frame_equal(sessions, again)
    summary = sweep_summary(toy, sessions)
    assert set(summary["mean_utility"]) == {"USA", "JPN", "EU"}
    impacts = impact_tables(toy, session["outcome"])["impacts"]
    assert set(impacts["country"]) == {"USA", "JPN", "EU"}


def test_the_twelve_party_tpp_runs_analyze_and_run(tpp: GameSetup) -> None:
    setup = tpp
    state = solve_game(setup, scenario_parameters(setup))
    summary = analysis_summary(setup, state)
    assert len(summary["win_set_sizes"]) == 12
    assert summary["zopa_size"] == int(state.zopa[0].sum())
    # The seven members priced in RoW see the same economy: RoW's.
    rows = [setup.scenario.party(c) for c in ("NZL", "CHL")]
    assert all(setup.scenario.regions(p.code) == ("RoW",) for p in rows)
    described = describe_scenario(setup)
    assert "NZL, CHL, PER, VNM, MYS, SGP, BRN are priced as part of RoW" in \
        described["pricing_notes"][0]  # fmt: skip
    _, one = run_single(setup, state, seed=0)
    assert len(session_summary(setup, one)["strategies"]) == 12
    sessions = sweep_batch(setup, 1, 0, 40, seed=0)["sessions"]
    assert len(sessions) == 40 and "u:BRN" in sessions.columns
    assert calendar_summary(setup, sessions)


def test_sessions_batched_by_strategy_family_play_as_they_would_alone(tpp: GameSetup) -> None:
    # Twelve parties drawing time-based exponents share one batch (exponent per session);
    # each session must end exactly as in a batch of its own pairing of strategies.
    toy = tpp
    from tradetalks.bargaining import parse_strategy, run_batch
    from tradetalks.game._talks import _inputs, _run_groups, _select, last_chance

    rng = np.random.default_rng(5)
    params = sample_parameters(toy, 40, rng)
    state = solve_game(toy, params)
    x = _inputs(toy, state, rng, None)
    plays = draw_plays(("timebased:e=0.2|1|5", "boulware"), 40, 12, rng)
    grouped = _run_groups(toy, x, plays, np.random.default_rng(0))
    ran = np.flatnonzero(x.ran)
    rounds = int(x.protocol.rounds or 0)
    for k, row in enumerate(ran):
        policies = tuple(last_chance(parse_strategy(str(s)), rounds) for s in plays[row])
        alone = run_batch(x.utilities[[row]], x.reservation[[row]], policies,
                          _select(x.protocol, [row]), rng=np.random.default_rng(0),
                          space=toy.space)  # fmt: skip
        assert grouped.status[k] == alone.status[0]
        assert grouped.agreement[k] == alone.agreement[0]
        assert grouped.rounds[k] == alone.rounds[0]
        np.testing.assert_allclose(grouped.utilities[k], alone.utilities[0], rtol=1e-12)
    assert len({tuple(r) for r in plays[ran]}) > 3  # several pairings were batched together
    assert len(set(grouped.agreement)) > 1  # the sessions end differently


def _spread_by_groupby(parties: list[str], sessions: pd.DataFrame) -> dict[str, Any]:
    """The strategy spread computed the plain way: a pandas groupby per party (reference)."""
    threats = [c for c in sessions.columns if c.startswith("threat:")]
    issues = [c for c in sessions.columns if c.startswith("issue:")]
    out: dict[str, Any] = {}
    for party in parties:
        per = {}
        for name, group in sessions.groupby(f"strategy:{party}", sort=True):
            figures = {"agreement": float(group["agreed"].mean()), "sessions": float(len(group))}
            figures |= {c: float(group[c].mean()) for c in threats}
            for c in issues:
                figures |= {f"{c}={o}": float((group[c] == o).mean())
                            for o in sorted(set(sessions[c])) if o}  # fmt: skip
            per[str(name)] = figures
        keys = [k for k in next(iter(per.values())) if k != "sessions"]
        spread = {k: max(v[k] for v in per.values()) - min(v[k] for v in per.values())
                  for k in keys}  # fmt: skip
        out[party] = {"by_strategy": per, "range": spread}
    return out


def test_strategy_spread_of_twelve_parties_against_a_groupby(tpp: GameSetup) -> None:
    population = ("timebased:e=1|2|5", "boulware")
    sessions = sweep_batch(tpp, 1, 0, 120, seed=1, population=population)["sessions"]
    parties = [p.code for p in tpp.scenario.parties]
    got = strategy_spread(parties, sessions)
    want = _spread_by_groupby(parties, sessions)
    assert json.dumps(got) == json.dumps(want)  # same figures, in the same order


def test_a_partys_code_is_priced_as_its_countries(toy: GameSetup) -> None:
    from tradetalks.economics import Target
    from tradetalks.game import issue_entries
    from tradetalks.scenario import Issue

    baseline = scenario_baseline(toy.scenario)
    regions = {"UK": ("GBR",), "EU2": ("DEU", "FRA")}
    ntb = Issue.model_validate({
        "id": "x", "label": "x", "instrument": "ntb", "applied_by": "EU2", "applied_to": "UK",
        "sectors": ["c15"], "status_quo": "a",
        "options": [{"id": "a", "value": 0.1}, {"id": "b", "value": 0.0}]})  # fmt: skip
    entries = issue_entries(ntb, 1, baseline, lambda c: regions.get(c, (c,)))
    assert sorted((e.importer, e.exporter) for e in entries) == [("DEU", "GBR"), ("FRA", "GBR")]
    trq = Issue.model_validate({
        "id": "y", "label": "y", "instrument": "trq", "applied_by": "JPN", "applied_to": "UK",
        "sectors": ["c1"], "status_quo": "a", "in_quota_rate": 0.0, "over_quota_rate": 0.2,
        "options": [{"id": "a", "value": 0.0}, {"id": "b", "value": 100.0}]})  # fmt: skip
    (target,) = issue_entries(trq, 1, baseline, lambda c: regions.get(c, (c,)))
    assert isinstance(target, Target) and target.exporter == "GBR"
