r"""The stacked alternating offers protocol: deadlines, discounting, escalation, results.

Stacked alternating offers (Aydoğan, Festen, Hindriks and Jonker 2017, "Alternating offers
protocols for multilateral negotiation", in *Modern Approaches to Agent-based Complex
Automated Negotiation*): parties move in a fixed cyclic order, party 0 first. At its turn a
party either accepts the standing offer or rejects it and makes a counter-offer (or walks
away, which breaks the talks down). An offer is agreed when every other party has accepted
it in turn. One *round* is one turn of every party; turn ``k`` is in round ``k // P``.

Time. In round ``r`` of a session with a deadline of ``R`` rounds the relative time is
:math:`t = (r + 1)/(R + 1)`, the convention of NegMAS's SAO mechanism (so strategies
configured alike behave alike); with a time limit ``T`` on a simulated clock where a round
lasts ``round_duration``, :math:`t = \max((r+1)/(R+1), (r+1)\,\Delta/T)`. Talks run while
:math:`t < 1`; past it they end without agreement (the last offer goes unanswered).

Discounting. An agreement on an offer made at turn :math:`k` is worth
:math:`\delta_i^k u_i(\omega)` to party :math:`i` (each offer period costs one discount, as
in Rubinstein 1982); no deal at turn :math:`k` is worth :math:`\delta_i^k d_i`.

Escalation. At the start of a set round a party carries out its threat: every party's
reservation value changes to new values, and the talks go on under them or end at once.
An escalation may also bring a new utility table: from that round on every party values
every outcome in the world where the measure stands (an outcome agreed then is worth its
new value), and strategies see the new table (their sorted views are rebuilt).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from tradetalks._errors import BargainingError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Status(IntEnum):
    """How a session ended."""

    AGREED = 0
    DEADLINE = 1
    WALKED_AWAY = 2
    ESCALATED = 3

    @property
    def label(self) -> str:
        """Lower-case name for printing."""
        return self.name.lower()


@dataclass(frozen=True, eq=False)
class Escalation:
    """A threat carried out at the start of ``round``: reservation values become ``reservation``.

    With ``utilities``, the utility table becomes it too (from that round on).

    Parameters
    ----------
    round
        0-based round at whose start the threat is carried out; in a batch, one round per
        session (``-1`` = never) may be given.
    party
        Who carries it out (recorded in traces).
    reservation
        New reservation values, ``(parties,)`` or ``(sessions, parties)`` in a batch.
    end
        ``True``: the talks end then (no deal under the new values); ``False``: they go on.
    utilities
        ``None`` (the table stays) or the new table, ``(parties, outcomes)`` or
        ``(sessions, parties, outcomes)`` in a batch.
    label
        The action recorded in traces (``"escalation"``; a stage of the talks names itself).
    """

    round: int | npt.ArrayLike
    party: int
    reservation: npt.ArrayLike
    end: bool = False
    utilities: npt.ArrayLike | None = None
    label: str = "escalation"


@dataclass(frozen=True)
class Protocol:
    """Rules of a session: deadline, discount factors, escalations.

    Parameters
    ----------
    rounds
        Deadline in rounds (``None``: only ``time_limit`` applies).
    time_limit
        Deadline on the simulated clock (``None``: only ``rounds`` applies).
    round_duration
        Simulated time one round takes.
    discount
        Per-party discount factor per offer period, in ``(0, 1]`` (one value for all or one each).
    escalations
        Threats carried out at set rounds, applied in order.
    """

    rounds: int | None = 100
    time_limit: float | None = None
    round_duration: float = 1.0
    discount: float | tuple[float, ...] = 1.0
    escalations: tuple[Escalation, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.rounds is None and self.time_limit is None:
            raise BargainingError("protocol: give a deadline in rounds and/or a time limit")
        if self.rounds is not None and self.rounds < 1:
            raise BargainingError(f"protocol.rounds: need at least 1, got {self.rounds}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise BargainingError(f"protocol.time_limit: must be > 0, got {self.time_limit}")
        if not self.round_duration > 0:
            raise BargainingError(
                f"protocol.round_duration: must be > 0, got {self.round_duration}"
            )
        d = np.atleast_1d(np.asarray(self.discount, dtype=np.float64))
        if not np.all((d > 0) & (d <= 1)):
            raise BargainingError(f"protocol.discount: each factor must be in (0, 1], got {d}")

    def discount_factors(self, n_parties: int) -> FloatArray:
        """Discount factors as a ``(parties,)`` array."""
        d = np.atleast_1d(np.asarray(self.discount, dtype=np.float64))
        if d.size == 1:
            return np.full(n_parties, float(d[0]))
        if d.shape != (n_parties,):
            raise BargainingError(
                f"protocol.discount: expected 1 or {n_parties} factors, got {d.size}"
            )
        return d


@dataclass(frozen=True)
class TraceStep:
    """One turn of a session: who did what, when, and what it is worth to each party."""

    turn: int
    round: int
    party: int
    time: float
    action: str  # "offer", "accept", "walk_away", "escalation" or an escalation's label
    outcome: int  # the offer made or accepted (-1 when none)
    utilities: tuple[float, ...]


@dataclass(frozen=True)
class SessionResult:
    """The result of one session.

    ``utilities`` are undiscounted (reservation values on no deal); ``discounted`` applies
    the protocol's discount factors. ``welfare`` is their sum, ``nash_product`` the product
    of gains over the final reservation values (0 on no deal), ``min_gain`` the smallest gain.
    """

    status: Status
    agreement: int | None
    utilities: tuple[float, ...]
    discounted: tuple[float, ...]
    rounds: int
    turns: int
    reservation: tuple[float, ...]
    welfare: float
    nash_product: float
    min_gain: float
    trace: tuple[TraceStep, ...]

    @property
    def agreed(self) -> bool:
        """``True`` if the session ended in agreement."""
        return self.status is Status.AGREED


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Results of many sessions as arrays (one row per session).

    ``agreement`` is ``-1`` where there was no deal; ``offers`` (turns, sessions) holds the
    offer made at each turn (``-1``: none) when traces were recorded, else it is ``None``.
    """

    status: IntArray
    agreement: IntArray
    utilities: FloatArray
    discounted: FloatArray
    rounds: IntArray
    turns: IntArray
    reservation: FloatArray
    offers: IntArray | None = None

    @property
    def n_sessions(self) -> int:
        """Number of sessions."""
        return int(self.status.shape[0])

    @property
    def agreed(self) -> npt.NDArray[np.bool_]:
        """Mask of sessions that ended in agreement."""
        return np.asarray(self.status == Status.AGREED, dtype=bool)

    @property
    def welfare(self) -> FloatArray:
        """Sum of (undiscounted) utilities per session."""
        return np.asarray(self.utilities.sum(axis=1), dtype=np.float64)

    @property
    def nash_product(self) -> FloatArray:
        """Product of gains over the final reservation values (0 on no deal)."""
        gains = np.clip(self.utilities - self.reservation, 0.0, None)
        return np.asarray(np.prod(gains, axis=1), dtype=np.float64)

    def summary(self) -> dict[str, float]:
        """Agreement rate, mean rounds, mean utilities and welfare, for printing."""
        ok = self.agreed
        out: dict[str, float] = {
            "sessions": float(self.n_sessions),
            "agreement_rate": float(ok.mean()),
            "mean_rounds": float(self.rounds.mean()),
            "mean_welfare": float(self.welfare.mean()),
            "mean_nash_product": float(self.nash_product.mean()),
        }
        for i in range(self.utilities.shape[1]):
            out[f"mean_utility_{i}"] = float(self.utilities[:, i].mean())
        for s in Status:
            out[f"share_{s.label}"] = float((self.status == s).mean())
        return out
