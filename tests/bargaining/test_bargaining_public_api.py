"""The bargaining namespace is pinned: adding or removing a name is a deliberate change."""

import tradetalks.bargaining as bargaining

PINNED = """
ACAspiration ACConst ACNext ACReservation ACTime AcceptanceCondition AllOf Analysis AnyOf
BargainingProblem BatchResult Distances Equilibrium Escalation GeniusDomain Hardliner Issue
LinearAdditiveProfile MiCRO NO_OFFER NashSeeking OfferingPolicy OutcomeSpace Proposal Protocol
RelativeTitForTat SessionResult Setup Solution Status Strategy TimeBased TraceStep TurnView
WALK_AWAY all_of analyse any_of aspiration_level bundled_domains check_reservation
check_utilities distances egalitarian_point ideal_point kalai_smorodinsky_point
linear_additive_utilities nash_point pareto_frontier parse_strategy read_genius_domain
run_batch run_session strategy_names utilitarian_point write_genius_domain zopa
FrontierSample SingleTextResult run_single_text sample_pareto_frontier
"""


def test_public_names_are_pinned() -> None:
    assert set(bargaining.__all__) == set(PINNED.split())
    for name in bargaining.__all__:
        obj = getattr(bargaining, name)
        if not isinstance(obj, int):
            assert obj.__module__.startswith("tradetalks.bargaining")
