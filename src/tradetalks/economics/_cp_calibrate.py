r"""Calibration of the Caliendo–Parro (2015) model from a world input-output table.

Caliendo and Parro (2015), "Estimates of the Trade and Welfare Effects of NAFTA",
Review of Economic Studies 82(1): 1–44, section 3 (the model in changes needs only
shares and the trade deficit). With importer ``n``, exporter ``i``, sectors ``j, k``
and tariff factor :math:`\kappa_{ni}^j = 1 + \tau_{ni}^j`:

* :math:`X_n^j = \sum_i M_{ni}^j \kappa_{ni}^j`, spending including tariffs, where
  :math:`M_{ni}^j` are flows at basic prices (WIOD excludes taxes on products, so
  we read its flows as net of tariffs and add the baseline tariffs on top);
* :math:`\pi_{ni}^j = M_{ni}^j \kappa_{ni}^j / X_n^j`;
* :math:`\gamma_n^{k,j}` = purchases of sector-``k`` inputs by sector ``j`` in ``n``
  (tariffs included) over gross output :math:`Y_n^j`; :math:`\gamma_n^j = 1 -
  \sum_k \gamma_n^{k,j}` is the value-added share;
* :math:`\alpha_n^j` = share of ``j`` in ``n``'s final spending (tariffs included);
* :math:`D_n` = purchases minus sales at basic prices (held fixed).

The baseline spending vector is then recomputed as the solution of the model's
own market-clearing system (CP eq. 7–8) at :math:`\hat{\kappa} = 1`, so the
baseline is an exact equilibrium (no shock leaves every hat at 1). It equals the
data wherever no share had to be repaired; a zero-output country-industry is
given :math:`\gamma_n^j = 1` (it buys nothing), and a sector nobody in ``n``
buys is given :math:`\pi_{nn}^j = 1` — both carry zero weight, so no NaN appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from tradetalks._errors import DataError, InputError, Problem
from tradetalks.data import Cp2015Table, WiodTable, net_inventories
from tradetalks.economics._cp_elasticities import default_elasticities

__all__ = [
    "CPBaseline",
    "calibrate",
    "calibrate_shares",
    "table_elasticities",
    "with_elasticities",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CPBaseline:
    """A calibrated baseline equilibrium of the Caliendo–Parro model (levels in million USD).

    Axes: ``n`` importer / country, ``i`` exporter, ``j``/``k`` sectors.

    Parameters
    ----------
    countries, sectors
        Labels of the axes.
    theta
        ``[j]`` trade elasticities θ^j.
    tariff_rate
        ``[n, i, j]`` baseline ad valorem tariffs τ (0.025 = 2.5%).
    trade_share
        ``[n, i, j]`` expenditure shares π_ni^j (tariff inclusive).
    expenditure_musd
        ``[n, j]`` spending X_n^j, tariff inclusive.
    va_share
        ``[n, j]`` value-added share of gross output γ_n^j.
    input_share
        ``[n, k, j]`` share of sector-k inputs in the gross output of sector j, γ_n^{k,j}.
    final_share
        ``[n, j]`` final-spending shares α_n^j.
    value_added_musd
        ``[n]`` w_n L_n.
    deficit_musd
        ``[n]`` trade deficit D_n (imports minus exports), held fixed.
    year
        Data year, if known.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    theta: FloatArray
    tariff_rate: FloatArray
    trade_share: FloatArray
    expenditure_musd: FloatArray
    va_share: FloatArray
    input_share: FloatArray
    final_share: FloatArray
    value_added_musd: FloatArray
    deficit_musd: FloatArray
    year: int | None = None

    def __post_init__(self) -> None:
        for name in (
            "theta", "tariff_rate", "trade_share", "expenditure_musd", "va_share",
            "input_share", "final_share", "value_added_musd", "deficit_musd",
        ):  # fmt: skip
            getattr(self, name).setflags(write=False)

    @property
    def shape(self) -> tuple[int, int]:
        """(countries, sectors)."""
        return len(self.countries), len(self.sectors)

    @cached_property
    def sales_musd(self) -> FloatArray:
        """``[n, i, j]``: what ``n`` buys from ``i`` at basic prices, π X / κ."""
        sales = self.trade_share * self.expenditure_musd[:, None, :] / (1.0 + self.tariff_rate)
        sales.setflags(write=False)  # cached: shared by every caller
        return np.asarray(sales, dtype=np.float64)

    @cached_property
    def gross_output_musd(self) -> FloatArray:
        """``[i, j]``: gross output, Σ_n π_ni X_n / κ_ni."""
        return np.asarray(self.sales_musd.sum(axis=0), dtype=np.float64)

    @cached_property
    def tariff_revenue_musd(self) -> FloatArray:
        """``[n]``: baseline tariff revenue."""
        return np.asarray((self.sales_musd * self.tariff_rate).sum(axis=(1, 2)), dtype=np.float64)

    @cached_property
    def income_musd(self) -> FloatArray:
        """``[n]``: income I_n = w_n L_n + tariff revenue + D_n."""
        return self.value_added_musd + self.tariff_revenue_musd + self.deficit_musd

    def country_index(self, code: str) -> int:
        """Position of a country code; :class:`InputError` naming the known codes if unknown."""
        if code not in self.countries:
            raise InputError(
                f"unknown country {code!r}",
                [
                    Problem(
                        "<shock>",
                        "country",
                        f"unknown country {code!r}; known: " + ", ".join(self.countries),
                    )
                ],
            )
        return self.countries.index(code)

    def sector_index(self, code: str) -> int:
        """Position of a sector code; :class:`InputError` if unknown."""
        if code not in self.sectors:
            raise InputError(
                f"unknown sector {code!r}",
                [
                    Problem(
                        "<shock>",
                        "sector",
                        f"unknown sector {code!r}; known: {self.sectors[0]}..{self.sectors[-1]}",
                    )
                ],
            )
        return self.sectors.index(code)


