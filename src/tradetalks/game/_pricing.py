r"""Price every point of a negotiation: each outcome, and each way of having no deal.

A scenario's issues become shocks to the Caliendo–Parro model relative to the data year
with the scenario's baseline tariffs (the status quo):

* ``tariff``: the option's rate is the new tariff level on ``applied_by``'s imports from
  ``applied_to`` in the issue's sectors;
* ``ntb``: the option's tariff equivalent replaces the status quo's,
  :math:`(1 + v)/(1 + v_{sq})`; the issue's ``rent_share`` s of it is a rent wedge held
  by ``rent_owner`` (the importer's incumbents by default), the rest an iceberg cost that
  raises no revenue (s = 0, the default, is the pure cost of earlier versions);
* ``purchase_commitment``: planned purchases of ``V`` million USD a year (``V_sq`` in the
  status quo) are a floor of ``M + V − V_sq`` on the importer's purchases (``M`` the
  baseline flow), met by an import subsidy financed by a lump-sum tax on the buyer
  (:func:`~tradetalks.economics.solve_targets`); a smaller commitment than the status
  quo's does not bind (the data year's purchases are read as unconstrained). The plans of
  1992–95 also counted purchases by transplant factories, which are not imports;
* ``market_share``: the exporter's share of the importer's purchases of the sectors is
  to rise by ``s − s_sq`` from its baseline share, met the same way;
* ``quota`` / ``ver``: a cap ``Q`` (million USD) tighter than the status quo's is a cap of
  :math:`M \min(Q, M)/\min(Q_{sq}, M)` on the flow, enforced by a rent wedge whose rent goes
  to the importer's licence holders (quota) or the exporter (ver); a looser cap removes a
  constraint the data year already holds, priced as before by the partial-equilibrium
  fall in trade costs :math:`\hat d = (\min(Q, M)/\min(Q_{sq}, M))^{-1/\theta}`;
* ``trq``: the option is the quota volume, with the issue's in- and over-quota rates
  (solved in its three regimes);
* ``rule``: categorical commitments are not priced; issue preferences value them.

``applied_by``/``applied_to`` may be groups (``EU``, ``TPP``) or parties that negotiate for
several countries (:meth:`~tradetalks.scenario.Scenario.regions`): tariff and NTB entries are
repeated for every member pair.

A threat adds its tariff (or NTB, or quota/VER rent wedge) on top of the status quo. When
the scenario gives the trade it covers (``covered_value_musd``, e.g. $5.9bn of luxury
cars), the rate is spread over the sector as ``size × covered / baseline flow``; with
``covered_by_sector`` (a product list mapped to sectors) each sector gets its own share.

Outcomes that differ only in unpriced issues share one solve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

from tradetalks._errors import InputError
from tradetalks.politics import IndicatorSpec, indicator_dollars, threat_scenarios
from tradetalks.scenario import Issue, Scenario, Threat
from tradetalks.scenario._codes import COUNTRY_GROUPS

if TYPE_CHECKING:
    from tradetalks.data import Cp2015Table, WiodTable
    from tradetalks.economics import (
        CPBaseline,
        CPResult,
        ShockEntry,
        Target,
        TargetOutcome,
    )

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PRICED = ("tariff", "ntb", "purchase_commitment", "market_share", "quota", "ver", "trq")

#: What an outcome is priced with: wedges, and quantities the equilibrium must meet.
Item: TypeAlias = "ShockEntry | Target"
#: The WIOD regions a code of the scenario stands for (``Scenario.regions``).
Regions = Callable[[str], tuple[str, ...]]


@dataclass(frozen=True, eq=False)
class PricedPoints:
    """The priced points of a negotiation.

    ``configs`` are the distinct economic configurations that were solved; every outcome
    points at one (``outcome_config``), and every threat scenario (a subset of threats
    carried out with no deal, see :func:`~tradetalks.politics.threat_scenarios`) at one
    (``no_deal_config``; the first is the status quo). ``executed_config[k, o]`` is outcome
    ``o`` with the threats of the ``k``-th set in force (sets carried out during the talks).
    """

    configs: tuple[tuple[Item, ...], ...]
    results: tuple[CPResult, ...]
    outcome_config: IntArray
    no_deal_config: IntArray
    executed_config: IntArray = field(default_factory=lambda: np.zeros((0, 0), np.int64))


def scenario_table(scenario: Scenario) -> WiodTable | Cp2015Table:
    """The input-output table a scenario is priced on: its own ``economics.table`` or WIOD."""
    from tradetalks.data import load_wiod, read_table

    econ = scenario.economics
    if econ.table is None:
        return load_wiod(econ.year)
    return read_table(econ.table, econ.table_output, fmt=econ.table_format, year=econ.year)


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


def _members(code: str) -> tuple[str, ...]:
    return COUNTRY_GROUPS.get(code, (code,))


def _pairs(
    importer: str,
    exporter: str,
    sectors: tuple[str, ...],
    rate: float,
    kind: str,
    mode: str,
    regions: Regions = _members,
    **rent: float | str,
) -> list[Item]:
    """One entry per member pair when a side is a group (``EU``, ``TPP``)."""
    from tradetalks.economics import ShockEntry

    return [
        ShockEntry(n, i, sectors, rate, kind, mode, **rent)  # type: ignore[arg-type]
        for n in regions(importer)
        for i in regions(exporter)
        if n != i
    ]


def _share(baseline: CPBaseline, importer: str, exporter: str, sectors: Sequence[str]) -> float:
    n = baseline.country_index(importer)
    js = [baseline.sector_index(s) for s in sectors]
    total = float(baseline.sales_musd[n, :, js].sum())
    return _flow(baseline, importer, exporter, sectors) / total if total > 0 else 0.0


def issue_entries(
    issue: Issue, option: int, baseline: CPBaseline, regions: Regions = _members
) -> list[Item]:
    """Wedges and quantity targets that move ``issue`` from its status quo to ``option``.

    ``regions`` maps the codes ``applied_by``/``applied_to`` to WIOD regions (a scenario's
    :meth:`~tradetalks.scenario.Scenario.regions`; named groups only by default).
    """
    from tradetalks.economics import ShockEntry, Target

    if issue.instrument not in PRICED:
        return []
    value = issue.options[option].value
    sq = issue.options[issue.status_quo_index()].value
    assert value is not None and sq is not None  # the scenario checks guarantee it
    v, v0 = value.value, sq.value
    sectors = tuple(issue.sectors)
    imp, exp = issue.applied_by, issue.applied_to
    if issue.instrument == "tariff":
        return _pairs(imp, exp, sectors, v, "tariff", "level", regions)
    if issue.instrument == "trq":  # one importer and one exporter (the checks say so)
        assert issue.in_quota_rate is not None and issue.over_quota_rate is not None
        (imp,), (exp,) = regions(imp), regions(exp)
        in_quota = issue.options[option].in_quota_rate or issue.in_quota_rate
        return [Target(imp, exp, sectors, "trq", v, in_quota.value,
                       issue.over_quota_rate.value)]  # fmt: skip
    if v == v0:
        return []
    if issue.instrument == "ntb":
        share = 0.0 if issue.rent_share is None else issue.rent_share.value
        return _pairs(imp, exp, sectors, (1 + v) / (1 + v0) - 1, "ntb", "change", regions,
                      rent_share=share, rent_owner=issue.rent_owner or "importer")  # fmt: skip
    # Managed trade binds one importer and one exporter (the scenario checks say so): a
    # party's code stands for its one country.
    (imp,), (exp,) = regions(imp), regions(exp)
    flow = _flow(baseline, imp, exp, sectors)
    if issue.instrument == "purchase_commitment":
        return [Target(imp, exp, sectors, "purchase", flow + v - v0)] if v > v0 else []
    if issue.instrument == "market_share":
        share = _share(baseline, imp, exp, sectors) + v - v0
        return [Target(imp, exp, sectors, "market_share", min(share, 0.999))] if v > v0 else []
    if flow <= 0:
        return []
    growth = min(v, flow) / min(v0, flow) if min(v0, flow) > 0 else 1.0
    if growth < 1.0:  # a tighter cap: solved as a quantity, the rent to its owner
        kind = "ver" if issue.instrument == "ver" else "quota"
        return [Target(imp, exp, sectors, kind, flow * growth)]  # type: ignore[arg-type]
    theta = _theta(baseline, imp, exp, sectors)
    return [ShockEntry(imp, exp, sectors, growth ** (-1.0 / theta) - 1.0, "ntb", "change")]


def threat_entries(
    threat: Threat, baseline: CPBaseline, regions: Regions = _members
) -> list[ShockEntry]:
    """Shock entries of a threat carried out (on top of the status quo)."""
    from tradetalks.economics import ShockEntry

    kind = {"tariff": "tariff", "ntb": "ntb", "quota": "quota", "ver": "ver"}[threat.instrument]
    out: list[ShockEntry] = []
    for n in regions(threat.by):
        for i in regions(threat.against):
            if n == i:
                continue
            if threat.covered_by_sector:
                for sector, covered in threat.covered_by_sector.items():
                    flow = _flow(baseline, n, i, [sector])
                    size = threat.size.value * (min(covered.value / flow, 1.0) if flow > 0 else 0)
                    out.append(ShockEntry(n, i, (sector,), size, kind, "change"))  # type: ignore[arg-type]
                continue
            size = threat.size.value
            if threat.covered_value_musd is not None:
                flow = _flow(baseline, n, i, threat.sectors)
                size *= min(threat.covered_value_musd.value / flow, 1.0) if flow > 0 else 0.0
            out.append(ShockEntry(n, i, tuple(threat.sectors), size, kind, "change"))  # type: ignore[arg-type]
    return out


def solve_items(
    baseline: CPBaseline, items: Sequence[Item], *, label: str = "", decompose: bool = True
) -> tuple[CPResult, tuple[TargetOutcome, ...]]:
    """Price wedges and quantity targets together (one solve without targets)."""
    from tradetalks.economics import ShockEntry, Target, make_shock, solve, solve_targets

    entries = [e for e in items if isinstance(e, ShockEntry)]
    targets = [t for t in items if isinstance(t, Target)]
    if not targets:
        return solve(baseline, make_shock(baseline, entries, label=label), decompose=decompose), ()
    sol = solve_targets(baseline, entries, targets, label=label, decompose=decompose)
    return sol.result, sol.outcomes


def _status_quo_entries(scenario: Scenario) -> list[Item]:
    """Tariff issues whose status quo differs from the baseline tariffs, set to their status quo."""
    out: list[Item] = []
    for issue in scenario.issues:
        if issue.instrument == "tariff":
            sq = issue.options[issue.status_quo_index()].value
            assert sq is not None
            out += _pairs(issue.applied_by, issue.applied_to, tuple(issue.sectors), sq.value,
                          "tariff", "level", scenario.regions)  # fmt: skip
    return out


def outcome_entries(
    scenario: Scenario, choices: Mapping[str, str], baseline: CPBaseline
) -> list[Item]:
    """Wedges and quantity targets of the outcome that sets ``choices`` (issue id → option id).

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
        entries += issue_entries(issue, option, baseline, scenario.regions)
    return entries


