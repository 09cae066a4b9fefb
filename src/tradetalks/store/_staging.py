"""Batches of a running sweep kept as Arrow files, then moved into the SQL tables at once.

Appending a few hundred rows to a DuckDB table and checkpointing about once a second
rewrites the table's last, partly filled row group each time: a sweep of 100,000 sessions
then spends several times its compute in the store. So a writer that holds the file
(``hold_s > 0``) saves each batch as one Arrow IPC file per table in
``<store>.staged/<run>/<batch>-<table>.arrow`` (written to a temporary name and renamed; one
folder per run, not per batch: making and removing a folder per batch cost more than writing
its files), and records the batch in the store in one small transaction with an empty
``data_table``. Only that commit makes the batch saved: files without it are leftovers of a
batch cut short and are deleted. A killed process (SIGINT, SIGKILL) loses nothing: its files
are in the operating system's hands. The files are not forced to disk one by one (an fsync
per file would cost more than the sweep's compute); if a power cut loses one, :func:`ingest`
finds it unreadable and forgets that batch, so ``--resume`` runs it again.

:func:`ingest` moves a run's staged batches into the SQL tables in one transaction (one
bulk insert per table) and then deletes their files; the store does it when a run is
finished or interrupted, when the :class:`RunStore` is closed, and when a writer opens a
store in which a crashed process left staged batches. Until then :func:`read_staged`
serves those batches to readers, and SQL does not see them yet.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from tradetalks._errors import StoreError
from tradetalks.store._rows import now_naive_utc, writer_alive
from tradetalks.store._sqltables import delete_rows, insert_rows, storage_table
from tradetalks.store._tables import layout_digest

STAGED = ""  # batch_tables.data_table of a batch whose rows are still in Arrow files


def staging_root(store_path: Path) -> Path:
    """The folder of staged batches beside the store file."""
    return store_path.with_name(store_path.name + ".staged")


def staged_file(root: Path, run_id: str, batch: int, table: str) -> Path:
    """The Arrow file of one staged batch table."""
    return root / run_id / f"{batch}-{table}.arrow"


def stage(root: Path, run_id: str, batch: int, tables: dict[str, pa.Table]) -> None:
    """Write a batch's tables as Arrow IPC files (each renamed into place when complete)."""
    (root / run_id).mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        final = staged_file(root, run_id, batch, name)
        part = final.with_name(f".{final.name}.part")
        with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        part.replace(final)


def read_staged(root: Path, run_id: str, batch: int, table: str) -> pa.Table:
    """A staged batch table, schema and metadata as saved."""
    with pa.memory_map(str(staged_file(root, run_id, batch, table))) as source:
        return pa.ipc.open_file(source).read_all()


