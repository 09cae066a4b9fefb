"""Price many shocks at once: solved together in stacks, in waves of warm starts, on all cores.

Shocks are solved in waves (see :func:`_plan`): first one shock per block of cells
that move together (on a grid of outcomes, one per issue) from a cold start; then a few
more of each block, one a wave, each started from the polynomial through the origin and
the block's shocks solved so far (interpolation along the block: a line of outcomes);
then the rest of each block from the polynomial through all of them; then shocks that
move several blocks, started from their blocks' responses. The same calibration at
several elasticity grid points is solved in one batch (one baseline per shock), each grid
point's blocks apart, so the stacks stay wide. Before a wave, each shock's predicted start
is compared with a cold start by the residual of one sweep from each, and the smaller
wins, so a prediction never costs more than it saves. The shocks of a wave are solved
together, up to ``chunk_size`` at a time, by
:func:`~tradetalks.economics._cp_stack.solve_stacked` (one stacked sweep per iteration,
BLAS products with the shocks as columns).

BLAS is set to one thread (threadpoolctl) while a chunk is solved, deliberately: the
products are small (``[N, N] @ [N, B]``), a second thread costs more CPU than it saves,
and on a shared machine it only contends with the worker processes. Chunks of a wave run
in worker processes; the waves and chunks depend only on the shocks, never on the number
of workers, so results are the same whatever ``workers`` is.
"""

from __future__ import annotations

import itertools
import os
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace

import numpy as np
import numpy.typing as npt

from tradetalks._errors import InputError, Problem
from tradetalks._threads import one_blas_thread
from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import CPShock
from tradetalks.economics._cp_solve import CPResult, CPState, equilibrium_result
from tradetalks.economics._cp_stack import (
    Cells,
    Shared,
    Solved,
    Start,
    shock_cells,
    solve_stacked,
    stacked_flows,
    start_residuals,
)

__all__ = ["pricing_executor", "solve_batch"]

FloatArray = npt.NDArray[np.float64]

_WORKER_BASELINE: CPBaseline | None = None
#: Where solve_batch sends its chunks when set (e.g. a Dask cluster's executor).
_EXECUTOR: ContextVar[Executor | None] = ContextVar("tradetalks_pricing_executor", default=None)


@contextmanager
def pricing_executor(executor: Executor) -> Iterator[None]:
    """Inside, :func:`solve_batch` maps its chunks on ``executor`` instead of local processes.

    Any ``concurrent.futures.Executor`` serves, e.g. ``distributed.Client.get_executor()``;
    the chunks (and so the results) are the same as with local workers.
    """
    token = _EXECUTOR.set(executor)
    try:
        yield
    finally:
        _EXECUTOR.reset(token)


def _features(
    baseline: CPBaseline, shocks: Sequence[CPShock], group: npt.NDArray[np.int64] | None = None
) -> FloatArray:
    """``[shock, cell]``: log κ̂, log d̂ and log(1 + ρ') over the union of touched cells.

    ``group[s]`` (optional): the elasticity grid point of shock s; the cells of different
    points are different columns, so that no prediction crosses grid points.
    """
    N, J = baseline.shape
    offsets = np.zeros(len(shocks), dtype=np.int64) if group is None else group * (N * N * J)
    flat = [s.importer * (N * J) + s.exporter * J + s.sector for s in shocks]  # [n, i, j]
    keys = [f + o for f, o in zip(flat, offsets, strict=True)]  # the cell at its grid point
    cells = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    base_kappa = (1.0 + baseline.tariff_rate).reshape(-1)
    out = np.zeros((len(shocks), 3 * cells.size))
    for row, (s, f, key) in enumerate(zip(shocks, flat, keys, strict=True)):
        pos = np.searchsorted(cells, key)
        out[row, pos] = np.log((1.0 + s.tariff_rate) / base_kappa[f])
        out[row, cells.size + pos] = np.log(s.ntb_factor)
        if s.rent_rate is not None:
            out[row, 2 * cells.size + pos] = np.log1p(s.rent_rate)
    return out


