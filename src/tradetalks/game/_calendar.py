"""Rounds on the calendar, and what a sweep says by date and by stage.

With ``[protocol] start`` and ``end`` dates (``end`` defaults to the earliest party
deadline's date), round ``r`` of ``R`` ends on ``start + r/R · (end - start)``: rounds are
spread evenly over the talks, so "agreement by 31 May" can be asked of a sweep.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from tradetalks.game._setup import GameSetup
from tradetalks.game._talks import talks_rounds


def round_dates(setup: GameSetup) -> list[dt.date] | None:
    """The date each round ends (rounds 1..R), or ``None`` without a start and an end."""
    s = setup.scenario
    start = s.protocol.get("start")
    ends = [p.deadline.date for p in s.parties if p.deadline and p.deadline.date]
    end = s.protocol.get("end", min(ends) if ends else None)
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return None
    rounds = talks_rounds(setup)
    return [start + (end - start) * r / rounds for r in range(1, rounds + 1)]


def _due_date(setup: GameSetup, k: int, dates: list[dt.date] | None) -> str | None:
    t = setup.scenario.threats[k]
    if t.deadline is not None and t.deadline.date is not None:
        return t.deadline.date.isoformat()
    if dates is None:
        return None
    r = t.deadline.round if t.deadline and t.deadline.round and t.stage == "talks" else None
    return dates[min(r or len(dates), len(dates)) - 1].isoformat()


def calendar_summary(setup: GameSetup, sessions: pd.DataFrame) -> dict[str, Any]:
    """Agreement by date (when rounds have dates) and outcomes per stage.

    ``agreed_by`` maps each round's date to the share of sessions agreed by then; ``stages``
    gives the share agreed in the talks and, for each threat, the share of sessions in which
    it was carried out with no deal, and after an agreement (at its deadline or at the
    compliance review).
    """
    n = max(len(sessions), 1)
    agreed = sessions["agreed"].to_numpy(dtype=bool)
    rounds = sessions["rounds"].to_numpy()
    dates = round_dates(setup)
    out: dict[str, Any] = {}
    if dates is not None:
        out["agreed_by"] = {
            d.isoformat(): float((agreed & (rounds <= r)).sum()) / n
            for r, d in enumerate(dates, start=1)
        }
    threats = {}
    for k, t in enumerate(setup.scenario.threats):
        carried = sessions[f"threat:{t.id}"].to_numpy(dtype=bool)
        threats[t.id] = {
            "stage": t.stage,
            "due": _due_date(setup, k, dates),
            "without_deal": float((carried & ~agreed).sum()) / n,
            "after_agreement": float((carried & agreed).sum()) / n,
        }
    out["stages"] = {"talks": {"agreed": float(agreed.sum()) / n}, "threats": threats}
    return out
