"""The one exception tree of tradetalks.

Every error raised on purpose derives from :class:`TradetalksError`. Errors about
what the user gave us (files, values, names) derive from :class:`InputError` and
make the command line exit with status 2; failures of a computation (a solver
that does not converge) exit with status 1. The command line prints
:meth:`TradetalksError.lines`, one line per problem, and a traceback only with
``--debug``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected.

    Parameters
    ----------
    source
        The file (or other origin, e.g. ``"<string>"``) the problem is in.
    field
        Dotted path of the offending field, e.g. ``parties.USA.discount``; may be empty.
    message
        What is wrong and what was expected.
    line
        1-based line in ``source`` where it can be told, else ``None``.
    """

    source: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class TradetalksError(Exception):
    """Base of every error tradetalks raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, problems: Sequence[Problem | str] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem | str, ...] = tuple(problems)

    def lines(self) -> list[str]:
        """One line per problem, for the command line."""
        return [str(p) for p in self.problems] or [str(self)]


class InputError(TradetalksError):
    """Something the user supplied is invalid: a file, a value, a name."""

    exit_code = 2


class ScenarioError(InputError):
    """A scenario file is malformed or inconsistent; ``problems`` lists every problem found."""


class DataError(InputError):
    """A data file or array is unusable (negative flows, no internal trade, unknown codes...)."""


class BargainingError(InputError):
    """Bad input to the bargaining engine (shapes, NaN, unknown strategy names...)."""


class ForecastError(InputError):
    """Bad input to a forecasting model or its data."""


class MonitorError(InputError):
    """Bad goals or indicator data for monitoring an agreement."""


class ResultError(TradetalksError):
    """A computed result cannot be trusted: an error with the reason, never a printed number.

    Raised for a non-finite number or a decomposition that does not add up.
    """


class StoreError(TradetalksError):
    """The run store cannot be read or written."""


@dataclass
class ConvergenceError(TradetalksError):
    """A numerical solver did not converge; ``diagnostics`` says how far it got.

    Never caught to return a partial answer: a result without convergence is not a result.
    """

    message: str
    diagnostics: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def lines(self) -> list[str]:
        """The message and the diagnostics on one line."""
        details = ", ".join(f"{k}={v}" for k, v in self.diagnostics.items())
        return [f"{self.message} ({details})" if details else self.message]