def _rounded(values: FloatArray) -> npt.NDArray[np.int64]:
    """Feature values on a 1e-9 grid, so that sums of grid points compare exactly."""
    return np.round(values * 1e9).astype(np.int64)


def _key(cols: npt.NDArray[np.intp], rounded: npt.NDArray[np.int64]) -> bytes:
    """Hashable identity of a sparse feature vector: its non-zero columns and values."""
    keep = rounded != 0
    return bytes(cols[keep].astype(np.int64).tobytes() + b"|" + rounded[keep].tobytes())


@dataclass(frozen=True)
class _Prediction:
    """How a shock's start is predicted from solved ones: ``z0 + Σ_d weight_d (z_d − z0)``."""

    rows: tuple[int, ...] = ()
    weights: tuple[float, ...] = ()


#: Shocks of a block solved one wave after another to build its interpolating polynomial.
_ANCHORS = 4


def _along(s: int, anchors: Sequence[int], t: dict[int, float]) -> _Prediction:
    """Shock s predicted by the polynomial through the origin and ``anchors`` (Lagrange).

    With the anchors' positions t_a along the block, the weights w solve
    Σ_a w_a t_a^d = t_s^d for d = 1..len(anchors): exact for a response that is a
    polynomial of that degree in t with no constant (no shock, no response).
    """
    nodes = np.array([t[a] for a in anchors])
    powers = np.arange(1, nodes.size + 1)
    weights = np.linalg.solve(nodes[None, :] ** powers[:, None], t[s] ** powers.astype(float))
    return _Prediction(tuple(anchors), tuple(float(w) for w in weights))


def _plan(features: FloatArray) -> tuple[list[list[int]], list[_Prediction]]:
    """Waves of shocks solved together, and how each one's start is predicted.

    Columns (touched cells) that every shock moves together form a block — on a grid of
    outcomes, the cells of one issue — and a shock that moves one block sits at
    t = ⟨f, f_r⟩ / ⟨f_r, f_r⟩ along it (f its features, r the block's largest shock).
    The block's nodes are r and then, one at a time, the shock farthest from the origin
    and the nodes so far (well-spread nodes), up to ``_ANCHORS``. Wave 0: the first two
    nodes, cold (a start scaled linearly from r saves no iterations: on the 1995 talks
    its residual is 5e-5 against 1e-3 cold, and both take about 16 to reach 1e-9), with
    the shocks that fit no prediction below. Waves 1 and 2: the third and fourth nodes,
    started from the polynomial through the origin and the nodes solved so far
    (:func:`_along`); then the block's other shocks from the polynomial through all of
    them (degree 4: about 1e-10 on the 1995 talks, one sweep). Shocks that move k ≥ 2
    blocks follow, started by inclusion–exclusion from the same shock restricted to each
    proper subset of its blocks (see :func:`_combination`; for two issues a
    parallelogram), exact up to the k-way interaction of the issues. A repeated shock
    starts from its first occurrence.
    """
    n, c = features.shape
    nz = features != 0.0
    block_of = (np.unique(nz.T, axis=0, return_inverse=True)[1].ravel() if c
                else np.zeros(0, dtype=np.intp))  # fmt: skip
    norm2 = np.einsum("ij,ij->i", features, features)
    keys = [_key(np.flatnonzero(nz[s]), _rounded(features[s, nz[s]])) for s in range(n)]
    blocks = [np.unique(block_of[nz[s]]) for s in range(n)]
    every: dict[bytes, int] = {}
    for s in range(n):
        every.setdefault(keys[s], s)
    lines: dict[int, list[int]] = {}
    single: dict[bytes, int] = {}
    for s in every.values():
        if blocks[s].size == 1:
            lines.setdefault(int(blocks[s][0]), []).append(s)
            single[keys[s]] = s
    wave = np.zeros(n, dtype=np.int64)
    predictions = [_Prediction()] * n
    for members in lines.values():
        r = max(members, key=lambda s: norm2[s])
        t = {s: float(features[s] @ features[r] / norm2[r]) for s in members}
        anchors, rest = [r], [s for s in members if s != r]
        while rest and len(anchors) < _ANCHORS:
            gap = {s: min(abs(t[s]), *(abs(t[s] - t[a]) for a in anchors)) for s in rest}
            nxt = max(rest, key=gap.__getitem__)
            if gap[nxt] < 1e-6:  # the rest sit at a node or the origin: no new node
                break
            if len(anchors) > 1:  # the second starts cold: see above
                wave[nxt], predictions[nxt] = len(anchors) - 1, _along(nxt, anchors, t)
            anchors.append(nxt)
            rest.remove(nxt)
        for s in rest:
            wave[s], predictions[s] = len(anchors) - 1, _along(s, anchors, t)
    for s in every.values():
        if blocks[s].size > 1:
            k, predictions[s] = _combination(s, features, nz, block_of, blocks[s], every,
                                             single)  # fmt: skip
            wave[s] = _ANCHORS + k - 2 if k else 0  # after every block's own shocks
    for s in range(n):
        d = every[keys[s]]
        if d != s:
            wave[s], predictions[s] = wave[d] + 1, _Prediction((d,), (1.0,))
    return [list(np.flatnonzero(wave == w)) for w in range(int(wave.max(initial=0)) + 1)
            if np.any(wave == w)], predictions  # fmt: skip


