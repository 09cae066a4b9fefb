"""From a scenario to the arrays of the domestic game: actors, indicators, stake weights.

Economic indicators are read off a priced equilibrium (:class:`~tradetalks.economics.CPResult`)
as changes from the baseline in million USD of the data year (:func:`indicator_dollars`);
issue preferences score the options of an issue directly, relative to its status quo option,
in the same unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from tradetalks.politics._game import DomesticRule
from tradetalks.scenario import Scenario, Stake

if TYPE_CHECKING:
    from tradetalks.economics import CPBaseline, CPResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class IndicatorSpec:
    """An economic indicator a stake names; ``sectors`` empty means all sectors."""

    indicator: str
    country: str
    partner: str | None = None
    sectors: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Short name, e.g. ``exports USA→JPN c15``."""
        where = self.country
        if self.partner:
            where += f"→{self.partner}" if self.indicator == "exports" else f"/{self.partner}"
        return " ".join(filter(None, [self.indicator, where, ",".join(self.sectors)]))


@dataclass(frozen=True)
class PreferenceSpec:
    """An issue-preference column: ``scores[k]`` for option ``k``, minus the status quo's."""

    issue: int
    scores: tuple[float, ...]

    @property
    def label(self) -> str:
        """Short name."""
        return f"preference on issue {self.issue}"


@dataclass(frozen=True)
class Actor:
    """A constituency or a leader of one party."""

    party: int
    key: str
    name: str
    weight: float
    is_leader: bool
    veto: bool
    tolerance: float


@dataclass(frozen=True)
class DomesticModel:
    """Everything the two-level game needs from a scenario, as arrays.

    ``stake_weights`` is ``(actors, columns)``: the first ``len(indicators)`` columns are
    economic indicators, the rest issue preferences. ``in_money`` is False for a scenario
    written on the older normalised scale (no ``stake_unit``): its preference scores and
    tolerances are in units that :meth:`priced_in` turns into money.
    """

    parties: tuple[str, ...]
    actors: tuple[Actor, ...]
    indicators: tuple[IndicatorSpec, ...]
    preferences: tuple[PreferenceSpec, ...]
    stake_weights: FloatArray
    rules: tuple[DomesticRule, ...]
    in_money: bool = True

    @property
    def party_of(self) -> IntArray:
        """``(actors,)`` party index of each actor."""
        return np.array([a.party for a in self.actors], dtype=np.int64)

    @property
    def weights(self) -> FloatArray:
        """``(actors,)`` political weights."""
        return np.array([a.weight for a in self.actors])

    def actors_of(self, party: int) -> IntArray:
        """Indices of the actors of ``party``."""
        return np.flatnonzero(self.party_of == party)

    def priced_in(self, units: npt.ArrayLike) -> DomesticModel:
        """The model with preference scores and tolerances times ``units[party]`` (money)."""
        u = np.asarray(units, dtype=np.float64)
        weights = self.stake_weights.copy()
        weights[:, len(self.indicators) :] *= u[self.party_of][:, None]
        rules = tuple(
            replace(rule, tolerance=rule.tolerance * u[p]) for p, rule in enumerate(self.rules)
        )
        return replace(self, stake_weights=weights, rules=rules, in_money=True)


def in_older_units(model: DomesticModel, dollars: npt.ArrayLike) -> DomesticModel:
    r"""An older file's model, deciding as that file always did.

    The older scale divided each indicator :math:`k` by its largest absolute change
    :math:`M_k = \max_p |x_{pk}|` and took each actor's weighted mean, so an actor's stake
    was :math:`s_a = \sum_k \frac{w_{ak}}{\sum_j |w_{aj}|} \frac{x_{pk}}{M_k}`: a stake in
    money whose shares are :math:`w_{ak} / (\sum_j |w_{aj}| M_k)`. This returns the model
    with those shares (:math:`M_k` from ``dollars``, ``(points, indicators)`` at the written
    parameters); scores, tolerances and reputation terms keep their unit, one indicator's
    largest change.
    """
    x = np.abs(np.asarray(dollars, dtype=np.float64))
    peak = x.max(axis=0, initial=0.0)
    weights = model.stake_weights.copy()
    k = len(model.indicators)
    weights[:, :k] = np.divide(weights[:, :k], peak, out=np.zeros_like(weights[:, :k]),
                               where=peak > 0)  # fmt: skip
    return replace(model, stake_weights=weights, in_money=True)


