"""Price many shocks at once: warm starts from solved neighbours, on all cores.

The shocks are ordered along their first principal component (in the space of
log tariff and NTB factor changes over every cell any shock touches) and cut
into fixed-size chunks. Inside a chunk each shock starts from a prediction built
from shocks already solved (see :meth:`_Solved.predict`: a parallelogram of grid
neighbours, else a fitted linear response; a cold start when nothing solved is
nearer than the baseline), which roughly halves the iterations of a cold start.
BLAS runs on one thread: the products are small, and more threads only contend
with the worker processes. Chunks run in worker processes. The chunking depends only on the
shocks, never on the number of workers, so results are the same whatever
``workers`` is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import CPShock
from tradetalks.economics._cp_solve import CPResult, CPState, equilibrium_result
from tradetalks.economics._cp_stack import (
    Cells,
    Shared,
    Solved,
    Start,
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


def _features(baseline: CPBaseline, shocks: Sequence[CPShock]) -> FloatArray:
    """``[shock, cell]``: log κ̂ and log d̂ over the union of touched cells."""
    N, J = baseline.shape
    keys = [s.importer * (N * J) + s.exporter * J + s.sector for s in shocks]
    cells = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    base_kappa = (1.0 + baseline.tariff_rate).reshape(-1)
    out = np.zeros((len(shocks), 2 * cells.size))
    for row, (s, key) in enumerate(zip(shocks, keys, strict=True)):
        pos = np.searchsorted(cells, key)
        out[row, pos] = np.log((1.0 + s.tariff_rate) / base_kappa[key])
        out[row, cells.size + pos] = np.log(s.ntb_factor)
    return out


def _order(features: FloatArray) -> npt.NDArray[np.int64]:
    """Shocks sorted along their first principal component (ties by index)."""
    n = features.shape[0]
    if n < 2 or features.shape[1] == 0:
        return np.arange(n, dtype=np.int64)
    centred = features - features.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    direction = vt[0] * np.sign(vt[0][np.argmax(np.abs(vt[0]))])  # sign fixed: deterministic
    score = np.round(centred @ direction, 12)
    return np.lexsort((np.arange(n), score)).astype(np.int64)


def _rounded(values: FloatArray) -> npt.NDArray[np.int64]:
    """Feature values on a 1e-9 grid, so that sums of grid points compare exactly."""
    return np.round(values * 1e9).astype(np.int64)


def _key(cols: npt.NDArray[np.intp], rounded: npt.NDArray[np.int64]) -> bytes:
    """Hashable identity of a sparse feature vector: its non-zero columns and values."""
    keep = rounded != 0
    return bytes(cols[keep].astype(np.int64).tobytes() + b"|" + rounded[keep].tobytes())


class _Solved:
    """The shocks solved so far in a chunk: their features and states (row 0: the baseline).

    Incremental: each solved shock adds its row and its sparse key to an index, so a
    prediction costs O(solved × the cells of the new shock), never a refit.
    """

    def __init__(self, capacity: int, n_features: int, z0: FloatArray) -> None:
        self.F = np.zeros((capacity + 1, n_features))
        self.Z = np.zeros((capacity + 1, z0.size))
        self.Z[0] = z0
        self.norm2 = np.zeros(capacity + 1)
        self.m = 1
        self.index: dict[bytes, int] = {_key(np.zeros(0, np.intp), np.zeros(0, np.int64)): 0}

    def add(self, f: FloatArray, z: FloatArray) -> None:
        m = self.m
        self.F[m], self.Z[m], self.norm2[m] = f, z, float(f @ f)
        cols = np.flatnonzero(f)
        self.index.setdefault(_key(cols, _rounded(f[cols])), m)
        self.m += 1

    def predict(self, f: FloatArray, candidates: int = 12) -> FloatArray | None:
        """Warm start for features ``f``, or ``None`` when there is no good one.

        Outcome spaces are grids, so there are usually solved points p, q, r with
        f = f_p + f_q − f_r (a parallelogram: p and q each differ from f in one issue,
        r in both). Then z_p + z_q − z_r is exact for additive responses and off only
        by the (small) interaction of the issues — about 1e-6 on WIOD against 1e-3 for
        a cold start. A shock already solved is started from its own solution.
        """
        found = _parallelogram(self.F[: self.m], self.norm2[: self.m], self.index, f,
                               candidates)  # fmt: skip
        if found is None:
            return None
        p, q, r = found
        if p == q == r:
            return None if p == 0 else np.array(self.Z[p], dtype=np.float64)
        return np.asarray(self.Z[p] + self.Z[q] - self.Z[r], dtype=np.float64)


def _parallelogram(
    F: FloatArray, norm2: FloatArray, index: dict[bytes, int], f: FloatArray, candidates: int
) -> tuple[int, int, int] | None:
    """Rows ``(p, q, r)`` of ``F`` with f = F_p + F_q − F_r, p and q the nearest such pair.

    ``(p, p, p)`` when f is row p itself; None when no pair of the ``candidates`` rows
    nearest to f closes a parallelogram with a row of ``index`` (sparse key → row).
    """
    nz = np.flatnonzero(f)
    hit = index.get(_key(nz, _rounded(f[nz])))
    if hit is not None:
        return hit, hit, hit
    dist2 = np.maximum(norm2 + float(f[nz] @ f[nz]) - 2.0 * (F[:, nz] @ f[nz]), 0.0)
    near = np.argsort(dist2, kind="stable")[:candidates]
    near = near[np.isfinite(dist2[near])]  # rows marked unusable
    # Columns where f, or any candidate, is non-zero: f_r = f_p + f_q − f lives there.
    cols = np.union1d(nz, np.flatnonzero(np.any(F[near] != 0.0, axis=0)))
    rounded = _rounded(F[near][:, cols])
    sums = rounded[:, None, :] + rounded[None, :, :] - _rounded(f[cols])
    best: tuple[float, int, int, int] | None = None
    for a in range(len(near)):
        for c in range(a + 1, len(near)):
            r = index.get(_key(cols, sums[a, c]))
            p, q = int(near[a]), int(near[c])
            if r is not None and r not in (p, q):
                cost = float(dist2[p] + dist2[q])
                if best is None or cost < best[0]:
                    best = (cost, p, q, r)
    return None if best is None else best[1:]


def _waves(features: FloatArray, candidates: int = 12) -> list[list[int]]:
    """Shocks in the order they are solved: each wave together, predicted from earlier ones.

    A shock that is a parallelogram of smaller shocks of the chunk (fewer touched cells,
    or as many and a smaller norm; or a repeat of one) waits until they are solved; the
    others — on a grid its axes, one issue moved at a time — are the first wave and start
    cold. "Smaller" keeps the dependencies acyclic, so there are few waves.
    """
    n = features.shape[0]
    F = np.vstack((np.zeros((1, features.shape[1])), features))  # row 0: the baseline
    norm2 = np.einsum("ij,ij->i", F, F)
    support = np.count_nonzero(F, axis=1)
    wave = np.zeros(n + 1, dtype=np.int64)
    index: dict[bytes, int] = {}
    keys = [_key(np.flatnonzero(row), _rounded(row[row != 0])) for row in F]
    # rows by size: every row's possible dependencies are indexed before it
    for row in sorted(range(n + 1), key=lambda r: (support[r], norm2[r], r)):
        hit = index.get(keys[row])
        if hit is not None:
            wave[row] = wave[hit] + 1 if hit else 0
            continue
        smaller = np.full(n + 1, np.inf)
        rows = np.fromiter(index.values(), dtype=np.int64)
        smaller[rows] = norm2[rows]
        found = _parallelogram(F, smaller, index, F[row], candidates) if rows.size else None
        wave[row] = 0 if found is None else 1 + max(wave[d] for d in found if d)
        index[keys[row]] = row
    return [list(np.flatnonzero(wave[1:] == w)) for w in range(int(wave[1:].max()) + 1)]


def _cells(shocks: Sequence[CPShock]) -> Cells:
    """The touched cells of ``shocks``, numbered by position."""
    parts = []
    for p, s in enumerate(shocks):
        k = s.n_cells
        parts.append(Cells(
            np.full(k, p, dtype=np.intp), s.importer.astype(np.intp), s.exporter.astype(np.intp),
            s.sector.astype(np.intp), s.tariff_rate, s.ntb_factor,
            np.zeros(k) if s.rent_rate is None else s.rent_rate,
            np.zeros(k, dtype=bool) if s.rent_to_exporter is None else s.rent_to_exporter,
        ))  # fmt: skip
    return Cells.concat(parts)


def _solve_chunk(
    baseline: CPBaseline,
    shocks: Sequence[CPShock],
    features: FloatArray,
    options: dict[str, object],
) -> list[CPResult]:
    b = baseline
    N, J = b.shape
    tol = float(options["tol"])  # type: ignore[arg-type]
    z0 = np.concatenate((np.zeros(N + N * J), b.expenditure_musd.ravel()))
    solved = _Solved(len(shocks), features.shape[1], z0)
    results: list[CPResult | None] = [None] * len(shocks)
    with threadpool_limits(limits=1, user_api="blas"):
        shared = Shared.of(b)
        for wave in _waves(features):
            cells = _cells([shocks[k] for k in wave])
            starts = [_as_start(b, solved.predict(features[k])) for k in wave]
            starts = _better_starts(b, cells, starts, shared)
            for k, s in zip(wave, solve_stacked(b, cells, starts, shared=shared, tol=tol),
                            strict=True):  # fmt: skip
                results[k] = _result(b, shocks[k], s, options)
                solved.add(features[k], np.concatenate((s.log_w, s.log_P.ravel(), s.X.ravel())))
    return [r for r in results if r is not None]


def _as_start(b: CPBaseline, z: FloatArray | None) -> Start | None:
    if z is None:
        return None
    N, J = b.shape
    return z[:N], z[N : N + N * J].reshape(N, J), np.maximum(z[N + N * J :].reshape(N, J), 0.0)


def _better_starts(
    b: CPBaseline, cells: Cells, starts: list[Start | None], shared: Shared
) -> list[Start | None]:
    """Each predicted start, or a cold one where the cold start's residual is smaller.

    The first sweep's residual from both (one stacked sweep for all) decides per shock:
    a prediction from shocks that interact strongly can start further away than cold.
    """
    warm = [p for p, s in enumerate(starts) if s is not None]
    if not warm:
        return starts
    keep = np.zeros(len(starts), dtype=bool)
    keep[warm] = True
    mine = cells.take(keep)
    both = Cells.concat([mine, replace(mine, problem=mine.problem + len(warm))])
    res = start_residuals(b, both, [starts[p] for p in warm] + [None] * len(warm), shared)
    out = list(starts)
    for w, p in enumerate(warm):
        if res[len(warm) + w] <= res[w]:
            out[p] = None
    return out


def _result(b: CPBaseline, shock: CPShock, s: Solved, options: dict[str, object]) -> CPResult:
    state = CPState(s.log_w, s.log_P, s.X)
    parts = None
    if options["decompose"]:
        from tradetalks.economics._cp_welfare import decompose

        tau, d = shock.dense(b)
        parts = decompose(b, tau, d, shock.dense_rents(b), 4, state, float(options["tol"]))  # type: ignore[arg-type]
    return equilibrium_result(
        b, shock.label, state, s.log_c, s.gross, s.revenue, s.holder_rent, s.exporter_rent,
        stacked_flows(b, s, _cells([shock])), s.iterations, s.excess, parts,
        flows=bool(options["flows"]),
    )  # fmt: skip


def _init_worker(baseline: CPBaseline) -> None:
    global _WORKER_BASELINE
    _WORKER_BASELINE = baseline


def _chunk_task(
    args: tuple[CPBaseline, Sequence[CPShock], FloatArray, dict[str, object]],
) -> list[CPResult]:
    return _solve_chunk(*args)


def _worker(
    args: tuple[Sequence[CPShock], FloatArray, dict[str, object]],
) -> list[CPResult]:
    assert _WORKER_BASELINE is not None
    return _solve_chunk(_WORKER_BASELINE, *args)


def solve_batch(
    baseline: CPBaseline,
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
        Calibrated once, shared by all solves.
    shocks
        E.g. one per outcome of a negotiation.
    workers
        Processes; default all cores (``os.cpu_count()``); 1 runs in this process.
        Ignored inside :func:`pricing_executor`, which sends the chunks there.
    tol, decompose, flows
        As in :func:`~tradetalks.economics.solve` (decomposition and full flows are
        off by default here to keep results small).
    chunk_size
        Shocks per task; warm starts are taken inside a chunk.

    Raises
    ------
    ConvergenceError
        If any shock fails to converge (the first one met).
    """
    if not shocks:
        return []
    features = _features(baseline, shocks)
    order = _order(features)
    options: dict[str, object] = {"tol": tol, "decompose": decompose, "flows": flows}
    tasks = [
        ([shocks[k] for k in order[s : s + chunk_size]], features[order[s : s + chunk_size]],
         options)
        for s in range(0, len(shocks), chunk_size)
    ]  # fmt: skip
    n_workers = min(workers or os.cpu_count() or 1, len(tasks))
    executor = _EXECUTOR.get()
    if executor is not None:
        chunks = list(executor.map(_chunk_task, [(baseline, *task) for task in tasks]))
    elif n_workers <= 1:
        chunks = [_solve_chunk(baseline, *task) for task in tasks]
    else:
        with ProcessPoolExecutor(
            max_workers=n_workers, initializer=_init_worker, initargs=(baseline,)
        ) as pool:
            chunks = list(pool.map(_worker, tasks))
    results: list[CPResult | None] = [None] * len(shocks)
    for k, result in zip(order, (r for chunk in chunks for r in chunk), strict=True):
        results[int(k)] = result
    return [r for r in results if r is not None]
