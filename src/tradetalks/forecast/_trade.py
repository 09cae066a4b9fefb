r"""The spatial view of a trade scenario: its two-level game as issues × actors on 0–100.

The spatial models read what the DEU project measured for EU decisions (Thomson &
Stokman 2006, "Research design: measuring actors' positions, saliences and capabilities",
in Thomson, Stokman, Achen & König, *The European Union Decides*, ch. 2): per issue, each
actor's most-favoured position on a 0–100 scale, the salience of the issue to the actor
(0–100) and the actor's capability. A priced two-level game (:mod:`tradetalks.game`)
holds everything needed to derive them. The mapping, with our own choices marked *(ours)*:

Issues and scale
    One spatial issue per scenario issue, all of one proposal (negotiated together, so
    the exchange model may trade across them). An ordered issue's options lie on the scale
    in order, first option 0 and last 100 (the DEU convention of putting the most extreme
    options at the ends, with distances on the scale reflecting political distance); when
    every option has a value and the values are strictly monotonic, options sit in
    proportion to their values (a tariff cut from 20% to 10% to 0% gives 0, 50, 100), else
    equally spaced. A categorical (``rule``) issue has no order
    of its own *(ours)*: its options are ranked by the first party's government utility,
    least preferred at 0 and most preferred at 100, equally spaced (ties keep the written
    order), which makes the first party's ideal 100 and turns the issue into the axis of
    how much that party gets. The reference point is the status-quo option.

Positions
    An actor's stake over an issue's options is read from the game's stakes *holding the
    other issues at their status quo* (``hold="status_quo"``, the default: the reference
    point of the DEU questionnaires, where an issue is a proposed change to the status
    quo), or averaged over every combination of the other issues (``hold="mean"``, the
    main effect of the issue; differs only where the trade model makes issues interact).
    The position is the scale position of the option with the highest stake (the mean of
    the tied best options' positions when several tie). An actor whose stake does not vary
    with an issue takes no position on it (``NaN``), like DEU actors without a stance.

Salience
    The range of the actor's stake over the issue's options, rescaled per actor so that
    its most salient issue scores 100 (DEU saliences are 0–100 per actor, 100 = the issue
    matters most to it).

Actors and capabilities
    Each party's government and each constituency. The government's position and
    salience come from its utility (the weighted mean of its leader's and constituencies'
    stakes it bargains with, Putnam 1988). Its capability starts from its economy: the
    party's value added in the scenario's WIOD year, as a share (0–100) of the parties'
    total, following Bueno de Mesquita (1994, 2002), who measures capability by resources.
    A credible threat raises its maker's capability *(ours, after Schelling 1966: the power
    to hurt is bargaining power)*: by the factor
    :math:`1 + \sum_t c_t \, \mathbb 1[\text{credible}_t] \, \max(0, u_v(\text{sq}) - u_v(t))`,
    the credibility times the utility its target ``v`` loses when threat ``t`` alone is
    carried out (utilities are normalised stakes, so a loss is at most 2). A constituency's
    capability is its political weight's share of its party's weights (leader included)
    times the party's capability; a veto player's is multiplied by
    :data:`VETO_CAPABILITY_FACTOR` *(ours: Tsebelis 2002, a veto player can block, so its
    say exceeds its weight; the factor is not estimated)*. Capability × salience is the
    actor's "effective power" (Stokman & van Oosten 1994).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from tradetalks._errors import ForecastError
from tradetalks.data import load_wiod
from tradetalks.forecast._issues import FloatArray, IssueSet, make_issue_set
from tradetalks.game import GameSetup, GameState, scenario_parameters, solve_game
from tradetalks.politics import party_scale, threat_scenarios
from tradetalks.scenario import Issue

IntArray = npt.NDArray[np.int64]
Hold = Literal["status_quo", "mean"]

#: Capability multiplier of a veto player *(ours, not estimated; see the module docstring)*.
VETO_CAPABILITY_FACTOR = 2.0
#: A stake range below this is "does not vary": stakes are normalised to [-1, 1].
INDIFFERENCE_TOL = 1e-9


def option_scale(
    issue: Issue, preference: Sequence[float] | FloatArray | None = None
) -> FloatArray:
    """Scale positions (0–100) of an issue's options, in the scenario's option order.

    Parameters
    ----------
    issue
        The scenario issue.
    preference
        For a categorical issue, the first party's utility of each option (others at the
        status quo): options are ranked by it, least preferred at 0. Ignored for ordered
        issues; ``None`` keeps the written order.

    Returns
    -------
    ``(options,)`` positions; see the module docstring for the rules.
    """
    n = len(issue.options)
    even = np.linspace(0.0, 100.0, n)
    if issue.is_ordered:
        values = [o.value.value if o.value is not None else None for o in issue.options]
        if all(v is not None for v in values):
            v = np.array(values, dtype=float)
            steps = np.diff(v)
            if np.all(steps > 0) or np.all(steps < 0):
                # Clipped: rounding must not put an end option past the scale (1e-14).
                return np.asarray(np.clip(100.0 * (v - v[0]) / (v[-1] - v[0]), 0.0, 100.0) + 0.0)
        return even
    if preference is None:
        return even
    rank = np.argsort(np.asarray(preference, dtype=float), kind="stable")
    out = np.empty(n)
    out[rank] = even
    return out + 0.0  # no -0.0


def issue_stakes(
    stakes: FloatArray, options: IntArray, status_quo: Sequence[int], issue: int, hold: Hold
) -> FloatArray:
    """Each actor's stake at each option of one issue, the other issues held as ``hold`` says.

    Parameters
    ----------
    stakes
        ``(actors, outcomes)`` stakes (or utilities) of every outcome.
    options
        ``(outcomes, issues)`` option index of each issue in each outcome.
    status_quo
        Status-quo option index of each issue.
    issue
        Which issue.
    hold
        ``"status_quo"``: the other issues at their status quo; ``"mean"``: the mean over
        every outcome with that option (the issue's main effect).

    Returns
    -------
    ``(actors, options of the issue)``.
    """
    n_options = int(options[:, issue].max()) + 1
    others = np.delete(np.arange(options.shape[1]), issue)
    at_sq = np.all(options[:, others] == np.asarray(status_quo)[others], axis=1)
    out = np.empty((stakes.shape[0], n_options))
    for j in range(n_options):
        rows = options[:, issue] == j
        if hold == "status_quo" and np.any(rows & at_sq):
            rows &= at_sq  # absent only if the outcome space is not a full product
        out[:, j] = stakes[:, rows].mean(axis=1)
    return out


def ideal_positions(table: FloatArray, scale: FloatArray) -> FloatArray:
    """Each actor's ideal position: the scale position of its best option (NaN if indifferent).

    Parameters
    ----------
    table
        ``(actors, options)`` stakes at each option.
    scale
        ``(options,)`` scale positions of the options.

    Returns
    -------
    ``(actors,)``; where several options tie for best, the mean of their positions.
    """
    best = table.max(axis=1, keepdims=True)
    ties = table >= best - INDIFFERENCE_TOL
    pos = (ties * scale[None, :]).sum(axis=1) / ties.sum(axis=1)
    spread = table.max(axis=1) - table.min(axis=1)
    return np.where(spread > INDIFFERENCE_TOL, pos, np.nan)


def relative_salience(ranges: FloatArray) -> FloatArray:
    """Saliences 0–100 from stake ranges: each actor's (row's) largest range scores 100.

    Parameters
    ----------
    ranges
        ``(actors, issues)`` range (max − min) of each actor's stake over each issue's options.
    """
    top = ranges.max(axis=1, keepdims=True)
    return np.asarray(np.divide(100.0 * ranges, top, out=np.zeros_like(ranges), where=top > 0))


def threat_boost(
    n_parties: int, threat_maker: IntArray, threat_loss: FloatArray, credibility: FloatArray
) -> FloatArray:
    r"""Each party's capability factor from its threats (see the module docstring).

    .. math:: b_p = 1 + \sum_{t: m_t = p} c_t \max(0, L_t)

    Parameters
    ----------
    n_parties
        Number of parties.
    threat_maker
        ``(threats,)`` party index of each threat's maker.
    threat_loss
        ``(threats,)`` utility the target loses if the threat alone is carried out, 0 for
        a threat that is not credible (its maker would not carry it out).
    credibility
        ``(threats,)`` probability each threat is carried out.
    """
    boost = np.ones(n_parties)
    np.add.at(boost, threat_maker, credibility * np.maximum(threat_loss, 0.0))
    return boost


def government_capability(
    economic_weight: FloatArray,
    threat_maker: IntArray,
    threat_loss: FloatArray,
    credibility: FloatArray,
) -> FloatArray:
    r"""Governments' capabilities: economic shares (0–100) raised by credible threats.

    Parameters
    ----------
    economic_weight
        ``(parties,)`` size of each economy (value added, any unit).
    threat_maker, threat_loss, credibility
        The threats, as for :func:`threat_boost`.

    Returns
    -------
    ``(parties,)`` :math:`100\, y_p / \sum_q y_q \cdot (1 + \sum_{t: m_t = p} c_t \max(0, L_t))`.
    """
    y = np.asarray(economic_weight, dtype=float)
    if y.ndim != 1 or np.any(y < 0) or not np.isfinite(y).all() or y.sum() <= 0:
        raise ForecastError(f"economic weights must be non-negative and not all 0, got {y}")
    boost = threat_boost(y.size, threat_maker, threat_loss, credibility)
    return np.asarray(100.0 * y / y.sum() * boost)


def value_added_weights(setup: GameSetup) -> FloatArray:
    """Each party's total value added (million USD) in the scenario's WIOD year.

    A party of several countries (the EU) sums its members; one priced as part of RoW (New
    Zealand) has no value added of its own in WIOD and gets none, rather than all of RoW's.
    """
    table = load_wiod(setup.scenario.economics.year)
    va = table.value_added_musd
    s = setup.scenario
    regions = [s.regions(p.code) if s.regions(p.code) != ("RoW",) or p.code == "RoW" else ()
               for p in s.parties]  # fmt: skip
    return np.array([sum(va[table.country_index(r)].sum() for r in rs) for rs in regions])


@dataclass(frozen=True, eq=False)
class ScenarioView:
    """A scenario as spatial issues, and how the scale maps back to its options.

    ``option_position[k][j]`` is option ``j`` of issue ``k`` (scenario order) on the scale.
    """

    scenario_id: str
    issues: IssueSet
    option_ids: tuple[tuple[str, ...], ...]
    option_position: tuple[FloatArray, ...]
    actor_names: tuple[str, ...]
    actor_party: tuple[str, ...]
    is_government: tuple[bool, ...]
    is_veto: tuple[bool, ...]
    economic_weight: FloatArray  # (parties,) value added, million USD (or as given)
    threat_boost: FloatArray  # (parties,) capability factor from credible threats
    hold: Hold

    def nearest_option(self, issue: int, position: float) -> str | None:
        """The option of ``issue`` nearest to ``position`` on the scale (None for NaN).

        A position midway between two options goes to the status quo if it is one of
        them (no change without a majority for it), else to the first in written order.
        """
        if not np.isfinite(position):
            return None
        dist = np.abs(self.option_position[issue] - position)
        ties = np.flatnonzero(dist <= dist.min() + 1e-9)
        at_reference = ties[self.option_position[issue][ties] == self.issues.reference[issue]]
        k = int(at_reference[0] if at_reference.size else ties[0])
        return self.option_ids[issue][k]

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: options on the scale, and each actor's view of each issue."""
        iss = self.issues
        actors = []
        for a, key in enumerate(iss.actors):
            actors.append(
                {
                    "actor": key,
                    "name": self.actor_names[a],
                    "party": self.actor_party[a],
                    "government": self.is_government[a],
                    "veto": self.is_veto[a],
                    "capability": float(iss.capability[:, a].max()),
                    "position": {i: _num(iss.position[k, a]) for k, i in enumerate(iss.issue_ids)},
                    "salience": {i: _num(iss.salience[k, a]) for k, i in enumerate(iss.issue_ids)},
                }
            )
        return {
            "scenario": self.scenario_id,
            "hold": self.hold,
            "issues": [
                {
                    "issue": issue,
                    "reference": float(iss.reference[k]),
                    "options": {
                        o: float(p)
                        for o, p in zip(self.option_ids[k], self.option_position[k], strict=True)
                    },
                }
                for k, issue in enumerate(iss.issue_ids)
            ],
            "actors": actors,
        }


