"""A sweep's outcomes by date and by stage, in one line (the run's printout and its report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def calendar_in_words(calendar: Mapping[str, Any]) -> str:
    """Agreement by date, each summit's outcome and each threat's fate, in one line.

    ``calendar`` is :func:`tradetalks.game.calendar_summary`'s result as saved with a run;
    ``""`` when it says nothing (talks without dates, stages or threats).
    """
    parts = []
    by = calendar.get("agreed_by")
    if by:
        dates = list(by)
        picks = dict.fromkeys([dates[len(dates) // 2 - 1], dates[-1]] if len(dates) > 1 else dates)
        parts.append("agreed by " + ", ".join(f"{d} {by[d]:.0%}" for d in picks))
    stages = calendar.get("stages", {})
    for sid, m in stages.get("summits", {}).items():
        when = f" ({m['date']})" if m["date"] else ""
        parts.append(f"summit {sid}{when}: agreed {m['agreed']:.0%}, failed {m['failed']:.0%} "
                     f"(then agreed in the talks {m['agreed_after']:.0%})")  # fmt: skip
    for tid, t in stages.get("threats", {}).items():
        when = f" on {t['due']}" if t["due"] else ""
        parts.append(f"{tid} carried out{when}: {t['without_deal']:.0%} with no deal, "
                     f"{t['after_agreement']:.0%} after an agreement")  # fmt: skip
    return "By date and stage: " + "; ".join(parts) if parts else ""
