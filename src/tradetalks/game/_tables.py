"""A run as tables and a summary: what the run store saves and reports read.

Column names with a colon carry a party code or an issue id (``u:USA``,
``issue:dealer_access``, ``threat:section_301``, ``strategy:USA``). Utilities are
government objectives in million USD of the data year, weighted by political weights
(:mod:`tradetalks.politics`; 0 = status quo).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._threads import one_blas_thread
from tradetalks.bargaining import (
    SessionResult,
    kalai_smorodinsky_point,
    nash_point,
    pareto_frontier,
    utilitarian_point,
)
from tradetalks.bargaining import Solution as BargainingSolution
from tradetalks.game._outside import cap_summary, option_values
from tradetalks.game._setup import GameSetup
from tradetalks.game._state import GameState, sample_parameters, solve_game
from tradetalks.game._talks import TalksResult, _table_utilities, run_talks, talks_rounds
from tradetalks.politics import threat_scenarios
from tradetalks.scenario import SECTOR_NAMES

FloatArray = npt.NDArray[np.float64]


def _parties(setup: GameSetup) -> list[str]:
    return [p.code for p in setup.scenario.parties]


def _by_party(setup: GameSetup, values: npt.ArrayLike) -> dict[str, float]:
    return {p: float(v) for p, v in zip(_parties(setup), np.asarray(values), strict=True)}


def _solution(setup: GameSetup, sol: BargainingSolution | None) -> dict[str, Any] | None:
    if sol is None:
        return None
    return {
        "outcome": int(sol.outcome),
        "labels": setup.space.labels(int(sol.outcome)),
        "utilities": _by_party(setup, sol.utilities),
    }


def outcome_table(setup: GameSetup, state: GameState) -> pd.DataFrame:
    """One row per outcome: options, utilities, win-sets, ZOPA, Pareto frontier."""
    st = state.sample(0)
    u = st.utility[0]
    frontier = np.zeros(setup.n_outcomes, dtype=bool)
    frontier[pareto_frontier(u)] = True
    data: dict[str, Any] = {"code": np.arange(setup.n_outcomes, dtype=np.int64)}
    for k, issue in enumerate(setup.scenario.issues):
        ids = np.array(issue.option_ids())
        data[f"issue:{issue.id}"] = ids[setup.options[:, k]]
    for p, code in enumerate(_parties(setup)):
        data[f"u:{code}"] = u[p]
        data[f"win_set:{code}"] = st.win_sets[0, p]
        data[f"ratified:{code}"] = st.ratified[0, p]
    data["zopa"] = st.zopa[0]
    data["frontier"] = frontier
    return pd.DataFrame(data)


def analysis_summary(setup: GameSetup, state: GameState) -> dict[str, Any]:
    """Headline figures of the game at the scenario's parameters."""
    st = state.sample(0)
    table_u = _table_utilities(st)[0]
    no_deal = st.no_deal[0]
    scenarios = threat_scenarios(len(setup.scenario.threats))
    threats = []
    for k, t in enumerate(setup.scenario.threats):
        threats.append(
            {
                "id": t.id,
                "by": t.by,
                "against": t.against,
                "credible": bool(st.credible[0, k]),
                "credibility": float(st.parameters.credibility[0, k]),
                "value": _by_party(setup, st.threat_values[0, :, scenarios.index((k,))]),
            }
        )
    solutions: dict[str, dict[str, Any] | None] = dict.fromkeys(
        ("nash", "kalai_smorodinsky", "utilitarian")
    )
    if st.zopa[0].any():
        # Solutions among the deals both can ratify (outside the win-sets utilities are floored).
        frontier = pareto_frontier(table_u, no_deal)
        solutions["nash"] = _solution(setup, nash_point(table_u, no_deal, frontier))
        solutions["kalai_smorodinsky"] = _solution(
            setup, kalai_smorodinsky_point(table_u, no_deal, frontier)
        )
        solutions["utilitarian"] = _solution(setup, utilitarian_point(table_u, no_deal, frontier))
    sizes = st.win_sets[0].sum(axis=1)
    return {
        **_outside_summary(setup, st),
        "no_deal": _by_party(setup, no_deal),
        "status_quo": _by_party(setup, st.threat_values[0, :, 0]),
        "threats": threats,
        "win_set_sizes": {p: int(n) for p, n in zip(_parties(setup), sizes, strict=True)},
        "zopa_size": int(st.zopa[0].sum()),
        "n_outcomes": setup.n_outcomes,
        **solutions,
    }


