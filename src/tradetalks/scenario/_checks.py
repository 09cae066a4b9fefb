"""Checks across the fields of a scenario: ids, references, sources, uncertainty targets.

Each check returns ``(field path, message)`` pairs, so that every problem in a file is
reported at once rather than the first one.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from tradetalks.scenario._codes import COUNTRY_GROUPS, WIOD_SECTORS
from tradetalks.scenario._labels import known_countries
from tradetalks.scenario._model import Deadline, Quantity, Scenario, Stake, UncertainRange
from tradetalks.scenario._outside import outside_checks
from tradetalks.scenario._talk_checks import talk_checks

Finding = tuple[str, str]


def cross_check(s: Scenario) -> list[Finding]:
    """All problems that involve more than one field of ``s``."""
    return [
        *_duplicates(s),
        *_codes(s),
        *_party_references(s),
        *_issue_checks(s),
        *_stake_references(s),
        *_threat_checks(s),
        *_undeclared_sources(s),
        *_uncertainty_targets(s),
        *talk_checks(s),
        *_size(s),
        *outside_checks(s),
    ]


MAX_OUTCOMES = 100_000
"""Most joint outcomes (the product of the issues' option counts) a scenario may have: each
is priced with the trade model, so a typo of 50 options on 8 issues would never finish."""


def _size(s: Scenario) -> Iterator[Finding]:
    n = math.prod(len(i.options) for i in s.issues)
    if n > MAX_OUTCOMES:
        counts = " x ".join(str(len(i.options)) for i in s.issues)
        yield "issues", f"{counts} = {n:,} joint outcomes; the limit is {MAX_OUTCOMES:,}"


def _dupes(ids: list[str]) -> list[str]:
    return [k for k, n in Counter(ids).items() if n > 1]


def _duplicates(s: Scenario) -> Iterator[Finding]:
    groups: list[tuple[str, list[str]]] = [
        ("sources", [x.id for x in s.sources]),
        ("parties", [p.code for p in s.parties]),
        ("facts", [f.id for f in s.facts]),
        ("issues", [i.id for i in s.issues]),
        ("threats", [t.id for t in s.threats]),
    ]
    groups += [(f"parties[{k}].constituencies", [c.id for c in p.constituencies])
               for k, p in enumerate(s.parties)]  # fmt: skip
    groups += [(f"issues[{k}].options", i.option_ids()) for k, i in enumerate(s.issues)]
    for path, ids in groups:
        for d in _dupes(ids):
            yield path, f"duplicate id {d!r}"


def _known(s: Scenario) -> set[str]:
    """Codes an issue, threat or stake may name: parties, WIOD countries, groups, declared."""
    return ({p.code for p in s.parties} | set(known_countries()) | set(COUNTRY_GROUPS)
            | set(s.economics.priced_in_row))  # WIOD's countries or the table's  # fmt: skip


def _unknown(code: str) -> str:
    return (f"unknown country code {code!r}; expected a WIOD code such as USA, JPN, a group "
            f"({', '.join(COUNTRY_GROUPS)}), or a country declared in economics.priced_in_row "
            "(priced as part of RoW)")  # fmt: skip


def _codes(s: Scenario) -> Iterator[Finding]:
    """Party codes and members, countries priced in RoW, and the countries stakes name."""
    countries = set(known_countries()) | set(COUNTRY_GROUPS)
    declared = s.economics.priced_in_row
    for j, code in enumerate(declared):
        if code in countries:
            yield (f"economics.priced_in_row[{j}]", f"{code!r} is a WIOD country or group: it "
                   "is priced on its own, not as part of RoW")  # fmt: skip
    for d in _dupes(declared):
        yield "economics.priced_in_row", f"duplicate country {d!r}"
    owner: dict[str, str] = {}
    for k, p in enumerate(s.parties):
        if not p.members and p.code not in countries | set(declared):
            yield f"parties[{k}].code", _unknown(p.code) + ", or give the party members"
        for j, m in enumerate(p.members):
            if m not in countries | set(declared):
                yield (
                    f"parties[{k}].members[{j}]",
                    f"{m!r} is not a WIOD country or group; "
                    "declare it in economics.priced_in_row to price it as part of RoW",
                )
        for d in _dupes(list(p.members)):
            yield f"parties[{k}].members", f"duplicate member {d!r}"
        for region in s.regions(p.code):
            # Several small countries may share RoW; a WIOD country is in one party only.
            if region in owner and region != "RoW":
                yield (f"parties[{k}].members", f"{region!r} is also a member of "
                       f"{owner[region]}: a country negotiates in one party")  # fmt: skip
            owner.setdefault(region, p.code)
    known = _known(s)
    for path, st in _all_stakes(s):
        for f in ("country", "partner"):
            code = getattr(st, f)
            if code is not None and code not in known:
                yield f"{path}.{f}", _unknown(code)


def _in_row(s: Scenario, code: str) -> bool:
    """Whether ``code`` stands for countries priced as part of RoW (and nothing else)."""
    return code != "RoW" and s.regions(code) == ("RoW",)


def _party_references(s: Scenario) -> Iterator[Finding]:
    codes = {p.code for p in s.parties}
    # Instruments may be applied by or to any country of the table or a named group.
    known = _known(s)
    for k, i in enumerate(s.issues):
        for f in ("applied_by", "applied_to"):
            code = getattr(i, f)
            if code not in known:
                yield (f"issues[{k}].{f}", f"{code!r} is neither a party, a WIOD "
                       f"country nor a group ({', '.join(COUNTRY_GROUPS)})")  # fmt: skip
            elif i.instrument != "rule" and _in_row(s, code):
                yield (f"issues[{k}].{f}", f"{code!r} is priced as part of RoW: a {i.instrument} "
                       "it applies or faces would be priced as the whole rest of the world's; "
                       "make it a rule issue or name WIOD countries")  # fmt: skip
        # A group may liberalise among its own members (applied_by = applied_to = "TPP").
        among = i.applied_by == i.applied_to and len(s.regions(i.applied_by)) > 1
        if not among and set(s.regions(i.applied_by)) & set(s.regions(i.applied_to)):
            yield f"issues[{k}].applied_to", "a country cannot apply an instrument to itself"
        managed = ("purchase_commitment", "market_share", "quota", "ver", "trq")
        if i.instrument in managed and (len(s.regions(i.applied_by)) > 1
                                        or len(s.regions(i.applied_to)) > 1):  # fmt: skip
            yield (f"issues[{k}].applied_by", f"a {i.instrument} binds one importer and one "
                   "exporter; name countries, not a group")  # fmt: skip
    for k, t in enumerate(s.threats):
        for f in ("by", "against"):
            code = getattr(t, f)
            if code not in known:
                yield (f"threats[{k}].{f}", f"{code!r} is neither a party, a WIOD "
                       f"country nor a group ({', '.join(COUNTRY_GROUPS)})")  # fmt: skip
            elif _in_row(s, code):
                yield (f"threats[{k}].{f}", f"{code!r} is priced as part of RoW: its threat "
                       "would be priced as the whole rest of the world's")  # fmt: skip
    for code in s.strategies:
        if code not in codes:
            yield f"strategies.{code}", f"{code!r} is not a party ({sorted(codes)})"
    for k, p in enumerate(s.parties):
        ids = {c.id for c in p.constituencies}
        for v in p.ratification.veto_players:
            if v not in ids:
                yield (
                    f"parties[{k}].ratification.veto_players",
                    f"{v!r} is not a constituency of {p.code} ({sorted(ids)})",
                )


def _issue_checks(s: Scenario) -> Iterator[Finding]:
    for k, i in enumerate(s.issues):
        if i.status_quo not in i.option_ids():
            yield (
                f"issues[{k}].status_quo",
                (f"{i.status_quo!r} is not one of the options {i.option_ids()}"),
            )
        if i.instrument == "rule":
            continue
        if not i.sectors:
            yield f"issues[{k}].sectors", f"a {i.instrument} issue needs the sectors it covers"
        missing = [o.id for o in i.options if o.value is None]
        if missing:
            yield f"issues[{k}].options", f"options {missing} need a value ({i.instrument})"
        elif i.is_ordered:
            values = [o.value.value for o in i.options if o.value is not None]
            steps = [b - a for a, b in itertools.pairwise(values)]
            if not (all(d > 0 for d in steps) or all(d < 0 for d in steps)):
                yield (
                    f"issues[{k}].options",
                    (
                        f"ordered options must be strictly increasing or decreasing in value, "
                        f"got {values}"
                    ),
                )
        if i.instrument in ("tariff", "ntb", "quota", "ver", "trq", "purchase_commitment"):
            negative = [o.id for o in i.options if o.value is not None and o.value.value < 0]
            if negative:
                what = "tariff rates" if i.instrument in ("tariff", "ntb") else "values"
                yield f"issues[{k}].options", f"{what} must be >= 0; options {negative}"


def _all_stakes(s: Scenario) -> Iterator[tuple[str, Stake]]:
    """Every stake of every leader and constituency, with its field path."""
    for k, p in enumerate(s.parties):
        holders = [(f"parties[{k}].leader", p.leader.stakes)] + [
            (f"parties[{k}].constituencies[{c}]", con.stakes)
            for c, con in enumerate(p.constituencies)
        ]
        for where, stakes in holders:
            for j, st in enumerate(stakes):
                yield f"{where}.stakes[{j}]", st


def _stake_references(s: Scenario) -> Iterator[Finding]:
    issues = {i.id: i for i in s.issues}
    for path, st in _all_stakes(s):
        if st.indicator != "issue_preference" or st.issue is None:
            continue
        if st.issue not in issues:
            yield f"{path}.issue", f"unknown issue {st.issue!r} ({sorted(issues)})"
            continue
        unknown = sorted(set(st.scores or {}) - set(issues[st.issue].option_ids()))
        if unknown:
            yield (
                f"{path}.scores",
                (
                    f"unknown options {unknown} of issue {st.issue!r} "
                    f"({issues[st.issue].option_ids()})"
                ),
            )


def _threat_checks(s: Scenario) -> Iterator[Finding]:
    issues = {i.id: i for i in s.issues}
    for k, t in enumerate(s.threats):
        if t.by == t.against:
            yield f"threats[{k}].against", "a party cannot threaten itself"
        for issue_id, options in t.compliance.requires.items():
            if issue_id not in issues:
                yield (
                    f"threats[{k}].compliance.requires.{issue_id}",
                    (f"unknown issue {issue_id!r} ({sorted(issues)})"),
                )
                continue
            unknown = sorted(set(options) - set(issues[issue_id].option_ids()))
            if unknown:
                yield (
                    f"threats[{k}].compliance.requires.{issue_id}",
                    (f"unknown options {unknown} ({issues[issue_id].option_ids()})"),
                )


def iter_cited(node: Any, path: str = "") -> Iterator[tuple[str, Quantity | Deadline]]:
    """Every number-with-source in a model tree, with its field path."""
    if isinstance(node, Quantity | Deadline):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from iter_cited(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for k, item in enumerate(node):
            yield from iter_cited(item, f"{path}[{k}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from iter_cited(item, f"{path}.{key}")


def _undeclared_sources(s: Scenario) -> Iterator[Finding]:
    declared = {x.id for x in s.sources}
    for path, q in iter_cited(s):
        if q.source is not None and q.source not in declared:
            yield f"{path}.source", f"source {q.source!r} is not declared in [[sources]]"
    for k, u in enumerate(s.uncertainty):
        if u.source is not None and u.source not in declared:
            yield f"uncertainty[{k}].source", f"source {u.source!r} is not declared in [[sources]]"
    for path, st in _all_stakes(s):
        if st.source is not None and st.source not in declared:
            yield f"{path}.source", f"source {st.source!r} is not declared in [[sources]]"
    free = [("protocol", s.protocol)] + [(f"strategies.{p}", t) for p, t in s.strategies.items()]
    for path, table in free:
        cited = table.get("source")
        if cited is not None and cited not in declared:
            yield f"{path}.source", f"source {cited!r} is not declared in [[sources]]"
    if s.economics.year_source is not None and s.economics.year_source not in declared:
        yield "economics.year_source", f"source {s.economics.year_source!r} is not declared"


def resolve_target(s: Scenario, target: str) -> Quantity | None:
    """The number an uncertainty ``target`` names, or ``None`` if it names nothing."""
    parts = target.split(".")
    try:
        match parts:
            case ["threats", tid, "credibility"]:
                return next(t.credibility for t in s.threats if t.id == tid)
            case ["parties", code, "ratification", ("leader_strength" | "threshold") as f]:
                q: Quantity = getattr(s.party(code).ratification, f)
                return q
            case ["parties", code, "leader", "weight"]:
                return s.party(code).leader.weight
            case ["parties", code, "constituencies", cid, "weight"]:
                return next(c.weight for c in s.party(code).constituencies if c.id == cid)
            case ["economics", "elasticities", sector] if sector in WIOD_SECTORS:
                # An elasticity the scenario does not override still exists (the model default).
                return s.economics.elasticities.get(sector, Quantity(value=1.0))
    except StopIteration:
        return None
    return None


def _uncertainty_targets(s: Scenario) -> Iterator[Finding]:
    for k, u in enumerate(s.uncertainty):
        if resolve_target(s, u.target) is None:
            yield (
                f"uncertainty[{k}].target",
                (f"{u.target!r} names no number of this scenario (see UncertainRange)"),
            )
        elif _is_probability(u) and not 0.0 <= u.low <= u.high <= 1.0:
            yield f"uncertainty[{k}]", f"a range for {u.target} must lie in [0, 1]"
        elif u.low < 0:
            yield f"uncertainty[{k}].low", f"a range for {u.target} must be >= 0"


def _is_probability(u: UncertainRange) -> bool:
    return u.target.endswith(("credibility", "leader_strength", "threshold"))
