"""Forecast negotiated outcomes with spatial bargaining models, scored on real decisions.

Data (:func:`load_deu`, :func:`load_issues`) become an :class:`IssueSet` (issues ×
actors: positions, saliences, capabilities on a scale); models follow the estimator
contract (:class:`SpatialModel`, checked by :func:`check_model`); :func:`evaluate`
scores them by proposal-level cross-validation or out of sample. A priced trade scenario
becomes an :class:`IssueSet` too (:func:`scenario_view`), and :func:`forecast_scenario`
sets the spatial models' forecasts beside the distribution of its simulated talks.
"""

from tradetalks.forecast._base import (
    CompromiseModel,
    MeanModel,
    MedianModel,
    NotFittedError,
    SpatialModel,
)
from tradetalks.forecast._conformance import ContractError, check_model
from tradetalks.forecast._evaluate import (
    Evaluation,
    ModelScore,
    cross_val_predict,
    evaluate,
    proposal_folds,
)
from tradetalks.forecast._exchange import ExchangeModel
from tradetalks.forecast._expected_utility import ExpectedUtilityModel
from tradetalks.forecast._issues import IssueSet, make_issue_set
from tradetalks.forecast._loaders import DEU_ACTORS, bundled_deu_path, load_deu, load_issues
from tradetalks.forecast._nash import NashBargainingModel
from tradetalks.forecast._plot import plot_evaluation
from tradetalks.forecast._power import InstitutionRoles, council_weights, eu_capabilities
from tradetalks.forecast._stacked import StackedModel
from tradetalks.forecast._trade import (
    VETO_CAPABILITY_FACTOR,
    ScenarioView,
    government_capability,
    ideal_positions,
    issue_stakes,
    option_scale,
    relative_salience,
    scenario_view,
    threat_boost,
    value_added_weights,
)
from tradetalks.forecast._trade_forecast import (
    ScenarioForecast,
    TalksDistribution,
    forecast_scenario,
    simulate_talks,
    spatial_forecasts,
)


def default_models() -> dict[str, SpatialModel]:
    """The models ``tradetalks forecast evaluate`` compares, by name."""
    return {
        "mean": MeanModel(),
        "median": MedianModel(),
        "compromise": CompromiseModel(),
        "nash": NashBargainingModel(),
        "expected_utility": ExpectedUtilityModel(),
        "exchange": ExchangeModel(),
        "stacked": StackedModel(),
    }


__all__ = [
    "DEU_ACTORS",
    "VETO_CAPABILITY_FACTOR",
    "CompromiseModel",
    "ContractError",
    "Evaluation",
    "ExchangeModel",
    "ExpectedUtilityModel",
    "InstitutionRoles",
    "IssueSet",
    "MeanModel",
    "MedianModel",
    "ModelScore",
    "NashBargainingModel",
    "NotFittedError",
    "ScenarioForecast",
    "ScenarioView",
    "SpatialModel",
    "StackedModel",
    "TalksDistribution",
    "bundled_deu_path",
    "check_model",
    "council_weights",
    "cross_val_predict",
    "default_models",
    "eu_capabilities",
    "evaluate",
    "forecast_scenario",
    "government_capability",
    "ideal_positions",
    "issue_stakes",
    "load_deu",
    "load_issues",
    "make_issue_set",
    "option_scale",
    "plot_evaluation",
    "proposal_folds",
    "relative_salience",
    "scenario_view",
    "simulate_talks",
    "spatial_forecasts",
    "threat_boost",
    "value_added_weights",
]
