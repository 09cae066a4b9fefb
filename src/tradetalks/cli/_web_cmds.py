"""``tradetalks serve``: the workbench page and its JSON API on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tradetalks._errors import InputError
from tradetalks.cli._common import console


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve)


def serve(
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; other machines reach it only if you widen it."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    workspace: Annotated[
        Path,
        typer.Option(help="Folder of scenario files the page may read and write (only there)."),
    ] = Path("."),
    store: Annotated[
        Path | None, typer.Option("--store", help="Run store file (default: user data dir).")
    ] = None,
    read_only: Annotated[
        bool,
        typer.Option("--read-only", help="Refuse every write: no saving, running or deleting."),
    ] = False,
) -> None:
    """Serve the workbench: scenario editor, analysis, runs, comparisons, monitoring."""
    import uvicorn

    from tradetalks.web import create_app

    if not workspace.is_dir():
        raise InputError(f"--workspace {workspace}: not a folder")
    app = create_app(workspace=workspace, store=store, read_only=read_only)
    mode = " (read-only)" if read_only else ""
    console.print(f"tradetalks workbench{mode}: http://{host}:{port}/  (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
