"""Strategies = an offering policy + an acceptance condition, and the named presets.

Names take parameters after a colon: ``boulware``, ``conceder:e=2``, ``timebased:e=0.5,tol=0.001``,
``tft:delta=2``, ``micro``, ``nash:e=0.5``, ``hardliner``, ``equilibrium``. Any preset takes
``ac=aspiration|next|reservation`` to swap its acceptance condition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tradetalks._strategy_specs import PRESETS, check_strategy
from tradetalks.bargaining._acceptance import ACAspiration, ACNext, ACReservation
from tradetalks.bargaining._equilibrium import Equilibrium
from tradetalks.bargaining._offering import (
    Hardliner,
    MiCRO,
    NashSeeking,
    RelativeTitForTat,
    TimeBased,
)
from tradetalks.bargaining._policy import AcceptanceCondition, OfferingPolicy


@dataclass(frozen=True)
class Strategy:
    """A negotiation strategy: how to offer and when to accept."""

    offering: OfferingPolicy
    acceptance: AcceptanceCondition
    name: str = ""


_Params = dict[str, float]

_ACCEPTANCE: dict[str, Callable[[], AcceptanceCondition]] = {
    "aspiration": ACAspiration,
    "next": ACNext,
    "reservation": ACReservation,
}


def _time_based(p: _Params) -> OfferingPolicy:
    return TimeBased(e=p["e"], tol=p["tol"])


#: How each name of the vocabulary (:data:`tradetalks._strategy_specs.PRESETS`, with the
#: parameters, defaults and bounds) is built; parameters come checked, defaults filled in.
_BUILD: dict[str, Callable[[_Params], OfferingPolicy]] = {
    "boulware": _time_based,
    "linear": _time_based,
    "conceder": _time_based,
    "timebased": _time_based,
    "hardliner": lambda p: Hardliner(),
    "tft": lambda p: RelativeTitForTat(delta=int(p["delta"])),
    "nash": lambda p: NashSeeking(e=p["e"], tol=p["tol"]),
    "micro": lambda p: MiCRO(),
    "equilibrium": lambda p: Equilibrium(),
}


def strategy_names() -> dict[str, str]:
    """Known strategy names and what they do."""
    return {name: doc for name, (doc, _) in PRESETS.items()}


def parse_strategy(text: str) -> Strategy:
    """Build a strategy from ``name[:key=value,...]`` (see the module docstring).

    The spec is checked by :func:`tradetalks._strategy_specs.check_strategy` (the numpy-free
    vocabulary ``tradetalks validate`` uses too), then built.

    Raises
    ------
    BargainingError
        Unknown name or parameter, or a value that is not a number or out of its bounds.
    """
    spec = check_strategy(text)
    return Strategy(_BUILD[spec.name](spec.params), _ACCEPTANCE[spec.acceptance](), spec.text)


def as_strategy(spec: Strategy | str) -> Strategy:
    """A :class:`Strategy` from itself or from its name."""
    return parse_strategy(spec) if isinstance(spec, str) else spec
