"""The main job: run, analyze, negotiate and sweep a scenario, saving every run.

``tradetalks run SCENARIO`` = analysis at the scenario's parameters + one traced session +
an uncertainty sweep, saved to the run store, summarised on screen, with an HTML report.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from tradetalks._errors import InputError
from tradetalks.cli._common import console, err_console, print_json, progress
from tradetalks.game import (
    GameSetup,
    analysis_summary,
    batch_plan,
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
    strategy_specs,
    strategy_spread,
    sweep_batch,
    sweep_summary,
    trace_table,
)
from tradetalks.politics import objective_in_words
from tradetalks.scenario import load_scenario, notices, scenario_text
from tradetalks.store import RunStore

ScenarioArg = Annotated[str, typer.Argument(help="A built-in scenario's name or a TOML file.")]
StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Run store file (default: user data dir).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, help="Seed of every random draw of the run.")
]
StrategyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--strategy",
        help="PARTY=STRATEGY, e.g. USA=boulware or JPN=conceder:e=2 (see tradetalks bargain): "
        "every session plays this pairing instead of drawing from the strategy population.",
    ),
]
SessionsOpt = Annotated[int, typer.Option("--sessions", "-n", help="Sessions in the sweep.")]
BatchOpt = Annotated[int, typer.Option("--batch-size", help="Sessions per saved batch.")]
ResumeOpt = Annotated[bool, typer.Option("--resume", help="Carry on an interrupted run.")]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", help="Processes for pricing and sweeps (default: all).")
]
DaskOpt = Annotated[
    str | None,
    typer.Option("--dask", help="'local': price and sweep on a Dask LocalCluster (--workers "
                 "processes)."),
]  # fmt: skip
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Price and sweep on a running Dask cluster, e.g. "
                 "tcp://HOST:8786 (see the README)."),
]  # fmt: skip


@contextmanager
def _cluster(dask: str | None, scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client for --dask/--scheduler (``None`` without them); pricing runs on it."""
    if dask is not None and scheduler is not None:
        raise InputError("give --dask local or --scheduler ADDRESS, not both")
    if dask is not None and dask != "local":
        raise InputError(f"--dask {dask!r}: the only value is 'local' (use --scheduler for a "
                         "running cluster)")  # fmt: skip
    address = scheduler or dask
    if address is None:
        yield None
        return
    from tradetalks.cluster import connect, pricing_on

    with connect(address, workers=workers) as client, pricing_on(client):
        yield client


#: Sweeps with at least this many sessions left run their batches in worker processes.
PARALLEL_FROM_SESSIONS = 20_000


def register(app: typer.Typer) -> None:
    """Add the main-job commands to ``app``."""
    app.command("run")(run)
    app.command("analyze")(analyze)
    app.command("negotiate")(negotiate)
    app.command("sweep")(sweep)


def _strategies(setup: GameSetup, given: list[str] | None) -> dict[str, str]:
    parties = [p.code for p in setup.scenario.parties]
    out: dict[str, str] = {}
    for item in given or []:
        party, eq, spec = item.partition("=")
        if not eq or party not in parties or not spec:
            raise InputError(
                f"bad --strategy {item!r}: expected PARTY=STRATEGY with PARTY one of {parties}"
            )
        out[party] = spec
    from tradetalks.bargaining import parse_strategy

    for spec in strategy_specs(setup, out):
        parse_strategy(spec)  # unknown names fail here, with the list of known ones
    return out


def _prepare(
    scenario: str, store: RunStore, workers: int | None
) -> tuple[GameSetup, str, dict[str, Any]]:
    text, _ = scenario_text(scenario)
    s = load_scenario(scenario)  # its own table, if any, resolved in its folder
    start = time.perf_counter()
    with progress() as bar:
        bar.add_task(f"pricing {s.id} with the trade model", total=None)
        setup = prepare_game(s, workers=workers, cache=store)
    timing = {"pricing_s": round(time.perf_counter() - start, 3), "solves": setup.n_solves,
              "cached_prices": setup.n_solves == 0}  # fmt: skip
    return setup, text, timing


