"""Structural trade models that price tariff and non-tariff changes. Pure numerics, no I/O.

Names load their submodule on first use (PEP 562), so that a caller needing one of them
(the warm main job reads only ``default_elasticities``) does not import every solver.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_SUBMODULE = {
    "CPBaseline": "_cp_calibrate",
    "CPDecomposition": "_cp_tables",
    "CPResult": "_cp_solve",
    "CPShock": "_cp_shock",
    "CPState": "_cp_solve",
    "EXPORTER_RENT_KINDS": "_cp_shock",
    "GravityEconomy": "_gravity_ge",
    "GravityGEResult": "_gravity_ge",
    "GravitySolverInfo": "_gravity_ge",
    "PPMLResult": "_ppml",
    "PartialEquilibriumResult": "_pe",
    "Rents": "_cp_shock",
    "SHOCK_KINDS": "_cp_shock",
    "ShockEntry": "_cp_shock",
    "TARGET_KINDS": "_cp_targets",
    "Target": "_cp_targets",
    "TargetOutcome": "_cp_targets",
    "TargetSolution": "_cp_targets",
    "TariffLine": "_pe",
    "calibrate": "_cp_calibrate",
    "calibrate_cp2015": "_cp_tables",
    "calibrate_shares": "_cp_calibrate",
    "column_shock": "_cp_tables",
    "cp_decomposition": "_cp_tables",
    "default_elasticities": "_cp_elasticities",
    "equilibrium_baseline": "_cp_tables",
    "estimate_ppml": "_ppml",
    "fill_pair_costs": "_ppml",
    "fit_fixed_effects": "_gravity_ge",
    "is_target_text": "_cp_targets",
    "make_shock": "_cp_shock",
    "pair_matrices": "_ppml",
    "parse_shock": "_cp_shock",
    "parse_target": "_cp_targets",
    "pricing_executor": "_cp_batch",
    "smart_partial_equilibrium": "_pe",
    "solve": "_cp_solve",
    "solve_batch": "_cp_batch",
    "solve_gravity_ge": "_gravity_ge",
    "solve_targets": "_cp_targets",
    "solve_targets_batch": "_cp_targets",
    "table_elasticities": "_cp_calibrate",
    "tariff_array": "_cp_shock",
    "tariff_line": "_pe",
    "trade_cost_factor": "_gravity_ge",
    "with_elasticities": "_cp_calibrate",
}


def __getattr__(name: str) -> Any:
    module = _SUBMODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
