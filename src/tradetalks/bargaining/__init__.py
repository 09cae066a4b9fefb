"""Multi-issue bargaining: outcome spaces, frontiers, solutions, protocols, strategies, batches.

This layer knows nothing of trade: it is handed utilities as ``(parties, outcomes)`` arrays
(outcomes are mixed-radix integer codes of an :class:`OutcomeSpace`) and reservation values.
"""

from tradetalks.bargaining._acceptance import (
    ACAspiration,
    ACConst,
    ACNext,
    ACReservation,
    ACTime,
    AllOf,
    AnyOf,
    all_of,
    any_of,
)
from tradetalks.bargaining._analysis import (
    Analysis,
    Distances,
    FrontierSample,
    Solution,
    analyse,
    distances,
    egalitarian_point,
    ideal_point,
    kalai_smorodinsky_point,
    nash_point,
    pareto_frontier,
    sample_pareto_frontier,
    utilitarian_point,
    zopa,
)
from tradetalks.bargaining._engine import run_batch, run_session
from tradetalks.bargaining._equilibrium import Equilibrium
from tradetalks.bargaining._genius import (
    GeniusDomain,
    LinearAdditiveProfile,
    bundled_domains,
    read_genius_domain,
    write_genius_domain,
)
from tradetalks.bargaining._offering import (
    Hardliner,
    MiCRO,
    NashSeeking,
    RelativeTitForTat,
    TimeBased,
    aspiration_level,
)
from tradetalks.bargaining._policy import (
    NO_OFFER,
    WALK_AWAY,
    AcceptanceCondition,
    OfferingPolicy,
    Proposal,
    Setup,
    TurnView,
)
from tradetalks.bargaining._protocol import (
    BatchResult,
    Escalation,
    Protocol,
    SessionResult,
    Status,
    TraceStep,
)
from tradetalks.bargaining._single_text import SingleTextResult, run_single_text
from tradetalks.bargaining._space import Issue, OutcomeSpace
from tradetalks.bargaining._strategy import Strategy, parse_strategy, strategy_names
from tradetalks.bargaining._utilities import (
    BargainingProblem,
    check_reservation,
    check_utilities,
    linear_additive_utilities,
)

__all__ = [
    "NO_OFFER",
    "WALK_AWAY",
    "ACAspiration",
    "ACConst",
    "ACNext",
    "ACReservation",
    "ACTime",
    "AcceptanceCondition",
    "AllOf",
    "Analysis",
    "AnyOf",
    "BargainingProblem",
    "BatchResult",
    "Distances",
    "Equilibrium",
    "Escalation",
    "FrontierSample",
    "GeniusDomain",
    "Hardliner",
    "Issue",
    "LinearAdditiveProfile",
    "MiCRO",
    "NashSeeking",
    "OfferingPolicy",
    "OutcomeSpace",
    "Proposal",
    "Protocol",
    "RelativeTitForTat",
    "SessionResult",
    "Setup",
    "SingleTextResult",
    "Solution",
    "Status",
    "Strategy",
    "TimeBased",
    "TraceStep",
    "TurnView",
    "all_of",
    "analyse",
    "any_of",
    "aspiration_level",
    "bundled_domains",
    "check_reservation",
    "check_utilities",
    "distances",
    "egalitarian_point",
    "ideal_point",
    "kalai_smorodinsky_point",
    "linear_additive_utilities",
    "nash_point",
    "pareto_frontier",
    "parse_strategy",
    "read_genius_domain",
    "run_batch",
    "run_session",
    "run_single_text",
    "sample_pareto_frontier",
    "strategy_names",
    "utilitarian_point",
    "write_genius_domain",
    "zopa",
]
