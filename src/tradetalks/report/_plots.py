"""The report's plots, drawn with matplotlib and returned as PNG bytes.

Each function takes a :class:`RunView` and returns a :class:`ReportFigure`, or ``None``
when the run lacks what the plot needs (the report then says so). Figures are built
with ``matplotlib.figure.Figure`` rather than ``pyplot``: no global state and no display,
so they are safe in tests, servers and threads. matplotlib is imported inside the
functions because it is slow to import and only reports need it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._inputs import save_figure
from tradetalks.report._derive import (
    Point,
    PricedPoint,
    fmt_share,
    modal_deal,
    session_agreement,
    solutions,
)
from tradetalks.report._model import ReportFigure
from tradetalks.report._view import RunView, as_float, as_mapping, party_point

DPI = 100
#: Colour-blind safe palette (Okabe & Ito 2008, "Color Universal Design").
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _figure(width: float, height: float, nrows: int = 1, ncols: int = 1) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _png(fig: Any) -> bytes:
    sink = io.BytesIO()
    # No "Software" text chunk: the same run gives byte-identical images.
    save_figure(fig, sink, format="png", metadata={"Software": None})
    return sink.getvalue()


def _bools(frame: pd.DataFrame, column: str) -> npt.NDArray[np.bool_] | None:
    if column not in frame.columns:
        return None
    return np.asarray(frame[column].fillna(False).to_numpy(dtype=bool))


def _legend(ax: Any, **kwargs: Any) -> None:
    """A legend without repeated labels."""
    handles, labels = ax.get_legend_handles_labels()
    seen: dict[str, Any] = {}
    for h, lab in zip(handles, labels, strict=True):
        seen.setdefault(lab, h)
    ax.legend(list(seen.values()), list(seen), **{"fontsize": 8, **kwargs})


def _xy(point: Sequence[float] | None) -> tuple[float, float] | None:
    return (point[0], point[1]) if point is not None and len(point) >= 2 else None


def _mark(ax: Any, point: Point | None, label: str, **style: Any) -> None:
    xy = _xy(point.utilities) if point is not None else None
    if xy is not None:
        ax.scatter(*xy, label=label, zorder=6, **style)


def _draw_space(ax: Any, view: RunView, table: pd.DataFrame) -> None:
    """Every outcome, the win-sets, the frontier and the named points, on one axes."""
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
    groups = (
        ("ZOPA (ratifiable by both)", zopa, PALETTE[2], "o", 36),
        ("in both win-sets, not in ZOPA", both & ~zopa, PALETTE[4], "o", 28),
        (f"in {p1}'s win-set only", in1 & ~in2 & ~zopa, PALETTE[0], "o", 22),
        (f"in {p2}'s win-set only", in2 & ~in1 & ~zopa, PALETTE[1], "o", 22),
        ("in neither win-set", ~in1 & ~in2 & ~zopa, "#BBBBBB", ".", 20),
    )
    for label, mask, colour, marker, size in groups:
        if mask.any():
            ax.scatter(x[mask], y[mask], s=size, c=colour, marker=marker, label=label, zorder=3)
    frontier = _bools(table, "frontier")
    if frontier is not None and frontier.any():
        order = np.argsort(x[frontier], kind="stable")
        ax.plot(
            x[frontier][order], y[frontier][order], color="black", lw=1, label="Pareto frontier"
        )
    a = view.analysis
    no_deal = _xy(party_point(a.get("no_deal"), (p1, p2)))
    if no_deal is not None:
        ax.axvline(no_deal[0], color=PALETTE[5], ls="--", lw=0.8, label="reservation values")
        ax.axhline(no_deal[1], color=PALETTE[5], ls="--", lw=0.8)
        ax.scatter(*no_deal, marker="D", s=60, c=PALETTE[5], label="expected no deal", zorder=6)
    sq = _xy(party_point(a.get("status_quo"), (p1, p2)))
    if sq is not None:
        ax.scatter(*sq, marker="s", s=60, c="black", label="status quo", zorder=6)
    threats = a.get("threats")
    for threat in threats if isinstance(threats, list) else []:
        t = as_mapping(threat)
        xy = _xy(party_point(t.get("value"), (p1, p2)))
        if xy is None:
            continue
        cred = as_float(t.get("credibility"))
        extra = f", credibility {cred:.2f}" if cred is not None else ""
        ax.scatter(
            *xy,
            marker="X",
            s=90,
            c=PALETTE[3],
            edgecolors="black",
            linewidths=0.5,
            label=f"threat carried out: {t.get('id', '?')} ({t.get('by', '?')}{extra})",
            zorder=6,
        )
    styles = (
        dict(marker="*", s=260, c="#F0E442", edgecolors="black", linewidths=0.8),
        dict(marker="P", s=120, c=PALETTE[4], edgecolors="black", linewidths=0.8),
        dict(marker="^", s=90, c="white", edgecolors="black", linewidths=0.8),
    )
    for point, style in zip(solutions(view), styles, strict=False):
        _mark(ax, point, f"{point.name} deal", **style)
    ring = dict(marker="o", s=420, facecolors="none", edgecolors=PALETTE[5], linewidths=2)
    _mark(ax, session_agreement(view), "agreement (session)", **ring)
    modal = modal_deal(view)
    if modal is not None:
        label = f"most frequent deal in sweep ({fmt_share(modal.share)} of sessions)"
        box = dict(marker="s", s=300, facecolors="none", edgecolors=PALETTE[0], linewidths=2)
        _mark(ax, modal, label, **box)
    ax.set_xlabel(f"utility of {p1}'s government")
    ax.set_ylabel(f"utility of {p2}'s government")
    ax.grid(alpha=0.3)


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
    box = _zoom_box(view, table)
    fig, axes = _figure(13.5 if box else 10.0, 6.0, 1, 2 if box else 1)
    ax = axes[0][0]
    _draw_space(ax, view, table)
    ax.set_title(f"all {len(table)} outcomes")
    if box is not None:
        zoom = axes[0][1]
        _draw_space(zoom, view, table)
        zoom.set_xlim(box[0], box[1])
        zoom.set_ylim(box[2], box[3])
        zoom.set_title("zoom on the ZOPA and the deals")
        ax.add_patch(_rectangle(box))
    handles, labels = ax.get_legend_handles_labels()
    seen = dict(zip(labels, handles, strict=True))
    fig.legend(list(seen.values()), list(seen), loc="outside right upper", fontsize=8)
    p1, p2 = view.parties[:2]
    caption = (
        f"Each dot is one outcome (a choice of option on every issue), placed by what it is "
        f"worth to {p1} (across) and {p2} (up). Colours show which governments could get it "
        "ratified at home (their win-sets); green outcomes lie in the ZOPA, ratifiable by "
        "both. The dashed lines are each side's reservation value, the expected value of no "
        "deal; the black line is the Pareto frontier; stars and crosses mark the deals the "
        "solution concepts pick and the points the threats lead to."
    )
    if box is not None:
        caption += " The right panel zooms on the grey box: the ZOPA and the deals."
    if len(view.parties) > 2:
        caption += f" Only the first two of the {len(view.parties)} parties are drawn."
    return ReportFigure(
        "utility-space", "Every outcome, both win-sets and the deals", caption, _png(fig)
    )


def _rectangle(box: tuple[float, float, float, float]) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (box[0], box[2]),
        box[1] - box[0],
        box[3] - box[2],
        fill=False,
        edgecolor="grey",
        lw=1,
        ls="-",
        zorder=7,
    )


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
    events = trace[~actions.isin(_PASSIVE_ACTIONS).to_numpy()]
    n = len(view.parties)
    fig, axes = _figure(4.8 * n + 0.6, 4.4, 1, n)
    no_deal = as_mapping(view.analysis.get("no_deal"))
    for k, p in enumerate(view.parties):
        ax = axes[0][k]
        for j, q in enumerate(view.parties):
            mine = offers[offers["party"].astype(str) == q]
            ax.plot(
                mine["round"],
                mine[f"u:{p}"],
                marker="o",
                ms=3.5,
                lw=1.4,
                color=PALETTE[j % len(PALETTE)],
                label=f"offers by {q}",
            )
            # an offer some other government could not ratify at home
            others = [f"win_set:{r}" for r in view.parties if r != q and f"win_set:{r}" in mine]
            if others:
                outside = ~mine[others].all(axis=1).to_numpy(dtype=bool)
                ax.scatter(
                    mine["round"][outside],
                    mine[f"u:{p}"][outside],
                    s=70,
                    facecolors="none",
                    edgecolors=PALETTE[5],
                    linewidths=1.2,
                    zorder=4,
                    label="offer the other side cannot ratify",
                )
        reservation = as_float(no_deal.get(p))
        if reservation is not None:
            ax.axhline(reservation, color=PALETTE[5], ls="--", lw=1, label=f"{p}'s reservation")
        for row in events.itertuples(index=False):
            ax.axvline(
                float(row.round),
                color=PALETTE[3],
                ls=":",
                lw=1.5,
                label=f"{row.action} ({row.party})",
            )
        ok = accepts[np.isfinite(accepts[f"u:{p}"].to_numpy(dtype=float))]
        if not ok.empty:
            ax.scatter(
                ok["round"],
                ok[f"u:{p}"],
                marker="*",
                s=220,
                c="#F0E442",
                edgecolors="black",
                zorder=5,
                label="accepted",
            )
        ax.set_xlabel("round")
        ax.set_ylabel(f"utility of {p}'s government")
        ax.set_title(f"offers as {p} values them")
        ax.grid(alpha=0.3)
        _legend(ax, loc="best")
    caption = (
        "Each line follows one government's offers through the talks; each panel values them "
        "with one government's utility. A party concedes when its own line falls in its own "
        "panel; the other side gains when the line rises in the other panel. Circled offers "
        "lie outside the other side's win-set: it could not get them ratified at home. "
        "Dashed lines are the reservation values (expected no deal); dotted vertical lines "
        "mark escalations such as a threat carried out at its deadline; the star is the "
        "accepted offer."
    )
    return ReportFigure("concessions", "Concessions during the talks", caption, _png(fig))


def _sector_label(sector: str, name: str, width: int = 40) -> str:
    text = f"{sector} {name}".strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def _grouped_barh(
    ax: Any, pivot: pd.DataFrame, points: Sequence[PricedPoint], labels: Sequence[str]
) -> None:
    height = 0.8 / max(len(points), 1)
    y = np.arange(len(pivot))
    for j, pt in enumerate(points):
        ax.barh(
            y - 0.4 + height * (j + 0.5),
            100 * pivot[pt.point].to_numpy(dtype=float),
            height=height,
            color=PALETTE[j % len(PALETTE)],
            label=pt.label,
        )
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.6)


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
    fig, axes = _figure(5.4 * len(parties) + 0.4, 0.42 * top + 2.2, 1, len(parties))
    names = _sector_names(table)
    for k, party in enumerate(parties):
        ax = axes[0][k]
        rows = table[(table["country"] == party) & table["point"].isin(shown)]
        pivot = rows.pivot_table(
            index="sector", columns="point", values="value_added_change", aggfunc="first"
        ).reindex(columns=shown, fill_value=0.0)
        pivot = pivot.fillna(0.0)
        order = pivot.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:top]
        pivot = pivot.loc[order]
        labels = [_sector_label(str(s), names.get(str(s), "")) for s in pivot.index]
        _grouped_barh(ax, pivot, points, labels)
        ax.set_xlabel("change in value added (%)")
        ax.set_ylabel("sector")
        ax.set_title(f"{party}: the {len(pivot)} sectors that move most")
        ax.grid(axis="x", alpha=0.3)
    # One legend for all panels, below them, so it never hides a bar.
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3), fontsize=8)
    caption = (
        "How much each sector's value added changes against the baseline economy, for the "
        "deal and for each way of failing to agree (the status quo, or a threat carried "
        "out), priced by the multi-sector trade model. Only the sectors that move most in at "
        "least one of these points are drawn."
    )
    return ReportFigure("impacts-sectors", "Who gains and who loses, by sector", caption, _png(fig))


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
    pivot = (
        table[table["point"].isin(shown)]
        .pivot_table(index="country", columns="point", values="welfare_change", aggfunc="first")
        .reindex(columns=shown, fill_value=0.0)
        .fillna(0.0)
    )
    parties = [p for p in view.parties if p in pivot.index]
    rest = pivot.drop(index=parties)
    movers = rest.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:others]
    pivot = pivot.loc[[*parties, *movers]]
    fig, axes = _figure(max(6.5, 0.9 * len(pivot) + 2.5), 4.4)
    ax = axes[0][0]
    width = 0.8 / max(len(points), 1)
    xs = np.arange(len(pivot))
    for j, pt in enumerate(points):
        ax.bar(
            xs - 0.4 + width * (j + 0.5),
            100 * pivot[pt.point].to_numpy(dtype=float),
            width=width,
            color=PALETTE[j % len(PALETTE)],
            label=pt.label,
        )
    ax.set_xticks(xs, [str(c) for c in pivot.index])
    if parties:
        ax.axvline(len(parties) - 0.5, color="grey", lw=0.8, ls=":")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("country (the parties, then the third countries that move most)")
    ax.set_ylabel("welfare change (% of real income)")
    ax.set_title("Welfare: the parties and the largest third-country movers")
    ax.grid(axis="y", alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=8)
    caption = (
        "Change in real income (welfare) of the two parties and of the third countries it "
        "moves most, for the deal and for no deal. Third countries gain or lose through trade "
        "diversion: what the parties stop buying from each other they buy elsewhere."
    )
    return ReportFigure("impacts-welfare", "Welfare at home and abroad", caption, _png(fig))
