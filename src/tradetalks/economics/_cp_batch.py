"""Price many shocks at once: warm starts from the nearest solved shock, on all cores.

The shocks are ordered along their first principal component (in the space of
log tariff and NTB factor changes over every cell any shock touches) and cut
into fixed-size chunks. Inside a chunk each shock starts from the solution of
the nearest shock solved before it (or cold, if the baseline is nearer). Chunks
run in worker processes. The chunking depends only on the shocks, never on the
number of workers, so results are the same whatever ``workers`` is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import numpy.typing as npt

from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import CPShock
from tradetalks.economics._cp_solve import CPResult, CPState, solve

__all__ = ["solve_batch"]

FloatArray = npt.NDArray[np.float64]

_WORKER_BASELINE: CPBaseline | None = None


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


def _predict(
    baseline: CPBaseline, solved: list[CPResult], features: FloatArray, k: int
) -> CPState | None:
    """Warm start for shock ``k``: the nearest solved state moved along a fitted linear response.

    The response of the state to the shock features is fitted by least squares on
    the shocks solved so far in the chunk plus the baseline (features 0, hats 1);
    the start is ``z_near + B (f_k − f_near)``. Outcome spaces are grids of nearly
    additive changes, so this start is usually within 1e-6 of the answer.
    """
    if k == 0:
        return None
    N, J = baseline.shape
    f = features[k]
    dist = np.linalg.norm(features[:k] - f, axis=1)
    nearest = int(np.argmin(dist))
    if dist[nearest] >= np.linalg.norm(f):
        return None
    Z = np.array(
        [np.concatenate((r.state.log_wage_hat, r.state.log_price_hat.ravel(),
                         r.state.expenditure_musd.ravel())) for r in solved]
    )  # fmt: skip
    z0 = np.concatenate((np.zeros(N + N * J), baseline.expenditure_musd.ravel()))
    F_all = np.vstack((features[:k], np.zeros((1, features.shape[1]))))
    Z_all = np.vstack((Z, z0))
    dF = F_all - F_all[nearest]
    dZ = Z_all - Z_all[nearest]
    B = np.linalg.pinv(dF) @ dZ  # least squares; lstsq is slow with many right-hand sides
    z = Z[nearest] + (f - features[nearest]) @ B
    state = CPState(
        log_wage_hat=z[:N],
        log_price_hat=z[N : N + N * J].reshape(N, J),
        expenditure_musd=np.maximum(z[N + N * J :].reshape(N, J), 0.0),
    )
    return state


def _solve_chunk(
    baseline: CPBaseline,
    shocks: Sequence[CPShock],
    features: FloatArray,
    options: dict[str, object],
) -> list[CPResult]:
    results: list[CPResult] = []
    for k, shock in enumerate(shocks):
        start = _predict(baseline, results, features, k)
        results.append(solve(baseline, shock, start=start, **options))  # type: ignore[arg-type]
    return results


def _init_worker(baseline: CPBaseline) -> None:
    global _WORKER_BASELINE
    _WORKER_BASELINE = baseline


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
    chunk_size: int = 25,
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
    if n_workers <= 1:
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
