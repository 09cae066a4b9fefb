"""tradetalks: trade negotiations as two-level games, priced with structural trade models.

The public API is what this module exports; everything in an underscore module is private.
"""

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("tradetalks")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

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
