"""A saved run read for reporting: the summary's parts and the tables, checked and tolerant.

The lead's pipeline saves a run's summary (JSON) and tables (see ``RunRecord``); a run of
one kind lacks what another kind makes (an ``analyze`` run has no ``trace``, a ``sweep``
run no session). :func:`run_view` keeps whatever is usable and lists, in plain words,
what is absent or malformed, so the report can say so instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from tradetalks.store import RunRecord

#: Columns each table needs for the report to use it; ``{p}`` = each party, ``{i}`` = each issue.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "outcomes": ("code", "u:{p}"),
    "trace": ("round", "party", "action", "outcome", "u:{p}"),
    "sessions": ("agreed", "outcome"),
    "params": ("session",),
    "impacts": ("point", "kind", "country", "sector", "value_added_change"),
    "welfare": ("point", "kind", "country", "welfare_change"),
}

#: Why a run kind lacks a table, for the report's "not in this run" notes.
_KIND_MAKES: dict[str, tuple[str, ...]] = {
    "run": ("outcomes", "trace", "sessions", "params", "impacts", "welfare"),
    "analyze": ("outcomes", "impacts", "welfare"),
    "negotiate": ("outcomes", "trace", "impacts", "welfare"),
    "sweep": ("outcomes", "sessions", "params", "impacts", "welfare"),
}


@dataclass(frozen=True)
class IssueInfo:
    """One issue on the table: id, label, option ids in order, and its status-quo option."""

    id: str
    label: str
    options: tuple[str, ...]
    status_quo: str | None


@dataclass(frozen=True, eq=False)
class RunView:
    """What a report can use from one saved run.

    Attributes
    ----------
    parties, issues
        From the summary, else inferred from the tables' ``u:<party>`` / ``issue:<id>`` columns.
    analysis, session, sweep, timing
        The summary's parts (empty mappings when absent).
    tables
        Usable tables by name (see :data:`REQUIRED_COLUMNS`); absent or malformed ones are left
        out and explained in ``notes``.
    notes
        One plain sentence per table or summary part that is absent or unusable.
    pricing_notes
        How parties that are not one WIOD country were priced ("NZL is priced as part of
        RoW"), from the summary.
    calendar
        The sweep by date and by stage (summits, threats), from the summary.
    """

    run_id: str
    kind: str
    status: str
    created_utc: datetime
    scenario_id: str
    title: str
    seed: int | None
    data_version: str
    tradetalks_version: str
    parties: tuple[str, ...]
    issues: tuple[IssueInfo, ...]
    analysis: Mapping[str, Any]
    session: Mapping[str, Any]
    sweep: Mapping[str, Any]
    timing: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    notes: tuple[str, ...]
    pricing_notes: tuple[str, ...] = ()
    calendar: Mapping[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` if this run has a usable one."""
        return self.tables.get(name)

    def issue_label(self, issue_id: str) -> str:
        """The issue's label (its id when the summary gives none)."""
        for issue in self.issues:
            if issue.id == issue_id:
                return issue.label
        return issue_id


def as_mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one (summaries may hold ``null``)."""
    return value if isinstance(value, Mapping) else {}


def as_float(value: object) -> float | None:
    """A finite float from a JSON value, else ``None`` (``null``, text, NaN)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def party_point(value: object, parties: Sequence[str]) -> tuple[float, ...] | None:
    """A ``{party: utility}`` mapping as a tuple in ``parties`` order; ``None`` if incomplete."""
    values = as_mapping(value)
    point = tuple(as_float(values.get(p)) for p in parties)
    if not parties or any(v is None for v in point):
        return None
    return tuple(float(v) for v in point if v is not None)


def _strings(value: object) -> tuple[str, ...]:
    """A JSON list of strings as a tuple; anything else as an empty one."""
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _prefixed(frame: pd.DataFrame, prefix: str) -> list[str]:
    return [str(c)[len(prefix) :] for c in frame.columns if str(c).startswith(prefix)]


def _infer_parties(tables: Mapping[str, pd.DataFrame]) -> tuple[str, ...]:
    for name in ("outcomes", "trace", "sessions"):
        if name in tables:
            found = _prefixed(tables[name], "u:")
            if found:
                return tuple(found)
    return ()


def _issues(
    summary: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]
) -> tuple[IssueInfo, ...]:
    given = as_mapping(summary.get("issues"))
    out = []
    for issue_id, spec in given.items():
        spec = as_mapping(spec)
        options = spec.get("options")
        opts = tuple(str(o) for o in options) if isinstance(options, list | tuple) else ()
        sq = spec.get("status_quo")
        label = spec.get("label")
        out.append(
            IssueInfo(
                id=str(issue_id),
                label=str(label) if isinstance(label, str) and label else str(issue_id),
                options=opts,
                status_quo=str(sq) if isinstance(sq, str) else None,
            )
        )
    if out:
        return tuple(out)
    for name in ("outcomes", "sessions"):
        if name in tables:
            ids = _prefixed(tables[name], "issue:")
            if ids:
                frame = tables[name]
                return tuple(
                    IssueInfo(
                        id=i,
                        label=i,
                        options=tuple(
                            sorted({str(v) for v in frame[f"issue:{i}"].dropna() if str(v)})
                        ),
                        status_quo=None,
                    )
                    for i in ids
                )
    return ()


