"""Checks of the talks and the objectives: protocol, strategies, deadlines, stakes, weights.

Like :mod:`tradetalks.scenario._checks`, every check yields ``(field path, message)`` pairs so
that ``tradetalks validate`` reports every problem of a file, with its line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from tradetalks.scenario._model import Scenario, Stake
from tradetalks.scenario._stages import stage_checks

Finding = tuple[str, str]

#: The protocols the bargaining engine runs.
PROTOCOLS = ("alternating_offers",)
#: Keys a ``[protocol]`` table may have (``source`` and ``note`` cite it).
PROTOCOL_KEYS = ("name", "rounds", "first", "start", "end", "source", "note")
#: Rounds of talks when neither the protocol nor any party sets a deadline.
DEFAULT_ROUNDS = 20
#: Strategy-table keys that cite rather than configure.
CITATION_KEYS = ("source", "note")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def protocol_rounds(s: Scenario) -> int:
    """Rounds of talks: the protocol's ``rounds``, else the earliest party deadline, else 20.

    Assumes :func:`talk_checks` found nothing wrong with ``protocol.rounds``.
    """
    if "rounds" in s.protocol and _whole(s.protocol["rounds"]):
        return int(s.protocol["rounds"])
    deadlines = [p.deadline.round for p in s.parties if p.deadline and p.deadline.round]
    return min(deadlines) if deadlines else DEFAULT_ROUNDS


def strategy_spec(table: dict[str, Any]) -> str:
    """A ``[strategies.PARTY]`` table as the engine's ``name:key=value,...`` string."""
    spec = {k: v for k, v in table.items() if k not in CITATION_KEYS}
    name = str(spec.pop("name", "boulware"))
    args = ",".join(f"{k}={v}" for k, v in spec.items())
    return f"{name}:{args}" if args else name


def expand_member(member: str) -> list[str]:
    """The strategies one population member stands for: ``e=0.2|1`` gives two of them."""
    name, _, args = member.strip().partition(":")
    variants = [""]
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, _, values = item.partition("=")
        variants = [f"{v},{key}={x}" if v else f"{key}={x}" for v in variants
                    for x in values.split("|")]  # fmt: skip
    return [f"{name}:{v}" if v else name for v in variants]


def _strategy_problem(spec: str) -> str | None:
    # The bargaining layer's own vocabulary (names, parameters, bounds), kept numpy-free so
    # `validate` checks a file in full without loading the engine.
    from tradetalks._errors import BargainingError
    from tradetalks._strategy_specs import check_strategy

    try:
        check_strategy(spec)
    except BargainingError as e:
        return str(e)
    return None


def talk_checks(s: Scenario) -> list[Finding]:
    """Every problem of the protocol, strategies, deadlines, stakes and weights of ``s``."""
    return [
        *_protocol(s),
        *_strategies(s),
        *_deadlines(s),
        *_chains(s),
        *stage_checks(s, protocol_rounds(s)),
        *_preference_scores(s),
        *_weights(s),
    ]


def _protocol(s: Scenario) -> Iterator[Finding]:
    p = s.protocol
    for key in p:
        if key not in PROTOCOL_KEYS:
            yield f"protocol.{key}", f"unknown protocol field {key!r} ({', '.join(PROTOCOL_KEYS)})"
    if "name" in p and p["name"] not in PROTOCOLS:
        yield "protocol.name", f"unknown protocol {p['name']!r}; known: {', '.join(PROTOCOLS)}"
    if "rounds" in p and not _whole(p["rounds"]):
        yield "protocol.rounds", f"expected a whole number of rounds >= 1, got {p['rounds']!r}"
    codes = [q.code for q in s.parties]
    if "first" in p:
        if p["first"] not in codes:
            yield "protocol.first", f"{p['first']!r} is not a party ({codes})"
        elif p["first"] != codes[0]:
            yield (
                "protocol.first",
                f"the talks open with the first listed party ({codes[0]}); list {p['first']} first",
            )
    dates = {k: p[k] for k in ("start", "end") if k in p}
    for key, value in dates.items():
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            yield f"protocol.{key}", f"expected a date such as 1995-05-16, got {value!r}"
    both = len(dates) == 2 and all(isinstance(v, dt.date) for v in dates.values())
    if both and not dates["start"] < dates["end"]:
        yield "protocol.end", f"the talks end ({dates['end']}) before they start"


