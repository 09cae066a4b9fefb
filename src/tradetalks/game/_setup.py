"""From a scenario to a priced game: outcome space, domestic model, priced points.

This is the slow part of a run (loading data, calibrating, solving the trade model for
every distinct configuration); everything after it is array arithmetic. Elasticities the
scenario marks as uncertain are priced on a small grid so that sweeps interpolate instead
of re-solving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradetalks.bargaining import Issue as BargainingIssue
from tradetalks.bargaining import OutcomeSpace
from tradetalks.data import WiodTable, load_wiod
from tradetalks.economics import CPBaseline, calibrate, default_elasticities, tariff_array
from tradetalks.game._pricing import PricedPoints, price_points
from tradetalks.politics import (
    DomesticModel,
    domestic_model,
    indicator_matrix,
    preference_matrix,
    threat_scenarios,
)
from tradetalks.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Points of the elasticity grid, as multiples of the way from low to high.
ELASTICITY_GRID = (0.0, 0.5, 1.0)


@dataclass(frozen=True, eq=False)
class ElasticityGrid:
    """Indicators priced at several values of one sector's trade elasticity."""

    target: str
    sector: str
    theta: FloatArray  # (grid,) increasing
    indicators: FloatArray  # (grid, points, indicators)


@dataclass(frozen=True, eq=False)
class GameSetup:
    """Everything about a scenario that the sweep does not vary.

    Points are the outcomes (in outcome-code order) followed by the no-deal scenarios
    (subsets of threats carried out, the status quo first).
    """

    scenario: Scenario
    space: OutcomeSpace
    options: IntArray  # (outcomes, issues) option index per issue
    model: DomesticModel
    baseline: CPBaseline
    priced: PricedPoints
    indicators: FloatArray  # (points, indicators) at the scenario's elasticities
    preferences: FloatArray  # (points, preference columns)
    threat_maker: IntArray  # (threats,) party index of each threat's maker
    grids: tuple[ElasticityGrid, ...]
    data_version: str

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes of the negotiation."""
        return int(self.options.shape[0])

    @property
    def status_quo_outcome(self) -> int:
        """Code of the outcome that keeps every issue at its status quo."""
        sq = [i.status_quo_index() for i in self.scenario.issues]
        return int(self.space.encode(np.array(sq)))


def data_version(scenario: Scenario) -> str:
    """What data a scenario is priced on."""
    return f"WIOD 2013 release, {scenario.economics.year}"


def outcome_space(scenario: Scenario) -> OutcomeSpace:
    """The negotiation's outcome space: one issue per scenario issue, options as values."""
    return OutcomeSpace(
        tuple(BargainingIssue(i.id, tuple(i.option_ids()), i.is_ordered) for i in scenario.issues)
    )


def _elasticities(scenario: Scenario, sectors: tuple[str, ...]) -> FloatArray:
    theta = np.array(default_elasticities(sectors))
    for sector, q in scenario.economics.elasticities.items():
        theta[sectors.index(sector)] = q.value
    return theta


def _baseline(scenario: Scenario, table: WiodTable, theta: FloatArray) -> CPBaseline:
    lines = [
        (b.importer, b.exporter, b.sectors, b.rate.value)
        for b in scenario.economics.baseline_tariffs
    ]
    labels = (tuple(table.countries), tuple(table.sectors))
    tariffs = tariff_array(labels, lines) if lines else None
    return calibrate(table, elasticities=theta, baseline_tariffs=tariffs)


def _indicators(model: DomesticModel, priced: PricedPoints, baseline: CPBaseline) -> FloatArray:
    per_config = indicator_matrix(model.indicators, priced.results, baseline)
    return np.concatenate([per_config[priced.outcome_config], per_config[priced.no_deal_config]])


def prepare_game(scenario: Scenario, *, workers: int | None = None) -> GameSetup:
    """Price a scenario and build its domestic model (the slow, cacheable step)."""
    space = outcome_space(scenario)
    options = np.asarray(space.values_table(), dtype=np.int64)
    model = domestic_model(scenario)
    table = load_wiod(scenario.economics.year)
    theta = _elasticities(scenario, tuple(table.sectors))
    baseline = _baseline(scenario, table, theta)
    priced = price_points(scenario, options, baseline, workers=workers)
    indicators = _indicators(model, priced, baseline)

    grids = []
    for u in scenario.uncertainty:
        if not u.target.startswith("economics.elasticities."):
            continue
        sector = u.target.rsplit(".", 1)[1]
        j = tuple(table.sectors).index(sector)
        values = sorted({u.low + g * (u.high - u.low) for g in ELASTICITY_GRID} | {theta[j]})
        stack = []
        for value in values:
            if value == theta[j]:
                stack.append(indicators)
                continue
            th = theta.copy()
            th[j] = value
            b = _baseline(scenario, table, th)
            stack.append(_indicators(model, price_points(scenario, options, b, workers=workers), b))
        grids.append(ElasticityGrid(u.target, sector, np.array(values), np.stack(stack)))

    status_quo = [i.status_quo_index() for i in scenario.issues]
    no_deal_options = np.tile(status_quo, (len(threat_scenarios(len(scenario.threats))), 1))
    preferences = preference_matrix(
        model.preferences, np.concatenate([options, no_deal_options]), status_quo
    )
    parties = [p.code for p in scenario.parties]
    makers = np.array([parties.index(t.by) for t in scenario.threats], dtype=np.int64)
    return GameSetup(scenario, space, options, model, baseline, priced, indicators, preferences,
                     makers, tuple(grids), data_version(scenario))  # fmt: skip
