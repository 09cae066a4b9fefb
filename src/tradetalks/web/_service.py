"""What the workbench's endpoints do, as plain functions over the library.

Every answer comes from the library's own functions (scenario loading, ``prepare_game``,
``solve_game``, ``analysis_summary``, ``outcome_table``, ``impact_tables``, the run store,
``monitor.assess``): this module only picks inputs and shapes JSON.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._errors import InputError, Problem, ScenarioError
from tradetalks.scenario import Scenario, builtin_scenarios, loads_scenario, scenario_text
from tradetalks.store import RunStore
from tradetalks.web._workspace import read_scenario, workspace_files

#: Most outcomes (product of the issues' option counts) the workbench analyses.
MAX_OUTCOMES = 200_000


@dataclass(frozen=True)
class Limits:
    """Size limits of the workbench (request bytes, outcomes, sessions of a run or casebook)."""

    max_request_bytes: int = 512_000
    max_outcomes: int = MAX_OUTCOMES
    max_sessions: int = 200_000
    max_casebook_sessions: int = 2_000


def finite(value: Any) -> Any:
    """``value`` with NaN/inf as ``None`` and numpy scalars as Python ones (strict JSON)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def records(frame: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    """A table's rows as JSON records (categoricals as text, missing values as ``None``)."""
    part = frame if limit is None else frame.head(limit)
    out = part.astype(object).where(part.notna(), None)
    rows: list[dict[str, Any]] = finite(out.to_dict(orient="records"))
    return rows


def problems_json(error: ScenarioError) -> list[dict[str, Any]]:
    """A scenario's problems with their line (``None`` where it cannot be told)."""
    found = error.problems or (Problem("<text>", "", str(error)),)
    return [
        {"line": p.line, "field": p.field, "message": p.message}
        if isinstance(p, Problem)
        else {"line": None, "field": "", "message": str(p)}
        for p in found
    ]


def n_outcomes(scenario: Scenario) -> int:
    """The size of the outcome space: the product of the issues' option counts."""
    return math.prod(len(i.option_ids()) for i in scenario.issues)


def load_text(text: str, origin: str, limits: Limits) -> Scenario:
    """A scenario from its text, refusing outcome spaces over the limit (ScenarioError)."""
    scenario = loads_scenario(text, origin)
    if scenario.economics.table is not None:
        # a page must not make the server read its files: a table of your own is for the CLI
        raise ScenarioError(
            f"{origin} is not a scenario the workbench can price",
            [
                Problem(
                    origin,
                    "economics.table",
                    "the workbench prices the bundled WIOD tables only; price a table of your "
                    "own with the command line",
                )
            ],
        )
    size = n_outcomes(scenario)
    if size > limits.max_outcomes:
        raise OutcomeSpaceTooLargeError(
            f"{size:,} outcomes: the workbench analyses at most {limits.max_outcomes:,}; "
            "use fewer options or the command line"
        )
    return scenario


class OutcomeSpaceTooLargeError(InputError):
    """A scenario whose outcome space is larger than the workbench's limit."""


def scenario_source(name: str, workspace: Path | None) -> tuple[str, str]:
    """The text and origin of a built-in scenario (its name) or a workspace file (``x.toml``)."""
    if name.endswith(".toml"):
        if workspace is None:
            raise InputError("no workspace: start the server with --workspace DIR")
        return read_scenario(workspace, name), name
    if name not in builtin_scenarios():
        raise FileNotFoundError(name)
    return scenario_text(name)


def scenario_list(workspace: Path | None) -> list[dict[str, Any]]:
    """Built-in scenarios (name, title, outcomes) and the workspace's files."""
    out = []
    for name in builtin_scenarios():
        s = loads_scenario(*scenario_text(name))
        out.append({"name": name, "title": s.title, "origin": "built-in",
                    "outcomes": n_outcomes(s)})  # fmt: skip
    for name in workspace_files(workspace) if workspace is not None else []:
        out.append({"name": name, "title": name, "origin": "workspace", "outcomes": None})
    return out


class _ReadOnlyCache:
    """A price cache that reads the store and keeps new prices in memory (``--read-only``)."""

    def __init__(self, store: RunStore) -> None:
        self._store = store
        self._mine: dict[str, dict[str, npt.NDArray[Any]]] = {}

    def get_cached_arrays(self, key: str) -> dict[str, npt.NDArray[Any]] | None:
        if key in self._mine:
            return self._mine[key]
        return self._store.get_cached_arrays(key) if self._store.path.exists() else None

    def put_cached_arrays(self, key: str, arrays: Mapping[str, npt.ArrayLike]) -> None:
        self._mine[key] = {k: np.asarray(v) for k, v in arrays.items()}


class Analyst:
    """Analyses of scenario texts, keeping the last few priced games in memory."""

    def __init__(self, store_path: Path | None, *, read_only: bool, keep: int = 4) -> None:
        self._store_path = store_path
        self._read_only = read_only
        self._keep = keep
        self._setups: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._ro_cache: _ReadOnlyCache | None = None

    def _cache(self) -> Any:
        store = RunStore(self._store_path, hold_s=0)
        if not self._read_only:
            return store
        self._ro_cache = self._ro_cache or _ReadOnlyCache(store)
        return self._ro_cache

    def price_cache(self) -> Any:
        """The price cache of the workbench: the store, or memory over it with ``--read-only``."""
        with self._lock:
            return self._cache()

    def setup(self, scenario: Scenario, text: str) -> Any:
        """The priced game of a scenario (``prepare_game``), from memory when seen lately."""
        from tradetalks.game import prepare_game

        key = hashlib.sha256(text.encode()).hexdigest()
        with self._lock:
            if key in self._setups:
                self._setups.move_to_end(key)
                return self._setups[key]
            setup = prepare_game(scenario, workers=1, cache=self._cache())
            self._setups[key] = setup
            while len(self._setups) > self._keep:
                self._setups.popitem(last=False)
            return setup

    def analyze(self, scenario: Scenario, text: str) -> dict[str, Any]:
        """Win-sets, ZOPA, frontier, Nash/KS deals, every outcome, and impacts of the Nash deal."""
        from tradetalks.game import (
            analysis_summary,
            describe_scenario,
            impact_tables,
            outcome_table,
            scenario_parameters,
            solve_game,
        )

        setup = self.setup(scenario, text)
        state = solve_game(setup, scenario_parameters(setup))
        summary = {**describe_scenario(setup), "analysis": analysis_summary(setup, state)}
        nash = summary["analysis"].get("nash")
        impacts = impact_tables(setup, nash["outcome"] if nash else None)
        out: dict[str, Any] = finite(
            {
                "summary": summary,
                "outcomes": records(outcome_table(setup, state)),
                "impacts": records(impacts["impacts"]),
                "welfare": records(impacts["welfare"]),
            }
        )
        return out

    def price(self, scenario: Scenario, text: str, outcome: Mapping[str, str]) -> dict[str, Any]:
        """What one outcome does, by party and sector and to every country.

        Issues not named stay at their status quo.
        """
        from tradetalks.game import impact_tables

        setup = self.setup(scenario, text)
        labels = {i.id: i.status_quo for i in scenario.issues}
        for issue, option in outcome.items():
            known = {i.id: i.option_ids() for i in scenario.issues}
            if issue not in known:
                raise InputError(f"outcome: no issue {issue!r}; issues: {', '.join(known)}")
            if option not in known[issue]:
                raise InputError(
                    f"outcome: issue {issue!r} has no option {option!r}; "
                    f"options: {', '.join(known[issue])}"
                )
            labels[issue] = option
        code = setup.space.code_of(labels)
        impacts = impact_tables(setup, int(code))
        deal = impacts["impacts"][impacts["impacts"]["kind"] == "deal"]
        welfare = impacts["welfare"][impacts["welfare"]["kind"] == "deal"]
        priced: dict[str, Any] = finite(
            {
                "outcome": labels,
                "code": int(code),
                "impacts": records(deal),
                "welfare": records(welfare),
            }
        )
        return priced