def _combination(
    s: int,
    features: FloatArray,
    nz: npt.NDArray[np.bool_],
    block_of: npt.NDArray[np.intp],
    blocks: npt.NDArray[np.intp],
    every: dict[bytes, int],
    single: dict[bytes, int],
) -> tuple[int, _Prediction]:
    """Wave and prediction of a shock that moves several blocks.

    When the batch holds the shock restricted to every proper subset T of its k blocks (a
    full grid does), inclusion–exclusion z_S ≈ Σ_T (−1)^{k−|T|+1} z_T is exact up to the
    k-way interaction of the issues; it waits for the shocks of k − 1 blocks. Otherwise the
    sum of the blocks' responses (off by every pairwise interaction), after every block's
    own shocks; else a cold start.
    """
    k = blocks.size
    cols = [np.flatnonzero(nz[s] & (block_of == blk)) for blk in blocks]
    rows: list[int] = []
    weights: list[float] = []
    for size in range(1, k):
        for subset in itertools.combinations(range(k), size):
            part = np.sort(np.concatenate([cols[b] for b in subset]))
            d = every.get(_key(part, _rounded(features[s, part])))
            if d is None:
                break
            rows.append(d)
            weights.append(float((-1) ** (k - size + 1)))
        else:
            continue
        break
    else:
        return k, _Prediction(tuple(rows), tuple(weights))
    parts = [single.get(_key(c, _rounded(features[s, c]))) for c in cols]
    if all(d is not None for d in parts):
        return 2, _Prediction(tuple(int(d) for d in parts if d is not None), (1.0,) * k)
    return 0, _Prediction()


#: What a chunk returns per shock: its result and its packed state.
_Done = tuple[CPResult, FloatArray]


def _solve_chunk(
    baseline: CPBaseline,
    shocks: Sequence[CPShock],
    predicted: Sequence[FloatArray | None],
    theta: FloatArray | None,
    options: dict[str, object],
) -> list[_Done]:
    """Solve ``shocks`` together from their predicted (packed) starts, where they pay.

    ``theta``: ``[shock, j]`` elasticities, if not all the baseline's.
    """
    b = baseline
    with one_blas_thread():
        shared = _shared(b)
        cells = shock_cells(shocks)
        starts = [_as_start(b, z) for z in predicted]
        cold = _cold_residuals(b, cells, starts, shared, theta)
        solved = solve_stacked(b, cells, starts, shared=shared, theta=theta, cold_residuals=cold,
                               tol=float(options["tol"]))  # type: ignore[arg-type]  # fmt: skip
        return [
            (_result(b, shock, s, options, None if theta is None else theta[p : p + 1]),
             np.concatenate((s.log_w, s.log_P.ravel(), s.X.ravel())))
            for p, (shock, s) in enumerate(zip(shocks, solved, strict=True))
        ]  # fmt: skip


