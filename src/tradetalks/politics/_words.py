"""Each government's objective in words, for ``tradetalks show`` and reports."""

from __future__ import annotations

from tradetalks.scenario import Scenario, Stake, Threat

_WORDS = {
    "value_added": "value added of {where}",
    "gross_output": "gross output of {where}",
    "exports": "exports of {where}",
    "imports": "imports of {where}",
    "real_income": "real income of {country} (equivalent variation)",
    "consumer_prices": "the extra cost of consumer prices in {country}",
    "tariff_revenue": "tariff revenue of {country}",
    "trade_balance": "trade balance of {where}",
}


def stake_in_words(st: Stake) -> str:
    """One stake, e.g. ``value added of USA in c15`` or ``scores for purchase_plans``."""
    if st.indicator == "issue_preference":
        scores = ", ".join(f"{k} {v:g}" for k, v in (st.scores or {}).items())
        text = f"its scores for {st.issue} ({scores})"
    else:
        where = str(st.country)
        if st.partner:
            where += (
                f" to {st.partner}" if st.indicator == "exports" else f" from/with {st.partner}"
            )
        if st.sectors:
            where += " in " + ",".join(st.sectors)
        text = _WORDS[st.indicator].format(where=where, country=st.country)
    return ("minus " if st.sign < 0 else "") + text


def _holding(stakes: list[Stake], in_money: bool) -> str:
    total = sum(abs(st.weight.value) for st in stakes) or 1.0
    parts = []
    for st in stakes:
        share = st.weight.value if in_money else st.weight.value / total
        parts.append(stake_in_words(st) if share == 1 else f"{share:g} × {stake_in_words(st)}")
    return " + ".join(parts)


def objective_in_words(s: Scenario) -> dict[str, str]:
    """Per party code, what its government maximises, after Grossman and Helpman (1994)."""
    in_money = s.stake_unit is not None
    unit = "million USD" if in_money else "units of each indicator's largest change"
    out = {}
    for p in s.parties:
        terms = [f"{p.leader.weight.value:g} × the leader's stake "
                 f"({_holding(p.leader.stakes, in_money)})"]  # fmt: skip
        for c in p.constituencies:
            veto = f", veto if it loses more than {c.tolerance.value:g}" if c.veto else ""
            terms.append(
                f"{c.weight.value:g} × the gain of {c.name} ({_holding(c.stakes, in_money)}{veto})"
            )
        year = f" of {s.economics.year}" if in_money else ""
        out[p.code] = f"{p.name} maximises, in {unit}{year}: " + " + ".join(terms) + "."
    return out


def threat_terms_in_words(t: Threat) -> str:
    """When the threat is averted and when its maker carries it out."""
    if t.compliance.requires:
        terms = "; ".join(f"{k} in {', '.join(v)}" for k, v in t.compliance.requires.items())
        averted = f"averted only by an agreement with {terms}"
    else:
        averted = "averted by any agreement"
    if t.stage == "compliance_review":
        averted += (
            f", and only if {t.against} delivers (chance {t.compliance.delivery.value:g}) "
            "at the compliance review after the talks"
        )
    rep = f" plus a reputation term of {t.reputation.value:g}" if t.reputation.value else ""
    return (
        f"{averted}; otherwise carried out at its deadline (chance {t.credibility.value:g}) "
        f"if {t.by}'s own gain{rep} is not negative"
    )
