"""The main job: run, analyze, negotiate and sweep a scenario, saving every run.

``tradetalks run SCENARIO`` = analysis at the scenario's parameters + one traced session +
an uncertainty sweep, saved to the run store, summarised on screen, with an HTML report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tradetalks._errors import InputError
from tradetalks.cli._common import console, err_console, print_json, progress
from tradetalks.pipeline import JobResult, JobSpec, run_job
from tradetalks.report import calendar_in_words
from tradetalks.report._derive import fmt_money

if TYPE_CHECKING:
    from tradetalks.game import GameSetup

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
BalanceOpt = Annotated[
    float | None,
    typer.Option(
        "--balance-weight",
        min=0.0,
        help="Multiply every stake in a trade balance by this (default: as the scenario "
        "writes; 0: balances not weighed, the setting every fold of `tradetalks casebook "
        "--cv` chose).",
    ),
]
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


def register(app: typer.Typer) -> None:
    """Add the main-job commands to ``app``."""
    app.command("run")(run)
    app.command("analyze")(analyze)
    app.command("negotiate")(negotiate)
    app.command("sweep")(sweep)


def _print_summary(setup: GameSetup, summary: Mapping[str, Any], run_id: str) -> None:
    parties = [p.code for p in setup.scenario.parties]
    a = summary["analysis"]
    unit = ("million USD of the data year" if setup.scenario.stake_unit
            else "units of each indicator's largest change")  # fmt: skip
    if "balance_weight" in summary:
        unit += f"; trade-balance stakes × {summary['balance_weight']:g}"
    t = Table(title=f"{escape(setup.scenario.title)} — the two-level game (government "
              f"objectives, {unit}, weighted)", title_justify="left")  # fmt: skip
    # (row label, short label for a column, one cell per party)
    rows: list[tuple[str, str, list[str]]] = [
        ("value of no deal", "no deal", [fmt_money(a["no_deal"][p]) for p in parties]),
        ("deals it can ratify (win-set)", "win-set",
         [str(a["win_set_sizes"][p]) for p in parties]),
    ]  # fmt: skip
    if "no_deal_without_outside" in a:  # outside options (game/_outside.py)
        rows.append(("value of no deal without outside options", "no deal w/o outside",
                     [fmt_money(a["no_deal_without_outside"][p]) for p in parties]))  # fmt: skip
        rows.append(("win-set without outside options", "win-set w/o outside",
                     [str(a["win_set_sizes_without_outside"][p]) for p in parties]))  # fmt: skip
        for o in a["outside_options"]:
            rows.append((f"outside option {o['id']} (p={o['chance']:.2f}, {o['scope']})",
                         f"outside {o['id']}",
                         [fmt_money(o["value"][p]) for p in parties]))  # fmt: skip
    for threat in a["threats"]:
        word = "credible" if threat["credible"] else "not credible (costs its maker more)"
        rows.append((f"threat {threat['id']} ({word}, p={threat['credibility']:.2f})",
                     f"threat {threat['id']}" + ("" if threat["credible"] else " (not credible)"),
                     [fmt_money(threat['value'][p]) for p in parties]))  # fmt: skip
    for name in ("nash", "kalai_smorodinsky"):
        sol = a.get(name)
        if sol:
            rows.append(
                (f"{name} deal", f"{name} deal", [fmt_money(sol["utilities"][p]) for p in parties])
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
        if line := calendar_in_words(summary.get("calendar", {})):
            console.print(escape(line), highlight=False)
        if summary.get("strategies", {}).get("spread"):
            console.print(escape(_spread_line(summary["strategies"]["spread"])), highlight=False)
        o = Table(title="Where each issue settles (share of sessions)", title_justify="left")
        o.add_column("issue")
        o.add_column("options")
        for issue, shares in w["options"].items():
            o.add_row(issue, "  ".join(f"{k} {v:.0%}" for k, v in shares.items()))
        console.print(o)
    console.print(f"Saved as run [bold]{run_id}[/]: tradetalks runs show {run_id}")


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


@contextmanager
def _bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar for :func:`run_job` (a spinner when ``total`` is ``None``)."""
    with progress() as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


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
    report: bool = False,
    report_path: Path | None = None,
    dask: str | None = None,
    scheduler: str | None = None,
    balance_weight: float | None = None,
) -> JobResult:
    from tradetalks.scenario import notices
    from tradetalks.store import RunStore

    spec = JobSpec(kind, scenario, n_sessions=n_sessions, batch_size=batch_size, seed=seed,
                   strategies=tuple(strategy or ()), session=session, resume=resume,
                   workers=workers, report=report, report_path=report_path,
                   balance_weight=balance_weight)  # fmt: skip
    with RunStore(store_path) as store, _cluster(dask, scheduler, workers) as client:
        done = run_job(spec, store, progress=_bar, client=client,
                       notify=lambda line: err_console.print(escape(line)))  # fmt: skip
    # What loading translated (an older file's stakes), once the job has succeeded.
    for line in notices(done.setup.scenario):
        err_console.print(f"note: {escape(line)}", highlight=False)
    if json:
        print_json({"run_id": done.run_id, **done.summary})
    else:
        _print_summary(done.setup, done.summary, done.run_id)
    if done.report is not None:
        console.print(f"Report: {done.report.path}")
    return done


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
    balance_weight: BalanceOpt = None,
) -> None:
    """The main job: analysis, one session of talks, an uncertainty sweep, a saved run, a report."""
    _job("run", scenario, n_sessions=sessions, batch_size=batch_size, seed=seed,
         strategy=strategy, store_path=store, resume=resume, workers=workers, json=json,
         session=True, report=not no_report, report_path=report, dask=dask,
         scheduler=scheduler, balance_weight=balance_weight)  # fmt: skip


