"""Shared helpers for the bargaining tests: random linear-additive scenarios, brute force."""

import numpy as np

from tradetalks.bargaining import OutcomeSpace, linear_additive_utilities


def random_linear(space: OutcomeSpace, n_parties: int, rng: np.random.Generator) -> np.ndarray:
    rows = []
    for _ in range(n_parties):
        w = rng.random(len(space.issues))
        values = [rng.random(n) for n in space.radices]
        rows.append(linear_additive_utilities(space, w / w.sum(), values))
    return np.vstack(rows)


def inner_reservation(u: np.ndarray, rng: np.random.Generator, depth: float = 0.6) -> np.ndarray:
    lo, hi = u.min(axis=1), u.max(axis=1)
    return lo + rng.random(u.shape[0]) * depth * (hi - lo)


def brute_frontier(u: np.ndarray, d: np.ndarray) -> set[int]:
    """Pareto frontier by the definition: rational outcomes no rational outcome dominates."""
    n = u.shape[1]
    rational = [i for i in range(n) if np.all(u[:, i] >= d)]
    out = set()
    for i in rational:
        dominated = any(
            np.all(u[:, j] >= u[:, i]) and np.any(u[:, j] > u[:, i]) for j in rational if j != i
        )
        if not dominated:
            out.add(i)
    return out
