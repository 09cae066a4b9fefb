r"""Counterfactual equilibrium of the Caliendo–Parro (2015) model, solved in changes.

Caliendo and Parro (2015), Review of Economic Studies 82(1), section 3.3,
equations (10)–(14) in changes. With tariff factor :math:`\kappa = 1 + \tau`,
iceberg change :math:`\hat d` (non-tariff barriers) and trade elasticity θ^j:

.. math::

    \hat c_n^j &= \hat w_n^{\gamma_n^j} \prod_k (\hat P_n^k)^{\gamma_n^{k,j}} \\
    \hat P_n^j &= \Big[\sum_i \pi_{ni}^j (\hat\kappa_{ni}^j \hat d_{ni}^j
                  \hat c_i^j)^{-\theta^j}\Big]^{-1/\theta^j} \\
    \pi_{ni}^{j\prime} &= \pi_{ni}^j \big(\hat\kappa_{ni}^j \hat d_{ni}^j \hat c_i^j
                  / \hat P_n^j\big)^{-\theta^j} \\
    X_n^{j\prime} &= \sum_k \gamma_n^{j,k} \sum_m \pi_{mn}^{k\prime} X_m^{k\prime}
                  / \kappa_{mn}^{k\prime} + \alpha_n^j I_n' ,\quad
    I_n' = \hat w_n w_n L_n + \sum_{k,i} (1 - 1/\kappa_{ni}^{k\prime})
                  \pi_{ni}^{k\prime} X_n^{k\prime} + D_n \\
    \hat w_n w_n L_n &= \sum_j \gamma_n^j \sum_m \pi_{mn}^{j\prime} X_m^{j\prime}
                  / \kappa_{mn}^{j\prime}

The last line (value added equals labour income) is equivalent to CP's trade
balance condition (their eq. 14) given the others. World value added is the
numeraire (:math:`\sum_n \hat w_n w_n L_n = \sum_n w_n L_n`); D_n is fixed.

Algorithm: one damped joint sweep over (ŵ, P̂, X') per iteration — a few
contraction steps on prices, two Jacobi steps on the linear spending system, an
Alvarez–Lucas (2007) wage update ŵ ← ŵ (VA'/ŵwL)^λ — accelerated with Anderson
mixing (Walker and Ni 2011) on the log-wage vector. It stops when the relative
excess demand for labour, the price fixed-point residual and the spending
residual are all below ``tol``.

Welfare of n is real income, Ŵ_n = Î_n / Π_j (P̂_n^j)^{α_n^j}. Its decomposition
follows CP eq. (19): for a small change,

.. math::

    d\ln W_n = \frac{1}{I_n}\sum_{j,i}\big(E_{ni}^j d\ln c_n^j - M_{ni}^j d\ln c_i^j\big)
    + \frac{1}{I_n}\sum_{j,i} \tau_{ni}^j M_{ni}^j (d\ln M_{ni}^j - d\ln c_i^j)

(terms of trade, then volume of trade), plus for non-tariff barriers the direct
cost :math:`-\frac{1}{I_n}\sum_{j,i}\kappa_{ni}^j M_{ni}^j d\ln d_{ni}^j` (the same
"technical efficiency" term as the R package cp2015, github.com/paulofelipe/cp2015). E and M
are exports and imports at basic prices. We integrate it along the straight path
from the baseline to the shock (trapezoid rule over ``steps`` solved points and
Richardson extrapolation from the half grid), so the parts add up to ln Ŵ up to
the quadrature error, which is reported as ``welfare_residual``.

Rent wedges (:class:`~tradetalks.economics.Rents`: quotas, voluntary export restraints,
NTBs with a rent share) raise the price like a tariff, ω = 1 + ρ on top of κ, and their
rent ρ × (basic value) joins the income of its owner — the importer's licence holders or
the exporter — in I_n' above; :mod:`tradetalks.economics._cp_welfare` extends the
decomposition to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from tradetalks._errors import ConvergenceError
from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import CPShock, Rents

if TYPE_CHECKING:
    from tradetalks.economics._cp_welfare import WelfareParts

__all__ = ["CPResult", "CPState", "solve", "solve_dense"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


#: Anderson differences a batch carries from one solve to the next.
_CARRIED = 10


@dataclass(frozen=True, eq=False)
class CPState:
    """The unknowns of a solve (a warm start for the next): log ŵ, log P̂, X'."""

    log_wage_hat: FloatArray
    log_price_hat: FloatArray
    expenditure_musd: FloatArray


