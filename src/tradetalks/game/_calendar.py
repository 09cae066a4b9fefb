"""Rounds on the calendar, and what a sweep says by date and by stage.

With ``[protocol] start`` and ``end`` dates (``end`` defaults to the earliest party
deadline's date), round ``r`` of ``R`` ends on ``start + r/R · (end - start)``: rounds are
spread evenly over the talks, so "agreement by 31 May" can be asked of a sweep. A dated
summit pins its last round to its date: the rounds before it are spread evenly up to it,
the rounds after it evenly from it to the end.

Outcomes by stage: a summit (:mod:`tradetalks.scenario._stages`) succeeds in the sessions
that agree during its rounds; it fails in those that reach it without agreeing then, and
the talks go on after it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
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
    pins = [(0, start)] + [(st.deadline.round, st.deadline.date) for st in s.stages
                           if st.deadline.date is not None] + [(rounds, end)]  # fmt: skip
    days = [(d - start).days for _, d in pins]
    if days != sorted(days):  # a summit dated outside the talks: spread evenly
        pins = [pins[0], pins[-1]]
    at = np.interp(
        np.arange(1, rounds + 1),
        [r for r, _ in pins],
        [(d - start) / dt.timedelta(1) for _, d in pins],
    )
    return [start + dt.timedelta(days=float(x)) for x in at]


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
    if setup.scenario.stages:
        out["stages"]["summits"] = _summit_outcomes(setup, agreed, rounds, dates)
    return out


def _summit_outcomes(
    setup: GameSetup,
    agreed: npt.NDArray[np.bool_],
    rounds: npt.ArrayLike,
    dates: list[dt.date] | None,
) -> dict[str, dict[str, Any]]:
    """Per summit, the share of sessions agreed before it, at it, and after it failed.

    ``failed`` is the share of sessions that reached the summit and left it without a deal
    (the talks went on); ``agreed_after`` those of them that agreed later in the talks.
    """
    n = max(len(agreed), 1)
    r = np.asarray(rounds)
    out = {}
    for st in setup.scenario.stages:
        first, last = st.first_round, st.end_round
        before = agreed & (r <= first)
        at = agreed & (r > first) & (r <= last)
        date = st.deadline.date or (dates[last - 1] if dates else None)
        out[st.id] = {
            "kind": st.kind,
            "rounds": [first + 1, last],
            "date": None if date is None else date.isoformat(),
            "agreed_before": float(before.sum()) / n,
            "agreed": float(at.sum()) / n,
            "failed": float((~before & ~at).sum()) / n,
            "agreed_after": float((agreed & (r > last)).sum()) / n,
        }
    return out
