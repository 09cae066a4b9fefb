"""Running sweeps and pricing grids on a Dask ``distributed`` cluster.

``connect("local")`` starts a ``LocalCluster`` on this machine; ``connect("tcp://HOST:PORT")``
joins a running scheduler. :func:`run_batches` computes sweep batches on the cluster's
workers and hands each finished batch to a ``save`` callback in this process (the run
store's only writer); :func:`pricing_on` makes every ``solve_batch`` inside it send its
chunks to the cluster. ``distributed`` is an optional dependency (``pip install
'tradetalks[cluster]'``), imported only here.
"""

from tradetalks.cluster._dask import connect, pricing_on, run_batches

__all__ = ["connect", "pricing_on", "run_batches"]
