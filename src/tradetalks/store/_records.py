"""The records the store hands back, run ids, and canonical JSON for settings and summaries."""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradetalks._errors import StoreError

RunStatus = Literal["running", "finished", "interrupted"]
RUN_STATUSES: tuple[RunStatus, ...] = ("running", "finished", "interrupted")


@dataclass(frozen=True)
class RunInfo:
    """A run's metadata, without its tables.

    Attributes
    ----------
    run_id
        Short, unique, sortable by creation time, e.g. ``r20261123-130501-ab12``.
    created_utc, finished_utc
        Timezone-aware UTC times; ``finished_utc`` is ``None`` until :meth:`RunStore.finish_run`.
    status
        ``running`` (a process is, or was until it died, writing batches), ``finished``
        or ``interrupted`` (the writer caught Ctrl-C / an error and said so).
    n_batches, n_sessions
        Batches saved, and rows of their ``sessions`` tables (0 when there are none).
    host, pid
        Where the last writer ran (to tell a live sweep from one that crashed).
    """

    run_id: str
    created_utc: datetime
    finished_utc: datetime | None
    tradetalks_version: str
    kind: str
    scenario_id: str
    scenario_sha256: str
    data_version: str
    seed: int | None
    status: RunStatus
    n_batches: int
    n_sessions: int
    host: str
    pid: int


@dataclass(frozen=True, eq=False)
class RunRecord:
    """One saved run read back: metadata, inputs, summary and its tables over all batches.

    ``tables`` maps each table name (``"sessions"``, ``"params"``, ``"traces"``...) to the
    batches' DataFrames concatenated in batch order, with the dtypes they were saved with.
    """

    info: RunInfo
    scenario_text: str
    settings: Mapping[str, Any]
    summary: Mapping[str, Any] | None
    batches: tuple[int, ...]
    table_rows: Mapping[str, int]
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)


def new_run_id(now: datetime | None = None) -> str:
    """A new run id: ``r`` + UTC date-time to the second + 4 random hex digits."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"r{stamp}-{secrets.token_hex(2)}"


def _json_default(obj: object) -> Any:
    # numpy scalars and arrays, paths and datetimes appear in settings; make them plain JSON.
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=repr)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def canonical_json(value: Mapping[str, Any], what: str, *, sort_keys: bool = True) -> str:
    """Compact JSON of ``value``; with ``sort_keys`` equal inputs give equal text (for hashing).

    NaN and infinities are kept (Python's JSON extension) since summaries may hold them.

    Raises
    ------
    StoreError
        If ``value`` is not a mapping with string keys or holds something JSON cannot hold.
    """
    if not isinstance(value, Mapping):
        raise StoreError(f"{what} must be a mapping (dict), got {type(value).__name__}")
    try:
        return json.dumps(
            value,
            sort_keys=sort_keys,
            separators=(",", ":"),
            ensure_ascii=False,
            default=_json_default,
        )
    except (TypeError, ValueError) as error:
        raise StoreError(f"{what} cannot be saved as JSON: {error}") from error


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Keys a listing already shows in its own columns.
_LISTED_ELSEWHERE = frozenset({"scenario", "scenario_id", "title", "kind", "run_id"})


def headline(summary: Mapping[str, Any] | None, width: int = 60) -> str:
    """A one-line digest of a summary for listings.

    A string under the key ``"headline"`` is used as is (writers of runs should set
    one); otherwise the top-level numbers, booleans and short strings (up to 24
    characters: long ones crowd the listing) are shown as ``key=value``, floats to 3
    significant digits, leaving out what the listing shows anyway (scenario, title, kind).
    """
    if not summary:
        return ""
    given = summary.get("headline")
    if isinstance(given, str):
        text = given
    else:
        parts = []
        for key, value in summary.items():
            if key in _LISTED_ELSEWHERE:
                continue
            if isinstance(value, bool | int) or (isinstance(value, str) and len(value) <= 24):
                parts.append(f"{key}={value}")
            elif isinstance(value, float):
                parts.append(f"{key}={value:.3g}" if math.isfinite(value) else f"{key}={value}")
        text = ", ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


def finite_json(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None``, so it prints as standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_json(v) for v in value]
    return value


def record_json(record: RunRecord, store_path: PurePath) -> dict[str, Any]:
    """A run's metadata, inputs, summary and table sizes as JSON (``runs show --json``)."""
    info = record.info
    return {
        "run_id": info.run_id,
        "store": str(store_path),
        "created_utc": info.created_utc.isoformat(),
        "finished_utc": info.finished_utc.isoformat() if info.finished_utc else None,
        "status": info.status,
        "kind": info.kind,
        "scenario_id": info.scenario_id,
        "scenario_sha256": info.scenario_sha256,
        "data_version": info.data_version,
        "seed": info.seed,
        "tradetalks_version": info.tradetalks_version,
        "host": info.host,
        "pid": info.pid,
        "settings": finite_json(dict(record.settings)),
        "summary": finite_json(dict(record.summary)) if record.summary is not None else None,
        "batches": list(record.batches),
        "table_rows": dict(record.table_rows),
        "scenario_text": record.scenario_text,
    }