_SHARED: weakref.WeakKeyDictionary[CPBaseline, Shared] = weakref.WeakKeyDictionary()


def _shared(b: CPBaseline) -> Shared:
    """The baseline's stacked layouts, built once per baseline (not once per wave)."""
    shared = _SHARED.get(b)
    if shared is None:
        shared = _SHARED[b] = Shared.of(b)
    return shared


def _predict(p: _Prediction, Z: FloatArray, z0: FloatArray) -> FloatArray | None:
    if not p.rows:
        return None
    return np.asarray(z0 + sum(w * (Z[d] - z0) for d, w in zip(p.rows, p.weights, strict=True)))


def _as_start(b: CPBaseline, z: FloatArray | None) -> Start | None:
    if z is None:
        return None
    N, J = b.shape
    return z[:N], z[N : N + N * J].reshape(N, J), np.maximum(z[N + N * J :].reshape(N, J), 0.0)


def _cold_residuals(
    b: CPBaseline,
    cells: Cells,
    starts: list[Start | None],
    shared: Shared,
    theta: FloatArray | None = None,
) -> FloatArray:
    """The residual of each warm-started shock from a cold start (inf for the cold ones).

    :func:`~tradetalks.economics._cp_stack.solve_stacked` compares it with the residual
    at the predicted start after its first sweep and falls back to the cold start where
    that is smaller, so each shock decides for itself whether its prediction pays, for
    the price of one stacked sweep (a prediction from shocks that interact strongly can
    start further away than cold).
    """
    out = np.full(len(starts), np.inf)
    warm = np.array([s is not None for s in starts], dtype=bool)
    if np.any(warm):
        mine = cells.take(warm)
        out[warm] = start_residuals(b, mine, [None] * int(warm.sum()), shared,
                                    theta=None if theta is None else theta[warm])  # fmt: skip
    return out


def _result(
    b: CPBaseline,
    shock: CPShock,
    s: Solved,
    options: dict[str, object],
    theta: FloatArray | None = None,
) -> CPResult:
    """The result of a solved shock; ``theta`` its ``[1, j]`` elasticities if not ``b``'s."""
    state = CPState(s.log_w, s.log_P, s.X)
    parts = None
    if options["decompose"]:
        from tradetalks.economics._cp_welfare import decompose

        mine = b if theta is None else replace(b, theta=theta[0])
        tau, d = shock.dense(mine)
        parts = decompose(mine, tau, d, shock.dense_rents(mine), 4, state, float(options["tol"]))  # type: ignore[arg-type]
    return equilibrium_result(
        b, shock.label, state, s.log_c, s.gross, s.revenue, s.holder_rent, s.exporter_rent,
        stacked_flows(b, s, shock_cells([shock]), theta), s.iterations, s.excess, parts,
        flows=bool(options["flows"]),
    )  # fmt: skip


def _init_worker(baseline: CPBaseline) -> None:
    global _WORKER_BASELINE
    _WORKER_BASELINE = baseline


_Task = tuple[Sequence[CPShock], Sequence[FloatArray | None], FloatArray | None, dict[str, object]]


def _chunk_task(args: tuple[CPBaseline, _Task]) -> list[_Done]:
    return _solve_chunk(args[0], *args[1])


def _worker(task: _Task) -> list[_Done]:
    assert _WORKER_BASELINE is not None
    return _solve_chunk(_WORKER_BASELINE, *task)


#: What every baseline of one batch has in common: all but θ (see :func:`_elasticity_grid`).
_CALIBRATED = tuple(f.name for f in fields(CPBaseline) if f.name != "theta")


