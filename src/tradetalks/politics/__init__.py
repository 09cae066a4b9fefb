"""Constituencies' stakes, government utilities, ratification and win-sets (the two-level game)."""

from tradetalks.politics._actors import (
    Actor,
    DomesticModel,
    IndicatorSpec,
    PreferenceSpec,
    domestic_model,
    indicator_change,
    indicator_matrix,
    preference_matrix,
)
from tradetalks.politics._game import (
    DomesticRule,
    actor_stakes,
    carried_out_probabilities,
    credible_threats,
    expected_no_deal,
    government_utility,
    normalise_indicators,
    ratifiable,
    threat_scenarios,
    win_set,
)

__all__ = [
    "Actor",
    "DomesticModel",
    "DomesticRule",
    "IndicatorSpec",
    "PreferenceSpec",
    "actor_stakes",
    "carried_out_probabilities",
    "credible_threats",
    "domestic_model",
    "expected_no_deal",
    "government_utility",
    "indicator_change",
    "indicator_matrix",
    "normalise_indicators",
    "preference_matrix",
    "ratifiable",
    "threat_scenarios",
    "win_set",
]