def _num(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _threat_losses(setup: GameSetup, state: GameState) -> FloatArray:
    """Utility each threat's target loses when it alone is carried out (0 if not credible).

    Objectives are in money; each is divided by its party's largest absolute value
    (:func:`~tradetalks.politics.party_scale`) so that a loss is at most 2, as before.
    """
    threats = setup.scenario.threats
    scale = party_scale(state.utility[0], state.threat_values[0])
    parties = [p.code for p in setup.scenario.parties]
    scenarios = threat_scenarios(len(threats))
    out = np.zeros(len(threats))
    for t, threat in enumerate(threats):
        v = parties.index(threat.against) if threat.against in parties else None
        if v is None or not state.credible[0, t]:
            continue
        alone = scenarios.index((t,))
        out[t] = (state.threat_values[0, v, 0] - state.threat_values[0, v, alone]) / scale[v]
    return out


class _Row(NamedTuple):
    """One actor of the spatial view."""

    key: str
    name: str
    party: int
    government: bool
    veto: bool
    weight_share: float  # political weight / the party's total (leader included)

    @property
    def veto_factor(self) -> float:
        return VETO_CAPABILITY_FACTOR if self.veto else 1.0


def _actor_rows(setup: GameSetup, state: GameState) -> tuple[FloatArray, list[_Row]]:
    """``(actors, outcomes)`` stakes and the actors: each government, then its constituencies.

    A government's row is its utility (what it bargains with), a constituency's its stake.
    """
    model, n_out = setup.model, setup.n_outcomes
    stakes: list[FloatArray] = []
    rows: list[_Row] = []
    for p, party in enumerate(setup.scenario.parties):
        mine = model.actors_of(p)
        total = float(model.weights[mine].sum())
        stakes.append(state.utility[0, p, :n_out])
        rows.append(_Row(f"{party.code}.government", f"{party.name} (government)", p, True,
                         False, 1.0))  # fmt: skip
        for a in mine:
            actor = model.actors[a]
            if actor.is_leader:
                continue
            share = actor.weight / total if total > 0 else 0.0
            stakes.append(state.stakes[0, a, :n_out])
            rows.append(_Row(actor.key, actor.name, p, False, actor.veto, share))
    return np.stack(stakes), rows


def scenario_view(
    setup: GameSetup,
    state: GameState | None = None,
    *,
    hold: Hold = "status_quo",
    economic_weight: Mapping[str, float] | None = None,
) -> ScenarioView:
    """The spatial view of a priced scenario (see the module docstring for the mapping).

    Parameters
    ----------
    setup
        The priced game (:func:`tradetalks.game.prepare_game`).
    state
        The game solved at the parameters to read (its first sample); default: the
        scenario as written.
    hold
        How the other issues are held when reading one issue's stakes.
    economic_weight
        Size of each party's economy by party code; default: value added from WIOD.
    """
    if hold not in ("status_quo", "mean"):
        raise ForecastError(f"hold must be 'status_quo' or 'mean', got {hold!r}")
    if state is None:
        state = solve_game(setup, scenario_parameters(setup))
    s = setup.scenario
    parties = [p.code for p in s.parties]
    status_quo = [i.status_quo_index() for i in s.issues]

    stakes, rows = _actor_rows(setup, state)
    tables = [
        issue_stakes(stakes, setup.options, status_quo, k, hold) for k in range(len(s.issues))
    ]
    first_gov = 0  # the first party's government is the first row
    scales = tuple(option_scale(issue, tables[k][first_gov]) for k, issue in enumerate(s.issues))
    position = np.stack([ideal_positions(t, sc) for t, sc in zip(tables, scales, strict=True)])
    ranges = np.stack([t.max(axis=1) - t.min(axis=1) for t in tables], axis=1)  # (actors, issues)
    salience = relative_salience(ranges).T

    if economic_weight is None:
        y = value_added_weights(setup)
    else:
        missing = [c for c in parties if c not in economic_weight]
        if missing:
            raise ForecastError(f"economic_weight has no value for {', '.join(missing)}")
        y = np.array([float(economic_weight[c]) for c in parties])
    credibility = state.parameters.credibility[0]
    loss = _threat_losses(setup, state)
    boost = threat_boost(len(parties), setup.threat_maker, loss, credibility)
    cap_gov = government_capability(y, setup.threat_maker, loss, credibility)
    cap = np.array(
        [cap_gov[r.party] * (1.0 if r.government else r.weight_share * r.veto_factor) for r in rows]
    )
    n_issues = len(s.issues)
    issues = make_issue_set(
        [r.key for r in rows],
        position,
        salience=salience,
        capability=np.broadcast_to(cap, position.shape).copy(),
        reference=[scales[k][status_quo[k]] for k in range(n_issues)],
        proposal_ids=[s.id] * n_issues,
        issue_ids=[i.id for i in s.issues],
        source=s.id,
    )
    return ScenarioView(
        scenario_id=s.id,
        issues=issues,
        option_ids=tuple(tuple(i.option_ids()) for i in s.issues),
        option_position=scales,
        actor_names=tuple(r.name for r in rows),
        actor_party=tuple(parties[r.party] for r in rows),
        is_government=tuple(r.government for r in rows),
        is_veto=tuple(r.veto for r in rows),
        economic_weight=y,
        threat_boost=boost,
        hold=hold,
    )
