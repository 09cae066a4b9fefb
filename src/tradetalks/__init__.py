"""tradetalks: trade negotiations as two-level games, priced with structural trade models.

The public API is what this module exports; everything in an underscore module is private.
"""

from typing import Any

from tradetalks._errors import (
    BargainingError,
    ConvergenceError,
    DataError,
    ForecastError,
    InputError,
    MonitorError,
    Problem,
    ScenarioError,
    StoreError,
    TradetalksError,
)


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata on first use.

    Lazily, because ``importlib.metadata`` costs a large part of a short command's start.
    """
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("tradetalks")
    except PackageNotFoundError:  # running from a source tree that was never installed
        value = "0.0.0+unknown"
    globals()["__version__"] = value
    return value


__all__ = [
    "BargainingError",
    "ConvergenceError",
    "DataError",
    "ForecastError",
    "InputError",
    "MonitorError",
    "Problem",
    "ScenarioError",
    "StoreError",
    "TradetalksError",
    "__version__",
]
