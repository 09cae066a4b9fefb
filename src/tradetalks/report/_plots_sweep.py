"""The sweep's plots: where each issue settles, and how often deals and threats happen.

Written as SVG with the canvas of :mod:`._plots_svg`, like :mod:`._plots`.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from tradetalks.report._derive import NO_DEAL, fmt_share, option_shares, sweep_rates
from tradetalks.report._model import ReportFigure
from tradetalks.report._plots_svg import (
    PALETTE,
    Figure,
    Swatch,
    integer_ticks,
    text_width,
)
from tradetalks.report._view import RunView


def option_distributions(view: RunView) -> ReportFigure | None:
    """Per issue, the share of sweep sessions ending at each option and without a deal."""
    shares = option_shares(view)
    if not shares:
        return None
    n = len(shares)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    names_of = {
        issue: [o for o in s if o != NO_DEAL] + ([NO_DEAL] if NO_DEAL in s else [])
        for issue, s in shares.items()
    }
    # Titles take up to two lines above each panel, slanted option names below.
    below = 36 + 0.5 * max(text_width(o, 9) for names in names_of.values() for o in names)
    side, height, left, gap, top = 320.0, 220.0, 70.0, 75.0, 50.0
    fig = Figure(left + ncols * side + (ncols - 1) * gap + 20,
                 top + nrows * (height + below + top) + 10, "sweep-options")  # fmt: skip
    status_quo = {i.id: i.status_quo for i in view.issues}
    for k, (issue_id, issue_shares) in enumerate(shares.items()):
        names = names_of[issue_id]
        row, col = divmod(k, ncols)
        ax = fig.panel(left + col * (side + gap), top + row * (height + below + top), side, height,
                       (-0.6, len(names) - 0.4), (0.0, 105.0))  # fmt: skip
        for j, name in enumerate(names):
            value = 100 * issue_shares[name]
            if name == NO_DEAL:
                colour, label = PALETTE[5], "no deal"
            elif name == status_quo.get(issue_id):
                colour, label = "#999999", "status-quo option"
            else:
                colour, label = PALETTE[0], "option agreed"
            ax.bar(j, value, thickness=0.8, colour=colour, label=label)
            ax.note(f"{value:.0f}%", j, value, size=8)
        ticks = [(float(j), o) for j, o in enumerate(names)]
        ax.frame(title=textwrap.fill(view.issue_label(issue_id), 44), ylabel="sessions (%)",
                 xticks=ticks, rotate=30, tick_size=9)  # fmt: skip
        fig.legend(ax.legend, ax.x + ax.w - 4, ax.y + 4, anchor="end", size=8)
    caption = (
        "Across the sweep's sessions (each with its own sampled elasticities, weights, leader "
        "strengths and threat credibilities), how often the talks settled each issue on each "
        "option, and how often they ended without a deal."
    )
    return ReportFigure(
        "sweep-options", "What the talks settle on, issue by issue", caption, fig.svg()
    )


def wilson_interval(share: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    r"""Wilson score interval of a binomial proportion.

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Wilson (1927), "Probable inference, the law of succession, and statistical inference",
    JASA 22(158); ``z`` = 1.96 gives a 95% interval. It stays inside [0, 1] and is not
    degenerate at shares of 0 or 1, unlike the normal approximation.
    """
    if n <= 0:
        return (0.0, 1.0)
    denom = 1.0 + z * z / n
    centre = (share + z * z / (2 * n)) / denom
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denom
    # the interval always holds the share; round-off must not push a bound past it
    return (min(max(0.0, centre - half), share), max(min(1.0, centre + half), share))


def sweep_overview(view: RunView) -> ReportFigure | None:
    """Agreement and threat carried-out rates with 95% intervals, and rounds to the end."""
    rates = sweep_rates(view)
    if rates is None or (rates.agreement_rate is None and not rates.threat_rates):
        return None
    sessions = view.table("sessions")
    has_rounds = sessions is not None and "rounds" in sessions.columns
    side, height, left, gap, top = 420.0, 300.0, 80.0, 100.0, 40.0
    fig = Figure(left + side + (gap + side if has_rounds else 0) + 20, top + height + 70,
                 "sweep-rates")  # fmt: skip
    names: list[str] = []
    values: list[float] = []
    if rates.agreement_rate is not None:
        names.append("agreement")
        values.append(rates.agreement_rate)
    for threat, rate in rates.threat_rates.items():
        names.append(f"{threat}\ncarried out")
        values.append(rate)
    ax = fig.panel(left, top, side, height, (-0.6, len(names) - 0.4), (0.0, 105.0))
    for x, v in enumerate(values):
        ax.bar(x, 100 * v, thickness=0.8, colour=PALETTE[0], label="share of sessions")
        ax.note(fmt_share(v), x, 100 * v, dx=14, anchor="start", size=9)
    if rates.sessions:
        for x, v in enumerate(values):
            low, high = wilson_interval(v, rates.sessions)
            ax.errorbar(x, 100 * low, 100 * high, label="95% interval")
    total = f"{rates.sessions:,} sessions" if rates.sessions else "the sweep"
    ax.frame(title=f"How often, over {total}", xlabel="event", ylabel="sessions (%)",
             xticks=[(float(x), t) for x, t in enumerate(names)], grid="y")  # fmt: skip
    fig.legend(ax.legend, ax.x + ax.w - 4, ax.y + 4, anchor="end", size=9)
    if has_rounds and sessions is not None:
        agreed = sessions["agreed"].to_numpy(dtype=bool)
        rounds = sessions["rounds"].to_numpy(dtype=float)
        low = int(np.nanmin(rounds)) if rounds.size else 0
        high = int(np.nanmax(rounds)) if rounds.size else 1
        edges = np.arange(low, high + 2)
        deal = np.histogram(rounds[agreed], bins=edges - 0.5)[0]
        none = np.histogram(rounds[~agreed], bins=edges - 0.5)[0]
        tallest = float(max(int((deal + none).max(initial=0)), 1))
        ax2 = fig.panel(left + side + gap, top, side, height, (low - 1.0, high + 1.0),
                        (0.0, 1.05 * tallest))  # fmt: skip
        for r, a, b in zip(edges[:-1], deal, none, strict=True):
            # stacked: sessions that ended in a deal, then those that did not, on top
            if a:
                ax2.bar(float(r), float(a), thickness=1.0, colour=PALETTE[2], edge="white",
                        label="ended in a deal")  # fmt: skip
            if b:
                ax2.bar(float(r), float(b), thickness=1.0, base=float(a), colour=PALETTE[5],
                        edge="white", label="ended without a deal")  # fmt: skip
        ax2.frame(title="Length of the talks", xlabel="rounds until the talks ended",
                  ylabel="sessions", grid="y", xticks=integer_ticks(*ax2.xlim))  # fmt: skip
        ended = {"ended in a deal": PALETTE[2], "ended without a deal": PALETTE[5]}
        entries = {k: Swatch("patch", c) for k, c in ended.items() if k in ax2.legend}
        fig.legend(entries, ax2.x + 4, ax2.y + 4, size=9)
    caption = (
        "The probability of a deal and of each threat being carried out, estimated as the "
        "share of the sweep's sessions, with 95% Wilson intervals for the sampling error of "
        "the sweep (not for the model's own uncertainty)."
    )
    if has_rounds:
        caption += " Right: how many rounds the talks lasted, with and without a deal."
    return ReportFigure("sweep-rates", "Deal and threat probabilities", caption, fig.svg())
