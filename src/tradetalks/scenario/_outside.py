"""Outside options, caps from earlier agreements, and linked tables (the scenario side).

* ``[[outside_options]]``: an alternative agreement with third countries (the EU–Japan
  EPA, the CPTPP without the US). Its ``[[outside_options.measures]]`` are written with the
  instruments of issues (``tariff``, ``ntb``, ``quota``, ``ver``, ``trq``) as a move from
  ``before`` to ``after``; it comes into force with ``probability`` (and/or on ``date``,
  which must fall inside the talks). It sets the value of no deal of the parties it
  ``affects``: the outside-option principle of bargaining (Binmore, Shaked and Sutton
  1989; Muthoo 1999, ch. 5). ``scope = "always"`` says it comes into force whether or not
  the talks agree, so every deal is priced with it too (preference erosion is then undone
  only by the deal's own access).
* ``[[caps]]``: a party cannot ratify options of an issue beyond ``max_option`` ("no more
  than TPP levels").
* ``[[tables]]``: the issues settled at each table, in the order the tables settle; a
  table with ``ratified = "alone"`` has its part voted on when it is settled (later tables'
  issues at their status quo); with ``"with_package"`` (the default) only the whole
  package is voted on (Congress votes on the TPP, not on US–Japan access alone).

Checks across fields (unknown parties, issues or options, dates outside the talks) are in
:func:`outside_checks`; the game side is :mod:`tradetalks.game._outside`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from tradetalks.scenario._model import (
    CountryCode,
    Identifier,
    Issue,
    Option,
    Quantity,
    RentOwner,
    _Frozen,
    _in_range,
    _sectors,
)

if TYPE_CHECKING:
    from tradetalks.scenario._model import Scenario

MeasureInstrument = Literal["tariff", "ntb", "quota", "ver", "trq"]
OutsideScope = Literal["no_deal", "always"]
TableRatification = Literal["with_package", "alone"]


class Measure(_Frozen):
    """One change an outside agreement makes, in the vocabulary of issues.

    ``after`` is the new level and ``before`` the one it replaces, on the unit an issue
    with this ``instrument`` uses (tariff rates for ``tariff``/``ntb``, million USD a year
    for ``quota``/``ver``/``trq`` volumes); a ``tariff`` is a level, so ``before`` may be
    left out. It is priced exactly as an issue moved from ``before`` to ``after``.
    """

    instrument: MeasureInstrument
    applied_by: CountryCode
    applied_to: CountryCode
    sectors: list[str] = Field(min_length=1)
    after: Quantity
    before: Quantity | None = None
    rent_share: Quantity | None = None
    rent_owner: RentOwner | None = None
    in_quota_rate: Quantity | None = None
    over_quota_rate: Quantity | None = None
    note: str | None = None

    _check_sectors = field_validator("sectors")(_sectors)

    def as_issue(self, issue_id: str = "measure") -> Issue:
        """The measure as a two-option issue, status quo ``before``, option ``after``."""
        before = self.before if self.before is not None else self.after
        return Issue(
            id=issue_id,
            label=issue_id,
            instrument=self.instrument,
            applied_by=self.applied_by,
            applied_to=self.applied_to,
            sectors=self.sectors,
            options=[Option(id="before", value=before), Option(id="after", value=self.after)],
            status_quo="before",
            rent_share=self.rent_share,
            rent_owner=self.rent_owner,
            in_quota_rate=self.in_quota_rate,
            over_quota_rate=self.over_quota_rate,
        )

    @model_validator(mode="after")
    def _like_an_issue(self) -> Measure:
        if self.instrument != "tariff" and self.before is None:
            raise ValueError(f"a {self.instrument} measure needs before (the level it replaces)")
        if min(self.after.value, (self.before or self.after).value) < 0:
            raise ValueError("before and after must be >= 0")
        try:
            self.as_issue()
        except ValidationError as e:  # the issue's own rules (trq rates, rent fields)
            raise ValueError("; ".join(str(err["msg"]) for err in e.errors())) from None
        return self


class OutsideOption(_Frozen):
    """An alternative agreement with third countries that sets the value of no deal."""

    id: Identifier
    label: str
    partners: list[CountryCode] = Field(min_length=1)
    affects: list[CountryCode] = Field(default_factory=list)
    probability: Quantity | None = None
    date: dt.date | None = None
    date_source: str | None = None
    scope: OutsideScope = "no_deal"
    measures: list[Measure] = Field(default_factory=list)
    source: str | None = None
    note: str | None = None

    _check_probability = field_validator("probability")(
        lambda q: q if q is None else _in_range(q, 0.0, 1.0, "a probability")
    )

    @model_validator(mode="after")
    def _when(self) -> OutsideOption:
        if self.probability is None and self.date is None:
            raise ValueError("an outside option needs a probability, a date it comes into "
                             "force, or both")  # fmt: skip
        return self

    @property
    def chance(self) -> float:
        """Probability it comes into force (1 when only a date inside the talks is given)."""
        return 1.0 if self.probability is None else self.probability.value


class Cap(_Frozen):
    """A party cannot ratify options of ``issue`` beyond ``max_option`` (an earlier level)."""

    party: CountryCode
    issue: str
    max_option: str
    agreement: str | None = None
    source: str | None = None
    note: str | None = None


class Table(_Frozen):
    """A negotiating table: its parties, the issues settled there, how its part is ratified."""

    id: Identifier
    label: str = ""
    parties: list[CountryCode] = Field(min_length=1)
    issues: list[str] = Field(min_length=1)
    ratified: TableRatification = "with_package"
    source: str | None = None
    note: str | None = None


def exceeding_options(issue: Issue, max_option: str) -> list[int]:
    """Indices of the options of ``issue`` beyond ``max_option``, away from the status quo."""
    ids = issue.option_ids()
    cap, sq = ids.index(max_option), issue.status_quo_index()
    return list(range(cap + 1, len(ids))) if cap >= sq else list(range(cap))


def talks_window(s: Scenario) -> tuple[dt.date | None, dt.date | None]:
    """``(start, end)`` of the talks: ``[protocol] start``/``end``, else the party deadlines."""
    start = s.protocol.get("start")
    ends = [p.deadline.date for p in s.parties if p.deadline and p.deadline.date]
    end = s.protocol.get("end", min(ends) if ends else None)
    as_date = [d if isinstance(d, dt.date) else None for d in (start, end)]
    return as_date[0], as_date[1]


def outside_checks(s: Scenario) -> Iterator[tuple[str, str]]:
    """Problems across fields: unknown parties, issues, options, sources; dates."""
    from tradetalks.scenario._codes import COUNTRY_GROUPS, WIOD_COUNTRIES

    parties = [p.code for p in s.parties]
    issues = {i.id: i for i in s.issues}
    known = set(WIOD_COUNTRIES) | set(COUNTRY_GROUPS)
    declared = {x.id for x in s.sources}
    start, end = talks_window(s)
    for k, o in enumerate(s.outside_options):
        path = f"outside_options[{k}]"
        for code in o.partners:
            if code not in known:
                yield f"{path}.partners", f"{code!r} is neither a WIOD country nor a group"
        for code in o.affects:
            if code not in parties:
                yield f"{path}.affects", f"{code!r} is not a party ({parties})"
        for j, m in enumerate(o.measures):
            for f in ("applied_by", "applied_to"):
                if getattr(m, f) not in known:
                    yield (f"{path}.measures[{j}].{f}",
                           f"{getattr(m, f)!r} is neither a WIOD country nor a group")  # fmt: skip
        for f in ("source", "date_source"):
            cited = getattr(o, f)
            if cited is not None and cited not in declared:
                yield f"{path}.{f}", f"source {cited!r} is not declared in [[sources]]"
        if o.date is not None:
            if start is None or end is None:
                yield (f"{path}.date", "a date needs the talks' dates to compare with "
                       "([protocol] start, and end or a party deadline date); "
                       "give a probability instead")  # fmt: skip
            elif not start <= o.date <= end:
                yield (f"{path}.date", f"{o.date} is outside the talks ({start} to {end}): "
                       "an agreement in force before them belongs in the baseline, one after "
                       "them does not change the value of no deal")  # fmt: skip
    for k, c in enumerate(s.caps):
        path = f"caps[{k}]"
        if c.party not in parties:
            yield f"{path}.party", f"{c.party!r} is not a party ({parties})"
        if c.issue not in issues:
            yield f"{path}.issue", f"unknown issue {c.issue!r} ({sorted(issues)})"
        elif c.max_option not in issues[c.issue].option_ids():
            yield (f"{path}.max_option", f"{c.max_option!r} is not an option of "
                   f"{c.issue} ({issues[c.issue].option_ids()})")  # fmt: skip
        elif not issues[c.issue].is_ordered:
            yield f"{path}.issue", f"{c.issue} has unordered options: a cap needs a scale"
        if c.source is not None and c.source not in declared:
            yield f"{path}.source", f"source {c.source!r} is not declared in [[sources]]"
    seen: dict[str, str] = {}
    for k, t in enumerate(s.tables):
        path = f"tables[{k}]"
        for code in t.parties:
            if code not in parties:
                yield f"{path}.parties", f"{code!r} is not a party ({parties})"
        for issue_id in t.issues:
            if issue_id not in issues:
                yield f"{path}.issues", f"unknown issue {issue_id!r} ({sorted(issues)})"
            elif issue_id in seen:
                yield (f"{path}.issues", f"{issue_id!r} is already settled at table "
                       f"{seen[issue_id]!r}: each issue is settled at one table")  # fmt: skip
            seen.setdefault(issue_id, t.id)
        if t.source is not None and t.source not in declared:
            yield f"{path}.source", f"source {t.source!r} is not declared in [[sources]]"
    if s.tables:
        missing = [i for i in issues if i not in seen]
        if missing:
            yield "tables", f"issues {missing} are settled at no table"


def _cited(q: Quantity) -> str:
    return f"{q.value:g}" + (f" [{q.source}]" if q.source else "")


def outside_in_words(s: Scenario) -> list[str]:
    """One line per outside option, cap and table (for ``tradetalks show``), numbers cited."""
    lines = []
    for o in s.outside_options:
        when = [f"p={_cited(o.probability)}"] if o.probability is not None else []
        when += [f"in force {o.date}"] if o.date is not None else []
        affects = ", ".join(o.affects) or "every party"
        scope = "with or without a deal" if o.scope == "always" else "only without a deal"
        lines.append(
            f"outside option {o.id}: {o.label} ({', '.join(o.partners)}; "
            f"{', '.join(when)}; {scope}; sets the no-deal value of {affects})"
        )
        for m in o.measures:
            before = "" if m.before is None else f"{_cited(m.before)} -> "
            lines.append(f"  {m.instrument} {m.applied_by} on {m.applied_to} "
                         f"{','.join(m.sectors)}: {before}{_cited(m.after)}")  # fmt: skip
    for c in s.caps:
        why = f" ({c.agreement})" if c.agreement else ""
        lines.append(f"cap: {c.party} ratifies no option of {c.issue} beyond "
                     f"{c.max_option}{why}")  # fmt: skip
    for n, t in enumerate(s.tables, start=1):
        vote = ("its part voted on alone when settled" if t.ratified == "alone"
                else "voted on only in the whole package")  # fmt: skip
        lines.append(f"table {n} {t.id}: {', '.join(t.parties)} settle "
                     f"{', '.join(t.issues)}; {vote}")  # fmt: skip
    return lines
