"""The country and sector codes a scenario may name: WIOD's, or its own table's.

A scenario priced on the bundled WIOD names WIOD codes (``_codes``). One that names a
table of its own (``[economics] table``, e.g. Caliendo and Parro's 31 regions × 40
sectors, or pymrio's test system) names that table's codes instead: the loader reads
the table's labels and validates the scenario inside :func:`table_labels`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from tradetalks.scenario._codes import WIOD_COUNTRIES, WIOD_SECTORS

_LABELS: ContextVar[tuple[tuple[str, ...], tuple[str, ...]] | None] = ContextVar(
    "tradetalks_table_labels", default=None
)


@contextmanager
def table_labels(countries: Sequence[str], sectors: Sequence[str]) -> Iterator[None]:
    """Validate scenarios against these codes (a table's) instead of WIOD's, inside the block."""
    token = _LABELS.set((tuple(countries), tuple(sectors)))
    try:
        yield
    finally:
        _LABELS.reset(token)


def known_countries() -> tuple[str, ...]:
    """Country codes a scenario may name here."""
    labels = _LABELS.get()
    return WIOD_COUNTRIES if labels is None else labels[0]


def country_problem(code: str) -> str | None:
    """Why ``code`` is not a country a scenario may name, or ``None``."""
    if code in known_countries():
        return None
    if _LABELS.get() is None:
        return f"unknown country code {code!r}; expected a WIOD code such as USA, JPN"
    return f"unknown country code {code!r}; the scenario's table has " + ", ".join(
        known_countries()
    )


def sector_problem(codes: Sequence[str]) -> str | None:
    """Why some of ``codes`` are not sectors a scenario may name, or ``None``."""
    labels = _LABELS.get()
    known = WIOD_SECTORS if labels is None else labels[1]
    unknown = [c for c in codes if c not in known]
    if not unknown:
        return None
    if labels is None:
        return f"unknown sector code(s) {unknown}; expected WIOD codes c1..c35"
    return f"unknown sector code(s) {unknown}; the scenario's table has " + ", ".join(known)
