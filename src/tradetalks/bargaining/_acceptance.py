r"""Acceptance conditions (Baarslag, Hindriks and Jonker 2014) and their combinations.

Baarslag, Hindriks and Jonker (2014), "Effective acceptance conditions in real-time
automated negotiation", Decision Support Systems 60. With :math:`x` the standing offer,
:math:`x'` the offer the party is about to make and :math:`t` the relative time:

- ``AC_next(α, β)``: accept iff :math:`\alpha u(x) + \beta \ge u(x')`;
- ``AC_time(T)``: accept iff :math:`t \ge T`;
- ``AC_const(c)``: accept iff :math:`u(x) \ge c`;
- combinations with :func:`all_of` / :func:`any_of`, e.g. ``AC_combi`` =
  ``any_of(ACNext(), all_of(ACTime(0.98), ACConst(c)))``.

:class:`ACAspiration` accepts an offer worth at least the offering policy's current
aspiration level (what NegMAS's time-based negotiators and MiCRO do).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradetalks._errors import BargainingError
from tradetalks.bargaining._policy import (
    AcceptanceCondition,
    BoolArray,
    FloatArray,
    Proposal,
    TurnView,
)


@dataclass(frozen=True)
class ACNext:
    r"""Accept iff :math:`\alpha u(x) + \beta \ge u(x')` (``AC_next``)."""

    alpha: float = 1.0
    beta: float = 0.0

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Compare with the offer about to be made."""
        return np.asarray(self.alpha * offer_utility + self.beta >= proposal_utility)


@dataclass(frozen=True)
class ACTime:
    """Accept anything once the relative time reaches ``t`` (``AC_time``)."""

    t: float = 0.99

    def __post_init__(self) -> None:
        if not 0 <= self.t <= 1:
            raise BargainingError(f"AC_time: t must be in [0, 1], got {self.t}")

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Accept late offers."""
        return np.asarray(view.time >= self.t)


@dataclass(frozen=True)
class ACConst:
    r"""Accept iff :math:`u(x) \ge c` (``AC_const``)."""

    c: float

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Accept offers above a constant."""
        return np.asarray(offer_utility >= self.c)


@dataclass(frozen=True)
class ACReservation:
    """Accept iff the offer is worth at least the current reservation value."""

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Accept rational offers."""
        return np.asarray(offer_utility >= view.reservation)


@dataclass(frozen=True)
class ACAspiration:
    """Accept iff the offer is worth at least the offering policy's aspiration level."""

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Accept offers at or above the aspiration."""
        return np.asarray(offer_utility >= proposal.aspiration)


@dataclass(frozen=True)
class AllOf:
    """Accept iff every condition accepts."""

    conditions: tuple[AcceptanceCondition, ...]

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Logical and."""
        out = np.ones(offer_utility.shape, dtype=bool)
        for c in self.conditions:
            out &= c.accepts(view, offer_utility, proposal, proposal_utility)
        return out


@dataclass(frozen=True)
class AnyOf:
    """Accept iff some condition accepts."""

    conditions: tuple[AcceptanceCondition, ...]

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Logical or."""
        out = np.zeros(offer_utility.shape, dtype=bool)
        for c in self.conditions:
            out |= c.accepts(view, offer_utility, proposal, proposal_utility)
        return out


def all_of(*conditions: AcceptanceCondition) -> AllOf:
    """Combine conditions: accept when all accept."""
    return AllOf(tuple(conditions))


def any_of(*conditions: AcceptanceCondition) -> AnyOf:
    """Combine conditions: accept when any accepts."""
    return AnyOf(tuple(conditions))