def _solve_baseline_spending(
    share: FloatArray,
    kappa: FloatArray,
    input_share: FloatArray,
    va_share: FloatArray,
    final_share: FloatArray,
    deficit: FloatArray,
    world_value_added: float,
) -> FloatArray:
    """Spending X that clears goods markets at κ̂ = 1 (CP 2015 eq. 7 with income of eq. 8).

    X_n^j = Σ_k γ_n^{j,k} Y_n^k + α_n^j (Σ_k γ_n^k Y_n^k + R_n + D_n), with
    Y_n^k = Σ_m π_mn^k X_m^k / κ_mn^k and R_n = Σ_k Σ_i (1 − 1/κ_ni^k) π_ni^k X_n^k:
    linear in X, solved directly (a dense system of size N·J, once per calibration).
    Walras' law makes I − A singular (the nominal scale is free), so the numeraire —
    world value added Σ_n Σ_k γ_n^k Y_n^k equals ``world_value_added`` — is added as a
    rank-one term: (I − A + u vᵀ) X = α D + u c, with u = α and vᵀX the world value added.
    """
    N, _, J = share.shape
    sell = share / kappa  # [m, n, k]: Y_n^k = Σ_m sell[m, n, k] X[m, k]
    rev_rate = ((1.0 - 1.0 / kappa) * share).sum(axis=1)  # [n, k]
    # A[(n,j),(m,k)] = γ_n^{j,k} sell[m,n,k] + α_n^j (γ_n^k sell[m,n,k] + δ_nm rev_rate[n,k])
    A = np.einsum("njk,mnk->njmk", input_share, sell)
    A += np.einsum("nj,nk,mnk->njmk", final_share, va_share, sell)
    idx = np.arange(N)
    A[idx, :, idx, :] += final_share[:, :, None] * rev_rate[:, None, :]
    A = A.reshape(N * J, N * J)
    rhs = (final_share * deficit[:, None]).reshape(N * J)
    u = final_share.reshape(N * J)
    v = np.einsum("nk,mnk->mk", va_share, sell).reshape(N * J)  # world VA per unit of X
    system = np.eye(N * J) - A + np.outer(u, v)
    rhs = rhs + u * world_value_added
    return np.asarray(np.linalg.solve(system, rhs).reshape(N, J), dtype=np.float64)


def _checked_theta(theta: Sequence[float] | FloatArray, J: int, source: str) -> FloatArray:
    th = np.array(theta, dtype=np.float64)
    if th.shape != (J,) or not np.all(np.isfinite(th)) or np.any(th <= 0):
        raise InputError(
            "bad trade elasticities",
            [Problem(source, "theta", f"need {J} finite positive values, got {th.tolist()}")],
        )
    return th


