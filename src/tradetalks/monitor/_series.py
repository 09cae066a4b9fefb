"""Indicator time series: one regular grid of periods, gaps kept as NaN.

Periods are either calendar years (``1995``) or dates. Every period gets a numeric time
``t`` in decimal years (a year ``Y`` is ``Y.0``, a date is ``year + (day of year - 1) /
days in year``) so that agreement dates, baselines and deadlines of either kind compare
on one axis. A period is *after* the agreement when its ``t`` is strictly greater than
the agreement's: the agreement's own period counts as baseline.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._errors import MonitorError, Problem
from tradetalks._inputs import MAX_YEARS, read_table

PeriodLike = int | dt.date | str

_YEAR_RANGE = (1000, 3000)


_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
MAX_PERIODS = 12 * MAX_YEARS
"""Most periods in one series (monthly data over :data:`~tradetalks._inputs.MAX_YEARS`)."""


def to_time(period: PeriodLike, *, source: str = "<goal>", field: str = "") -> float:
    """Decimal-year time of a period: ``1995`` -> 1995.0, ``1995-08-23`` -> 1995.64.

    Strings are ISO dates (``"1995-08-23"``), months (``"1995-08"``) or years (``"1995"``).
    """
    if isinstance(period, bool):
        raise MonitorError("bad period", [Problem(source, field, f"not a period: {period!r}")])
    if isinstance(period, int):
        return float(period)
    if isinstance(period, dt.datetime):
        period = period.date()
    if isinstance(period, dt.date):
        start = dt.date(period.year, 1, 1)
        days = (dt.date(period.year + 1, 1, 1) - start).days
        return period.year + (period - start).days / days
    if isinstance(period, str):
        text = period.strip()
        if text.isdigit():
            return float(int(text))
        quarter = _QUARTER.fullmatch(text)
        if quarter:  # 1995-Q3, 1995Q3: the quarter's first day (pandas deprecates parsing it)
            text = f"{quarter.group(1)}-{3 * int(quarter.group(2)) - 2:02d}-01"
        try:
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError):
            stamp = None
        if stamp is not None and not pd.isna(stamp):
            return to_time(stamp.date(), source=source, field=field)
    raise MonitorError(
        "bad period",
        [Problem(source, field, f"expected a year (1995) or a date (1995-08-23), got {period!r}")],
    )


@dataclass(frozen=True)
class IndicatorSeries:
    """A regular time series of one indicator.

    Attributes
    ----------
    name
        What is measured, e.g. ``"USA->JPN c15 exports"``.
    unit
        Unit of ``values``, e.g. ``"million USD"`` or ``"share"``.
    labels
        One label per period (``"1995"`` or ``"1995-03-31"``).
    times
        Decimal-year time of each period, increasing, evenly spaced by ``step``.
    values
        Observed value per period; ``NaN`` where the period is missing (a gap).
    step
        Spacing of the grid in years (1.0 for annual data).
    source
        Where the data come from (dataset or file).
    """

    name: str
    unit: str
    labels: tuple[str, ...]
    times: npt.NDArray[np.float64]
    values: npt.NDArray[np.float64]
    step: float
    source: str

    def __post_init__(self) -> None:
        if not (len(self.labels) == self.times.shape[0] == self.values.shape[0]):
            raise MonitorError(f"series {self.name!r}: labels, times and values differ in length")

    @property
    def gaps(self) -> tuple[str, ...]:
        """Labels of the periods with no observation."""
        return tuple(lab for lab, v in zip(self.labels, self.values, strict=True) if np.isnan(v))

    def until(self, time: float) -> IndicatorSeries:
        """The series cut after ``time`` (periods with ``t <= time`` kept)."""
        keep = self.times <= time + 1e-9
        return IndicatorSeries(
            self.name,
            self.unit,
            tuple(lab for lab, k in zip(self.labels, keep, strict=True) if k),
            self.times[keep],
            self.values[keep],
            self.step,
            self.source,
        )


def series_from_points(
    periods: Sequence[PeriodLike],
    values: npt.ArrayLike,
    *,
    name: str,
    unit: str = "",
    source: str = "<data>",
    allow_negative: bool = False,
) -> IndicatorSeries:
    """Build a regular series from (period, value) points, checking them.

    Duplicated periods, infinite values and (unless ``allow_negative``) negative values raise
    one :class:`MonitorError` naming them; NaN values and missing periods become gaps.
    Annual data (integer years) get a step of one year; dated data get the median spacing,
    and a point off that grid by more than a quarter of a step is an error.
    """
    vals = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(periods) != vals.shape[0]:
        raise MonitorError(f"{source}: {len(periods)} periods but {vals.shape[0]} values")
    if vals.shape[0] == 0:
        raise MonitorError("empty series", [Problem(source, name, "the series has no rows")])
    annual = all(
        (isinstance(p, int) and not isinstance(p, bool))
        or (isinstance(p, str) and p.strip().isdigit())
        for p in periods
    )
    times = np.array([to_time(p, source=source, field="period") for p in periods])
    labels = [
        str(int(t)) if annual else _date_label(p) for t, p in zip(times, periods, strict=True)
    ]
    problems: list[Problem] = []
    order = np.argsort(times, kind="stable")
    times, vals = times[order], vals[order]
    labels = [labels[i] for i in order]
    dup = np.flatnonzero(np.diff(times) == 0)
    if dup.size:
        shown = sorted({labels[i] for i in dup})
        problems.append(Problem(source, name, f"duplicated periods: {', '.join(shown)}"))
    bad_inf = [labels[i] for i in np.flatnonzero(np.isinf(vals))]
    if bad_inf:
        problems.append(Problem(source, name, f"infinite values at {', '.join(bad_inf)}"))
    if not allow_negative:
        negative = [labels[i] for i in np.flatnonzero(vals < 0)]
        if negative:
            problems.append(
                Problem(
                    source,
                    name,
                    f"negative values at {', '.join(negative)} (set allow_negative = true "
                    "if the indicator can be negative)",
                )
            )
    if problems:
        raise MonitorError(f"unusable series {name!r}", problems)
    pos, step = _grid_positions(labels, times, annual)
    return _regularise(name, unit, source, labels, times, vals, pos, step, annual)


# Calendar steps recognised from the median spacing of dated data, in days -> months
_MONTHLY_STEPS = ((27, 32, 1), (88, 93, 3), (180, 185, 6), (363, 368, 12))


def _grid_positions(
    labels: list[str], times: npt.NDArray[np.float64], annual: bool
) -> tuple[npt.NDArray[np.float64], float]:
    """Position of each point on its regular grid (whole numbers when on it) and the step.

    Years step by one. Dated data step by calendar months when their median spacing is a
    month, a quarter, a half-year or a year (months have unequal lengths, so positions count
    months: 31 Jan and 29 Feb are one step apart), else by a fixed number of days.
    """
    if annual:
        return times - times[0], 1.0
    if times.size < 2:
        return np.zeros(times.shape), 1.0
    dates = [dt.date.fromisoformat(lab) for lab in labels]
    days = np.array([(d - dates[0]).days for d in dates], dtype=np.float64)
    spacing = float(np.median(np.diff(days)))
    for low, high, months in _MONTHLY_STEPS:
        if low <= spacing <= high:
            index = np.array(
                [(d.year - dates[0].year) * 12 + d.month - dates[0].month for d in dates]
            )
            return index / months, months / 12
    return days / spacing, spacing / 365.25


def _date_label(period: PeriodLike) -> str:
    if isinstance(period, dt.date):
        return period.isoformat()
    text = str(period).strip()
    return str(pd.Timestamp(text).date())


def _regularise(
    name: str,
    unit: str,
    source: str,
    labels: list[str],
    times: npt.NDArray[np.float64],
    vals: npt.NDArray[np.float64],
    pos: npt.NDArray[np.float64],
    step: float,
    annual: bool,
) -> IndicatorSeries:
    slot = np.rint(pos).astype(np.int64)
    n_steps = int(slot[-1])
    if n_steps + 1 > MAX_PERIODS:  # a typo (year 999999999) must not allocate gigabytes
        raise MonitorError(
            f"series {name!r} spans too many periods",
            [
                Problem(
                    source,
                    name,
                    f"{labels[0]}..{labels[-1]} spans {n_steps + 1:,} periods; "
                    f"the limit is {MAX_PERIODS:,}",
                )
            ],
        )
    off = np.abs(pos - slot)
    if np.any(off > 0.25):
        shown = [labels[i] for i in np.flatnonzero(off > 0.25)][:5]
        raise MonitorError(
            f"irregular series {name!r}",
            [Problem(source, name, f"periods off the regular grid: {', '.join(shown)}")],
        )
    same = np.flatnonzero(np.diff(slot) == 0)
    if same.size:
        pairs = [f"{labels[i]} and {labels[i + 1]}" for i in same[:3]]
        raise MonitorError(
            f"irregular series {name!r}",
            [Problem(source, name, f"two observations in one period: {'; '.join(pairs)}")],
        )
    grid_vals = np.full(n_steps + 1, np.nan)
    grid_vals[slot] = vals
    grid_labels = [""] * (n_steps + 1)
    for s, lab in zip(slot, labels, strict=True):
        grid_labels[s] = lab
    grid_times = times[0] + step * np.arange(n_steps + 1)
    grid_times[slot] = times
    for s in range(n_steps + 1):
        if not grid_labels[s]:
            grid_labels[s] = (
                str(round(grid_times[s])) if annual else f"~{_time_label(grid_times[s])}"
            )
    return IndicatorSeries(name, unit, tuple(grid_labels), grid_times, grid_vals, step, source)


def _time_label(t: float) -> str:
    year = math.floor(t)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return (start + dt.timedelta(days=round((t - year) * days))).isoformat()


def read_series_file(
    path: Path,
    *,
    series: str | None = None,
    period_column: str | None = None,
    value_column: str = "value",
    series_column: str = "series",
    name: str | None = None,
    unit: str = "",
    allow_negative: bool = False,
) -> IndicatorSeries:
    """Read one indicator from a CSV or Parquet file.

    The file has a period column (``period``, ``date`` or ``year`` unless ``period_column``
    names it) and a value column; when it holds several series, a ``series`` column tells
    them apart and ``series`` picks one.
    """
    src = str(path)
    frame = read_table(path, error=MonitorError)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if period_column is None:
        found = [c for c in ("period", "date", "year") if c in columns]
        if not found:
            raise MonitorError(
                "no period column",
                [Problem(src, "", "expected a 'period', 'date' or 'year' column")],
            )
        period_column = found[0]
    for col in (period_column, value_column):
        if col not in columns:
            raise MonitorError(
                "missing column", [Problem(src, col, f"no column {col!r} in the file")]
            )
    if series is not None:
        if series_column not in columns:
            raise MonitorError(
                "no series column",
                [Problem(src, series_column, f"series {series!r} asked but no {series_column!r}")],
            )
        frame = frame[frame[series_column].astype(str) == series]
        if frame.empty:
            raise MonitorError(
                "unknown series", [Problem(src, series_column, f"no rows for series {series!r}")]
            )
    values = pd.to_numeric(frame[value_column], errors="coerce")
    bad = frame[value_column].notna() & values.isna()
    if bad.any():
        rows = [str(i + 2) for i in np.flatnonzero(bad.to_numpy())][:5]
        raise MonitorError(
            "non-numeric values",
            [Problem(src, value_column, f"non-numeric values (rows {', '.join(rows)})")],
        )
    raw = frame[period_column]
    periods: list[PeriodLike]
    if pd.api.types.is_integer_dtype(raw):
        periods = [int(p) for p in raw]
    elif pd.api.types.is_datetime64_any_dtype(raw):
        periods = [p.date() for p in raw]
    else:
        periods = [str(p) for p in raw]
    return series_from_points(
        periods,
        values.to_numpy(dtype=np.float64),
        name=name or series or value_column,
        unit=unit,
        source=src,
        allow_negative=allow_negative,
    )
