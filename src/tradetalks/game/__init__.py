"""The two-level game: a scenario priced, ratified at home and negotiated at the table.

``prepare_game`` prices a scenario (the slow step); ``solve_game`` turns parameters into
utilities, no-deal values and win-sets; ``run_talks`` runs the negotiation with the
bargaining engine.
"""

from tradetalks.game._calendar import calendar_summary, round_dates
from tradetalks.game._population import (
    BROAD_POPULATION,
    DEFAULT_POPULATION,
    draw_plays,
    population_of,
    strategy_spread,
)
from tradetalks.game._pricing import (
    issue_entries,
    outcome_entries,
    price_grid,
    price_points,
    threat_entries,
)
from tradetalks.game._setup import (
    GameSetup,
    Impacts,
    PriceCache,
    data_version,
    outcome_space,
    prepare_game,
    scenario_baseline,
    weigh_trade_balances,
)
from tradetalks.game._state import (
    GameParameters,
    GameState,
    sample_parameters,
    scenario_parameters,
    solve_game,
)
from tradetalks.game._tables import (
    agreement_timing,
    analysis_summary,
    batch_plan,
    deal_shares,
    describe_scenario,
    impact_tables,
    outcome_table,
    session_summary,
    sessions_table,
    sweep_batch,
    sweep_summary,
    trace_table,
)
from tradetalks.game._talks import (
    TalksResult,
    option_counts,
    run_single,
    run_talks,
    strategy_specs,
    talks_rounds,
    threat_shares,
)

__all__ = [
    "BROAD_POPULATION",
    "DEFAULT_POPULATION",
    "GameParameters",
    "GameSetup",
    "GameState",
    "Impacts",
    "PriceCache",
    "TalksResult",
    "agreement_timing",
    "analysis_summary",
    "batch_plan",
    "calendar_summary",
    "data_version",
    "deal_shares",
    "describe_scenario",
    "draw_plays",
    "impact_tables",
    "issue_entries",
    "option_counts",
    "outcome_entries",
    "outcome_space",
    "outcome_table",
    "population_of",
    "prepare_game",
    "price_grid",
    "price_points",
    "round_dates",
    "run_single",
    "run_talks",
    "sample_parameters",
    "scenario_baseline",
    "scenario_parameters",
    "session_summary",
    "sessions_table",
    "solve_game",
    "strategy_specs",
    "strategy_spread",
    "sweep_batch",
    "sweep_summary",
    "talks_rounds",
    "threat_entries",
    "threat_shares",
    "trace_table",
    "weigh_trade_balances",
]
