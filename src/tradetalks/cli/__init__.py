"""The ``tradetalks`` command line."""

from tradetalks.cli._app import app, main

__all__ = ["app", "main"]
