"""The report's SVG plots: valid images that carry the run's numbers as marks and labels."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from _report_helpers import PARTIES, save_run, store_at
from hypothesis import assume, given
from hypothesis import strategies as st

import tradetalks.report as rp
from tradetalks.report._derive import option_shares, sweep_rates
from tradetalks.report._plots import utility_space
from tradetalks.report._plots_svg import PALETTE, limits, nice_step, tick_label, ticks
from tradetalks.report._plots_sweep import option_distributions, sweep_overview
from tradetalks.store import RunRecord

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> RunRecord:
    store = store_at(tmp_path_factory.mktemp("svg-store"))
    return store.get_run(save_run(store, "run"))


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def panels(root: ET.Element) -> list[ET.Element]:
    """The clipped groups: one per panel, holding its data marks."""
    return [g for g in root.iter(f"{NS}g") if g.get("clip-path")]


def test_every_plot_of_a_full_run_parses_with_titles_and_labels(full: RunRecord) -> None:
    report = rp.build_report(full)
    assert len(report.figures) == 6
    for figure in report.figures:
        root = parse(figure.svg)
        words = " ".join(texts(root))
        assert panels(root), figure.slug
        assert "government" in words or "%" in words or "sessions" in words, figure.slug


def test_utility_space_draws_one_mark_per_outcome(full: RunRecord) -> None:
    view = rp.run_view(full)
    figure = utility_space(view)
    assert figure is not None
    root = parse(figure.svg)
    table = full.tables["outcomes"]
    zopa = table["zopa"].to_numpy(dtype=bool)
    marks = panels(root)[0]
    dots = [c for c in marks.iter(f"{NS}circle") if c.get("fill") != "none"]
    # every outcome is a filled dot, coloured by its group; the ZOPA's are green
    assert len(dots) == len(table)
    assert sum(c.get("fill") == PALETTE[2] for c in dots) == int(zopa.sum())
    # each dot maps back (through the axes' linear scales) to an outcome's pair of utilities
    x = np.array([float(c.get("cx", 0)) for c in dots])
    y = np.array([float(c.get("cy", 0)) for c in dots])
    u1, u2 = table[f"u:{PARTIES[0]}"].to_numpy(float), table[f"u:{PARTIES[1]}"].to_numpy(float)
    back1 = u1.min() + (x - x.min()) * np.ptp(u1) / np.ptp(x)
    back2 = u2.max() - (y - y.min()) * np.ptp(u2) / np.ptp(y)  # SVG's y grows downwards
    for a, b in zip(back1, back2, strict=True):
        assert np.min(np.hypot(u1 - a, u2 - b)) < 1e-2 * max(np.ptp(u1), np.ptp(u2))
    words = texts(root)
    for label in ("ZOPA (ratifiable by both)", "Pareto frontier", "status quo",
                  "utility of USA's government", "utility of JPN's government"):  # fmt: skip
        assert label in words


def test_option_bars_are_the_sweeps_shares(full: RunRecord) -> None:
    view = rp.run_view(full)
    shares = option_shares(view)
    figure = option_distributions(view)
    assert figure is not None
    root = parse(figure.svg)
    groups = panels(root)
    assert len(groups) == len(shares)
    words = texts(root)
    for group, (issue, issue_shares) in zip(groups, shares.items(), strict=True):
        heights = [float(r.get("height", 0)) for r in group.iter(f"{NS}rect")]
        assert len(heights) == len(issue_shares), issue
        values = sorted(issue_shares.values())
        # bar heights are proportional to the shares (the axis runs 0-105 %)
        tallest = max(heights)
        assert sorted(h / tallest for h in heights) == pytest.approx(
            [v / max(values) for v in values], abs=1e-2
        )
        for v in issue_shares.values():
            assert f"{100 * v:.0f}%" in words


def test_rates_show_every_threat_and_the_agreement(full: RunRecord) -> None:
    view = rp.run_view(full)
    rates = sweep_rates(view)
    assert rates is not None
    figure = sweep_overview(view)
    assert figure is not None
    words = " ".join(texts(parse(figure.svg)))
    assert "agreement" in words and "95% interval" in words
    for threat in rates.threat_rates:
        assert threat in words


def test_user_text_in_a_plot_is_escaped(full: RunRecord) -> None:
    view = rp.run_view(full)
    figure = option_distributions(view)
    assert figure is not None and "<script" not in figure.svg
    evil = '<script>alert("x")</script> & more'
    from tradetalks.report._plots_svg import svg_text

    element = ET.fromstring(svg_text(evil, 0, 0))
    assert "".join(element.itertext()) == evil


@given(
    lo=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(1e-6, 1e6, allow_nan=False),
)
def test_ticks_are_nice_and_inside(lo: float, span: float) -> None:
    assume(span >= 1e-6 * abs(lo))  # a plot's range is not below float precision of its values
    hi = lo + span
    tol = 1e-9 * nice_step(span, 6) + 1e-12 * max(abs(lo), abs(hi))
    step = nice_step(hi - lo, 6)
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    found = ticks(lo, hi)
    assert 2 <= len(found) <= 13
    assert all(lo - tol <= t <= hi + tol for t in found)
    assert np.allclose(np.diff(found), step, rtol=1e-6)


def test_tick_labels_and_limits() -> None:
    assert [tick_label(v, 0.25) for v in (0.0, 0.25, -0.5)] == ["0.00", "0.25", "−0.50"]
    assert tick_label(12500, 2500) == "12,500"
    assert limits([0.0, 10.0]) == (-0.5, 10.5)  # matplotlib's 5% margins
    assert limits([3.0, 3.0])[0] < 3.0 < limits([3.0, 3.0])[1]


def test_plots_hold_no_script_or_external_reference(full: RunRecord) -> None:
    for figure in rp.build_report(full).figures:
        assert "<script" not in figure.svg and "href" not in figure.svg
        assert re.findall(r"url\((?!#)", figure.svg) == []
