r"""One-sector structural gravity in general equilibrium (an endowment economy).

The model (Anderson and van Wincoop 2003; Yotov, Piermartini, Monteiro and Larch 2016,
*An Advanced Guide to Trade Policy Analysis*, "AG" below, ch. 2, and the authors' Stata code):

.. math::

    X_{ij} = \frac{Y_i E_j}{\Pi_i^{1-\sigma} P_j^{1-\sigma}} t_{ij}^{1-\sigma}, \qquad
    \Pi_i^{1-\sigma} = \sum_j \frac{t_{ij}^{1-\sigma} E_j}{P_j^{1-\sigma}}, \qquad
    P_j^{1-\sigma} = \sum_i \frac{t_{ij}^{1-\sigma} Y_i}{\Pi_i^{1-\sigma}},

with :math:`Y_i = p_i Q_i` (fixed endowments :math:`Q_i`, factory-gate prices :math:`p_i`),
:math:`E_j = \phi_j Y_j` (:math:`\phi_j` fixed, so trade imbalances are kept as ratios) and the
reference importer's inward resistance as numeraire, :math:`P_R = 1`. Here MRs are kept in
"power" form, :math:`\Pi_i^{1-\sigma}` and :math:`P_j^{1-\sigma}`, as in the AG Stata code
(``OMR``, ``IMR``). Trade costs enter only as the factor :math:`t_{ij}^{1-\sigma} =
\exp(x_{ij}'\beta)` estimated by PPML (see :mod:`tradetalks.economics._ppml`).

- **Baseline**: MRs solve the two resistance equations for the baseline costs.
- **Conditional GE**: same :math:`Y, E`, counterfactual costs.
- **Full endowment GE**: AG ch. 2 (Step III.b of the authors' ``TradeWithoutBorder.do``)
  iterate: scale trade by the change in factory-gate prices
  :math:`\hat p_i^{1-\sigma} = \widehat{\exp(\pi_i)} / \hat E_R`, re-estimate the gravity
  equation with exporter and importer fixed effects and the counterfactual costs as an offset,
  update output, expenditure and resistances, until the price updates settle.

Every PPML with exporter and importer fixed effects and an offset has first-order conditions
that say exactly "fitted row sums = observed row sums, fitted column sums = observed column sums"
(Fally 2015, "Structural gravity and fixed effects", *J. Int. Econ.* 97(1); Arvis and
Shepherd 2013). We therefore compute each of those PPML fits exactly by biproportional scaling of
:math:`t^{1-\sigma}` (:func:`fit_fixed_effects`), which is the same answer in milliseconds.

Three full-GE rules (``full_ge``):

``"ag2016"`` (default)
    The AG procedure exactly as the authors run it, with their stopping rule (standard deviation
    and maximum of the difference between successive price updates at most 0.01). Reproduces
    their published tables. With :math:`\phi` fixed, world spending no longer equals world
    output once prices move, so the procedure has no exact fixed point, and it oscillates on
    some large shocks (about 7% of our random test economies; the ``gegravity`` sample run to
    a tight tolerance): we then raise :class:`~tradetalks.ConvergenceError` rather than
    answer. When it stops, its answer carries the slack of the 0.01 rule: on balanced-trade
    test economies, a median 0.06 (at most about 1.2) points of real GDP away from the exact
    equilibrium that ``"balanced"`` computes.
``"balanced"``
    A direct solve of the exact equilibrium in which every :math:`\phi_j` is scaled by one
    common factor :math:`\kappa = \sum_i p_i Y_i / \sum_j \phi_j p_j Y_j` so that world
    spending equals world output (Walras' law); with balanced trade it is exactly the model
    above (checked against the Arkolakis-Costinot-Rodríguez-Clare formula). Found by the fixed
    point
    :math:`p_i^{\sigma} = \beta_i \Pi_i^{1-\sigma}(p) / Y_i` with
    :math:`\beta_i = Y_i / \Pi_{i,0}^{1-\sigma}` (market clearing rearranged).
``"first_order"``
    The first price update only, resistances held at their conditional values, trade rebuilt
    with the new output shares. This is what ``gegravity`` 0.3 (USITC) reports as its full GE
    (we match it to 1e-6 on its Canada-Japan example). Its root finder solves for
    :math:`p_i^{1-\sigma}`; with :math:`\sigma = 7` that is an even power and on "trade without
    borders" it lands on negative prices for Nepal, Niger and Malawi (real GDP about -275%);
    we take the positive root (``benchmarks/bench_gravity.py --with-twb`` shows both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tradetalks._errors import ConvergenceError, InputError, Problem

__all__ = [
    "FixedEffectsFit",
    "FullGERule",
    "GravityEconomy",
    "GravityGEResult",
    "GravitySolverInfo",
    "fit_fixed_effects",
    "solve_gravity_ge",
    "trade_cost_factor",
]

FloatArray = NDArray[np.float64]
FullGERule = Literal["ag2016", "balanced", "first_order"]
_RULES: tuple[str, ...] = ("ag2016", "balanced", "first_order")
#: AG's stopping threshold on the change of price updates (``TradeWithoutBorder.do``, 0.01).
AG2016_TOLERANCE = 0.01


class GravityInputError(InputError):
    """Bad input to the structural gravity model (shapes, signs, unknown country codes)."""


@dataclass(frozen=True)
class GravityEconomy:
    r"""Baseline data of the one-sector model.

    Parameters
    ----------
    countries
        Country codes, in the order of every array.
    output
        :math:`Y_i`, value of output (same units as trade, e.g. million USD).
    expenditure
        :math:`E_j`, value of expenditure. It is rescaled so that world expenditure equals world
        output (``gegravity`` does the same through its shares); AG data already satisfy it.
    reference
        Reference importer: its inward multilateral resistance is the numeraire (:math:`P_R = 1`).
    sigma
        Elasticity of substitution :math:`\sigma > 1`.
    """

    countries: tuple[str, ...]
    output: FloatArray
    expenditure: FloatArray
    reference: str
    sigma: float

    def __post_init__(self) -> None:
        problems: list[Problem | str] = []
        n = len(self.countries)
        if len(set(self.countries)) != n:
            problems.append("countries: duplicate codes")
        for name, values in (("output", self.output), ("expenditure", self.expenditure)):
            arr = np.asarray(values, dtype=np.float64)
            if arr.shape != (n,):
                problems.append(f"{name}: expected {n} values, got shape {arr.shape}")
            elif not np.all(np.isfinite(arr)) or np.any(arr <= 0):
                problems.append(f"{name}: every value must be positive and finite")
        if self.reference not in self.countries:
            problems.append(f"reference: {self.reference!r} is not one of the countries")
        if not np.isfinite(self.sigma) or self.sigma <= 1:
            problems.append(f"sigma: must be > 1, got {self.sigma}")
        if problems:
            raise GravityInputError("invalid gravity economy", problems)
        out = np.asarray(self.output, dtype=np.float64)
        exp = np.asarray(self.expenditure, dtype=np.float64)
        object.__setattr__(self, "output", out)
        object.__setattr__(self, "expenditure", exp * out.sum() / exp.sum())

    @classmethod
    def from_trade(
        cls, countries: Sequence[str], trade: FloatArray, *, reference: str, sigma: float
    ) -> GravityEconomy:
        """Output and expenditure as row and column sums of a trade matrix (AG's convention).

        ``trade[i, j]`` is the flow from exporter ``i`` to importer ``j``, diagonal included.
        """
        trade = np.asarray(trade, dtype=np.float64)
        return cls(tuple(countries), trade.sum(axis=1), trade.sum(axis=0), reference, sigma)

    @property
    def reference_index(self) -> int:
        """Position of the reference importer."""
        return self.countries.index(self.reference)


@dataclass(frozen=True)
class FixedEffectsFit:
    r"""A PPML fit with exporter and importer fixed effects and :math:`\ln t^{1-\sigma}` as offset.

    ``fitted = exporter_fe[:, None] * importer_fe[None, :] * cost_factor``; the reference
    importer's effect is 1 (the omitted dummy in AG's Stata code).
    """

    exporter_fe: FloatArray
    importer_fe: FloatArray
    fitted: FloatArray
    iterations: int
    max_margin_error: float


@dataclass(frozen=True)
class GravitySolverInfo:
    """Convergence record of :func:`solve_gravity_ge`.

    ``fe_fits`` counts the fixed-effects fits of the full-GE stage (AG's re-estimations).
    """

    full_ge: str
    converged: bool
    iterations: int
    last_price_update_change: float
    tolerance: float
    fe_fits: int


@dataclass(frozen=True)
class GravityGEResult:
    r"""Baseline, conditional and full-GE results; changes in percent.

    Resistances are reported as :math:`\Pi_i` and :math:`P_j` (not their powers); their
    percent changes are :math:`100(\hat\Pi - 1)` etc. ``*_trade`` matrices are exporter ×
    importer, in the units of the input.
    """

    countries: tuple[str, ...]
    sigma: float
    reference: str
    baseline_trade: FloatArray
    conditional_trade: FloatArray
    full_trade: FloatArray
    baseline_omr: FloatArray
    baseline_imr: FloatArray
    conditional_omr: FloatArray
    conditional_imr: FloatArray
    full_omr: FloatArray
    full_imr: FloatArray
    factory_price_change: FloatArray
    full_output: FloatArray
    full_expenditure: FloatArray
    info: GravitySolverInfo

    @property
    def exports_conditional_pct(self) -> FloatArray:
        """Percent change of foreign exports (intra-national flows excluded), conditional GE."""
        return _pct(_foreign(self.conditional_trade, 1), _foreign(self.baseline_trade, 1))

    @property
    def exports_full_pct(self) -> FloatArray:
        """Percent change of foreign exports, full GE."""
        return _pct(_foreign(self.full_trade, 1), _foreign(self.baseline_trade, 1))

    @property
    def imports_full_pct(self) -> FloatArray:
        """Percent change of foreign imports, full GE."""
        return _pct(_foreign(self.full_trade, 0), _foreign(self.baseline_trade, 0))

    @property
    def internal_trade_full_pct(self) -> FloatArray:
        """Percent change of intra-national trade, full GE."""
        return _pct(np.diag(self.full_trade), np.diag(self.baseline_trade))

    @property
    def factory_price_pct(self) -> FloatArray:
        r"""Percent change of factory-gate prices :math:`100(\hat p_i - 1)`."""
        return 100.0 * (self.factory_price_change - 1.0)

    @property
    def imr_conditional_pct(self) -> FloatArray:
        """Percent change of inward resistances :math:`P_j`, conditional GE."""
        return _pct(self.conditional_imr, self.baseline_imr)

    @property
    def imr_full_pct(self) -> FloatArray:
        """Percent change of inward resistances :math:`P_j`, full GE."""
        return _pct(self.full_imr, self.baseline_imr)

    @property
    def omr_conditional_pct(self) -> FloatArray:
        r"""Percent change of outward resistances :math:`\Pi_i`, conditional GE."""
        return _pct(self.conditional_omr, self.baseline_omr)

    @property
    def omr_full_pct(self) -> FloatArray:
        r"""Percent change of outward resistances :math:`\Pi_i`, full GE."""
        return _pct(self.full_omr, self.baseline_omr)

    @property
    def real_gdp_pct(self) -> FloatArray:
        """Percent change of real GDP :math:`Y_i / P_i` (AG's ``change_rGDP_FULL``)."""
        base_output = self.full_output / self.factory_price_change
        return _pct(self.full_output / self.full_imr, base_output / self.baseline_imr)

    def to_frame(self) -> pd.DataFrame:
        """One row per country with every percent change."""
        return pd.DataFrame(
            {
                "exports_conditional_pct": self.exports_conditional_pct,
                "exports_full_pct": self.exports_full_pct,
                "imports_full_pct": self.imports_full_pct,
                "internal_trade_full_pct": self.internal_trade_full_pct,
                "factory_price_pct": self.factory_price_pct,
                "omr_conditional_pct": self.omr_conditional_pct,
                "omr_full_pct": self.omr_full_pct,
                "imr_conditional_pct": self.imr_conditional_pct,
                "imr_full_pct": self.imr_full_pct,
                "real_gdp_pct": self.real_gdp_pct,
            },
            index=pd.Index(self.countries, name="country"),
        )


def trade_cost_factor(
    covariates: Mapping[str, FloatArray], coefficients: Mapping[str, float]
) -> FloatArray:
    r"""Trade-cost factor :math:`t_{ij}^{1-\sigma} = \exp(\sum_k \beta_k x_{k,ij})`.

    Parameters
    ----------
    covariates
        Exporter × importer matrices, by variable name (e.g. ``ln_DIST``, ``CNTG``).
    coefficients
        PPML coefficients by the same names; variables without a coefficient are an error.
    """
    missing = [name for name in coefficients if name not in covariates]
    if missing:
        raise GravityInputError(
            "trade-cost variables missing", [f"{m}: no such covariate" for m in missing]
        )
    log_factor: FloatArray | None = None
    for name, beta in coefficients.items():
        term = float(beta) * np.asarray(covariates[name], dtype=np.float64)
        log_factor = term if log_factor is None else log_factor + term
    if log_factor is None:
        raise GravityInputError("no trade-cost coefficients given")
    if not np.all(np.isfinite(log_factor)):
        raise GravityInputError("trade-cost factor is not finite (missing covariates?)")
    return np.exp(log_factor)


def fit_fixed_effects(
    data: FloatArray,
    cost_factor: FloatArray,
    reference_index: int,
    *,
    tolerance: float = 1e-13,
    max_iterations: int = 20_000,
) -> FixedEffectsFit:
    r"""PPML with exporter and importer fixed effects and a fixed offset, solved exactly.

    The PPML first-order conditions with both sets of effects are
    :math:`\sum_j \hat X_{ij} = \sum_j X_{ij}` and :math:`\sum_i \hat X_{ij} = \sum_i X_{ij}`
    (Fally 2015), with :math:`\hat X_{ij} = a_i b_j t_{ij}^{1-\sigma}`. We solve them by
    alternating scaling (Sinkhorn / RAS), normalising :math:`b_R = 1`.

    Raises
    ------
    ConvergenceError
        When the margins are not matched to ``tolerance`` within ``max_iterations``.
    """
    rows = data.sum(axis=1)
    cols = data.sum(axis=0)
    importer_fe = np.ones_like(cols)
    exporter_fe = rows / (cost_factor @ importer_fe)
    change = np.inf
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        importer_fe_new = cols / (cost_factor.T @ exporter_fe)
        importer_fe_new /= importer_fe_new[reference_index]
        exporter_fe = rows / (cost_factor @ importer_fe_new)
        change = float(np.max(np.abs(importer_fe_new / importer_fe - 1.0)))
        importer_fe = importer_fe_new
        if change < tolerance:
            break
    fitted = exporter_fe[:, None] * importer_fe[None, :] * cost_factor
    margin_error = float(np.max(np.abs(fitted.sum(axis=0) / cols - 1.0)))
    if not change < tolerance and margin_error > 1e-9:
        raise ConvergenceError(
            "fixed-effects fit of the gravity equation did not converge",
            {"iterations": max_iterations, "last_change": change, "margin_error": margin_error},
        )
    return FixedEffectsFit(exporter_fe, importer_fe, fitted, iterations, margin_error)


def solve_gravity_ge(
    economy: GravityEconomy,
    baseline_costs: FloatArray,
    counterfactual_costs: FloatArray,
    *,
    full_ge: FullGERule = "ag2016",
    tolerance: float = 1e-10,
    max_iterations: int = 1_000,
) -> GravityGEResult:
    r"""Baseline, conditional and full endowment GE of a change in trade costs.

    Parameters
    ----------
    economy
        Output, expenditure, reference importer and :math:`\sigma`.
    baseline_costs, counterfactual_costs
        Exporter × importer trade-cost factors :math:`t_{ij}^{1-\sigma}` (see
        :func:`trade_cost_factor`); positive and finite.
    full_ge
        ``"ag2016"``, ``"balanced"`` or ``"first_order"`` (see the module docstring).
    tolerance
        ``"balanced"`` stops when no factory-gate price moves by more than this (relative);
        ``"ag2016"`` uses the authors' rule instead.
    max_iterations
        Bound on full-GE iterations; reaching it raises :class:`~tradetalks.ConvergenceError`.
    """
    if full_ge not in _RULES:
        raise GravityInputError(
            f"full_ge: unknown rule {full_ge!r}; expected one of {', '.join(_RULES)}"
        )
    n = len(economy.countries)
    t0 = _check_costs(baseline_costs, n, "baseline_costs")
    t1 = _check_costs(counterfactual_costs, n, "counterfactual_costs")
    r = economy.reference_index
    sigma = economy.sigma
    inv = 1.0 / (1.0 - sigma)
    Y, E = economy.output, economy.expenditure
    phi = E / Y
    # Any matrix with margins Y and E will do: only the margins enter a fixed-effects fit.
    seed = np.outer(Y, E) / Y.sum()

    # Step I: baseline (AG "Step I"); OMR = Y E_R / exp(pi), IMR = E / (exp(chi) E_R)
    base = fit_fixed_effects(seed, t0, r)
    omr0 = Y * E[r] / base.exporter_fe
    imr0 = E / (base.importer_fe * E[r])
    # Step III.a: conditional GE, same Y and E, counterfactual costs
    cdl = fit_fixed_effects(seed, t1, r)
    omr_c = Y * E[r] / cdl.exporter_fe
    imr_c = E / (cdl.importer_fe * E[r])

    if full_ge == "first_order":
        price = (cdl.exporter_fe / base.exporter_fe) ** inv
        y_full, e_full = price * Y, phi * price * Y
        full_trade = t1 * np.outer(y_full / y_full.sum() * Y.sum(), e_full) / np.outer(omr_c, imr_c)
        info = GravitySolverInfo(full_ge, True, 1, 0.0, 0.0, 0)
        omr_f, imr_f = omr_c, imr_c
    elif full_ge == "balanced":
        price, omr_f, imr_f, full_trade, info = _solve_balanced(
            economy, t1, Y / omr0, tolerance, max_iterations
        )
        y_full, e_full = price * Y, full_trade.sum(axis=0)
    else:
        # The AG procedure can oscillate and blow up; we detect that and raise, so silence
        # numpy's overflow warnings on the way.
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            price, omr_f, imr_f, full_trade, info = _iterate_ag2016(
                economy, t1, base, cdl, max_iterations
            )
        y_full, e_full = price * Y, phi * price * Y

    return GravityGEResult(
        countries=economy.countries,
        sigma=sigma,
        reference=economy.reference,
        baseline_trade=base.fitted,
        conditional_trade=cdl.fitted,
        full_trade=full_trade,
        baseline_omr=omr0**inv,
        baseline_imr=imr0**inv,
        conditional_omr=omr_c**inv,
        conditional_imr=imr_c**inv,
        full_omr=omr_f**inv,
        full_imr=imr_f**inv,
        factory_price_change=price,
        full_output=y_full,
        full_expenditure=e_full,
        info=info,
    )


def _iterate_ag2016(
    economy: GravityEconomy,
    t1: FloatArray,
    base: FixedEffectsFit,
    cdl: FixedEffectsFit,
    max_iterations: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, GravitySolverInfo]:
    """AG ch. 2 Step III.b: iterate price updates and FE re-estimations (see module docstring).

    Variable names follow the authors' ``TradeWithoutBorder.do``: ``a`` is ``exp_pi``, ``b`` is
    ``exp_chi``, ``dp`` is ``change_pricei``, ``d_omr``/``d_imr`` the changes of OMR and IMR.
    """
    r = economy.reference_index
    inv = 1.0 / (1.0 - economy.sigma)
    Y, E = economy.output, economy.expenditure
    phi = E / Y
    a0, a_prev, b_prev = base.exporter_fe, cdl.exporter_fe, cdl.importer_fe
    e_r_prev = E[r]
    fitted = cdl.fitted
    dp_prev2 = np.zeros_like(Y)  # change_pricei_0 = 0 in the authors' code
    dp_prev = (a_prev / a0) ** inv  # change_pricei_1 (E_R unchanged in the conditional step)
    omr_prev = Y * e_r_prev / a_prev
    imr_prev = E / (b_prev * e_r_prev)
    d_omr = np.ones_like(Y)
    d_imr = np.ones_like(Y)
    change = np.inf
    ag_tol = AG2016_TOLERANCE
    iteration = 0
    for iteration in range(1, max_iterations + 1):
        data = fitted * np.outer(dp_prev, dp_prev) / np.outer(d_omr, d_imr)
        fit = fit_fixed_effects(data, t1, r)
        fitted = fit.fitted
        y_s = fitted.sum(axis=1)
        e_s = phi * y_s
        e_r = e_s[r]
        dp = ((fit.exporter_fe / a_prev) / (e_r / e_r_prev)) ** inv
        omr_s = y_s * e_r / fit.exporter_fe
        imr_s = e_s / (fit.importer_fe * e_r)
        d_omr, d_imr = omr_s / omr_prev, imr_s / imr_prev
        # The authors test the update before last, as their loop does (lagged by one), with
        # the standard deviation and the signed maximum of the difference.
        dif = dp_prev - dp_prev2
        stop = float(np.std(dif, ddof=1)) <= ag_tol and abs(float(dif.max())) <= ag_tol
        change = float(np.max(np.abs(dif)))
        if not np.all(np.isfinite(dp)) or np.any(dp <= 0):
            break
        a_prev, e_r_prev, omr_prev, imr_prev = fit.exporter_fe, e_r, omr_s, imr_s
        b_prev = fit.importer_fe
        e_last = e_s
        dp_prev2, dp_prev = dp_prev, dp
        if stop:
            price = ((a_prev / a0) / (e_r_prev / E[r])) ** inv
            y_full = price * Y
            e_full = phi * y_full
            omr_f = y_full * e_r_prev / a_prev
            imr_f = e_last / (b_prev * e_r_prev)
            trade = t1 * np.outer(y_full, e_full) / np.outer(omr_f, imr_f)
            info = GravitySolverInfo("ag2016", True, iteration, change, ag_tol, iteration)
            return price, omr_f, imr_f, trade, info
    raise ConvergenceError(
        "full general equilibrium of the gravity model did not converge (AG 2016 procedure);"
        " try full_ge='balanced'",
        {"rule": "ag2016", "iterations": iteration, "last_price_update_change": change},
    )


def _solve_balanced(
    economy: GravityEconomy,
    t1: FloatArray,
    beta: FloatArray,
    tolerance: float,
    max_iterations: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, GravitySolverInfo]:
    r"""Direct fixed point of the full endowment GE with world spending = world output.

    With :math:`\beta_i = (\gamma_i)^{1-\sigma} = Y_i / \Pi_{i,0}^{1-\sigma}` (baseline
    prices are 1), for given prices :math:`p`:
    :math:`P_j^{1-\sigma} = \sum_i t_{ij}^{1-\sigma} \beta_i p_i^{1-\sigma}` (the CES price index),
    :math:`E_j = \kappa \phi_j p_j Y_j`,
    :math:`\Pi_i^{1-\sigma} = \sum_j t_{ij}^{1-\sigma} E_j / P_j^{1-\sigma}`, and market
    clearing :math:`p_i Y_i = \beta_i p_i^{1-\sigma} \Pi_i^{1-\sigma}` gives the update
    :math:`p_i \leftarrow (\beta_i \Pi_i^{1-\sigma} / Y_i)^{1/\sigma}`, rescaled so that
    :math:`P_R = 1`. With :math:`\sigma > 1` goods are gross substitutes, so the equilibrium
    is unique up to the numeraire (Alvarez and Lucas 2007, JME 54(6)); the update settles in
    tens of steps in our tests and raises :class:`~tradetalks.ConvergenceError` otherwise.
    """
    r = economy.reference_index
    sigma = economy.sigma
    Y, E = economy.output, economy.expenditure
    phi = E / Y
    price = np.ones_like(Y)
    change = np.inf
    for iteration in range(1, max_iterations + 1):
        supply = beta * price ** (1.0 - sigma)
        imr = t1.T @ supply
        spend = phi * price * Y
        spend *= (price * Y).sum() / spend.sum()
        omr = t1 @ (spend / imr)
        new_price = (beta * omr / Y) ** (1.0 / sigma)
        imr_ref = t1[:, r] @ (beta * new_price ** (1.0 - sigma))
        new_price /= imr_ref ** (1.0 / (1.0 - sigma))
        change = float(np.max(np.abs(new_price / price - 1.0)))
        price = new_price
        if change < tolerance:
            supply = beta * price ** (1.0 - sigma)
            imr = t1.T @ supply
            spend = phi * price * Y
            spend *= (price * Y).sum() / spend.sum()
            omr = t1 @ (spend / imr)
            trade = supply[:, None] * t1 * (spend / imr)[None, :]
            info = GravitySolverInfo("balanced", True, iteration, change, tolerance, 0)
            return price, omr, imr, trade, info
    raise ConvergenceError(
        "full general equilibrium of the gravity model did not converge (balanced solve)",
        {"rule": "balanced", "iterations": max_iterations, "last_price_change": change},
    )


def _check_costs(costs: FloatArray, n: int, name: str) -> FloatArray:
    arr = np.asarray(costs, dtype=np.float64)
    if arr.shape != (n, n):
        raise GravityInputError(f"{name}: expected a {n}x{n} matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise GravityInputError(f"{name}: every trade-cost factor must be positive and finite")
    return arr


def _foreign(trade: FloatArray, axis: int) -> FloatArray:
    return np.asarray(trade.sum(axis=axis) - np.diag(trade), dtype=np.float64)


def _pct(new: FloatArray, old: FloatArray) -> FloatArray:
    return np.asarray(100.0 * (new / old - 1.0), dtype=np.float64)
