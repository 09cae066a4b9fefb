"""Two saved runs side by side: their inputs, their results, and what changed.

Inputs are the fields that decide a run (kind, scenario, data version, seed, settings,
tradetalks version) plus a line diff of the scenario texts; results are every leaf of the
two summaries (nested keys joined with ``.``, list items as ``[i]``), with ``b - a`` for
numbers; tables are their row counts.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from tradetalks._inputs import flatten
from tradetalks.store._records import RunRecord, finite_json, record_json


@dataclass(frozen=True)
class Difference:
    """One field of two runs: its value in each (``None`` if absent) and whether it changed."""

    field: str
    a: Any
    b: Any

    @property
    def changed(self) -> bool:
        """True unless both values are equal (NaN equal to NaN)."""
        if isinstance(self.a, float) and isinstance(self.b, float) and math.isnan(self.a + self.b):
            return not (math.isnan(self.a) and math.isnan(self.b))
        return bool(self.a != self.b) or type(self.a) is not type(self.b)

    @property
    def delta(self) -> float | None:
        """``b - a`` when both are numbers (not booleans), else ``None``."""
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (self.a, self.b)
        )
        return float(self.b - self.a) if numbers else None


@dataclass(frozen=True)
class RunComparison:
    """Run ``a`` against run ``b``."""

    a: str
    b: str
    inputs: tuple[Difference, ...]
    scenario_diff: tuple[str, ...]
    results: tuple[Difference, ...]
    tables: tuple[Difference, ...]

    @property
    def changed(self) -> tuple[Difference, ...]:
        """Every input, result and table that differs."""
        return tuple(d for d in (*self.inputs, *self.results, *self.tables) if d.changed)


def _pairs(a: Mapping[str, Any], b: Mapping[str, Any]) -> tuple[Difference, ...]:
    keys = list(a) + [k for k in b if k not in a]
    return tuple(Difference(k, a.get(k), b.get(k)) for k in keys)


_INPUTS = ("kind", "scenario_id", "scenario_sha256", "data_version", "seed",
           "tradetalks_version", "status")  # fmt: skip


def _inputs(record: RunRecord) -> dict[str, Any]:
    data = record_json(record, PurePath())
    return {k: data[k] for k in _INPUTS} | dict(flatten(dict(record.settings), "settings"))


def compare_runs(a: RunRecord, b: RunRecord) -> RunComparison:
    """Compare two runs read with ``tables=[]`` or with their tables (only sizes are used)."""
    diff = difflib.unified_diff(
        a.scenario_text.splitlines(),
        b.scenario_text.splitlines(),
        fromfile=f"{a.info.run_id} scenario",
        tofile=f"{b.info.run_id} scenario",
        lineterm="",
    )
    return RunComparison(
        a=a.info.run_id,
        b=b.info.run_id,
        inputs=_pairs(_inputs(a), _inputs(b)),
        scenario_diff=tuple(diff),
        results=_pairs(dict(flatten(dict(a.summary or {}))), dict(flatten(dict(b.summary or {})))),
        tables=_pairs(dict(a.table_rows), dict(b.table_rows)),
    )


def comparison_json(cmp: RunComparison) -> dict[str, Any]:
    """A comparison as JSON (``runs compare --json`` and the workbench's API)."""

    def rows(diffs: tuple[Difference, ...]) -> list[dict[str, Any]]:
        return [
            {"field": d.field, "a": finite_json(d.a), "b": finite_json(d.b),
             "changed": d.changed, "delta": finite_json(d.delta)}
            for d in diffs
        ]  # fmt: skip

    return {
        "a": cmp.a,
        "b": cmp.b,
        "inputs": rows(cmp.inputs),
        "scenario_diff": list(cmp.scenario_diff),
        "results": rows(cmp.results),
        "tables": rows(cmp.tables),
        "n_changed": len(cmp.changed),
    }
