"""Synthetic saved runs that follow the run contract (issue 5), saved through the real RunStore.

The numbers are made up but shaped like the 1995 autos case: two parties, three issues
(54 outcomes), a US Section 301 threat, one traced session and a sweep. Derived columns
(win-sets, ZOPA, Pareto frontier, Nash deal) are computed here by brute force, so the
report's own derivations can be checked against them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradetalks.scenario import SECTOR_NAMES, WIOD_COUNTRIES, WIOD_SECTORS
from tradetalks.store import RunStore

PARTIES = ("USA", "JPN")
ISSUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "dealer_access": ("Access to Japanese dealerships", ("closed", "voluntary", "open")),
    "parts_purchase": ("Purchases of US auto parts", ("none", "voluntary_plan", "target")),
    "deregulation": (
        "Repair-parts deregulation",
        ("none", "inspection", "certification", "both", "partial", "full"),
    ),
}
THREAT = "section301_luxury"
NO_DEAL = {"USA": 0.012, "JPN": -0.099}


def outcomes_table(seed: int = 0) -> pd.DataFrame:
    """54 outcomes with utilities, win-sets, ZOPA and the Pareto frontier (brute force)."""
    rng = np.random.default_rng(seed)
    combos = list(itertools.product(*(range(len(o)) for _, o in ISSUES.values())))
    idx = np.array(combos, dtype=float)
    scale = idx / np.array([len(o) - 1 for _, o in ISSUES.values()])
    u_usa = scale @ np.array([0.05, 0.04, 0.03]) + rng.normal(0, 0.004, len(combos))
    u_jpn = -(scale @ np.array([0.06, 0.08, 0.02])) + rng.normal(0, 0.004, len(combos))
    u_usa[0], u_jpn[0] = 0.0, 0.0  # outcome 0 is the status quo
    frame = pd.DataFrame({"code": np.arange(len(combos), dtype=np.int64)})
    for k, (issue, (_, options)) in enumerate(ISSUES.items()):
        frame[f"issue:{issue}"] = [options[c[k]] for c in combos]
    frame["u:USA"], frame["u:JPN"] = u_usa, u_jpn
    for p in PARTIES:
        frame[f"win_set:{p}"] = frame[f"u:{p}"] >= NO_DEAL[p]
        frame[f"ratified:{p}"] = frame[f"win_set:{p}"]
    frame["zopa"] = frame["win_set:USA"] & frame["win_set:JPN"]
    pts = frame[["u:USA", "u:JPN"]].to_numpy()
    dominated = [bool(np.any(np.all(pts >= p, axis=1) & np.any(pts > p, axis=1))) for p in pts]
    frame["frontier"] = ~np.array(dominated)
    return frame


def nash_code(outcomes: pd.DataFrame) -> int:
    """Brute-force Nash bargaining outcome over the ZOPA."""
    z = outcomes[outcomes["zopa"]]
    product = (z["u:USA"] - NO_DEAL["USA"]) * (z["u:JPN"] - NO_DEAL["JPN"])
    return int(z.loc[product.idxmax(), "code"])


def labels_of(outcomes: pd.DataFrame, code: int) -> dict[str, str]:
    row = outcomes.loc[outcomes["code"] == code].iloc[0]
    return {i: str(row[f"issue:{i}"]) for i in ISSUES}


def utilities_of(outcomes: pd.DataFrame, code: int) -> dict[str, float]:
    row = outcomes.loc[outcomes["code"] == code].iloc[0]
    return {p: float(row[f"u:{p}"]) for p in PARTIES}


def trace_table(outcomes: pd.DataFrame, agreement: int, rounds: int = 11) -> pd.DataFrame:
    """Alternating offers conceding towards ``agreement``, an escalation at round 8, then accept."""
    rows: list[dict[str, Any]] = []
    turn = 0
    z = outcomes[outcomes["zopa"]]
    for r in range(rounds):
        for k, p in enumerate(PARTIES):
            # each side concedes along its own ranking of the ZOPA
            ranked = z.sort_values(f"u:{p}", ascending=False)["code"].to_numpy()
            pos = min(int(r * len(ranked) / (2 * rounds)), len(ranked) - 1)
            code = int(ranked[pos]) if r < rounds - 1 or k == 0 else agreement
            action = "offer"
            if r == rounds - 1 and k == 1:
                action, code = "accept", agreement
            rows.append({"turn": turn, "round": r, "party": p, "action": action, "outcome": code})
            turn += 1
        if r == 7:
            rows.append(
                {"turn": turn, "round": r, "party": "USA", "action": "escalation", "outcome": -1}
            )
            turn += 1
    frame = pd.DataFrame(rows).astype({"turn": "int64", "round": "int64", "outcome": "int64"})
    for p in PARTIES:
        u = dict(zip(outcomes["code"], outcomes[f"u:{p}"], strict=True))
        frame[f"u:{p}"] = [u.get(c, np.nan) for c in frame["outcome"]]
    return frame


def sessions_tables(
    outcomes: pd.DataFrame, n: int = 200, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A sweep of ``n`` sessions (86% deals on ZOPA outcomes) and its sampled parameters."""
    rng = np.random.default_rng(seed)
    zopa = outcomes.loc[outcomes["zopa"], "code"].to_numpy()
    weights = np.linspace(1, 3, len(zopa))
    agreed = rng.random(n) < 0.86
    codes = np.where(agreed, rng.choice(zopa, size=n, p=weights / weights.sum()), -1)
    frame = pd.DataFrame(
        {
            "session": np.arange(n, dtype=np.int64),
            "ran": np.ones(n, dtype=bool),
            "agreed": agreed,
            "status": np.where(agreed, "agreed", "deadline"),
            "outcome": codes.astype(np.int64),
        }
    )
    for issue in ISSUES:
        column = dict(zip(outcomes["code"], outcomes[f"issue:{issue}"], strict=True))
        frame[f"issue:{issue}"] = [column.get(int(c), "") for c in codes]
    for p in PARTIES:
        u = dict(zip(outcomes["code"], outcomes[f"u:{p}"], strict=True))
        frame[f"u:{p}"] = [u.get(int(c), NO_DEAL[p]) for c in codes]
    frame["rounds"] = np.where(agreed, rng.integers(3, 12, n), 12).astype(np.int64)
    frame[f"threat:{THREAT}"] = ~agreed & (rng.random(n) < 0.6)
    params = pd.DataFrame(
        {
            "session": np.arange(n, dtype=np.int64),
            f"credibility.{THREAT}": rng.uniform(0.3, 0.9, n),
            "leader_strength.USA": rng.uniform(0.2, 0.6, n),
            "theta.c15": rng.uniform(4.0, 9.0, n),
        }
    )
    return frame, params