def domestic_model(s: Scenario) -> DomesticModel:
    """Collect the actors, indicators and stake weights of a scenario."""
    parties = tuple(p.code for p in s.parties)
    issues = [i.id for i in s.issues]
    actors: list[Actor] = []
    stakes: list[list[Stake]] = []
    for k, p in enumerate(s.parties):
        actors.append(Actor(k, f"{p.code}.leader", p.leader.name, p.leader.weight.value, True,
                            False, 0.0))  # fmt: skip
        stakes.append(p.leader.stakes)
        for c in p.constituencies:
            actors.append(Actor(k, f"{p.code}.{c.id}", c.name, c.weight.value, False,
                                c.id in p.ratification.veto_players or c.veto,
                                c.tolerance.value))  # fmt: skip
            stakes.append(c.stakes)
    indicators: dict[IndicatorSpec, int] = {}
    preferences: dict[PreferenceSpec, int] = {}
    entries: list[tuple[int, str, int, float]] = []
    for a, actor_stakes in enumerate(stakes):
        for st in actor_stakes:
            signed = st.sign * st.weight.value
            if st.indicator == "issue_preference":
                assert st.issue is not None and st.scores is not None
                issue = s.issues[issues.index(st.issue)]
                scores = tuple(float(st.scores.get(o, 0.0)) for o in issue.option_ids())
                spec_p = PreferenceSpec(issues.index(st.issue), scores)
                entries.append((a, "p", preferences.setdefault(spec_p, len(preferences)), signed))
            else:
                assert st.country is not None
                spec = IndicatorSpec(st.indicator, st.country, st.partner, tuple(st.sectors))
                entries.append((a, "i", indicators.setdefault(spec, len(indicators)), signed))
    weights = np.zeros((len(actors), len(indicators) + len(preferences)))
    for a, kind, col, w in entries:
        weights[a, col if kind == "i" else len(indicators) + col] += w
    in_money = s.stake_unit is not None
    if not in_money:  # the older scale: an actor's stake was the weighted mean of its columns
        total = np.abs(weights).sum(axis=1, keepdims=True)
        weights = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
    rules = []
    for k, p in enumerate(s.parties):
        mine = [a for a in actors if a.party == k]
        rules.append(
            DomesticRule(
                threshold=p.ratification.threshold.value,
                leader_strength=p.ratification.leader_strength.value,
                constituency=np.array([not a.is_leader for a in mine]),
                veto=np.array([a.veto for a in mine]),
                tolerance=np.array([a.tolerance for a in mine]),
            )
        )
    return DomesticModel(parties, tuple(actors), tuple(indicators), tuple(preferences), weights,
                         tuple(rules), in_money)  # fmt: skip


def _sector_mask(result: CPResult, sectors: Sequence[str]) -> npt.NDArray[np.bool_]:
    if not sectors:
        return np.ones(len(result.sectors), dtype=bool)
    return np.isin(np.array(result.sectors), np.array(sectors))


def _relative(new: float, old: float) -> float:
    return new / old - 1.0 if old > 0 else 0.0


def indicator_change(spec: IndicatorSpec, result: CPResult, baseline: CPBaseline) -> float:
    """The change of one indicator from the baseline to ``result``.

    Relative changes (0.01 = +1%) for value added, gross output, exports, imports, real
    income and the consumer price index; changes in million USD for tariff revenue and
    trade balances, whose baseline may be zero or negative.
    """
    n = result.country(spec.country)
    mask = _sector_mask(result, spec.sectors)
    match spec.indicator:
        case "real_income":
            return float(result.welfare_hat[n] - 1.0)
        case "consumer_prices":
            # Î = Ŵ · P̂  (real income = income / consumer price index).
            income_hat = result.income_musd[n] / baseline.income_musd[n]
            return float(income_hat / result.welfare_hat[n] - 1.0)
        case "value_added":
            old = (baseline.va_share * baseline.gross_output_musd)[n, mask].sum()
            return _relative(float(result.value_added_musd[n, mask].sum()), float(old))
        case "gross_output":
            old = baseline.gross_output_musd[n, mask].sum()
            return _relative(float(result.gross_output_musd[n, mask].sum()), float(old))
        case "tariff_revenue":
            return float(result.tariff_revenue_musd[n] - baseline.tariff_revenue_musd[n])
        case "trade_balance":
            if spec.partner is None:
                new_tb = float(result.trade_balance_musd[n])
                return new_tb - float(_baseline_balance(baseline)[n])
            m = result.country(spec.partner)
            old_b = _baseline_bilateral(baseline)[n, m]
            return float(result.bilateral_balance_musd[n, m] - old_b)
        case "exports" | "imports":
            assert spec.partner is not None and result.trade_musd is not None
            m = result.country(spec.partner)
            importer, exporter = (m, n) if spec.indicator == "exports" else (n, m)
            old_flow = baseline.sales_musd[importer, exporter, mask].sum()
            new_flow = result.trade_musd[importer, exporter, mask].sum()
            return _relative(float(new_flow), float(old_flow))
    raise AssertionError(spec.indicator)  # pragma: no cover - the scenario schema forbids it


