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

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import CPShock
from tradetalks.economics._cp_solve import CPResult, CPState, solve

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
    """The shocks solved so far in a chunk: features ``F``, states ``Z`` (row 0: baseline).

    Rows are preallocated and each keeps its squared norm and sparse key, so a prediction
    costs O(solved × touched cells of the new shock), not O(solved × all features): with
    shocks that share no cells (random shocks) the predictor stays far below a solve.
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

    def predict(self, f: FloatArray, candidates: int) -> FloatArray | None:
        """Warm start for features ``f``, or ``None`` when a cold start is as good.

        Outcome spaces are grids, so there are usually solved points p, q, r with
        f = f_p + f_q − f_r (a parallelogram: p and q each differ from f in one issue,
        r in both). Then z_p + z_q − z_r is exact for additive responses and off only
        by the (small) interaction of the issues — about 1e-6 on WIOD against 1e-3 for
        a cold start. Without a parallelogram, the nearest point moved along a linear
        response fitted to the ``candidates`` nearest points. A shock already solved (or
        the baseline, whose cold start is exact) is started from its own solution, and a
        shock nearer the baseline than any solved shock starts cold.
        """
        m = self.m
        nz = np.flatnonzero(f)
        dots = self.F[:m, nz] @ f[nz]
        dist2 = np.maximum(self.norm2[:m] + float(f[nz] @ f[nz]) - 2.0 * dots, 0.0)
        near = np.argsort(dist2, kind="stable")[:candidates]
        nearest = int(near[0])
        f_key = _key(nz, _rounded(f[nz]))
        hit = self.index.get(f_key)
        if hit is not None:
            return None if hit == 0 else np.array(self.Z[hit], dtype=np.float64)
        # Columns where f, or any candidate, is non-zero: f_r = f_p + f_q − f lives there.
        cols = np.union1d(nz, np.flatnonzero(np.any(self.F[near] != 0.0, axis=0)))
        rounded = _rounded(self.F[near][:, cols])
        sums = rounded[:, None, :] + rounded[None, :, :] - _rounded(f[cols])
        best: tuple[float, int, int, int] | None = None
        for a in range(len(near)):
            for c in range(a + 1, len(near)):
                r = self.index.get(_key(cols, sums[a, c]))
                p, q = int(near[a]), int(near[c])
                if r is not None and r not in (p, q):
                    cost = float(dist2[p] + dist2[q])
                    if best is None or cost < best[0]:
                        best = (cost, p, q, r)
        if best is not None:
            _, p, q, r = best
            return np.asarray(self.Z[p] + self.Z[q] - self.Z[r], dtype=np.float64)
        if nearest == 0:
            return None
        if len(near) < 3:
            return np.array(self.Z[nearest], dtype=np.float64)
        dF = self.F[near][:, cols] - self.F[nearest, cols]
        dZ = self.Z[near] - self.Z[nearest]
        B = np.linalg.pinv(dF) @ dZ  # least squares; lstsq is slow with many right-hand sides
        return np.asarray(self.Z[nearest] + (f[cols] - self.F[nearest, cols]) @ B, np.float64)


def _solve_chunk(
    baseline: CPBaseline,
    shocks: Sequence[CPShock],
    features: FloatArray,
    options: dict[str, object],
) -> list[CPResult]:
    N, J = baseline.shape
    z0 = np.concatenate((np.zeros(N + N * J), baseline.expenditure_musd.ravel()))
    solved = _Solved(len(shocks), features.shape[1], z0)
    results: list[CPResult] = []
    secants: list[FloatArray] = []
    with threadpool_limits(limits=1, user_api="blas"):
        for k, shock in enumerate(shocks):
            z = solved.predict(features[k], candidates=12)
            start = None
            if z is not None:
                start = CPState(
                    log_wage_hat=z[:N],
                    log_price_hat=z[N : N + N * J].reshape(N, J),
                    expenditure_musd=np.maximum(z[N + N * J :].reshape(N, J), 0.0),
                )
            result = solve(
                baseline,
                shock,
                start=start,
                secants=secants if start is not None else None,
                **options,  # type: ignore[arg-type]
            )
            results.append(result)
            state = result.state
            solved.add(
                features[k],
                np.concatenate(
                    (state.log_wage_hat, state.log_price_hat.ravel(),
                     state.expenditure_musd.ravel())
                ),
            )  # fmt: skip
    return results


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
