"""Structural trade models that price tariff and non-tariff changes. Pure numerics, no I/O."""

from tradetalks.economics._cp_batch import pricing_executor, solve_batch
from tradetalks.economics._cp_calibrate import (
    CPBaseline,
    calibrate,
    calibrate_shares,
    table_elasticities,
    with_elasticities,
)
from tradetalks.economics._cp_elasticities import default_elasticities
from tradetalks.economics._cp_shock import (
    EXPORTER_RENT_KINDS,
    SHOCK_KINDS,
    CPShock,
    Rents,
    ShockEntry,
    make_shock,
    parse_shock,
    tariff_array,
)
from tradetalks.economics._cp_solve import CPResult, CPState, solve
from tradetalks.economics._cp_tables import (
    CPDecomposition,
    calibrate_cp2015,
    column_shock,
    cp_decomposition,
    equilibrium_baseline,
)
from tradetalks.economics._cp_targets import (
    TARGET_KINDS,
    Target,
    TargetOutcome,
    TargetSolution,
    is_target_text,
    parse_target,
    solve_targets,
    solve_targets_batch,
)
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
    "EXPORTER_RENT_KINDS",
    "SHOCK_KINDS",
    "TARGET_KINDS",
    "CPBaseline",
    "CPDecomposition",
    "CPResult",
    "CPShock",
    "CPState",
    "GravityEconomy",
    "GravityGEResult",
    "GravitySolverInfo",
    "PPMLResult",
    "PartialEquilibriumResult",
    "Rents",
    "ShockEntry",
    "Target",
    "TargetOutcome",
    "TargetSolution",
    "TariffLine",
    "calibrate",
    "calibrate_cp2015",
    "calibrate_shares",
    "column_shock",
    "cp_decomposition",
    "default_elasticities",
    "equilibrium_baseline",
    "estimate_ppml",
    "fill_pair_costs",
    "fit_fixed_effects",
    "is_target_text",
    "make_shock",
    "pair_matrices",
    "parse_shock",
    "parse_target",
    "pricing_executor",
    "smart_partial_equilibrium",
    "solve",
    "solve_batch",
    "solve_gravity_ge",
    "solve_targets",
    "solve_targets_batch",
    "table_elasticities",
    "tariff_array",
    "tariff_line",
    "trade_cost_factor",
    "with_elasticities",
]