def _strategies(s: Scenario) -> Iterator[Finding]:
    for code, table in s.strategies.items():
        if "name" not in table:
            yield f"strategies.{code}.name", "a strategy needs a name (e.g. boulware)"
            continue
        problem = _strategy_problem(strategy_spec(table))
        if problem:
            # Point at the parameter the message names, when it names one.
            named = [k for k in table if k not in ("name", *CITATION_KEYS) and
                     re.search(rf"\b{re.escape(k)}\b", problem)]  # fmt: skip
            yield f"strategies.{code}" + (f".{named[0]}" if named else ""), problem
    if len(s.parties) != 2:
        for code, table in s.strategies.items():
            if str(table.get("name", "")).strip().lower() == "equilibrium":
                yield f"strategies.{code}.name", "equilibrium play needs exactly 2 parties"
    for k, member in enumerate(s.population):
        for spec in expand_member(member):
            problem = _strategy_problem(spec)
            if problem:
                yield f"population[{k}]", problem
                break


def _deadlines(s: Scenario) -> Iterator[Finding]:
    explicit = "rounds" in s.protocol and _whole(s.protocol["rounds"])
    rounds = protocol_rounds(s)
    for k, party in enumerate(s.parties):
        d = party.deadline
        if explicit and d is not None and d.round is not None and d.round > rounds:
            yield (
                f"parties[{k}].deadline",
                f"round {d.round} is after the protocol's last round ({rounds})",
            )
    for k, t in enumerate(s.threats):
        r = t.deadline.round if t.deadline is not None else None
        if t.stage == "talks" and r is not None and r > rounds:
            yield (
                f"threats[{k}].deadline",
                f"round {r} is after the talks' last round ({rounds}); move it inside the "
                'talks or declare stage = "compliance_review" (due after an agreement)',
            )
        if t.stage == "compliance_review" and r is not None and r <= rounds:
            yield (
                f"threats[{k}].deadline",
                f"a compliance review comes after the talks ({rounds} rounds), not in round {r}",
            )


def _chains(s: Scenario) -> Iterator[Finding]:
    threats = {t.id: t for t in s.threats}
    for k, t in enumerate(s.threats):
        if t.after is None:
            continue
        if t.after not in threats:
            yield f"threats[{k}].after", f"unknown threat {t.after!r} ({sorted(threats)})"
            continue
        seen, at = {t.id}, threats[t.after]
        while at.after is not None and at.id not in seen and at.after in threats:
            seen.add(at.id)
            at = threats[at.after]
        if at.id in seen:
            yield f"threats[{k}].after", f"threats answer each other in a cycle ({t.id})"
            continue
        mine, theirs = t.deadline, threats[t.after].deadline
        if mine and theirs and mine.round and theirs.round and mine.round < theirs.round:
            yield (
                f"threats[{k}].deadline",
                f"round {mine.round} comes before round {theirs.round} of {t.after!r}, "
                "which it answers",
            )


def _all_stakes(s: Scenario) -> Iterator[tuple[str, list[Stake]]]:
    for k, p in enumerate(s.parties):
        yield f"parties[{k}].leader.stakes", p.leader.stakes
        for c, con in enumerate(p.constituencies):
            yield f"parties[{k}].constituencies[{c}].stakes", con.stakes


def _preference_scores(s: Scenario) -> Iterator[Finding]:
    issues = {i.id: i for i in s.issues}
    for path, stakes in _all_stakes(s):
        for j, st in enumerate(stakes):
            if st.indicator != "issue_preference" or st.issue not in issues:
                continue
            missing = [o for o in issues[st.issue].option_ids() if o not in (st.scores or {})]
            if missing:
                yield f"{path}[{j}].scores", f"no score for options {missing} of {st.issue!r}"


def _weights(s: Scenario) -> Iterator[Finding]:
    for k, p in enumerate(s.parties):
        political = [p.leader.weight.value] + [c.weight.value for c in p.constituencies]
        if not any(w > 0 for w in political):
            yield (
                f"parties[{k}]",
                f"every weight of {p.code}'s leader and constituencies is 0: its government "
                "would value every outcome alike",
            )
    for path, stakes in _all_stakes(s):
        if not any(st.weight.value > 0 for st in stakes):
            yield path, "every stake weight is 0: this actor would care about nothing"


def notices(s: Scenario) -> list[str]:
    """What loading ``s`` translated or assumed, for the user to read (not errors).

    How parties that are not one WIOD country are priced comes first
    (:meth:`Scenario.pricing_notes`: "NZL is priced as part of RoW").
    """
    notes = s.pricing_notes()
    if s.stake_unit is not None:
        return notes
    return [
        *notes,
        f"{s.id}: stakes are on the older normalised scale (each indicator divided by its "
        "largest change): they are read as money stakes with those shares, so the file decides "
        "as before, but a $100m stake still weighs as much as a $10bn one. Write "
        'stake_unit = "usd_million" and state shares, scores and tolerances in million USD '
        "to weigh dollars.",
    ]
