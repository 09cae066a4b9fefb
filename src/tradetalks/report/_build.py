"""From a saved run to a :class:`Report`: the sections, each with its plots, tables and gaps."""

from __future__ import annotations

import numpy as np

from tradetalks.report._calendar import calendar_in_words
from tradetalks.report._derive import impact_points
from tradetalks.report._model import Report, ReportFigure, ReportTable, Section
from tradetalks.report._plots import (
    concession_curves,
    sector_impacts,
    utility_space,
    welfare_movers,
)
from tradetalks.report._plots_nparty import parallel_parties, parties_table
from tradetalks.report._plots_sweep import option_distributions, sweep_overview
from tradetalks.report._tables import (
    deals_table,
    headline_table,
    parameters_table,
    threats_table,
)
from tradetalks.report._view import RunView, run_view
from tradetalks.store import RunRecord

#: Section ids, in page order.
SECTION_IDS = ("summary", "utility-space", "talks", "impacts", "sweep")
#: The section a run of three or more parties adds after the bargaining space.
PARTIES_SECTION = "parties"


def _figures(*figures: ReportFigure | None) -> tuple[ReportFigure, ...]:
    return tuple(f for f in figures if f is not None)


def _tables(*tables: ReportTable | None) -> tuple[ReportTable, ...]:
    return tuple(t for t in tables if t is not None)


def _summary(view: RunView) -> Section:
    intro = (
        f"Run {view.run_id} ({view.kind}) of the scenario {view.scenario_id}. "
        "A deal must be won at the table and ratified at home (Putnam 1988): each government "
        "can only sign outcomes in its win-set, and weighs any deal against the expected value "
        "of walking away, threats included."
    )
    return Section(
        "summary",
        "Summary",
        (intro, *view.pricing_notes),
        _tables(headline_table(view), deals_table(view), threats_table(view)),
        (),
        view.notes,
    )


def _utility_section(view: RunView) -> Section:
    figure = utility_space(view)
    absent: tuple[str, ...] = ()
    if figure is None:
        why = (
            "fewer than two parties are known"
            if view.table("outcomes") is not None
            else "the run has no usable 'outcomes' table"
        )
        absent = (f"The bargaining space is not drawn: {why}.",)
    return Section("utility-space", "The bargaining space", (), (), _figures(figure), absent)


def _parties_section(view: RunView) -> Section:
    """Three or more governments: one axis each, and a table of what each can ratify."""
    figure = parallel_parties(view)
    absent = () if figure else ("The parties are not drawn: the run has no usable 'outcomes' "
                                "table.",)  # fmt: skip
    return Section(PARTIES_SECTION, "Every party at the table", (), _tables(parties_table(view)),
                   _figures(figure), absent)  # fmt: skip


def _talks_section(view: RunView) -> Section:
    figure = concession_curves(view)
    absent: tuple[str, ...] = ()
    if figure is None:
        absent = (
            "No concession curves: the run has no 'trace' table (only runs that negotiate one "
            "session, 'run' and 'negotiate', save one).",
        )
    return Section("talks", "The talks", (), (), _figures(figure), absent)


def _no_change(view: RunView, point: str) -> bool:
    """Whether every priced change at ``point`` is nil, below 1e-6 (the status quo usually is)."""
    for name, column in (("impacts", "value_added_change"), ("welfare", "welfare_change")):
        table = view.table(name)
        if table is not None:
            values = table.loc[table["point"] == point, column].to_numpy(dtype=float)
            # the status quo is priced by the solver, so "no change" is zero to round-off
            if values.size == 0 or np.any(np.abs(values) > 1e-6):
                return False
    return True


def _impacts_section(view: RunView) -> Section:
    source = view.table("impacts")
    if source is None:
        source = view.table("welfare")
    if source is None:
        return Section(
            "impacts",
            "Impacts of a deal and of no deal",
            absent=("No impacts: the run has neither an 'impacts' nor a 'welfare' table.",),
        )
    points, reason = impact_points(view, source)
    paragraphs = [reason] if reason else []
    flat = [p for p in points if _no_change(view, p.point)]
    if flat:
        paragraphs.append(
            "No change at all (not drawn): "
            + "; ".join(p.label for p in flat)
            + ". The status quo is the baseline the changes are measured from."
        )
        points = [p for p in points if p not in flat]
    sectors = sector_impacts(view, points)
    welfare = welfare_movers(view, points)
    absent = []
    if sectors is None:
        absent.append("No sector impacts: the run has no usable 'impacts' table.")
    if welfare is None:
        absent.append("No welfare by country: the run has no usable 'welfare' table.")
    return Section(
        "impacts",
        "Impacts of a deal and of no deal",
        tuple(paragraphs),
        (),
        _figures(sectors, welfare),
        tuple(absent),
    )


def _sweep_section(view: RunView) -> Section:
    figures = _figures(option_distributions(view), sweep_overview(view))
    absent: list[str] = []
    if not figures:
        absent.append(
            "No sweep: the run has neither a 'sessions' table nor a 'sweep' summary (only "
            "'run' and 'sweep' runs sample parameters and run many sessions)."
        )
    elif view.table("sessions") is None:
        absent.append("The shares come from the summary: the run has no 'sessions' table.")
    params = parameters_table(view)
    if figures and params is None:
        absent.append("The run saved no sampled parameters ('params' table).")
    # by date and stage: agreement by date, each summit's outcome, each threat's fate
    line = calendar_in_words(view.calendar) if figures else ""
    stages = (line,) if line else ()
    return Section(
        "sweep", "Outcomes under uncertainty", stages, _tables(params), figures, tuple(absent)
    )


def build_report(run: RunRecord | RunView) -> Report:
    """Build the report of a saved run (plots rendered, tables formatted).

    Parameters
    ----------
    run
        A record from :meth:`RunStore.get_run`, or a view already read with :func:`run_view`.
        Whatever the run lacks (e.g. an ``analyze`` run has no talks or sweep) is said in
        the section concerned instead of shown.
    """
    view = run if isinstance(run, RunView) else run_view(run)
    meta = (
        ("scenario", view.scenario_id),
        ("run", view.run_id),
        ("kind", view.kind),
        ("created (UTC)", view.created_utc.strftime("%Y-%m-%d %H:%M")),
    )
    # A run of three or more parties adds a section; two-party reports are unchanged.
    parties = (_parties_section(view),) if len(view.parties) > 2 else ()
    sections = (
        _summary(view),
        _utility_section(view),
        *parties,
        _talks_section(view),
        _impacts_section(view),
        _sweep_section(view),
    )
    return Report(view.title, view.run_id, meta, sections)
