"""Helpers to build synthetic goals and series for the monitor tests."""

from __future__ import annotations

from typing import Any

from tradetalks.monitor import Goal, IndicatorSeries, series_from_points

START = 1990
AGREEMENT = 1994  # baseline 1990-1994 by default: five points


def annual(values: list[float], start: int = START) -> IndicatorSeries:
    return series_from_points(
        list(range(start, start + len(values))), values, name="synthetic", source="<test>"
    )


def goal(*criteria: dict[str, Any], **extra: Any) -> Goal:
    spec: dict[str, Any] = {
        "id": "g",
        "agreement": AGREEMENT,
        "indicator": {"kind": "file", "path": "unused.csv"},
        "criteria": list(criteria),
    }
    spec.update(extra)
    return Goal.model_validate(spec)
