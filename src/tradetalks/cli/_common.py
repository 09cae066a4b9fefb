"""What every command shares: the consoles, JSON output and progress bars."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console()
err_console = Console(stderr=True)


def print_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout, plain (no colour codes) so scripts can parse it."""
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def progress() -> Progress:
    """A progress bar for anything that may take over a second (on stderr, gone when done)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
