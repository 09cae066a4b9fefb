"""Parameters of the two-level game and what they imply: utilities, no-deal values, win-sets.

Everything is computed for ``S`` parameter samples at once (``S = 1`` for the scenario as
written), so that an uncertainty sweep is a handful of array operations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tradetalks.game._outside import constrain_ratification, outside_stakes
from tradetalks.game._setup import GameSetup
from tradetalks.politics import (
    ancestors,
    carried_out_probabilities,
    chain_order,
    government_utility,
    party_scale,
    ratifiable,
    threat_scenarios,
    worth_carrying_out,
)
from tradetalks.scenario import resolve_target

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class GameParameters:
    """Parameters per sample (leading axis ``S``).

    ``theta`` holds the sampled trade elasticity of each uncertain sector (one column
    per :attr:`GameSetup.grids` entry).
    """

    credibility: FloatArray  # (S, threats)
    threshold: FloatArray  # (S, parties)
    leader_strength: FloatArray  # (S, parties)
    weights: FloatArray  # (S, actors)
    theta: FloatArray  # (S, grids)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.weights.shape[0])

    def table(self, setup: GameSetup) -> dict[str, FloatArray]:
        """The parameters as named columns (for saving with a run)."""
        out: dict[str, FloatArray] = {}
        for k, t in enumerate(setup.scenario.threats):
            out[f"credibility.{t.id}"] = self.credibility[:, k]
        for k, p in enumerate(setup.scenario.parties):
            out[f"threshold.{p.code}"] = self.threshold[:, k]
            out[f"leader_strength.{p.code}"] = self.leader_strength[:, k]
        for k, a in enumerate(setup.model.actors):
            out[f"weight.{a.key}"] = self.weights[:, k]
        for k, g in enumerate(setup.grids):
            out[f"theta.{g.sector}"] = self.theta[:, k]
        return out


def scenario_parameters(setup: GameSetup) -> GameParameters:
    """The parameters as the scenario writes them (one sample)."""
    s = setup.scenario
    theta = [setup.written_theta(g.sector) for g in setup.grids]
    return GameParameters(
        credibility=np.array([[t.credibility.value for t in s.threats]]).reshape(1, -1),
        threshold=np.array([[p.ratification.threshold.value for p in s.parties]]),
        leader_strength=np.array([[p.ratification.leader_strength.value for p in s.parties]]),
        weights=setup.model.weights[None, :].copy(),
        theta=np.array([theta]).reshape(1, -1),
    )


def sample_parameters(setup: GameSetup, n: int, rng: np.random.Generator) -> GameParameters:
    """Draw ``n`` parameter sets from the scenario's ``[[uncertainty]]`` ranges.

    Parameters without a range keep their written value. Triangular ranges peak at the
    written value when it lies inside the range, else at the midpoint.
    """
    base = scenario_parameters(setup)
    arrays = {
        "credibility": np.repeat(base.credibility, n, axis=0),
        "threshold": np.repeat(base.threshold, n, axis=0),
        "leader_strength": np.repeat(base.leader_strength, n, axis=0),
        "weights": np.repeat(base.weights, n, axis=0),
        "theta": np.repeat(base.theta, n, axis=0),
    }
    s = setup.scenario
    parties = [p.code for p in s.parties]
    actors = [a.key for a in setup.model.actors]
    grids = [g.target for g in setup.grids]
    for u in s.uncertainty:
        written = resolve_target(s, u.target)
        mode = written.value if written is not None and u.low <= written.value <= u.high else None
        if u.distribution == "triangular" and u.high > u.low:
            peak = (u.low + u.high) / 2 if mode is None else mode
            draws = rng.triangular(u.low, peak, u.high, size=n)
        else:
            draws = rng.uniform(u.low, u.high, size=n)
        parts = u.target.split(".")
        match parts:
            case ["threats", tid, "credibility"]:
                arrays["credibility"][:, [t.id for t in s.threats].index(tid)] = draws
            case ["parties", code, "ratification", field]:
                arrays[field][:, parties.index(code)] = draws
            case ["parties", code, "leader", "weight"]:
                arrays["weights"][:, actors.index(f"{code}.leader")] = draws
            case ["parties", code, "constituencies", cid, "weight"]:
                arrays["weights"][:, actors.index(f"{code}.{cid}")] = draws
            case ["economics", "elasticities", _]:
                arrays["theta"][:, grids.index(u.target)] = draws
    return GameParameters(**arrays)


def _indicators(setup: GameSetup, theta: FloatArray) -> FloatArray:
    """``(S, points, indicators)``: priced indicators, interpolated in uncertain elasticities.

    Each uncertain elasticity moves the indicators by its own interpolated difference
    from the written value (a first-order combination when several are uncertain).
    """
    x = np.broadcast_to(setup.indicators, (theta.shape[0], *setup.indicators.shape)).copy()
    for k, g in enumerate(setup.grids):
        written = setup.written_theta(g.sector)
        at = np.clip(theta[:, k], g.theta[0], g.theta[-1])
        lower = np.clip(np.searchsorted(g.theta, at, side="right") - 1, 0, len(g.theta) - 2)
        span = g.theta[lower + 1] - g.theta[lower]
        frac = np.where(span > 0, (at - g.theta[lower]) / np.where(span > 0, span, 1.0), 0.0)
        value = (1 - frac)[:, None, None] * g.indicators[lower] + frac[
            :, None, None
        ] * g.indicators[lower + 1]
        base_index = int(np.argmin(np.abs(g.theta - written)))
        x += value - g.indicators[base_index][None]
    return x


@dataclass(frozen=True, eq=False)
class GameState:
    """The two-level game under ``S`` parameter samples.

    ``utility`` is each government's utility of each outcome; ``threat_values`` its utility
    in each no-deal scenario (see :func:`~tradetalks.politics.threat_scenarios`);
    ``no_deal`` the expected no-deal value; ``win_sets`` the deals each government prefers
    to no deal and can ratify; ``zopa`` the deals in every win-set.
    """

    parameters: GameParameters
    stakes: FloatArray  # (S, actors, points)
    utility: FloatArray  # (S, parties, outcomes)
    threat_values: FloatArray  # (S, parties, threat scenarios)
    credible: BoolArray  # (S, threats)
    carry_probability: FloatArray  # (S, threats)
    scenario_probability: FloatArray  # (S, threat scenarios)
    no_deal: FloatArray  # (S, parties)
    no_deal_stakes: FloatArray  # (S, actors)
    ratified: BoolArray  # (S, parties, outcomes)
    win_sets: BoolArray  # (S, parties, outcomes)

    @property
    def zopa(self) -> BoolArray:
        """``(S, outcomes)``: deals every government can sign and ratify."""
        return np.asarray(self.win_sets.all(axis=1))

    def sample(self, k: int) -> GameState:
        """The state of one sample (keeping a leading axis of 1)."""
        pick = slice(k, k + 1)
        p = self.parameters
        params = GameParameters(p.credibility[pick], p.threshold[pick], p.leader_strength[pick],
                                p.weights[pick], p.theta[pick])  # fmt: skip
        return replace(
            self,
            parameters=params,
            stakes=self.stakes[pick],
            utility=self.utility[pick],
            threat_values=self.threat_values[pick],
            credible=self.credible[pick],
            carry_probability=self.carry_probability[pick],
            scenario_probability=self.scenario_probability[pick],
            no_deal=self.no_deal[pick],
            no_deal_stakes=self.no_deal_stakes[pick],
            ratified=self.ratified[pick],
            win_sets=self.win_sets[pick],
        )


def solve_game(setup: GameSetup, params: GameParameters, *, outside: bool = True) -> GameState:
    r"""Objectives, no-deal values, ratification and win-sets for every sample.

    An agreement :math:`o` leaves threat :math:`t` due with chance :math:`e_{to}`
    (:attr:`GameSetup.exposure`); carried out after a deal it is priced as its effect at
    the status quo added to the deal's, :math:`s(o) + p_t e_{to} (s(t) - s(\text{sq}))`, a
    first-order approximation that spares pricing every deal–threat pair.

    Outside options move the affected actors' stakes by their expected effect
    (:func:`~tradetalks.game._outside.outside_stakes`; ``outside=False`` leaves them out,
    to show what they are worth); caps and tables voted on alone narrow ratification
    (:func:`~tradetalks.game._outside.constrain_ratification`).
    """
    model = setup.model
    n_out = setup.n_outcomes
    n_parties = len(model.parties)
    x = _indicators(setup, params.theta)  # (S, P, K) million USD
    prefs = np.broadcast_to(setup.preferences, (x.shape[0], *setup.preferences.shape))
    columns = np.concatenate([x, prefs], axis=-1)  # (S, P, C)
    # optimize: one BLAS product (6x faster with twelve parties' actors and columns)
    stakes = np.einsum("spc,ac->sap", columns, model.stake_weights, optimize=True)
    if outside and setup.outside is not None:
        stakes = stakes + outside_stakes(setup.outside, model)[None]
    utility_all = government_utility(stakes, params.weights, model.party_of, n_parties)
    n_t = len(setup.scenario.threats)
    scenarios = threat_scenarios(n_t)
    end = n_out + len(scenarios)  # points after it: deals with threats in force (_talks)
    threat_values = utility_all[..., n_out:end]
    trigger = list(setup.trigger)
    before = [scenarios.index(ancestors(trigger, t)) for t in range(n_t)]
    after = [scenarios.index(tuple(sorted((*ancestors(trigger, t), t)))) for t in range(n_t)]
    # What carrying out each threat adds, once the threats it answers are carried out.
    effect = threat_values[..., after] - threat_values[..., before]  # (S, parties, threats)
    maker_gain = effect[:, setup.threat_maker, np.arange(n_t)]
    scale = party_scale(utility_all[..., :end])[:, setup.threat_maker]
    credible = worth_carrying_out(maker_gain, setup.reputation[None, :], scale)
    p_carry = params.credibility * credible
    # With no deal there is no compliance review: its threats never fall due.
    probability = carried_out_probabilities(params.credibility * ~setup.review, credible, trigger)
    no_deal = np.einsum("spt,st->sp", threat_values, probability)
    no_deal_stakes = np.einsum("sat,st->sa", stakes[..., n_out:end], probability)

    due = p_carry[:, :, None] * setup.exposure[None]  # (S, threats, outcomes)
    for t in chain_order(trigger):  # an answer falls due only after what it answers
        if trigger[t] >= 0:
            due[:, t] *= due[:, trigger[t]]
    points = stakes[..., n_out:end]
    stake_effect = points[..., after] - points[..., before]
    deal_stakes, utility = stakes[..., :n_out], utility_all[..., :n_out]
    if n_t:  # (without threats these sums are zero: twelve parties' arrays are not small)
        deal_stakes = deal_stakes + np.einsum("sat,sto->sao", stake_effect, due)
        utility = utility + np.einsum("spt,sto->spo", effect, due)
    stakes = np.concatenate([deal_stakes, points], axis=-1)

    ratified = np.zeros((x.shape[0], n_parties, n_out), dtype=bool)
    for p, rule in enumerate(model.rules):
        mine = model.actors_of(p)
        ratified[:, p] = ratifiable(
            stakes[:, mine, :n_out],
            no_deal_stakes[:, mine],
            params.weights[:, mine],
            rule,
            threshold=params.threshold[:, p],
            leader_strength=params.leader_strength[:, p],
        )
    ratified = constrain_ratification(ratified, setup.scenario, setup.options, setup.space.encode)
    slack = 1e-12 * party_scale(utility, threat_values)
    win_sets = ratified & (utility >= no_deal[..., None] - slack[..., None])
    return GameState(params, stakes, utility, threat_values, credible, p_carry, probability,
                     no_deal, no_deal_stakes, ratified, win_sets)  # fmt: skip
