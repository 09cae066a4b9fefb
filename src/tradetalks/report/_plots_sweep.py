"""The sweep's plots: where each issue settles, and how often deals and threats happen.

Helpers and palette are shared with :mod:`._plots`; matplotlib is imported lazily there.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from tradetalks.report._derive import NO_DEAL, fmt_share, option_shares, sweep_rates
from tradetalks.report._model import ReportFigure
from tradetalks.report._plots import PALETTE, _figure, _legend, _png
from tradetalks.report._view import RunView


def option_distributions(view: RunView) -> ReportFigure | None:
    """Per issue, the share of sweep sessions ending at each option and without a deal."""
    shares = option_shares(view)
    if not shares:
        return None
    n = len(shares)
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    # Titles take up to two lines above each panel, slanted option names below.
    fig, axes = _figure(4.2 * ncols + 0.4, 3.6 * nrows, nrows, ncols,
                        margins=(0.7, 0.15, 1.05, 0.55), gaps=(0.75, 1.6))  # fmt: skip
    status_quo = {i.id: i.status_quo for i in view.issues}
    for k, (issue_id, issue_shares) in enumerate(shares.items()):
        ax = axes[k // ncols][k % ncols]
        names = [o for o in issue_shares if o != NO_DEAL] + (
            [NO_DEAL] if NO_DEAL in issue_shares else []
        )
        values = [100 * issue_shares[o] for o in names]
        for j, (name, value) in enumerate(zip(names, values, strict=True)):
            if name == NO_DEAL:
                colour, label = PALETTE[5], "no deal"
            elif name == status_quo.get(issue_id):
                colour, label = "#999999", "status-quo option"
            else:
                colour, label = PALETTE[0], "option agreed"
            ax.bar(j, value, color=colour, label=label)
            ax.annotate(
                f"{value:.0f}%",
                (j, value),
                ha="center",
                va="bottom",
                fontsize=7,
                xytext=(0, 1),
                textcoords="offset points",
            )
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_xlabel("option")
        ax.set_ylabel("sessions (%)")
        ax.set_title(textwrap.fill(view.issue_label(issue_id), 44), fontsize=10)
        _legend(ax, loc="upper right", fontsize=7)
    for k in range(n, nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    caption = (
        "Across the sweep's sessions (each with its own sampled elasticities, weights, leader "
        "strengths and threat credibilities), how often the talks settled each issue on each "
        "option, and how often they ended without a deal."
    )
    return ReportFigure(
        "sweep-options", "What the talks settle on, issue by issue", caption, _png(fig)
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
    fig, axes = _figure(11.0 if has_rounds else 6.0, 4.2, 1, 2 if has_rounds else 1,
                        margins=(0.8, 0.2, 0.85, 0.4), gaps=(0.9, 0.8))  # fmt: skip
    ax = axes[0][0]
    names: list[str] = []
    values: list[float] = []
    if rates.agreement_rate is not None:
        names.append("agreement")
        values.append(rates.agreement_rate)
    for threat, rate in rates.threat_rates.items():
        names.append(f"{threat}\ncarried out")
        values.append(rate)
    xs = np.arange(len(names))
    ax.bar(xs, [100 * v for v in values], color=PALETTE[0], label="share of sessions")
    for x, v in zip(xs, values, strict=True):
        ax.annotate(
            fmt_share(v),
            (float(x), 100 * v),
            xytext=(10, 2),
            textcoords="offset points",
            fontsize=8,
        )
    if rates.sessions:
        bounds = np.array([wilson_interval(v, rates.sessions) for v in values])
        centre = 100 * np.asarray(values)
        # clipped: at shares of 0 or 1 round-off can put a bound a hair past the share
        err = np.maximum(np.vstack([centre - 100 * bounds[:, 0], 100 * bounds[:, 1] - centre]), 0)
        ax.errorbar(
            xs, centre, yerr=err, fmt="none", ecolor="black", capsize=4, label="95% interval"
        )
    ax.set_xticks(xs, names, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_xlabel("event")
    ax.set_ylabel("sessions (%)")
    total = f"{rates.sessions:,} sessions" if rates.sessions else "the sweep"
    ax.set_title(f"How often, over {total}")
    ax.grid(axis="y", alpha=0.3)
    _legend(ax, loc="upper right")
    if has_rounds and sessions is not None:
        ax2 = axes[0][1]
        agreed = sessions["agreed"].to_numpy(dtype=bool)
        rounds = sessions["rounds"].to_numpy(dtype=float)
        low = int(np.nanmin(rounds)) if rounds.size else 0
        top = int(np.nanmax(rounds)) if rounds.size else 1
        bins = np.arange(low - 0.5, top + 1.5, 1.0)
        ax2.hist(
            [rounds[agreed], rounds[~agreed]],
            bins=bins,
            stacked=True,
            color=[PALETTE[2], PALETTE[5]],
            edgecolor="white",
            label=["ended in a deal", "ended without a deal"],
        )
        ax2.set_xlabel("rounds until the talks ended")
        ax2.set_ylabel("sessions")
        ax2.set_title("Length of the talks")
        ax2.grid(axis="y", alpha=0.3)
        _legend(ax2, loc="upper left")
    caption = (
        "The probability of a deal and of each threat being carried out, estimated as the "
        "share of the sweep's sessions, with 95% Wilson intervals for the sampling error of "
        "the sweep (not for the model's own uncertainty)."
    )
    if has_rounds:
        caption += " Right: how many rounds the talks lasted, with and without a deal."
    return ReportFigure("sweep-rates", "Deal and threat probabilities", caption, _png(fig))
