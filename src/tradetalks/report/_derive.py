"""Facts the plots and tables share, derived from a :class:`RunView`.

Pure functions of the saved run: the solution concepts and agreements as points, the
sweep's shares and rates (recomputed from the ``sessions`` table when it is there, so the
page shows what the sessions say rather than trusting the summary), and the priced
points whose impacts are compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradetalks.report._view import RunView, as_float, as_mapping, party_point

NO_DEAL = "(no deal)"

#: Summary keys of the solution concepts, with the names the report prints.
SOLUTION_NAMES: tuple[tuple[str, str], ...] = (
    ("nash", "Nash bargaining"),
    ("kalai_smorodinsky", "Kalai–Smorodinsky"),
    ("utilitarian", "utilitarian"),
)


@dataclass(frozen=True)
class Point:
    """An outcome named in the run: which, its option per issue, and its utilities."""

    name: str
    outcome: int | None
    labels: Mapping[str, str]
    utilities: tuple[float, ...] | None
    share: float | None = None  # for the sweep's most frequent deal: its share of sessions


def _code(value: object) -> int | None:
    number = as_float(value)
    if number is None or number != int(number) or number < 0:
        return None
    return int(number)


def outcome_row(view: RunView, code: int | None) -> pd.Series | None:
    """The ``outcomes`` row of outcome ``code``, if the run has it."""
    table = view.table("outcomes")
    if table is None or code is None:
        return None
    hits = table.index[table["code"].to_numpy() == code]
    return table.loc[hits[0]] if len(hits) else None


def _row_utilities(view: RunView, row: pd.Series | None) -> tuple[float, ...] | None:
    if row is None or not view.parties:
        return None
    return tuple(float(row[f"u:{p}"]) for p in view.parties)


def _row_labels(view: RunView, row: pd.Series | None) -> dict[str, str]:
    if row is None:
        return {}
    return {i.id: str(row[f"issue:{i.id}"]) for i in view.issues if f"issue:{i.id}" in row.index}


def _point(view: RunView, name: str, entry: Mapping[str, object]) -> Point | None:
    code = _code(entry.get("outcome"))
    row = outcome_row(view, code)
    labels = {str(k): str(v) for k, v in as_mapping(entry.get("labels")).items()}
    labels = labels or {str(k): str(v) for k, v in as_mapping(entry.get("agreement")).items()}
    utilities = party_point(entry.get("utilities"), view.parties) or _row_utilities(view, row)
    if code is None and not labels and utilities is None:
        return None
    return Point(name, code, labels or _row_labels(view, row), utilities)


def solutions(view: RunView) -> list[Point]:
    """Nash, Kalai–Smorodinsky and utilitarian deals the analysis found (absent ones skipped)."""
    out = []
    for key, name in SOLUTION_NAMES:
        entry = as_mapping(view.analysis.get(key))
        point = _point(view, name, entry) if entry else None
        if point is not None:
            out.append(point)
    return out


def session_agreement(view: RunView) -> Point | None:
    """The single session's agreement, ``None`` when it ended without one (or did not run)."""
    s = view.session
    if not s or s.get("status", "agreed") != "agreed":
        return None
    if not as_mapping(s.get("agreement")) and _code(s.get("outcome")) is None:
        return None
    return _point(view, "agreement (session)", s)


def modal_deal(view: RunView) -> Point | None:
    """The sweep's most frequent agreement and its share of all sessions (ties: lowest code)."""
    sessions = view.table("sessions")
    if sessions is None:
        return None
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    codes = sessions["outcome"].to_numpy()[agreed]
    codes = codes[codes >= 0].astype(np.int64)
    if codes.size == 0:
        return None
    values, counts = np.unique(codes, return_counts=True)
    best = int(values[np.argmax(counts)])
    share = float(counts.max()) / len(sessions)
    row = outcome_row(view, best)
    labels = _row_labels(view, row)
    if not labels:  # no outcomes table: read the options off the first such session
        first = sessions.loc[sessions["outcome"].to_numpy() == best].iloc[0]
        labels = {
            i.id: str(first[f"issue:{i.id}"]) for i in view.issues if f"issue:{i.id}" in first
        }
    return Point("most frequent deal (sweep)", best, labels, _row_utilities(view, row), share)


def option_shares(view: RunView) -> dict[str, dict[str, float]]:
    """Per issue, the share of sweep sessions ending at each option and with no deal.

    From the ``sessions`` table (``issue:<id>`` is ``""`` without a deal) when it is there,
    else from the summary's ``sweep.options``. Options never chosen get share 0 so every
    option of the issue shows.
    """
    sessions = view.table("sessions")
    out: dict[str, dict[str, float]] = {}
    if sessions is not None:
        agreed = sessions["agreed"].to_numpy(dtype=bool)
        n = len(sessions)
        for issue in view.issues:
            column = f"issue:{issue.id}"
            if column not in sessions.columns:
                continue
            chosen = sessions[column].astype(str).to_numpy()[agreed]
            shares = {o: 0.0 for o in issue.options}
            values, counts = np.unique(chosen[chosen != ""], return_counts=True)
            for value, count in zip(values, counts, strict=True):
                shares[str(value)] = float(count) / n
            shares[NO_DEAL] = 1.0 - float(agreed.sum()) / n
            out[issue.id] = shares
        if out:
            return out
    for issue_id, given in as_mapping(view.sweep.get("options")).items():
        shares = {str(k): v for k, v in as_mapping(given).items() if as_float(v) is not None}
        if shares:
            out[str(issue_id)] = {k: float(v) for k, v in shares.items()}
    return out


