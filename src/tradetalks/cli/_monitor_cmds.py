"""Commands of the monitor layer: ``tradetalks monitor GOALS``.

``tradetalks.monitor`` (scipy, matplotlib, DuckDB) is imported inside the command, so that
other commands do not pay for it at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

import tradetalks
from tradetalks._errors import MonitorError, Problem
from tradetalks.cli._common import console, print_json, progress

if TYPE_CHECKING:
    from tradetalks.monitor import Assessment, Monitoring, Verdict

_STYLE = {
    "met": "bold green",
    "partly met": "yellow",
    "not met": "bold red",
    "not enough data": "dim",
}
# listed from the package folder, so that --help does not import the monitor layer
_EXAMPLES = sorted(
    p.stem.replace("_", "-")
    for p in (Path(tradetalks.__file__).parent / "monitor" / "examples").glob("*.toml")
)


def _verdict(v: Verdict) -> str:
    return f"[{_STYLE[v.value]}]{v.value}[/]"


def _run(goals: str, data: Path | None, allowed: list[Path]) -> tuple[Monitoring, Assessment]:
    from tradetalks.monitor import Assessment, assess_goal, combine_verdicts, indicator_series
    from tradetalks.monitor._assess import decide_triggers, with_counterfactual_files
    from tradetalks.monitor._load import load_goals, resolve_goals

    path = resolve_goals(goals)
    monitoring = load_goals(path, allowed=allowed)
    judged = []
    with progress() as bar:
        task = bar.add_task("judging goals", total=len(monitoring.goals))
        for listed in monitoring.goals:
            goal = with_counterfactual_files(listed, path.parent)
            series = indicator_series(goal, data=data, base_dir=path.parent)
            judged.append(assess_goal(goal, series))
            bar.advance(task)
    triggers = decide_triggers(monitoring, {g.goal.id: g.series for g in judged}, path.parent)
    verdict = combine_verdicts([g.verdict for g in judged], monitoring.rule)
    return monitoring, Assessment(
        monitoring.title, verdict, monitoring.rule, tuple(judged), triggers
    )


def _show(result: Assessment) -> None:
    table = Table(title=escape(result.title) or "Monitoring", show_lines=True)
    table.add_column("goal", style="bold")
    table.add_column("criterion")
    table.add_column("verdict")
    table.add_column("evidence", overflow="fold")
    for g in result.goals:
        table.add_row(
            escape(g.goal.id),
            f"[b]goal ({g.goal.rule})[/]",
            _verdict(g.verdict),
            escape("; ".join(g.notes) or g.goal.title),
        )
        for c in g.criteria:
            table.add_row("", c.kind, _verdict(c.verdict), escape(c.evidence))
    console.print(table)
    console.print(f"overall ({result.rule}): {_verdict(result.verdict)}")
    for d in result.triggers.decisions:
        mark = {
            "active": "[bold red]ACTIVE[/]",
            "inactive": "[green]inactive[/]",
            "undecided": "[dim]undecided[/]",
        }[d.status]
        console.print(
            f"trigger {d.trigger.threat} ({d.trigger.deadline}): {mark} — {d.reason}",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""

    @app.command("monitor")
    def monitor(
        goals: Annotated[
            str,
            typer.Argument(
                help="Goals TOML file (or a scenario with a \\[monitoring] table), "
                "or a bundled example: " + ", ".join(_EXAMPLES),
                show_default=False,
            ),
        ],
        data: Annotated[
            Path | None,
            typer.Option(
                "--data",
                help="CSV/Parquet with period/date and value columns, "
                'for goals whose indicator is kind = "file" with no path.',
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the verdicts as JSON instead of a table.")
        ] = False,
        plots: Annotated[
            Path | None,
            typer.Option("--plots", help="Write one PNG per goal indicator into this directory."),
        ] = None,
        follow_up: Annotated[
            Path | None,
            typer.Option(
                "--follow-up",
                help="Write the follow-up scenario (TOML) with the triggered threats active; "
                "the goals must name their scenario (scenario = ...) or sit in one.",
            ),
        ] = None,
        allow_dir: Annotated[
            list[Path] | None,
            typer.Option(
                "--allow-dir",
                help="A folder the goals' files may also be read from (besides the goals "
                "file's own folder); repeatable.",
            ),
        ] = None,
    ) -> None:
        """Judge an agreement's goals on data: verdicts per criterion, goal and overall."""
        from tradetalks._inputs import output_folder
        from tradetalks.monitor import plot_assessment, write_follow_up

        if plots is not None:  # before the work: fail fast on a bad destination
            output_folder(plots, field="--plots", error=MonitorError)
        monitoring, result = _run(goals, data, allow_dir or [])
        written = plot_assessment(result.goals, plots) if plots is not None else []
        scenario_out = None
        if follow_up is not None:
            if monitoring.scenario is None:
                raise MonitorError(
                    "no scenario to follow up",
                    [Problem(goals, "scenario", 'set scenario = "<name or file>" in the goals')],
                )
            scenario_out = write_follow_up(
                monitoring.scenario, result.triggers, follow_up, title=monitoring.title
            )
        if as_json:
            out = result.to_dict()
            out["plots"] = [str(p) for p in written]
            out["follow_up"] = None if scenario_out is None else str(scenario_out)
            print_json(out)
            return
        _show(result)
        for p in written:
            console.print(f"plot: {p}", highlight=False)
        if scenario_out is not None:
            console.print(f"follow-up scenario: {scenario_out}", highlight=False)