def _outside_summary(setup: GameSetup, st: GameState) -> dict[str, Any]:
    """Outside options (each one's value, no deal without them), caps and tables."""
    s = setup.scenario
    out: dict[str, Any] = {}
    if setup.outside is not None:
        without = solve_game(setup, st.parameters, outside=False)
        values = option_values(setup.outside, setup.model, st.parameters.weights[0],
                               setup.n_outcomes)  # fmt: skip
        out["no_deal_without_outside"] = _by_party(setup, without.no_deal[0])
        out["win_set_sizes_without_outside"] = {
            p: int(n) for p, n in zip(_parties(setup), without.win_sets[0].sum(axis=1),
                                      strict=True)}  # fmt: skip
        out["outside_options"] = [
            {"id": o.id, "label": o.label, "chance": o.chance, "scope": o.scope,
             "value": _by_party(setup, values[k])}
            for k, o in enumerate(s.outside_options)
        ]  # fmt: skip
    if s.caps:
        out["caps"] = cap_summary(s, setup.options)
    if s.tables:
        out["tables"] = [{"id": t.id, "parties": t.parties, "issues": t.issues,
                          "ratified": t.ratified} for t in s.tables]  # fmt: skip
    return out


def describe_scenario(setup: GameSetup) -> dict[str, Any]:
    """Scenario facts a report needs without re-reading the file."""
    s = setup.scenario
    return {
        "scenario": s.id,
        "title": s.title,
        "parties": _parties(setup),
        "pricing_notes": s.pricing_notes(),  # "NZL is priced as part of RoW"
        "issues": {
            i.id: {"label": i.label, "options": i.option_ids(), "status_quo": i.status_quo}
            for i in s.issues
        },
    }


def trace_table(setup: GameSetup, session: SessionResult | None) -> pd.DataFrame:
    """One row per turn of a traced session."""
    parties = _parties(setup)
    rows = []
    for step in session.trace if session is not None else ():
        row: dict[str, Any] = {
            "turn": step.turn,
            "round": step.round,
            "party": parties[step.party],
            "action": step.action,
            "outcome": step.outcome,
        }
        for code, value in zip(parties, step.utilities, strict=True):
            row[f"u:{code}"] = float(value)
        rows.append(row)
    columns = ["turn", "round", "party", "action", "outcome"] + [f"u:{p}" for p in parties]
    return pd.DataFrame(rows, columns=columns).astype(
        {"turn": "int64", "round": "int64", "outcome": "int64"}
    )


def session_summary(setup: GameSetup, one: TalksResult) -> dict[str, Any]:
    """The one session of ``one`` in words and numbers."""
    agreed = bool(one.agreed[0])
    code = int(one.batch.agreement[0])
    return {
        "status": "agreed" if agreed else ("no talks" if not one.ran[0] else "no deal"),
        "agreement": setup.space.labels(code) if agreed else None,
        "outcome": code if agreed else None,
        "utilities": _by_party(setup, one.batch.utilities[0]),
        "rounds": int(one.batch.rounds[0]),
        "threats_carried_out": [
            t.id for k, t in enumerate(setup.scenario.threats) if one.threat_carried_out[0, k]
        ],
        "strategies": dict(zip(_parties(setup), one.strategies, strict=True)),
    }


def sessions_table(setup: GameSetup, result: TalksResult, first: int) -> pd.DataFrame:
    """One row per simulated session, numbered from ``first``."""
    b = result.batch
    agreed = result.agreed
    n = b.n_sessions
    data: dict[str, Any] = {
        "session": np.arange(first, first + n, dtype=np.int64),
        "ran": result.ran,
        "agreed": agreed,
        "status": np.where(agreed, "agreed", np.where(result.ran, "no deal", "no talks")),
        "outcome": np.where(agreed, b.agreement, -1).astype(np.int64),
    }
    codes = np.where(agreed, b.agreement, 0)
    for k, issue in enumerate(setup.scenario.issues):
        ids = np.array(issue.option_ids())
        data[f"issue:{issue.id}"] = np.where(agreed, ids[setup.options[codes, k]], "")
    for p, code in enumerate(_parties(setup)):
        data[f"u:{code}"] = b.utilities[:, p]
    data["rounds"] = b.rounds.astype(np.int64)
    for k, t in enumerate(setup.scenario.threats):
        data[f"threat:{t.id}"] = result.threat_carried_out[:, k]
    for p, code in enumerate(_parties(setup)):
        data[f"strategy:{code}"] = result.plays[:, p].astype(str)
    return pd.DataFrame(data)


def batch_plan(n_sessions: int, batch_size: int) -> list[tuple[int, int, int]]:
    """``(batch index, first session, size)`` of each batch of a sweep; indices start at 1."""
    return [
        (k + 1, start, min(batch_size, n_sessions - start))
        for k, start in enumerate(range(0, n_sessions, batch_size))
    ]


