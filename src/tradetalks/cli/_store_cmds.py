"""Saved runs: ``tradetalks runs`` lists them; ``runs show | export | compare | delete``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tradetalks._errors import InputError
from tradetalks.cli._common import console, print_json
from tradetalks.store import RunStore, compare_runs, comparison_json, export_run, record_json

runs_app = typer.Typer(
    help="Saved runs: list them (no subcommand), show, export, compare or delete them.",
    invoke_without_command=True,
    no_args_is_help=False,
)

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The run store file (default: $TRADETALKS_STORE, else the user data directory).",
        dir_okay=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

# A sweep writing batch by batch holds the file for a fraction of a second at a time; one
# holding it open (keep_open) will not let go soon, so do not keep the user waiting long.
_LOCK_WAIT_S = 5.0

_STATUS_STYLE = {
    "finished": "green",
    "running": "cyan",
    "interrupted": "yellow",
    "crashed": "bold red",
}


def _status(status: str, writer_alive: Any) -> str:
    # A run left 'running' by a process that no longer exists crashed or was killed.
    dead = writer_alive is not None and writer_alive is not pd.NA and not bool(writer_alive)
    return "crashed" if status == "running" and dead else status


@runs_app.callback()
def _list(
    ctx: typer.Context,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="Show at most this many of the newest runs.")
    ] = 50,
) -> None:
    """List saved runs, newest last."""
    if ctx.invoked_subcommand is not None:
        return
    run_store = RunStore(store, lock_timeout_s=_LOCK_WAIT_S)
    runs = run_store.list_runs()
    if as_json:
        # a missing value (a run without a seed) is JSON null, not NaN
        records = runs.astype(object).where(runs.notna(), None).to_dict(orient="records")
        for r in records:
            r["created_utc"] = r["created_utc"].isoformat()
            r["status"] = _status(r["status"], r["writer_alive"])
            alive = r["writer_alive"]
            r["writer_alive"] = None if alive is None or alive is pd.NA else bool(alive)
        print_json(records[-limit:])
        return
    if runs.empty:
        console.print(f"no runs saved in {escape(str(run_store.path))}", highlight=False)
        return
    # Ids never wrap: a scenario id longer than its column is cut with "…" on one line.
    # Under 110 columns the table loses its side borders, the creation time and batch
    # count, and each run's summary goes on a line of its own under the scenario.
    wide = console.width >= 110
    table = Table(
        title=f"Runs in {escape(str(run_store.path))}",
        title_justify="left",
        box=box.HEAVY_HEAD if wide else box.SIMPLE_HEAD,
        pad_edge=wide,
    )
    table.add_column("id", no_wrap=True, min_width=21)
    if wide:
        table.add_column("created (UTC)", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("scenario", no_wrap=wide, overflow="ellipsis" if wide else "fold",
                     max_width=28 if wide else 24)  # fmt: skip
    table.add_column("status", no_wrap=True)
    if wide:
        table.add_column("batches", justify="right", no_wrap=True)
    table.add_column("sessions", justify="right", no_wrap=True)
    if wide:
        table.add_column("summary", overflow="fold", min_width=12)
    shown = runs.tail(limit)
    for r in shown.itertuples(index=False):
        status = _status(r.status, r.writer_alive)
        styled = f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]"
        if wide:
            table.add_row(r.run_id, r.created_utc.strftime("%Y-%m-%d %H:%M"), escape(r.kind),
                          escape(r.scenario_id), styled, str(r.n_batches), f"{r.n_sessions:,}",
                          escape(r.headline))  # fmt: skip
            continue
        scenario = Text(r.scenario_id, no_wrap=True, overflow="ellipsis")
        table.add_row(r.run_id, escape(r.kind), scenario, styled, f"{r.n_sessions:,}")
        if r.headline:
            table.add_row("", "", f"[dim]{escape(r.headline)}[/]", "", "")
    console.print(table)
    if len(runs) > len(shown):
        console.print(f"({len(runs) - len(shown)} older runs not shown; use --limit)")


@runs_app.command("show")
def _show(
    run_id: Annotated[str, typer.Argument(help="A run id, or a unique prefix of one.")],
    store: StoreOpt = None,
    as_json: JsonOpt = False,
    scenario: Annotated[
        bool, typer.Option("--scenario", help="Also print the scenario text the run used.")
    ] = False,
) -> None:
    """Print one run: metadata, settings, summary and the size of its tables."""
    run_store = RunStore(store, lock_timeout_s=_LOCK_WAIT_S)
    record = run_store.get_run(run_id, tables=[])
    data = record_json(record, run_store.path)
    if as_json:
        print_json(data)
        return
    meta = Table(title=f"Run {record.info.run_id}", show_header=False, title_justify="left")
    meta.add_column("field", style="bold")
    meta.add_column("value", overflow="fold")
    for key in (
        "status",
        "kind",
        "scenario_id",
        "scenario_sha256",
        "data_version",
        "seed",
        "tradetalks_version",
        "created_utc",
        "finished_utc",
        "store",
    ):
        meta.add_row(key, escape(str(data[key])))
    n_batches = len(record.batches)
    span = f" (indices {record.batches[0]}..{record.batches[-1]})" if n_batches else ""
    meta.add_row("batches", f"{n_batches}{span}")
    console.print(meta)
    console.print("[bold]settings[/]")
    console.print(escape(json.dumps(data["settings"], indent=2, ensure_ascii=False)))
    console.print("[bold]summary[/]")
    console.print(
        escape(json.dumps(data["summary"], indent=2, ensure_ascii=False, default=str))
        if data["summary"] is not None
        else "(none yet: the run is not finished)"
    )
    sizes = Table(title="tables", title_justify="left")
    sizes.add_column("table")
    sizes.add_column("rows", justify="right")
    for name, rows in record.table_rows.items():
        sizes.add_row(escape(name), f"{rows:,}")
    console.print(sizes if record.table_rows else "tables: none saved")
    if scenario:
        console.print("[bold]scenario[/]")
        console.print(escape(record.scenario_text), highlight=False)


@runs_app.command("export")
def _export(
    run_id: Annotated[str, typer.Argument(help="A run id, or a unique prefix of one.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="csv, parquet or xlsx.", case_sensitive=False)
    ] = "csv",
    table: Annotated[
        str | None,
        typer.Option("--table", "-t", help="One table (sessions, outcomes, ...); default: all."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File (one table, or xlsx) or folder (all tables as csv/parquet). "
            "Default: RUN-TABLE.FMT, RUN.xlsx or the folder RUN-FMT.",
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Write a run's tables as CSV, Parquet or an Excel workbook."""
    record = RunStore(store, lock_timeout_s=_LOCK_WAIT_S).get_run(
        run_id, tables=None if table is None else [table]
    )
    written = export_run(record, fmt.lower(), output, table=table)
    for path in written:
        console.print(f"wrote {escape(str(path))}", highlight=False)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


