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
three parties a sweep with a Fenwick tree, :math:`O(n \log n)`; more parties a partition by
pivot bitmasks with screened pairwise tests, :math:`O(n f P)` at worst for a frontier of
:math:`f` points. With many parties most outcomes can be Pareto optimal, so the whole
frontier is quadratic work: :func:`nash_point` and :func:`kalai_smorodinsky_point` do not
build it (:math:`O(n P)` scans), and :func:`sample_pareto_frontier` draws verified points.
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


U64Array = npt.NDArray[np.uint64]


def _thresholds(points: FloatArray) -> FloatArray:
    """Per-party quantiles, as many as fit in 64 bits (at most 5 each; odd, so a median row)."""
    per = min(5, max(1, 64 // points.shape[0]))
    per -= 1 - per % 2
    qs = np.arange(1, per + 1) / (per + 1)
    # from a strided sample: any thresholds keep the codes valid, and np.quantile copies
    step = max(1, points.shape[1] // 65536)
    return np.asarray(np.quantile(points[:64, ::step], qs, axis=1), dtype=np.float64)


def _encode(points: FloatArray, thresholds: FloatArray) -> U64Array:
    r"""Bit codes :math:`[x_p \ge q_{kp}]` that dominance preserves (one 64-bit word each).

    If :math:`y` dominates :math:`x` then :math:`x_p \ge q \Rightarrow y_p \ge q`, so the
    bits of :math:`x` are a subset of those of :math:`y`: ``(cy & cx) == cx`` is a
    necessary condition tested on whole words (the bitmask pruning of skyline algorithms,
    e.g. Lee and Hwang 2010, "BSkyTree", EDBT; Chester et al. 2015, "Scalable parallel
    skyline computation for multi-core processors", ICDE).
    """
    code = np.zeros(points.shape[1], dtype=np.uint64)
    bit = 0
    for row, q in zip(points, thresholds.T, strict=False):
        for level in q:
            code |= (row >= level).astype(np.uint64) << np.uint64(bit)
            bit += 1
    return code


def _dominated(
    points: FloatArray,
    code: U64Array,
    cands: IntArray,
    others: IntArray | None = None,
    budget: int = 1 << 20,
) -> BoolArray:
    """Mask over ``cands`` (columns of ``points``): strictly dominated by a column in ``others``.

    ``others`` defaults to every column. Pairs go in blocks of at most ``budget`` (memory
    stays flat); a candidate found dominated leaves the later blocks. Each block is first
    screened by the bit codes (:func:`_encode`); the few pairs passing are compared in full.
    Where most pairs pass (strongly correlated utilities) the block is compared densely.
    """
    n_parties = points.shape[0]
    dominated = np.zeros(cands.size, dtype=bool)
    w = points.shape[1] if others is None else others.size
    lo = 0
    while lo < w:
        alive = np.flatnonzero(~dominated)
        if alive.size == 0:
            break
        hi = min(w, lo + max(1, budget // alive.size))
        cols = np.arange(lo, hi) if others is None else others[lo:hi]
        who = cands[alive]
        cc = code[who][:, None]
        r, k = np.nonzero((code[cols][None, :] & cc) == cc)
        if r.size * 8 > alive.size * cols.size:  # dense: a full comparison is cheaper
            c, blk = points[:, who], points[:, cols]
            ge = blk[0][None, :] >= c[0][:, None]
            gt = blk[0][None, :] > c[0][:, None]
            for p in range(1, n_parties):
                ge &= blk[p][None, :] >= c[p][:, None]
                gt |= blk[p][None, :] > c[p][:, None]
            dominated[alive[(ge & gt).any(axis=1)]] = True
        elif r.size:
            x, y = who[r], cols[k]
            ge = points[0, y] >= points[0, x]
            gt = points[0, y] > points[0, x]
            for p in range(1, n_parties):
                a, b = points[p, y], points[p, x]
                ge &= a >= b
                gt |= a > b
            dominated[alive[r[ge & gt]]] = True
        lo = hi
    return dominated


def _dominated_mask(cands: FloatArray, others: FloatArray) -> BoolArray:
    """Mask of columns of ``cands`` (P, b) strictly dominated by some column of ``others``."""
    both = np.hstack([cands, others])
    code = _encode(both, _thresholds(both))
    b = cands.shape[1]
    return _dominated(both, code, np.arange(b), np.arange(b, both.shape[1]))


def _frontier_nd(
    points: FloatArray, limit: int | None = None, subset: IntArray | None = None
) -> IntArray | None:
    r"""Non-dominated positions of ``points`` (P, n): partition by pivot masks, then screen.

    Each point gets a key of bits :math:`[x_p \ge m_p]` against the per-party medians
    :math:`m` (of up to 12 parties, fewer for small :math:`n`). A dominator's key is a
    superset of the dominated point's, so the groups are processed by decreasing number of
    bits, each tested against itself and the frontier points already found in its strict
    supersets (by transitivity these suffice): the pivot partitioning of BSkyTree (Lee and
    Hwang 2010, EDBT) and Hybrid (Chester et al. 2015, ICDE). Pairs are screened by 64-bit
    quantile codes (:func:`_dominated`). Worst case :math:`O(n f P)` for a frontier of
    :math:`f` points, as sort-filter-skyline (Chomicki, Godfrey, Gryz and Liang 2003,
    "Skyline with presorting", ICDE), typically far less. Returns ``None`` as soon as more
    than ``limit`` frontier points are confirmed. With ``subset``, only those columns are
    considered (positions returned are still columns of ``points``).
    """
    n_parties = points.shape[0]
    cols = np.arange(points.shape[1]) if subset is None else subset
    n = cols.size
    th = _thresholds(points)  # any thresholds keep the codes' subset property
    code = _encode(points, th)
    median = th[th.shape[0] // 2]
    key = np.zeros(n, dtype=np.int64)
    # about 64 points a group or more: more groups cost more in Python than they save
    for p in range(min(n_parties, 12, max(0, int(np.log2(max(n, 1) / 64))))):
        key |= (points[p, cols] >= median[p]).astype(np.int64) << p
    order = cols[np.argsort(key, kind="stable")]
    keys, starts = np.unique(np.sort(key, kind="stable"), return_index=True)
    members = np.split(order, starts[1:])
    bits = np.array([bin(int(k)).count("1") for k in keys])
    found: dict[int, IntArray] = {}
    count = 0
    for j in np.argsort(-bits, kind="stable"):
        m = int(keys[j])
        sup = keys[((keys & m) == m) & (keys != m)]
        others = np.concatenate([*(found[int(g)] for g in sup), members[j]])
        front = members[j][~_dominated(points, code, members[j], others)]
        found[m] = front
        count += front.size
        if limit is not None and count > limit:
            return None
    return np.sort(np.concatenate(list(found.values()))).astype(np.int64)


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


def pareto_frontier(
    utilities: npt.ArrayLike,
    reservation: npt.ArrayLike | None = None,
    *,
    max_points: int | None = None,
) -> IntArray:
    r"""Exact Pareto frontier (outcome codes) among outcomes every party weakly prefers to no deal.

    Parameters
    ----------
    utilities
        ``(parties, outcomes)``; any number of parties (two and three use
        :math:`O(n \log n)` paths, more a pivot-partitioned skyline search of worst case
        :math:`O(n f P)` for :math:`f` frontier points, see :func:`_frontier_nd`).
    reservation
        ``(parties,)``; ``None`` means every outcome is acceptable.
    max_points
        Give up (raise) as soon as more than this many frontier points are confirmed, rather
        than finish a frontier too large to use. In many dimensions most outcomes can be
        Pareto optimal (12 parties, :math:`10^6` random linear-additive outcomes: 42%), so
        the exact set is near-quadratic work; :func:`sample_pareto_frontier` draws verified
        frontier points and estimates the size instead.

    Returns
    -------
    Codes of the non-dominated outcomes, sorted by the first party's utility (descending,
    ties by the others' descending then code). Outcomes with equal utility vectors all appear.

    Raises
    ------
    BargainingError
        More than ``max_points`` points on the frontier.
    """
    u, d = _prepare(utilities, reservation)
    mask = _rational(u, d)
    if not mask.any():
        return np.empty(0, dtype=np.int64)
    # without a copy (and an index array) when every outcome is rational: memory at 10^7 outcomes
    rational = None if mask.all() else np.flatnonzero(mask)
    pts = u if rational is None else u[:, rational]
    survivors = _prefilter(pts)
    if u.shape[0] == 2:
        local: IntArray | None = survivors[_frontier_2d(pts[:, survivors])]
    elif u.shape[0] == 3 and survivors.size > 2000:  # block elimination is O(n f)
        local = survivors[_frontier_3d(pts[:, survivors])]
    else:  # indexes into pts: no copy of the survivors (memory at 10^6 x 12)
        local = _frontier_nd(pts, max_points, survivors)
    if local is None or (max_points is not None and local.size > max_points):
        raise BargainingError(
            f"pareto_frontier: more than max_points={max_points} Pareto-optimal outcomes "
            f"among {survivors.size:,} candidates of {u.shape[1]:,} outcomes and "
            f"{u.shape[0]} parties; use sample_pareto_frontier for a verified sample"
        )
    codes = local if rational is None else rational[local]
    return _frontier_order(u, codes)


def _frontier_order(u: FloatArray, codes: IntArray) -> IntArray:
    keys = tuple(codes[None, :]) + tuple(-u[::-1, codes])
    return np.asarray(codes[np.lexsort(keys)], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class FrontierSample:
    r"""Verified Pareto-optimal outcomes drawn uniformly at random, and what the draw implies.

    ``codes`` are frontier outcomes (each tested against every rational outcome), in the
    order of :func:`pareto_frontier`; ``n_tested`` rational outcomes were drawn (without
    replacement) of ``n_rational``; ``estimated_size`` is the frontier size implied by the
    hit rate, :math:`n_{\mathrm{rational}} \cdot |\mathrm{codes}| / n_{\mathrm{tested}}`
    (exact when every rational outcome was tested).
    """

    codes: IntArray
    n_tested: int
    n_rational: int

    @property
    def estimated_size(self) -> float:
        """Frontier size implied by the fraction of drawn outcomes found Pareto optimal."""
        if self.n_tested == 0:
            return 0.0
        return self.n_rational * self.codes.size / self.n_tested

    @property
    def exact(self) -> bool:
        """Whether every rational outcome was tested (``codes`` is then the whole frontier)."""
        return self.n_tested == self.n_rational


def sample_pareto_frontier(
    utilities: npt.ArrayLike,
    reservation: npt.ArrayLike | None = None,
    n_points: int = 1000,
    rng: np.random.Generator | int | None = 0,
) -> FrontierSample:
    r"""Up to ``n_points`` Pareto-optimal outcomes drawn uniformly from the frontier.

    Rational outcomes are drawn without replacement in batches, each tested exactly against
    every rational outcome (:math:`O(n P)` per draw, in blocks of bounded memory), until
    ``n_points`` pass. Accepting the frontier members of a uniform draw from :math:`Z` is a
    uniform draw from the frontier (rejection sampling), so the hit rate also estimates the
    frontier size (:attr:`FrontierSample.estimated_size`). For frontiers too large to list.
    """
    u, d = _prepare(utilities, reservation)
    if n_points < 1:
        raise BargainingError(f"n_points: must be at least 1, got {n_points}")
    gen = np.random.default_rng(rng)
    rational, pts = _rational_points(u, d)
    code = _encode(pts, _thresholds(pts))
    perm = gen.permutation(rational.size)
    found: list[IntArray] = []
    n_found, tested, batch = 0, 0, 64
    while n_found < n_points and tested < perm.size:
        pick = perm[tested : tested + batch]
        ok = pick[~_dominated(pts, code, pick)]
        ok = ok[: n_points - n_found]
        found.append(ok)
        n_found += ok.size
        # the last accepted draw ends the sample: draws after it are not counted
        tested += batch if n_found < n_points else int(np.flatnonzero(pick == ok[-1])[0]) + 1
        batch = min(2 * batch, 4096)
    codes = rational[np.concatenate(found)] if found else np.empty(0, dtype=np.int64)
    return FrontierSample(_frontier_order(u, codes), min(tested, perm.size), int(rational.size))


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


_CHUNK = 1 << 16  # outcomes per chunk in the O(n P) scans: buffers of 0.5 MiB, not n-long


def _chunks(n: int) -> range:
    return range(0, n, _CHUNK)


def _best_product(u: FloatArray, d: FloatArray) -> tuple[float, IntArray]:
    r"""Largest :math:`\prod_i (u_i - d_i)` over rational outcomes and every code reaching it.

    Chunked row-by-row products (the same rounding as ``np.prod(axis=0)``); :math:`-1`
    and no code when no outcome is rational.
    """
    best, at = -1.0, [np.empty(0, dtype=np.int64)]
    for lo in _chunks(u.shape[1]):
        blk = u[:, lo : lo + _CHUNK]
        prod = blk[0] - d[0]
        ok = prod >= 0
        for row, r in zip(blk[1:], d[1:], strict=True):
            g = row - r
            ok &= g >= 0
            prod *= g
        prod[~ok] = -1.0
        top = float(prod.max())
        if top >= best and top >= 0:
            hits = lo + np.flatnonzero(prod == top)
            at = [*at, hits] if top == best else [hits]
            best = top
    return best, np.concatenate(at).astype(np.int64)


def nash_point(
    utilities: npt.ArrayLike, reservation: npt.ArrayLike, frontier: IntArray | None = None
) -> Solution | None:
    r"""Nash bargaining solution: :math:`\arg\max_{\omega\in Z}\prod_i (u_i(\omega)-d_i)`.

    Nash (1950), "The bargaining problem", Econometrica 18(2). Ties go to the smallest
    outcome code among the maximisers on the Pareto frontier. ``None`` if Z is empty.

    Without ``frontier`` no frontier is built: when the largest product is positive, a
    point dominating a maximiser raises a positive factor and lowers none, so it is a
    maximiser too; the frontier's maximisers are the undominated maximisers of one chunked
    :math:`O(n P)` scan of :math:`Z` (usually one). Only when every agreement leaves some
    party no better than no deal (largest product 0) are the ties the whole frontier, which
    is then built.
    """
    u, d = _prepare(utilities, reservation)
    if frontier is None:
        best, ties = _best_product(u, d)
        if ties.size == 0:
            return None
        if best > 0:
            # a dominating point of a maximiser is a maximiser too (its product is no
            # smaller), so the frontier's maximisers are the undominated ties
            front = ties[~_dominated_mask(u[:, ties], u[:, ties])]
            code = int(front.min())
            return Solution(code, tuple(float(x) for x in u[:, code]))
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
    :math:`Z`). Minimises :math:`\max_i g_i - \min_i g_i` over the frontier (as NegMAS's
    ``ks_points``); ties go to the smallest outcome code.

    Without ``frontier``, for four or more parties no frontier is built: the rational
    outcomes are ranked by (spread, code) in one :math:`O(n P)` pass and tested for
    dominance in that order, in growing batches against every rational outcome; the first
    undominated one is the answer (the same point the frontier search finds). Where the
    frontier is a large share of :math:`Z` (many parties) the first batch already holds it.
    Two and three parties use their :math:`O(n \log n)` frontier.
    """
    u, d = _prepare(utilities, reservation)
    ideal = ideal_point(u, d)
    if ideal is None:
        return None
    span = ideal - d
    scale = np.where(span > 0, span, 1.0)
    if frontier is None and u.shape[0] >= 4:
        return _ks_by_ranking(u, d, scale)
    codes = _candidates(u, d, frontier)
    gains = (u[:, codes] - d[:, None]) / scale[:, None]
    return _solution(u, codes, -(gains.max(axis=0) - gains.min(axis=0)))


def _spread(u: FloatArray, d: FloatArray, scale: FloatArray) -> FloatArray:
    r""":math:`\max_i g_i - \min_i g_i` for the columns of ``u``, row by row."""
    g = (u[0] - d[0]) / scale[0]
    hi, lo = g.copy(), g
    for row, r, s in zip(u[1:], d[1:], scale[1:], strict=True):
        g = (row - r) / s
        np.maximum(hi, g, out=hi)
        lo = np.minimum(lo, g)
    return np.asarray(hi - lo, dtype=np.float64)


def _rational_points(u: FloatArray, d: FloatArray) -> tuple[IntArray, FloatArray]:
    """Codes of the rational outcomes and their utilities (no copy when all are rational)."""
    mask = _rational(u, d)
    rational = np.flatnonzero(mask)
    return rational, (u if rational.size == mask.size else u[:, rational])


def _ks_by_ranking(u: FloatArray, d: FloatArray, scale: FloatArray) -> Solution | None:
    rational, pts = _rational_points(u, d)
    spread = np.concatenate(
        [_spread(pts[:, lo : lo + _CHUNK], d, scale) for lo in _chunks(pts.shape[1])]
    )
    bits = _encode(pts, _thresholds(pts))
    order = np.argsort(spread, kind="stable")  # stable: equal spreads by code
    start, batch = 0, 64
    while start < order.size:
        pick = order[start : start + batch]
        ok = pick[~_dominated(pts, bits, pick)]
        if ok.size:  # ranked by spread, then code: the first undominated one is the answer
            code = int(rational[ok[0]])
            return Solution(code, tuple(float(x) for x in u[:, code]))
        start += batch
        batch = min(2 * batch, 4096)
    return None  # unreachable: Z is non-empty, so it has a Pareto-optimal point


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
