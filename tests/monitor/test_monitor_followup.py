"""The follow-up scenario: triggered threats become active, and the file loads back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tradetalks import MonitorError
from tradetalks.monitor import (
    Trigger,
    TriggerDecision,
    TriggerOutcome,
    Verdict,
    follow_up_scenario,
    load_goals,
    write_follow_up,
)
from tradetalks.scenario import load_scenario

AUTOS = "us-japan-1995-autos"
THREAT = "section_301_luxury_cars"


def outcome(status: str, threat: str = THREAT, deadline: object = 2000) -> TriggerOutcome:
    trigger = Trigger.model_validate({"goal": "g", "deadline": deadline, "threat": threat})
    return TriggerOutcome((TriggerDecision(trigger, status, Verdict.NOT_MET, "goal g not met"),))  # type: ignore[arg-type]


def test_active_threat_is_carried_out_and_the_scenario_loads_back(tmp_path: Path) -> None:
    base = load_scenario(AUTOS)
    path = write_follow_up(AUTOS, outcome("active"), tmp_path / "next.toml", title="t")
    after = load_scenario(path)
    (threat,) = [t for t in after.threats if t.id == THREAT]
    assert threat.credibility.value == 1.0 and threat.credibility_range is None
    assert threat.deadline is not None and threat.deadline.date == dt.date(2000, 12, 31)
    assert "goal g not met" in (threat.note or "")
    assert not [u for u in after.uncertainty if u.target == f"threats.{THREAT}.credibility"]
    assert len(after.uncertainty) == len(base.uncertainty) - 1
    assert after.id == f"{base.id}-follow-up" and after.parties == base.parties
    assert "monitoring" in {s.id for s in after.sources}


@pytest.mark.parametrize("status", ["inactive", "undecided"])
def test_inactive_or_undecided_triggers_change_no_threat(status: str) -> None:
    base = load_scenario(AUTOS)
    after = follow_up_scenario(base, outcome(status))
    assert after.threats == base.threats and after.uncertainty == base.uncertainty


@pytest.mark.parametrize(
    ("deadline", "date"),
    [
        (1999, dt.date(1999, 12, 31)),
        ("1998-06-30", dt.date(1998, 6, 30)),
        (dt.date(1997, 3, 1), dt.date(1997, 3, 1)),
    ],
)
def test_deadline_dates(deadline: object, date: dt.date) -> None:
    after = follow_up_scenario(load_scenario(AUTOS), outcome("active", deadline=deadline))
    (threat,) = [t for t in after.threats if t.id == THREAT]
    assert threat.deadline is not None and threat.deadline.date == date


def test_unknown_threat_is_a_monitor_error() -> None:
    with pytest.raises(MonitorError) as info:
        follow_up_scenario(load_scenario(AUTOS), outcome("active", threat="embargo"))
    assert "no threat 'embargo'" in info.value.lines()[0] and THREAT in info.value.lines()[0]


def test_goals_inside_a_scenario_follow_up_that_scenario(tmp_path: Path) -> None:
    goals = load_goals("autos-1995")
    assert goals.scenario == AUTOS
    text = tmp_path / "x.toml"
    text.write_text(
        '[monitoring]\n[[monitoring.goals]]\nid = "g"\nagreement = 1995\n'
        '[[monitoring.goals.criteria]]\nkind = "qualitative"\nitems = [{ id = "a" }]\n'
    )
    assert load_goals(text).scenario == str(text)
