"""A conformance check of the estimator contract, run on every model.

Modelled on scikit-learn's ``check_estimator`` (``sklearn.utils.estimator_checks``).
"""

from __future__ import annotations

import inspect

import numpy as np

from tradetalks._errors import ForecastError
from tradetalks.forecast._base import NotFittedError, SpatialModel
from tradetalks.forecast._evaluate import clone
from tradetalks.forecast._issues import IssueSet


class ContractError(ForecastError):
    """A model breaks the estimator contract."""


def check_model(model: SpatialModel, issues: IssueSet) -> None:
    """Check ``model`` against the estimator contract on ``issues``; raise :class:`ContractError`.

    Checks: ``__init__`` takes keyword hyperparameters with defaults and stores each under
    its own name, and nothing else public; ``predict`` before ``fit`` raises
    :class:`NotFittedError`; ``fit`` returns ``self`` and adds only attributes ending in
    ``_``; ``predict`` returns one finite float per issue with positions, inside the
    scale; predictions are deterministic, survive cloning, and do not depend on which
    other proposals are predicted alongside; ``fit`` leaves the hyperparameters unchanged.
    """
    name = type(model).__name__

    def fail(message: str) -> ContractError:
        return ContractError(f"{name}: {message}")

    params = model.get_params()
    signature = inspect.signature(type(model).__init__)
    for p in list(signature.parameters.values())[1:]:
        if p.default is inspect.Parameter.empty:
            raise fail(f"hyperparameter {p.name!r} has no default")
    public = {k for k in vars(model) if not k.startswith("_")}
    if public != set(params):
        raise fail(f"__init__ must store exactly its arguments; found {sorted(public)}")
    fresh = clone(model)
    try:
        fresh.predict(issues)
    except NotFittedError:
        pass
    else:
        raise fail("predict before fit must raise NotFittedError")
    before = dict(vars(fresh))
    fitted = fresh.fit(issues)
    if fitted is not fresh:
        raise fail("fit must return self")
    added = set(vars(fresh)) - set(before)
    if not added or not all(k.endswith("_") for k in added if not k.startswith("_")):
        raise fail(f"fitted attributes must end in '_'; fit added {sorted(added)}")
    if fresh.get_params() != params:
        raise fail("fit changed the hyperparameters")
    forecast = fresh.predict(issues)
    if not isinstance(forecast, np.ndarray) or forecast.shape != (issues.n_issues,):
        raise fail(f"predict must return an array of shape ({issues.n_issues},)")
    if forecast.dtype.kind != "f":
        raise fail("predict must return floats")
    with_positions = issues.n_positions > 0
    low, high = issues.scale
    values = forecast[with_positions]
    if not np.all(np.isfinite(values)):
        raise fail("forecasts must be finite on issues with positions")
    if np.any(values < low - 1e-9) or np.any(values > high + 1e-9):
        raise fail(f"forecasts must lie on the scale [{low}, {high}]")
    if not np.array_equal(forecast, fresh.predict(issues), equal_nan=True):
        raise fail("predict is not deterministic")
    other = clone(model).fit(issues).predict(issues)
    if not np.allclose(forecast, other, equal_nan=True):
        raise fail("a clone fit on the same issues predicts differently")
    proposals = list(dict.fromkeys(issues.proposal_ids))
    keep = set(proposals[: max(1, len(proposals) // 2)])
    rows = np.array([p in keep for p in issues.proposal_ids])
    part = fresh.predict(issues.subset(rows))
    if not np.allclose(part, forecast[rows], equal_nan=True):
        raise fail("forecasts of a proposal depend on the other proposals predicted with it")
