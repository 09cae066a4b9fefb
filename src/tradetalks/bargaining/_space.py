r"""Outcome spaces: products of discrete issues, outcomes as mixed-radix integer codes.

An outcome of a space with issues of sizes :math:`n_1, \dots, n_I` is a tuple of value
indices :math:`(v_1, \dots, v_I)` with :math:`0 \le v_i < n_i`. Its integer code is the
mixed-radix number

.. math:: c = \sum_{i=1}^{I} v_i \prod_{j > i} n_j,

so the last issue varies fastest (the order of ``itertools.product`` and of NegMAS's
enumeration). Arrays indexed by outcome (utilities, masks) use these codes as positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from tradetalks._errors import BargainingError

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Issue:
    """One negotiated issue with a finite list of values.

    Parameters
    ----------
    name
        The issue's name (unique within a space).
    values
        Labels of the values, in order.
    ordered
        ``True`` if the values have a natural order (quantities, dates), ``False`` for
        categories. Only informative: utilities say who prefers what.
    """

    name: str
    values: tuple[str, ...]
    ordered: bool = False

    def __post_init__(self) -> None:
        if not self.values:
            raise BargainingError(f"issue {self.name!r} has no values")
        if len(set(self.values)) != len(self.values):
            raise BargainingError(f"issue {self.name!r} has duplicate values")

    @property
    def size(self) -> int:
        """Number of values."""
        return len(self.values)

    @classmethod
    def continuous(cls, name: str, low: float, high: float, n_values: int) -> Issue:
        """A continuous issue on ``[low, high]`` discretised on ``n_values`` evenly spaced points.

        Parameters
        ----------
        name
            The issue's name.
        low, high
            Bounds of the interval (``low < high``).
        n_values
            Number of grid points, at least 2; the bounds are included.
        """
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise BargainingError(f"issue {name!r}: need finite low < high, got {low}, {high}")
        if n_values < 2:
            raise BargainingError(f"issue {name!r}: need at least 2 values, got {n_values}")
        grid = np.linspace(low, high, n_values)
        return cls(name, tuple(f"{x:.10g}" for x in grid), ordered=True)

    @classmethod
    def integers(cls, name: str, low: int, high: int) -> Issue:
        """An ordered issue taking the integers ``low, low + 1, ..., high``."""
        if high < low:
            raise BargainingError(f"issue {name!r}: need low <= high, got {low}, {high}")
        return cls(name, tuple(str(v) for v in range(low, high + 1)), ordered=True)


@dataclass(frozen=True)
class OutcomeSpace:
    """The product of ``issues``; outcome ``code`` ↔ value indices by mixed radix.

    Parameters
    ----------
    issues
        The issues, in order (the last one varies fastest in the codes).
    """

    issues: tuple[Issue, ...]

    def __post_init__(self) -> None:
        if not self.issues:
            raise BargainingError("an outcome space needs at least one issue")
        names = [i.name for i in self.issues]
        if len(set(names)) != len(names):
            raise BargainingError(f"duplicate issue names in {names}")

    @classmethod
    def from_sizes(cls, sizes: Sequence[int], prefix: str = "issue") -> OutcomeSpace:
        """A space of anonymous issues ``issue0, issue1, ...`` with values ``0..n-1``."""
        return cls(
            tuple(Issue.integers(f"{prefix}{k}", 0, int(n) - 1) for k, n in enumerate(sizes))
        )

    @property
    def radices(self) -> tuple[int, ...]:
        """Size of each issue."""
        return tuple(i.size for i in self.issues)

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes: the product of the issue sizes."""
        return int(np.prod(self.radices, dtype=np.int64))

    @property
    def issue_names(self) -> tuple[str, ...]:
        """Names of the issues."""
        return tuple(i.name for i in self.issues)

    @cached_property
    def _strides(self) -> IntArray:
        radices = np.asarray(self.radices, dtype=np.int64)
        return np.concatenate([np.cumprod(radices[::-1])[::-1][1:], [1]]).astype(np.int64)

    def encode(self, value_indices: npt.ArrayLike) -> IntArray:
        """Codes of outcomes given as value indices, shape ``(..., n_issues)`` → ``(...)``."""
        idx = np.asarray(value_indices, dtype=np.int64)
        if idx.shape[-1:] != (len(self.issues),):
            raise BargainingError(
                f"value indices need a last axis of {len(self.issues)} issues, got {idx.shape}"
            )
        if np.any(idx < 0) or np.any(idx >= np.asarray(self.radices)):
            raise BargainingError("value index out of range for its issue")
        return np.asarray(idx @ self._strides, dtype=np.int64)

    def decode(self, codes: npt.ArrayLike) -> IntArray:
        """Value indices of outcome codes, shape ``(...)`` → ``(..., n_issues)``."""
        c = np.asarray(codes, dtype=np.int64)
        if np.any(c < 0) or np.any(c >= self.n_outcomes):
            raise BargainingError(f"outcome code out of range [0, {self.n_outcomes})")
        return (c[..., None] // self._strides) % np.asarray(self.radices, dtype=np.int64)

    def values_table(self) -> IntArray:
        """Value indices of every outcome, shape ``(n_outcomes, n_issues)`` (int64)."""
        return self.decode(np.arange(self.n_outcomes, dtype=np.int64))

    def labels(self, code: int) -> dict[str, str]:
        """The outcome ``code`` as ``{issue name: value label}``."""
        idx = self.decode(np.asarray(code))
        return {iss.name: iss.values[int(v)] for iss, v in zip(self.issues, idx, strict=True)}

    def code_of(self, labels: dict[str, str]) -> int:
        """The code of the outcome given as ``{issue name: value label}``."""
        try:
            idx = [iss.values.index(labels[iss.name]) for iss in self.issues]
        except (KeyError, ValueError) as exc:
            raise BargainingError(f"not an outcome of this space: {labels}") from exc
        return int(self.encode(idx))
