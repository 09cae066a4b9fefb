"""A run's tables as real DuckDB tables, with one view per table name for SQL.

Rows of every batch table live in ``run_data."<name>__<hash>"``, one physical table per
table name and column layout (the hash is over the columns' names and types, so every
run of a scenario shares one): columns ``run_id``, ``batch_index``, ``row_index`` (the
row's place in its batch), then the table's own columns, index columns first when the
index is not a default one. Column names clash in DuckDB only case-insensitively;
a clashing name gets ``_1``, ``_2``... (the original name is kept in the Arrow schema).

The main schema has one view per table name (``sessions``, ``outcomes``, ``params``...;
lower-cased, ``table_<name>`` if it would shadow one of the store's own tables) that
unions its layouts by column name, so ``SELECT * FROM sessions WHERE run_id = ...``
works across runs. ``batch_tables`` records, for each run, batch and table, its rows,
pandas dtypes, Arrow schema (with the metadata that restores pandas dtypes and index)
and physical table.

Columns are stored in DuckDB's own types; the few Arrow types it cannot hold are stored
as their nearest type and cast back on reading: categoricals as their values, all-null
columns as ``VARCHAR``, durations as ``BIGINT`` (in their unit), time-zone aware
timestamps as naive UTC.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from tradetalks._errors import StoreError
from tradetalks.store._tables import arrow_to_frame, join_batches, plain, range_metadata

DATA_SCHEMA = "run_data"
STORE_TABLES = frozenset({"tradetalks_meta", "runs", "batches", "batch_tables", "cache"})
KEY_COLUMNS = ("run_id", "batch_index", "row_index")
_STAGING = "_tradetalks_batch"


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def view_name(table_name: str) -> str:
    """The view that shows a table of every run: its name lower-cased, never a store table."""
    lower = table_name.lower()
    return f"table_{lower}" if lower in STORE_TABLES else lower


def _storage_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_dictionary(kind):
        return _storage_type(kind.value_type)
    if pa.types.is_null(kind):
        return pa.string()
    if pa.types.is_duration(kind):
        return pa.int64()
    if pa.types.is_float16(kind):
        return pa.float32()
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        return pa.timestamp(kind.unit)
    return kind


def storage_table(table: pa.Table) -> pa.Table:
    """``table`` as DuckDB will hold it: ``row_index`` first, names unique, types it can store."""
    used = set(KEY_COLUMNS)
    names = ["row_index"]
    arrays: list[pa.Array | pa.ChunkedArray] = [pa.array(np.arange(table.num_rows))]
    for field, column in zip(table.schema, table.columns, strict=True):
        base = field.name or "column"
        name, k = base, 0
        while name.lower() in used:
            k += 1
            name = f"{base}_{k}"
        used.add(name.lower())
        names.append(name)
        target = _storage_type(field.type)
        arrays.append(column if target == field.type else column.cast(target))
    return pa.Table.from_arrays(arrays, names=names)


def physical_name(table_name: str, storage: pa.Schema) -> str:
    """The physical table for ``table_name`` with this column layout."""
    layout = json.dumps([table_name, [[f.name, str(f.type)] for f in storage]])
    return f"{table_name}__{hashlib.sha256(layout.encode()).hexdigest()[:12]}"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {DATA_SCHEMA}")


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    run_id: str,
    batch_index: int | pa.Array,
    storage: pa.Table,
    known: set[str] | None = None,
) -> str:
    """Append rows of a batch table (inside the caller's transaction); returns its table.

    ``batch_index`` is the batch of every row, or an array giving each row's batch (to
    insert many batches at once). ``known`` holds physical tables known to exist
    (checked and added to when given).
    """
    physical = physical_name(table_name, storage.schema)
    target = f"{DATA_SCHEMA}.{quote(physical)}"
    batches = (
        batch_index
        if isinstance(batch_index, pa.Array)
        else pa.array(np.full(storage.num_rows, batch_index, dtype=np.int32))
    )
    staged = storage.add_column(0, "batch_index", batches.cast(pa.int32()))
    con.register(_STAGING, staged)
    try:
        if (known is None or physical not in known) and not _exists(con, physical):
            con.execute(
                f"CREATE TABLE {target} AS SELECT ''::VARCHAR AS run_id, * FROM {_STAGING} LIMIT 0"
            )
            refresh_view(con, view_name(table_name))
        con.execute(f"INSERT INTO {target} SELECT ?, * FROM {_STAGING}", [run_id])
        if known is not None:
            known.add(physical)
    finally:
        # After Ctrl-C the transaction is aborted and DuckDB refuses even this: let the
        # interrupt, not that refusal, reach the caller.
        with contextlib.suppress(duckdb.Error):
            con.unregister(_STAGING)
    return physical


def _exists(con: duckdb.DuckDBPyConnection, physical: str) -> bool:
    return (
        con.execute(
            "SELECT 1 FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
            [DATA_SCHEMA, physical],
        ).fetchone()
        is not None
    )


def refresh_view(con: duckdb.DuckDBPyConnection, view: str) -> None:
    """(Re)create the view ``view`` over every physical table of its name (drop it if none)."""
    physical = [
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY table_name",
            [DATA_SCHEMA],
        ).fetchall()
        if view_name(str(r[0]).rsplit("__", 1)[0]) == view
    ]
    if not physical:
        con.execute(f"DROP VIEW IF EXISTS {quote(view)}")
        return
    union = " UNION ALL BY NAME ".join(f"SELECT * FROM {DATA_SCHEMA}.{quote(p)}" for p in physical)
    con.execute(f"CREATE OR REPLACE VIEW {quote(view)} AS {union}")


def delete_rows(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Delete a run's rows from every physical table (drop tables left empty), in a transaction.

    Must run before the run's ``batch_tables`` records are deleted.
    """
    physical = [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT data_table FROM batch_tables WHERE run_id = ?", [run_id]
        ).fetchall()
    ]
    for name in physical:
        if not _exists(con, name):
            continue
        target = f"{DATA_SCHEMA}.{quote(name)}"
        con.execute(f"DELETE FROM {target} WHERE run_id = ?", [run_id])
        others = con.execute(
            "SELECT 1 FROM batch_tables WHERE data_table = ? AND run_id <> ? LIMIT 1",
            [name, run_id],
        ).fetchone()
        if others is None:
            con.execute(f"DROP TABLE {target}")
            refresh_view(con, view_name(name.rsplit("__", 1)[0]))


