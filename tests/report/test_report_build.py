"""Building reports from saved runs: sections, plots, tables, and runs that lack parts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from _report_helpers import (
    ISSUES,
    PARTIES,
    THREAT,
    deal_point_name,
    labels_of,
    nash_code,
    outcomes_table,
    save_run,
    store_at,
)
from hypothesis import given
from hypothesis import strategies as st

import tradetalks.report as rp
from tradetalks.report._build import _summary, _sweep_section, _talks_section
from tradetalks.report._derive import modal_deal, option_shares, sweep_rates
from tradetalks.report._plots import concession_curves, utility_space
from tradetalks.report._plots_sweep import sweep_overview, wilson_interval
from tradetalks.store import RunRecord, RunStore

ALL_FIGURES = {
    "utility-space",
    "concessions",
    "impacts-sectors",
    "impacts-welfare",
    "sweep-options",
    "sweep-rates",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> RunStore:
    return store_at(tmp_path_factory.mktemp("report-store"))


@pytest.fixture(scope="module")
def full(store: RunStore) -> RunRecord:
    return store.get_run(save_run(store, "run"))


@pytest.fixture(scope="module")
def full_report(full: RunRecord) -> rp.Report:
    return rp.build_report(full)


SVG = "{http://www.w3.org/2000/svg}"


def svg_size(svg: str) -> tuple[float, float]:
    """Width and height of a standalone SVG image (which must parse as XML)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    return float(root.get("width", 0)), float(root.get("height", 0))


def test_public_namespace_is_pinned() -> None:
    assert set(rp.__all__) == {
        "FORMATS",
        "SECTION_IDS",
        "IssueInfo",
        "Report",
        "ReportFigure",
        "ReportFormat",
        "ReportTable",
        "RunView",
        "Section",
        "WrittenReport",
        "build_report",
        "calendar_in_words",
        "data_uri",
        "default_report_path",
        "figure_file_names",
        "render_html",
        "render_markdown",
        "run_view",
        "write_report",
    }


def test_full_run_has_every_section_and_plot(full_report: rp.Report) -> None:
    assert tuple(s.id for s in full_report.sections) == rp.SECTION_IDS
    assert {f.slug for f in full_report.figures} == ALL_FIGURES
    for figure in full_report.figures:
        width, height = svg_size(figure.svg)
        assert width >= 600 and height >= 300, figure.slug
        assert figure.caption and figure.title
    # nothing is said to be missing from a complete run
    for section in full_report.sections:
        assert section.absent == (), (section.id, section.absent)


def test_plots_are_reproducible(full: RunRecord, full_report: rp.Report) -> None:
    again = utility_space(rp.run_view(full))
    assert again is not None
    assert again.svg == full_report.figures[0].svg


def test_html_is_self_contained(full_report: rp.Report) -> None:
    page = rp.render_html(full_report)
    assert page.startswith("<!DOCTYPE html>")
    assert 'src="http' not in page and "<script" not in page and "<link" not in page
    # no stylesheet fetching fonts or images: the only url() are the plots' own clip paths
    assert re.findall(r"url\((?!#)", page) == []
    figures = re.findall(r"<figure [^>]*>.*?</figure>", page, flags=re.S)
    assert len(figures) == len(ALL_FIGURES)
    for figure in figures:
        svg_size(figure[figure.index("<svg") : figure.index("</svg>") + 6])
    for section_id in rp.SECTION_IDS:
        assert f'<section id="{section_id}">' in page
    assert "US–Japan autos and auto parts, 1995" in page