@runs_app.command("compare")
def _compare(
    run_a: Annotated[str, typer.Argument(help="The first run (id or unique prefix).")],
    run_b: Annotated[str, typer.Argument(help="The second run.")],
    store: StoreOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Show unchanged results too, not only what changed.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Two runs side by side: inputs, scenario changes, results and table sizes."""
    run_store = RunStore(store, lock_timeout_s=_LOCK_WAIT_S)
    cmp = compare_runs(run_store.get_run(run_a, tables=[]), run_store.get_run(run_b, tables=[]))
    if as_json:
        print_json(comparison_json(cmp))
        return
    for title, diffs, always in (
        ("inputs", cmp.inputs, True),
        ("results", cmp.results, show_all),
        ("tables (rows)", cmp.tables, True),
    ):
        shown = [d for d in diffs if always or d.changed]
        t = Table(title=title, title_justify="left")
        t.add_column("field", overflow="fold")
        t.add_column(cmp.a, overflow="fold")
        t.add_column(cmp.b, overflow="fold")
        t.add_column("b - a", justify="right", no_wrap=True)
        for d in shown:
            mark = "[yellow]" if d.changed else ""
            end = "[/]" if d.changed else ""
            delta = "" if d.delta is None or not d.changed else f"{d.delta:+.4g}"
            t.add_row(f"{mark}{escape(d.field)}{end}", escape(_cell(d.a)), escape(_cell(d.b)),
                      delta)  # fmt: skip
        console.print(t if shown else f"{title}: no change")
    if cmp.scenario_diff:
        console.print("[bold]scenario changes[/]")
        console.print(escape("\n".join(cmp.scenario_diff)), highlight=False)
    else:
        console.print("scenario: same text")
    console.print(f"{len(cmp.changed)} field(s) differ", highlight=False)


@runs_app.command("delete")
def _delete(
    run_id: Annotated[str, typer.Argument(help="A run id, or a unique prefix of one.")],
    store: StoreOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Delete even a run a live process is writing.")
    ] = False,
) -> None:
    """Delete a run: its record, batches and rows in every table."""
    run_store = RunStore(store, lock_timeout_s=_LOCK_WAIT_S)
    full = run_store.resolve_run_id(run_id)
    if not yes:
        if sys.stdin is None or not sys.stdin.isatty():
            raise InputError(f"not deleting run {full} unasked: add --yes (no terminal to ask)")
        if not typer.confirm(f"Delete run {full} from {run_store.path}?", default=False):
            raise typer.Exit(1)
    run_store.delete_run(full, force=force)
    console.print(f"deleted run {full}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(runs_app, name="runs")
