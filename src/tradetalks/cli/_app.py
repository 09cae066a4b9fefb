"""The root command: global options, error handling and the command groups of each layer."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

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
    """Entry point: run the app; our own errors become one line per problem and an exit status."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="tradetalks")
    except TradetalksError as error:
        if "--debug" in args:
            raise
        for line in error.lines():
            err_console.print(
                f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True
            )
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
