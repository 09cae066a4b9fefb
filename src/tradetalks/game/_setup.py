"""From a scenario to a priced game: outcome space, domestic model, priced points.

This is the slow part of a run (loading data, calibrating, solving the trade model for
every distinct configuration); everything after it is array arithmetic. What the rest
needs of the prices is a few small arrays, which a cache (the run store) keeps between
runs, keyed by everything the prices depend on. Elasticities the scenario marks as
uncertain are priced on a small grid so that sweeps interpolate instead of re-solving.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from tradetalks._errors import InputError
from tradetalks.bargaining import Issue as BargainingIssue
from tradetalks.bargaining import OutcomeSpace
from tradetalks.game._outside import OutsidePrices, price_outside
from tradetalks.game._pricing import price_grid, region_dollar_matrix, scenario_table
from tradetalks.politics import (
    DomesticModel,
    complies,
    domestic_model,
    executed_sets,
    in_older_units,
    preference_matrix,
    threat_scenarios,
)
from tradetalks.scenario import WIOD_COUNTRIES, WIOD_SECTORS, Scenario

if TYPE_CHECKING:
    from tradetalks.data import Cp2015Table, WiodTable
    from tradetalks.economics import (
        CPBaseline,
        CPResult,
    )

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Points of the elasticity grid, as fractions of the way from low to high.
ELASTICITY_GRID = (0.0, 0.5, 1.0)
#: Bump when the pricing changes, so that old cache entries are not used.
PRICING_VERSION = "3"  # 2: indicators in million USD; 3: quantity targets solved in the equilibrium


class PriceCache(Protocol):
    """Where priced arrays are kept between runs (the run store implements it)."""

    def get_cached_arrays(self, key: str) -> dict[str, npt.NDArray[Any]] | None:
        """Arrays saved under ``key``, or ``None``."""

    def put_cached_arrays(self, key: str, arrays: Mapping[str, npt.ArrayLike]) -> None:
        """Save arrays under ``key``."""


@dataclass(frozen=True, eq=False)
class ElasticityGrid:
    """Indicators priced at several values of one sector's trade elasticity."""

    target: str
    sector: str
    theta: FloatArray  # (grid,) increasing
    indicators: FloatArray  # (grid, points, indicators)


@dataclass(frozen=True, eq=False)
class Impacts:
    """What each point does to the economies, for reports.

    ``welfare`` is the real-income change of every country; ``value_added`` and
    ``exports`` (to the other parties) the relative changes by sector of each party, summed
    over its WIOD regions (:meth:`~tradetalks.scenario.Scenario.regions`) before the change.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    welfare: FloatArray  # (points, countries)
    value_added: FloatArray  # (points, parties, sectors)
    exports: FloatArray  # (points, parties, sectors)


@dataclass(frozen=True, eq=False)
class GameSetup:
    """Everything about a scenario that a sweep does not vary.

    Points are the outcomes (in outcome-code order) followed by the no-deal scenarios
    (subsets of threats carried out, the status quo first), then, for each set in
    ``executed`` (threats that may be carried out while the talks go on), every outcome
    with those threats in force. Indicators are in million USD;
    ``model`` has its preference scores and tolerances in million USD too; an older file
    (no ``stake_unit``) keeps deciding as before (:func:`~tradetalks.politics.in_older_units`).
    ``units`` is the money per unit of score and tolerance of each party (1).
    ``averts[t, o]`` says whether outcome ``o`` meets threat ``t``'s compliance terms.
    """

    scenario: Scenario
    space: OutcomeSpace
    options: IntArray  # (outcomes, issues) option index per issue
    model: DomesticModel
    theta: FloatArray  # (sectors,) trade elasticities as written
    indicators: FloatArray  # (points, indicators)
    preferences: FloatArray  # (points, preference columns)
    threat_maker: IntArray  # (threats,) party index of each threat's maker
    averts: npt.NDArray[np.bool_]  # (threats, outcomes)
    units: FloatArray  # (parties,) million USD per unit of score and tolerance
    grids: tuple[ElasticityGrid, ...]
    impacts: Impacts
    data_version: str
    n_solves: int  # trade-model solves this setup took (0 when read from the cache)
    outside: OutsidePrices | None = None  # outside options (game/_outside.py)
    executed: tuple[tuple[int, ...], ...] = ()  # threat sets priced in force on every deal

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes of the negotiation."""
        return int(self.options.shape[0])

    @property
    def status_quo_outcome(self) -> int:
        """Code of the outcome that keeps every issue at its status quo."""
        sq = [i.status_quo_index() for i in self.scenario.issues]
        return int(self.space.encode(np.array(sq)))

    @property
    def exposure(self) -> FloatArray:
        """``(threats, outcomes)``: chance each threat still falls due after each agreement.

        0 where the agreement meets the threat's compliance terms (times the chance the other
        side fails to deliver, for a threat due at the compliance review), 1 elsewhere.
        """
        delivery = np.array([t.compliance.delivery.value if t.stage == "compliance_review"
                             else 1.0 for t in self.scenario.threats])  # fmt: skip
        return np.asarray(1.0 - self.averts * delivery[:, None])

    @property
    def review(self) -> npt.NDArray[np.bool_]:
        """``(threats,)``: due at the compliance review, so only after an agreement."""
        return np.array([t.stage == "compliance_review" for t in self.scenario.threats], bool)

    @property
    def trigger(self) -> IntArray:
        """``(threats,)`` index of the threat each one answers (``after``), -1 for none."""
        ids = [t.id for t in self.scenario.threats]
        return np.array([ids.index(t.after) if t.after else -1 for t in self.scenario.threats],
                        dtype=np.int64)  # fmt: skip

    @property
    def reputation(self) -> FloatArray:
        """``(threats,)`` what carrying out each threat is worth to its maker, in money."""
        written = np.array([t.reputation.value for t in self.scenario.threats])
        return np.asarray(written * self.units[self.threat_maker])

    def written_theta(self, sector: str) -> float:
        """The trade elasticity of ``sector`` as the scenario writes it (or the default)."""
        return float(self.theta[self.impacts.sectors.index(sector)])