def analyze(
    scenario: ScenarioArg,
    store: StoreOpt = None,
    workers: WorkersOpt = None,
    json: JsonOpt = False,
    balance_weight: BalanceOpt = None,
) -> None:
    """Win-sets, zone of agreement, Pareto frontier, Nash and Kalai–Smorodinsky deals."""
    _job("analyze", scenario, n_sessions=0, batch_size=1, seed=0, strategy=None, store_path=store,
         resume=False, workers=workers, json=json, session=False,
         balance_weight=balance_weight)  # fmt: skip


def negotiate(
    scenario: ScenarioArg,
    strategy: StrategyOpt = None,
    seed: SeedOpt = 0,
    store: StoreOpt = None,
    workers: WorkersOpt = None,
    json: JsonOpt = False,
    balance_weight: BalanceOpt = None,
) -> None:
    """One session of talks at the scenario's parameters, with its trace."""
    done = _job("negotiate", scenario, n_sessions=0, batch_size=1, seed=seed, strategy=strategy,
                store_path=store, resume=False, workers=workers, json=json,
                session=True, balance_weight=balance_weight)  # fmt: skip
    if not json:
        from tradetalks.store import RunStore

        with RunStore(done.store_path) as s:
            trace = s.get_run(done.run_id, tables=["trace"]).tables.get("trace")
        if trace is not None and len(trace):
            utilities = [c for c in trace.columns if str(c).startswith("u:")]
            if len(utilities) > 3:  # one column per party would not fit: the mover's utility
                mover = [row.get(f"u:{row['party']}", math.nan) for _, row in trace.iterrows()]
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
    balance_weight: BalanceOpt = None,
) -> None:
    """Many sessions under the scenario's uncertainty ranges, saved batch by batch."""
    _job("sweep", scenario, n_sessions=sessions, batch_size=batch_size, seed=seed,
         strategy=strategy, store_path=store, resume=resume, workers=workers, json=json,
         session=False, dask=dask, scheduler=scheduler,
         balance_weight=balance_weight)  # fmt: skip