def _workers(workers: int | None) -> int:
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def _run_sweep(
    store: RunStore,
    run_id: str,
    setup: GameSetup,
    n_sessions: int,
    batch_size: int,
    seed: int,
    strategies: Mapping[str, str],
    workers: int,
    client: Any = None,
    population: tuple[str, ...] | None = None,
) -> float:
    """Run the batches not yet saved, saving each as it completes; returns seconds taken."""
    done = store.finished_batches(run_id)
    todo = [b for b in batch_plan(n_sessions, batch_size) if b[0] not in done]
    start = time.perf_counter()
    with progress() as bar:
        task = bar.add_task("simulating the talks", total=n_sessions)
        bar.advance(task, sum(size for index, _, size in batch_plan(n_sessions, batch_size)
                              if index in done))  # fmt: skip

        def save(index: int, size: int, tables: dict[str, pd.DataFrame]) -> None:
            store.save_batch(run_id, index, tables)
            bar.advance(task, size)

        # Worker processes cost a few seconds to start: worth it only for long sweeps.
        if client is not None:
            from tradetalks.cluster import run_batches

            run_batches(client, setup, todo, seed, strategies, save, population)
        elif workers <= 1 or sum(size for _, _, size in todo) < PARALLEL_FROM_SESSIONS:
            for index, first, size in todo:
                save(index, size, sweep_batch(setup, index, first, size, seed, strategies,
                                              population))  # fmt: skip
        else:
            _parallel(todo, setup, seed, strategies, workers, save, population)
    return time.perf_counter() - start


def _parallel(
    todo: list[tuple[int, int, int]],
    setup: GameSetup,
    seed: int,
    strategies: Mapping[str, str],
    workers: int,
    save: Callable[[int, int, dict[str, pd.DataFrame]], None],
    population: tuple[str, ...] | None = None,
) -> None:
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


def _print_summary(setup: GameSetup, summary: Mapping[str, Any], run_id: str) -> None:
    parties = [p.code for p in setup.scenario.parties]
    a = summary["analysis"]
    unit = ("million USD of the data year" if setup.scenario.stake_unit
            else "units of each indicator's largest change")  # fmt: skip
    t = Table(title=f"{escape(setup.scenario.title)} — the two-level game (government "
              f"objectives, {unit}, weighted)", title_justify="left")  # fmt: skip
    # (row label, short label for a column, one cell per party)
    rows: list[tuple[str, str, list[str]]] = [
        ("value of no deal", "no deal", [_money(a["no_deal"][p]) for p in parties]),
        ("deals it can ratify (win-set)", "win-set",
         [str(a["win_set_sizes"][p]) for p in parties]),
    ]  # fmt: skip
    if "no_deal_without_outside" in a:  # outside options (game/_outside.py)
        rows.append(("value of no deal without outside options", "no deal w/o outside",
                     [_money(a["no_deal_without_outside"][p]) for p in parties]))  # fmt: skip
        rows.append(("win-set without outside options", "win-set w/o outside",
                     [str(a["win_set_sizes_without_outside"][p]) for p in parties]))  # fmt: skip
        for o in a["outside_options"]:
            rows.append((f"outside option {o['id']} (p={o['chance']:.2f}, {o['scope']})",
                         f"outside {o['id']}",
                         [_money(o["value"][p]) for p in parties]))  # fmt: skip
    for threat in a["threats"]:
        word = "credible" if threat["credible"] else "not credible (costs its maker more)"
        rows.append((f"threat {threat['id']} ({word}, p={threat['credibility']:.2f})",
                     f"threat {threat['id']}" + ("" if threat["credible"] else " (not credible)"),
                     [_money(threat['value'][p]) for p in parties]))  # fmt: skip
    for name in ("nash", "kalai_smorodinsky"):
        sol = a.get(name)
        if sol:
            rows.append(
                (f"{name} deal", f"{name} deal", [_money(sol["utilities"][p]) for p in parties])
            )
    if len(parties) <= 3:  # one column per party
        t.add_column("")
        for p in parties:
            t.add_column(p, justify="right")
        for label, _, cells in rows:
            t.add_row(label, *cells)
    else:  # one row per party: a dozen columns would not fit a terminal
        t.add_column("party")
        for _, short, _ in rows:
            t.add_column(short, justify="right")
        for k, p in enumerate(parties):
            t.add_row(p, *(cells[k] for _, _, cells in rows))
    console.print(t)
    every = "both" if len(parties) == 2 else "every"
    console.print(f"Zone of agreement: {a['zopa_size']} of {a['n_outcomes']} deals are in {every} "
                  "win-set" + ("s." if every == "both" else "."), highlight=False)  # fmt: skip
    for cap in a.get("caps", []):
        console.print(f"Cap: {cap['party']} cannot ratify {cap['issue']} beyond "
                      f"{cap['max_option']} ({', '.join(cap['removed_options'])}: "
                      f"{cap['removed_outcomes']} deals removed from its win-set)",
                      highlight=False)  # fmt: skip
    for name in ("nash", "kalai_smorodinsky"):
        sol = a.get(name)
        if sol:
            labels = ", ".join(f"{k}={v}" for k, v in sol["labels"].items())
            console.print(f"  {name}: {labels}", highlight=False)
    if "session" in summary:
        s = summary["session"]
        plays = ", ".join(f"{p} {s['strategies'][p]}" for p in parties)
        line = f"One session ({plays}): "
        if s["agreement"]:
            labels = ", ".join(f"{k}={v}" for k, v in s["agreement"].items())
            line += f"agreed in round {s['rounds']}: {labels}"
        else:
            line += s["status"]
        if s["threats_carried_out"]:
            line += f"; threats carried out: {', '.join(s['threats_carried_out'])}"
        console.print(line, highlight=False)
    if "sweep" in summary:
        w = summary["sweep"]
        console.print(f"Uncertainty sweep: {w['sessions']} sessions, agreement in "
                      f"{w['agreement_rate']:.0%}; threats carried out: "
                      + (", ".join(f"{k} {v:.0%}" for k, v in w["threat_carried_out"].items())
                         or "none"), highlight=False)  # fmt: skip
        if "calendar" in summary:
            console.print(escape(_calendar_line(summary["calendar"])), highlight=False)
        if summary.get("strategies", {}).get("spread"):
            console.print(escape(_spread_line(summary["strategies"]["spread"])), highlight=False)
        o = Table(title="Where each issue settles (share of sessions)", title_justify="left")
        o.add_column("issue")
        o.add_column("options")
        for issue, shares in w["options"].items():
            o.add_row(issue, "  ".join(f"{k} {v:.0%}" for k, v in shares.items()))
        console.print(o)
    console.print(f"Saved as run [bold]{run_id}[/]: tradetalks runs show {run_id}")