@dataclass(frozen=True, eq=False)
class CPResult:
    """A counterfactual equilibrium (levels in million USD, hats = new/old).

    Welfare parts are log changes (0.01 ≈ 1%): ``welfare_tot + welfare_vot +
    welfare_ntb + welfare_licence + welfare_rent + welfare_residual == ln welfare_hat``
    (see :mod:`~tradetalks.economics._cp_welfare`). Rents by recipient (million USD):
    ``tariff_revenue_musd`` the importer's government, ``holder_rent_musd`` the
    importer's licence holders or incumbents, ``exporter_rent_musd`` what each country
    earns as exporter from restraints it administers (VERs, price undertakings).
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    label: str
    iterations: int
    max_excess_demand: float
    converged: bool
    welfare_hat: FloatArray
    real_wage_hat: FloatArray
    wage_hat: FloatArray
    price_hat: FloatArray
    cost_hat: FloatArray
    income_musd: FloatArray
    tariff_revenue_musd: FloatArray
    expenditure_musd: FloatArray
    gross_output_musd: FloatArray
    value_added_musd: FloatArray
    exports_musd: FloatArray
    imports_musd: FloatArray
    bilateral_balance_musd: FloatArray
    trade_balance_musd: FloatArray
    state: CPState
    welfare_tot: FloatArray | None = None
    welfare_vot: FloatArray | None = None
    welfare_ntb: FloatArray | None = None
    welfare_residual: FloatArray | None = None
    tot_by_sector: FloatArray | None = None
    vot_by_sector: FloatArray | None = None
    trade_musd: FloatArray | None = None
    holder_rent_musd: FloatArray | None = None
    exporter_rent_musd: FloatArray | None = None
    welfare_licence: FloatArray | None = None
    welfare_rent: FloatArray | None = None

    @property
    def welfare_change(self) -> FloatArray:
        """Ŵ − 1 by country (0.01 = +1%)."""
        return self.welfare_hat - 1.0

    def country(self, code: str) -> int:
        """Index of a country code."""
        return self.countries.index(code)


@dataclass(frozen=True)
class _Eval:
    log_c: FloatArray
    log_P: FloatArray  # noqa: N815 (P̂ as in the paper)
    c_th: FloatArray  # ĉ^{-θ} [i, j]
    S: FloatArray  # Σ_i base ĉ^{-θ} [n, j], so π' = base ĉ^{-θ} / S
    X: FloatArray
    gross: FloatArray
    revenue: FloatArray
    va: FloatArray
    base_sold: FloatArray  # base / κ' (a reference, for the flows)
    holder_rent: FloatArray  # [n] rents of wedges the importer's licence holders own
    exporter_rent: FloatArray  # [n] rents n earns as exporter (VER, price undertaking)

    def flows(self) -> FloatArray:
        """``[n, i, j]`` purchases at basic prices π' X' / κ' (a full array: only when asked)."""
        return np.asarray(
            self.base_sold * self.c_th[None, :, :] * (self.X / self.S)[:, None, :],
            dtype=np.float64,
        )


