"""What a strategy sees and must provide: the policy interfaces shared by sessions and batches.

A strategy is an *offering policy* plus an *acceptance condition*. Both work on arrays over
sessions: a single session is a batch of one, so batch runs and single sessions execute the
same policy code. Each turn the engine asks the moving party's offering policy for a
:class:`Proposal` (the offer it would make now, and its aspiration: the least utility it
accepts now), then asks its acceptance condition whether to accept the standing offer.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from threading import Lock
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from tradetalks.bargaining._space import OutcomeSpace

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Offer code meaning "I walk away" (the talks break down).
WALK_AWAY = -2
#: Offer code meaning "no offer".
NO_OFFER = -1
# Up to this many cells one counting pass beats the ~8 numpy calls per step of a binary
# search (measured on a sweep's (sessions, outcomes) tables, 1995 scenario: 324 outcomes).
_COUNT_CELLS = 1 << 18


def row_searchsorted(sorted_rows: FloatArray, values: FloatArray) -> IntArray:
    r"""First position in each row of ``sorted_rows`` (ascending) with a value ``>= values[row]``.

    ``sorted_rows`` is ``(1, n)`` (shared by every row) or ``(S, n)``. Small tables count
    the entries below each value (the position, since rows ascend), :math:`O(S n)` in one
    pass; large ones run a vectorised binary search over rows, :math:`O(S \log n)`. Both
    are exact.
    """
    n = sorted_rows.shape[1]
    if sorted_rows.shape[0] == 1:
        return np.searchsorted(sorted_rows[0], values, side="left").astype(np.int64)
    if sorted_rows.size <= _COUNT_CELLS:
        below_count = np.count_nonzero(sorted_rows < values[:, None], axis=1)
        return np.asarray(below_count, dtype=np.int64)
    rows = np.arange(sorted_rows.shape[0])
    lo = np.zeros(values.shape[0], dtype=np.int64)
    hi = np.full(values.shape[0], n, dtype=np.int64)
    while True:
        open_ = lo < hi
        if not open_.any():
            return lo
        mid = (lo + hi) // 2
        below = np.zeros_like(open_)
        below[open_] = sorted_rows[rows[open_], mid[open_]] < values[open_]
        lo = np.where(open_ & below, mid + 1, lo)
        hi = np.where(open_ & ~below, mid, hi)


# Sessions run one at a time on the same domain (a tournament, repeated ``negotiate``) share
# one utility row per party; sorting it is most of a short session's cost, so the last few
# rows' sorted views are kept, keyed by the row's exact bytes.
_SORTED_MEMO: OrderedDict[bytes, tuple[IntArray, FloatArray]] = OrderedDict()
_SORTED_MEMO_ROWS = 16
_SORTED_MEMO_CELLS = 1 << 15  # with the key: at most 0.75 MB a row, 12 MB in all
_SORTED_MEMO_LOCK = Lock()


def sorted_views(utilities: FloatArray) -> tuple[IntArray, FloatArray]:
    """Each row's outcome codes sorted by utility, ascending, and the sorted utilities.

    ``utilities`` is ``(S, O)``. A single row of at most ``2**15`` outcomes is remembered
    (the last 16 such rows, compared bytewise, so a hit is exactly the same sort); the
    arrays returned for it are read-only because later calls share them.
    """
    key = None
    if utilities.shape[0] == 1 and utilities.size <= _SORTED_MEMO_CELLS:
        key = np.ascontiguousarray(utilities, dtype=np.float64).tobytes()
        with _SORTED_MEMO_LOCK:
            hit = _SORTED_MEMO.get(key)
            if hit is not None:
                _SORTED_MEMO.move_to_end(key)
                return hit
    # introsort: twice as fast as a stable sort on (sessions, outcomes) tables, and just as
    # reproducible (the same row always sorts the same way)
    order = np.argsort(utilities, axis=1).astype(np.int64, copy=False)
    views = (order, np.take_along_axis(utilities, order, axis=1))
    if key is not None:
        for view in views:
            view.setflags(write=False)
        with _SORTED_MEMO_LOCK:
            _SORTED_MEMO[key] = views
            if len(_SORTED_MEMO) > _SORTED_MEMO_ROWS:
                _SORTED_MEMO.popitem(last=False)
    return views


@dataclass(frozen=True, eq=False)
class PartyTable:
    """One party's utilities over outcomes with sorted views, for all sessions.

    ``utilities`` is ``(1, O)`` when every session shares it (broadcast), else ``(S, O)``.
    """

    utilities: FloatArray
    n_sessions: int

    @cached_property
    def _sorted(self) -> tuple[IntArray, FloatArray]:
        return sorted_views(self.utilities)

    @cached_property
    def ascending_order(self) -> IntArray:
        """Outcome codes sorted by utility, ascending (ties in a fixed, data-determined order)."""
        return self._sorted[0]

    @cached_property
    def ascending_utility(self) -> FloatArray:
        """Utilities sorted ascending, aligned with :attr:`ascending_order`."""
        return self._sorted[1]

    @cached_property
    def u_min(self) -> FloatArray:
        """Worst utility per session, ``(S,)``."""
        return np.broadcast_to(self.utilities.min(axis=1), (self.n_sessions,)).copy()

    @cached_property
    def u_max(self) -> FloatArray:
        """Best utility per session, ``(S,)``."""
        return np.broadcast_to(self.utilities.max(axis=1), (self.n_sessions,)).copy()

    @cached_property
    def best(self) -> IntArray:
        """A best outcome per session (the last in the sorted order among ties)."""
        return np.broadcast_to(self.ascending_order[:, -1], (self.n_sessions,)).copy()

    def of(self, codes: IntArray) -> FloatArray:
        """Utility of one outcome per session (codes must be valid)."""
        if self.utilities.shape[0] == 1:
            return np.asarray(self.utilities[0, codes], dtype=np.float64)
        return self.utilities[np.arange(self.n_sessions), codes]

    def lowest_at_least(self, level: FloatArray) -> IntArray:
        """Per session, the least-valued outcome worth at least ``level`` (the best if none)."""
        pos = row_searchsorted(self.ascending_utility, level)
        pos = np.minimum(pos, self.utilities.shape[1] - 1)
        order = self.ascending_order
        if order.shape[0] == 1:
            return np.asarray(order[0, pos], dtype=np.int64)
        return np.asarray(order[np.arange(self.n_sessions), pos], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Setup:
    """Everything fixed for a run, handed to policies when they start.

    ``utilities`` is ``(1 or S, P, O)``; ``deadlines`` the rounds per session ``(S,)``;
    ``discount`` the per-party factors ``(P,)``; ``tables[p]`` party ``p``'s sorted views.
    """

    utilities: FloatArray
    reservation: FloatArray
    deadlines: IntArray
    discount: FloatArray
    space: OutcomeSpace | None
    tables: tuple[PartyTable, ...]

    @property
    def n_sessions(self) -> int:
        """Number of sessions."""
        return int(self.reservation.shape[0])

    @property
    def n_parties(self) -> int:
        """Number of parties."""
        return int(self.utilities.shape[1])

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes."""
        return int(self.utilities.shape[2])