def _money(value: float) -> str:
    """Three significant figures at least: +10,812 million USD or +0.0225 of a unit."""
    # at most 3 decimals: a change below 0.0005 of a unit is solver noise, shown as 0
    digits = min(3, max(0, 2 - int(np.floor(np.log10(abs(value)))))) if value else 1
    text = f"{value:+,.{digits}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def _spread_line(spread: Mapping[str, Any]) -> str:
    """For each party, the forecast that moves most with the strategy it plays."""
    parts = []
    for party, s in spread.items():
        key = max(s["range"], key=s["range"].__getitem__)
        values = {name: v[key] for name, v in s["by_strategy"].items()}
        low, high = min(values, key=values.__getitem__), max(values, key=values.__getitem__)
        what = key.removeprefix("issue:").removeprefix("threat:")
        parts.append(f"{party}: {what} {values[low]:.0%} ({low}) to {values[high]:.0%} ({high})")
    return "Most strategy-dependent forecast, by the strategy each party plays: " + "; ".join(parts)


def _calendar_line(calendar: Mapping[str, Any]) -> str:
    """Agreement by date and each threat's fate, in one line."""
    parts = []
    by = calendar.get("agreed_by")
    if by:
        dates = list(by)
        picks = dict.fromkeys([dates[len(dates) // 2 - 1], dates[-1]] if len(dates) > 1 else dates)
        parts.append("agreed by " + ", ".join(f"{d} {by[d]:.0%}" for d in picks))
    for sid, m in calendar["stages"].get("summits", {}).items():
        when = f" ({m['date']})" if m["date"] else ""
        parts.append(f"summit {sid}{when}: agreed {m['agreed']:.0%}, failed {m['failed']:.0%} "
                     f"(then agreed in the talks {m['agreed_after']:.0%})")  # fmt: skip
    for tid, t in calendar["stages"]["threats"].items():
        when = f" on {t['due']}" if t["due"] else ""
        parts.append(f"{tid} carried out{when}: {t['without_deal']:.0%} with no deal, "
                     f"{t['after_agreement']:.0%} after an agreement")  # fmt: skip
    return "By date and stage: " + "; ".join(parts)


def _headline(summary: Mapping[str, Any]) -> str:
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


def _job(
    kind: str,
    scenario: str,
    *,
    n_sessions: int,
    batch_size: int,
    seed: int,
    strategy: list[str] | None,
    store_path: Path | None,
    resume: bool,
    workers: int | None,
    json: bool,
    session: bool,
    dask: str | None = None,
    scheduler: str | None = None,
) -> tuple[str, dict[str, Any], Path]:
    if n_sessions < 0 or batch_size < 1:
        raise InputError("--sessions must be >= 0 and --batch-size >= 1")
    with RunStore(store_path) as store, _cluster(dask, scheduler, workers) as client:
        setup, text, timing = _prepare(scenario, store, workers)
        strategies = _strategies(setup, strategy)
        # Without --strategy the sweep draws every party's play from the population.
        population = None if strategies else population_of(setup.scenario.population)
        settings = {"sessions": n_sessions, "batch_size": batch_size, "strategies": strategies,
                    "population": list(population or ())}  # fmt: skip
        run_id = None
        if resume:
            run_id = store.find_resumable(kind=kind, scenario_text=text,
                                          data_version=setup.data_version, seed=seed,
                                          settings=settings)  # fmt: skip
            done = None if run_id is not None else store.find_resumable(
                kind=kind, scenario_text=text, data_version=setup.data_version, seed=seed,
                settings=settings, finished=True)  # fmt: skip
            if done is not None:  # resuming a finished run must not start a duplicate
                raise InputError(f"run {done} with these inputs is already finished: nothing "
                                 f"to resume (tradetalks runs show {done}); leave out --resume "
                                 "to start a new run")  # fmt: skip
            if run_id is None:
                err_console.print("nothing to resume: starting a new run")
        if run_id is None:
            run_id = store.start_run(kind=kind, scenario_id=setup.scenario.id,
                                     scenario_text=text, data_version=setup.data_version,
                                     seed=seed, settings=settings)  # fmt: skip
        state = solve_game(setup, scenario_parameters(setup))
        summary: dict[str, Any] = {**describe_scenario(setup),
                                   "objectives": objective_in_words(setup.scenario),
                                   "analysis": analysis_summary(setup, state)}  # fmt: skip
        tables = {"outcomes": outcome_table(setup, state)}
        deal = summary["analysis"]["nash"]["outcome"] if summary["analysis"]["nash"] else None
        if session:
            traced, one = run_single(setup, state, strategies=strategies, seed=seed)
            summary["session"] = session_summary(setup, one)
            tables["trace"] = trace_table(setup, traced)
            deal = summary["session"]["outcome"] if summary["session"]["outcome"] is not None \
                else deal  # fmt: skip
        tables.update(impact_tables(setup, deal))
        store.save_batch(run_id, 0, tables)
        if n_sessions:
            try:
                seconds = _run_sweep(store, run_id, setup, n_sessions, batch_size, seed,
                                     strategies, _workers(workers), client,
                                     population)  # fmt: skip
            except KeyboardInterrupt:
                store.mark_interrupted(run_id)
                saved = len(store.finished_batches(run_id)) - 1
                err_console.print(f"interrupted: {saved} batch(es) of run {run_id} are saved; "
                                  f"carry on with the same command and --resume")  # fmt: skip
                raise
            sessions = store.get_run(run_id, tables=["sessions"]).tables["sessions"]
            summary["sweep"] = sweep_summary(setup, sessions)
            parties = [p.code for p in setup.scenario.parties]
            summary["calendar"] = calendar_summary(setup, sessions)
            summary["strategies"] = {"population": list(population or ()),
                                     "spread": strategy_spread(parties, sessions)}  # fmt: skip
            summary["sweep"]["sessions_per_second"] = round(n_sessions / max(seconds, 1e-9), 1)
            timing["sweep_s"] = round(seconds, 3)
        summary["timing"] = timing
        summary["headline"] = _headline(summary)
        store.finish_run(run_id, summary)
        path = store.path
    # What loading translated (an older file's stakes), once the job has succeeded.
    for line in notices(setup.scenario):
        err_console.print(f"note: {escape(line)}", highlight=False)
    if json:
        print_json({"run_id": run_id, **summary})
    else:
        _print_summary(setup, summary, run_id)
    return run_id, summary, path


def _report(run_id: str, store_path: Path, output: Path | None) -> None:
    from tradetalks.report import default_report_path, write_report

    with RunStore(store_path) as store:
        record = store.get_run(run_id)
    written = write_report(record, output or default_report_path(run_id))
    console.print(f"Report: {written.path}")


def run(
    scenario: ScenarioArg,
    sessions: Annotated[
        int, typer.Option("--sessions", "-n", help="Sessions in the sweep.")
    ] = 1000,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Sessions per saved batch.")
    ] = 250,
    seed: SeedOpt = 0,
    strategy: StrategyOpt = None,
    store: StoreOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="Carry on an interrupted run.")] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", "-o", help="HTML report file (default: report-RUN.html)."),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Do not write a report.")] = False,
    workers: WorkersOpt = None,
    json: JsonOpt = False,
    dask: DaskOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """The main job: analysis, one session of talks, an uncertainty sweep, a saved run, a report."""
    run_id, _, path = _job("run", scenario, n_sessions=sessions, batch_size=batch_size, seed=seed,
                           strategy=strategy, store_path=store, resume=resume, workers=workers,
                           json=json, session=True, dask=dask,
                           scheduler=scheduler)  # fmt: skip
    if not no_report:
        _report(run_id, path, report)


