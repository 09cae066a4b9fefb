"""Where the store lives, how it is opened, and its schema.

DuckDB lets one process write a database file at a time (any number may read when none
writes) and takes an OS file lock to enforce it (duckdb.org/docs/current/connect/concurrency).
The store therefore never keeps the file long: a call opens a connection and closes it
(``save_batch`` may keep it for the next batches if the store was given ``hold_s``), so
``tradetalks runs`` can read a store while a sweep writes to it. A connection that meets
the lock retries every 0.1 s or less until ``lock_timeout_s`` and then fails with one
:class:`StoreError` naming the file and the process that holds it.

Durability comes from DuckDB's write-ahead log: a committed transaction is in the WAL
(``runs.duckdb.wal``) before ``COMMIT`` returns, and opening the file after a crash replays
it (duckdb.org/docs/current/sql/statements/checkpoint, "Checkpointing"). A transaction cut
short by a crash, SIGINT or SIGKILL never reaches the WAL's commit record and is dropped.
DuckDB answers Ctrl-C during a query with its own "Query interrupted" error; it is
turned back into :class:`KeyboardInterrupt` so a sweep's ``except KeyboardInterrupt``
sees it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import platformdirs

from tradetalks._errors import StoreError

ENV_VAR = "TRADETALKS_STORE"
SCHEMA_VERSION = 1
_MARKER = "tradetalks_meta"

DDL = (
    f"CREATE TABLE IF NOT EXISTS {_MARKER} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        created_utc TIMESTAMP NOT NULL,
        updated_utc TIMESTAMP NOT NULL,
        finished_utc TIMESTAMP,
        tradetalks_version VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        scenario_id VARCHAR NOT NULL,
        scenario_text VARCHAR NOT NULL,
        scenario_sha256 VARCHAR NOT NULL,
        data_version VARCHAR NOT NULL,
        seed BIGINT,
        settings_json VARCHAR NOT NULL,
        inputs_sha256 VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        summary_json VARCHAR,
        host VARCHAR NOT NULL,
        pid INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS batches (
        run_id VARCHAR NOT NULL,
        batch_index INTEGER NOT NULL,
        saved_utc TIMESTAMP NOT NULL,
        digest VARCHAR NOT NULL,
        PRIMARY KEY (run_id, batch_index)
    )""",
    """CREATE TABLE IF NOT EXISTS batch_tables (
        run_id VARCHAR NOT NULL,
        batch_index INTEGER NOT NULL,
        table_name VARCHAR NOT NULL,
        n_rows BIGINT NOT NULL,
        schema_json VARCHAR NOT NULL,
        parquet BLOB NOT NULL,
        PRIMARY KEY (run_id, batch_index, table_name)
    )""",
    """CREATE TABLE IF NOT EXISTS cache (
        key VARCHAR PRIMARY KEY,
        payload BLOB NOT NULL,
        saved_utc TIMESTAMP NOT NULL
    )""",
)

_LOCK_PID = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def default_store_path() -> Path:
    """The store used when none is given: ``$TRADETALKS_STORE``, else the user's data directory.

    The default is ``platformdirs.user_data_dir("tradetalks")/runs.duckdb``
    (e.g. ``~/.local/share/tradetalks/runs.duckdb`` on Linux).
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("tradetalks")) / "runs.duckdb"


def _translate(path: Path, error: duckdb.Error, doing: str = "open") -> StoreError:
    text = str(error)
    if "No space left on device" in text or "disk is full" in text.lower():
        return StoreError(
            f"{path}: the disk is full: the last write was not committed (runs saved before "
            "are intact); free some space or give another --store path, then --resume"
        )
    if "not a valid DuckDB database file" in text:
        return StoreError(
            f"{path}: not a tradetalks run store (not a DuckDB database file); "
            "give another --store path or move this file away"
        )
    if "newer version" in text or "older version" in text or "storage version" in text:
        return StoreError(f"{path}: written by an incompatible DuckDB version: {text}")
    return StoreError(f"{path}: cannot {doing} the run store: {text}")


def _lock_error(path: Path, error: duckdb.Error, waited_s: float) -> StoreError:
    m = _LOCK_PID.search(str(error))
    holder = f" (PID {m.group(2)}, {Path(m.group(1)).name})" if m else ""
    return StoreError(
        f"{path}: the run store is locked by another process{holder}; waited {waited_s:.1f} s. "
        "Try again when it finishes, or give another --store path"
    )


def _reraise_interrupt(error: BaseException) -> None:
    """Raise KeyboardInterrupt if ``error`` is DuckDB's answer to Ctrl-C during a query."""
    if isinstance(error, duckdb.InterruptException) or (
        isinstance(error, RuntimeError) and "interrupted" in str(error).lower()
    ):
        raise KeyboardInterrupt from error


def _open(path: Path, *, read_only: bool, lock_timeout_s: float) -> duckdb.DuckDBPyConnection:
    start = time.monotonic()
    delay = 0.02
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except RuntimeError as error:
            _reraise_interrupt(error)
            raise
        except duckdb.Error as error:
            _reraise_interrupt(error)
            if read_only and "different configuration" in str(error):
                # This process already holds the file open for writing (keep_open): a
                # read-only connection is refused, a read-write one shares that database.
                read_only = False
                continue
            if "Could not set lock" not in str(error):
                raise _translate(path, error) from error
            waited = time.monotonic() - start
            if waited >= lock_timeout_s:
                raise _lock_error(path, error, waited) from error
            time.sleep(min(delay, max(lock_timeout_s - waited, 0.001)))
            # Poll at least every 0.1 s: a writer may free the file only between batches.
            delay = min(delay * 1.5, 0.1)


def _check_schema(path: Path, con: duckdb.DuckDBPyConnection, *, create: bool) -> None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if _MARKER not in tables:
        if tables or not create:
            what = f"a DuckDB database with tables {sorted(tables)[:5]}" if tables else "empty"
            raise StoreError(f"{path}: not a tradetalks run store ({what})")
        con.execute("BEGIN TRANSACTION")
        for statement in DDL:
            con.execute(statement)
        con.execute(f"INSERT INTO {_MARKER} VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
        return
    row = con.execute(f"SELECT value FROM {_MARKER} WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else None
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{path}: run store schema version {version}, this tradetalks reads version "
            f"{SCHEMA_VERSION}; use the tradetalks that wrote it, or another --store path"
        )


def open_store(
    path: Path, *, write: bool, lock_timeout_s: float, check_schema: bool = True
) -> duckdb.DuckDBPyConnection:
    """Open the store file (creating it on a first write) and check that it is a run store.

    Raises
    ------
    StoreError
        The file is not a DuckDB database, is another application's database, has a
        different schema version, is locked past ``lock_timeout_s``, or (reading) does
        not exist.
    """
    if not write and not path.exists():
        raise StoreError(f"{path}: no run store here yet (nothing has been saved)")
    if path.exists() and path.is_dir():
        raise StoreError(f"{path}: is a directory, expected a run store file")
    if write:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{path}: cannot create its directory: {error}") from error
    con = _open(path, read_only=not write, lock_timeout_s=lock_timeout_s)
    try:
        with guard(path):
            if check_schema:
                _check_schema(path, con, create=write)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def guard(path: Path) -> Iterator[None]:
    """Turn DuckDB's errors into one StoreError naming ``path``, and its Ctrl-C into Ctrl-C."""
    try:
        yield
    except (duckdb.InterruptException, RuntimeError) as error:
        _reraise_interrupt(error)
        raise
    except duckdb.Error as error:
        raise _translate(path, error, "read or write") from error
