"""The report of a run with three or more parties: the parallel-coordinates picture and table."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from tradetalks.report import SECTION_IDS, build_report
from tradetalks.report._plots_nparty import MAX_LINES, parallel_parties_svg, parties_table
from tradetalks.report._render import render_html
from tradetalks.report._view import IssueInfo, RunView

PARTIES = ("USA", "JPN", "A&B", "NZL")
NO_DEAL = (0.1, -0.2, 0.0, 0.05)


def _view(parties: tuple[str, ...] = PARTIES, n_options: int = 8) -> RunView:
    """Two issues, ``n_options**2`` outcomes; win-sets by brute force against NO_DEAL."""
    rng = np.random.default_rng(0)
    combos = list(itertools.product(range(n_options), repeat=2))
    table = pd.DataFrame({"code": np.arange(len(combos), dtype=np.int64)})
    table["issue:a"] = [f"a{i}" for i, _ in combos]
    table["issue:b"] = [f"b{j}" for _, j in combos]
    u = rng.normal(0.2, 0.5, (len(parties), len(combos)))
    d = np.array(NO_DEAL[: len(parties)])
    for k, p in enumerate(parties):
        table[f"u:{p}"] = u[k]
        table[f"win_set:{p}"] = u[k] >= d[k]
        table[f"ratified:{p}"] = u[k] >= d[k] - 0.1  # ratifies a little more than it signs
    table["zopa"] = np.all(u >= d[:, None], axis=0)
    table["frontier"] = [not np.any(np.all(u >= u[:, [o]], axis=0) & np.any(u > u[:, [o]], axis=0))
                         for o in range(len(combos))]  # fmt: skip
    zopa = np.flatnonzero(table["zopa"])
    nash = int(zopa[np.argmax(np.prod(u[:, zopa] - d[:, None], axis=0))])
    point = {"outcome": nash, "labels": {"a": table["issue:a"][nash], "b": table["issue:b"][nash]},
             "utilities": dict(zip(parties, u[:, nash].tolist(), strict=True))}  # fmt: skip
    analysis = {
        "no_deal": dict(zip(parties, d.tolist(), strict=True)),
        "win_set_sizes": {p: int(table[f"win_set:{p}"].sum()) for p in parties},
        "zopa_size": len(zopa),
        "n_outcomes": len(combos),
        "nash": point,
        "kalai_smorodinsky": point,
    }
    issues = tuple(IssueInfo(i, i, tuple(sorted(set(table[f"issue:{i}"]))), None) for i in "ab")
    return RunView("r1", "analyze", "finished", datetime(2026, 1, 1, tzinfo=UTC), "toy", "Toy",
                   0, "WIOD", "0", parties, issues, analysis, {}, {}, {}, {"outcomes": table},
                   (), ("NZL is priced as part of RoW",))  # fmt: skip


def test_one_axis_per_party_and_one_line_per_deal() -> None:
    view = _view()
    svg = parallel_parties_svg(view)
    assert svg is not None and svg.startswith("<svg") and svg.endswith("</svg>")
    assert len(re.findall(r'<line x1="(\d+)" y1="70" x2="\1"', svg)) == len(PARTIES)
    table = view.tables["outcomes"]
    zopa = int(table["zopa"].sum())
    lines = min(zopa, MAX_LINES) + min(len(table) - zopa, MAX_LINES)
    # Deals, plus the no-deal line and the Nash and Kalai–Smorodinsky deals.
    assert svg.count("<polyline") == lines + 3
    assert "A&amp;B" in svg and "A&B" not in svg  # text is escaped


def test_lines_are_capped_for_large_spaces() -> None:
    view = _view(n_options=30)  # 900 outcomes
    svg = parallel_parties_svg(view)
    assert svg is not None
    assert svg.count("<polyline") <= 2 * MAX_LINES + 3


def test_a_deal_lies_on_each_axis_at_its_utility() -> None:
    view = _view()
    svg = parallel_parties_svg(view)
    assert svg is not None
    nash = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#2CA02C"', svg)
    assert len(nash) == 1
    heights = [float(p.split(",")[1]) for p in nash[0].split()]
    table = view.tables["outcomes"]
    for k, p in enumerate(PARTIES):
        u = table[f"u:{p}"].to_numpy()
        low, high = min(u.min(), NO_DEAL[k]), max(u.max(), NO_DEAL[k])
        value = view.analysis["nash"]["utilities"][p]
        assert heights[k] == round(70 + 300 * (1 - (value - low) / (high - low)), 1)


def test_the_parties_table_reads_the_nash_row() -> None:
    view = _view()
    table = parties_table(view)
    assert table is not None and [r[0] for r in table.rows] == list(PARTIES)
    row = view.tables["outcomes"].set_index("code").loc[view.analysis["nash"]["outcome"]]
    for r, p in zip(table.rows, PARTIES, strict=True):
        assert r[5] == ("yes" if row[f"ratified:{p}"] else "no")
        assert r[6] == "yes"  # the Nash deal is in the zone of agreement: in every win-set
        assert r[2] == str(view.analysis["win_set_sizes"][p])


def test_the_section_appears_only_with_more_than_two_parties() -> None:
    report = build_report(_view())
    ids = [s.id for s in report.sections]
    assert ids == [*SECTION_IDS[:2], "parties", *SECTION_IDS[2:]]
    assert "NZL is priced as part of RoW" in report.section("summary").paragraphs
    html = render_html(report)
    assert '<figure id="fig-parties"><h3>Every government&#x27;s view' in html or \
        '<figure id="fig-parties"><h3>Every government' in html  # fmt: skip
    assert "<svg" in html
    two = build_report(_view(PARTIES[:2]))
    assert tuple(s.id for s in two.sections) == SECTION_IDS
    assert "parties" not in {f.slug for f in two.figures}  # every plot is SVG now


def _with_trace(view: RunView, agreed: bool) -> RunView:
    """Every party offers a deal each round and every other party answers (accept votes)."""
    from dataclasses import replace

    table = view.tables["outcomes"]
    rows = []
    for rnd in range(3):
        for k, p in enumerate(view.parties):
            code = int((rnd * len(view.parties) + k) % len(table))
            action = "offer" if k == 0 else "accept"
            utilities = {f"u:{q}": float(table.loc[code, f"u:{q}"]) for q in view.parties}
            rows.append({"turn": len(rows), "round": rnd, "party": p, "action": action,
                         "outcome": code, **utilities})  # fmt: skip
    session = ({"status": "agreed", "outcome": int(rows[-1]["outcome"])} if agreed
               else {"status": "no deal", "outcome": None})  # fmt: skip
    return replace(view, session=session, tables={**view.tables, "trace": pd.DataFrame(rows)})


def test_per_party_panels_wrap_two_to_a_row_and_only_an_agreement_is_starred() -> None:
    """Four parties: two rows of two panels, the frontier ringed, accept votes not starred."""
    from tradetalks.report._plots import concession_curves, utility_space

    def svg(view: RunView) -> str:
        figure = concession_curves(view)
        assert figure is not None
        return figure.svg

    four = svg(_with_trace(_view(), agreed=False))
    two = svg(_with_trace(_view(PARTIES[:2]), agreed=False))
    size = re.compile(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"')
    (w4, h4), (w2, h2) = (size.search(s).groups() for s in (four, two))  # type: ignore[union-attr]
    assert w4 == w2 and float(h4) > float(h2) + 300  # a second row, not a wider figure
    assert "accepted" not in four  # accept votes of a session without agreement
    assert "accepted" in svg(_with_trace(_view(), agreed=True))
    assert re.findall(r"[^>]*reservation[^<]*", four) == ["each party's reservation"]
    space = utility_space(_view())
    assert space is not None
    assert "on the 4-party Pareto frontier" in space.svg and "ZOPA (ratifiable by all)" in space.svg
    assert "black line" not in space.caption


def test_parties_priced_as_one_region_share_a_sector_panel() -> None:
    """NZL and A&B priced alike (as RoW) get one panel named for both; the others their own."""
    from dataclasses import replace

    from tradetalks.report._derive import PricedPoint
    from tradetalks.report._plots import sector_impacts

    rng = np.random.default_rng(1)
    shared = rng.normal(0, 0.01, 5)
    rows = [{"point": "deal", "kind": "deal", "country": p, "sector": f"c{j + 1}",
             "sector_name": f"sector {j + 1}",
             "value_added_change": float(shared[j] if p in ("A&B", "NZL") else rng.normal(0, 0.01))}
            for p in PARTIES for j in range(5)]  # fmt: skip
    view = replace(_view(), tables={**_view().tables, "impacts": pd.DataFrame(rows)})
    figure = sector_impacts(view, [PricedPoint("deal", "deal", "deal: Nash")])
    assert figure is not None
    titles = re.findall(r">([^<]*): the 5 sectors that move most<", figure.svg)
    assert titles == ["USA", "JPN", "A&amp;B, NZL"]