def with_elasticities(baseline: CPBaseline, theta: Sequence[float] | FloatArray) -> CPBaseline:
    """``baseline`` with other trade elasticities θ^j, without calibrating again.

    Every calibrated share, the baseline spending (CP 2015 eq. 7–8 at κ̂ = 1) and the
    deficits are independent of θ: θ enters the model only through the equilibrium in
    changes. So an elasticity grid needs one calibration per data year and tariffs.
    """
    th = _checked_theta(theta, len(baseline.sectors), "<elasticities>")
    return replace(baseline, theta=th)


def calibrate_shares(
    trade_musd: FloatArray,
    input_purchases_musd: FloatArray,
    final_purchases_musd: FloatArray,
    *,
    countries: Sequence[str],
    sectors: Sequence[str],
    theta: Sequence[float] | FloatArray,
    tariff_rate: FloatArray | None = None,
    year: int | None = None,
    source: str = "<arrays>",
) -> CPBaseline:
    """Calibrate from flows at basic prices (the core of :func:`calibrate`).

    Parameters
    ----------
    trade_musd
        ``[n, i, j]`` purchases by ``n`` from ``i`` of sector ``j`` (all uses, basic prices).
    input_purchases_musd
        ``[i, j, n, k]`` sales of sector ``j`` of ``i`` to sector ``k`` of ``n``.
    final_purchases_musd
        ``[i, j, n]`` sales of sector ``j`` of ``i`` to final users in ``n``.
    countries, sectors
        Labels.
    theta
        ``[j]`` trade elasticities (all > 0).
    tariff_rate
        ``[n, i, j]`` baseline tariffs; zero if ``None``. Zero on the diagonal.
    year, source
        For labels and messages.
    """
    N, J = len(countries), len(sectors)
    shapes = {
        "trade_musd": (np.shape(trade_musd), (N, N, J)),
        "input_purchases_musd": (np.shape(input_purchases_musd), (N, J, N, J)),
        "final_purchases_musd": (np.shape(final_purchases_musd), (N, J, N)),
    }
    bad_shapes = [
        Problem(source, name, f"shape {got}, expected {want}")
        for name, (got, want) in shapes.items()
        if got != want
    ]
    if bad_shapes:
        raise InputError("arrays do not match the labels", bad_shapes)
    arrays = (trade_musd, input_purchases_musd, final_purchases_musd)
    if not all(np.all(np.isfinite(a)) and np.min(a) >= 0 for a in arrays):
        raise DataError(
            "bad flows", [Problem(source, "flows", "flows must be finite and non-negative")]
        )
    th = _checked_theta(theta, J, source)
    tau = np.zeros((N, N, J)) if tariff_rate is None else np.asarray(tariff_rate, np.float64)
    if tau.shape != (N, N, J) or not np.all(np.isfinite(tau)) or np.any(tau <= -1.0):
        raise InputError(
            "bad baseline tariffs",
            [Problem(source, "baseline_tariffs", f"need shape {(N, N, J)} with rates > -1")],
        )
    if np.any(tau[np.arange(N), np.arange(N)] != 0):
        raise InputError(
            "bad baseline tariffs",
            [Problem(source, "baseline_tariffs", "a country cannot tariff its own goods")],
        )
    kappa = 1.0 + tau
    M = np.asarray(trade_musd, dtype=np.float64)
    spend = M * kappa
    X = spend.sum(axis=1)
    share = np.zeros_like(spend)
    np.divide(spend, X[:, None, :], out=share, where=X[:, None, :] > 0)
    idx = np.arange(N)
    empty = X <= 0
    share[idx[:, None], idx[:, None], np.arange(J)[None, :]] += np.where(empty, 1.0, 0.0)

    output = M.sum(axis=0)  # [i, j]
    inputs = np.einsum("ijnk,nij->nkj", input_purchases_musd, kappa)  # [n, k(buyer), j(input)]
    inputs = inputs.transpose(0, 2, 1)  # [n, j(input), k(buyer)]
    input_share = np.zeros_like(inputs)
    np.divide(inputs, output[:, None, :], out=input_share, where=output[:, None, :] > 0)
    total_inputs = input_share.sum(axis=1)  # [n, k]
    # Rounding in the source can push tiny cells' inputs above output; cap their
    # input shares so value added is never negative (and zero output -> γ = 1).
    scale = np.where(total_inputs > 1.0, 1.0 / np.maximum(total_inputs, 1e-300), 1.0)
    input_share *= scale[:, None, :]
    va_share = 1.0 - input_share.sum(axis=1)
    va_share = np.clip(va_share, 0.0, 1.0)

    final = np.einsum("ijn,nij->nj", final_purchases_musd, kappa)
    final_total = final.sum(axis=1)
    if np.any(final_total <= 0):
        bad = [countries[int(c)] for c in np.flatnonzero(final_total <= 0)]
        raise DataError(
            "no final demand",
            [Problem(source, "final_demand", f"{c} has no final demand") for c in bad],
        )
    final_share = final / final_total[:, None]
    deficit = M.sum(axis=(1, 2)) - M.sum(axis=(0, 2))
    world_va = float((va_share * output).sum())
    spending = _solve_baseline_spending(
        share, kappa, input_share, va_share, final_share, deficit, world_va
    )
    if not np.all(np.isfinite(spending)) or spending.min() < -1e-6 * spending.max():
        raise DataError(
            "inconsistent table",
            [Problem(source, "", "the baseline equilibrium has negative spending")],
        )
    spending = np.clip(spending, 0.0, None)
    gross = (share / kappa * spending[:, None, :]).sum(axis=0)
    value_added = (va_share * gross).sum(axis=1)
    return CPBaseline(
        countries=tuple(countries),
        sectors=tuple(sectors),
        theta=th,
        tariff_rate=tau,
        trade_share=share,
        expenditure_musd=spending,
        va_share=va_share,
        input_share=input_share,
        final_share=final_share,
        value_added_musd=value_added,
        deficit_musd=deficit,
        year=year,
    )