def indicator_dollars(spec: IndicatorSpec, result: CPResult, baseline: CPBaseline) -> float:
    r"""The change of one indicator from the baseline to ``result``, in million USD.

    Value added, gross output, exports and imports: the change of the level. Real income:
    the equivalent variation :math:`(\hat W - 1) I_0` (income :math:`I_0` at baseline
    prices; exact for the model's homothetic demand). Consumer prices: the extra cost of
    the baseline basket, :math:`(\hat P - 1) I_0` with :math:`\hat P = \hat I / \hat W`.
    Tariff revenue and trade balances: the change in million USD.
    """
    n = result.country(spec.country)
    mask = _sector_mask(result, spec.sectors)
    income = float(baseline.income_musd[n])
    match spec.indicator:
        case "real_income":
            return float(result.welfare_hat[n] - 1.0) * income
        case "consumer_prices":
            income_hat = result.income_musd[n] / baseline.income_musd[n]
            return float(income_hat / result.welfare_hat[n] - 1.0) * income
        case "value_added":
            old = (baseline.va_share * baseline.gross_output_musd)[n, mask].sum()
            return float(result.value_added_musd[n, mask].sum() - old)
        case "gross_output":
            old = baseline.gross_output_musd[n, mask].sum()
            return float(result.gross_output_musd[n, mask].sum() - old)
        case "exports" | "imports":
            assert spec.partner is not None and result.trade_musd is not None
            m = result.country(spec.partner)
            importer, exporter = (m, n) if spec.indicator == "exports" else (n, m)
            old_flow = baseline.sales_musd[importer, exporter, mask].sum()
            return float(result.trade_musd[importer, exporter, mask].sum() - old_flow)
    # Tariff revenue and trade balances are changes in million USD already. Rents held by an
    # interest (licence holders' quota rents, an exporter's VER rents) join here as one more
    # indicator once the trade model reports them by recipient.
    return indicator_change(spec, result, baseline)


def dollar_matrix(
    specs: Sequence[IndicatorSpec], results: Sequence[CPResult], baseline: CPBaseline
) -> FloatArray:
    """``(points, indicators)`` changes in million USD of every indicator at every point."""
    return np.array(
        [[indicator_dollars(spec, r, baseline) for spec in specs] for r in results]
    ).reshape(len(results), len(specs))


def _baseline_bilateral(b: CPBaseline) -> FloatArray:
    flows = b.sales_musd.copy()
    idx = np.arange(flows.shape[0])
    flows[idx, idx, :] = 0.0
    by_pair = flows.sum(axis=2)
    return np.asarray(by_pair.T - by_pair)


def _baseline_balance(b: CPBaseline) -> FloatArray:
    return np.asarray(_baseline_bilateral(b).sum(axis=1))


def indicator_matrix(
    specs: Sequence[IndicatorSpec], results: Sequence[CPResult], baseline: CPBaseline
) -> FloatArray:
    """``(points, indicators)`` changes of every indicator at every priced point."""
    return np.array(
        [[indicator_change(spec, r, baseline) for spec in specs] for r in results]
    ).reshape(len(results), len(specs))


def preference_matrix(
    prefs: Sequence[PreferenceSpec], options: npt.ArrayLike, status_quo: Sequence[int]
) -> FloatArray:
    """``(points, preferences)`` scores of each point's option minus the status quo's.

    ``options`` is ``(points, issues)`` option indices of each point.
    """
    opts = np.asarray(options, dtype=np.int64)
    out = np.zeros((opts.shape[0], len(prefs)))
    for k, p in enumerate(prefs):
        scores = np.asarray(p.scores)
        out[:, k] = scores[opts[:, p.issue]] - scores[status_quo[p.issue]]
    return out