def analyze(
    scenario: ScenarioArg, store: StoreOpt = None, workers: WorkersOpt = None, json: JsonOpt = False
) -> None:
    """Win-sets, zone of agreement, Pareto frontier, Nash and Kalai–Smorodinsky deals."""
    _job("analyze", scenario, n_sessions=0, batch_size=1, seed=0, strategy=None, store_path=store,
         resume=False, workers=workers, json=json, session=False)  # fmt: skip


def negotiate(
    scenario: ScenarioArg,
    strategy: StrategyOpt = None,
    seed: SeedOpt = 0,
    store: StoreOpt = None,
    workers: WorkersOpt = None,
    json: JsonOpt = False,
) -> None:
    """One session of talks at the scenario's parameters, with its trace."""
    run_id, _, path = _job("negotiate", scenario, n_sessions=0, batch_size=1, seed=seed,
                           strategy=strategy, store_path=store, resume=False, workers=workers,
                           json=json, session=True)  # fmt: skip
    if not json:
        with RunStore(path) as s:
            trace = s.get_run(run_id, tables=["trace"]).tables.get("trace")
        if trace is not None and len(trace):
            utilities = [c for c in trace.columns if str(c).startswith("u:")]
            if len(utilities) > 3:  # one column per party would not fit: the mover's utility
                mover = [row.get(f"u:{row['party']}", np.nan) for _, row in trace.iterrows()]
                trace = trace.drop(columns=utilities).assign(**{"u (mover)": mover})
            t = Table(title="Trace", title_justify="left")
            for column in trace.columns:
                t.add_column(str(column), justify="right")
            for row in trace.itertuples(index=False):
                t.add_row(*(f"{v:+.3f}" if isinstance(v, float) else str(v) for v in row))
            console.print(t)


def sweep(
    scenario: ScenarioArg,
    sessions: Annotated[int, typer.Option("--sessions", "-n", help="Sessions.")] = 10000,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Sessions per saved batch.")
    ] = 500,
    seed: SeedOpt = 0,
    strategy: StrategyOpt = None,
    store: StoreOpt = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Carry on an interrupted sweep.")
    ] = False,
    workers: WorkersOpt = None,
    json: JsonOpt = False,
    dask: DaskOpt = None,
    scheduler: SchedulerOpt = None,
) -> None:
    """Many sessions under the scenario's uncertainty ranges, saved batch by batch."""
    _job("sweep", scenario, n_sessions=sessions, batch_size=batch_size, seed=seed,
         strategy=strategy, store_path=store, resume=resume, workers=workers, json=json,
         session=False, dask=dask, scheduler=scheduler)  # fmt: skip
