"""Forecast negotiated outcomes with spatial bargaining models, scored on real decisions.

Data (:func:`load_deu`, :func:`load_issues`) become an :class:`IssueSet` (issues ×
actors: positions, saliences, capabilities on a scale); models follow the estimator
contract (:class:`SpatialModel`, checked by :func:`check_model`); :func:`evaluate`
scores them by proposal-level cross-validation or out of sample.
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
    "SpatialModel",
    "StackedModel",
    "bundled_deu_path",
    "check_model",
    "council_weights",
    "cross_val_predict",
    "default_models",
    "eu_capabilities",
    "evaluate",
    "load_deu",
    "load_issues",
    "make_issue_set",
    "plot_evaluation",
    "proposal_folds",
]
