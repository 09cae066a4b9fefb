"""When each threat is decided, and which sets of threats can stand while talks go on.

A threat of the talks with a deadline round before their end is decided at the start of
that round (0-based); any other (no deadline, the end of the talks, or the compliance
review after an agreement) is decided at the end. Threats decided mid-talks may be carried
out while the talks go on, so each deal must also be valued in the world where they stand.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from tradetalks.scenario import Scenario, protocol_rounds

IntArray = npt.NDArray[np.int64]


def threat_rounds(scenario: Scenario) -> IntArray:
    """0-based round at whose start each threat is decided; the rounds of the talks = at the end."""
    rounds = protocol_rounds(scenario)
    out = []
    for t in scenario.threats:
        r = t.deadline.round if t.stage == "talks" and t.deadline is not None else None
        out.append(min(r, rounds) if r else rounds)
    return np.array(out, dtype=np.int64)


def executed_sets(scenario: Scenario) -> tuple[tuple[int, ...], ...]:
    """Every non-empty set of threats that may have been carried out while the talks go on.

    These are the subsets of the threats decided before the end of the talks
    (:func:`threat_rounds`); each deal is priced once more with each set in force.
    """
    mid = np.flatnonzero(threat_rounds(scenario) < protocol_rounds(scenario)).tolist()
    return tuple(c for k in range(1, len(mid) + 1) for c in itertools.combinations(mid, k))