def table_elasticities(table: WiodTable | Cp2015Table) -> tuple[float, ...]:
    """The default θ^j of a table: its own (cp2015 layout) or :func:`default_elasticities`."""
    if isinstance(table, Cp2015Table):
        return tuple(float(t) for t in table.theta)
    return default_elasticities(table.sectors)


def calibrate(
    table: WiodTable | Cp2015Table,
    elasticities: Sequence[float] | FloatArray | None = None,
    baseline_tariffs: FloatArray | None = None,
    *,
    inventories: str = "drop",
) -> CPBaseline:
    """Calibrate the Caliendo–Parro model on one year of WIOD (or any table read as one).

    Parameters
    ----------
    table
        A :class:`~tradetalks.data.WiodTable`; inventories are netted out here
        (:func:`~tradetalks.data.net_inventories`). A
        :class:`~tradetalks.data.Cp2015Table` is calibrated as the ``cp2015`` package
        does (:func:`~tradetalks.economics.calibrate_cp2015`, its ``tariff`` column the
        baseline tariffs, its deficits kept); it has no inventory column.
    elasticities
        ``[j]`` trade elasticities θ^j; default :func:`table_elasticities` (Caliendo–Parro
        2015 for goods and 5 for services, see ``_cp_elasticities``; a cp2015 table's own).
    baseline_tariffs
        ``[n, i, j]`` applied tariffs in the data year (importer, exporter, sector);
        zero if ``None``. See :func:`~tradetalks.economics.tariff_array` to build one.
        Not with a cp2015 table, whose tariffs are in the table.
    inventories
        ``"drop"`` or ``"crc"``: how the inventory column is treated
        (:data:`~tradetalks.data.INVENTORY_METHODS`).

    Returns
    -------
    CPBaseline
    """
    if isinstance(table, Cp2015Table):
        # _cp_tables builds on this module, hence the import here.
        from tradetalks.economics._cp_tables import calibrate_cp2015

        if baseline_tariffs is not None:
            raise InputError(
                "baseline tariffs of a cp2015 table are its tariff column",
                [Problem(table.source, "baseline_tariffs", "give them in trade's tariff column")],
            )
        if elasticities is not None:
            theta = np.asarray(elasticities, dtype=np.float64)
            if theta.shape != table.theta.shape:
                raise InputError(
                    f"{len(theta)} elasticities for {len(table.sectors)} sectors",
                    [Problem(table.source, "theta", "one trade elasticity per sector")],
                )
            table = replace(table, theta=theta)
        return calibrate_cp2015(table)
    netted = net_inventories(table, inventories)
    return calibrate_shares(
        netted.trade_musd,
        np.asarray(netted.intermediate_musd),
        np.asarray(netted.final_musd.sum(axis=3)),
        countries=netted.countries,
        sectors=netted.sectors,
        theta=table_elasticities(netted) if elasticities is None else elasticities,
        tariff_rate=baseline_tariffs,
        year=netted.year,
        source=netted.source,
    )