def data_version(scenario: Scenario) -> str:
    """What data a scenario is priced on (a table of its own: its path, year and size)."""
    econ = scenario.economics
    if econ.table is not None:
        size = Path(econ.table).stat().st_size if Path(econ.table).exists() else -1
        return f"table {econ.table} ({size} bytes), {econ.year}"
    return f"WIOD 2013 release, {econ.year}"


def outcome_space(scenario: Scenario) -> OutcomeSpace:
    """The negotiation's outcome space: one issue per scenario issue, options as values."""
    return OutcomeSpace(
        tuple(BargainingIssue(i.id, tuple(i.option_ids()), i.is_ordered) for i in scenario.issues)
    )


def _elasticities(
    scenario: Scenario, sectors: tuple[str, ...], default: tuple[float, ...] | None = None
) -> FloatArray:
    from tradetalks.economics import default_elasticities

    theta = np.array(default_elasticities(sectors) if default is None else default)
    for sector, q in scenario.economics.elasticities.items():
        theta[sectors.index(sector)] = q.value
    return theta


def _baseline(scenario: Scenario, table: WiodTable | Cp2015Table, theta: FloatArray) -> CPBaseline:
    from tradetalks.economics import calibrate, tariff_array

    lines = [
        (b.importer, b.exporter, b.sectors, b.rate.value)
        for b in scenario.economics.baseline_tariffs
    ]
    labels = (tuple(table.countries), tuple(table.sectors))
    tariffs = tariff_array(labels, lines) if lines else None
    inventories = scenario.economics.inventories
    return calibrate(table, elasticities=theta, baseline_tariffs=tariffs, inventories=inventories)


def scenario_baseline(scenario: Scenario) -> CPBaseline:
    """The calibrated trade model a scenario is priced on (its year, tariffs, elasticities)."""
    from tradetalks.economics import table_elasticities

    table = scenario_table(scenario)
    theta = _elasticities(scenario, tuple(table.sectors), table_elasticities(table))
    return _baseline(scenario, table, theta)


def _relative(new: FloatArray, old: FloatArray) -> FloatArray:
    return np.asarray(np.divide(new, old, out=np.ones_like(new), where=old > 0) - 1.0)


def _impacts(
    scenario: Scenario, results: list[CPResult], baseline: CPBaseline
) -> dict[str, FloatArray]:
    parties = [[baseline.country_index(c) for c in scenario.regions(p.code)]
               for p in scenario.parties]  # fmt: skip
    va0 = baseline.va_share * baseline.gross_output_musd
    sales0 = baseline.sales_musd
    welfare = np.array([r.welfare_hat - 1.0 for r in results])
    va = np.array([[_relative(r.value_added_musd[n].sum(axis=0), va0[n].sum(axis=0))
                    for n in parties] for r in results])  # fmt: skip
    exports = []
    for r in results:
        assert r.trade_musd is not None
        rows = []
        for n in parties:
            # Exports to the other parties' regions (a party's own members are not "other").
            others = sorted({m for group in parties for m in group} - set(n))
            new = r.trade_musd[np.ix_(others, n)].sum(axis=(0, 1))
            rows.append(_relative(new, sales0[np.ix_(others, n)].sum(axis=(0, 1))))
        exports.append(rows)
    return {"welfare": welfare, "value_added": va, "exports": np.array(exports)}


