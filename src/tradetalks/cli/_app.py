"""The root command: global options, error handling and the command groups of each layer."""

from __future__ import annotations

import importlib
import sys
import warnings
from difflib import get_close_matches
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup
from typer.exceptions import TyperException

from tradetalks._errors import TradetalksError
from tradetalks.cli._common import err_console

if TYPE_CHECKING:  # Typer vendors click; only its types are needed here
    from typer import _click as click

#: Command (or group) → (module under ``tradetalks.cli`` that registers it, first paragraph
#: of its help). A module is imported only when one of its commands runs or shows its own
#: help, so ``tradetalks --help`` and ``tradetalks validate`` do not load numpy, pandas or
#: the models. A test checks this table against the modules.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "scenarios": ("_scenario_cmds", "List the built-in scenarios."),
    "show": (
        "_scenario_cmds",
        "Show a scenario: parties, constituencies, issues, threats, every number with its source.",
    ),
    "validate": (
        "_scenario_cmds",
        "Check scenario files; print every problem, one per line, and exit 2 if any.",
    ),
    "init": ("_scenario_cmds", "Write a commented template scenario to start from."),
    "run": (
        "_game_cmds",
        "The main job: analysis, one session of talks, an uncertainty sweep, a saved run, "
        "a report.",
    ),
    "analyze": (
        "_game_cmds",
        "Win-sets, zone of agreement, Pareto frontier, Nash and Kalai–Smorodinsky deals.",
    ),
    "negotiate": (
        "_game_cmds",
        "One session of talks at the scenario's parameters, with its trace.",
    ),
    "sweep": (
        "_game_cmds",
        "Many sessions under the scenario's uncertainty ranges, saved batch by batch.",
    ),
    "price": (
        "_economics_cmds",
        "Price tariff / NTB changes with the Caliendo–Parro (2015) model on WIOD.",
    ),
    "pe": (
        "_gravity_cmds",
        "Partial equilibrium of a tariff cut on one line (SMART): creation, diversion, surplus.",
    ),
    "bargain": (
        "_bargaining_cmds",
        "Run bargaining sessions on a GENIUS domain: the trace of one, or a batch summary.",
    ),
    "frontier": (
        "_bargaining_cmds",
        "Print (and plot) the Pareto frontier, Nash, Kalai–Smorodinsky and other solution points.",
    ),
    "monitor": (
        "_monitor_cmds",
        "Judge an agreement's goals on data: verdicts per criterion, goal and overall.",
    ),
    "report": (
        "_report_cmds",
        "Write the report of a saved run: the bargaining space, the talks, impacts, the sweep.",
    ),
    "gravity": (
        "_gravity_cmds",
        "Structural gravity: PPML estimation and general-equilibrium counterfactuals.",
    ),
    "forecast": (
        "_forecast_cmds",
        "Forecast negotiated outcomes with spatial bargaining models, scored on real "
        "decisions. `tradetalks forecast SCENARIO` forecasts a trade scenario beside its "
        "simulated talks.",
    ),
    "runs": (
        "_store_cmds",
        "Saved runs: list them (no subcommand), show, export, compare or delete them.",
    ),
    "casebook": (
        "_casebook_cmds",
        "Run every episode and score the program against the record, the naive rule and "
        "base rates.",
    ),
    "serve": (
        "_web_cmds",
        "Serve the workbench: scenario editor, analysis, runs, comparisons, monitoring.",
    ),
}


