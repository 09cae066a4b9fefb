"""The main job: run, analyze, negotiate and sweep a scenario."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