@dataclass(frozen=True)
class _ShockArrays:
    """Per-solve arrays: base = π (κ̂ ω̂ d̂)^{-θ}, base/(κ'ω') (sales), base τ'/κ' (revenue).

    With rent wedges ω' = 1 + ρ', ``rent_cells`` are the ``(n, i, j)`` cells that carry one,
    ``rent_coef`` their base ρ'/(κ'ω') and ``rent_abroad`` whether the exporter (else the
    importer's licence holders) owns it: few cells, so rents are summed over them only.
    """

    base: FloatArray
    base_sold: FloatArray
    base_revenue: FloatArray
    # The same, sector-major and contiguous, so that each sum over partners is one batched
    # matrix-vector product (six times faster than einsum over the [n, i, j] layout):
    base_t: FloatArray  # [j, n, i] base
    sold_t: FloatArray  # [k, n, m] base_sold[m, n, k]
    revenue_t: FloatArray  # [j, n, i] base_revenue
    rent_cells: tuple[IntArray, IntArray, IntArray] | None = None
    rent_coef: FloatArray | None = None
    rent_abroad: npt.NDArray[np.bool_] | None = None

    def rents(
        self, c_th: FloatArray, X: FloatArray, S: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """``(holders' rents [n], exporters' rents [i])`` at costs ĉ^{-θ} and spending X."""
        N = X.shape[0]
        if self.rent_cells is None or self.rent_coef is None or self.rent_abroad is None:
            return np.zeros(N), np.zeros(N)
        n, i, j = self.rent_cells
        value = self.rent_coef * c_th[i, j] * X[n, j] / S[n, j]
        abroad = self.rent_abroad
        holders = np.bincount(n[~abroad], value[~abroad], minlength=N).astype(np.float64)
        exporters = np.bincount(i[abroad], value[abroad], minlength=N).astype(np.float64)
        return holders, exporters


def _partner_sum(stacked: FloatArray, vector: FloatArray) -> FloatArray:
    """``out[n, j] = Σ_i stacked[j, n, i] vector[i, j]`` as one batched matmul."""
    return np.asarray(np.matmul(stacked, vector.T[:, :, None])[:, :, 0].T, dtype=np.float64)


def _sweep(
    b: CPBaseline,
    arrays: _ShockArrays,
    log_w: FloatArray,
    log_P: FloatArray,
    X: FloatArray,
    price_steps: int,
    spend_steps: int,
) -> _Eval:
    """One pass of the equilibrium map at wages ŵ, from the current P̂ and X'.

    π' is never formed: with π'_ni = base_ni ĉ_i^{-θ} / S_n, sales are
    Σ_m π'_mn X_m / κ'_mn = ĉ_n^{-θ} Σ_m (base/κ')_mn X_m / S_m, and revenue likewise.
    """
    theta = b.theta
    for _ in range(price_steps):
        # Σ_k γ_n^{k,j} log P̂_n^k as a batched vector-matrix product (faster than einsum)
        log_c = b.va_share * log_w[:, None] + np.matmul(log_P[:, None, :], b.input_share)[:, 0, :]
        c_th = np.exp(-theta * log_c)  # ĉ^{-θ}
        S = _partner_sum(arrays.base_t, c_th)  # Σ_i base_nij ĉ_ij^{-θ}
        log_P = -np.log(S) / theta
    revenue_rate = _partner_sum(arrays.revenue_t, c_th) / S  # revenue per X_n^k
    labour = np.exp(log_w) * b.value_added_musd + b.deficit_musd
    N = labour.shape[0]
    holder = exporter_rent = np.zeros(N)
    X_new = X
    for _ in range(spend_steps):  # Jacobi steps on the linear spending system
        X = X_new
        gross = c_th * _partner_sum(arrays.sold_t, X / S)  # Σ_m base_sold_mnk X_mk / S_mk
        revenue = (revenue_rate * X).sum(axis=1)
        if arrays.rent_cells is not None:
            holder, exporter_rent = arrays.rents(c_th, X, S)
        X_new = (
            np.matmul(b.input_share, gross[:, :, None])[:, :, 0]
            + b.final_share * (labour + revenue + holder + exporter_rent)[:, None]
        )
    va = (b.va_share * gross).sum(axis=1)
    return _Eval(
        log_c, log_P, c_th, S, X_new, gross, revenue, va, arrays.base_sold, holder, exporter_rent
    )


def _with_layouts(
    base: FloatArray,
    base_sold: FloatArray,
    revenue: FloatArray,
    rent_cells: tuple[IntArray, IntArray, IntArray] | None = None,
    rent_coef: FloatArray | None = None,
    rent_abroad: npt.NDArray[np.bool_] | None = None,
) -> _ShockArrays:
    """The shock's arrays with their sector-major copies for :func:`_partner_sum`."""
    return _ShockArrays(
        base,
        base_sold,
        revenue,
        np.ascontiguousarray(base.transpose(2, 0, 1)),
        np.ascontiguousarray(base_sold.transpose(2, 1, 0)),
        np.ascontiguousarray(revenue.transpose(2, 0, 1)),
        rent_cells,
        rent_coef,
        rent_abroad,
    )


def _shock_arrays(
    b: CPBaseline,
    tariff_rate_new: FloatArray,
    ntb_factor: FloatArray,
    cells: tuple[IntArray, IntArray, IntArray] | None = None,
    rents: Rents | None = None,
) -> _ShockArrays:
    kappa_new = 1.0 + tariff_rate_new
    # π (κ̂ ω̂ d̂)^{-θ}, computed only on the cells the shock touches (a power over the whole
    # [n, i, j] array costs more than a few solver iterations)
    if cells is None:
        changed = (tariff_rate_new != b.tariff_rate) | (ntb_factor != 1.0)
        if rents is not None:
            changed |= rents.rate != 0.0
        n, i, j = np.nonzero(changed)
    else:
        n, i, j = (np.asarray(c, dtype=np.intp) for c in cells)
    base = np.array(b.trade_share)
    factor = kappa_new[n, i, j] / (1.0 + b.tariff_rate[n, i, j]) * ntb_factor[n, i, j]
    if rents is not None:
        factor = factor * (1.0 + rents.rate[n, i, j])
    base[n, i, j] *= factor ** (-b.theta[j])
    if rents is None:
        base_sold = base / kappa_new
        return _with_layouts(base, base_sold, base - base_sold)
    base_sold = base / (kappa_new * (1.0 + rents.rate))
    rn, ri, rj = np.nonzero(rents.rate)
    return _with_layouts(
        base,
        base_sold,
        base_sold * (1.0 + rents.rate) * tariff_rate_new,
        (rn, ri, rj),
        base_sold[rn, ri, rj] * rents.rate[rn, ri, rj],
        rents.to_exporter[rn, ri, rj],
    )


def solve_dense(
    baseline: CPBaseline,
    tariff_rate_new: FloatArray,
    ntb_factor: FloatArray,
    *,
    start: CPState | None = None,
    tol: float = 1e-9,
    max_iter: int = 5000,
    damping: float = 0.5,
    price_steps: int = 3,
    spend_steps: int = 2,
    memory: int = 6,
    secants: list[FloatArray] | None = None,
    cells: tuple[IntArray, IntArray, IntArray] | None = None,
    rents: Rents | None = None,
) -> tuple[CPState, _Eval, int, float]:
    """Solve for the equilibrium given full ``[n, i, j]`` arrays of τ' and d̂ (and rent wedges).

    ``damping`` is λ of the wage update, ``price_steps`` and ``spend_steps`` the inner
    price and spending steps per sweep, ``memory`` the Anderson history length.
    ``secants`` (in/out): ``[ΔF, ΔG]`` differences of a nearby solve's Anderson history;
    they join this solve's own differences (never mixed across the two maps) and are
    replaced on return by this solve's own plus the most recent carried ones (at most
    ``_CARRIED``) — a multisecant model of the Jacobian carried from shock to shock in a
    batch. ``cells`` (optional) are the ``(n, i, j)`` indices where τ', d̂ or the rent
    wedges differ from the baseline (found by comparison when omitted). ``rents``: the
    :class:`Rents` of the counterfactual, whose owners' income they join.

    Returns the state, the last evaluation, the iteration count and the max
    relative excess demand for labour. Raises :class:`ConvergenceError` if the
    residuals are not below ``tol`` after ``max_iter`` iterations or turn non-finite.
    """
    b = baseline
    N, J = b.shape
    arrays = _shock_arrays(b, tariff_rate_new, ntb_factor, cells, rents)
    wL = b.value_added_musd
    world_va = wL.sum()
    if start is None:
        log_w = np.zeros(N)
        log_P = np.zeros((N, J))
        X = np.array(b.expenditure_musd)
    else:
        log_w = np.array(start.log_wage_hat)
        log_P = np.array(start.log_price_hat)
        X = np.array(start.expenditure_musd)
    scale = np.maximum(b.expenditure_musd.sum(axis=1), 1e-12)[:, None]
    # Anderson (type II) mixing on the whole state z = (log ŵ, log P̂, X'/scale): rows of
    # differences ΔF (residual f = g − z) and ΔG (map g) in preallocated buffers, with
    # their Gram matrix updated one row at a time. Row order does not matter to the
    # least-squares step, so own rows overwrite the oldest own row in a ring.
    size = N + 2 * N * J
    n_old = 0 if secants is None or len(secants) != 2 else len(secants[0])
    own_cap = max(memory - 1, 1)
    cap = n_old + own_cap
    DF = np.empty((cap, size))
    DG = np.empty((cap, size))
    gram = np.empty((cap, cap))
    if n_old and secants is not None:
        DF[:n_old], DG[:n_old] = secants[0], secants[1]
        gram[:n_old, :n_old] = DF[:n_old] @ DF[:n_old].T
    filled, own = n_old, 0
    prev: tuple[FloatArray, FloatArray] | None = None
    excess = np.inf
    for it in range(1, max_iter + 1):
        ev = _sweep(b, arrays, log_w, log_P, X, price_steps, spend_steps)
        labour = np.exp(log_w) * wL
        excess = float(np.max(np.abs(ev.va - labour) / wL))
        price_res = float(np.max(np.abs(ev.log_P - log_P)))
        spend_res = float(np.max(np.abs(ev.X - X) / scale))
        if not (np.isfinite(excess) and np.isfinite(price_res) and np.isfinite(spend_res)):
            raise ConvergenceError(
                "Caliendo–Parro solver diverged (non-finite values)",
                {"iterations": it, "max_excess_demand": excess},
            )
        if max(excess, price_res, spend_res) < tol:
            if secants is not None and filled > n_old:
                # oldest first: the carried tail, then own rows from the oldest ring slot
                ring = n_old + np.arange(max(0, own - own_cap), own) % own_cap
                keep = np.r_[max(0, n_old - (_CARRIED - ring.size)) : n_old, ring]
                secants[:] = [DF[keep].copy(), DG[keep].copy()]
            return CPState(log_w, ev.log_P, ev.X), ev, it, excess
        g_w = log_w + damping * np.log(np.maximum(ev.va, 1e-300) / labour)
        g = np.concatenate((g_w, ev.log_P.ravel(), (ev.X / scale).ravel()))
        f = g - np.concatenate((log_w, log_P.ravel(), (X / scale).ravel()))
        if prev is not None:
            slot = n_old + own % own_cap
            own += 1
            filled = max(filled, slot + 1)
            DF[slot] = f - prev[0]
            DG[slot] = g - prev[1]
            row = DF[:filled] @ DF[slot]
            gram[slot, :filled] = row
            gram[:filled, slot] = row
        prev = (f, g)
        new = g
        if filled:
            A = gram[:filled, :filled].copy()
            # Least squares through the small Gram matrix (lstsq on a tall matrix is slow).
            A[np.diag_indices_from(A)] += 1e-14 * max(float(np.trace(A)), 1e-300)
            coef = np.linalg.solve(A, DF[:filled] @ f)
            candidate = g - coef @ DG[:filled]
            if np.all(np.isfinite(candidate)) and np.max(np.abs(candidate - g)) < 0.5:
                new = candidate
            else:  # a bad extrapolation: restart the history
                filled = n_old = own = 0
                own_cap = max(memory - 1, 1)
                prev = None
        new_w = new[:N]
        # Numeraire: world value added unchanged.
        log_w = new_w - np.log(np.exp(new_w) @ wL / world_va)
        log_P = new[N : N + N * J].reshape(N, J)
        X = np.maximum(new[N + N * J :].reshape(N, J), 0.0) * scale
    raise ConvergenceError(
        f"Caliendo–Parro solver did not converge in {max_iter} iterations",
        {"iterations": max_iter, "max_excess_demand": excess, "tol": tol},
    )


def solve(
    baseline: CPBaseline,
    shock: CPShock,
    *,
    start: CPState | None = None,
    tol: float = 1e-9,
    max_iter: int = 5000,
    decompose: bool = True,
    decompose_steps: int = 4,
    flows: bool = True,
    secants: list[FloatArray] | None = None,
) -> CPResult:
    """Price one shock: the counterfactual equilibrium and what it does to each country.

    Parameters
    ----------
    baseline
        From :func:`~tradetalks.economics.calibrate`.
    shock
        From :func:`~tradetalks.economics.make_shock`.
    start
        Warm start (the ``state`` of a nearby solved shock); cold (all hats 1) if None.
    tol
        Tolerance on the relative excess demand for labour and the price and spending
        residuals.
    max_iter
        Iteration cap; :class:`ConvergenceError` beyond it.
    decompose
        Compute the terms-of-trade / volume-of-trade decomposition (``decompose_steps``
        extra solves along the path).
    flows
        Keep the full ``[n, i, j]`` counterfactual flows in ``trade_musd``.
    secants
        In/out Anderson secant memory for warm starts (see :func:`solve_dense`).
    """
    b = baseline
    tau_new, d_new = shock.dense(b)
    rents = shock.dense_rents(b)
    state, ev, iterations, excess = solve_dense(
        b,
        tau_new,
        d_new,
        start=start,
        tol=tol,
        max_iter=max_iter,
        secants=secants,
        cells=(shock.importer, shock.exporter, shock.sector),
        rents=rents,
    )
    parts = None
    if decompose:
        from tradetalks.economics._cp_welfare import decompose as _decompose

        parts = _decompose(b, tau_new, d_new, rents, decompose_steps, state, tol)
    return equilibrium_result(
        b, shock.label, state, ev.log_c, ev.gross, ev.revenue, ev.holder_rent,
        ev.exporter_rent, ev.flows(), iterations, excess, parts, flows=flows,
    )  # fmt: skip


def equilibrium_result(
    b: CPBaseline,
    label: str,
    state: CPState,
    log_c: FloatArray,
    gross: FloatArray,
    revenue: FloatArray,
    holder_rent: FloatArray,
    exporter_rent: FloatArray,
    M: FloatArray,
    iterations: int,
    excess: float,
    parts: WelfareParts | None = None,
    *,
    flows: bool = True,
) -> CPResult:
    """The :class:`CPResult` of a solved equilibrium.

    From its state, the last sweep's costs ``log ĉ``, gross output, revenue and rents, and
    the ``[n, i, j]`` flows ``M`` at basic prices (kept in the result when ``flows``);
    ``parts`` is the welfare decomposition, if computed.
    """
    N, _ = b.shape
    w_hat = np.exp(state.log_wage_hat)
    log_Pn = (b.final_share * state.log_price_hat).sum(axis=1)
    income = (
        w_hat * b.value_added_musd + revenue + holder_rent + exporter_rent
        + b.deficit_musd
    )  # fmt: skip
    welfare_hat = income / b.income_musd / np.exp(log_Pn)
    idx = np.arange(N)
    foreign = M.copy()
    foreign[idx, idx, :] = 0.0
    exports = foreign.sum(axis=0)  # [i, j]
    imports = foreign.sum(axis=1)  # [n, j]
    by_pair = foreign.sum(axis=2)  # [n, i] n buys from i
    bilateral = by_pair.T - by_pair  # [n, m]: n's exports to m minus imports from m
    welfare_parts: dict[str, FloatArray | None] = dict.fromkeys(
        ("welfare_tot", "welfare_vot", "welfare_ntb", "welfare_residual", "tot_by_sector",
         "vot_by_sector", "welfare_licence", "welfare_rent"),
    )  # fmt: skip
    if parts is not None:
        welfare_parts.update(
            welfare_tot=parts.tot,
            welfare_vot=parts.vot,
            welfare_ntb=parts.ntb,
            welfare_licence=parts.licence,
            welfare_rent=parts.rent,
            welfare_residual=np.log(welfare_hat)
            - (parts.tot + parts.vot + parts.ntb + parts.licence + parts.rent),
            tot_by_sector=parts.tot_by_sector,
            vot_by_sector=parts.vot_by_sector,
        )
    return CPResult(
        countries=b.countries,
        sectors=b.sectors,
        label=label,
        iterations=iterations,
        max_excess_demand=excess,
        converged=True,
        welfare_hat=welfare_hat,
        real_wage_hat=w_hat / np.exp(log_Pn),
        wage_hat=w_hat,
        price_hat=np.exp(state.log_price_hat),
        cost_hat=np.exp(log_c),
        income_musd=income,
        tariff_revenue_musd=revenue,
        expenditure_musd=state.expenditure_musd,
        gross_output_musd=gross,
        value_added_musd=b.va_share * gross,
        exports_musd=exports,
        imports_musd=imports,
        bilateral_balance_musd=bilateral,
        trade_balance_musd=exports.sum(axis=1) - imports.sum(axis=1),
        state=state,
        trade_musd=M if flows else None,
        holder_rent_musd=holder_rent,
        exporter_rent_musd=exporter_rent,
        **welfare_parts,
    )
