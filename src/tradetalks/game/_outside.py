r"""Outside options, caps and linked tables in the two-level game.

**Outside options.** An alternative agreement :math:`k` with third countries is priced on
the same Caliendo–Parro model as the outcomes: its measures are moved as issues would be
(:func:`~tradetalks.game.issue_entries`) on top of the status quo, and its effect is the
difference :math:`\Delta_k x = x(\text{sq} + k) - x(\text{sq})` of every priced indicator.
With chance :math:`p_k` of coming into force, an affected party's actors see the expected
stake :math:`s_a + \sum_k p_k\, w_a \cdot \Delta_k x` at every no-deal point, so the
party's value of no deal is its expected value with its outside options: the outside
option principle (Binmore, Shaked and Sutton 1989, QJE 104(4); Muthoo 1999, *Bargaining
Theory with Applications*, ch. 5). An agreement that comes into force whether or not the
talks agree (``scope = "always"``) is priced on every outcome too,
:math:`\Delta_k x(o) = x(o + k) - x(o)`, so that a deal that restores a party's access
undoes the preference erosion it would suffer without one (Limão and Olarreaga 2006,
WBER 20(1)). Several outside options add up (first order, as threats do), and their effect
is priced at the written trade elasticities (sweeps over an elasticity move the rest).

**Caps** (":math:`\le` TPP levels") remove from the capped party's ratifiable deals every
outcome whose option of the issue lies beyond the cap. **Linked tables**: a table whose
part is ratified alone makes a party ratify an outcome :math:`o` only if it would also
ratify :math:`\pi_t(o)`, the outcome with the issues of later tables at their status quo
(the vote when the table settles); otherwise only the whole package is voted on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from tradetalks.game._pricing import (
    PRICED,
    Item,
    issue_entries,
    outcome_entries,
    region_dollar_matrix,
    solve_items,
)
from tradetalks.politics import DomesticModel
from tradetalks.scenario import Scenario
from tradetalks.scenario._outside import exceeding_options

if TYPE_CHECKING:
    from tradetalks.economics import CPBaseline

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Bump when the pricing of outside options changes, so that old cache entries are not used.
OUTSIDE_VERSION = "1"


@dataclass(frozen=True, eq=False)
class OutsidePrices:
    """What each outside option does to the priced indicators.

    ``effect[k]`` is ``(points, indicators)``: indicators with option ``k`` in force minus
    without, at every outcome (zero unless its scope is ``always``) and every no-deal point.
    ``chance`` is its probability of coming into force, ``affects[k, p]`` whether it sets
    party ``p``'s value of no deal.
    """

    ids: tuple[str, ...]
    chance: FloatArray  # (options,)
    affects: BoolArray  # (options, parties)
    effect: FloatArray  # (options, points, indicators)
    n_solves: int


def _measure_entries(scenario: Scenario, k: int, baseline: CPBaseline) -> list[Item]:
    option = scenario.outside_options[k]
    out: list[Item] = []
    for j, m in enumerate(option.measures):
        out += issue_entries(m.as_issue(f"{option.id}_{j}"), 1, baseline, scenario.regions)
    return out


def _solve_all(baseline: CPBaseline, configs: list[list[Item]]) -> list[Any]:
    """Solve configurations: plain shocks in one batch, quantity targets one by one."""
    from tradetalks.economics import ShockEntry, make_shock, solve_batch

    plain = [k for k, c in enumerate(configs) if all(isinstance(e, ShockEntry) for e in c)]
    shocks = [make_shock(baseline, [e for e in configs[k] if isinstance(e, ShockEntry)],
                         label=f"outside {k}") for k in plain]  # fmt: skip
    results: list[Any] = [None] * len(configs)
    for k, r in zip(plain, solve_batch(baseline, shocks, flows=True), strict=True):
        results[k] = r
    for k, c in enumerate(configs):
        if results[k] is None:
            results[k] = solve_items(baseline, c, label=f"outside {k}", decompose=False)[0]
    return results


def _effects(
    scenario: Scenario,
    options: IntArray,
    n_no_deal: int,
    model: DomesticModel,
    baseline: CPBaseline,
) -> tuple[FloatArray, int]:
    """``(options, points, indicators)`` effects of the outside options, and solves taken."""
    priced = [k for k, i in enumerate(scenario.issues) if i.instrument in PRICED]
    n_points = len(options) + n_no_deal
    effect = np.zeros((len(scenario.outside_options), n_points, len(model.indicators)))
    solves = 0
    for k, option in enumerate(scenario.outside_options):
        if not option.measures:
            continue  # changes nothing: no solve, an exact zero (a chance of 0 is priced, as
            # the cache key leaves chances out; its expected effect is an exact zero too)
        extra = _measure_entries(scenario, k, baseline)
        rows = range(len(options)) if option.scope == "always" else range(0)
        keys: dict[tuple[int, ...], int] = {}
        configs: list[list[Item]] = [outcome_entries(scenario, {}, baseline)]
        row_config = np.zeros(len(options), dtype=np.int64)
        for row in rows:
            key = tuple(int(options[row, j]) for j in priced)
            if key not in keys:
                choices = {scenario.issues[j].id: scenario.issues[j].options[options[row, j]].id
                           for j in priced}  # fmt: skip
                keys[key] = len(configs)
                configs.append(outcome_entries(scenario, choices, baseline))
            row_config[row] = keys[key]
        results = _solve_all(baseline, configs + [c + extra for c in configs])
        solves += len(results)
        x = region_dollar_matrix(scenario, model.indicators, results, baseline)
        delta = x[len(configs) :] - x[: len(configs)]  # (configs, indicators)
        effect[k, len(options) :] = delta[0]
        if option.scope == "always":
            effect[k, : len(options)] = delta[row_config]
    return effect, solves


def _key(scenario: Scenario, model: DomesticModel, version: str, theta: FloatArray) -> str:
    relevant = {
        "outside": OUTSIDE_VERSION,
        "economics": scenario.economics.model_dump(mode="json"),
        "issues": [i.model_dump(mode="json") for i in scenario.issues],
        # What an option costs does not depend on its chance or whom it affects.
        "options": [
            o.model_dump(mode="json", include={"measures", "scope"})
            for o in scenario.outside_options
        ],
        "parties": [p.code for p in scenario.parties],
        "indicators": [repr(s) for s in model.indicators],
        "data": version,
        "theta": [round(float(t), 12) for t in theta],
    }
    return "outside:" + hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def price_outside(
    scenario: Scenario,
    options: IntArray,
    n_no_deal: int,
    model: DomesticModel,
    baseline: Callable[[], CPBaseline],
    *,
    cache: Any = None,
    version: str = "",
    theta: FloatArray | None = None,
) -> OutsidePrices | None:
    """Price the scenario's outside options (``None`` when it has none).

    ``baseline`` is called only when the prices are not in ``cache`` (a
    :class:`~tradetalks.game.PriceCache`), keyed by everything they depend on.
    """
    s = scenario
    if not s.outside_options:
        return None
    key = _key(s, model, version, np.zeros(0) if theta is None else theta)
    hit = cache.get_cached_arrays(key) if cache is not None else None
    if hit is not None:
        effect, solves = np.asarray(hit["effect"], dtype=np.float64), 0
    else:
        effect, solves = _effects(s, options, n_no_deal, model, baseline())
        if cache is not None:
            cache.put_cached_arrays(key, {"effect": effect})
    parties = [p.code for p in s.parties]
    affects = np.array([[not o.affects or code in o.affects for code in parties]
                        for o in s.outside_options], dtype=bool)  # fmt: skip
    chance = np.array([o.chance for o in s.outside_options])
    return OutsidePrices(tuple(o.id for o in s.outside_options), chance, affects, effect, solves)


def outside_stakes(prices: OutsidePrices, model: DomesticModel) -> FloatArray:
    r"""``(actors, points)``: expected stake moves, :math:`\sum_k p_k [a \in A_k] w_a \Delta_k x`.

    :math:`A_k` are the actors of the parties option :math:`k` affects.
    """
    n_ind = len(model.indicators)
    per_option = np.einsum("kpi,ai->kap", prices.effect, model.stake_weights[:, :n_ind])
    mask = prices.affects[:, model.party_of]  # (options, actors)
    return np.asarray(np.einsum("k,ka,kap->ap", prices.chance, mask, per_option))


def cap_allowed(scenario: Scenario, options: IntArray) -> BoolArray:
    """``(parties, outcomes)``: False where an outcome exceeds a cap of that party."""
    parties = [p.code for p in scenario.parties]
    ids = [i.id for i in scenario.issues]
    allowed = np.ones((len(parties), len(options)), dtype=bool)
    for c in scenario.caps:
        k = ids.index(c.issue)
        beyond = exceeding_options(scenario.issues[k], c.max_option)
        allowed[parties.index(c.party)] &= ~np.isin(options[:, k], beyond)
    return allowed


def table_votes(
    scenario: Scenario, options: IntArray, encode: Callable[[IntArray], IntArray]
) -> list[tuple[IntArray, IntArray]]:
    """``(parties, projection)`` of every table whose part is ratified alone.

    ``projection[o]`` is the code of outcome ``o`` with the issues of later tables at their
    status quo: what the table's parties vote on when it settles.
    """
    parties = [p.code for p in scenario.parties]
    ids = [i.id for i in scenario.issues]
    status_quo = np.array([i.status_quo_index() for i in scenario.issues])
    out = []
    settled: list[int] = []
    for t in scenario.tables:
        settled += [ids.index(i) for i in t.issues]
        if t.ratified != "alone":
            continue
        later = np.setdiff1d(np.arange(len(ids)), settled)
        projected = options.copy()
        projected[:, later] = status_quo[later]
        who = np.array([parties.index(c) for c in t.parties], dtype=np.int64)
        out.append((who, np.asarray(encode(projected), dtype=np.int64)))
    return out


def constrain_ratification(
    ratified: BoolArray,
    scenario: Scenario,
    options: IntArray,
    encode: Callable[[IntArray], IntArray],
) -> BoolArray:
    """``(S, parties, outcomes)`` ratification under caps and tables voted on alone."""
    if not scenario.caps and not scenario.tables:
        return ratified
    capped = ratified & cap_allowed(scenario, options)[None]
    out = capped.copy()
    for who, projection in table_votes(scenario, options, encode):
        out[:, who] &= capped[:, who][..., projection]
    return out


def cap_summary(scenario: Scenario, options: IntArray) -> list[dict[str, Any]]:
    """Each cap in words and numbers: the options it removes and how many outcomes."""
    ids = [i.id for i in scenario.issues]
    out = []
    for c in scenario.caps:
        issue = scenario.issues[ids.index(c.issue)]
        beyond = exceeding_options(issue, c.max_option)
        out.append({
            "party": c.party,
            "issue": c.issue,
            "max_option": c.max_option,
            "removed_options": [issue.options[j].id for j in beyond],
            "removed_outcomes": int(np.isin(options[:, ids.index(c.issue)], beyond).sum()),
        })  # fmt: skip
    return out


def option_values(
    prices: OutsidePrices, model: DomesticModel, weights: FloatArray, point: int
) -> FloatArray:
    """``(options, parties)``: each outside option's expected worth to each government.

    Its effect at ``point`` (the status-quo no deal) on the objective, times its chance, for
    the parties it affects (zero for the others).
    """
    n_ind = len(model.indicators)
    stakes = np.einsum("ki,ai->ka", prices.effect[:, point], model.stake_weights[:, :n_ind])
    stakes = stakes * prices.chance[:, None] * prices.affects[:, model.party_of]
    n_parties = prices.affects.shape[1]
    return np.stack([np.bincount(model.party_of, weights=weights * row, minlength=n_parties)
                     for row in stakes]) if len(stakes) else np.zeros((0, n_parties))  # fmt: skip
