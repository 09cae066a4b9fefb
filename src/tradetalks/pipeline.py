"""The main job as one library call: a scenario in, a saved run (and its report) out.

:func:`run_job` = price the scenario's game (from the store's price cache when it can) →
analysis at the scenario's parameters → one traced session → an uncertainty sweep saved
batch by batch → the run's summary → optionally its report. ``tradetalks run | analyze |
negotiate | sweep`` call it and only parse options, show progress and print; any other
caller (a script, a server) gets the same run.

The store is opened as few times as the job allows (each open and checkpoint of the DuckDB
file costs ~25 ms of CPU): the short steps before and after the sweep each share one
connection (:meth:`RunStore.holding`); the sweep saves its batches as before, holding the
file about a second at a time so readers get in between batches.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tradetalks._errors import InputError

if TYPE_CHECKING:  # the game and the store load numpy/pandas/duckdb: only when a job runs
    import numpy.typing as npt
    import pandas as pd

    from tradetalks.game import GameSetup
    from tradetalks.report import WrittenReport
    from tradetalks.scenario import Scenario
    from tradetalks.store import RunStore

#: Sweeps with at least this many sessions left run their batches in worker processes
#: (worker processes cost a few seconds to start: worth it only for long sweeps).
PARALLEL_FROM_SESSIONS = 20_000

#: Jobs with a sweep of at most this many sessions hold the store file from start to end.
HOLD_SESSIONS = 2_000

#: ``progress(label, total)`` gives a context manager yielding ``advance(n)``; total ``None``
#: is a task of unknown length.
Progress = Callable[[str, int | None], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class JobSpec:
    """What to run (frozen: the job's plan is fixed before it starts).

    Attributes
    ----------
    kind
        ``run``, ``analyze``, ``negotiate`` or ``sweep``: saved as the run's kind.
    scenario
        A built-in scenario's name or a TOML file.
    n_sessions, batch_size
        Sessions of the uncertainty sweep (0: none) and sessions per saved batch.
    seed
        Seed of every random draw of the run.
    strategies
        ``PARTY=STRATEGY`` items: every session plays this pairing instead of drawing from
        the scenario's strategy population.
    session
        Whether to run and trace one session at the scenario's parameters.
    resume
        Carry on the newest interrupted run with these inputs.
    workers
        Processes for pricing and sweeps (default: all cores).
    report, report_path
        Write the run's report, to ``report_path`` (HTML, or Markdown for ``.md``; default
        ``report-<run id>.html`` in the current directory).
    balance_weight
        Multiply every stake in a trade balance by this (``None``: as the scenario writes;
        0: balances not weighed, the setting the casebook's leave-one-episode-out chose);
        see :func:`tradetalks.game.weigh_trade_balances`.
    """

    kind: str
    scenario: str
    n_sessions: int = 0
    batch_size: int = 250
    seed: int = 0
    strategies: tuple[str, ...] = ()
    session: bool = True
    resume: bool = False
    workers: int | None = None
    report: bool = False
    report_path: Path | None = None
    balance_weight: float | None = None


@dataclass(frozen=True)
class JobResult:
    """A finished job: the run's id and summary, the priced game, the report if written."""

    run_id: str
    summary: dict[str, Any]
    setup: GameSetup
    store_path: Path
    report: WrittenReport | None = None


def _quiet(label: str, total: int | None) -> AbstractContextManager[Callable[[int], None]]:
    return nullcontext(lambda n: None)


def parse_strategies(setup: GameSetup, given: tuple[str, ...]) -> dict[str, str]:
    """``PARTY=STRATEGY`` items as a mapping, each checked against the strategy vocabulary."""
    from tradetalks._strategy_specs import check_strategy
    from tradetalks.game import strategy_specs

    parties = [p.code for p in setup.scenario.parties]
    out: dict[str, str] = {}
    for item in given:
        party, eq, spec = item.partition("=")
        if not eq or party not in parties or not spec:
            raise InputError(
                f"bad --strategy {item!r}: expected PARTY=STRATEGY with PARTY one of {parties}"
            )
        out[party] = spec
    for spec in strategy_specs(setup, out):
        check_strategy(spec)  # unknown names fail here, with the list of known ones
    return out


def run_job(
    spec: JobSpec,
    store: RunStore,
    *,
    progress: Progress = _quiet,
    notify: Callable[[str], None] = lambda line: None,
    client: Any = None,
) -> JobResult:
    """Run the job ``spec`` and save it in ``store``.

    Parameters
    ----------
    spec
        What to run.
    store
        The run store; its price cache serves the pricing.
    progress
        Progress display for pricing and the sweep (default: none).
    notify
        Receives one line for each thing the caller should tell the user (nothing to
        resume, an interrupted sweep).
    client
        A Dask client: the sweep's batches run on its cluster (pricing too, if the caller
        set :func:`tradetalks.cluster.pricing_on`).

    Raises
    ------
    InputError
        Bad sessions/batch size, strategy or scenario; ``resume`` of a finished run.
    KeyboardInterrupt
        Ctrl-C during the sweep: the run is marked interrupted, its finished batches are
        saved, and the same spec with ``resume`` carries on.
    """
    from tradetalks.game import (
        analysis_summary,
        calendar_summary,
        describe_scenario,
        impact_tables,
        outcome_table,
        population_of,
        prepare_game,
        run_single,
        scenario_parameters,
        session_summary,
        solve_game,
        strategy_spread,
        sweep_summary,
        trace_table,
        weigh_trade_balances,
    )
    from tradetalks.politics import objective_in_words
    from tradetalks.scenario import load_scenario, scenario_text

    if spec.n_sessions < 0 or spec.batch_size < 1:
        raise InputError("--sessions must be >= 0 and --batch-size >= 1")
    if spec.report and spec.report_path is not None:
        from tradetalks.report._write import check_destination

        check_destination(spec.report_path.expanduser())  # before the work, not after
    text, _ = scenario_text(spec.scenario)
    scenario = load_scenario(spec.scenario)  # its own table, if any, resolved in its folder
    # A short sweep (the main job's) takes about a second: the whole job shares one
    # connection. A longer one lets go of the file between batches (readers get in).
    short = client is None and spec.n_sessions <= HOLD_SESSIONS
    with ExitStack() as held:
        if short:
            held.enter_context(store.holding())
        start = time.perf_counter()
        with progress(f"pricing {scenario.id} with the trade model", None):
            setup = _cached_game(scenario, store) if short else None
            if setup is None:  # prices to compute: the file is not held while they are
                held.close()
                setup = prepare_game(scenario, workers=spec.workers, cache=store)
                if short:
                    held.enter_context(store.holding())
        timing: dict[str, Any] = {"pricing_s": round(time.perf_counter() - start, 3),
                                  "solves": setup.n_solves,
                                  "cached_prices": setup.n_solves == 0}  # fmt: skip
        strategies = parse_strategies(setup, spec.strategies)
        # Without --strategy the sweep draws every party's play from the population.
        population = None if strategies else population_of(setup.scenario.population)
        settings = {"sessions": spec.n_sessions, "batch_size": spec.batch_size,
                    "strategies": strategies, "population": list(population or ())}  # fmt: skip
        if spec.balance_weight is not None:  # (absent otherwise: older runs still resume)
            setup = weigh_trade_balances(setup, spec.balance_weight)
            settings["balance_weight"] = spec.balance_weight
        with store.holding():
            run_id = _start(spec, store, setup, text, settings, notify)
            state = solve_game(setup, scenario_parameters(setup))
            summary: dict[str, Any] = {**describe_scenario(setup),
                                       "objectives": objective_in_words(setup.scenario),
                                       "analysis": analysis_summary(setup, state)}  # fmt: skip
            if spec.balance_weight is not None:
                summary["balance_weight"] = spec.balance_weight
            tables = {"outcomes": outcome_table(setup, state)}
            deal = summary["analysis"]["nash"]["outcome"] if summary["analysis"]["nash"] else None
            if spec.session:
                traced, one = run_single(setup, state, strategies=strategies, seed=spec.seed)
                summary["session"] = session_summary(setup, one)
                tables["trace"] = trace_table(setup, traced)
                if summary["session"]["outcome"] is not None:
                    deal = summary["session"]["outcome"]
            tables.update(impact_tables(setup, deal))
            store.save_batch(run_id, 0, tables)
        if spec.n_sessions:
            try:
                seconds = _sweep(
                    spec, store, run_id, setup, strategies, population, progress, client
                )
            except KeyboardInterrupt:
                store.mark_interrupted(run_id)
                saved = len(store.finished_batches(run_id)) - 1
                notify(f"interrupted: {saved} batch(es) of run {run_id} are saved; carry on with "
                       "the same command and --resume")  # fmt: skip
                raise
        with store.holding():
            if spec.n_sessions:
                sessions = store.get_run(run_id, tables=["sessions"]).tables["sessions"]
                parties = [p.code for p in setup.scenario.parties]
                summary["sweep"] = sweep_summary(setup, sessions)
                summary["calendar"] = calendar_summary(setup, sessions)
                summary["strategies"] = {"population": list(population or ()),
                                         "spread": strategy_spread(parties, sessions)}  # fmt: skip
                summary["sweep"]["sessions_per_second"] = round(
                    spec.n_sessions / max(seconds, 1e-9), 1
                )
                timing["sweep_s"] = round(seconds, 3)
            summary["timing"] = timing
            summary["headline"] = headline(summary)
            store.finish_run(run_id, summary)
            written = None
            if spec.report:
                from tradetalks.report import default_report_path, write_report

                path = spec.report_path or default_report_path(run_id)
                written = write_report(store.get_run(run_id), path)
    return JobResult(run_id, summary, setup, store.path, written)


class _MissError(Exception):
    """A price the cache does not have."""


@dataclass(frozen=True)
class _CacheOnly:
    """The store's price cache, read only: a miss stops the pricing."""

    store: RunStore

    def get_cached_arrays(self, key: str) -> dict[str, npt.NDArray[Any]]:
        hit = self.store.get_cached_arrays(key)
        if hit is None:
            raise _MissError(key)
        return hit

    def put_cached_arrays(self, key: str, arrays: Mapping[str, npt.ArrayLike]) -> None:
        raise _MissError(key)  # not reached: a miss stops the pricing first


def _cached_game(scenario: Scenario, store: RunStore) -> GameSetup | None:
    """The priced game from the price cache alone, or ``None`` if a price is missing.

    Tried first, while the job holds the file (a cached game is a few reads); on a miss the
    job lets go of the file and prices with :func:`~tradetalks.game.prepare_game`.
    """
    from tradetalks.game import prepare_game

    try:
        return prepare_game(scenario, workers=1, cache=_CacheOnly(store))
    except _MissError:
        return None


def _start(
    spec: JobSpec,
    store: RunStore,
    setup: GameSetup,
    text: str,
    settings: Mapping[str, Any],
    notify: Callable[[str], None],
) -> str:
    """The run to write: the one to resume, or a new one."""
    inputs: dict[str, Any] = {"kind": spec.kind, "scenario_text": text,
                              "data_version": setup.data_version, "seed": spec.seed,
                              "settings": settings}  # fmt: skip
    if spec.resume:
        run_id = store.find_resumable(**inputs)
        if run_id is not None:
            return run_id
        done = store.find_resumable(**inputs, finished=True)
        if done is not None:  # resuming a finished run must not start a duplicate
            raise InputError(f"run {done} with these inputs is already finished: nothing "
                             f"to resume (tradetalks runs show {done}); leave out --resume "
                             "to start a new run")  # fmt: skip
        notify("nothing to resume: starting a new run")
    return store.start_run(scenario_id=setup.scenario.id, **inputs)


def _todo(
    n_sessions: int, batch_size: int, done: set[int]
) -> tuple[list[tuple[int, int, int]], int]:
    """The batches still to run (index, first session, size) and the sessions already saved."""
    from tradetalks.game import batch_plan

    plan = batch_plan(n_sessions, batch_size)
    return [b for b in plan if b[0] not in done], sum(size for i, _, size in plan if i in done)


def _sweep(
    spec: JobSpec,
    store: RunStore,
    run_id: str,
    setup: GameSetup,
    strategies: Mapping[str, str],
    population: tuple[str, ...] | None,
    progress: Progress,
    client: Any,
) -> float:
    """Run the batches not yet saved, saving each as it completes; returns seconds taken."""
    from tradetalks.game import sweep_batch

    todo, saved = _todo(spec.n_sessions, spec.batch_size, store.finished_batches(run_id))
    workers = max(1, spec.workers if spec.workers is not None else (os.cpu_count() or 1))
    start = time.perf_counter()
    with progress("simulating the talks", spec.n_sessions) as advance:
        advance(saved)

        def save(index: int, size: int, tables: dict[str, pd.DataFrame]) -> None:
            store.save_batch(run_id, index, tables)
            advance(size)

        def compute(index: int, first: int, size: int) -> dict[str, pd.DataFrame]:
            return sweep_batch(setup, index, first, size, spec.seed, strategies, population)

        if client is not None:
            from tradetalks.cluster import run_batches

            run_batches(client, setup, todo, spec.seed, strategies, save, population)
        elif workers <= 1 or sum(size for _, _, size in todo) < PARALLEL_FROM_SESSIONS:
            save_behind(todo, compute, save)
        else:
            _parallel(todo, setup, spec.seed, strategies, workers, save, population)
    return time.perf_counter() - start


def save_behind(
    todo: Iterable[tuple[int, int, int]],
    compute: Callable[[int, int, int], dict[str, pd.DataFrame]],
    save: Callable[[int, int, dict[str, pd.DataFrame]], object],
) -> None:
    """Compute each batch (index, first session, size) here while a thread saves the last one.

    Saving a batch (Arrow conversion, staging files, one DuckDB transaction) waits on the
    disk and runs much C code that lets go of the GIL, so on a second core it overlaps the
    next batch's compute instead of adding to it. One batch at most is in flight: memory
    stays bounded, batches are saved in order by one writer, and a save's error is raised
    here at the next batch. On Ctrl-C the batch being saved is finished (committed) before
    the interrupt goes on, so every batch is saved whole or not at all, as before.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tradetalks-save") as writer:
        pending: Future[object] | None = None
        for index, first, size in todo:
            tables = compute(index, first, size)
            if pending is not None:
                pending.result()
            pending = writer.submit(save, index, size, tables)
        if pending is not None:
            pending.result()


def _parallel(
    todo: list[tuple[int, int, int]],
    setup: GameSetup,
    seed: int,
    strategies: Mapping[str, str],
    workers: int,
    save: Callable[[int, int, dict[str, pd.DataFrame]], None],
    population: tuple[str, ...] | None = None,
) -> None:
    from tradetalks.game import sweep_batch

    # Workers only compute; this process is the store's only writer.
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[dict[str, pd.DataFrame]], tuple[int, int]] = {}
        queue = list(todo)
        try:
            while queue or pending:
                while queue and len(pending) < 2 * workers:
                    index, first, size = queue.pop(0)
                    future = pool.submit(sweep_batch, setup, index, first, size, seed, strategies,
                                         population)  # fmt: skip
                    pending[future] = (index, size)
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    index, size = pending.pop(future)
                    save(index, size, future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def headline(summary: Mapping[str, Any]) -> str:
    """One line for run listings."""
    a = summary["analysis"]
    parts = [f"ZOPA {a['zopa_size']}/{a['n_outcomes']}"]
    if "session" in summary:
        s = summary["session"]
        parts.append(
            f"session {s['status']}" + (f" in round {s['rounds']}" if s["agreement"] else "")
        )
    if "sweep" in summary:
        w = summary["sweep"]
        parts.append(f"agreement {w['agreement_rate']:.0%} of {w['sessions']}")
        parts += [f"{k} carried out {v:.0%}" for k, v in w["threat_carried_out"].items()]
    return "; ".join(parts)
