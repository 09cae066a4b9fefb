"""Commands for reports built from saved runs."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
