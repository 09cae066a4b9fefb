"""Rows of the store's tables turned into records, and small checks shared by the store."""

from __future__ import annotations

import difflib
import io
import json
import operator
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._errors import StoreError
from tradetalks.store._records import RUN_STATUSES, RunInfo, RunStatus, headline

LIST_COLUMNS = (
    "run_id",
    "created_utc",
    "kind",
    "scenario_id",
    "status",
    "writer_alive",
    "n_batches",
    "n_sessions",
    "headline",
    "data_version",
    "seed",
    "tradetalks_version",
)

INFO_SQL = """
SELECT r.run_id, r.created_utc, r.finished_utc, r.tradetalks_version, r.kind, r.scenario_id,
       r.scenario_sha256, r.data_version, r.seed, r.status, r.host, r.pid,
       (SELECT count(*) FROM batches b WHERE b.run_id = r.run_id) AS n_batches,
       (SELECT coalesce(sum(t.n_rows), 0) FROM batch_tables t
         WHERE t.run_id = r.run_id AND t.table_name = 'sessions') AS n_sessions,
       r.summary_json, r.scenario_text, r.settings_json
FROM runs r
"""


def now_naive_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored naive, read back as UTC


def as_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def writer_alive(host: str, pid: int) -> bool | None:
    """Whether the process that last wrote a run is alive; ``None`` when it ran on another host."""
    if host != socket.gethostname():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def check_batch_index(value: object) -> int:
    if isinstance(value, bool):
        raise StoreError(f"batch index must be a non-negative integer, got {value!r}")
    try:
        index = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise StoreError(f"batch index must be a non-negative integer, got {value!r}") from None
    if not 0 <= index < 2**31:
        raise StoreError(f"batch index must be a non-negative integer, got {value!r}")
    return index


def info_from_row(row: tuple[Any, ...]) -> RunInfo:
    status: RunStatus = row[9] if row[9] in RUN_STATUSES else "running"
    return RunInfo(
        run_id=row[0],
        created_utc=as_utc(row[1]) or datetime.min.replace(tzinfo=UTC),
        finished_utc=as_utc(row[2]),
        tradetalks_version=row[3],
        kind=row[4],
        scenario_id=row[5],
        scenario_sha256=row[6],
        data_version=row[7],
        seed=row[8],
        status=status,
        host=row[10],
        pid=int(row[11]),
        n_batches=int(row[12]),
        n_sessions=int(row[13]),
    )


def empty_listing() -> pd.DataFrame:
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in LIST_COLUMNS})
    return empty.astype({"writer_alive": "boolean", "n_batches": "int64", "n_sessions": "int64"})


def check_cache_key(key: object) -> None:
    if not isinstance(key, str) or not key or len(key) > 512:
        raise StoreError(f"a cache key must be a non-empty string (<= 512 chars), got {key!r}")


def pack_arrays(arrays: Mapping[str, npt.ArrayLike]) -> bytes:
    """Named numeric/bool/string arrays as ``.npz`` bytes (never pickles)."""
    packed = {name: np.asarray(a) for name, a in arrays.items()}
    bad = [n for n, a in packed.items() if a.dtype.hasobject]
    if bad:
        raise StoreError(f"cache arrays {bad} hold Python objects; give numeric/str arrays")
    sink = io.BytesIO()
    np.savez(sink, allow_pickle=False, **packed)
    return sink.getvalue()


def unpack_arrays(payload: bytes) -> dict[str, npt.NDArray[Any]]:
    """The arrays packed by :func:`pack_arrays`."""
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (ValueError, OSError) as error:
        raise StoreError("is not a set of arrays") from error


def resolve_run(con: duckdb.DuckDBPyConnection, path: Path, run_id: object, *, exact: bool) -> str:
    """The full id of ``run_id`` (with ``exact=False``, a unique prefix of one) in the store."""
    if not isinstance(run_id, str) or not run_id.strip():
        raise StoreError(f"a run id must be a non-empty string, got {run_id!r}")
    run_id = run_id.strip()
    if con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone():
        return run_id
    if not exact:
        hits = [
            r[0]
            for r in con.execute(
                "SELECT run_id FROM runs WHERE starts_with(run_id, ?) ORDER BY run_id",
                [run_id],
            ).fetchall()
        ]
        if len(hits) == 1:
            return str(hits[0])
        if hits:
            shown = ", ".join(hits[:5]) + (" ..." if len(hits) > 5 else "")
            raise StoreError(
                f"run id {run_id!r} is ambiguous in {path}: it starts {len(hits)} runs ({shown})"
            )
    ids = [r[0] for r in con.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall()]
    close = difflib.get_close_matches(run_id, ids, n=3, cutoff=0.5)
    hint = f"; close ids: {', '.join(close)}" if close else ""
    latest = f"; newest: {ids[-1]}" if ids and not close else ""
    raise StoreError(f"no run {run_id!r} in {path}{hint or latest} (see 'tradetalks runs')")


def listing(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The rows of :data:`INFO_SQL` as the listing :meth:`RunStore.list_runs` returns."""
    records = []
    for row in rows:
        info = info_from_row(row)
        summary = json.loads(row[14]) if row[14] else None
        records.append(
            {
                "run_id": info.run_id,
                "created_utc": info.created_utc,
                "kind": info.kind,
                "scenario_id": info.scenario_id,
                "status": info.status,
                "writer_alive": (
                    writer_alive(info.host, info.pid) if info.status == "running" else None
                ),
                "n_batches": info.n_batches,
                "n_sessions": info.n_sessions,
                "headline": headline(summary),
                "data_version": info.data_version,
                "seed": info.seed,
                "tradetalks_version": info.tradetalks_version,
            }
        )
    if not records:
        return empty_listing()
    runs = pd.DataFrame.from_records(records, columns=list(LIST_COLUMNS))
    return runs.astype({"writer_alive": "boolean", "n_batches": "int64", "n_sessions": "int64"})


#: How long, by default, a writer of batches keeps the file open for the next batch (s).
HOLD_S = 1.0


@dataclass
class RunMemo:
    """A run's saved batches, table schemas and physical tables, as a held connection saw them."""

    batches: set[int]
    schemas: dict[str, tuple[str, int]]
    physical: set[str]
    marked_running: bool = False

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, run_id: str) -> RunMemo:
        batches = con.execute(
            "SELECT batch_index FROM batches WHERE run_id = ?", [run_id]
        ).fetchall()
        known = con.execute(
            "SELECT table_name, any_value(schema_json), min(batch_index) FROM batch_tables "
            "WHERE run_id = ? GROUP BY table_name",
            [run_id],
        ).fetchall()
        return cls(
            batches={int(r[0]) for r in batches},
            schemas={str(n): (str(s), int(f)) for n, s, f in known},
            physical=set(),
        )