def staged_runs(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Runs that have staged batches."""
    rows = con.execute(
        "SELECT DISTINCT run_id FROM batch_tables WHERE data_table = ? ORDER BY run_id", [STAGED]
    ).fetchall()
    return [str(r[0]) for r in rows]


def ingest(con: duckdb.DuckDBPyConnection, root: Path, run_ids: Iterable[str]) -> None:
    """Move the staged batches of ``run_ids`` into the SQL tables, one transaction per run."""
    for run_id in run_ids:
        staged = con.execute(
            "SELECT batch_index, table_name FROM batch_tables WHERE run_id = ? AND data_table = ? "
            "ORDER BY table_name, batch_index",
            [run_id, STAGED],
        ).fetchall()
        if staged:
            by_table: dict[str, list[int]] = {}
            for batch, name in staged:
                by_table.setdefault(str(name), []).append(int(batch))
            con.execute("BEGIN TRANSACTION")
            try:
                for name, batches in by_table.items():
                    _ingest_table(con, root, run_id, name, batches)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        cleanup(con, root, run_id)


def _ingest_table(
    con: duckdb.DuckDBPyConnection, root: Path, run_id: str, name: str, batches: list[int]
) -> None:
    # Batches with one column layout go in with one insert; a layout change starts another.
    groups: dict[str, list[tuple[int, pa.Table]]] = {}
    for batch in batches:
        try:
            table = read_staged(root, run_id, batch, name)
        except (OSError, pa.ArrowInvalid):
            forget(con, run_id, batch)  # lost in a power cut: the batch is to be run again
            continue
        storage = storage_table(table)
        groups.setdefault(storage.schema.to_string(), []).append((batch, storage))
    for members in groups.values():
        index = pa.array(
            [b for b, t in members for _ in range(t.num_rows)], type=pa.int32()
        )  # the batch of each row, for one insert of all of them
        joined = pa.concat_tables([t for _, t in members])
        physical = insert_rows(con, name, run_id, index, joined)
        con.execute(
            "UPDATE batch_tables SET data_table = ? WHERE run_id = ? AND table_name = ? "
            f"AND batch_index IN ({', '.join(str(b) for b, _ in members)})",
            [physical, run_id, name],
        )


def forget(con: duckdb.DuckDBPyConnection, run_id: str, batch: int) -> None:
    """Remove a batch's records (its staged file is gone): it counts as never saved."""
    for table in ("batch_tables", "batches"):
        con.execute(f"DELETE FROM {table} WHERE run_id = ? AND batch_index = ?", [run_id, batch])


def cleanup(con: duckdb.DuckDBPyConnection, root: Path, run_id: str) -> None:
    """Delete the run's staged files that no batch still needs (all, once it is ingested)."""
    folder = root / run_id
    if not folder.exists():
        return
    needed = {
        int(r[0])
        for r in con.execute(
            "SELECT DISTINCT batch_index FROM batch_tables WHERE run_id = ? AND data_table = ?",
            [run_id, STAGED],
        ).fetchall()
    }
    for file in folder.iterdir():
        batch = file.name.lstrip(".").split("-", 1)[0]
        if not (batch.isdigit() and int(batch) in needed and not file.name.startswith(".")):
            with contextlib.suppress(OSError):
                file.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()  # only if empty
    with contextlib.suppress(OSError):
        root.rmdir()


def orphaned_runs(con: duckdb.DuckDBPyConnection, skip: set[str]) -> list[str]:
    """Runs with staged batches whose writer is gone (not a live process, not in ``skip``)."""
    orphans = []
    for run_id in staged_runs(con):
        if run_id in skip:
            continue
        row = con.execute("SELECT status, host, pid FROM runs WHERE run_id = ?", [run_id])
        status, host, pid = row.fetchall()[0]
        if not (status == "running" and pid != os.getpid() and writer_alive(host, pid)):
            orphans.append(run_id)
    return orphans


def record_batch(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    index: int,
    arrows: Mapping[str, pa.Table],
    schemas: Mapping[str, str],
    known: set[str] | None,
) -> None:
    """Record a batch and its tables (inside the caller's transaction).

    With ``known`` (the physical tables known to exist) its rows go into the SQL tables
    now; with ``None`` they are staged and the batch's ``data_table`` is left empty.
    """
    now = now_naive_utc()
    digest = layout_digest(arrows)
    con.execute("INSERT INTO batches VALUES (?, ?, ?, ?)", [run_id, index, now, digest])
    values: list[object] = []
    for name, arrow in arrows.items():
        physical = STAGED
        if known is not None:
            physical = insert_rows(con, name, run_id, index, storage_table(arrow), known)
        values += [run_id, index, name, arrow.num_rows, schemas[name],
                   arrow.schema.serialize().to_pybytes(), physical]  # fmt: skip
    if arrows:  # one statement for all the batch's tables
        rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(arrows))
        con.execute(f"INSERT INTO batch_tables VALUES {rows}", values)


def delete_run_data(
    con: duckdb.DuckDBPyConnection, root: Path, run_id: str, *, force: bool
) -> None:
    """Delete a run's records and rows in one transaction, then its staged files.

    A run still being written by a live process on this host is refused unless ``force``.
    """
    (status, host, pid), *_ = con.execute(
        "SELECT status, host, pid FROM runs WHERE run_id = ?", [run_id]
    ).fetchall()
    if status == "running" and pid != os.getpid() and writer_alive(host, pid) and not force:
        raise StoreError(
            f"run {run_id} is being written by process {pid} on {host}; stop it first "
            "(or delete with --force)"
        )
    con.execute("BEGIN TRANSACTION")
    try:
        delete_rows(con, run_id)
        for table in ("batch_tables", "batches", "runs"):
            con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    shutil.rmtree(root / run_id, ignore_errors=True)
