"""Structural trade models that price tariff and non-tariff changes. Pure numerics, no I/O."""

from tradetalks.economics._cp_batch import solve_batch
from tradetalks.economics._cp_calibrate import CPBaseline, calibrate, calibrate_shares
from tradetalks.economics._cp_elasticities import default_elasticities
from tradetalks.economics._cp_shock import (
    CPShock,
    ShockEntry,
    make_shock,
    parse_shock,
    tariff_array,
)
from tradetalks.economics._cp_solve import CPResult, CPState, solve

__all__ = [
    "CPBaseline",
    "CPResult",
    "CPShock",
    "CPState",
    "ShockEntry",
    "calibrate",
    "calibrate_shares",
    "default_elasticities",
    "make_shock",
    "parse_shock",
    "solve",
    "solve_batch",
    "tariff_array",
]
