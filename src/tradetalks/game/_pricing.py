r"""Price every point of a negotiation: each outcome, and each way of having no deal.

A scenario's issues become shocks to the Caliendo–Parro model relative to the data year
with the scenario's baseline tariffs (the status quo):

* ``tariff``: the option's rate is the new tariff level on ``applied_by``'s imports from
  ``applied_to`` in the issue's sectors;
* ``ntb``: the option's tariff equivalent replaces the status quo's, an iceberg change
  :math:`\hat d = (1 + v)/(1 + v_{sq})` that raises no revenue;
* ``purchase_commitment``: planned purchases of ``V`` million USD a year (``V_sq`` in the
  status quo) are read as the cut in trade costs that, in partial equilibrium, raises
  imports by ``V - V_sq`` from their baseline ``M``: :math:`\hat d = (1 + (V - V_{sq})/M)
  ^{-1/\theta}` (an approximation: the plans of 1992–95 also counted purchases by
  transplant factories, which are not imports);
* ``quota``: a cap ``Q`` (million USD) binding below the baseline imports ``M`` acts as
  :math:`\hat d = (\min(Q, M)/\min(Q_{sq}, M))^{-1/\theta}`;
* ``rule``: categorical commitments are not priced; issue preferences value them.

A threat adds its tariff (or NTB) on top of the status quo. When the scenario gives the
trade it covers (``covered_value_musd``, e.g. $5.9bn of luxury cars), the rate is spread
over the sector as ``size × covered / baseline flow``.

Outcomes that differ only in unpriced issues share one solve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from tradetalks._errors import InputError
from tradetalks.economics import CPBaseline, CPResult, ShockEntry, make_shock, solve_batch
from tradetalks.politics import threat_scenarios
from tradetalks.scenario import Issue, Scenario, Threat

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PRICED = ("tariff", "ntb", "purchase_commitment", "quota")


@dataclass(frozen=True, eq=False)
class PricedPoints:
    """The priced points of a negotiation.

    ``configs`` are the distinct economic configurations that were solved; every outcome
    points at one (``outcome_config``), and every threat scenario (a subset of threats
    carried out with no deal, see :func:`~tradetalks.politics.threat_scenarios`) at one
    (``no_deal_config``; the first is the status quo).
    """

    configs: tuple[tuple[ShockEntry, ...], ...]
    results: tuple[CPResult, ...]
    outcome_config: IntArray
    no_deal_config: IntArray


def _flow(baseline: CPBaseline, importer: str, exporter: str, sectors: Sequence[str]) -> float:
    n, i = baseline.country_index(importer), baseline.country_index(exporter)
    js = [baseline.sector_index(s) for s in sectors]
    return float(baseline.sales_musd[n, i, js].sum())


def _theta(baseline: CPBaseline, importer: str, exporter: str, sectors: Sequence[str]) -> float:
    """Trade elasticity of the sectors, weighted by the bilateral flow."""
    n, i = baseline.country_index(importer), baseline.country_index(exporter)
    js = [baseline.sector_index(s) for s in sectors]
    flows = baseline.sales_musd[n, i, js]
    weights = flows if flows.sum() > 0 else np.ones(len(js))
    return float(np.average(baseline.theta[js], weights=weights))


def issue_entries(issue: Issue, option: int, baseline: CPBaseline) -> list[ShockEntry]:
    """Shock entries that move ``issue`` from its status quo to option index ``option``."""
    if issue.instrument not in PRICED:
        return []
    value = issue.options[option].value
    sq = issue.options[issue.status_quo_index()].value
    assert value is not None and sq is not None  # the scenario checks guarantee it
    v, v0 = value.value, sq.value
    sectors = tuple(issue.sectors)
    imp, exp = issue.applied_by, issue.applied_to
    if issue.instrument == "tariff":
        return [ShockEntry(imp, exp, sectors, v, "tariff", "level")]
    if v == v0:
        return []
    if issue.instrument == "ntb":
        return [ShockEntry(imp, exp, sectors, (1 + v) / (1 + v0) - 1, "ntb", "change")]
    flow = _flow(baseline, imp, exp, sectors)
    theta = _theta(baseline, imp, exp, sectors)
    if flow <= 0:
        return []
    if issue.instrument == "purchase_commitment":
        growth = max(1.0 + (v - v0) / flow, 1e-6)
    else:  # quota: a cap binds only below the baseline imports
        growth = min(v, flow) / min(v0, flow) if min(v0, flow) > 0 else 1.0
    return [ShockEntry(imp, exp, sectors, growth ** (-1.0 / theta) - 1.0, "ntb", "change")]


def threat_entries(threat: Threat, baseline: CPBaseline) -> list[ShockEntry]:
    """Shock entries of a threat carried out (on top of the status quo)."""
    size = threat.size.value
    if threat.covered_value_musd is not None:
        flow = _flow(baseline, threat.by, threat.against, threat.sectors)
        size *= min(threat.covered_value_musd.value / flow, 1.0) if flow > 0 else 0.0
    sectors = tuple(threat.sectors)
    # A quota threat is priced by its tariff equivalent, which raises no revenue.
    kind: Literal["tariff", "ntb"] = "tariff" if threat.instrument == "tariff" else "ntb"
    return [ShockEntry(threat.by, threat.against, sectors, size, kind, "change")]


def _status_quo_entries(scenario: Scenario) -> list[ShockEntry]:
    """Tariff issues whose status quo differs from the baseline tariffs, set to their status quo."""
    out = []
    for issue in scenario.issues:
        if issue.instrument == "tariff":
            sq = issue.options[issue.status_quo_index()].value
            assert sq is not None
            out.append(ShockEntry(issue.applied_by, issue.applied_to, tuple(issue.sectors),
                                  sq.value, "tariff", "level"))  # fmt: skip
    return out


def outcome_entries(
    scenario: Scenario, choices: Mapping[str, str], baseline: CPBaseline
) -> list[ShockEntry]:
    """Shock entries of the outcome that sets ``choices`` (issue id → option id).

    Issues not named stay at their status quo; unknown issues or options are an
    :class:`~tradetalks.InputError` listing the known ones.
    """
    issues = {i.id: i for i in scenario.issues}
    problems = []
    for issue_id, option_id in choices.items():
        if issue_id not in issues:
            problems.append(f"--outcome: unknown issue {issue_id!r}; issues: {', '.join(issues)}")
        elif option_id not in issues[issue_id].option_ids():
            known = ", ".join(issues[issue_id].option_ids())
            problems.append(f"--outcome: {issue_id} has no option {option_id!r}; options: {known}")
    if problems:
        raise InputError("bad outcome", problems)
    entries = _status_quo_entries(scenario)
    for issue in scenario.issues:
        option = issue.option_ids().index(choices.get(issue.id, issue.status_quo))
        entries += issue_entries(issue, option, baseline)
    return entries


def price_points(
    scenario: Scenario,
    options: npt.ArrayLike,
    baseline: CPBaseline,
    *,
    workers: int | None = None,
) -> PricedPoints:
    """Price every outcome (rows of ``options``, option indices per issue) and no-deal point."""
    opts = np.asarray(options, dtype=np.int64)
    priced = [k for k, i in enumerate(scenario.issues) if i.instrument in PRICED]
    keys: dict[tuple[ShockEntry, ...], int] = {}
    configs: list[tuple[ShockEntry, ...]] = []
    sq_entries = _status_quo_entries(scenario)

    def config_of(entries: list[ShockEntry]) -> int:
        key = tuple(entries)
        if key not in keys:
            keys[key] = len(configs)
            configs.append(key)
        return keys[key]

    status_quo = [i.status_quo_index() for i in scenario.issues]
    outcome_config = np.empty(len(opts), dtype=np.int64)
    by_key: dict[tuple[int, ...], int] = {}
    for row, choice in enumerate(opts):
        key = tuple(int(choice[k]) for k in priced)
        if key not in by_key:
            entries = list(sq_entries)
            for k in priced:
                entries += issue_entries(scenario.issues[k], int(choice[k]), baseline)
            by_key[key] = config_of(entries)
        outcome_config[row] = by_key[key]
    no_deal = []
    for subset in threat_scenarios(len(scenario.threats)):
        entries = list(sq_entries)
        for k in priced:
            entries += issue_entries(scenario.issues[k], status_quo[k], baseline)
        for t in subset:
            entries += threat_entries(scenario.threats[t], baseline)
        no_deal.append(config_of(entries))
    shocks = [make_shock(baseline, c, label=f"config {k}") for k, c in enumerate(configs)]
    results = solve_batch(baseline, shocks, workers=workers, flows=True)
    return PricedPoints(tuple(configs), tuple(results), outcome_config, np.array(no_deal))