def impacts_tables(points: Mapping[str, str], seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sector impacts of both parties and welfare of the 41 WIOD regions (points: name → kind)."""
    rng = np.random.default_rng(seed)
    rows, welfare = [], []
    for point, kind in points.items():
        scale = 0.0 if kind == "status_quo" else (0.02 if kind == "threat" else 0.01)
        for country in PARTIES:
            va = rng.normal(0, scale, len(WIOD_SECTORS))
            for s, v in zip(WIOD_SECTORS, va, strict=True):
                rows.append(
                    {
                        "point": point,
                        "kind": kind,
                        "country": country,
                        "sector": s,
                        "sector_name": SECTOR_NAMES[s],
                        "value_added_change": float(v),
                        "exports_change": float(2 * v),
                    }
                )
        for country in WIOD_COUNTRIES:
            big = country in PARTIES
            welfare.append(
                {
                    "point": point,
                    "kind": kind,
                    "country": country,
                    "welfare_change": float(rng.normal(0, scale * (1 if big else 0.1))),
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(welfare)


def full_summary(outcomes: pd.DataFrame, sessions: pd.DataFrame | None) -> dict[str, Any]:
    nash = nash_code(outcomes)
    agreement = nash
    summary: dict[str, Any] = {
        "scenario": "us-japan-1995-autos",
        "title": "US–Japan autos and auto parts, 1995",
        "parties": list(PARTIES),
        "issues": {
            i: {"label": label, "options": list(opts), "status_quo": opts[0]}
            for i, (label, opts) in ISSUES.items()
        },
        "analysis": {
            "no_deal": dict(NO_DEAL),
            "status_quo": {"USA": 0.0, "JPN": 0.0},
            "threats": [
                {
                    "id": THREAT,
                    "by": "USA",
                    "against": "JPN",
                    "credible": True,
                    "credibility": 0.6,
                    "value": {"USA": 0.02, "JPN": -0.16},
                }
            ],
            "win_set_sizes": {p: int(outcomes[f"win_set:{p}"].sum()) for p in PARTIES},
            "zopa_size": int(outcomes["zopa"].sum()),
            "n_outcomes": len(outcomes),
            "nash": {
                "outcome": nash,
                "labels": labels_of(outcomes, nash),
                "utilities": utilities_of(outcomes, nash),
            },
            "kalai_smorodinsky": None,
            "utilitarian": None,
        },
        "session": {
            "status": "agreed",
            "agreement": labels_of(outcomes, agreement),
            "outcome": agreement,
            "utilities": utilities_of(outcomes, agreement),
            "rounds": 11,
            "threats_carried_out": [],
        },
        "timing": {"pricing_s": 2.1, "sweep_s": 0.3, "cached_prices": False},
    }
    if sessions is not None:
        summary["sweep"] = {
            "sessions": len(sessions),
            "agreement_rate": float(sessions["agreed"].mean()),
            "threat_carried_out": {THREAT: float(sessions[f"threat:{THREAT}"].mean())},
            "options": {
                i: {
                    **{o: float((sessions[f"issue:{i}"] == o).mean()) for o in opts},
                    "(no deal)": float((~sessions["agreed"]).mean()),
                }
                for i, (_, opts) in ISSUES.items()
            },
            "mean_utility": {p: float(sessions[f"u:{p}"].mean()) for p in PARTIES},
            "sessions_per_second": 5000.0,
        }
    return summary


def deal_point_name(labels: Mapping[str, str]) -> str:
    return "deal: " + ", ".join(f"{k}={v}" for k, v in labels.items())


def save_run(
    store: RunStore,
    kind: str = "run",
    *,
    drop: Iterable[str] = (),
    summary_edit: Mapping[str, Any] | None = None,
    finish: bool = True,
    n_sessions: int = 200,
) -> str:
    """Save a synthetic run of ``kind`` without the tables in ``drop``; return its id."""
    outcomes = outcomes_table()
    sessions, params = sessions_tables(outcomes, n_sessions)
    summary = full_summary(outcomes, sessions)
    nash = nash_code(outcomes)
    points = {
        deal_point_name(labels_of(outcomes, 1)): "deal",
        deal_point_name(labels_of(outcomes, nash)): "deal",
        "no deal: status quo": "status_quo",
        f"no deal: {THREAT}": "threat",
    }
    impacts, welfare = impacts_tables(points)
    tables = {
        "outcomes": outcomes,
        "trace": trace_table(outcomes, nash),
        "impacts": impacts,
        "welfare": welfare,
        "sessions": sessions,
        "params": params,
    }
    if kind == "analyze":
        drop = {*drop, "trace", "sessions", "params"}
        summary.pop("session")
        summary.pop("sweep")
    elif kind == "sweep":
        drop = {*drop, "trace"}
        summary.pop("session")
    elif kind == "negotiate":
        drop = {*drop, "sessions", "params"}
        summary.pop("sweep")
    for name in drop:
        tables.pop(name, None)
    for key, value in (summary_edit or {}).items():
        if value is None:
            summary.pop(key, None)
        else:
            summary[key] = value
    run_id = store.start_run(
        kind=kind,
        scenario_id="us-japan-1995-autos",
        scenario_text="# synthetic\n",
        data_version="wiod-2013-1995",
        seed=7,
        settings={"n": n_sessions},
    )
    first = {k: v for k, v in tables.items() if k not in ("sessions", "params")}
    if first:
        store.save_batch(run_id, 0, first)
    if "sessions" in tables or "params" in tables:
        half = n_sessions // 2
        for b, part in enumerate((slice(0, half), slice(half, None)), start=1):
            store.save_batch(
                run_id,
                b,
                {k: tables[k].iloc[part] for k in ("sessions", "params") if k in tables},
            )
    if finish:
        store.finish_run(run_id, summary)
    return run_id


def store_at(tmp: Path) -> RunStore:
    return RunStore(tmp / "runs.duckdb")
