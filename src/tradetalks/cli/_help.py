"""The root command's ``--help``, drawn with rich alone.

Typer's own help renderer imports rich's Markdown support and traceback machinery, about
0.2 s of CPU, to print the same panels. The root help is what a new user types first, so
it is drawn here with the same layout (usage, description, an Options and a Commands panel)
from rich's console, table and panel, which the command line loads anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text


def _panel(title: str, rows: Sequence[tuple[str, str]], first_style: str) -> Panel:
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(style=first_style, no_wrap=True)
    table.add_column(ratio=1)
    for name, text in rows:
        table.add_row(name, Text(text))
    return Panel(table, title=title, title_align="left", border_style="dim", box=box.ROUNDED)


def print_root_help(
    console: Console,
    usage: str,
    description: str,
    options: Sequence[tuple[str, str]],
    commands: Sequence[tuple[str, str]],
) -> None:
    """Print the usage line, the description and the Options and Commands panels."""
    console.print(Padding(Text(usage, style="bold"), 1))
    if description:
        console.print(Padding(Text(description), (0, 1, 1, 1)))
    if options:
        console.print(_panel("Options", options, "bold cyan"))
    if commands:
        console.print(_panel("Commands", commands, "bold cyan"))
