"""What every command shares: the consoles, JSON output and progress bars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

from tradetalks._inputs import json_text

if TYPE_CHECKING:
    from rich.progress import Progress


class _Console(Console):
    """A console on which text from inputs cannot break the output.

    Commands escape what users wrote (titles, ids, paths) with :func:`rich.markup.escape`;
    should one slip through, a string that is not valid markup (``[/]`` in a title) is shown
    as plain text instead of raising ``MarkupError`` after a run was already saved.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            return super().render_str(text, **{**kwargs, "markup": False})


console: Console = _Console()
err_console: Console = _Console(stderr=True)


def print_json(obj: Any) -> None:
    """Print ``obj`` as standard JSON on stdout, plain (no colour codes) so scripts can parse it.

    A NaN or infinity anywhere in ``obj`` is an error (JSON has no such numbers), raised
    before anything is printed.
    """
    print(json_text(obj))


def progress() -> Progress:
    """A progress bar for anything that may take over a second (on stderr, gone when done)."""
    # imported here: `--help` and `validate` draw no progress bar
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