def sweep_batch(
    setup: GameSetup,
    index: int,
    first: int,
    size: int,
    seed: int,
    strategies: Mapping[str, str] | None = None,
    population: Sequence[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Simulate one batch of an uncertainty sweep under sampled parameters.

    Batch ``index`` draws from its own stream ``default_rng([seed, index])``, so a resumed
    sweep that skips finished batches, or one whose batches run in parallel, gives
    exactly the sessions of an uninterrupted serial one. BLAS runs on one thread: a second
    saves no time on these products and would take the core the sweep's saving thread (or
    another worker) runs on.
    """
    rng = np.random.default_rng([seed, index])
    params = sample_parameters(setup, size, rng)
    with one_blas_thread():
        state = solve_game(setup, params)
        result = run_talks(setup, state, rng, strategies=strategies, population=population)
    sessions = sessions_table(setup, result, first)
    table = {"session": sessions["session"].to_numpy(), **params.table(setup)}
    return {"sessions": sessions, "params": pd.DataFrame(table)}


#: Whole deals listed in a sweep summary (the rest are summed as ``other_deals``).
TOP_DEALS = 10


def deal_shares(setup: GameSetup, sessions: pd.DataFrame, top: int = TOP_DEALS) -> dict[str, Any]:
    """The joint distribution of whole deals: the ``top`` commonest with their shares.

    Questions over several issues ("farm access opened *and* the car tariff kept") are
    answered from this joint distribution, never from the per-issue marginals.
    """
    n = max(len(sessions), 1)
    codes = sessions["outcome"].to_numpy(dtype=np.int64)
    values, counts = np.unique(codes[codes >= 0], return_counts=True)
    order = np.lexsort((values, -counts))[:top]  # commonest first, ties by code
    deals = [
        {"outcome": int(values[k]), "labels": setup.space.labels(int(values[k])),
         "share": float(counts[k]) / n}
        for k in order
    ]  # fmt: skip
    listed = float(counts[order].sum()) / n
    agreed = float((codes >= 0).sum()) / n
    return {"deals": deals, "other_deals": agreed - listed, "distinct_deals": int(values.size)}


def agreement_timing(setup: GameSetup, sessions: pd.DataFrame) -> dict[str, Any]:
    """When deals are made: the share of sessions agreed by each round of the deadline.

    ``by_round[k]`` is the share of all sessions that agreed in rounds 1..k (cumulative),
    for k = 1..R with R the deadline in rounds (:func:`talks_rounds`).
    """
    n = max(len(sessions), 1)
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    rounds = sessions["rounds"].to_numpy(dtype=np.int64)[agreed]
    deadline = talks_rounds(setup)
    per_round = np.bincount(np.clip(rounds, 0, deadline), minlength=deadline + 1)
    cumulative = np.cumsum(per_round)[1:] / n
    return {
        "deadline_rounds": deadline,
        "by_round": {str(k + 1): float(v) for k, v in enumerate(cumulative)},
        "mean_round_agreed": float(rounds.mean()) if rounds.size else None,
        "at_deadline": float((rounds >= deadline).sum()) / n,
    }


def sweep_summary(setup: GameSetup, sessions: pd.DataFrame) -> dict[str, Any]:
    """Probability of agreement, each issue's distribution, whole deals, threats, timing."""
    n = max(len(sessions), 1)
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    options: dict[str, dict[str, float]] = {}
    for issue in setup.scenario.issues:
        column = sessions[f"issue:{issue.id}"]
        shares = {o: float((column == o).sum()) / n for o in issue.option_ids()}
        shares["(no deal)"] = float((~agreed).sum()) / n
        options[issue.id] = shares
    return {
        "sessions": len(sessions),
        "agreement_rate": float(agreed.mean()) if len(sessions) else 0.0,
        "threat_carried_out": {
            t.id: float(sessions[f"threat:{t.id}"].mean()) for t in setup.scenario.threats
        },
        "options": options,
        "mean_utility": {p: float(sessions[f"u:{p}"].mean()) for p in _parties(setup)},
        "mean_rounds": float(sessions["rounds"].mean()) if len(sessions) else 0.0,
        "joint": deal_shares(setup, sessions),
        "timing": agreement_timing(setup, sessions),
    }


def impact_tables(setup: GameSetup, deal: int | None) -> dict[str, pd.DataFrame]:
    """What the deal and each no-deal point do, by party and sector, and to every country."""
    points: list[tuple[str, str, int]] = []
    if deal is not None:
        labels = ", ".join(f"{k}={v}" for k, v in setup.space.labels(deal).items())
        points.append((f"deal: {labels}", "deal", deal))
    for k, subset in enumerate(threat_scenarios(len(setup.scenario.threats))):
        if len(subset) > 1:
            continue
        name = "status quo" if not subset else setup.scenario.threats[subset[0]].id
        points.append((f"no deal: {name}", "status_quo" if not subset else "threat",
                       setup.n_outcomes + k))  # fmt: skip
    imp = setup.impacts
    rows, welfare = [], []
    for label, kind, point in points:
        for p, party in enumerate(_parties(setup)):
            for j, sector in enumerate(imp.sectors):
                rows.append((label, kind, party, sector, SECTOR_NAMES[sector],
                             float(imp.value_added[point, p, j]),
                             float(imp.exports[point, p, j])))  # fmt: skip
        for c, country in enumerate(imp.countries):
            welfare.append((label, kind, country, float(imp.welfare[point, c])))
    return {
        "impacts": pd.DataFrame(rows, columns=["point", "kind", "country", "sector", "sector_name",
                                               "value_added_change", "exports_change"]),
        "welfare": pd.DataFrame(welfare, columns=["point", "kind", "country", "welfare_change"]),
    }  # fmt: skip
