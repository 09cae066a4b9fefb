"""Commands for one-sector structural gravity: PPML, GE counterfactuals, partial equilibrium."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