def test_tables_agree_with_brute_force(full: RunRecord, full_report: rp.Report) -> None:
    summary = full_report.section("summary")
    deals = next(t for t in summary.tables if t.title == "Deals by issue")
    outcomes = full.tables["outcomes"]
    nash = labels_of(outcomes, nash_code(outcomes))
    column = deals.columns.index("Nash bargaining")
    by_issue = {row[0]: row[column] for row in deals.rows}
    for issue, (label, _) in ISSUES.items():
        assert by_issue[label] == nash[issue]
    headline = dict(next(t for t in summary.tables if t.title == "Headline").rows)
    rate = full.tables["sessions"]["agreed"].mean()
    assert headline["sweep: sessions / agreement rate"] == f"200 / {100 * rate:.1f}%"
    threats = next(t for t in summary.tables if t.title == "Threats")
    assert threats.rows[0][0] == THREAT and threats.rows[0][2] == "yes"
    sweep = full_report.section("sweep")
    (params,) = sweep.tables
    row = dict((r[0], r) for r in params.rows)[f"credibility.{THREAT}"]
    values = full.tables["params"][f"credibility.{THREAT}"]
    assert float(row[1]) == pytest.approx(values.min(), rel=1e-2)
    assert float(row[5]) == pytest.approx(values.max(), rel=1e-2)


def test_sweep_shares_match_value_counts(full: RunRecord) -> None:
    view = rp.run_view(full)
    sessions = full.tables["sessions"]
    shares = option_shares(view)
    for issue, (_, options) in ISSUES.items():
        counts = sessions[f"issue:{issue}"].replace("", "(no deal)").value_counts(normalize=True)
        assert set(shares[issue]) == {*options, "(no deal)"}
        for option, share in shares[issue].items():
            assert share == pytest.approx(counts.get(option, 0.0))
        assert sum(shares[issue].values()) == pytest.approx(1.0)
    modal = modal_deal(view)
    assert modal is not None
    deals = sessions.loc[sessions["agreed"], "outcome"].value_counts()
    assert modal.outcome == deals.index[0] or deals[modal.outcome] == deals.iloc[0]
    assert modal.share == pytest.approx(deals.iloc[0] / len(sessions))
    rates = sweep_rates(view)
    assert rates is not None
    assert rates.threat_rates[THREAT] == pytest.approx(sessions[f"threat:{THREAT}"].mean())


def test_the_deal_shown_is_the_priced_agreement(full_report: rp.Report, full: RunRecord) -> None:
    impacts = full_report.section("impacts")
    outcomes = full.tables["outcomes"]
    agreement = deal_point_name(labels_of(outcomes, nash_code(outcomes)))
    assert "the agreement the talks reached" in impacts.paragraphs[0]
    # the helper prices outcome 1 first: the report must pick the matching point, not the first
    assert agreement != deal_point_name(labels_of(outcomes, 1))
    view = rp.run_view(full)
    from tradetalks.report._derive import impact_points

    points, _ = impact_points(view, view.tables["impacts"])
    assert points[0].point == agreement
    assert [p.kind for p in points] == ["deal", "status_quo", "threat"]
    # the status quo is priced as zero change everywhere: said, not drawn
    assert any("no deal: status quo" in p for p in impacts.paragraphs)