def _price(
    scenario: Scenario,
    model: DomesticModel,
    options: IntArray,
    baselines: Sequence[CPBaseline],
    workers: int | None,
) -> list[dict[str, FloatArray]]:
    """Solve every configuration at each baseline (elasticity grid point), in one batch.

    Per baseline: per-point indicators and impacts.
    """
    # Cached arrays are labelled by the bundled codes: the table must use them, in order.
    assert all(b.countries == WIOD_COUNTRIES and b.sectors == WIOD_SECTORS for b in baselines)
    out = []
    for baseline, priced in zip(baselines, price_grid(scenario, options, baselines,
                                                      workers=workers,
                                                      executed=executed_sets(scenario)),
                                strict=True):  # fmt: skip
        point_config = np.concatenate([priced.outcome_config, priced.no_deal_config,
                                       priced.executed_config.ravel()])  # fmt: skip
        per_config = region_dollar_matrix(scenario, model.indicators, priced.results, baseline)
        impacts = _impacts(scenario, list(priced.results), baseline)
        arrays = {k: v[point_config] for k, v in impacts.items()}
        arrays["indicators"] = per_config[point_config]
        arrays["n_solves"] = np.array(len(priced.results))
        out.append(arrays)
    return out


#: Elasticity grid points priced in one batch: wider stacks are cheaper per shock, but a batch
#: holds every result's flows (0.5 MB each on WIOD) until its points are reduced to arrays.
_POINTS_PER_BATCH = 4

_UNPRICED_THREAT_FIELDS = {"credibility", "credibility_range", "reputation", "note"}