def price_points(
    scenario: Scenario,
    options: npt.ArrayLike,
    baseline: CPBaseline,
    *,
    workers: int | None = None,
    executed: Sequence[tuple[int, ...]] = (),
) -> PricedPoints:
    """Price every outcome (rows of ``options``, option indices per issue) and no-deal point.

    With ``executed`` (sets of threat indices), every outcome is priced again with each
    set's threats in force on top of it, in the same batch.
    """
    (priced,) = price_grid(scenario, options, [baseline], workers=workers, executed=executed)
    return priced


def _configurations(
    scenario: Scenario,
    opts: IntArray,
    baseline: CPBaseline,
    executed: Sequence[tuple[int, ...]],
) -> tuple[list[tuple[Item, ...]], IntArray, list[int]]:
    """The distinct configurations at ``baseline``, each point's, and the no-deal ones'."""
    priced = [k for k, i in enumerate(scenario.issues) if i.instrument in PRICED]
    keys: dict[tuple[Item, ...], int] = {}
    configs: list[tuple[Item, ...]] = []
    sq_entries = _status_quo_entries(scenario)
    regions = scenario.regions

    def config_of(entries: list[Item]) -> int:
        key = tuple(entries)
        if key not in keys:
            keys[key] = len(configs)
            configs.append(key)
        return keys[key]

    status_quo = [i.status_quo_index() for i in scenario.issues]
    in_force = [(), *executed]
    point_config = np.empty((len(in_force), len(opts)), dtype=np.int64)
    by_key: dict[tuple[int, ...], int] = {}
    for j, threats in enumerate(in_force):
        for row, choice in enumerate(opts):
            key = (j, *(int(choice[k]) for k in priced))
            if key not in by_key:
                entries: list[Item] = list(sq_entries)
                for k in priced:
                    entries += issue_entries(scenario.issues[k], int(choice[k]), baseline,
                                             regions)  # fmt: skip
                for t in threats:
                    entries += threat_entries(scenario.threats[t], baseline, regions)
                by_key[key] = config_of(entries)
            point_config[j, row] = by_key[key]
    no_deal = []
    for subset in threat_scenarios(len(scenario.threats)):
        entries = list(sq_entries)
        for k in priced:
            entries += issue_entries(scenario.issues[k], status_quo[k], baseline, regions)
        for t in subset:
            entries += threat_entries(scenario.threats[t], baseline, regions)
        no_deal.append(config_of(entries))
    return configs, point_config, no_deal


