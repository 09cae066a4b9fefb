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

from tradetalks._errors import InputError
from tradetalks.scenario import expand_member

#: Time-based concession at exponents 1, 2 and 5 (linear to Conceder). Chosen by
#: leave-one-episode-out on the casebook (Brier score) among populations mixing equilibrium
#: play, time-based concession at exponents 0.1-5, MiCRO and tit-for-tat: it was the choice
#: in 6 of 10 folds. A scenario's ``population`` declares another.
DEFAULT_POPULATION: tuple[str, ...] = ("timebased:e=1|2|5",)
#: A broad population for scenarios that declare one (``population = [...]``).
BROAD_POPULATION: tuple[str, ...] = ("equilibrium", "timebased:e=0.1|0.2|0.5|1|2|5", "micro", "tft")


def population_of(declared: Sequence[str]) -> tuple[str, ...]:
    """The population a sweep draws from: the declared one, else the default."""
    return tuple(declared) or DEFAULT_POPULATION


#: Strategies that only play two-party talks (backward induction over alternating offers).
TWO_PARTY_ONLY = frozenset({"equilibrium"})


def playable(population: Sequence[str], n_parties: int) -> tuple[str, ...]:
    """The members of ``population`` that can play talks among ``n_parties`` parties."""
    if n_parties == 2:
        return tuple(population)
    return tuple(m for m in population if member_name(m) not in TWO_PARTY_ONLY)


def member_name(spec: str) -> str:
    """The population member a concrete strategy belongs to (its name before the colon)."""
    return spec.partition(":")[0].strip().lower()


def draw_plays(
    population: Sequence[str], n_sessions: int, n_parties: int, rng: np.random.Generator
) -> npt.NDArray[np.object_]:
    """``(sessions, parties)`` strategies: a member, then one of its variants, each uniform.

    Members that cannot play with ``n_parties`` parties (equilibrium play needs two) are
    left out; none left is an :class:`~tradetalks.InputError`.
    """
    members = [expand_member(m) for m in playable(population, n_parties)]
    if not members:
        raise InputError(
            f"no strategy of the population {list(population)} plays talks among "
            f"{n_parties} parties (equilibrium play needs two)"
        )
    pick = rng.integers(0, len(members), size=(n_sessions, n_parties))
    variant = rng.random((n_sessions, n_parties))
    out = np.empty((n_sessions, n_parties), dtype=object)
    for k, variants in enumerate(members):
        at = pick == k
        out[at] = np.array(variants, dtype=object)[(variant[at] * len(variants)).astype(int)]
    return out


def strategy_spread(parties: Sequence[str], sessions: pd.DataFrame) -> dict[str, Any]:
    """How much the sweep's forecasts move across the strategies each party plays.

    For each party and each strategy it played (``timebased:e=2`` apart from
    ``timebased:e=5``), the agreement rate, the share of sessions in which each threat was
    carried out and the share of each issue's option; ``range`` is the largest minus the
    smallest of each figure over the strategies (0 = the forecast does not depend on how
    that party plays).
    """
    columns = [c for c in sessions.columns if c.startswith("threat:")]
    issues = [c for c in sessions.columns if c.startswith("issue:")]
    out: dict[str, Any] = {}
    if not len(sessions):
        return out
    # Every figure as a 0/1 column, then one matrix product per party for the shares of all
    # its strategies at once (a groupby per party and figure costs seconds with 12 parties).
    names = ["agreement", *columns]
    figures = [sessions["agreed"].to_numpy(dtype=bool), *(sessions[c].to_numpy(dtype=bool)
                                                          for c in columns)]  # fmt: skip
    for c in issues:
        values = sessions[c].to_numpy()
        for o in sorted(set(values)):
            if o:
                names.append(f"{c}={o}")
                figures.append(values == o)
    table = np.column_stack(figures).astype(np.float64)
    for party in parties:
        col = f"strategy:{party}"
        if col not in sessions.columns:
            continue
        labels, which = np.unique(sessions[col].astype(str).to_numpy(), return_inverse=True)
        member = np.zeros((len(labels), len(sessions)))
        member[which, np.arange(len(sessions))] = 1.0
        counts = member.sum(axis=1)
        shares = (member @ table) / counts[:, None]
        per: dict[str, dict[str, float]] = {}
        for k, label in enumerate(labels):
            figures_k = {"agreement": float(shares[k, 0]), "sessions": float(counts[k])}
            figures_k |= {n: float(v) for n, v in zip(names[1:], shares[k, 1:], strict=True)}
            per[str(label)] = figures_k
        spread = {n: float(shares[:, j].max() - shares[:, j].min()) for j, n in enumerate(names)}
        out[party] = {"by_strategy": per, "range": spread}
    return out
