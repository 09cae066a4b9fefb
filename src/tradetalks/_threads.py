"""BLAS threads, set deliberately by the layers that run many small products.

NumPy's BLAS (OpenBLAS here) starts one thread per core. The products this package runs
in its hot loops are small (``[N, N] @ [N, B]`` in the trade solvers, ``[sessions,
outcomes]`` in the bargaining kernels): a second thread saves no wall time, spins at the
cost of a whole core, and contends with the worker processes and the sweep's saving
thread for the machine's other cores.
"""

from __future__ import annotations

import functools
from contextlib import AbstractContextManager

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]


@functools.cache
def _threadpools() -> ThreadpoolController:
    """The process's BLAS/OpenMP pools, inspected once (inspecting costs milliseconds)."""
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread inside (threadpoolctl); the previous setting restored after."""
    limited: AbstractContextManager[object] = _threadpools().limit(limits=1, user_api="blas")
    return limited
