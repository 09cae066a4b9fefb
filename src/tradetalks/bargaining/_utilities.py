r"""Utilities as ``(parties, outcomes)`` arrays, reservation values, and their validation.

A linear-additive utility function (Keeney and Raiffa 1976, *Decisions with Multiple
Objectives*; the GENIUS format) is

.. math:: u(\omega) = \sum_{i=1}^{I} w_i \, v_i(\omega_i),

with issue weights :math:`w_i` and a value function :math:`v_i` per issue. The reservation
value :math:`r` is the utility of no deal: a party never needs to accept less.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradetalks._errors import BargainingError
from tradetalks.bargaining._space import OutcomeSpace

FloatArray = npt.NDArray[np.float64]


def linear_additive_utilities(
    space: OutcomeSpace,
    weights: npt.ArrayLike,
    value_functions: Sequence[npt.ArrayLike],
    out: FloatArray | None = None,
) -> FloatArray:
    r"""Utility of every outcome under a linear-additive function, shape ``(n_outcomes,)``.

    Parameters
    ----------
    space
        The outcome space.
    weights
        One weight per issue, :math:`w_i` (not renormalised).
    value_functions
        Per issue, the value :math:`v_i` of each of its values (length = issue size).
    out
        Optional ``(n_outcomes,)`` float64 array to write into (e.g. a row of a
        ``(parties, outcomes)`` table, so that 10^7 outcomes need no second copy).

    Notes
    -----
    Built issue by issue as outer sums, :math:`U_{k} = U_{k-1} \oplus w_k v_k` (flattened),
    so the work is dominated by the last step: about one pass over the outcomes in all, and
    the terms are added in issue order (the same rounding as a left-to-right sum).
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (len(space.issues),):
        raise BargainingError(f"weights: expected {len(space.issues)} values, got shape {w.shape}")
    if len(value_functions) != len(space.issues):
        raise BargainingError(
            f"value_functions: expected {len(space.issues)} issues, got {len(value_functions)}"
        )
    if out is None:
        out = np.empty(space.n_outcomes, dtype=np.float64)
    elif out.shape != (space.n_outcomes,) or out.dtype != np.float64:
        raise BargainingError(f"out: expected a float64 array of shape ({space.n_outcomes},)")
    terms = []
    for k, (issue, vf) in enumerate(zip(space.issues, value_functions, strict=True)):
        v = np.asarray(vf, dtype=np.float64)
        if v.shape != (issue.size,):
            raise BargainingError(
                f"value_functions[{issue.name!r}]: expected {issue.size} values, got {v.shape}"
            )
        if not np.all(np.isfinite(v)) or not np.isfinite(w[k]):
            raise BargainingError(f"value_functions[{issue.name!r}]: values must be finite")
        terms.append(w[k] * v)
    acc = terms[0]
    for term in terms[1:-1]:
        acc = np.add.outer(acc, term).ravel()
    if len(terms) == 1:
        out[...] = acc
    else:
        np.add.outer(acc, terms[-1], out=out.reshape(acc.size, terms[-1].size))
    return out


def check_utilities(utilities: npt.ArrayLike, *, batch: bool = False) -> FloatArray:
    """Validate utilities: ``(parties, outcomes)``, or ``(sessions, parties, outcomes)``.

    Raises
    ------
    BargainingError
        Wrong number of dimensions, fewer than two parties, no outcome, NaN or infinity.
    """
    try:
        u = np.asarray(utilities, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BargainingError(f"utilities: not a numeric array ({exc})") from exc
    want = "(sessions, parties, outcomes)" if batch else "(parties, outcomes)"
    if u.ndim != (3 if batch else 2):
        raise BargainingError(f"utilities: expected shape {want}, got {u.shape}")
    if u.shape[-2] < 2:
        raise BargainingError(f"utilities: need at least 2 parties, got shape {u.shape}")
    if u.shape[-1] < 1:
        raise BargainingError("utilities: no outcomes")
    # a finite sum proves every entry finite in one pass and no temporary; only a non-finite
    # sum (NaN, infinity, or an overflow of huge values) needs the element-wise search
    with np.errstate(over="ignore", invalid="ignore"):
        total = u.sum()
    if not np.isfinite(total):
        bad = ~np.isfinite(u)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise BargainingError(f"utilities: NaN or infinite value at index {where}")
    return u


def check_reservation(reservation: npt.ArrayLike, utilities: FloatArray) -> FloatArray:
    """Validate reservation values against utilities; returns shape ``utilities.shape[:-1]``.

    A reservation value must be finite and may not exceed the party's best outcome (then no
    agreement could ever be acceptable to it). Values below the worst outcome are allowed:
    they say every deal beats no deal.

    Raises
    ------
    BargainingError
        Wrong shape, NaN, or a value above the party's maximum utility.
    """
    try:
        r = np.asarray(reservation, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BargainingError(f"reservation: not a numeric array ({exc})") from exc
    want = utilities.shape[:-1]
    if r.shape != want:
        try:
            r = np.broadcast_to(r, want).copy()
        except ValueError as exc:
            raise BargainingError(
                f"reservation: expected shape {want} (one value per party), got {r.shape}"
            ) from exc
    if not np.all(np.isfinite(r)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(r))[0])
        raise BargainingError(f"reservation: NaN or infinite value at index {where}")
    best = utilities.max(axis=-1)
    above = r > best + 1e-12 * np.maximum(1.0, np.abs(best))
    if above.any():
        where = tuple(int(i) for i in np.argwhere(above)[0])
        raise BargainingError(
            f"reservation: value {float(r[where]):.6g} at index {where} is outside the utility "
            f"range: above the party's best outcome ({float(best[where]):.6g}), "
            "so no agreement could ever be acceptable"
        )
    return r


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """Who bargains over what: utilities of every outcome and the value of no deal.

    Parameters
    ----------
    utilities
        ``(parties, outcomes)`` float array; column ``c`` is outcome code ``c``.
    reservation
        ``(parties,)`` value of no deal for each party.
    space
        The outcome space, if the outcomes have issues (``None`` for a bare array).
    parties
        Party names (default ``A, B, C, ...``).
    """

    utilities: FloatArray
    reservation: FloatArray
    space: OutcomeSpace | None = None
    parties: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        u = check_utilities(self.utilities)
        r = check_reservation(self.reservation, u)
        if self.space is not None and self.space.n_outcomes != u.shape[1]:
            raise BargainingError(
                f"utilities: {u.shape[1]} outcomes but the space has {self.space.n_outcomes}"
            )
        names = self.parties or tuple(chr(ord("A") + k) for k in range(u.shape[0]))
        if len(names) != u.shape[0]:
            raise BargainingError(f"parties: {len(names)} names for {u.shape[0]} parties")
        u.flags.writeable = False
        r.flags.writeable = False
        object.__setattr__(self, "utilities", u)
        object.__setattr__(self, "reservation", r)
        object.__setattr__(self, "parties", tuple(names))

    @property
    def n_parties(self) -> int:
        """Number of parties."""
        return int(self.utilities.shape[0])

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes."""
        return int(self.utilities.shape[1])

    def with_reservation(self, reservation: npt.ArrayLike) -> BargainingProblem:
        """The same problem with other reservation values (e.g. after a threat is carried out)."""
        return BargainingProblem(
            self.utilities, np.asarray(reservation, float), self.space, self.parties
        )