def _cache_key(scenario: Scenario, version: str, theta: FloatArray) -> str:
    economics = scenario.economics.model_dump(mode="json")
    if not economics["priced_in_row"]:  # keys of files without it stay as they were
        del economics["priced_in_row"]
    relevant = {
        "pricing": PRICING_VERSION,
        "economics": economics,
        "issues": [i.model_dump(mode="json") for i in scenario.issues],
        # How likely a threat is to be carried out does not change what it costs, so an edit
        # of credibility or reputation re-uses the prices (the workbench re-analyses on edit).
        "threats": [
            t.model_dump(mode="json", exclude=_UNPRICED_THREAT_FIELDS) for t in scenario.threats
        ],
        "parties": [p.code for p in scenario.parties],
        "indicators": [repr(s) for s in domestic_model(scenario).indicators],
        "data": version,
        "theta": [round(float(t), 12) for t in theta],
    }
    if executed_sets(scenario):  # (keeps the keys of scenarios without such threats)
        relevant["executed"] = executed_sets(scenario)
    regions = {p.code: scenario.regions(p.code) for p in scenario.parties}
    if any(r != (code,) for code, r in regions.items()):  # parties of several countries
        relevant["regions"] = regions
    return "prices:" + hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def prepare_game(
    scenario: Scenario, *, workers: int | None = None, cache: PriceCache | None = None
) -> GameSetup:
    """Price a scenario and build its domestic model (the slow, cacheable step)."""
    table = None if scenario.economics.table is None else scenario_table(scenario)
    if table is not None and (table.countries, table.sectors) != (WIOD_COUNTRIES, WIOD_SECTORS):
        raise InputError(
            "the game is priced on WIOD's 41 regions and 35 sectors, in order",
            [f"{scenario.economics.table}: a table with other codes (cp2015, pymrio, a subset) "
             "can be priced with 'tradetalks price SCENARIO --outcome ISSUE=OPTION'"],
        )  # fmt: skip
    space = outcome_space(scenario)
    options = np.asarray(space.values_table(), dtype=np.int64)
    model = domestic_model(scenario)
    version = data_version(scenario)
    calibrated: CPBaseline | None = None

    def at(theta: FloatArray) -> CPBaseline:
        """The scenario's baseline at ``theta`` (a price cache hit needs none: not imported)."""
        from tradetalks.economics import with_elasticities

        return with_elasticities(calibrated or scenario_baseline(scenario), theta)

    def priced(thetas: list[FloatArray]) -> list[dict[str, FloatArray]]:
        """The arrays at each θ: from the cache, else priced, all misses in one batch."""
        nonlocal calibrated
        keys = [_cache_key(scenario, version, th) for th in thetas]
        found = [cache.get_cached_arrays(k) if cache is not None else None for k in keys]
        out = [None if hit is None else {**hit, "n_solves": np.array(0)} for hit in found]
        misses = [k for k, hit in enumerate(found) if hit is None]
        if misses:
            # Calibrated once per run: only θ differs between the points of a grid.
            if calibrated is None:
                calibrated = scenario_baseline(scenario)
            for first in range(0, len(misses), _POINTS_PER_BATCH):
                group = misses[first : first + _POINTS_PER_BATCH]
                fresh = _price(scenario, model, options, [at(thetas[k]) for k in group], workers)
                for k, arrays in zip(group, fresh, strict=True):
                    if cache is not None:
                        cache.put_cached_arrays(keys[k], arrays)
                    out[k] = arrays
        return [a for a in out if a is not None]

    sectors = tuple(WIOD_SECTORS)
    theta = _elasticities(scenario, sectors)
    axes: list[tuple[str, str, FloatArray]] = []  # (target, sector, θ^j values of its grid)
    points = [theta]
    for u in scenario.uncertainty:
        if not u.target.startswith("economics.elasticities."):
            continue
        sector = u.target.rsplit(".", 1)[1]
        j = sectors.index(sector)
        grid = sorted({u.low + g * (u.high - u.low) for g in ELASTICITY_GRID} | {theta[j]})
        axes.append((u.target, sector, np.array(grid)))
        for value in grid:
            if value != theta[j]:
                th = theta.copy()
                th[j] = value
                points.append(th)
    arrays = priced(points)
    main = arrays[0]
    n_solves = sum(int(a["n_solves"]) for a in arrays)
    grids = []
    at_point = iter(arrays[1:])
    for target, sector, values in axes:
        j = sectors.index(sector)
        stack = [main["indicators"] if value == theta[j] else next(at_point)["indicators"]
                 for value in values]  # fmt: skip
        grids.append(ElasticityGrid(target, sector, values, np.stack(stack)))

    status_quo = [i.status_quo_index() for i in scenario.issues]
    no_deal_options = np.tile(status_quo, (len(threat_scenarios(len(scenario.threats))), 1))
    executed = executed_sets(scenario)
    preferences = preference_matrix(
        model.preferences,
        np.concatenate([options, no_deal_options, *[options] * len(executed)]),
        status_quo,
    )
    parties = [p.code for p in scenario.parties]
    makers = np.array([parties.index(t.by) for t in scenario.threats], dtype=np.int64)
    impacts = Impacts(tuple(WIOD_COUNTRIES), sectors, main["welfare"], main["value_added"],
                      main["exports"])  # fmt: skip
    if not model.in_money:
        model = in_older_units(model, main["indicators"])
    units = np.ones(len(parties))
    outside = price_outside(scenario, options, len(no_deal_options), model,
                            lambda: at(theta), cache=cache, version=version,
                            theta=theta)  # fmt: skip
    return GameSetup(scenario, space, options, model.priced_in(units), theta, main["indicators"],
                     preferences, makers, compliance_matrix(scenario, options), units,
                     tuple(grids), impacts, version,
                     n_solves + (outside.n_solves if outside else 0), outside,
                     executed)  # fmt: skip


def weigh_trade_balances(setup: GameSetup, weight: float) -> GameSetup:
    """``setup`` with every actor's stake in a trade balance multiplied by ``weight``.

    1 keeps the scenario's stakes; 0 weighs no balance, as Grossman and Helpman's
    governments (AER 1994, JPE 1995) weigh incomes, not balances — the model-wide setting
    that leave-one-episode-out chose on the casebook. The prices are not touched.
    """
    if not (math.isfinite(weight) and weight >= 0):
        raise InputError(f"balance weight must be a finite number >= 0, got {weight!r}")
    model = setup.model
    columns = [k for k, spec in enumerate(model.indicators) if spec.indicator == "trade_balance"]
    weights = model.stake_weights.copy()
    weights[:, columns] *= weight
    return replace(setup, model=replace(model, stake_weights=weights))


def compliance_matrix(scenario: Scenario, options: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """``(threats, outcomes)``: whether each outcome meets each threat's compliance terms."""
    ids = [i.id for i in scenario.issues]
    terms: list[dict[int, list[int]]] = []
    for t in scenario.threats:
        terms.append({})
        for issue_id, allowed in t.compliance.requires.items():
            options_of = scenario.issues[ids.index(issue_id)].option_ids()
            terms[-1][ids.index(issue_id)] = [options_of.index(o) for o in allowed]
    return complies(terms, options)