class LazyGroup(TyperGroup):
    """The root group: commands of :data:`LAZY_COMMANDS` are loaded on first use.

    While the root's own help is written, a command not yet loaded is listed from the table
    (a stand-in with its help line); running it, or asking for its help, loads its module.
    """

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Loaded commands, then the lazy ones not yet loaded, in the table's order."""
        loaded = super().list_commands(ctx)
        return [*loaded, *(name for name in LAZY_COMMANDS if name not in loaded)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module unless only the root's help is being written."""
        if cmd_name in self.commands or cmd_name not in LAZY_COMMANDS:
            return self.commands.get(cmd_name)
        module, summary = LAZY_COMMANDS[cmd_name]
        if self._listing:
            return TyperCommand(cmd_name, help=summary)
        load_commands(self, module)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The root's help, listing lazy commands without importing them (see ``_help``)."""
        from rich.console import Console

        from tradetalks.cli._help import print_root_help

        self._listing = True
        try:
            options = [
                (", ".join(p.opts), getattr(p, "help", None) or "")
                for p in self.get_params(ctx)
                if not getattr(p, "hidden", False)
            ]
            commands = []
            for name in self.list_commands(ctx):
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    commands.append((name, (command.help or "").split("\n\n")[0].strip()))
        finally:
            self._listing = False
        print_root_help(Console(), self.get_usage(ctx).strip(), (self.help or "").strip(),
                        options, commands)  # fmt: skip

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As Typer's, with suggestions for typos drawn from every command, loaded or not."""
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:  # click's UsageError, vendored or not
            message = getattr(error, "message", None)
            matches = get_close_matches(args[0], self.list_commands(ctx)) if args else []
            if isinstance(message, str) and matches and "Did you mean" not in message:
                names = ", ".join(repr(m) for m in matches)
                error.message = f"{message.rstrip('.')}. Did you mean {names}?"  # type: ignore[attr-defined]
            raise


def load_commands(group: TyperGroup, module: str) -> None:
    """Import ``tradetalks.cli.<module>`` and add the commands it registers to ``group``."""
    register = importlib.import_module(f"tradetalks.cli.{module}").register
    holder = typer.Typer()
    register(holder)
    for name, command in typer.main.get_group(holder).commands.items():
        group.add_command(command, name)


app = typer.Typer(
    name="tradetalks",
    cls=LazyGroup,
    help="Model trade negotiations: price offers with structural trade models, find ratifiable "
    "deals, run the talks, forecast and monitor agreements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        from tradetalks import __version__

        typer.echo(f"tradetalks {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback when something goes wrong.")
    ] = False,
) -> None:
    """Global options; ``--debug`` is read by :func:`main`, which owns error handling."""


# Commands that are not in LAZY_COMMANDS are registered here, eagerly:
# for _module in (...): _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; our own errors become one line per problem and an exit status.

    Numerical warnings (numpy's RuntimeWarning) are held back while the command runs: when
    it fails, its one ``error:`` line says what went wrong and the warnings are noise; when
    it succeeds they are printed after the result, once each.
    """
    args = sys.argv[1:] if argv is None else argv
    with warnings.catch_warnings(record=True) as held:
        warnings.simplefilter("always", RuntimeWarning)
        code = _run(args)
    _replay(held, failed=code != 0)
    sys.exit(code)


def _run(args: list[str]) -> int:
    try:
        result = app(args=args, prog_name="tradetalks", standalone_mode=False)
    except TradetalksError as error:
        if "--debug" in args:
            raise
        for line in error.lines():
            err_console.print(
                f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
            )
        return error.exit_code
    except typer.BadParameter as error:
        # a missing argument (typer keeps its class private): the usage box says how to call
        if type(error).__name__ == "MissingParameter":
            from typer import rich_utils  # Markdown machinery: only when an error needs it

            rich_utils.rich_format_error(error)
            return error.exit_code
        # a bad option value (an unreadable file, a negative seed): one line, like our errors
        err_console.print(
            f"[bold red]error:[/] {escape(error.format_message())}",
            highlight=False,
            soft_wrap=True,
        )
        return error.exit_code
    except TyperException as error:
        # typer's usage errors (unknown command, missing argument): its own box, as before
        from typer import rich_utils

        shown: Any = error  # rich_format_error is typed with typer's private ClickException
        rich_utils.rich_format_error(shown)
        return int(shown.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("interrupted")
        return 130
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def _replay(held: list[warnings.WarningMessage], *, failed: bool) -> None:
    seen: set[str] = set()
    for w in held:
        if not issubclass(w.category, RuntimeWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif not failed and str(w.message) not in seen:
            seen.add(str(w.message))
            err_console.print(
                f"[yellow]warning:[/] {escape(str(w.message))}", highlight=False, soft_wrap=True
            )
