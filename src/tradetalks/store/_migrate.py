"""Moving a store of schema version 1 (each table a Parquet blob) to real tables (version 2).

Runs once, in one transaction, the first time a newer tradetalks opens an old store: every
blob is read with pyarrow and its rows are inserted as a version 2 store would have saved
them. A crash part-way leaves the version 1 store as it was.
"""

from __future__ import annotations

import io

import duckdb
import pyarrow.parquet as pq

from tradetalks.store._sqltables import DATA_SCHEMA, insert_rows, storage_table


def migrate_v1(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite a version 1 store's ``batch_tables`` as real tables, in one transaction."""
    from tradetalks.store._connect import _MARKER, BATCH_TABLES_DDL, SCHEMA_VERSION

    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE batch_tables RENAME TO batch_tables_v1")
        con.execute(BATCH_TABLES_DDL)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {DATA_SCHEMA}")
        keys = con.execute(
            "SELECT run_id, batch_index, table_name FROM batch_tables_v1 "
            "ORDER BY run_id, batch_index, table_name"
        ).fetchall()
        for run_id, index, name in keys:  # one blob in memory at a time
            # fetchall: DuckDB refuses register() while a result is not fully fetched.
            (row,) = con.execute(
                "SELECT n_rows, schema_json, parquet FROM batch_tables_v1 "
                "WHERE run_id = ? AND batch_index = ? AND table_name = ?",
                [run_id, index, name],
            ).fetchall()
            table = pq.read_table(io.BytesIO(row[2]))
            physical = insert_rows(con, name, run_id, index, storage_table(table))
            con.execute(
                "INSERT INTO batch_tables VALUES (?, ?, ?, ?, ?, ?, ?)",
                [run_id, index, name, row[0], row[1], table.schema.serialize().to_pybytes(),
                 physical],
            )  # fmt: skip
        con.execute("DROP TABLE batch_tables_v1")
        con.execute(
            f"UPDATE {_MARKER} SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
        )
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