def _elasticity_grid(
    baselines: Sequence[CPBaseline],
) -> tuple[CPBaseline, FloatArray | None, npt.NDArray[np.int64] | None]:
    """One baseline for the batch, each shock's θ and its grid point (None: all the same).

    Baselines that differ in anything but θ cannot share a stack: an :class:`InputError`.
    """
    b = baselines[0]
    others = {id(x): x for x in baselines[1:] if x is not b}
    for x in others.values():
        for name in _CALIBRATED:
            mine, theirs = getattr(b, name), getattr(x, name)
            same = mine is theirs or (
                np.array_equal(mine, theirs) if isinstance(mine, np.ndarray) else mine == theirs
            )
            if not same:
                raise InputError(
                    "solve_batch: the baselines of one batch may differ only in theta",
                    [Problem("baseline", name, "differs: calibrate once, then "
                             "with_elasticities(baseline, theta) for each grid point")],
                )  # fmt: skip
    theta = np.array([x.theta for x in baselines])
    points, group = np.unique(theta, axis=0, return_inverse=True)
    if len(points) == 1:  # b itself: its stacked layouts may be built already
        return b, None, None
    return b, theta, group.ravel().astype(np.int64)


def solve_batch(
    baseline: CPBaseline | Sequence[CPBaseline],
    shocks: Sequence[CPShock],
    workers: int | None = None,
    *,
    tol: float = 1e-9,
    decompose: bool = False,
    flows: bool = False,
    chunk_size: int = 100,
) -> list[CPResult]:
    """Price every shock; results in the order of ``shocks``.

    Parameters
    ----------
    baseline
        Calibrated once, shared by all solves; or one per shock, the same calibration at
        the points of an elasticity grid (:func:`~tradetalks.economics.with_elasticities`),
        all solved in one batch.
    shocks
        E.g. one per outcome of a negotiation.
    workers
        Processes; default all cores (``os.cpu_count()``); 1 runs in this process.
        Ignored inside :func:`pricing_executor`, which sends the chunks there.
    tol, decompose, flows
        As in :func:`~tradetalks.economics.solve` (decomposition and full flows are
        off by default here to keep results small).
    chunk_size
        Shocks solved together in one stack (one task of a wave).

    Raises
    ------
    ConvergenceError
        If any shock fails to converge (the first one met).
    InputError
        If the baselines differ in anything but θ, or are not one per shock.
    """
    if not shocks:
        return []
    if isinstance(baseline, CPBaseline):
        b, theta, group = baseline, None, None
    else:
        if len(baseline) != len(shocks):
            raise InputError(
                "solve_batch: one baseline per shock",
                [Problem("baseline", "length", f"{len(baseline)} baselines for "
                         f"{len(shocks)} shocks")],
            )  # fmt: skip
        b, theta, group = _elasticity_grid(baseline)
    N, J = b.shape
    z0 = np.concatenate((np.zeros(N + N * J), b.expenditure_musd.ravel()))
    Z = np.empty((len(shocks), z0.size))  # solved states, packed
    results: list[CPResult | None] = [None] * len(shocks)
    waves, predictions = _plan(_features(b, shocks, group))
    options: dict[str, object] = {"tol": tol, "decompose": decompose, "flows": flows}
    executor = _EXECUTOR.get()
    n_workers = min(workers or os.cpu_count() or 1, -(-max(map(len, waves)) // chunk_size))
    with ExitStack() as stack:
        pool = None
        if executor is None and n_workers > 1:
            pool = stack.enter_context(ProcessPoolExecutor(
                max_workers=n_workers, initializer=_init_worker, initargs=(b,)))  # fmt: skip

        def run(tasks: Sequence[_Task]) -> list[list[_Done]]:
            if pool is not None:
                return list(pool.map(_worker, tasks))
            if executor is not None:
                return list(executor.map(_chunk_task, [(b, t) for t in tasks]))
            return [_solve_chunk(b, *t) for t in tasks]

        for wave in waves:
            chunks = [wave[s : s + chunk_size] for s in range(0, len(wave), chunk_size)]
            tasks = [([shocks[k] for k in c], [_predict(predictions[k], Z, z0) for k in c],
                      None if theta is None else theta[c], options) for c in chunks]  # fmt: skip
            done = [d for part in run(tasks) for d in part]
            for k, (result, z) in zip((k for c in chunks for k in c), done, strict=True):
                results[k], Z[k] = result, z
    return [r for r in results if r is not None]
