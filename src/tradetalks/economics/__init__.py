"""Structural trade models that price tariff and non-tariff changes. Pure numerics, no I/O."""

from tradetalks.economics._cp_batch import pricing_executor, solve_batch
from tradetalks.economics._cp_calibrate import (
    CPBaseline,
    calibrate,
    calibrate_shares,
    with_elasticities,
)
from tradetalks.economics._cp_elasticities import default_elasticities
from tradetalks.economics._cp_shock import (
    CPShock,
    ShockEntry,
    make_shock,
    parse_shock,
    tariff_array,
)
from tradetalks.economics._cp_solve import CPResult, CPState, solve
from tradetalks.economics._gravity_ge import (
    GravityEconomy,
    GravityGEResult,
    GravitySolverInfo,
    fit_fixed_effects,
    solve_gravity_ge,
    trade_cost_factor,
)
from tradetalks.economics._pe import (
    PartialEquilibriumResult,
    TariffLine,
    smart_partial_equilibrium,
    tariff_line,
)
from tradetalks.economics._ppml import PPMLResult, estimate_ppml, fill_pair_costs, pair_matrices

__all__ = [
    "CPBaseline",
    "CPResult",
    "CPShock",
    "CPState",
    "GravityEconomy",
    "GravityGEResult",
    "GravitySolverInfo",
    "PPMLResult",
    "PartialEquilibriumResult",
    "ShockEntry",
    "TariffLine",
    "calibrate",
    "calibrate_shares",
    "default_elasticities",
    "estimate_ppml",
    "fill_pair_costs",
    "fit_fixed_effects",
    "make_shock",
    "pair_matrices",
    "parse_shock",
    "pricing_executor",
    "smart_partial_equilibrium",
    "solve",
    "solve_batch",
    "solve_gravity_ge",
    "tariff_array",
    "tariff_line",
    "trade_cost_factor",
    "with_elasticities",
]