def _missing_columns(name: str, frame: pd.DataFrame, parties: Sequence[str]) -> list[str]:
    needed: list[str] = []
    for col in REQUIRED_COLUMNS[name]:
        if "{p}" in col:
            needed.extend(col.format(p=p) for p in parties)
        else:
            needed.append(col)
    return [c for c in needed if c not in frame.columns]


def _absence(name: str, kind: str) -> str:
    made = _KIND_MAKES.get(kind)
    if made is not None and name not in made:
        return f"This {kind!r} run has no {name!r} table (runs of this kind do not make one)."
    return f"This run has no {name!r} table."


def run_view(record: RunRecord) -> RunView:
    """Read ``record`` for a report, keeping what is usable and noting what is not.

    Tables other than those of :data:`REQUIRED_COLUMNS` are ignored. A table missing a
    column it needs is left out with a note naming the column; so is an empty one.
    """
    summary = as_mapping(record.summary)
    info = record.info
    raw = {n: t for n, t in record.tables.items() if isinstance(t, pd.DataFrame)}
    given_parties = summary.get("parties")
    if isinstance(given_parties, list | tuple) and given_parties:
        parties = tuple(str(p) for p in given_parties)
    else:
        parties = _infer_parties(raw)
    notes: list[str] = []
    if record.summary is None:
        notes.append(
            f"The run has no summary (status {info.status!r}: it did not finish); "
            "only its saved tables are shown."
        )
    if not parties:
        notes.append("The parties are unknown (no 'parties' in the summary, no u:<party> columns).")
    tables: dict[str, pd.DataFrame] = {}
    for name in REQUIRED_COLUMNS:
        frame = raw.get(name)
        if frame is None:
            notes.append(_absence(name, info.kind))
            continue
        missing = _missing_columns(name, frame, parties)
        if missing:
            notes.append(
                f"The {name!r} table lacks column(s) {', '.join(missing)}; it is not used."
            )
        elif frame.empty:
            notes.append(f"The {name!r} table is empty.")
        else:
            tables[name] = frame.reset_index(drop=True)
    for part in ("analysis", "session", "sweep"):
        if record.summary is not None and not as_mapping(summary.get(part)):
            notes.append(f"The summary has no {part!r} part.")
    title = summary.get("title")
    scenario = summary.get("scenario")
    return RunView(
        run_id=info.run_id,
        kind=info.kind,
        status=info.status,
        created_utc=info.created_utc,
        scenario_id=str(scenario) if isinstance(scenario, str) else info.scenario_id,
        title=str(title) if isinstance(title, str) and title else info.scenario_id,
        seed=info.seed,
        data_version=info.data_version,
        tradetalks_version=info.tradetalks_version,
        parties=parties,
        issues=_issues(summary, tables),
        analysis=as_mapping(summary.get("analysis")),
        session=as_mapping(summary.get("session")),
        sweep=as_mapping(summary.get("sweep")),
        timing=as_mapping(summary.get("timing")),
        tables=tables,
        notes=tuple(notes),
        pricing_notes=_strings(summary.get("pricing_notes")),
        calendar=as_mapping(summary.get("calendar")),
    )
