"""The bargaining space of three or more parties: parallel coordinates drawn as inline SVG.

A two-party space is a scatter (:func:`~tradetalks.report._plots.utility_space`); with twelve
parties no scatter shows every government at once. Parallel coordinates (Inselberg 1985;
Wegman 1990, "Hyperdimensional data analysis using parallel coordinates", JASA 85) give each
party a vertical axis and draw each deal as a line through its utility on every axis, so a
deal some government rejects is a line that dips below that party's no-deal mark. Each axis
is scaled to its own party's range (governments' objectives are in very different amounts
of money), with the range written at its ends.

The SVG is written directly (no plotting library) so that the report stays fast; every
piece of text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from tradetalks.report._derive import Point, fmt_money, fmt_num, session_agreement, solutions
from tradetalks.report._model import ReportFigure, ReportTable
from tradetalks.report._view import RunView, as_float, as_mapping, party_point

#: Most outcome lines drawn per kind (deals every party can ratify; the others): beyond a
#: few hundred lines a picture shows ink, not deals. Frontier deals are drawn first.
MAX_LINES = 300
#: Pixels between two party axes, and the margins.
AXIS_GAP, LEFT, RIGHT, TOP, BOTTOM, HEIGHT = 70, 70, 40, 70, 60, 300


@dataclass(frozen=True)
class _Style:
    colour: str
    width: float
    dash: str = ""
    opacity: float = 1.0


ZOPA_STYLE = _Style("#4C72B0", 1.0, opacity=0.35)
OTHER_STYLE = _Style("#AAAAAA", 0.6, opacity=0.25)
NO_DEAL_STYLE = _Style("#C44E52", 2.0, "6 4")
#: The named deals, by the name :mod:`._derive` gives them.
MARKED: dict[str, _Style] = {
    "Nash bargaining": _Style("#2CA02C", 3.0),
    "Kalai–Smorodinsky": _Style("#FF7F0E", 2.5, "8 3"),
    "agreement (session)": _Style("#8172B2", 2.0, "2 3"),
}


def _pick(codes: np.ndarray, first: np.ndarray, limit: int) -> np.ndarray:
    """At most ``limit`` of ``codes``, those flagged in ``first`` before the rest, evenly."""
    order = np.concatenate([codes[first], codes[~first]])
    if len(order) <= limit:
        return order
    return np.asarray(order[np.linspace(0, len(order) - 1, limit).round().astype(int)])


Scale = Callable[[float], float]


def _polyline(values: Sequence[float], xs: Sequence[float], ys: Sequence[Scale],
              style: _Style) -> str:  # fmt: skip
    points = " ".join(f"{x:.1f},{y(v):.1f}" for x, y, v in zip(xs, ys, values, strict=True))
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    opacity = f' stroke-opacity="{style.opacity}"' if style.opacity < 1 else ""
    return (f'<polyline points="{points}" fill="none" stroke="{style.colour}" '
            f'stroke-width="{style.width}"{dash}{opacity}/>')  # fmt: skip


def _scale(low: float, high: float) -> Scale:
    """A function of a utility to its height in pixels on an axis from ``low`` to ``high``."""
    span = high - low if high > low else 1.0
    return lambda v: TOP + HEIGHT * (1.0 - (float(v) - low) / span)


def _marked(view: RunView) -> list[Point]:
    points = [p for p in solutions(view) if p.name in MARKED]
    agreement = session_agreement(view)
    if agreement is not None:
        points.append(agreement)
    return [p for p in points if p.utilities is not None]


def parallel_parties_svg(view: RunView) -> str | None:
    """Every party's utility of the deals (ZOPA and others), no deal and the named deals.

    ``None`` when the run has fewer than three parties or no usable ``outcomes`` table.
    """
    parties = view.parties
    table = view.table("outcomes")
    if len(parties) < 3 or table is None:
        return None
    u = table[[f"u:{p}" for p in parties]].to_numpy(dtype=float)
    zopa = _flag(table, "zopa", len(u))
    frontier = _flag(table, "frontier", len(u))
    no_deal = party_point(view.analysis.get("no_deal"), parties)
    marked = _marked(view)
    drawn = [u, *([np.array([no_deal])] if no_deal else []),
             *(np.array([p.utilities]) for p in marked)]  # fmt: skip
    every = np.concatenate(drawn)
    lows, highs = every.min(axis=0), every.max(axis=0)
    xs = [LEFT + AXIS_GAP * k for k in range(len(parties))]
    ys = [_scale(float(lo), float(hi)) for lo, hi in zip(lows, highs, strict=True)]
    width = xs[-1] + RIGHT
    height = TOP + HEIGHT + BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" '
             'role="img">']  # fmt: skip
    rows = np.arange(len(u))
    for codes, style in ((_pick(rows[~zopa], frontier[~zopa], MAX_LINES), OTHER_STYLE),
                         (_pick(rows[zopa], frontier[zopa], MAX_LINES), ZOPA_STYLE)):  # fmt: skip
        parts += [_polyline(u[k], xs, ys, style) for k in codes]
    for x, party, lo, hi in zip(xs, parties, lows, highs, strict=True):
        parts.append(f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + HEIGHT}" stroke="#333"/>')
        parts.append(f'<text x="{x}" y="{TOP + HEIGHT + 18}" text-anchor="middle" '
                     f'font-weight="bold">{escape(party)}</text>')  # fmt: skip
        parts.append(f'<text x="{x}" y="{TOP + HEIGHT + 32}" text-anchor="middle" '
                     f'fill="#555">{escape(fmt_money(lo).removeprefix("+"))}</text>')  # fmt: skip
        parts.append(f'<text x="{x}" y="{TOP - 6}" text-anchor="middle" '
                     f'fill="#555">{escape(fmt_money(hi).removeprefix("+"))}</text>')  # fmt: skip
    if no_deal:
        parts.append(_polyline(no_deal, xs, ys, NO_DEAL_STYLE))
    for point in marked:
        assert point.utilities is not None
        parts.append(_polyline(point.utilities, xs, ys, MARKED[point.name]))
    legend = [("deal every party can ratify (ZOPA)", ZOPA_STYLE), ("other deal", OTHER_STYLE)]
    legend += [("no deal (expected value)", NO_DEAL_STYLE)] if no_deal else []
    legend += [(p.name, MARKED[p.name]) for p in marked]
    for k, (label, style) in enumerate(legend):
        x, y = LEFT + 230 * (k % 3), 16 + 16 * (k // 3)
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        parts.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" '
            f'stroke="{style.colour}" stroke-width="{max(style.width, 2)}"{dash}/>'
        )
        parts.append(f'<text x="{x + 30}" y="{y}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _flag(table: pd.DataFrame, column: str, n: int) -> np.ndarray:
    if column not in table.columns:
        return np.zeros(n, dtype=bool)
    return np.asarray(table[column].to_numpy(dtype=bool))


def parallel_parties(view: RunView) -> ReportFigure | None:
    """The N-party picture as a report figure (``None`` below three parties)."""
    svg = parallel_parties_svg(view)
    if svg is None:
        return None
    caption = (
        "One vertical axis per government, scaled to that government's own range (written at "
        "its ends, in the run's unit of utility); each line is one deal through its utility "
        "for every government. Blue: deals every government prefers to no deal and can ratify "
        "(the zone of agreement), frontier deals first; grey: the other deals; red dashed: "
        f"the expected value of no deal. At most {MAX_LINES} lines of each kind are drawn."
    )
    return ReportFigure(slug="parties", title="Every government's view of the deals",
                        caption=caption, svg=svg)  # fmt: skip


def _yes_no(value: object) -> str:
    return "–" if value is None else ("yes" if bool(value) else "no")


def parties_table(view: RunView) -> ReportTable | None:
    """Per party: no-deal value, win-set size, utility at Nash and KS, whether it ratifies."""
    parties = view.parties
    a = view.analysis
    if len(parties) < 3 or not a:
        return None
    table = view.table("outcomes")
    named = {p.name: p for p in solutions(view)}
    nash = named.get("Nash bargaining")
    ks = named.get("Kalai–Smorodinsky")
    row = None
    if table is not None and nash is not None and nash.outcome is not None:
        hits = table.index[table["code"].to_numpy() == nash.outcome]
        row = table.loc[hits[0]] if len(hits) else None
    rows = []
    for k, p in enumerate(parties):
        ratifies = row.get(f"ratified:{p}") if row is not None else None
        in_set = row.get(f"win_set:{p}") if row is not None else None
        rows.append((
            p,
            fmt_money(as_float(as_mapping(a.get("no_deal")).get(p))),
            fmt_num(as_float(as_mapping(a.get("win_set_sizes")).get(p)), 6),
            fmt_money(nash.utilities[k]) if nash and nash.utilities else "–",
            fmt_money(ks.utilities[k]) if ks and ks.utilities else "–",
            _yes_no(ratifies),
            _yes_no(in_set),
        ))  # fmt: skip
    return ReportTable(
        "The parties",
        ("party", "value of no deal", "win-set size", "utility at Nash", "utility at KS",
         "ratifies the Nash deal at home", "Nash deal in its win-set"),
        tuple(rows),
        "Each government must ratify the whole package: a deal is in the zone of agreement "
        "only if it is in every win-set. '–': no Nash deal (the zone of agreement is empty).",
    )  # fmt: skip
