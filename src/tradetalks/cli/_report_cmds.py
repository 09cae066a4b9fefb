"""Commands for reports built from saved runs: ``tradetalks report RUN_ID``.

``tradetalks.report`` (and through it pandas and the run store) is imported inside the
command so that ``tradetalks --help`` and other commands start fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tradetalks.cli._common import console


class _Format(StrEnum):
    html = "html"
    md = "md"


def report(
    run_id: Annotated[str, typer.Argument(help="A run id, or a unique prefix of one.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="The report file (default: report-<run id>.html, or .md, here). "
            "An existing file is replaced.",
            dir_okay=False,
        ),
    ] = None,
    fmt: Annotated[
        _Format | None,
        typer.Option(
            "--format",
            help="html: one self-contained page; md: Markdown with the plots as PNG files "
            "beside it. Default: md for an -o ending in .md, else html.",
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="The run store file (default: $TRADETALKS_STORE, else the user data directory).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Write the report of a saved run: the bargaining space, the talks, impacts, the sweep."""
    from tradetalks.report import default_report_path, write_report
    from tradetalks.report._write import check_destination, infer_format
    from tradetalks.store import RunStore

    kind = infer_format(output, fmt.value if fmt is not None else None)
    if output is not None:
        check_destination(output)  # before reading the run: fail fast on a bad path
    record = RunStore(store).get_run(run_id)
    target = output if output is not None else default_report_path(record.info.run_id, kind)
    written = write_report(record, target, kind)
    console.print(f"report written to {escape(str(written.path))}", highlight=False)
    if written.images:
        console.print(
            f"with {len(written.images)} plot(s) beside it: "
            + ", ".join(escape(p.name) for p in written.images),
            highlight=False,
        )
    for section in written.report.sections:
        for line in section.absent:
            console.print(f"[yellow]note:[/] {escape(line)}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.command("report")(report)
