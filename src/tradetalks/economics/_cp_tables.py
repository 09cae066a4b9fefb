r"""Caliendo–Parro (2015) on a table in their own layout, and their Table 2 decomposition.

Calibration follows the R package ``cp2015`` (github.com/paulofelipe/cp2015,
``R/prepare_cp2015.R``), which reproduces CP's Table 2:

* :math:`\pi_{ni}^j = M_{ni}^j (1+\tau_{ni}^j) / \sum_i M_{ni}^j (1+\tau_{ni}^j)` with
  the data-year tariff;
* gross output :math:`Y_n^j` = value added + intermediate consumption;
  :math:`\gamma_n^{k,j}` = inputs of k bought by j over :math:`Y_n^j`,
  :math:`\gamma_n^j` = value added over :math:`Y_n^j`;
* :math:`\alpha_n^j` = final spending shares; :math:`D_n` from the deficit table;
* spending :math:`X_n^j` from the model's own market clearing given these shares
  (:func:`~tradetalks.economics._cp_calibrate._solve_baseline_spending`).

CP's Table 2 then takes two solves (their section 4.1, "we first remove the aggregate
deficits"): :func:`equilibrium_baseline` solves for the equilibrium with every
:math:`D_n = 0` and rebases the model there, and the NAFTA tariffs are applied from
that equilibrium. Their reported split into terms of trade and volume of trade is the
discrete form of their eq. (19) evaluated at the baseline flows
(:func:`cp_decomposition`, the formula of ``cp2015``'s ``R/compute_results.R``):

.. math::

    \text{ToT}_n &= \frac{1}{I_n}\sum_{i,j}\big(E_{ni}^j(\hat c_n^j - 1)
                    - M_{ni}^j(\hat c_i^j - 1)\big) \\
    \text{VoT}_n &= \frac{1}{I_n}\sum_{i,j}\tau_{ni}^j M_{ni}^j(\hat M_{ni}^j - \hat c_i^j) \\
    \text{tech}_n &= -\frac{1}{I_n}\sum_{i,j}(1+\tau_{ni}^j) M_{ni}^j(\hat d_{ni}^j - 1)

and their "welfare" is the sum of the three; the exact real-income change
:math:`\hat I_n/\hat P_n` of :func:`~tradetalks.economics.solve` differs from it at
second order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tradetalks._errors import DataError, InputError, Problem
from tradetalks.data import Cp2015Table
from tradetalks.economics._cp_calibrate import CPBaseline, _solve_baseline_spending
from tradetalks.economics._cp_shock import CPShock
from tradetalks.economics._cp_solve import CPResult, solve_dense

__all__ = [
    "CPDecomposition",
    "calibrate_cp2015",
    "column_shock",
    "cp_decomposition",
    "equilibrium_baseline",
]

FloatArray = npt.NDArray[np.float64]


def _column(table: Cp2015Table, name: str) -> FloatArray:
    if name not in table.tariffs:
        raise InputError(
            f"no tariff column {name!r}",
            [Problem(table.source, "trade", f"no column {name!r}; columns: "
                     + ", ".join(table.tariffs))],
        )  # fmt: skip
    return table.tariffs[name]


def calibrate_cp2015(
    table: Cp2015Table, tariff_column: str = "tariff", *, zero_deficits: bool = False
) -> CPBaseline:
    """Calibrate on a :class:`~tradetalks.data.Cp2015Table` with the data-year ``tariff_column``.

    The table is not an exact equilibrium (in the NAFTA data, spending read from the trade
    table differs from input plus final spending by up to $190bn, RoW finance), so, as the
    ``cp2015`` package does, the model is first solved at the data's own tariffs from the
    data's shares and value added, with the table's deficits or, with ``zero_deficits``,
    none (:func:`equilibrium_baseline`); that equilibrium is the returned baseline.
    """
    N, J = len(table.countries), len(table.sectors)
    tau = np.array(_column(table, tariff_column))
    idx = np.arange(N)
    if np.any(tau[idx, idx] != 0):
        raise InputError(
            "bad baseline tariffs",
            [Problem(table.source, tariff_column, "a region cannot tariff its own goods")],
        )
    kappa = 1.0 + tau
    spend = table.trade_musd * kappa
    X = spend.sum(axis=1)
    share = np.zeros_like(spend)
    np.divide(spend, X[:, None, :], out=share, where=X[:, None, :] > 0)
    share[idx[:, None], idx[:, None], np.arange(J)[None, :]] += np.where(X <= 0, 1.0, 0.0)
    output = table.value_added_musd + table.intermediate_musd.sum(axis=1)  # [n, j]
    input_share = np.zeros_like(table.intermediate_musd)
    np.divide(
        table.intermediate_musd, output[:, None, :], out=input_share, where=output[:, None, :] > 0
    )
    va_share = np.where(output > 0, table.value_added_musd / np.where(output > 0, output, 1), 1.0)
    final_total = table.final_musd.sum(axis=1)
    if np.any(final_total <= 0):
        raise DataError(
            "no final demand",
            [Problem(table.source, "final_consumption", f"{table.countries[int(n)]} has none")
             for n in np.flatnonzero(final_total <= 0)],
        )  # fmt: skip
    final_share = table.final_musd / final_total[:, None]
    raw = CPBaseline(
        countries=table.countries,
        sectors=table.sectors,
        theta=np.array(table.theta),
        tariff_rate=tau,
        trade_share=share,
        expenditure_musd=X,
        va_share=va_share,
        input_share=input_share,
        final_share=final_share,
        value_added_musd=table.value_added_musd.sum(axis=1),
        deficit_musd=np.array(table.deficit_musd),
        year=table.year,
    )
    return equilibrium_baseline(raw, zero_deficits=zero_deficits)


def equilibrium_baseline(
    baseline: CPBaseline, *, zero_deficits: bool = False, tol: float = 1e-11
) -> CPBaseline:
    """Solve for the equilibrium at the baseline's own trade costs and rebase the model there.

    With ``zero_deficits`` every :math:`D_n' = 0` (CP 2015, section 4.1: "we first remove
    the aggregate deficits"); otherwise the deficits are kept. Solves the model in
    changes from ``baseline`` (whose value added :math:`w_n L_n` and shares may come
    straight from a table that is not an exact equilibrium), then takes shares π',
    spending X' (recomputed exactly from π') and value added ŵ wL as the new baseline.
    World value added is the numeraire.
    """
    b = baseline
    N, J = b.shape
    deficit = np.zeros(N) if zero_deficits else np.array(b.deficit_musd)
    target = replace(b, deficit_musd=deficit)
    _, ev, _, _ = solve_dense(target, np.array(b.tariff_rate), np.ones_like(b.tariff_rate),
                              tol=tol)  # fmt: skip
    kappa = 1.0 + b.tariff_rate
    flows = ev.flows()
    share = np.zeros_like(flows)
    np.divide(flows * kappa, ev.X[:, None, :], out=share, where=ev.X[:, None, :] > 0)
    idx = np.arange(N)
    share[idx[:, None], idx[:, None], np.arange(J)[None, :]] += np.where(ev.X <= 0, 1.0, 0.0)
    share /= share.sum(axis=1, keepdims=True)
    exact = _solve_baseline_spending(
        share, kappa, b.input_share, b.va_share, b.final_share, deficit,
        float(b.value_added_musd.sum()),
    )  # fmt: skip
    if not np.all(np.isfinite(exact)) or exact.min() < -1e-6 * exact.max():
        raise DataError(
            "inconsistent table",
            [Problem("<baseline>", "", "the baseline equilibrium has negative spending")],
        )
    exact = np.clip(exact, 0.0, None)
    gross = (share / kappa * exact[:, None, :]).sum(axis=0)
    return replace(
        b,
        trade_share=share,
        expenditure_musd=exact,
        value_added_musd=(b.va_share * gross).sum(axis=1),
        deficit_musd=deficit,
    )


def column_shock(
    baseline: CPBaseline,
    tariff_rate: FloatArray,
    iceberg: FloatArray | None = None,
    label: str = "",
) -> CPShock:
    """A shock that sets every cell to ``tariff_rate`` (and ``iceberg`` changes d̂)."""
    d = np.ones_like(tariff_rate) if iceberg is None else np.asarray(iceberg, dtype=np.float64)
    if tariff_rate.shape != baseline.tariff_rate.shape or d.shape != tariff_rate.shape:
        raise InputError("counterfactual arrays do not match the baseline's shape")
    n, i, j = np.nonzero((tariff_rate != baseline.tariff_rate) | (d != 1.0))
    return CPShock(
        importer=n.astype(np.int64),
        exporter=i.astype(np.int64),
        sector=j.astype(np.int64),
        tariff_rate=np.asarray(tariff_rate[n, i, j], dtype=np.float64),
        ntb_factor=np.asarray(d[n, i, j], dtype=np.float64),
        label=label,
    )


@dataclass(frozen=True, eq=False)
class CPDecomposition:
    """CP (2015) Table 2 parts by country, as fractions (0.01 = 1%)."""

    terms_of_trade: FloatArray
    volume_of_trade: FloatArray
    technical: FloatArray

    @property
    def welfare(self) -> FloatArray:
        """Their welfare figure: the sum of the parts."""
        return np.asarray(self.terms_of_trade + self.volume_of_trade + self.technical)


def cp_decomposition(baseline: CPBaseline, shock: CPShock, result: CPResult) -> CPDecomposition:
    """The discrete CP eq. (19) split at baseline flows (module docstring)."""
    if result.trade_musd is None:
        raise InputError("the result was solved without flows (solve(..., flows=True))")
    b = baseline
    M0 = b.sales_musd  # [n, i, j]
    M1 = result.trade_musd
    c_hat = result.cost_hat  # [i, j]
    _, d_hat = shock.dense(b)
    income = b.income_musd
    exports = M0.sum(axis=0)  # [i, j]: what i sells to everyone
    tot = (exports * (c_hat - 1.0)).sum(axis=1) - (M0 * (c_hat[None] - 1.0)).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = np.where(M0 > 0, M1 / np.where(M0 > 0, M0, 1.0), 0.0)
    vot = (b.tariff_rate * M0 * (m_hat - c_hat[None])).sum(axis=(1, 2))
    tech = -((1.0 + b.tariff_rate) * M0 * (d_hat - 1.0)).sum(axis=(1, 2))
    return CPDecomposition(tot / income, vot / income, tech / income)
