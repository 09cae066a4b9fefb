"""Forecasts robust to strategy: each session of a sweep draws how each government plays.

A forecast that hinges on one pairing of agents (both sides Boulware, say) reports that
pairing, not the negotiation. A sweep instead draws each party's strategy, session by
session, from a declared *population* (the scenario's ``population``, else
:data:`DEFAULT_POPULATION`): every member is equally likely, and a member written with
alternatives (``timebased:e=0.2|1|5``) draws one of them. :func:`strategy_spread` then says
how much each forecast moves from one member to another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks.scenario import expand_member

#: Equilibrium play, time-based concession from Boulware to Conceder, MiCRO, tit-for-tat.
DEFAULT_POPULATION: tuple[str, ...] = (
    "equilibrium",
    "timebased:e=0.1|0.2|0.5|1|2|5",
    "micro",
    "tft",
)


def population_of(declared: Sequence[str]) -> tuple[str, ...]:
    """The population a sweep draws from: the declared one, else the default."""
    return tuple(declared) or DEFAULT_POPULATION


def member_name(spec: str) -> str:
    """The population member a concrete strategy belongs to (its name before the colon)."""
    return spec.partition(":")[0].strip().lower()


def draw_plays(
    population: Sequence[str], n_sessions: int, n_parties: int, rng: np.random.Generator
) -> npt.NDArray[np.object_]:
    """``(sessions, parties)`` strategies: a member, then one of its variants, each uniform."""
    members = [expand_member(m) for m in population]
    pick = rng.integers(0, len(members), size=(n_sessions, n_parties))
    variant = rng.random((n_sessions, n_parties))
    out = np.empty((n_sessions, n_parties), dtype=object)
    for k, variants in enumerate(members):
        at = pick == k
        out[at] = np.array(variants, dtype=object)[(variant[at] * len(variants)).astype(int)]
    return out


def strategy_spread(parties: Sequence[str], sessions: pd.DataFrame) -> dict[str, Any]:
    """How much the sweep's forecasts move across the strategies each party plays.

    For each party and each member of the population it played, the agreement rate, the
    share of sessions in which each threat was carried out and the share of each issue's
    option; ``range`` is the largest minus the smallest of each figure over the members
    (0 = the forecast does not depend on how that party plays).
    """
    columns = [c for c in sessions.columns if c.startswith("threat:")]
    issues = [c for c in sessions.columns if c.startswith("issue:")]
    out: dict[str, Any] = {}
    for party in parties:
        col = f"strategy:{party}"
        if col not in sessions.columns or not len(sessions):
            continue
        member = sessions[col].map(member_name)
        per: dict[str, dict[str, float]] = {}
        for name, group in sessions.groupby(member, sort=True):
            figures = {"agreement": float(group["agreed"].mean()), "sessions": float(len(group))}
            figures |= {c: float(group[c].mean()) for c in columns}
            for c in issues:
                figures |= {f"{c}={o}": float((group[c] == o).mean())
                            for o in sorted(set(sessions[c])) if o}  # fmt: skip
            per[str(name)] = figures
        keys = [k for k in next(iter(per.values())) if k != "sessions"]
        spread = {
            k: max(v[k] for v in per.values()) - min(v[k] for v in per.values()) for k in keys
        }
        out[party] = {"by_strategy": per, "range": spread}
    return out