def _restore(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """Stored columns (without the key columns) back in their Arrow types and metadata."""
    columns = []
    for field, column in zip(schema, data.columns, strict=True):
        if pa.types.is_null(field.type):
            columns.append(pa.nulls(len(column)))
        elif column.type != field.type:
            columns.append(column.cast(field.type))
        else:
            columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def read_table(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    table_name: str,
    batch: int | None = None,
    staged: Callable[[int], pa.Table] | None = None,
) -> pd.DataFrame:
    """A run's table over all its batches (or one batch), as the DataFrame it was saved as.

    ``staged(batch)`` reads a batch whose rows are still in a staged Arrow file.
    """
    where, params = "run_id = ? AND table_name = ?", [run_id, table_name]
    params_all: list[object] = list(params)
    if batch is not None:
        where = where + " AND batch_index = ?"
        params_all.append(batch)
    records = con.execute(
        f"SELECT n_rows, arrow_schema, data_table, batch_index FROM batch_tables WHERE {where} "
        "ORDER BY batch_index",
        params_all,
    ).fetchall()
    schemas = [pa.ipc.read_schema(pa.py_buffer(r[1])) for r in records]
    tables = {str(r[2]) for r in records if r[2]}
    data = {
        name: _select(con, name, run_id, batch).drop_columns(["batch_index", "row_index"])
        for name in tables
    }
    first = schemas[0]
    if (
        len(tables) == 1
        and all(r[2] for r in records)
        and len(schemas) > 1
        and all(plain(s) for s in schemas)
        and all(s.equals(first, check_metadata=False) for s in schemas[1:])
        and len({(s.metadata or {}).get(b"tradetalks.categories") for s in schemas}) == 1
    ):
        # The usual case: one conversion of all the rows.
        whole = _restore(next(iter(data.values())), first)
        return arrow_to_frame(whole.replace_schema_metadata(range_metadata(first)))
    offsets = dict.fromkeys(tables, 0)
    pieces = []
    for (n_rows, _, name, index), schema in zip(records, schemas, strict=True):
        if not name:
            if staged is None:
                raise StoreError(f"run {run_id}: batch {index} of {table_name!r} is staged")
            pieces.append(staged(int(index)))
            continue
        start = offsets[name]
        offsets[name] += int(n_rows)
        pieces.append(_restore(data[name].slice(start, int(n_rows)), schema))
    return join_batches(pieces)


def _select(
    con: duckdb.DuckDBPyConnection, physical: str, run_id: str, batch: int | None
) -> pa.Table:
    query = f"SELECT * EXCLUDE (run_id) FROM {DATA_SCHEMA}.{quote(physical)} WHERE run_id = $1"
    params: list[object] = [run_id]
    if batch is not None:
        query += " AND batch_index = $2"
        params.append(batch)
    return con.sql(query + " ORDER BY batch_index, row_index", params=params).to_arrow_table()


def batch_names(con: duckdb.DuckDBPyConnection, run_id: str, batch: int) -> Sequence[str]:
    """The table names of one saved batch, in name order."""
    rows = con.execute(
        "SELECT table_name FROM batch_tables WHERE run_id = ? AND batch_index = ? "
        "ORDER BY table_name",
        [run_id, batch],
    ).fetchall()
    return [str(r[0]) for r in rows]
