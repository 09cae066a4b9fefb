"""The estimator contract, checked on every shipped model (and shown to catch violations)."""

from typing import Self

import numpy as np
import pytest

from tradetalks.forecast import ContractError, check_model, default_models, load_deu
from tradetalks.forecast._base import NotFittedError, ParamsMixin


@pytest.fixture(scope="module")
def small():
    issues = load_deu()
    keep = set(list(dict.fromkeys(issues.proposal_ids))[:25])
    return issues.subset(np.array([p in keep for p in issues.proposal_ids]))


@pytest.mark.parametrize("name", list(default_models()))
def test_every_model_conforms(name, small) -> None:
    check_model(default_models()[name], small)


class _Good(ParamsMixin):
    def __init__(self, level: float = 50.0) -> None:
        self.level = level

    def fit(self, issues) -> Self:
        self.n_ = issues.n_issues
        return self

    def predict(self, issues):
        self._check_fitted()
        return np.full(issues.n_issues, self.level)


class _DerivesInInit(_Good):
    def __init__(self, level: float = 50.0) -> None:
        self.level = level
        self.half = level / 2


class _NoUnderscore(_Good):
    def fit(self, issues) -> Self:
        self.n = issues.n_issues
        return self


class _ReturnsNone(_Good):
    def fit(self, issues):  # type: ignore[override]
        self.n_ = 1


class _OffScale(_Good):
    def predict(self, issues):
        self._check_fitted()
        return np.full(issues.n_issues, 150.0)


class _PredictsUnfitted(_Good):
    def predict(self, issues):
        return np.full(issues.n_issues, self.level)


def test_a_good_model_passes(small) -> None:
    check_model(_Good(), small)
    with pytest.raises(NotFittedError):
        _Good().predict(small)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (_DerivesInInit(), "store exactly its arguments"),
        (_NoUnderscore(), "end in '_'"),
        (_ReturnsNone(), "return self"),
        (_OffScale(), "on the scale"),
        (_PredictsUnfitted(), "NotFittedError"),
    ],
    ids=lambda x: type(x).__name__ if not isinstance(x, str) else x,
)
def test_violations_are_caught(model, message, small) -> None:
    with pytest.raises(ContractError, match=message):
        check_model(model, small)
