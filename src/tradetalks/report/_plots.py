"""The report's plots, written as SVG (see :mod:`._plots_svg`).

Each function takes a :class:`RunView` and returns a :class:`ReportFigure`, or ``None``
when the run lacks what the plot needs (the report then says so). Sizes are in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks.report._derive import (
    Point,
    PricedPoint,
    fmt_share,
    modal_deal,
    session_agreement,
    solutions,
)
from tradetalks.report._model import ReportFigure
from tradetalks.report._plots_svg import (
    DASHED,
    DOTTED,
    PALETTE,
    Figure,
    Panel,
    integer_ticks,
    legend_height,
    limits,
    merged_legend,
    text_width,
)
from tradetalks.report._view import RunView, as_float, as_mapping, party_point


def radius(area: float) -> float:
    """Radius in pixels of a mark of matplotlib size ``area`` (points squared, 100 dpi)."""
    return math.sqrt(area) / 2 * 100 / 72


def _bools(frame: pd.DataFrame, column: str) -> npt.NDArray[np.bool_] | None:
    if column not in frame.columns:
        return None
    return np.asarray(frame[column].fillna(False).to_numpy(dtype=bool))


def _xy(point: Sequence[float] | None) -> tuple[float, float] | None:
    return (point[0], point[1]) if point is not None and len(point) >= 2 else None


def _mark(panel: Panel, point: Point | None, label: str, shape: str, area: float, fill: str,
          stroke: str = "black", width: float = 0.8) -> None:  # fmt: skip
    xy = _xy(point.utilities) if point is not None else None
    if xy is not None:
        panel.scatter([xy[0]], [xy[1]], shape=shape, r=radius(area), fill=fill, stroke=stroke,
                      width=width, label=label)  # fmt: skip


def _named_points(view: RunView) -> list[tuple[float, float]]:
    """Every named point of the space (no deal, status quo, threats, deals), for the limits."""
    p1, p2 = view.parties[:2]
    a = view.analysis
    points = [party_point(a.get("no_deal"), (p1, p2)), party_point(a.get("status_quo"), (p1, p2))]
    threats = a.get("threats")
    points += [party_point(as_mapping(t).get("value"), (p1, p2))
               for t in (threats if isinstance(threats, list) else [])]  # fmt: skip
    points += [p.utilities for p in (*solutions(view), session_agreement(view), modal_deal(view))
               if p is not None]  # fmt: skip
    return [xy for xy in map(_xy, points) if xy is not None]


def _draw_space(panel: Panel, view: RunView, table: pd.DataFrame) -> None:
    """Every outcome, the win-sets, the frontier and the named points, on one panel."""
    p1, p2 = view.parties[:2]
    x = table[f"u:{p1}"].to_numpy(dtype=float)
    y = table[f"u:{p2}"].to_numpy(dtype=float)
    none = np.zeros(len(table), dtype=bool)
    w1, w2 = _bools(table, f"win_set:{p1}"), _bools(table, f"win_set:{p2}")
    in1 = w1 if w1 is not None else none
    in2 = w2 if w2 is not None else none
    both = in1 & in2
    zopa = _bools(table, "zopa")
    zopa = zopa if zopa is not None else both
    many = len(view.parties) > 2
    groups = (
        (
            "ZOPA (ratifiable by all)" if many else "ZOPA (ratifiable by both)",
            zopa,
            PALETTE[2],
            radius(36),
        ),
        (
            "in both win-sets, not in every party's" if many else "in both win-sets, not in ZOPA",
            both & ~zopa,
            PALETTE[4],
            radius(28),
        ),
        (f"in {p1}'s win-set only", in1 & ~in2 & ~zopa, PALETTE[0], radius(22)),
        (f"in {p2}'s win-set only", in2 & ~in1 & ~zopa, PALETTE[1], radius(22)),
        ("in neither win-set", ~in1 & ~in2 & ~zopa, "#BBBBBB", 2.0),
    )
    for label, mask, colour, r in groups:
        if mask.any():
            panel.scatter(x[mask], y[mask], r=r, fill=colour, label=label)
    frontier = _bools(table, "frontier")
    if frontier is not None and frontier.any() and many:
        # the N-party frontier seen from two parties is no curve: ring its outcomes instead
        panel.scatter(
            x[frontier],
            y[frontier],
            r=radius(60),
            fill="none",
            stroke="black",
            width=0.6,
            label=f"on the {len(view.parties)}-party Pareto frontier",
        )
    elif frontier is not None and frontier.any():
        order = np.argsort(x[frontier], kind="stable")
        panel.line(list(x[frontier][order]), list(y[frontier][order]), colour="black",
                   label="Pareto frontier")  # fmt: skip
    a = view.analysis
    no_deal = _xy(party_point(a.get("no_deal"), (p1, p2)))
    if no_deal is not None:
        panel.vline(no_deal[0], colour=PALETTE[5], dash=DASHED, label="reservation values")
        panel.hline(no_deal[1], colour=PALETTE[5], dash=DASHED)
        panel.scatter([no_deal[0]], [no_deal[1]], shape="D", r=radius(60), fill=PALETTE[5],
                      label="expected no deal")  # fmt: skip
    sq = _xy(party_point(a.get("status_quo"), (p1, p2)))
    if sq is not None:
        panel.scatter([sq[0]], [sq[1]], shape="s", r=radius(60) * 0.8, fill="black",
                      label="status quo")  # fmt: skip
    threats = a.get("threats")
    for threat in threats if isinstance(threats, list) else []:
        t = as_mapping(threat)
        xy = _xy(party_point(t.get("value"), (p1, p2)))
        if xy is None:
            continue
        cred = as_float(t.get("credibility"))
        extra = f", credibility {cred:.2f}" if cred is not None else ""
        panel.scatter([xy[0]], [xy[1]], shape="X", r=radius(90), fill=PALETTE[3], stroke="black",
                      width=0.5, label=f"threat carried out: {t.get('id', '?')} "
                      f"({t.get('by', '?')}{extra})")  # fmt: skip
    styles = (("*", 260, "#F0E442"), ("P", 120, PALETTE[4]), ("^", 90, "white"))
    for point, (shape, area, fill) in zip(solutions(view), styles, strict=False):
        _mark(panel, point, f"{point.name} deal", shape, area, fill)
    _mark(panel, session_agreement(view), "agreement (session)", "o", 420, "none", PALETTE[5], 2)
    modal = modal_deal(view)
    if modal is not None:
        label = f"most frequent deal in sweep ({fmt_share(modal.share)} of sessions)"
        _mark(panel, modal, label, "s", 300 * 0.65, "none", PALETTE[0], 2)


def _zoom_box(view: RunView, table: pd.DataFrame) -> tuple[float, float, float, float] | None:
    """Limits around the ZOPA and the deals, when they fill under a third of the full plot.

    ``None`` (no zoom) when the ZOPA has fewer than three outcomes or is not small.
    """
    p1, p2 = view.parties[:2]
    zopa = _bools(table, "zopa")
    if zopa is None or zopa.sum() < 3:  # one or two outcomes need no panel of their own
        return None
    x = table[f"u:{p1}"].to_numpy(dtype=float)
    y = table[f"u:{p2}"].to_numpy(dtype=float)
    xs, ys = list(x[zopa]), list(y[zopa])
    for point in (*solutions(view), session_agreement(view), modal_deal(view)):
        xy = _xy(point.utilities) if point is not None else None
        if xy is not None:
            xs.append(xy[0])
            ys.append(xy[1])
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    span_x, span_y = float(np.ptp(x)), float(np.ptp(y))
    if span_x <= 0 or span_y <= 0 or (hi_x - lo_x) > span_x / 3 or (hi_y - lo_y) > span_y / 3:
        return None
    pad_x = max(0.15 * (hi_x - lo_x), 0.02 * span_x)
    pad_y = max(0.15 * (hi_y - lo_y), 0.02 * span_y)
    return (lo_x - pad_x, hi_x + pad_x, lo_y - pad_y, hi_y + pad_y)


def utility_space(view: RunView) -> ReportFigure | None:
    """Every outcome in the first two parties' utilities, with win-sets and named points.

    When the ZOPA and the deals sit in a small corner of the space, a second panel zooms
    on them.
    """
    table = view.table("outcomes")
    if table is None or len(view.parties) < 2:
        return None
    p1, p2 = view.parties[:2]
    box = _zoom_box(view, table)
    named = _named_points(view)
    xlim = limits([*table[f"u:{p1}"].to_numpy(dtype=float), *(p[0] for p in named)])
    ylim = limits([*table[f"u:{p2}"].to_numpy(dtype=float), *(p[1] for p in named)])
    side, height, left, top, bottom = 300.0, 440.0, 80.0, 40.0, 60.0
    n = 2 if box else 1
    gap = 80.0
    legend_w = 430.0
    fig = Figure(left + n * side * 1.35 + (n - 1) * gap + legend_w, top + height + bottom,
                 "utility-space")  # fmt: skip
    ax = fig.panel(left, top, side * 1.35, height, xlim, ylim)
    _draw_space(ax, view, table)
    xlabel, ylabel = f"utility of {p1}'s government", f"utility of {p2}'s government"
    ax.frame(title=f"all {len(table)} outcomes", xlabel=xlabel, ylabel=ylabel)
    if box is not None:
        zoom = fig.panel(left + side * 1.35 + gap, top, side * 1.35, height, box[:2], box[2:])
        _draw_space(zoom, view, table)
        zoom.frame(title="zoom on the ZOPA and the deals", xlabel=xlabel, ylabel=ylabel)
        ax.rect(*box)
    fig.legend(ax.legend, fig.width - legend_w + 10, top, size=10)
    many = len(view.parties) > 2
    frontier = ("black rings mark the outcomes on the Pareto frontier of all the parties" if many
                else "the black line is the Pareto frontier")  # fmt: skip
    caption = (
        f"Each dot is one outcome (a choice of option on every issue), placed by what it is "
        f"worth to {p1} (across) and {p2} (up). Colours show which governments could get it "
        "ratified at home (their win-sets); green outcomes lie in the ZOPA, ratifiable by "
        f"{'every party' if many else 'both'}. The dashed lines are each side's reservation "
        f"value, the expected value of no deal; {frontier}; stars and crosses mark the deals "
        "the solution concepts pick and the points the threats lead to."
    )
    if box is not None:
        caption += " The right panel zooms on the grey box: the ZOPA and the deals."
    if len(view.parties) > 2:
        caption += f" Only the first two of the {len(view.parties)} parties are drawn."
    return ReportFigure(
        "utility-space", "Every outcome, both win-sets and the deals", caption, fig.svg()
    )


# Figures with a panel per party wrap after two panels: twelve side by side shrink to
# thumbnails on the page.
PANELS_PER_ROW = 2
PANEL_ROW_GAP = 90.0

_PASSIVE_ACTIONS = frozenset({"offer", "accept", "reject", "counter", "pass", "wait"})


def _trace_utilities(view: RunView, trace: pd.DataFrame) -> pd.DataFrame:
    """The trace with each outcome's utilities and win-set flags from the ``outcomes`` table.

    The trace's own ``u:<party>`` columns are what each side bargained with; outcomes a
    government cannot ratify may be pushed to a floor there. The ``outcomes`` table gives
    their true utilities, drawn here, with the win-sets to mark offers the other side
    cannot sign.
    """
    outcomes = view.table("outcomes")
    out = trace.copy()
    if outcomes is None:
        return out
    by_code = outcomes.set_index("code")
    codes = out["outcome"].to_numpy()
    known = np.isin(codes, by_code.index.to_numpy())
    for p in view.parties:
        u = out[f"u:{p}"].to_numpy(dtype=float).copy()
        u[known] = by_code.loc[codes[known], f"u:{p}"].to_numpy(dtype=float)
        out[f"u:{p}"] = u
        column = f"win_set:{p}"
        if column in by_code.columns:
            inside = np.ones(len(out), dtype=bool)
            inside[known] = by_code.loc[codes[known], column].to_numpy(dtype=bool)
            out[column] = inside
    return out


def concession_curves(view: RunView) -> ReportFigure | None:
    """Each party's offers over the rounds, in each party's utility, with events marked."""
    trace = view.table("trace")
    if trace is None or not view.parties:
        return None
    trace = _trace_utilities(view, trace)
    actions = trace["action"].astype(str)
    outcome = trace["outcome"].to_numpy()
    offers = trace[(actions == "offer").to_numpy() & (outcome >= 0)]
    accepts = trace[(actions == "accept").to_numpy()]
    if len(view.parties) > 2:
        # With more parties an "accept" is one vote on the standing offer: only the last
        # one of an agreed session makes the deal.
        agreed = session_agreement(view) is not None
        accepts = accepts.tail(1) if agreed else accepts.iloc[:0]
    events = trace[~actions.isin(_PASSIVE_ACTIONS).to_numpy()]
    n = len(view.parties)
    no_deal = as_mapping(view.analysis.get("no_deal"))
    rounds = trace["round"].to_numpy(dtype=float)
    # Columns as arrays once: with N parties the panels below make N² selections.
    offer_round = offers["round"].to_numpy(dtype=float)
    by_party = {q: (offers["party"].astype(str) == q).to_numpy() for q in view.parties}
    offer_u = {p: offers[f"u:{p}"].to_numpy(dtype=float) for p in view.parties}
    ratifies = {r: offers[f"win_set:{r}"].to_numpy(dtype=bool) for r in view.parties
                if f"win_set:{r}" in offers}  # fmt: skip
    side, height, left, gap, top = 380.0, 320.0, 80.0, 100.0, 40.0
    cols, rows_of_panels = min(n, PANELS_PER_ROW), -(-n // PANELS_PER_ROW)
    panels: list[Panel] = []
    fig = Figure(left + cols * side + (cols - 1) * gap + 30, 0.0, "concessions")
    for k, p in enumerate(view.parties):
        values = [*offer_u[p], *accepts[f"u:{p}"].to_numpy(dtype=float)]
        reservation = as_float(no_deal.get(p))
        ylim = limits(values, include=[reservation] if reservation is not None else [])
        panel_row, panel_col = divmod(k, cols)
        ax = fig.panel(left + panel_col * (side + gap), top + panel_row * (height + PANEL_ROW_GAP),
                       side, height, limits(rounds), ylim)  # fmt: skip
        panels.append(ax)
        for j, q in enumerate(view.parties):
            mine = by_party[q]
            xs = offer_round[mine]
            ys = offer_u[p][mine]
            # past the palette's eight colours, squares tell the parties apart
            shape = "o" if j < len(PALETTE) else "s"
            ax.line(list(xs), list(ys), colour=PALETTE[j % len(PALETTE)], width=1.4, shape=shape,
                    label=f"offers by {q}")  # fmt: skip
            # an offer some other government could not ratify at home
            others = [ratifies[r][mine] for r in view.parties if r != q and r in ratifies]
            if others:
                outside = ~np.logical_and.reduce(others)
                ax.scatter(xs[outside], ys[outside], r=radius(70), fill="none", stroke=PALETTE[5],
                           width=1.2, label="offer the other side cannot ratify")  # fmt: skip
        if reservation is not None:
            which = "each party's reservation" if n > 2 else f"{p}'s reservation"
            ax.hline(reservation, colour=PALETTE[5], dash=DASHED, label=which)
        for row in events.itertuples(index=False):
            ax.vline(float(row.round), colour=PALETTE[3], width=1.5, dash=DOTTED,
                     label=f"{row.action} ({row.party})")  # fmt: skip
        ok = accepts[np.isfinite(accepts[f"u:{p}"].to_numpy(dtype=float))]
        if not ok.empty:
            ax.scatter(ok["round"].to_numpy(dtype=float), ok[f"u:{p}"].to_numpy(dtype=float),
                       shape="*", r=radius(220), fill="#F0E442", stroke="black", width=0.8,
                       label="accepted")  # fmt: skip
        ax.frame(title=f"offers as {p} values them", xlabel="round", xticks=integer_ticks(*ax.xlim),
                 ylabel=f"utility of {p}'s government")  # fmt: skip
    entries = merged_legend(panels)
    below = top + rows_of_panels * height + (rows_of_panels - 1) * PANEL_ROW_GAP + 50
    fig.height = below + legend_height(len(entries), 3) + 10
    fig.legend(entries, fig.width / 2, below, ncols=3, anchor="middle")
    caption = (
        "Each line follows one government's offers through the talks; each panel values them "
        "with one government's utility. A party concedes when its own line falls in its own "
        "panel; the other side gains when the line rises in the other panel. Circled offers "
        "lie outside the other side's win-set: it could not get them ratified at home. "
        "Dashed lines are the reservation values (expected no deal); dotted vertical lines "
        "mark escalations such as a threat carried out at its deadline; the star is the "
        "accepted offer."
    )
    if n > 2:
        caption += (
            f" With {n} parties, circled offers lie outside some other party's win-set, and the "
            "star marks only the agreement, if the session reached one (each party's accept "
            "is one vote on the standing offer)."
        )
    return ReportFigure("concessions", "Concessions during the talks", caption, fig.svg())


def _sector_label(sector: str, name: str, width: int = 40) -> str:
    text = f"{sector} {name}".strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def _grouped_bars(
    ax: Panel, pivot: pd.DataFrame, points: Sequence[PricedPoint], *, horizontal: bool
) -> None:
    """One bar per point (colour) at each row of ``pivot`` (position 0, 1, ...), in %."""
    thickness = 0.8 / max(len(points), 1)
    for j, pt in enumerate(points):
        values = 100 * pivot[pt.point].to_numpy(dtype=float)
        for k, value in enumerate(values):
            # horizontal rows run top-down: row k sits at -k
            at = -k if horizontal else k
            offset = -0.4 + thickness * (j + 0.5)
            ax.bar(at - offset if horizontal else at + offset, float(value), thickness=thickness,
                   colour=PALETTE[j % len(PALETTE)], horizontal=horizontal,
                   label=pt.label)  # fmt: skip


def sector_impacts(
    view: RunView, points: Sequence[PricedPoint], top: int = 8
) -> ReportFigure | None:
    """Value-added change by sector of each party for the deal and each no-deal point."""
    table = view.table("impacts")
    if table is None or not points:
        return None
    shown = [p.point for p in points]
    parties = [p for p in view.parties if (table["country"] == p).any()]
    if not parties:
        parties = sorted(str(c) for c in table["country"].unique())[:2]
    names = _sector_names(table)
    pivots, all_labels = [], []
    for party in parties:
        rows = table[(table["country"] == party) & table["point"].isin(shown)]
        pivot = _pivot(rows, "sector", "value_added_change", shown)
        order = pivot.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:top]
        pivot = pivot.loc[order]
        pivots.append(pivot)
        all_labels += [_sector_label(str(s), names.get(str(s), "")) for s in pivot.index]
    # Parties priced as one region (seven TPP members in RoW) share one panel.
    merged: list[tuple[list[str], pd.DataFrame]] = []
    for party, pivot in zip(parties, pivots, strict=True):
        same = next((m for m in merged if m[1].equals(pivot)), None)
        if same is None:
            merged.append(([party], pivot))
        else:
            same[0].append(party)
    parties = [", ".join(names_) for names_, _ in merged]
    pivots = [pivot for _, pivot in merged]
    # Room for sector names at the left of each panel and the legend below them.
    label_w = 20 + max((text_width(t, 9) for t in all_labels), default=40)
    side, height, top_m = 380.0, 42.0 * top, 40.0
    panels: list[Panel] = []
    cols = min(len(parties), PANELS_PER_ROW)
    rows_of_panels = -(-len(parties) // PANELS_PER_ROW)
    fig = Figure(cols * (label_w + side + 30) + 10, 0.0, "impacts-sectors")
    for k, (party, pivot) in enumerate(zip(parties, pivots, strict=True)):
        values = 100 * pivot.to_numpy(dtype=float).ravel()
        rows = max(len(pivot), 1)
        panel_row, panel_col = divmod(k, cols)
        ax = fig.panel(label_w + panel_col * (label_w + side + 30),
                       top_m + panel_row * (height + PANEL_ROW_GAP), side, height,
                       limits(values, include=[0.0]), (-rows + 0.5, 0.5))  # fmt: skip
        panels.append(ax)
        _grouped_bars(ax, pivot, points, horizontal=True)
        ax.vline(0.0, colour="black", width=0.6)
        labels = [_sector_label(str(s), names.get(str(s), "")) for s in pivot.index]
        ax.frame(title=f"{party}: the {len(pivot)} sectors that move most",
                 xlabel="change in value added (%)",
                 yticks=[(-i, t) for i, t in enumerate(labels)], grid="x",
                 tick_size=9)  # fmt: skip
    # One legend for all panels, below them, so it never hides a bar.
    entries = panels[0].legend  # every panel draws the same points
    below = top_m + rows_of_panels * height + (rows_of_panels - 1) * PANEL_ROW_GAP + 50
    fig.height = below + legend_height(len(entries), 3) + 10
    fig.legend(entries, fig.width / 2, below, ncols=3, anchor="middle")
    caption = (
        "How much each sector's value added changes against the baseline economy, for the "
        "deal and for each way of failing to agree (the status quo, or a threat carried "
        "out), priced by the multi-sector trade model. Only the sectors that move most in at "
        "least one of these points are drawn."
    )
    return ReportFigure("impacts-sectors", "Who gains and who loses, by sector", caption, fig.svg())


def _pivot(rows: pd.DataFrame, index: str, values: str, points: Sequence[str]) -> pd.DataFrame:
    """``values`` by ``index`` (rows, sorted) and point (columns, in ``points``' order).

    0 where missing; the first row of a repeated pair counts (as ``pivot_table`` with
    ``aggfunc="first"``, which costs a few ms more per call).
    """
    first = rows.dropna(subset=[values]).drop_duplicates([index, "point"])
    wide = first.pivot(index=index, columns="point", values=values)
    return wide.reindex(columns=list(points), fill_value=0.0).fillna(0.0)


def _sector_names(table: pd.DataFrame) -> dict[str, str]:
    if "sector_name" in table.columns:
        pairs = table[["sector", "sector_name"]].drop_duplicates("sector")
        return {str(s): str(n) for s, n in pairs.itertuples(index=False)}
    from tradetalks.scenario import SECTOR_NAMES

    return dict(SECTOR_NAMES)


def welfare_movers(
    view: RunView, points: Sequence[PricedPoint], others: int = 6
) -> ReportFigure | None:
    """Welfare change of the parties and of the third countries that move most."""
    table = view.table("welfare")
    if table is None or not points:
        return None
    shown = [p.point for p in points]
    pivot = _pivot(table[table["point"].isin(shown)], "country", "welfare_change", shown)
    parties = [p for p in view.parties if p in pivot.index]
    rest = pivot.drop(index=parties)
    movers = rest.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:others]
    pivot = pivot.loc[[*parties, *movers]]
    width, height, left, top = max(520.0, 90.0 * len(pivot) + 160), 300.0, 90.0, 40.0
    fig = Figure(width + left + 20, 0.0, "impacts-welfare")
    values = 100 * pivot.to_numpy(dtype=float).ravel()
    ax = fig.panel(left, top, width, height, (-0.6, len(pivot) - 0.4),
                   limits(values, include=[0.0]))  # fmt: skip
    _grouped_bars(ax, pivot, points, horizontal=False)
    if parties:
        ax.vline(len(parties) - 0.5, colour="grey", width=0.8, dash=DOTTED)
    ax.hline(0.0, colour="black", width=0.6)
    ax.frame(title="Welfare: the parties and the largest third-country movers",
             xlabel="country (the parties, then the third countries that move most)",
             ylabel="welfare change (% of real income)",
             xticks=[(float(i), str(c)) for i, c in enumerate(pivot.index)], grid="y")  # fmt: skip
    below = top + height + 50
    fig.height = below + legend_height(len(ax.legend), 3) + 10
    fig.legend(ax.legend, fig.width / 2, below, ncols=3, anchor="middle")
    who = "the two parties" if len(view.parties) == 2 else "the parties"
    caption = (
        f"Change in real income (welfare) of {who} and of the third countries it "
        "moves most, for the deal and for no deal. Third countries gain or lose through trade "
        "diversion: what the parties stop buying from each other they buy elsewhere."
    )
    return ReportFigure("impacts-welfare", "Welfare at home and abroad", caption, fig.svg())