@dataclass(frozen=True, eq=False)
class TurnView:
    """What the moving party knows at its turn, for every session at once.

    ``standing`` is the offer on the table (``-1``: none yet), ``reservation`` the party's
    current reservation values (escalation may have changed them), ``time`` the relative time.
    """

    setup: Setup
    party: int
    turn: int
    round: int
    time: FloatArray
    reservation: FloatArray
    standing: IntArray
    rng: np.random.Generator

    @property
    def table(self) -> PartyTable:
        """The moving party's utility table."""
        return self.setup.tables[self.party]

    @property
    def floor(self) -> FloatArray:
        """The least a rational offer may be worth: ``max(worst utility, reservation)``."""
        return np.maximum(self.table.u_min, self.reservation)


class Proposal(NamedTuple):
    """An offering policy's answer: the offer per session and the aspiration level.

    ``aspiration`` is the least (undiscounted) utility the party would accept now.
    """

    offer: IntArray
    aspiration: FloatArray


class OfferingPolicy(Protocol):
    """Chooses offers. ``start`` returns the policy's per-run state (or ``None``)."""

    def start(self, setup: Setup, party: int, rng: np.random.Generator) -> Any:
        """Create the state for ``party`` in a run."""

    def propose(self, view: TurnView, state: Any) -> Proposal:
        """The offer to make (and the aspiration) in every session."""

    def observe(
        self, setup: Setup, party: int, state: Any, offers: IntArray, proposer: int
    ) -> None:
        """Learn from ``offers`` (``-1``: none) just made by ``proposer``."""


class AcceptanceCondition(Protocol):
    """Decides whether to accept the standing offer."""

    def accepts(
        self,
        view: TurnView,
        offer_utility: FloatArray,
        proposal: Proposal,
        proposal_utility: FloatArray,
    ) -> BoolArray:
        """Mask of sessions where the standing offer (worth ``offer_utility``) is accepted."""


class Stateless:
    """Mixin for offering policies that keep no state and learn nothing."""

    def start(self, setup: Setup, party: int, rng: np.random.Generator) -> Any:
        """No state."""
        return None

    def observe(
        self, setup: Setup, party: int, state: Any, offers: IntArray, proposer: int
    ) -> None:
        """Nothing to learn."""
