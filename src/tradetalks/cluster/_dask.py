"""Sweep batches and pricing chunks as Dask tasks, saved exactly once.

Exactly once rests on two facts. A batch is a pure function of ``(setup, seed, index)``
(:func:`~tradetalks.game.sweep_batch` draws from its own stream ``[seed, index]``), so
running it twice gives the same tables. And the store keys batches by ``(run, index)``
and saves each in one transaction, answering ``False`` for a batch already saved with
the same tables. So when a worker dies, the scheduler re-runs the tasks it held (or had
finished but not yet delivered) on another worker, this process saves what arrives, and
nothing is lost or written twice. Only this process writes to the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from tradetalks._errors import InputError
from tradetalks.economics import pricing_executor
from tradetalks.game import GameSetup, sweep_batch

if TYPE_CHECKING:
    from distributed import Client

#: Times a task may be retried after raising on a worker (worker deaths are counted
#: separately by the scheduler, ``distributed.scheduler.allowed-failures``).
RETRIES = 2


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise InputError(
            "--dask/--scheduler need the 'distributed' package: pip install 'tradetalks[cluster]'"
        ) from error
    return distributed


@contextmanager
def connect(address: str, *, workers: int | None = None) -> Iterator[Client]:
    """A Dask client: ``"local"`` starts a ``LocalCluster``, else a scheduler's address.

    Parameters
    ----------
    address
        ``"local"``, or a scheduler such as ``tcp://SCHEDULER_HOST:8786``.
    workers
        Worker processes of a local cluster (default: one per core); one thread each,
        since a batch is NumPy code that holds the GIL between array operations.

    Raises
    ------
    InputError
        ``distributed`` is not installed, or the scheduler cannot be reached.
    """
    distributed = _import_distributed()
    if address == "local":
        cluster = distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    if "://" not in address:
        raise InputError(f"--scheduler {address!r}: expected an address such as tcp://HOST:8786")
    try:
        client = distributed.Client(address, timeout="20s")
    except OSError as error:
        raise InputError(f"--scheduler {address}: cannot reach the scheduler ({error})") from error
    with client:
        yield client


def run_batches(
    client: Client,
    setup: GameSetup,
    todo: Sequence[tuple[int, int, int]],
    seed: int,
    strategies: Mapping[str, str] | None,
    save: Callable[[int, int, dict[str, pd.DataFrame]], object],
    population: tuple[str, ...] | None = None,
    *,
    timeout: float | None = None,
) -> None:
    """Compute the batches ``todo`` (index, first session, size) on the cluster.

    ``save(index, size, tables)`` is called in this process as each batch arrives, in
    completion order. The setup is sent to the workers once. If this process is
    interrupted, unsaved batches are cancelled; saved ones stay (resume with ``--resume``).
    ``population`` is the strategy population drawn from when ``strategies`` is empty, as in
    :func:`~tradetalks.game.sweep_batch`.
    ``timeout`` (seconds, default none) bounds the wait for all batches
    (``TimeoutError`` beyond it).
    """
    distributed = _import_distributed()
    if not todo:
        return
    dask: Any = cast(Any, client)  # distributed's methods are not annotated
    [shared] = dask.scatter([setup], broadcast=True, hash=False)
    futures = {
        dask.submit(sweep_batch, shared, index, first, size, seed, dict(strategies or {}),
                    population, pure=False, retries=RETRIES,
                    key=f"sweep-batch-{index}-{seed}-{id(todo)}"):
        (index, size)
        for index, first, size in todo
    }  # fmt: skip
    try:
        for future in distributed.as_completed(futures, timeout=timeout):
            index, size = futures[future]
            save(index, size, future.result())
            future.release()
    finally:
        dask.cancel(list(futures))


@contextmanager
def pricing_on(client: Client) -> Iterator[None]:
    """Inside, every :func:`~tradetalks.economics.solve_batch` runs its chunks on ``client``."""
    with pricing_executor(cast(Any, client).get_executor(pure=False)):
        yield
