"""The numpy-free strategy vocabulary agrees with the bargaining layer's real strategies."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradetalks._errors import BargainingError
from tradetalks._strategy_specs import ACCEPTANCE, PRESETS, check_strategy
from tradetalks.bargaining import parse_strategy, strategy_names
from tradetalks.bargaining._offering import RelativeTitForTat, TimeBased
from tradetalks.bargaining._strategy import _ACCEPTANCE, _BUILD


def test_same_names_and_acceptance_conditions() -> None:
    assert set(PRESETS) == set(_BUILD) == set(strategy_names())
    assert set(ACCEPTANCE) == set(_ACCEPTANCE)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_defaults_and_values_reach_the_built_strategy(name: str) -> None:
    offering = parse_strategy(name).offering
    fields = {f.name for f in dataclasses.fields(offering)}
    for param in PRESETS[name][1]:
        assert param.name in fields, f"{name}: the policy has no parameter {param.name}"
        assert getattr(offering, param.name) == param.default
        inside = param.low + 2 if param.integer else param.low + 0.5
        built = parse_strategy(f"{name}:{param.name}={inside:g}").offering
        assert getattr(built, param.name) == inside
        with pytest.raises(BargainingError, match=param.what or param.name):
            parse_strategy(f"{name}:{param.name}={param.low - 1:g}")


@pytest.mark.parametrize("ac", ACCEPTANCE)
def test_acceptance_names_build(ac: str) -> None:
    assert type(parse_strategy(f"linear:ac={ac}").acceptance) is _ACCEPTANCE[ac]


finite_or_not = st.floats(allow_nan=True, allow_infinity=True, width=64)


def _rejects(build: object) -> bool:
    try:
        build() if callable(build) else None
    except BargainingError:
        return True
    return False


@given(e=finite_or_not, tol=finite_or_not)
def test_time_based_bounds_are_the_policys_own(e: float, tol: float) -> None:
    """The vocabulary refuses exactly what :class:`TimeBased` refuses."""
    spec = f"timebased:e={e!r},tol={tol!r}"
    assert _rejects(lambda: check_strategy(spec)) == _rejects(lambda: TimeBased(e=e, tol=tol))


@given(delta=st.integers(-5, 50))
def test_tit_for_tat_bounds_are_the_policys_own(delta: int) -> None:
    spec = f"tft:delta={delta}"
    assert _rejects(lambda: check_strategy(spec)) == _rejects(lambda: RelativeTitForTat(delta))


def test_a_whole_number_parameter_refuses_fractions() -> None:
    with pytest.raises(BargainingError, match="delta must be a whole number"):
        check_strategy("tft:delta=1.5")
    assert math.isclose(check_strategy("tft:delta=2").params["delta"], 2)
