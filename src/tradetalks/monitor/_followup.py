"""The follow-up scenario: the scenario the goals belong to, with the triggered threats active.

A threat is *active* when it will be carried out: its credibility becomes 1 (and leaves the
uncertainty sweeps), its deadline takes the trigger's date, and its note and the scenario's
summary say which goal failed and why. The result is checked by loading it back through
:func:`tradetalks.scenario.loads_scenario`, so the main job can run it as it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tradetalks._errors import MonitorError, Problem, ScenarioError
from tradetalks._inputs import write_text
from tradetalks.monitor._assess import TriggerDecision, TriggerOutcome
from tradetalks.monitor._series import to_time
from tradetalks.scenario import (
    Deadline,
    Quantity,
    Scenario,
    Source,
    Threat,
    dump_scenario,
    load_scenario,
    loads_scenario,
)

_SOURCE_ID = "monitoring"


def _deadline_date(decision: TriggerDecision) -> dt.date:
    """The trigger's deadline as a date: a bare year means the end of that year."""
    value = decision.trigger.deadline
    if isinstance(value, int):
        return dt.date(value, 12, 31)
    if isinstance(value, dt.date):
        return value
    t = to_time(value)
    year = int(t)
    if float(year) == t and str(value).strip().isdigit():
        return dt.date(year, 12, 31)
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days
    return start + dt.timedelta(days=round((t - year) * days))


def _activate(threat: Threat, decision: TriggerDecision) -> Threat:
    old = threat.deadline
    deadline = Deadline(
        round=old.round if old is not None else None,
        date=_deadline_date(decision),
        source=_SOURCE_ID,
        note=f"trigger on goal {decision.trigger.goal!r}",
    )
    note = f"ACTIVE after monitoring: {decision.reason}."
    return threat.model_copy(
        update={
            "credibility": Quantity(
                value=1.0, source=_SOURCE_ID, note="triggered: the threat is carried out"
            ),
            "credibility_range": None,
            "deadline": deadline,
            "note": f"{threat.note} {note}" if threat.note else note,
        }
    )


def follow_up_scenario(scenario: Scenario, outcome: TriggerOutcome, *, title: str = "") -> Scenario:
    """``scenario`` with every threat that ``outcome`` activates made active.

    Raises
    ------
    MonitorError
        If a trigger names a threat the scenario does not have.
    """
    by_id = {t.id: t for t in scenario.threats}
    unknown = [d.trigger.threat for d in outcome.active if d.trigger.threat not in by_id]
    if unknown:
        raise MonitorError(
            "triggers name unknown threats",
            [
                Problem(
                    "<triggers>",
                    "threat",
                    f"scenario {scenario.id!r} has no threat {name!r} (threats: "
                    f"{', '.join(by_id) or 'none'})",
                )
                for name in unknown
            ],
        )
    active = {d.trigger.threat: d for d in reversed(outcome.active)}  # first trigger wins
    threats = [_activate(t, active[t.id]) if t.id in active else t for t in scenario.threats]
    uncertainty = [
        u
        for u in scenario.uncertainty
        if u.target not in {f"threats.{i}.credibility" for i in active}
    ]
    citation = f"tradetalks monitor{': ' + title if title else ''} (verdicts and triggers)"
    sources = [s for s in scenario.sources if s.id != _SOURCE_ID]
    sources.append(Source(id=_SOURCE_ID, citation=citation))
    lines = [f"- {name}: {d.reason}" for name, d in active.items()] or ["- no threat became active"]
    summary = f"{scenario.summary}\n\nFollow-up after monitoring:\n" + "\n".join(lines)
    return scenario.model_copy(
        update={
            "id": f"{scenario.id}-follow-up",
            "title": f"{scenario.title} — follow-up"
            + (f" ({', '.join(active)} active)" if active else ""),
            "summary": summary,
            "sources": sources,
            "threats": threats,
            "uncertainty": uncertainty,
        }
    )


def write_follow_up(
    scenario: str | Path | Scenario, outcome: TriggerOutcome, path: Path, *, title: str = ""
) -> Path:
    """Write the follow-up scenario TOML to ``path`` and check that it loads back."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    text = dump_scenario(follow_up_scenario(base, outcome, title=title))
    try:
        loads_scenario(text, str(path))
    except ScenarioError as error:  # a bug here, not the user's: say what failed
        raise MonitorError("the follow-up scenario does not load back", error.problems) from None
    return write_text(path, text, field="--follow-up", error=MonitorError)
