"""Running the episodes: price each scenario once, then simulate it under model-wide settings.

A :class:`ModelSettings` is a choice that applies to every episode alike (never to one):
one strategy for every government, a prior for every threat's credibility. The
simulation is the uncertainty sweep of ``tradetalks run`` (same batches, same seeded
streams), so with the default settings an episode's sessions are exactly those of
``tradetalks run SCENARIO -n SESSIONS --seed SEED``.

To add a model-wide setting (e.g. a population of strategies): add a field to
:class:`ModelSettings`, apply it in :meth:`ModelSettings.apply` (parameters) or
:meth:`ModelSettings.strategies` (strategy per party), and list its values in a grid
(:data:`tradetalks.casebook.DEFAULT_GRID` or your own) for :func:`cross_validate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tradetalks.casebook._load import CaseEntry
from tradetalks.game import (
    GameParameters,
    GameSetup,
    PriceCache,
    batch_plan,
    population_of,
    prepare_game,
    run_talks,
    sample_parameters,
    sessions_table,
    solve_game,
    weigh_trade_balances,
)

#: Sessions per episode and per batch (the batch size of ``tradetalks run``).
DEFAULT_SESSIONS = 1000
BATCH_SIZE = 250

#: Called with a description each time a step (pricing or simulating an episode) is done.
StepCallback = Callable[[str], None]


@dataclass(frozen=True)
class ModelSettings:
    """Model-wide settings: the same for every episode.

    ``strategy``: one strategy spec for every government (``None``: see ``population``);
    ``population``: the strategies each government's play is drawn from, session by session
    (``None``: the scenario's population, else :data:`~tradetalks.game.DEFAULT_POPULATION`,
    as ``tradetalks run`` does; ``()``: the pairing the scenario writes);
    ``credibility``: every threat's credibility before its maker's interest is checked
    (``None``: as written and sampled by the scenario);
    ``balance_weight``: multiplies every actor's stake in a trade balance (``None``: as
    written). Grossman and Helpman's governments (AER 1994, JPE 1995) weigh incomes, not
    balances; the scenarios' balance stakes are assumptions, so how much they count is a
    model-wide setting, chosen like the others by leave-one-episode-out.
    """

    label: str = "scenarios as written"
    strategy: str | None = None
    credibility: float | None = None
    population: tuple[str, ...] | None = None
    balance_weight: float | None = None

    def setup_for(self, setup: GameSetup) -> GameSetup:
        """The priced setup with these settings' stakes (the prices are not touched)."""
        if self.balance_weight is None:
            return setup
        return weigh_trade_balances(setup, self.balance_weight)

    def apply(self, params: GameParameters) -> GameParameters:
        """The sampled parameters with these settings imposed."""
        if self.credibility is None:
            return params
        return replace(params, credibility=np.full_like(params.credibility, self.credibility))

    def strategies(self, setup: GameSetup) -> dict[str, str] | None:
        """Strategy per party code (``None``: the scenario's own)."""
        if self.strategy is None:
            return None
        return {p.code: self.strategy for p in setup.scenario.parties}

    def population_for(self, setup: GameSetup) -> tuple[str, ...] | None:
        """The population sessions draw strategies from (``None``: one pairing)."""
        if self.strategy is not None:
            return None
        if self.population is None:
            return population_of(setup.scenario.population)
        return self.population or None


@dataclass(frozen=True, eq=False)
class Prepared:
    """An episode priced: its game setup and how long the pricing took."""

    entry: CaseEntry
    setup: GameSetup
    pricing_s: float


def prepare_episodes(
    entries: Sequence[CaseEntry],
    *,
    cache: PriceCache | None = None,
    workers: int | None = None,
    on_step: StepCallback | None = None,
) -> list[Prepared]:
    """Price every episode's scenario (read from ``cache`` when it holds the prices)."""
    out = []
    for entry in entries:
        start = time.perf_counter()
        setup = prepare_game(entry.scenario, workers=workers, cache=cache)
        out.append(Prepared(entry, setup, time.perf_counter() - start))
        if on_step:
            on_step(f"priced {entry.episode.id}")
    return out


def simulate(
    setup: GameSetup, settings: ModelSettings, sessions: int = DEFAULT_SESSIONS, seed: int = 0
) -> pd.DataFrame:
    """Sessions of the uncertainty sweep under ``settings``, one row each.

    Batch ``k`` draws from ``default_rng([seed, k])`` as :func:`~tradetalks.game.sweep_batch`
    does, so default settings reproduce ``tradetalks run``'s sweep.
    """
    setup = settings.setup_for(setup)
    strategies = settings.strategies(setup)
    frames = []
    for index, first, size in batch_plan(sessions, BATCH_SIZE):
        rng = np.random.default_rng([seed, index])
        params = settings.apply(sample_parameters(setup, size, rng))
        state = solve_game(setup, params)
        result = run_talks(setup, state, rng, strategies=strategies,
                           population=settings.population_for(setup))  # fmt: skip
        frames.append(sessions_table(setup, result, first))
    return pd.concat(frames, ignore_index=True)
