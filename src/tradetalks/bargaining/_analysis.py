r"""The bargaining set: Pareto frontier, solution concepts, zone of agreement, distances.

Notation: :math:`u_i(\omega)` is party :math:`i`'s utility of outcome :math:`\omega`,
:math:`d_i` its reservation value (the disagreement point), and
:math:`Z = \{\omega : u_i(\omega) \ge d_i\ \forall i\}` the zone of possible agreement.

- Pareto frontier: outcomes of :math:`Z` that no outcome of :math:`Z` dominates (at least as
  good for all, better for one). Outcomes with equal utility vectors are all kept.
- Nash (1950): :math:`\arg\max_{\omega \in Z} \prod_i (u_i(\omega) - d_i)`.
- Kalai and Smorodinsky (1975): with ideal point :math:`a_i = \max_{\omega \in Z} u_i`,
  the frontier point whose normalised gains :math:`g_i = (u_i - d_i)/(a_i - d_i)` are most
  nearly equal (minimum of :math:`\max_i g_i - \min_i g_i`), the discrete analogue of
  the point where the segment from :math:`d` to :math:`a` meets the frontier.
- Utilitarian: :math:`\arg\max_{Z} \sum_i u_i`. Egalitarian (Kalai 1977):
  :math:`\arg\max_{Z} \min_i (u_i - d_i)`.

Ties are broken toward the smallest outcome code. First every outcome dominated by a few
supported frontier points (maximisers of positive weighted sums, which are Pareto optimal)
is removed in :math:`O(n)`; then the two-party frontier takes one sort, :math:`O(n \log n)`;
three parties a sweep with a Fenwick tree, :math:`O(n \log n)`; more parties a sort by
welfare and block elimination, :math:`O(n f)` for a frontier of :math:`f` points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradetalks._errors import BargainingError
from tradetalks.bargaining._utilities import FloatArray, check_reservation, check_utilities

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Solution:
    """A solution point: the outcome code and every party's utility there."""

    outcome: int
    utilities: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything :func:`analyse` finds about one bargaining problem.

    ``frontier`` holds outcome codes sorted by the first party's utility (descending);
    the solutions are ``None`` when the zone of agreement is empty.
    """

    frontier: IntArray
    frontier_utilities: FloatArray
    nash: Solution | None
    kalai_smorodinsky: Solution | None
    utilitarian: Solution | None
    egalitarian: Solution | None
    zopa_size: int
    reservation: tuple[float, ...]


def _prepare(
    utilities: npt.ArrayLike, reservation: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray]:
    u = check_utilities(utilities)
    if reservation is None:
        return u, u.min(axis=1)
    return u, check_reservation(reservation, u)


def zopa(utilities: npt.ArrayLike, reservation: npt.ArrayLike) -> BoolArray:
    r"""Zone of possible agreement: mask of outcomes every party weakly prefers to no deal.

    Parameters
    ----------
    utilities
        ``(parties, outcomes)``.
    reservation
        ``(parties,)`` reservation values :math:`d`.

    Returns
    -------
    ``(outcomes,)`` bool mask of :math:`u_i(\omega) \ge d_i` for every :math:`i`.
    """
    u, d = _prepare(utilities, reservation)
    return _rational(u, d)


def _dominated_by(points: FloatArray, anchor: FloatArray) -> BoolArray:
    """Mask of columns of ``points`` (P, n) strictly dominated by ``anchor`` (P,)."""
    # row by row: reductions over a short first axis are slow in numpy
    weak = points[0] <= anchor[0]
    strict = points[0] < anchor[0]
    for row, a in zip(points[1:], anchor[1:], strict=True):
        weak &= row <= a
        strict |= row < a
    return np.asarray(weak & strict, dtype=bool)


def _rational(u: FloatArray, d: FloatArray) -> BoolArray:
    """Mask of outcomes every party weakly prefers to no deal."""
    mask = u[0] >= d[0]
    for row, r in zip(u[1:], d[1:], strict=True):
        mask &= row >= r
    return np.asarray(mask, dtype=bool)


def _weighted_sum(points: FloatArray, coef: FloatArray, out: FloatArray, tmp: FloatArray) -> None:
    """``out = coef @ points`` row by row, in preallocated buffers.

    A matmul with a short inner axis is ten times slower, and fresh multi-megabyte
    temporaries cost page faults on every call.
    """
    np.multiply(points[0], coef[0], out=out)
    for c, row in zip(coef[1:], points[1:], strict=True):
        np.multiply(row, c, out=tmp)
        out += tmp


def _prefilter(points: FloatArray, n_anchors: int = 4) -> IntArray:
    """Positions surviving elimination by a few weighted-sum maximisers (Pareto-optimal points)."""
    n_parties, n = points.shape
    if n < 4096:
        return np.arange(n, dtype=np.int64)
    span = points.max(axis=1) - points.min(axis=1)
    inv_span = 1.0 / np.where(span > 0, span, 1.0)
    rng = np.random.default_rng(0)  # fixed: the anchors only speed things up
    weights = np.vstack(
        [np.full(n_parties, 1.0 / n_parties), rng.dirichlet(np.ones(n_parties), n_anchors - 1)]
    )
    # removing what any point dominates is always safe; maximisers of positive weighted sums
    # are Pareto optimal, so they remove a lot. One compression at the end: cheaper than many.
    # one weighted sum at a time: an (anchors, n) score table would dominate peak memory
    # weighted sums in chunks: small reused buffers instead of full-length temporaries
    chunk = min(n, 1 << 18)
    score, tmp = np.empty(chunk), np.empty(chunk)
    anchors = set()
    for w in weights:
        best, best_at = -np.inf, 0
        for lo in range(0, n, chunk):
            hi = min(lo + chunk, n)
            _weighted_sum(points[:, lo:hi], w * inv_span, score[: hi - lo], tmp[: hi - lo])
            at = int(np.argmax(score[: hi - lo]))
            if score[at] > best:
                best, best_at = float(score[at]), lo + at
        anchors.add(best_at)
    dominated = np.zeros(n, dtype=bool)
    for best in sorted(anchors):
        dominated |= _dominated_by(points, points[:, best])
    return np.flatnonzero(~dominated).astype(np.int64)


def _frontier_2d(points: FloatArray) -> IntArray:
    r"""Non-dominated positions of two-party ``points`` (2, n) by one sort, :math:`O(n \log n)`."""
    a, b = points[0], points[1]
    order = np.lexsort((-b, -a))  # u0 descending, then u1 descending
    sa, sb = a[order], b[order]
    new_a = np.concatenate([[True], sa[1:] != sa[:-1]])
    group = np.cumsum(new_a) - 1
    starts = np.flatnonzero(new_a)
    gmax = sb[starts]  # first of each equal-u0 group has its largest u1
    prev = np.concatenate([[-np.inf], np.maximum.accumulate(gmax)[:-1]])
    keep = (sb == gmax[group]) & (gmax[group] > prev[group])
    return np.asarray(order[keep], dtype=np.int64)


def _frontier_nd(points: FloatArray) -> IntArray:
    """Non-dominated positions of ``points`` (P, n): sort by welfare, then block elimination."""
    order = np.argsort(-points.sum(axis=0), kind="stable")
    cand = points[:, order]
    alive = np.ones(cand.shape[1], dtype=bool)
    for i in range(cand.shape[1]):
        if not alive[i]:
            continue
        # a point can only be dominated by points of higher welfare: look after it only
        rest = np.flatnonzero(alive[i + 1 :]) + i + 1
        if rest.size == 0:
            break
        alive[rest[_dominated_by(cand[:, rest], cand[:, i])]] = False
    return np.asarray(order[alive], dtype=np.int64)


def _frontier_3d(points: FloatArray) -> IntArray:
    r"""Non-dominated positions of three-party ``points`` (3, n) by a sweep, :math:`O(n \log n)`.

    Kung, Luccio and Preparata (1975), "On finding the maxima of a set of vectors", J. ACM
    22(4): on distinct points sorted lexicographically by :math:`(-u_0, -u_1, -u_2)`, point
    :math:`i` is dominated iff an earlier point has :math:`u_1 \ge u_{1i}` and
    :math:`u_2 \ge u_{2i}`; a Fenwick tree over the ranks of :math:`u_1` keeps the largest
    :math:`u_2` seen. Duplicated utility vectors share their representative's verdict.
    """
    uniq, inverse = np.unique(points.T, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.lexsort((-uniq[:, 2], -uniq[:, 1], -uniq[:, 0]))
    u1, u2 = uniq[order, 1], uniq[order, 2]
    # dense rank of u1, largest first (1-based): u1_j >= u1_i  <=>  rank_j <= rank_i
    values, rank_from_small = np.unique(u1, return_inverse=True)
    rank = (values.size - rank_from_small.reshape(-1)).tolist()
    tree = [-np.inf] * (values.size + 1)
    keep = np.zeros(order.size, dtype=bool)
    for i, (r, z) in enumerate(zip(rank, u2.tolist(), strict=True)):
        best, k = -np.inf, r
        while k > 0:  # max of u2 over ranks 1..r
            best = max(best, tree[k])
            k -= k & -k
        keep[i] = best < z
        k = r
        while k <= values.size:
            if tree[k] < z:
                tree[k] = z
            k += k & -k
    frontier_unique = np.zeros(uniq.shape[0], dtype=bool)
    frontier_unique[order[keep]] = True
    return np.flatnonzero(frontier_unique[inverse]).astype(np.int64)


def pareto_frontier(utilities: npt.ArrayLike, reservation: npt.ArrayLike | None = None) -> IntArray:
    r"""Exact Pareto frontier (outcome codes) among outcomes every party weakly prefers to no deal.

    Parameters
    ----------
    utilities
        ``(parties, outcomes)``; any number of parties (two use the :math:`O(n \log n)` path).
    reservation
        ``(parties,)``; ``None`` means every outcome is acceptable.

    Returns
    -------
    Codes of the non-dominated outcomes, sorted by the first party's utility (descending,
    ties by the others' descending then code). Outcomes with equal utility vectors all appear.
    """
    u, d = _prepare(utilities, reservation)
    mask = _rational(u, d)
    if not mask.any():
        return np.empty(0, dtype=np.int64)
    # without a copy (and an index array) when every outcome is rational: memory at 10^7 outcomes
    rational = None if mask.all() else np.flatnonzero(mask)
    pts = u if rational is None else u[:, rational]
    survivors = _prefilter(pts)
    sub = pts[:, survivors]
    if u.shape[0] == 2:
        local = _frontier_2d(sub)
    elif u.shape[0] == 3 and sub.shape[1] > 2000:  # block elimination is O(n f)
        local = _frontier_3d(sub)
    else:
        local = _frontier_nd(sub)
    codes = survivors[local] if rational is None else rational[survivors[local]]
    keys = tuple(codes[None, :]) + tuple(-u[::-1, codes])
    return np.asarray(codes[np.lexsort(keys)], dtype=np.int64)


def _solution(u: FloatArray, codes: IntArray, score: FloatArray) -> Solution | None:
    if codes.size == 0:
        return None
    best = score.max()
    pick = int(codes[np.flatnonzero(score == best)].min())
    return Solution(pick, tuple(float(x) for x in u[:, pick]))


def _candidates(u: FloatArray, d: FloatArray, frontier: IntArray | None) -> IntArray:
    if frontier is not None:
        return np.asarray(frontier, dtype=np.int64)
    return pareto_frontier(u, d)


def nash_point(
    utilities: npt.ArrayLike, reservation: npt.ArrayLike, frontier: IntArray | None = None
) -> Solution | None:
    r"""Nash bargaining solution: :math:`\arg\max_{\omega\in Z}\prod_i (u_i(\omega)-d_i)`.

    Nash (1950), "The bargaining problem", Econometrica 18(2). Searched on the frontier
    (the maximiser of a product of non-negative gains is weakly Pareto optimal, and a
    dominating point has at least the same product). ``None`` if the ZOPA is empty.
    """
    u, d = _prepare(utilities, reservation)
    codes = _candidates(u, d, frontier)
    gains = u[:, codes] - d[:, None]
    return _solution(u, codes, np.prod(gains, axis=0))


def ideal_point(utilities: npt.ArrayLike, reservation: npt.ArrayLike) -> FloatArray | None:
    r"""Ideal point :math:`a_i = \max_{\omega \in Z} u_i(\omega)`; ``None`` if Z is empty."""
    u, d = _prepare(utilities, reservation)
    mask = _rational(u, d)
    if not mask.any():
        return None
    return np.asarray(u[:, mask].max(axis=1), dtype=np.float64)


def kalai_smorodinsky_point(
    utilities: npt.ArrayLike, reservation: npt.ArrayLike, frontier: IntArray | None = None
) -> Solution | None:
    r"""Kalai–Smorodinsky solution: the frontier point with the most equal normalised gains.

    Kalai and Smorodinsky (1975), "Other solutions to Nash's bargaining problem",
    Econometrica 43(3). Gains :math:`g_i = (u_i - d_i) / (a_i - d_i)` with :math:`a` the
    :func:`ideal_point`; a party with :math:`a_i = d_i` has gain :math:`u_i - d_i` (zero on
    :math:`Z`). Minimises :math:`\max_i g_i - \min_i g_i` over the frontier.
    """
    u, d = _prepare(utilities, reservation)
    ideal = ideal_point(u, d)
    if ideal is None:
        return None
    codes = _candidates(u, d, frontier)
    span = ideal - d
    gains = (u[:, codes] - d[:, None]) / np.where(span > 0, span, 1.0)[:, None]
    return _solution(u, codes, -(gains.max(axis=0) - gains.min(axis=0)))


def utilitarian_point(
    utilities: npt.ArrayLike, reservation: npt.ArrayLike, frontier: IntArray | None = None
) -> Solution | None:
    r"""Utilitarian outcome: :math:`\arg\max_{\omega \in Z} \sum_i u_i(\omega)`."""
    u, d = _prepare(utilities, reservation)
    codes = _candidates(u, d, frontier)
    return _solution(u, codes, u[:, codes].sum(axis=0))


def egalitarian_point(
    utilities: npt.ArrayLike, reservation: npt.ArrayLike, frontier: IntArray | None = None
) -> Solution | None:
    r"""Egalitarian outcome (Kalai 1977): :math:`\arg\max_{\omega \in Z} \min_i (u_i - d_i)`.

    Kalai (1977), "Proportional solutions to bargaining situations: interpersonal utility
    comparisons", Econometrica 45(7). Searched on the frontier (a dominating point has at
    least the same minimum gain).
    """
    u, d = _prepare(utilities, reservation)
    codes = _candidates(u, d, frontier)
    return _solution(u, codes, (u[:, codes] - d[:, None]).min(axis=0))


def analyse(utilities: npt.ArrayLike, reservation: npt.ArrayLike) -> Analysis:
    """Frontier, Nash, Kalai–Smorodinsky, utilitarian, egalitarian points and ZOPA size at once."""
    u, d = _prepare(utilities, reservation)
    front = pareto_frontier(u, d)
    return Analysis(
        frontier=front,
        frontier_utilities=np.ascontiguousarray(u[:, front]),
        nash=nash_point(u, d, front),
        kalai_smorodinsky=kalai_smorodinsky_point(u, d, front),
        utilitarian=utilitarian_point(u, d, front),
        egalitarian=egalitarian_point(u, d, front),
        zopa_size=int(_rational(u, d).sum()),
        reservation=tuple(float(x) for x in d),
    )


@dataclass(frozen=True)
class Distances:
    """Euclidean distances, in utility space, from an agreement to the reference points."""

    frontier: float
    nash: float
    kalai_smorodinsky: float
    utilitarian: float
    egalitarian: float


def distances(point: npt.ArrayLike, analysis: Analysis) -> Distances:
    """Distances from a utility vector ``point`` (e.g. an agreement's) to each reference.

    The frontier distance is to the nearest frontier point (0 for a Pareto-optimal deal);
    a reference that does not exist (empty ZOPA) gives ``nan``.
    """
    p = np.asarray(point, dtype=np.float64)
    if p.shape != (analysis.frontier_utilities.shape[0],):
        raise BargainingError(
            f"point: expected {analysis.frontier_utilities.shape[0]} utilities, got {p.shape}"
        )

    def to(sol: Solution | None) -> float:
        return float("nan") if sol is None else float(np.linalg.norm(p - np.asarray(sol.utilities)))

    fu = analysis.frontier_utilities
    front = (
        float(np.sqrt(((fu - p[:, None]) ** 2).sum(axis=0).min())) if fu.shape[1] else float("nan")
    )
    return Distances(
        frontier=front,
        nash=to(analysis.nash),
        kalai_smorodinsky=to(analysis.kalai_smorodinsky),
        utilitarian=to(analysis.utilitarian),
        egalitarian=to(analysis.egalitarian),
    )
