r"""Welfare decomposition of a Caliendo–Parro counterfactual, with rent wedges and their owners.

CP (2015) eq. (19) for a small change, extended to rent wedges (ad valorem ρ with an
owner). For country n, with basic-price flows B (importer n, exporter i, sector j), tariff
τ levied on the price including the rent, buyer value :math:`P = (1+τ)(1+ρ)B`, value paid
to the exporter :math:`F = (1+ρ^X)B` (ρ^X the exporter-owned rents, ρ^M the rents of the
importer's licence holders):

.. math::

    I_n\,d\ln W_n &= \underbrace{\sum_{j}\Big(\sum_m F_{mn}^j\,d\ln c_n^j
        - \sum_i F_{ni}^j\,d\ln c_i^j\Big)}_{\text{terms of trade}}
      + \underbrace{\sum_{i,j}\tau_{ni}^j(1+\rho_{ni}^j)B_{ni}^j
        (d\ln B_{ni}^j - d\ln c_i^j)}_{\text{volume of trade (tariffs)}} \\
      &+ \underbrace{\sum_{i,j}\rho^{M,j}_{ni}B_{ni}^j(d\ln B_{ni}^j - d\ln c_i^j)}
        _{\text{licence holders' rents}}
      - \underbrace{\sum_{i,j}P_{ni}^j\,d\ln d_{ni}^j}_{\text{NTB cost}} \\
      &+ \underbrace{\sum_{m,j}\big(F_{mn}^j\,d\ln(1+\rho^X_{mn})
        + \rho^X_{mn}B_{mn}^j(d\ln B_{mn}^j - d\ln c_n^j)\big)
        - \sum_{i,j}F_{ni}^j\,d\ln(1+\rho^X_{ni})}_{\text{exporter rents (received − paid)}}

A rent the importer's holders own is, for n, a tariff whose revenue goes to them: it
enters only through the volume term, as CP's tariff does. A rent the exporter owns is a
price rise n pays to the exporter (CP's terms of trade with the export price
:math:`c(1+ρ^X)`), plus the rent's own volume term on the exporter's side. Without
rents (ρ = 0) every line is CP's eq. (19) with their "technical efficiency" term for
NTBs, as in the R package cp2015 (github.com/paulofelipe/cp2015).

We integrate along the straight path in (ln κ, ln d, ln(1+ρ)) from the baseline to the
shock (trapezoid rule over ``steps`` solved points, Richardson extrapolation from the
half grid), so the parts add up to ln Ŵ up to the quadrature error, which the caller
reports as ``welfare_residual``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import Rents
from tradetalks.economics._cp_solve import CPState, solve_dense

__all__ = ["WelfareParts", "decompose"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WelfareParts:
    """Log-point parts of ln Ŵ by country (``*_by_sector``: ``[n, j]``)."""

    tot: FloatArray
    vot: FloatArray
    ntb: FloatArray
    licence: FloatArray
    rent: FloatArray
    tot_by_sector: FloatArray
    vot_by_sector: FloatArray


@dataclass(frozen=True)
class _Point:
    kappa: FloatArray
    log_d: FloatArray
    log_omega: FloatArray | None  # ln(1 + ρ)
    flows: FloatArray
    log_c: FloatArray
    income: FloatArray


def decompose(
    b: CPBaseline,
    tau_new: FloatArray,
    d_new: FloatArray,
    rents: Rents | None,
    steps: int,
    end: CPState,
    tol: float,
) -> WelfareParts:
    """Integrate the decomposition along t ∈ [0, 1] over ``steps`` (even) intervals."""
    N, J = b.shape
    kappa0 = 1.0 + b.tariff_rate
    log_kh = np.log((1.0 + tau_new) / kappa0)
    log_d = np.log(d_new)
    log_w = None if rents is None else np.log1p(rents.rate)
    points = []
    start: CPState | None = None
    steps += steps % 2  # Richardson needs the coarse grid to be every other point
    for t in np.linspace(0.0, 1.0, steps + 1):
        kappa_t = kappa0 * np.exp(t * log_kh)
        d_t = np.exp(t * log_d)
        rents_t = (
            None
            if rents is None or log_w is None
            else Rents(np.expm1(t * log_w), rents.to_exporter)
        )
        if t == 0.0:
            flows = b.sales_musd
            log_c = np.zeros((N, J))
            income = b.income_musd
        else:
            guess = end if t == 1.0 else start
            state, ev, _, _ = solve_dense(
                b, kappa_t - 1.0, d_t, start=guess, tol=tol, rents=rents_t
            )
            start = state
            flows = ev.flows()
            log_c = ev.log_c
            income = (
                np.exp(state.log_wage_hat) * b.value_added_musd
                + ev.revenue
                + ev.holder_rent
                + ev.exporter_rent
                + b.deficit_musd
            )
        points.append(
            _Point(kappa_t, np.log(d_t), None if log_w is None else t * log_w, flows, log_c,
                   income)
        )  # fmt: skip
    to_exporter = None if rents is None else rents.to_exporter
    fine = _integrate(points, to_exporter)
    coarse = _integrate(points[::2], to_exporter)
    # Richardson extrapolation of the two trapezoid sums (the rule is symmetric, so its
    # error is even in the step): (4·fine − coarse)/3 is fourth order.
    tot, vot, ntb, licence, rent = ((4.0 * f - c) / 3.0 for f, c in zip(fine, coarse, strict=True))
    return WelfareParts(tot.sum(axis=1), vot.sum(axis=1), ntb, licence, rent, tot, vot)


def _integrate(
    points: list[_Point], to_exporter: npt.NDArray[np.bool_] | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Trapezoid sums over consecutive path points: ToT, VoT by sector, NTB, licence, rent."""
    N, _, J = points[0].flows.shape
    idx = np.arange(N)
    tot = np.zeros((N, J))
    vot = np.zeros((N, J))
    ntb = np.zeros(N)
    licence = np.zeros(N)
    rent = np.zeros(N)
    for p0, p1 in itertools.pairwise(points):
        inv_I = 0.5 * (1.0 / p0.income + 1.0 / p1.income)
        M = 0.5 * (p0.flows + p1.flows)  # [n, i, j] imports of n from i (basic prices)
        dc = p1.log_c - p0.log_c  # [i, j]
        kappa = 0.5 * (p0.kappa + p1.kappa)
        with np.errstate(divide="ignore", invalid="ignore"):
            dlnM = np.where(
                (p0.flows > 0) & (p1.flows > 0), np.log(p1.flows) - np.log(p0.flows), 0.0
            )
        volume = dlnM - dc[None, :, :]
        volume[idx, idx, :] = 0.0
        if p0.log_omega is None or p1.log_omega is None or to_exporter is None:
            paid = M
            omega = np.ones_like(M)
        else:
            omega = np.exp(0.5 * (p0.log_omega + p1.log_omega))
            rho = omega - 1.0
            rho_x = np.where(to_exporter, rho, 0.0)
            paid = M * (1.0 + rho_x)  # F: what n pays the exporter
            d_omega_x = np.where(to_exporter, p1.log_omega - p0.log_omega, 0.0)
            licence += inv_I * (np.where(to_exporter, 0.0, rho) * M * volume).sum(axis=(1, 2))
            received = (paid * d_omega_x + rho_x * M * volume).sum(axis=0).sum(axis=1)
            rent += inv_I * (received - (paid * d_omega_x).sum(axis=(1, 2)))
        exports = paid.sum(axis=0)  # [n, j]: Σ_m F_mn^j
        imports_cost = (paid * dc[None, :, :]).sum(axis=1)  # Σ_i F_ni^j dlnc_i^j
        tot += inv_I[:, None] * (exports * dc - imports_cost)
        vot += inv_I[:, None] * ((kappa - 1.0) * omega * M * volume).sum(axis=1)
        ntb -= inv_I * (kappa * omega * M * (p1.log_d - p0.log_d)).sum(axis=(1, 2))
    return tot, vot, ntb, licence, rent
