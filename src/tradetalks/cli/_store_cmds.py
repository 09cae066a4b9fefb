"""Commands for saved runs: ``tradetalks runs`` lists them, ``tradetalks runs show ID`` one."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from tradetalks.cli._common import console, print_json
from tradetalks.store import RunRecord, RunStore

runs_app = typer.Typer(
    help="Saved runs: list them (no subcommand), or show one.",
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
    table = Table(title=f"Runs in {escape(str(run_store.path))}", title_justify="left")
    table.add_column("id", no_wrap=True)
    # Run ids begin with their UTC creation time; a separate column only when there is room.
    wide = console.width >= 110
    if wide:
        table.add_column("created (UTC)", no_wrap=True)
    table.add_column("kind")
    table.add_column("scenario", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("batches", justify="right")
    table.add_column("sessions", justify="right")
    table.add_column("summary", overflow="fold")
    shown = runs.tail(limit)
    for r in shown.itertuples(index=False):
        status = _status(r.status, r.writer_alive)
        created = [r.created_utc.strftime("%Y-%m-%d %H:%M")] if wide else []
        table.add_row(
            r.run_id,
            *created,
            escape(r.kind),
            escape(r.scenario_id),
            f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]",
            str(r.n_batches),
            f"{r.n_sessions:,}",
            escape(r.headline),
        )
    console.print(table)
    if len(runs) > len(shown):
        console.print(f"({len(runs) - len(shown)} older runs not shown; use --limit)")


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None``, so ``--json`` prints standard JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _as_dict(record: RunRecord, store: RunStore) -> dict[str, Any]:
    info = record.info
    return {
        "run_id": info.run_id,
        "store": str(store.path),
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
        "settings": _finite(dict(record.settings)),
        "summary": _finite(dict(record.summary)) if record.summary is not None else None,
        "batches": list(record.batches),
        "table_rows": dict(record.table_rows),
        "scenario_text": record.scenario_text,
    }


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
    data = _as_dict(record, run_store)
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


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.add_typer(runs_app, name="runs")
