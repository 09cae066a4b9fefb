"""Bad data never crashes: it gives 'not enough data' or one clear MonitorError."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from monitor_synthetic import annual, goal

from tradetalks import MonitorError
from tradetalks.monitor import Verdict, assess_goal, read_series_file, series_from_points

ALL = (
    {"kind": "prompt", "within_periods": 2, "min_change": 0.1},
    {"kind": "substantial", "min_change": 0.2},
    {"kind": "continuous"},
    {"kind": "target", "level": 120, "by": 1997},
)


def write_csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(text)
    return path


def test_gaps_are_kept_and_reported(tmp_path: Path) -> None:
    s = read_series_file(write_csv(tmp_path, "year,value\n1990,1\n1991,2\n1994,3\n"))
    assert s.labels == ("1990", "1991", "1992", "1993", "1994")
    assert s.gaps == ("1992", "1993")
    result = assess_goal(goal(*ALL, agreement=1990), s)
    assert any("gaps" in n for n in result.notes)


def test_empty_cells_are_gaps(tmp_path: Path) -> None:
    s = read_series_file(write_csv(tmp_path, "year,value\n1990,1\n1991,\n1992,3\n"))
    assert s.gaps == ("1991",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year,value\n1990,1\n1991,-2\n", "negative values at 1991"),
        ("year,value\n1990,1\n1990,2\n1991,2\n", "duplicated periods: 1990"),
        ("year,value\n1990,1\n1991,x\n", "non-numeric values (rows 3)"),
        ("when,value\n1990,1\n", "expected a 'period', 'date' or 'year' column"),
        ("year,amount\n1990,1\n", "no column 'value'"),
        ("year,value\n", "the series has no rows"),
        ("year,value\n1990,1\n1991,inf\n", "infinite values at 1991"),
        (
            "date,value\n2020-01-06,1\n2020-01-13,2\n2020-01-16,3\n2020-01-27,4\n",
            "off the regular grid",
        ),
        ("period,value\n1995,1\n19x6,2\n", "expected a year"),
        (
            "date,value\n2020-01-31,1\n2020-02-29,2\n2020-03-31,3\n2020-04-30,4\n"
            "2020-05-10,5\n2020-05-31,6\n",
            "two observations in one period: 2020-05-10 and 2020-05-31",
        ),
    ],
)
def test_unusable_files_raise_one_monitor_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(MonitorError) as info:
        read_series_file(write_csv(tmp_path, text))
    assert any(message in line for line in info.value.lines()), info.value.lines()
    assert all("series.csv" in line for line in info.value.lines())


def test_negative_values_allowed_when_asked(tmp_path: Path) -> None:
    s = read_series_file(write_csv(tmp_path, "year,value\n1990,1\n1991,-2\n"), allow_negative=True)
    assert s.values.tolist() == [1.0, -2.0]


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(MonitorError, match="no such file"):
        read_series_file(tmp_path / "nope.csv")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(MonitorError, match="cannot read"):
        read_series_file(bad)


def test_dated_quarterly_series_and_series_column(tmp_path: Path) -> None:
    text = "date,series,value\n" + "".join(
        f"{d},{name},{v}\n"
        for name in ("a", "b")
        for d, v in zip(
            ["2019-03-31", "2019-06-30", "2019-09-30", "2019-12-31", "2020-03-31"],
            [1, 2, 3, 4, 5],
            strict=True,
        )
    )
    s = read_series_file(write_csv(tmp_path, text), series="b")
    assert s.step == pytest.approx(0.25, abs=0.01)
    assert s.labels[0] == "2019-03-31" and not s.gaps
    result = assess_goal(goal({"kind": "continuous"}, agreement=dt.date(2019, 1, 1)), s)
    assert result.criteria[0].verdict is Verdict.MET
    with pytest.raises(MonitorError, match="unknown series"):
        read_series_file(write_csv(tmp_path, text), series="c")


@pytest.mark.parametrize(
    ("values", "agreement"),
    [
        ([1.0, 2.0], 2010),  # agreement after the series: no post period
        ([1.0, 2.0, 3.0], 1980),  # agreement before the series: no baseline
        ([1.0], 1990),  # too few points
    ],
)
def test_agreement_outside_or_too_few_points_is_not_enough_data(
    values: list[float], agreement: int
) -> None:
    result = assess_goal(goal(*ALL, agreement=agreement), annual(values))
    assert result.verdict is Verdict.NOT_ENOUGH_DATA
    assert all(c.verdict is Verdict.NOT_ENOUGH_DATA for c in result.criteria)
    assert all(c.evidence for c in result.criteria)


finite = st.floats(min_value=0, max_value=1e9, allow_nan=False)
maybe_missing = st.one_of(finite, st.just(math.nan))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(maybe_missing, min_size=1, max_size=14),
    start=st.integers(1985, 1995),
    agreement=st.integers(1980, 2010),
    k=st.integers(1, 4),
    level=finite,
    direction=st.sampled_from(["increase", "decrease"]),
)
def test_random_series_never_crash(
    values: list[float], start: int, agreement: int, k: int, level: float, direction: str
) -> None:
    criteria = (
        {"kind": "prompt", "within_periods": k, "min_change": 0.1},
        {"kind": "substantial", "min_change": 0.2, "average_periods": k},
        {"kind": "continuous", "min_periods": 3},
        {"kind": "target", "level": level, "by": agreement + k},
    )
    result = assess_goal(
        goal(*criteria, agreement=agreement, direction=direction), annual(values, start)
    )
    assert result.verdict in Verdict
    assert len(result.criteria) == 4
    json.dumps(result.to_dict(), allow_nan=False)  # strict JSON: no NaN or infinity leaks
    if all(math.isnan(v) for v in values):
        assert result.verdict is Verdict.NOT_ENOUGH_DATA


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(1, 1e6), min_size=8, max_size=12),
    factor=st.floats(1e-3, 1e3),
)
def test_relative_criteria_do_not_depend_on_units(values: list[float], factor: float) -> None:
    g = goal(*ALL[:3])
    a = assess_goal(g, annual(values))
    b = assess_goal(g, annual([v * factor for v in values]))
    assert [c.verdict for c in a.criteria] == [c.verdict for c in b.criteria]


@settings(max_examples=40, deadline=None)
@given(level=st.floats(0.1, 1e6), n=st.integers(10, 14))
def test_no_change_meets_no_growth_criterion(level: float, n: int) -> None:
    result = assess_goal(goal(*ALL[:3]), annual([level] * n))
    assert [c.verdict for c in result.criteria] == [
        Verdict.NOT_MET,
        Verdict.NOT_MET,
        Verdict.PARTLY_MET,  # no reversal at all, but no trend
    ]


def test_series_from_points_rejects_length_mismatch() -> None:
    with pytest.raises(MonitorError):
        series_from_points([1990, 1991], np.array([1.0]), name="x")


@pytest.mark.parametrize(
    ("freq", "n", "step_years"),
    [("ME", 72, 1 / 12), ("MS", 30, 1 / 12), ("QE", 20, 0.25), ("W-MON", 60, 7 / 365.25)],
)
def test_calendar_grids_have_no_false_gaps(freq: str, n: int, step_years: float) -> None:
    dates = [d.date() for d in pd.date_range("2015-01-01", periods=n, freq=freq)]
    s = series_from_points(dates, np.arange(n, dtype=float), name="x")
    assert len(s.labels) == n and not s.gaps
    assert s.step == pytest.approx(step_years)
    # drop two points: exactly those become gaps
    s2 = series_from_points(dates[:5] + dates[7:], np.arange(n - 2, dtype=float), name="x")
    assert len(s2.gaps) == 2 and len(s2.labels) == n
