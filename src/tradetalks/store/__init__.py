"""The run store: every run saved to a DuckDB file, batch by batch, safe against crashes.

A run (kind, scenario text and hash, data version, seed, settings, status, summary) is
saved with :meth:`RunStore.start_run`; its results arrive in numbered batches of named
tables of any columns (:meth:`RunStore.save_batch`, one transaction each) and are read
back concatenated with their dtypes (:meth:`RunStore.get_run`). After a crash,
:meth:`RunStore.find_resumable` and :meth:`RunStore.finished_batches` tell a sweep what
is left to do. A small key → bytes cache keeps priced outcomes between runs.

Every saved table is a real table in the file: ``SELECT * FROM sessions WHERE run_id = ?``
works in any DuckDB client (one view per table name over every run; see the README's
"Querying saved runs with SQL"). :func:`export_run` writes a run's tables as CSV,
Parquet or Excel, :func:`compare_runs` puts two runs side by side, and
:meth:`RunStore.delete_run` removes one.

The file is ``$TRADETALKS_STORE`` or ``platformdirs.user_data_dir("tradetalks")/runs.duckdb``
unless a path is given (:func:`default_store_path`).
"""

from tradetalks.store._compare import Difference, RunComparison, compare_runs, comparison_json
from tradetalks.store._connect import ENV_VAR, default_store_path
from tradetalks.store._export import EXPORT_FORMATS, ExportFormat, export_run
from tradetalks.store._records import RunInfo, RunRecord, RunStatus, record_json
from tradetalks.store._rows import LIST_COLUMNS
from tradetalks.store._store import RunStore

__all__ = [
    "ENV_VAR",
    "EXPORT_FORMATS",
    "LIST_COLUMNS",
    "Difference",
    "ExportFormat",
    "RunComparison",
    "RunInfo",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "compare_runs",
    "comparison_json",
    "default_store_path",
    "export_run",
    "record_json",
]
