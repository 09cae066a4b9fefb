"""The report's tables: headline facts, deals by issue, threats, sampled parameter ranges."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tradetalks.report._derive import (
    Point,
    fmt_money,
    fmt_num,
    fmt_share,
    modal_deal,
    session_agreement,
    solutions,
    sweep_rates,
)
from tradetalks.report._model import ReportTable
from tradetalks.report._view import RunView, as_float, as_mapping


def _labels_text(labels: object) -> str:
    pairs = as_mapping(labels)
    return ", ".join(f"{k}={v}" for k, v in pairs.items()) if pairs else "–"


def _count(value: float | None) -> str:
    return fmt_num(value, 6)


def _per_party(view: RunView, values: object, *, counts: bool = False) -> str:
    """``USA +5,320, JPN -23.3``: utilities in money, or ``counts`` (win-set sizes)."""
    given = as_mapping(values)
    show = _count if counts else fmt_money
    parts = [f"{p} {show(as_float(given.get(p)))}" for p in view.parties or tuple(map(str, given))]
    return ", ".join(parts) if parts else "–"


def headline_table(view: RunView) -> ReportTable:
    """What the run is and what came of it, one fact per row."""
    rows: list[tuple[str, str]] = [
        ("scenario", f"{view.scenario_id}: {view.title}"),
        ("run", f"{view.run_id} ({view.kind}, {view.status})"),
        ("created (UTC)", view.created_utc.strftime("%Y-%m-%d %H:%M:%S")),
        ("seed", "–" if view.seed is None else str(view.seed)),
        ("data version / tradetalks", f"{view.data_version} / {view.tradetalks_version}"),
    ]
    if view.parties:
        rows.append(("parties", ", ".join(view.parties)))
    a = view.analysis
    if a:
        n = as_float(a.get("n_outcomes"))
        zopa = as_float(a.get("zopa_size"))
        rows.append(("outcomes / in the ZOPA", f"{fmt_num(n, 6)} / {fmt_num(zopa, 6)}"))
        if as_mapping(a.get("win_set_sizes")):
            rows.append(("win-set sizes", _per_party(view, a.get("win_set_sizes"), counts=True)))
        if as_mapping(a.get("no_deal")):
            rows.append(("expected value of no deal", _per_party(view, a.get("no_deal"))))
    s = view.session
    if s:
        status = str(s.get("status", "–"))
        rounds = as_float(s.get("rounds"))
        rows.append(("talks", f"{status} after {fmt_num(rounds, 6)} rounds"))
        if s.get("agreement"):
            rows.append(("agreement", _labels_text(s.get("agreement"))))
            rows.append(("utilities of the agreement", _per_party(view, s.get("utilities"))))
        carried = s.get("threats_carried_out")
        if isinstance(carried, list):
            rows.append(("threats carried out", ", ".join(map(str, carried)) or "none"))
    rates = sweep_rates(view)
    if rates is not None:
        n_text = f"{rates.sessions:,}" if rates.sessions else "–"
        rows.append(
            ("sweep: sessions / agreement rate", f"{n_text} / {fmt_share(rates.agreement_rate)}")
        )
        for threat, rate in rates.threat_rates.items():
            rows.append((f"sweep: {threat} carried out", fmt_share(rate)))
        if as_mapping(view.sweep.get("mean_utility")):
            rows.append(("sweep: mean utility", _per_party(view, view.sweep.get("mean_utility"))))
        speed = as_float(view.sweep.get("sessions_per_second"))
        if speed is not None:
            rows.append(("sweep: sessions per second", f"{speed:,.0f}"))
    t = view.timing
    if t:
        parts = [
            f"{k.removesuffix('_s')} {fmt_num(as_float(v))} s"
            for k, v in t.items()
            if k.endswith("_s")
        ]
        if "cached_prices" in t:
            parts.append("prices from cache" if t["cached_prices"] else "prices computed")
        rows.append(("timing", ", ".join(parts) or "–"))
    return ReportTable("Headline", ("", "value"), tuple(rows))


def deals_table(view: RunView) -> ReportTable | None:
    """The status quo, each solution concept's deal and the agreements, issue by issue."""
    points: list[Point] = list(solutions(view))
    for extra in (session_agreement(view), modal_deal(view)):
        if extra is not None:
            points.append(extra)
    if not points or not view.issues:
        return None
    columns = ("issue", "status quo", *(p.name for p in points))
    rows: list[tuple[str, ...]] = []
    for issue in view.issues:
        rows.append(
            (issue.label, issue.status_quo or "–", *(p.labels.get(issue.id, "–") for p in points))
        )
    for k, party in enumerate(view.parties):
        sq = as_float(as_mapping(view.analysis.get("status_quo")).get(party))
        rows.append(
            (
                f"utility of {party}",
                fmt_money(sq),
                *(fmt_money(p.utilities[k]) if p.utilities else "–" for p in points),
            )
        )
    modal = modal_deal(view)
    note = (
        f"The most frequent deal of the sweep ended {fmt_share(modal.share)} of the sessions."
        if modal is not None
        else ""
    )
    return ReportTable("Deals by issue", columns, tuple(rows), note)


def threats_table(view: RunView) -> ReportTable | None:
    """Each threat: who makes it, how credible, what it is worth, how often carried out."""
    threats = view.analysis.get("threats")
    if not isinstance(threats, list) or not threats:
        return None
    rates = sweep_rates(view)
    carried = view.session.get("threats_carried_out")
    rows = []
    for threat in threats:
        t = as_mapping(threat)
        tid = str(t.get("id", "?"))
        credible = t.get("credible")
        rows.append(
            (
                tid,
                f"{t.get('by', '?')} → {t.get('against', '?')}",
                "yes" if credible is True else "no" if credible is False else "–",
                fmt_num(as_float(t.get("credibility"))),
                _per_party(view, t.get("value")),
                ("yes" if tid in carried else "no") if isinstance(carried, list) else "–",
                fmt_share(rates.threat_rates.get(tid)) if rates is not None else "–",
            )
        )
    columns = (
        "threat",
        "by → against",
        "credible",
        "credibility",
        "value if carried out",
        "carried out (session)",
        "carried out (sweep)",
    )
    return ReportTable("Threats", columns, tuple(rows))


def parameters_table(view: RunView) -> ReportTable | None:
    """Range of each sampled parameter over the sweep's sessions."""
    params = view.table("params")
    if params is None:
        return None
    names: Sequence[str] = [str(c) for c in params.columns if c != "session"]
    rows = []
    fixed = []
    for name in names:
        values = params[name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if values.size == 0:
            continue
        q = np.quantile(values, [0.0, 0.05, 0.5, 0.95, 1.0])
        if q[0] == q[-1]:
            fixed.append(f"{name} = {fmt_num(float(q[0]))}")
        else:
            rows.append((name, *(fmt_num(float(v)) for v in q)))
    if not rows and not fixed:
        return None
    return ReportTable(
        f"Sampled parameters ({len(params):,} sessions)",
        ("parameter", "min", "5%", "median", "95%", "max"),
        tuple(rows),
        f"Held fixed (the scenario gives no range): {', '.join(fixed)}." if fixed else "",
    )
