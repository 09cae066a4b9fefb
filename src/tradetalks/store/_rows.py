"""Rows of the store's tables turned into records, and small checks shared by the store."""

from __future__ import annotations

import io
import operator
import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._errors import StoreError
from tradetalks.store._records import RUN_STATUSES, RunInfo, RunStatus

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
