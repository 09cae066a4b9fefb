"""Run the command line in-process as a user would, and collect what it printed."""

import pytest

from tradetalks.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``tradetalks ARGS``."""
    try:
        main(args)
        code = 0
    except SystemExit as done:  # typer exits even on success
        code = int(done.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err
