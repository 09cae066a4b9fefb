"""The run store: runs, their batches of tables, and a cache of priced outcomes, in one DuckDB file.

A run is its metadata (kind, scenario text and SHA-256, data version, seed, settings,
status, summary) plus numbered batches. A batch is a set of named tables of any columns,
appended to real DuckDB tables (:mod:`tradetalks.store._sqltables`: ``SELECT * FROM
sessions`` works) in ONE transaction: after a crash, Ctrl-C or
SIGKILL a batch is either all there or not there at all. Saving a batch index that is
already saved is a no-op when the tables are identical (so redoing a batch after a crash
is harmless) and a :class:`StoreError` when they differ. Deleting a run removes its rows.

A :class:`RunStore` is meant for one thread; worker processes should hand their batches
to the process that owns the store rather than open the file themselves.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import duckdb
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from tradetalks import __version__
from tradetalks._errors import StoreError
from tradetalks.store._connect import default_store_path, guard, open_store
from tradetalks.store._records import (
    RunRecord,
    RunStatus,
    canonical_json,
    new_run_id,
    sha256_text,
)
from tradetalks.store._rows import (
    HOLD_S,
    INFO_SQL,
    RunMemo,
    check_batch_index,
    check_cache_key,
    empty_listing,
    info_from_row,
    listing,
    now_naive_utc,
    pack_arrays,
    resolve_run,
    unpack_arrays,
    writer_alive,
)
from tradetalks.store._sqltables import (
    batch_names,
    read_table,
)
from tradetalks.store._staging import (
    delete_run_data,
    ingest,
    orphaned_runs,
    read_staged,
    record_batch,
    stage,
    staging_root,
)
from tradetalks.store._tables import (
    check_table_name,
    frame_to_arrow,
    frames_equal,
    schema_signature,
)


class RunStore:
    """Saved runs in a DuckDB file.

    Parameters
    ----------
    path
        The store file. Default: ``$TRADETALKS_STORE`` if set, else
        ``platformdirs.user_data_dir("tradetalks")/runs.duckdb``. Created on the first write.
    lock_timeout_s
        How long an operation waits for another process that holds the file before
        raising :class:`StoreError`.

    hold_s
        How long the write connection opened by :meth:`save_batch` may stay open for
        the next batches before it is closed (at the end of a call). The default
        ``HOLD_S`` = 1 s lets a sweep save batch after batch on one connection and
        checkpoint about once a second, instead of reopening the file and checkpointing
        after every batch (~40 ms a batch, and growing with the file:
        ``benchmarks/bench_store.py``); readers such as ``tradetalks runs`` get in when
        it lets go, between two batches. ``0`` closes it after every call; ``math.inf``
        holds the file until :meth:`close` (one checkpoint, at the end).

    Notes
    -----
    Every call is one transaction. Other calls than :meth:`save_batch` (starting,
    finishing, marking a run, caching) close the connection when they are done, so a
    finished sweep never keeps the file. Either way a committed batch survives a crash,
    Ctrl-C or SIGKILL. Use the store as a context manager (or call :meth:`close`) so
    the file is released when the work is done; later calls raise.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout_s: float = 10.0,
        hold_s: float = HOLD_S,
    ):
        self._path = Path(path).expanduser() if path is not None else default_store_path()
        self._lock_timeout_s = float(lock_timeout_s)
        if not hold_s >= 0:
            raise StoreError(f"hold_s must be >= 0 seconds, got {hold_s!r}")
        self._hold_s = float(hold_s)
        self._held: duckdb.DuckDBPyConnection | None = None
        # What the held connection has seen of each run it writes (no other process can
        # write while it is held, so it stays true until the connection is let go).
        self._memo: dict[str, RunMemo] = {}
        self._pending: tuple[str, RunMemo, int, dict[str, tuple[str, int]]] | None = None
        self._held_since = 0.0
        self._schema_ok = False
        self._closed = False
        self._staging = staging_root(self._path)
        self._staged_runs: set[str] = set()  # runs with batches this store staged
        self._holding = 0  # depth of holding() blocks: their calls share one connection

    @property
    def path(self) -> Path:
        """The store file."""
        return self._path

    def __repr__(self) -> str:
        return f"RunStore({str(self._path)!r})"

    def __enter__(self) -> RunStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Move staged batches into the SQL tables, release the file; later calls raise."""
        if self._staged_runs and not self._closed:
            # Safe to skip on failure: staged batches are saved, the next writer moves them.
            with contextlib.suppress(StoreError), self._connect(write=True, hold="release") as con:
                ingest(con, self._staging, sorted(self._staged_runs))
                self._staged_runs.clear()
        self._closed = True
        self._drop_held()

    def _drop_held(self) -> None:
        self._memo.clear()
        self._pending = None
        held, self._held = self._held, None
        if held is not None:
            held.close()

    @contextmanager
    def _connect(
        self, *, write: bool, hold: Literal["start", "keep", "release"]
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one call.

        ``hold="start"`` (save_batch) may keep the connection it opens for ``hold_s``;
        ``"keep"`` (reads) uses a held one and leaves it; ``"release"`` (other writes)
        uses a held one and closes it after.
        """
        if self._closed:
            raise StoreError(f"{self._path}: this RunStore was closed")
        con = self._held
        if con is None:
            write = write or self._holding > 0  # a holding block's connection serves writes
            con = open_store(
                self._path,
                write=write,
                lock_timeout_s=self._lock_timeout_s,
                check_schema=not (self._schema_ok and self._path.exists()),
            )
            self._schema_ok = True
            if write:
                try:
                    with guard(self._path):
                        self._recover(con)
                except BaseException:
                    con.close()
                    raise
            if write and (self._holding or (hold == "start" and self._hold_s > 0)):
                self._held, self._held_since = con, time.monotonic()
        try:
            with guard(self._path):
                yield con
        except BaseException:
            if con is self._held:  # an uncommitted transaction dies with the connection
                self._drop_held()
            raise
        finally:
            if con is not self._held:
                con.close()
            elif self._holding:
                if hold == "release":  # a run changed state: batches re-read it next time
                    self._memo.clear()
            elif hold == "release" or time.monotonic() - self._held_since >= self._hold_s:
                self._drop_held()

    @contextmanager
    def holding(self) -> Iterator[RunStore]:
        """Every call in the block uses one write connection, closed when the block ends.

        For a short job of many calls (the main job: the run, its batches, its summary, the
        report's reading): the file is opened and checkpointed once instead of once per call
        (each costs ~25 ms of CPU). Each call is still its own transaction, so a crash loses
        nothing a call committed; other processes wait for the file until the block ends.
        """
        if self._closed:
            raise StoreError(f"{self._path}: this RunStore was closed")
        self._holding += 1
        try:
            yield self
        finally:
            self._holding -= 1
            if not self._holding:
                self._drop_held()

    def checkpoint(self) -> None:
        """Move staged batches into the SQL tables now.

        This store's, and those of writers that are gone (crashed or killed). Done anyway
        when a run is finished or interrupted, when the store is closed and when a writer
        next opens the file.
        """
        with self._connect(write=True, hold="release") as con:
            ingest(con, self._staging, sorted(self._staged_runs))
            self._staged_runs.clear()

    def _recover(self, con: duckdb.DuckDBPyConnection) -> None:
        """Ingest batches staged by writers that are gone (crashed or killed)."""
        ingest(con, self._staging, orphaned_runs(con, skip=self._staged_runs))

    # runs -----------------------------------------------------------------------------

    def start_run(
        self,
        *,
        kind: str,
        scenario_id: str,
        scenario_text: str,
        data_version: str,
        seed: int | None,
        settings: Mapping[str, Any],
    ) -> str:
        """Record a new run (status ``running``) and return its id."""
        for name, value in (("kind", kind), ("scenario_id", scenario_id)):
            if not isinstance(value, str) or not value.strip():
                raise StoreError(f"{name} must be a non-empty string, got {value!r}")
        if not isinstance(scenario_text, str) or not isinstance(data_version, str):
            raise StoreError("scenario_text and data_version must be strings")
        settings_json = canonical_json(settings, "settings")
        scenario_sha = sha256_text(scenario_text)
        seed_value = None if seed is None else operator.index(seed)
        inputs = self._inputs_sha(kind, scenario_sha, data_version, seed_value, settings_json)
        now = now_naive_utc()
        with self._connect(write=True, hold="release") as con:
            for _ in range(20):
                run_id = new_run_id(now.replace(tzinfo=UTC))
                if not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone():
                    break
            else:  # pragma: no cover - 65536 ids per second
                raise StoreError(f"{self._path}: could not find a free run id")
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "'running', NULL, ?, ?)",
                [
                    run_id,
                    now,
                    now,
                    __version__,
                    kind,
                    scenario_id,
                    scenario_text,
                    scenario_sha,
                    data_version,
                    seed_value,
                    settings_json,
                    inputs,
                    socket.gethostname(),
                    os.getpid(),
                ],
            )
        return run_id

    @staticmethod
    def _inputs_sha(
        kind: str, scenario_sha: str, data_version: str, seed: int | None, settings_json: str
    ) -> str:
        # The tradetalks version is part of a run's inputs: another version may give other results.
        key = [__version__, kind, scenario_sha, data_version, seed, settings_json]
        return sha256_text(json.dumps(key))

    def find_resumable(
        self,
        *,
        kind: str,
        scenario_text: str,
        data_version: str,
        seed: int | None,
        settings: Mapping[str, Any],
        finished: bool = False,
    ) -> str | None:
        """The newest unfinished run with exactly these inputs (and this tradetalks version).

        A run still ``running`` under a live process on this host (another sweep in
        progress) is not offered. Returns ``None`` when there is nothing to resume. With
        ``finished``, the newest finished run with these inputs (``--resume`` says so).
        """
        settings_json = canonical_json(settings, "settings")
        seed_value = None if seed is None else operator.index(seed)
        inputs = self._inputs_sha(
            kind, sha256_text(scenario_text), data_version, seed_value, settings_json
        )
        if not self._path.exists():
            return None
        with self._connect(write=False, hold="keep") as con:
            rows = con.execute(
                "SELECT run_id, status, host, pid FROM runs WHERE inputs_sha256 = ? "
                f"AND status {'=' if finished else '<>'} 'finished' "
                "ORDER BY created_utc DESC, run_id DESC",
                [inputs],
            ).fetchall()
        if finished or not rows:
            return str(rows[0][0]) if rows else None
        for run_id, status, host, pid in rows:
            busy = status == "running" and pid != os.getpid() and writer_alive(host, pid)
            if not busy:
                return str(run_id)
        return None

    def finish_run(self, run_id: str, summary: Mapping[str, Any]) -> None:
        """Mark a run finished and save its summary (a JSON-able mapping)."""
        summary_json = canonical_json(summary, "summary", sort_keys=False)
        with self._connect(write=True, hold="release") as con:
            run_id = self._resolve(con, run_id, exact=True)
            status = self._status(con, run_id)
            if status == "finished":
                raise StoreError(f"run {run_id} is already finished")
            con.execute(
                "UPDATE runs SET status = 'finished', summary_json = ?, finished_utc = ?, "
                "updated_utc = ? WHERE run_id = ?",
                [summary_json, now_naive_utc(), now_naive_utc(), run_id],
            )
            ingest(con, self._staging, [run_id])
            self._staged_runs.discard(run_id)

    def mark_interrupted(self, run_id: str) -> None:
        """Mark an unfinished run ``interrupted`` (on catching Ctrl-C); no-op once finished."""
        with self._connect(write=True, hold="release") as con:
            run_id = self._resolve(con, run_id, exact=True)
            con.execute(
                "UPDATE runs SET status = 'interrupted', updated_utc = ? "
                "WHERE run_id = ? AND status <> 'finished'",
                [now_naive_utc(), run_id],
            )
            ingest(con, self._staging, [run_id])
            self._staged_runs.discard(run_id)

    def delete_run(self, run_id: str, *, force: bool = False) -> str:
        """Delete a run, its batches and its rows from every table (one transaction).

        A run still being written by a live process on this host is refused unless
        ``force``. Returns the full id of the deleted run.
        """
        with self._connect(write=True, hold="release") as con:
            full = self._resolve(con, run_id, exact=False)
            delete_run_data(con, self._staging, full, force=force)
        return full

    # batches --------------------------------------------------------------------------

    def save_batch(self, run_id: str, batch_index: int, tables: Mapping[str, pd.DataFrame]) -> bool:
        """Save one batch's tables in one transaction; return False if it was already saved.

        Parameters
        ----------
        run_id
            An unfinished run (its exact id).
        batch_index
            0, 1, 2...; need not arrive in order (parallel workers).
        tables
            Table name → DataFrame of any columns. A table's columns and dtypes must be
            the same in every batch of a run.

        Returns
        -------
        bool
            True if saved; False if this batch index was already saved with identical
            tables (nothing written).

        Raises
        ------
        StoreError
            Unknown or finished run; the batch index already saved with different tables;
            a table whose columns/dtypes differ from earlier batches; an unstorable table.
        """
        index = check_batch_index(batch_index)
        if not isinstance(tables, Mapping):
            raise StoreError(f"tables must map names to DataFrames, got {type(tables).__name__}")
        arrows = {check_table_name(n): frame_to_arrow(n, f) for n, f in tables.items()}
        schemas = {n: schema_signature(f) for n, f in tables.items()}
        with self._connect(write=True, hold="start") as con:
            con.execute("BEGIN TRANSACTION")
            try:
                saved = self._save_batch_in(con, run_id, index, tables, arrows, schemas)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            if self._pending is not None:
                run, memo, done, added = self._pending
                self._pending = None
                memo.batches.add(done)
                for name, schema in added.items():
                    memo.schemas.setdefault(name, schema)
                memo.marked_running = True
                self._memo[run] = memo
        return saved

    def _save_batch_in(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        index: int,
        tables: Mapping[str, pd.DataFrame],
        arrows: Mapping[str, pa.Table],
        schemas: Mapping[str, str],
    ) -> bool:
        memo = self._memo.get(run_id) if con is self._held else None
        if memo is None:
            run_id = self._resolve(con, run_id, exact=True)
            if self._status(con, run_id) == "finished":
                raise StoreError(f"run {run_id} is finished: no batch can be added")
            memo = RunMemo.load(con, run_id)
        if index in memo.batches:
            if self._same_tables(con, run_id, index, tables):
                return False
            raise StoreError(f"run {run_id}: batch {index} is already saved with different tables")
        for name, signature in schemas.items():
            if name in memo.schemas and memo.schemas[name][0] != signature:
                saved, first = memo.schemas[name]
                raise StoreError(
                    f"run {run_id}: table {name!r} of batch {index} has columns/dtypes "
                    f"{signature}, but batch {first} saved {saved}"
                )
        now = now_naive_utc()
        if self._hold_s > 0:  # a sweep's writer: Arrow files now, SQL rows at the end
            stage(self._staging, run_id, index, dict(arrows))
            self._staged_runs.add(run_id)
        record_batch(con, run_id, index, arrows, schemas, None if self._hold_s else memo.physical)
        if not memo.marked_running:
            # Whoever writes batches is the run's live writer (a resumed run is running again).
            con.execute(
                "UPDATE runs SET status = 'running', updated_utc = ?, host = ?, pid = ? "
                "WHERE run_id = ?",
                [now, socket.gethostname(), os.getpid(), run_id],
            )
        if con is self._held:
            # What this transaction adds, known once it commits (the caller drops the memo
            # with the held connection on any error).
            self._pending = (run_id, memo, index, {n: (schemas[n], index) for n in schemas})
        return True

    def _same_tables(
        self,
        con: duckdb.DuckDBPyConnection,
        run_id: str,
        index: int,
        tables: Mapping[str, pd.DataFrame],
    ) -> bool:
        stored = self._read_batch(con, run_id, index)
        return set(stored) == set(tables) and all(
            frames_equal(stored[n], tables[n]) for n in tables
        )

    def _read_batch(
        self, con: duckdb.DuckDBPyConnection, run_id: str, index: int
    ) -> dict[str, pd.DataFrame]:
        return {
            n: read_table(con, run_id, n, batch=index, staged=self._reader(run_id, n))
            for n in batch_names(con, run_id, index)
        }

    def finished_batches(self, run_id: str) -> set[int]:
        """The batch indices saved for a run (all complete: batches are saved atomically)."""
        with self._connect(write=False, hold="keep") as con:
            run_id = self._resolve(con, run_id, exact=True)
            rows = con.execute(
                "SELECT batch_index FROM batches WHERE run_id = ?", [run_id]
            ).fetchall()
        return {int(r[0]) for r in rows}

    def read_batch(self, run_id: str, batch_index: int) -> dict[str, pd.DataFrame]:
        """One batch's tables exactly as saved (index included)."""
        index = check_batch_index(batch_index)
        with self._connect(write=False, hold="keep") as con:
            run_id = self._resolve(con, run_id, exact=False)
            found = self._read_batch(con, run_id, index)
            if (
                not found
                and not con.execute(
                    "SELECT 1 FROM batches WHERE run_id = ? AND batch_index = ?", [run_id, index]
                ).fetchone()
            ):
                raise StoreError(f"run {run_id} has no batch {index}")
        return found

    # reading runs ---------------------------------------------------------------------

    def list_runs(self) -> pd.DataFrame:
        """Every run, oldest first: the columns of :data:`LIST_COLUMNS` (empty if no store yet).

        ``writer_alive`` (nullable boolean) is set for ``running`` runs written on this host:
        False means the writing process is gone (crashed or killed; the run is resumable).
        """
        if not self._path.exists():
            return empty_listing()
        with self._connect(write=False, hold="keep") as con:
            rows = con.execute(INFO_SQL + " ORDER BY r.created_utc, r.run_id").fetchall()
        return listing(rows)

    def resolve_run_id(self, prefix: str) -> str:
        """The full id of the one run whose id starts with ``prefix``."""
        with self._connect(write=False, hold="keep") as con:
            return self._resolve(con, prefix, exact=False)

    def get_run(self, run_id: str, *, tables: Sequence[str] | None = None) -> RunRecord:
        """A saved run: metadata, settings, summary and its tables over all batches.

        Parameters
        ----------
        run_id
            A run id or a unique prefix of one (``r20261123-1305``).
        tables
            Names of the tables to read (default all); ``[]`` reads metadata only.
        """
        with self._connect(write=False, hold="keep") as con:
            full = self._resolve(con, run_id, exact=False)
            row = con.execute(INFO_SQL + " WHERE r.run_id = ?", [full]).fetchone()
            assert row is not None  # resolved above, within the same connection
            sizes = con.execute(
                "SELECT table_name, sum(n_rows) FROM batch_tables WHERE run_id = ? "
                "GROUP BY table_name ORDER BY table_name",
                [full],
            ).fetchall()
            table_rows = {str(n): int(k) for n, k in sizes}
            batches = tuple(
                int(r[0])
                for r in con.execute(
                    "SELECT batch_index FROM batches WHERE run_id = ? ORDER BY batch_index", [full]
                ).fetchall()
            )
            wanted = list(table_rows) if tables is None else list(tables)
            missing = [n for n in wanted if n not in table_rows]
            if missing:
                raise StoreError(
                    f"run {full} has no table {missing[0]!r}; it has {sorted(table_rows) or 'none'}"
                )
            read: dict[str, pd.DataFrame] = {}
            for name in wanted:
                read[name] = read_table(con, full, name, staged=self._reader(full, name))
        return RunRecord(
            info=info_from_row(row),
            scenario_text=row[15],
            settings=json.loads(row[16]),
            summary=json.loads(row[14]) if row[14] else None,
            batches=batches,
            table_rows=table_rows,
            tables=read,
        )

    def _reader(self, run_id: str, table: str) -> Callable[[int], pa.Table]:
        return partial(read_staged, self._staging, run_id, table=table)

    def _status(self, con: duckdb.DuckDBPyConnection, run_id: str) -> RunStatus:
        row = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
        assert row is not None
        status: RunStatus = row[0]
        return status

    def _resolve(self, con: duckdb.DuckDBPyConnection, run_id: str, *, exact: bool) -> str:
        return resolve_run(con, self._path, run_id, exact=exact)

    # cache of priced outcomes ---------------------------------------------------------

    def get_cached(self, key: str) -> bytes | None:
        """The payload saved under ``key`` (a hash the caller computes), or ``None``."""
        check_cache_key(key)
        if not self._path.exists():
            return None
        with self._connect(write=False, hold="keep") as con:
            row = con.execute("SELECT payload FROM cache WHERE key = ?", [key]).fetchone()
        return None if row is None else bytes(row[0])

    def put_cached(self, key: str, payload: bytes) -> None:
        """Save ``payload`` under ``key``, replacing what was there."""
        check_cache_key(key)
        if not isinstance(payload, bytes | bytearray | memoryview):
            raise StoreError(f"cache payload must be bytes, got {type(payload).__name__}")
        with self._connect(write=True, hold="release") as con:
            con.execute(
                "INSERT OR REPLACE INTO cache VALUES (?, ?, ?)",
                [key, bytes(payload), now_naive_utc()],
            )

    def get_cached_arrays(self, key: str) -> dict[str, npt.NDArray[Any]] | None:
        """Arrays saved by :meth:`put_cached_arrays` under ``key``, or ``None``."""
        payload = self.get_cached(key)
        if payload is None:
            return None
        try:
            return unpack_arrays(payload)
        except StoreError as error:
            raise StoreError(f"{self._path}: cache entry {key!r} {error}") from error

    def put_cached_arrays(self, key: str, arrays: Mapping[str, npt.ArrayLike]) -> None:
        """Save named numeric/bool/string arrays under ``key`` (``.npz``, no pickles)."""
        self.put_cached(key, pack_arrays(arrays))
