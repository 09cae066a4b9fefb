"""The root command: global options, error handling and the command groups of each layer."""

from __future__ import annotations

import sys
import warnings
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer import rich_utils
from typer.exceptions import TyperException

from tradetalks import __version__
from tradetalks._errors import TradetalksError
from tradetalks.cli import (
    _bargaining_cmds,
    _casebook_cmds,
    _economics_cmds,
    _forecast_cmds,
    _game_cmds,
    _gravity_cmds,
    _monitor_cmds,
    _report_cmds,
    _scenario_cmds,
    _store_cmds,
)
from tradetalks.cli._common import err_console

app = typer.Typer(
    name="tradetalks",
    help="Model trade negotiations: price offers with structural trade models, find ratifiable "
    "deals, run the talks, forecast and monitor agreements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
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


for _module in (
    _scenario_cmds,
    _game_cmds,
    _economics_cmds,
    _gravity_cmds,
    _bargaining_cmds,
    _forecast_cmds,
    _monitor_cmds,
    _store_cmds,
    _report_cmds,
    _casebook_cmds,
):
    _module.register(app)


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
