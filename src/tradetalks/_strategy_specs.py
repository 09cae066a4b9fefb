"""The strategy vocabulary: names, their parameters and bounds, without numpy.

A strategy is written ``name[:key=value,...]`` (``conceder:e=2``, ``tft:delta=2``,
``linear:ac=next``). This registry is what :func:`tradetalks.bargaining.parse_strategy`
checks a spec against before it builds the strategy, and what ``tradetalks validate``
checks a scenario's strategies with; it imports nothing heavy, so ``validate`` starts
without numpy. ``tests/bargaining/test_strategy_specs.py`` checks it against the
bargaining layer's real strategies (same names, same defaults, same bounds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tradetalks._errors import BargainingError


@dataclass(frozen=True)
class Param:
    """A numeric strategy parameter: ``low < value`` (``low <= value`` if ``closed``)."""

    name: str
    default: float
    low: float
    closed: bool = True
    integer: bool = False
    what: str = ""  # how messages call it ("exponent e"); the name by default

    def problem(self, value: float) -> str | None:
        """Why ``value`` is not allowed, or ``None``."""
        label = self.what or self.name
        inside = value >= self.low if self.closed else value > self.low
        if not (math.isfinite(value) and inside):
            return f"{label} must be {'>=' if self.closed else '>'} {self.low:g}, got {value:g}"
        if self.integer and value != int(value):
            return f"{label} must be a whole number, got {value:g}"
        return None


def _time_based(e: float) -> tuple[Param, ...]:
    return (Param("e", e, 0.0, closed=False, what="exponent e"), Param("tol", 0.0, 0.0))


#: Every strategy name: what it does and its parameters (default and bound).
PRESETS: dict[str, tuple[str, tuple[Param, ...]]] = {
    "boulware": ("time-based, concedes late (e=0.25)", _time_based(0.25)),
    "linear": ("time-based, concedes linearly (e=1)", _time_based(1.0)),
    "conceder": ("time-based, concedes early (e=4)", _time_based(4.0)),
    "timebased": ("time-based with exponent e", _time_based(1.0)),
    "hardliner": ("always offers its best outcome", ()),
    "tft": ("relative tit-for-tat", (Param("delta", 1.0, 1.0, integer=True),)),
    "nash": (
        "time-based target, Nash-best offer under a frequency opponent model",
        _time_based(0.25),
    ),
    "micro": ("MiCRO (de Jonge 2022)", ()),
    "equilibrium": ("subgame-perfect play, complete information", ()),
}

#: Acceptance conditions any strategy can take with ``ac=NAME``.
ACCEPTANCE = ("aspiration", "next", "reservation")


@dataclass(frozen=True)
class StrategySpec:
    """A checked strategy spec: its name, every parameter (defaults filled in), its ``ac``."""

    text: str
    name: str
    params: dict[str, float]
    acceptance: str = "aspiration"


def check_strategy(text: str) -> StrategySpec:
    """Parse and check ``name[:key=value,...]`` against :data:`PRESETS`.

    Raises
    ------
    BargainingError
        Unknown name, parameter or acceptance; a value that is not a number or is out of
        its bounds.
    """
    name, _, args = text.strip().partition(":")
    name = name.strip().lower()
    if name not in PRESETS:
        known = ", ".join(sorted(PRESETS))
        raise BargainingError(f"unknown strategy {name!r}; known strategies: {known}")
    params = {p.name: p for p in PRESETS[name][1]}
    values = {p.name: p.default for p in params.values()}
    acceptance = "aspiration"
    unknown = []
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        if not eq:
            raise BargainingError(f"strategy {text!r}: expected key=value, got {item!r}")
        if key == "ac":
            if value.strip() not in ACCEPTANCE:
                raise BargainingError(f"strategy {text!r}: unknown acceptance {value!r}; known: "
                                      + ", ".join(sorted(ACCEPTANCE)))  # fmt: skip
            acceptance = value.strip()
            continue
        try:
            number = float(value)
        except ValueError as exc:
            raise BargainingError(
                f"strategy {text!r}: {key} must be a number, got {value!r}"
            ) from exc
        if key not in params:
            unknown.append(key)
            continue
        problem = params[key].problem(number)
        if problem:
            raise BargainingError(f"strategy {text!r}: {problem}")
        values[key] = number
    if unknown:
        raise BargainingError(
            f"strategy {text!r}: unknown parameter(s) {', '.join(sorted(unknown))} for {name!r}"
        )
    return StrategySpec(text.strip(), name, values, acceptance)