@pytest.mark.parametrize(
    ("share", "n", "low", "high"),
    [  # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)
        (81 / 263, 263, 0.2553, 0.3662),
        (15 / 148, 148, 0.0624, 0.1605),
        (0 / 20, 20, 0.0, 0.1611),
        (1 / 29, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(share: float, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(share, n)
    assert lo == pytest.approx(low, abs=1e-4)
    assert hi == pytest.approx(high, abs=1e-4)


@given(n=st.integers(1, 100_000), data=st.data())
def test_wilson_interval_holds_the_share(n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(k / n, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


def test_sweep_where_every_session_agrees(full: RunRecord) -> None:
    """Rates of exactly 1 and 0 (no threat ever carried out) draw without error."""
    sessions = full.tables["sessions"]
    agreed = sessions[sessions["agreed"]].copy()
    agreed[f"threat:{THREAT}"] = False
    view = rp.run_view(_with_tables(full, {**full.tables, "sessions": agreed}))
    rates = sweep_rates(view)
    assert rates is not None and rates.agreement_rate == 1.0
    assert rates.threat_rates == {THREAT: 0.0}
    figure = sweep_overview(view)
    assert figure is not None
    svg_size(figure.svg)


def _absent(report: rp.Report, section: str) -> str:
    return " ".join(report.section(section).absent)


def test_analyze_run_renders_what_it_can(store: RunStore) -> None:
    record = store.get_run(save_run(store, "analyze"))
    report = rp.build_report(record)
    assert {f.slug for f in report.figures} == {
        "utility-space",
        "impacts-sectors",
        "impacts-welfare",
    }
    assert "trace" in _absent(report, "talks")
    assert "sweep" in _absent(report, "sweep").lower()
    notes = " ".join(report.section("summary").absent)
    assert "'analyze' run has no 'trace' table" in notes
    page = rp.render_html(report)
    assert 'class="absent"' in page and "'trace'" in page


def test_sweep_run_renders_what_it_can(store: RunStore) -> None:
    record = store.get_run(save_run(store, "sweep"))
    report = rp.build_report(record)
    assert "concessions" not in {f.slug for f in report.figures}
    assert {"sweep-options", "sweep-rates", "utility-space"} <= {f.slug for f in report.figures}
    assert "trace" in _absent(report, "talks")
    # no session agreement, the sweep's most frequent deal is not priced: the Nash deal is shown
    assert "Nash bargaining deal" in report.section("impacts").paragraphs[0]


def test_unfinished_run_without_summary_still_renders(store: RunStore) -> None:
    record = store.get_run(save_run(store, "run", finish=False))
    assert record.summary is None
    view = rp.run_view(record)
    assert any("no summary" in n for n in view.notes)
    # parties come from the u:<party> columns; the sweep is read from its sessions
    assert view.parties == PARTIES
    assert utility_space(view) is not None
    assert "sweep-options" in {f.slug for f in _sweep_section(view).figures}


def test_table_without_needed_columns_is_named_and_skipped(store: RunStore) -> None:
    record = store.get_run(save_run(store, "negotiate"))
    broken_trace = record.tables["trace"].drop(columns=["u:JPN"])
    tables = {**record.tables, "trace": broken_trace}
    patched = _with_tables(record, tables)
    view = rp.run_view(patched)
    assert "trace" not in view.tables
    assert any("'trace' table lacks column(s) u:JPN" in n for n in view.notes)
    assert concession_curves(view) is None
    assert "trace" in " ".join(_talks_section(view).absent)


def test_user_text_is_escaped(store: RunStore) -> None:
    evil = "<script>alert(1)</script> & co"
    record = store.get_run(save_run(store, "analyze", summary_edit={"title": evil}))
    view = rp.run_view(record)
    assert view.title == evil
    report = rp.Report(
        view.title, view.run_id, (("scenario", evil),), (_summary(view), _talks_section(view))
    )
    page = rp.render_html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    markdown = rp.render_markdown(report, {f.slug: f"{f.slug}.svg" for f in report.figures})
    assert "<script" not in markdown and "</script" not in markdown
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt; &amp; co" in markdown


@pytest.mark.parametrize(
    "evil",
    [
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "![x](http://tracker.example/p.png)",
        "a | b\n# heading",
        "`code` *bold* _it_",
    ],
)
def test_markdown_text_renders_as_written(evil: str) -> None:
    from tradetalks.report._render import md_text

    text = md_text(evil)
    assert "<" not in text and ">" not in text
    for mark in "[]()|*_`#!":
        assert all(text[i - 1] == "\\" for i, c in enumerate(text) if c == mark), (mark, text)


def test_empty_summary_parts_and_nulls_are_tolerated(store: RunStore) -> None:
    outcomes = outcomes_table()
    analysis = {
        "no_deal": {"USA": None, "JPN": "x"},  # malformed values are skipped, not fatal
        "status_quo": None,
        "threats": "none",
        "nash": None,
    }
    record = store.get_run(
        save_run(store, "analyze", summary_edit={"analysis": analysis, "issues": None})
    )
    view = rp.run_view(record)
    assert utility_space(view) is not None
    # issues inferred from the issue:<id> columns when the summary does not give them
    assert {i.id for i in view.issues} == set(ISSUES)
    assert len(outcomes) == 54
    assert view.parties == PARTIES


def _with_tables(record: RunRecord, tables: dict[str, pd.DataFrame]) -> RunRecord:
    return RunRecord(
        record.info,
        record.scenario_text,
        record.settings,
        record.summary,
        record.batches,
        record.table_rows,
        tables,
    )


def test_empty_sessions_table_falls_back_to_the_summary(full: RunRecord) -> None:
    empty = full.tables["sessions"].iloc[:0]
    view = rp.run_view(_with_tables(full, {**full.tables, "sessions": empty}))
    assert "sessions" not in view.tables
    assert "The 'sessions' table is empty." in view.notes
    section = _sweep_section(view)
    # the summary's sweep part still gives the rates and option shares
    assert {f.slug for f in section.figures} == {"sweep-options", "sweep-rates"}
    assert "from the summary" in " ".join(section.absent)
    rates = sweep_rates(view)
    assert rates is not None and rates.sessions == 200


def test_markdown_links_each_plot_and_has_tables(full_report: rp.Report) -> None:
    names = rp.figure_file_names(full_report, "page")
    text = rp.render_markdown(full_report, names)
    for name in names.values():
        assert f"]({name})" in text
    assert "| issue |" in text


def test_zoom_on_a_small_zopa(full: RunRecord) -> None:
    from tradetalks.report._plots import _zoom_box

    outcomes = full.tables["outcomes"].copy()
    view = rp.run_view(_with_tables(full, {**full.tables, "outcomes": outcomes}))
    assert _zoom_box(view, outcomes) is None  # the synthetic ZOPA is most of the space
    # squeeze the ZOPA into a corner: the zoom box holds every ZOPA outcome and the deals
    small = outcomes.copy()
    zopa = small["zopa"].to_numpy()
    small.loc[zopa, "u:USA"] = 0.05 + 0.001 * np.arange(zopa.sum())
    small.loc[zopa, "u:JPN"] = -0.05 - 0.001 * np.arange(zopa.sum())
    summary = dict(full.summary or {})
    summary["analysis"] = {**summary["analysis"], "nash": None}
    summary.pop("session")
    record = RunRecord(
        full.info,
        full.scenario_text,
        full.settings,
        summary,
        full.batches,
        full.table_rows,
        {"outcomes": small},
    )
    view = rp.run_view(record)
    box = _zoom_box(view, small)
    assert box is not None
    x, y = small.loc[zopa, "u:USA"], small.loc[zopa, "u:JPN"]
    assert box[0] < x.min() and x.max() < box[1] and box[2] < y.min() and y.max() < box[3]
    figure = utility_space(view)
    assert figure is not None and svg_size(figure.svg)[0] > 1200  # two panels
    # a ZOPA of two outcomes gets no zoom
    two = small.copy()
    two["zopa"] = False
    two.loc[two.index[:2], "zopa"] = True
    assert _zoom_box(view, two) is None


def test_impacts_without_a_priced_deal_say_so(full: RunRecord) -> None:
    from tradetalks.report._derive import impact_points

    impacts = full.tables["impacts"]
    no_deal_only = impacts[impacts["kind"] != "deal"]
    view = rp.run_view(_with_tables(full, {**full.tables, "impacts": no_deal_only}))
    points, reason = impact_points(view, no_deal_only)
    assert [p.kind for p in points] == ["status_quo", "threat"]
    assert "priced no deal" in reason


def test_the_sweep_section_says_what_happened_by_date_and_stage(
    store: RunStore, full_report: rp.Report
) -> None:
    calendar = {
        "agreed_by": {"1995-06-05": 0.01, "1995-06-16": 0.02, "1995-06-28": 0.4},
        "stages": {
            "summits": {"halifax": {"date": "1995-06-16", "agreed": 0.01, "failed": 0.95,
                                    "agreed_after": 0.35}},
            "threats": {"s301": {"due": "1995-06-28", "without_deal": 0.41,
                                 "after_agreement": 0.0}},
        },
    }  # fmt: skip
    record = store.get_run(save_run(store, "run", summary_edit={"calendar": calendar}))
    (line,) = rp.build_report(record).section("sweep").paragraphs
    assert line == rp.calendar_in_words(calendar)
    summit = "summit halifax (1995-06-16): agreed 1%, failed 95% (then agreed in the talks 35%)"
    assert summit in line
    assert "s301 carried out on 1995-06-28: 41% with no deal, 0% after an agreement" in line
    assert full_report.section("sweep").paragraphs == ()  # a run without a calendar
    assert rp.calendar_in_words({"agreed_by": {}, "stages": {"summits": {}, "threats": {}}}) == ""
