"""Strategies = an offering policy + an acceptance condition, and the named presets.

Names take parameters after a colon: ``boulware``, ``conceder:e=2``, ``timebased:e=0.5,tol=0.001``,
``tft:delta=2``, ``micro``, ``nash:e=0.5``, ``hardliner``, ``equilibrium``. Any preset takes
``ac=aspiration|next|reservation`` to swap its acceptance condition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tradetalks._errors import BargainingError
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


def _time_based(default_e: float) -> Callable[[_Params], OfferingPolicy]:
    return lambda p: TimeBased(e=p.pop("e", default_e), tol=p.pop("tol", 0.0))


_PRESETS: dict[str, tuple[Callable[[_Params], OfferingPolicy], str]] = {
    "boulware": (_time_based(0.25), "time-based, concedes late (e=0.25)"),
    "linear": (_time_based(1.0), "time-based, concedes linearly (e=1)"),
    "conceder": (_time_based(4.0), "time-based, concedes early (e=4)"),
    "timebased": (_time_based(1.0), "time-based with exponent e"),
    "hardliner": (lambda p: Hardliner(), "always offers its best outcome"),
    "tft": (lambda p: RelativeTitForTat(delta=int(p.pop("delta", 1))), "relative tit-for-tat"),
    "nash": (
        lambda p: NashSeeking(e=p.pop("e", 0.25), tol=p.pop("tol", 0.0)),
        "time-based target, Nash-best offer under a frequency opponent model",
    ),
    "micro": (lambda p: MiCRO(), "MiCRO (de Jonge 2022)"),
    "equilibrium": (lambda p: Equilibrium(), "subgame-perfect play, complete information"),
}


def strategy_names() -> dict[str, str]:
    """Known strategy names and what they do."""
    return {name: doc for name, (_, doc) in _PRESETS.items()}


def parse_strategy(text: str) -> Strategy:
    """Build a strategy from ``name[:key=value,...]`` (see the module docstring).

    Raises
    ------
    BargainingError
        Unknown name or parameter, or a value that is not a number.
    """
    name, _, args = text.strip().partition(":")
    name = name.strip().lower()
    if name not in _PRESETS:
        known = ", ".join(sorted(_PRESETS))
        raise BargainingError(f"unknown strategy {name!r}; known strategies: {known}")
    params: _Params = {}
    acceptance: AcceptanceCondition = ACAspiration()
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        if not eq:
            raise BargainingError(f"strategy {text!r}: expected key=value, got {item!r}")
        if key == "ac":
            if value.strip() not in _ACCEPTANCE:
                raise BargainingError(
                    f"strategy {text!r}: unknown acceptance {value!r}; known: "
                    + ", ".join(sorted(_ACCEPTANCE))
                )
            acceptance = _ACCEPTANCE[value.strip()]()
            continue
        try:
            params[key] = float(value)
        except ValueError as exc:
            raise BargainingError(
                f"strategy {text!r}: {key} must be a number, got {value!r}"
            ) from exc
    offering = _PRESETS[name][0](params)
    if params:
        raise BargainingError(
            f"strategy {text!r}: unknown parameter(s) {', '.join(sorted(params))} for {name!r}"
        )
    return Strategy(offering, acceptance, text.strip())


def as_strategy(spec: Strategy | str) -> Strategy:
    """A :class:`Strategy` from itself or from its name."""
    return parse_strategy(spec) if isinstance(spec, str) else spec