def price_grid(
    scenario: Scenario,
    options: npt.ArrayLike,
    baselines: Sequence[CPBaseline],
    *,
    workers: int | None = None,
    executed: Sequence[tuple[int, ...]] = (),
) -> list[PricedPoints]:
    """:func:`price_points` at each baseline: the points of an elasticity grid, priced together.

    The baselines are one calibration at several θ (``with_elasticities``); the tariff and
    NTB configurations of every point are solved in one :func:`~tradetalks.economics.solve_batch`
    (its stacks stay wide and its predictions work within each point), the quantity
    targets per point (``solve_targets_batch``).
    """
    from tradetalks.economics import (
        ShockEntry,
        Target,
        make_shock,
        solve_batch,
        solve_targets_batch,
    )

    opts = np.asarray(options, dtype=np.int64)
    built = [_configurations(scenario, opts, b, executed) for b in baselines]
    results: list[list[CPResult | None]] = [[None] * len(c) for c, _, _ in built]
    # Configurations with quantity targets are solved together, their wedges with the
    # equilibrium (solve_targets_batch); the others go to the batch solver together.
    plain = [(g, k) for g, (configs, _, _) in enumerate(built) for k, c in enumerate(configs)
             if not any(isinstance(e, Target) for e in c)]  # fmt: skip
    shocks = [make_shock(baselines[g], [e for e in built[g][0][k] if isinstance(e, ShockEntry)],
                         label=f"config {k}") for g, k in plain]  # fmt: skip
    solved = solve_batch([baselines[g] for g, _ in plain], shocks, workers=workers, flows=True)
    for (g, k), r in zip(plain, solved, strict=True):
        results[g][k] = r
    out = []
    for g, (configs, point_config, no_deal) in enumerate(built):
        rest = [k for k, r in enumerate(results[g]) if r is None]  # all targets together
        items = [([e for e in configs[k] if isinstance(e, ShockEntry)],
                  [t for t in configs[k] if isinstance(t, Target)]) for k in rest]  # fmt: skip
        labels = [f"config {k}" for k in rest]
        for k, sol in zip(rest, solve_targets_batch(baselines[g], items, labels=labels,
                                                    decompose=False), strict=True):  # fmt: skip
            results[g][k] = sol.result
        done = tuple(r for r in results[g] if r is not None)
        out.append(PricedPoints(tuple(configs), done, point_config[0], np.array(no_deal),
                                point_config[1:]))  # fmt: skip
    return out


def _region_specs(scenario: Scenario, spec: IndicatorSpec) -> list[IndicatorSpec]:
    """The one-country indicators whose sum is ``spec`` (a party's code names its members)."""
    partners = (None,) if spec.partner is None else scenario.regions(spec.partner)
    return [replace(spec, country=c, partner=m) for c in scenario.regions(spec.country)
            for m in partners if c != m]  # fmt: skip


def region_dollar_matrix(
    scenario: Scenario,
    specs: Sequence[IndicatorSpec],
    results: Sequence[CPResult],
    baseline: CPBaseline,
) -> FloatArray:
    """``(points, indicators)`` changes in million USD, each summed over its regions.

    An indicator of a party that negotiates for several countries (the EU) is the sum of
    its members' changes in money (value added, exports to the partner's members, the
    equivalent variations); one of a country priced in RoW is RoW's. One-country indicators
    are :func:`~tradetalks.politics.indicator_dollars` exactly.
    """
    parts = [_region_specs(scenario, spec) for spec in specs]
    return np.array(
        [[sum(indicator_dollars(one, r, baseline) for one in group) if len(group) != 1
          else indicator_dollars(group[0], r, baseline) for group in parts] for r in results]
    ).reshape(len(results), len(specs))  # fmt: skip