@dataclass(frozen=True)
class SweepRates:
    """A sweep's agreement rate and each threat's carried-out rate, over ``sessions`` sessions."""

    sessions: int | None
    agreement_rate: float | None
    threat_rates: Mapping[str, float]


def sweep_rates(view: RunView) -> SweepRates | None:
    """Rates from the ``sessions`` table (``threat:<id>`` columns), else from the summary."""
    sessions = view.table("sessions")
    if sessions is not None:
        threats = {
            str(c)[len("threat:") :]: float(sessions[c].to_numpy(dtype=bool).mean())
            for c in sessions.columns
            if str(c).startswith("threat:")
        }
        rate = float(sessions["agreed"].to_numpy(dtype=bool).mean())
        return SweepRates(len(sessions), rate, threats)
    sweep = view.sweep
    if not sweep:
        return None
    n = as_float(sweep.get("sessions"))
    carried = {
        str(k): float(v)
        for k, v in as_mapping(sweep.get("threat_carried_out")).items()
        if as_float(v) is not None
    }
    return SweepRates(
        int(n) if n is not None else None, as_float(sweep.get("agreement_rate")), carried
    )


def parse_point_labels(point: str) -> dict[str, str]:
    """Options of a deal point named ``"deal: a=x, b=y"`` (empty for other names)."""
    head, _, body = point.partition(":")
    if head.strip() != "deal":
        return {}
    pairs = (part.split("=", 1) for part in body.split(",") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs}


@dataclass(frozen=True)
class PricedPoint:
    """A point of the ``impacts``/``welfare`` tables chosen for comparison, with a short label."""

    point: str
    kind: str
    label: str


def impact_points(view: RunView, table: pd.DataFrame) -> tuple[list[PricedPoint], str]:
    """The deal to show (the agreement where priced) against each no-deal point.

    The deal is the first priced deal point matching, in turn, the session's agreement,
    the sweep's most frequent deal, the Nash deal; else the first deal point in the table.
    Returns the points and a sentence saying which deal was chosen and why.
    """
    names = table[["point", "kind"]].drop_duplicates()
    deals = [str(p) for p, k in names.itertuples(index=False) if k == "deal"]
    parsed = {p: parse_point_labels(p) for p in deals}
    chosen: PricedPoint | None = None
    reason = ""
    wanted = [
        (session_agreement(view), "The deal shown is the agreement the talks reached."),
        (
            modal_deal(view),
            "The deal shown is the sweep's most frequent deal (the run has no priced "
            "agreement of a single session).",
        ),
        *(
            (s, f"The deal shown is the {s.name} deal (no agreement of the talks is priced).")
            for s in solutions(view)[:1]
        ),
    ]
    for candidate, why in wanted:
        if candidate is None or not candidate.labels:
            continue
        for p in deals:
            if parsed[p] and parsed[p] == dict(candidate.labels):
                chosen = PricedPoint(p, "deal", f"deal: {candidate.name}")
                reason = why
                break
        if chosen is not None:
            break
    if chosen is None and deals:
        chosen = PricedPoint(deals[0], "deal", "deal")
        reason = (
            "No priced deal matches the agreement or the Nash deal; the first priced deal "
            "point is shown."
        )
    if not deals:
        reason = (
            "The run priced no deal (the talks reached none): only the ways of failing to "
            "agree are shown."
        )
    points = [chosen] if chosen is not None else []
    for p, k in names.itertuples(index=False):
        if k == "status_quo":
            points.append(PricedPoint(str(p), "status_quo", "no deal: status quo"))
        elif k == "threat":
            short = str(p).split(":", 1)[-1].strip() if ":" in str(p) else str(p)
            points.append(PricedPoint(str(p), "threat", f"no deal: threat {short}"))
    return points, reason


def fmt_share(value: float | None) -> str:
    """A share as a percentage with one decimal (``0.861`` → ``86.1%``); ``–`` when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{100 * value:.1f}%"


def fmt_money(value: float | None) -> str:
    """A utility or stake in million USD, signed: ``+5,320``, ``-23.3``, ``+0.861``, ``0``.

    At least three significant figures and at most three decimals: a change below 0.0005
    of a unit (here USD 500) is solver noise, shown as 0. ``–`` when unknown.
    """
    if value is None or not math.isfinite(value):
        return "–"
    digits = min(3, max(0, 2 - math.floor(math.log10(abs(value))))) if value else 1
    text = f"{value:+,.{digits}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def fmt_num(value: float | None, digits: int = 3) -> str:
    """A number to ``digits`` significant digits, 0 below 1e-6; ``–`` when unknown."""
    if value is None or not math.isfinite(value):
        return "–"
    if abs(value) < 1e-6:  # solver round-off around zero (a status quo of 3.7e-09)
        return "0"
    return f"{value:.{digits}g}"
