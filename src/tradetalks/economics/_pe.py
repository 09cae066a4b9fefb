r"""Partial equilibrium for one tariff line in one importing market (SMART-style).

The model of the World Bank's WITS/SMART tool (Laird and Yeats 1986; Jammes and Olarreaga 2005,
"Explaining SMART and GSIM", World Bank; WITS online help, "SMART Theoretical Framework"):
imports of one product from each partner :math:`k` are imperfect substitutes (Armington);
quantities are trade values at world prices normalised to 1; no income effects.

With :math:`\tau_k = (t_{1k} - t_{0k}) / (1 + t_{0k})` the relative change of the domestic price
due to the tariff, :math:`\eta < 0` the import-demand elasticity, :math:`\varepsilon_x > 0` the
export-supply elasticity and :math:`\sigma > 0` the substitution elasticity between partners:

- world (export) price change: :math:`\hat p^*_k = \eta\,\tau_k / (\varepsilon_x - \eta)`;
- trade creation: :math:`TC_k = M_k\,\eta\,\tau_k / (1 - \eta/\varepsilon_x)`
  (Jammes and Olarreaga 2005, section 2; with :math:`\varepsilon_x \to \infty` it is
  :math:`M_k \eta\, dt_k/(1+t_{0k})`, their simplest version);
- trade diversion: :math:`TD_k = \sigma M_k (\bar\tau - \tau_k)` with
  :math:`\bar\tau = \sum_K (M_K/M)\,\tau_K`, which sums to zero across partners and for two
  partners is SMART's :math:`\sigma\,M_k M_K/(M_k+M_K)\,(\tau_K - \tau_k)`; losses are capped
  at existing trade (SMART: "trade diversion reaches its ceiling with existing trade") and
  gains rescaled so that diversion still sums to zero;
- tariff revenue :math:`R = \sum_k t_k\, p^*_k M_k`;
- consumer surplus change :math:`\Delta CS = -\sum_k \Delta P_k (M_k + TC_k/2)` with
  :math:`\Delta P_k = (1+t_{1k})(1+\hat p^*_k) - (1+t_{0k})` the change of the domestic price
  per dollar of base imports (a rectangle and a triangle; diversion only reallocates);
- exporters' gain: duties no longer paid on current trade, :math:`\sum_k (t_{0k}-t_{1k}) M_k`,
  and their producer surplus :math:`\sum_k \hat p^*_k (M_k + \Delta M_k/2)`.

Defaults follow SMART's: :math:`\sigma = 1.5` and :math:`\varepsilon_x = 99` ("infinite"),
per the WITS SMART user manual. SMART takes :math:`\eta` from Kee, Nicita and Olarreaga (2008,
"Import Demand Elasticities and Trade Distortions", REStat 90(4)) at HS6; we do not ship those,
so :math:`\eta` is always the caller's choice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tradetalks._errors import InputError, Problem

__all__ = [
    "SMART_EXPORT_SUPPLY_ELASTICITY",
    "SMART_SUBSTITUTION_ELASTICITY",
    "PartialEquilibriumResult",
    "TariffLine",
    "smart_partial_equilibrium",
    "tariff_line",
]

FloatArray = NDArray[np.float64]
#: WITS SMART default substitution elasticity between partners (WITS SMART user manual).
SMART_SUBSTITUTION_ELASTICITY = 1.5
#: WITS SMART default export-supply elasticity, standing for "infinite" (WITS SMART user manual).
SMART_EXPORT_SUPPLY_ELASTICITY = 99.0


class PartialEquilibriumError(InputError):
    """Bad input to the partial-equilibrium model (negative imports, elasticities of wrong sign)."""


@dataclass(frozen=True)
class TariffLine:
    """One product in one importing market, by partner.

    Parameters
    ----------
    partners
        Exporting partners' codes.
    imports_musd
        Base imports from each partner, million USD at world (CIF) prices.
    tariff_rate
        Base ad-valorem tariff each partner faces (0.025 = 2.5%).
    new_tariff_rate
        Tariff after the change.
    """

    partners: tuple[str, ...]
    imports_musd: FloatArray
    tariff_rate: FloatArray
    new_tariff_rate: FloatArray

    def __post_init__(self) -> None:
        problems: list[Problem | str] = []
        n = len(self.partners)
        if n == 0:
            problems.append("partners: at least one partner is needed")
        if len(set(self.partners)) != n:
            problems.append("partners: duplicate codes")
        for name in ("imports_musd", "tariff_rate", "new_tariff_rate"):
            arr = np.atleast_1d(np.asarray(getattr(self, name), dtype=np.float64))
            if arr.shape != (n,):
                problems.append(f"{name}: expected {n} values, got {arr.size}")
                continue
            if not np.all(np.isfinite(arr)):
                problems.append(f"{name}: values must be finite")
            elif name == "imports_musd" and (np.any(arr < 0) or arr.sum() <= 0):
                problems.append(f"{name}: imports must be >= 0 and not all zero")
            elif name != "imports_musd" and np.any(arr <= -1):
                problems.append(f"{name}: a tariff rate must be > -1 (0.025 = 2.5%)")
            object.__setattr__(self, name, arr)
        if problems:
            raise PartialEquilibriumError("invalid tariff line", problems)


@dataclass(frozen=True)
class PartialEquilibriumResult:
    """Effects of a tariff change on one line, per partner and in total (million USD)."""

    line: TariffLine
    import_demand_elasticity: float
    substitution_elasticity: float
    export_supply_elasticity: float
    trade_creation_musd: FloatArray
    trade_diversion_musd: FloatArray
    world_price_change: FloatArray
    new_imports_musd: FloatArray
    tariff_revenue_musd: float
    new_tariff_revenue_musd: float
    consumer_surplus_change_musd: float
    duties_saved_musd: FloatArray
    exporter_surplus_change_musd: FloatArray

    @property
    def tariff_revenue_change_musd(self) -> float:
        """New minus old tariff revenue."""
        return self.new_tariff_revenue_musd - self.tariff_revenue_musd

    @property
    def importer_welfare_change_musd(self) -> float:
        """Consumer surplus change plus tariff revenue change (domestic producers ignored)."""
        return self.consumer_surplus_change_musd + self.tariff_revenue_change_musd

    def to_frame(self) -> pd.DataFrame:
        """One row per partner with every per-partner effect."""
        return pd.DataFrame(
            {
                "imports_musd": self.line.imports_musd,
                "tariff_rate": self.line.tariff_rate,
                "new_tariff_rate": self.line.new_tariff_rate,
                "trade_creation_musd": self.trade_creation_musd,
                "trade_diversion_musd": self.trade_diversion_musd,
                "new_imports_musd": self.new_imports_musd,
                "world_price_change": self.world_price_change,
                "duties_saved_musd": self.duties_saved_musd,
                "exporter_surplus_change_musd": self.exporter_surplus_change_musd,
            },
            index=pd.Index(self.line.partners, name="partner"),
        )


def smart_partial_equilibrium(
    line: TariffLine,
    *,
    import_demand_elasticity: float,
    substitution_elasticity: float = SMART_SUBSTITUTION_ELASTICITY,
    export_supply_elasticity: float = SMART_EXPORT_SUPPLY_ELASTICITY,
) -> PartialEquilibriumResult:
    r"""Trade creation and diversion, tariff revenue and surplus changes of a tariff change.

    Parameters
    ----------
    line
        The product, partners, base imports and tariffs before and after.
    import_demand_elasticity
        :math:`\eta < 0`, the elasticity of import demand to the domestic price.
    substitution_elasticity
        :math:`\sigma \ge 0` between partners' varieties (SMART default 1.5).
    export_supply_elasticity
        :math:`\varepsilon_x > 0` (SMART default 99, i.e. world prices fixed).
    """
    eta = float(import_demand_elasticity)
    sigma = float(substitution_elasticity)
    eps = float(export_supply_elasticity)
    problems: list[Problem | str] = []
    if not np.isfinite(eta) or eta >= 0:
        problems.append(f"import_demand_elasticity: must be negative, got {eta}")
    if not np.isfinite(sigma) or sigma < 0:
        problems.append(f"substitution_elasticity: must be >= 0, got {sigma}")
    if not np.isfinite(eps) or eps <= 0:
        problems.append(f"export_supply_elasticity: must be positive, got {eps}")
    if problems:
        raise PartialEquilibriumError("invalid elasticities", problems)

    m0 = line.imports_musd
    t0, t1 = line.tariff_rate, line.new_tariff_rate
    tau = (t1 - t0) / (1.0 + t0)
    # "+ 0.0" turns IEEE negative zeros (no change) into plain zeros for printing.
    world_price = eta * tau / (eps - eta) + 0.0
    creation = m0 * eta * tau / (1.0 - eta / eps) + 0.0
    diversion = _diversion(m0, tau, sigma)
    m1 = m0 + creation + diversion
    revenue0 = float(np.sum(t0 * m0))
    revenue1 = float(np.sum(t1 * (1.0 + world_price) * m1))
    price_change = (1.0 + t1) * (1.0 + world_price) - (1.0 + t0)
    consumer_surplus = float(-np.sum(price_change * (m0 + 0.5 * creation)))
    exporter_surplus = world_price * (m0 + 0.5 * (m1 - m0)) + 0.0
    return PartialEquilibriumResult(
        line=line,
        import_demand_elasticity=eta,
        substitution_elasticity=sigma,
        export_supply_elasticity=eps,
        trade_creation_musd=creation,
        trade_diversion_musd=diversion,
        world_price_change=world_price,
        new_imports_musd=m1,
        tariff_revenue_musd=revenue0,
        new_tariff_revenue_musd=revenue1,
        consumer_surplus_change_musd=consumer_surplus,
        duties_saved_musd=(t0 - t1) * m0,
        exporter_surplus_change_musd=exporter_surplus,
    )


def tariff_line(
    partners: Sequence[str],
    imports_musd: Sequence[float],
    tariff_rate: Sequence[float],
    new_tariff_rate: Sequence[float],
) -> TariffLine:
    """Build a :class:`TariffLine` from plain sequences."""
    return TariffLine(
        tuple(partners),
        np.asarray(imports_musd, dtype=np.float64),
        np.asarray(tariff_rate, dtype=np.float64),
        np.asarray(new_tariff_rate, dtype=np.float64),
    )


def _diversion(m0: FloatArray, tau: FloatArray, sigma: float) -> FloatArray:
    total = m0.sum()
    mean_tau = float(np.sum(m0 * tau) / total)
    raw = sigma * m0 * (mean_tau - tau)
    losses = np.minimum(raw, 0.0)
    capped = np.maximum(losses, -m0)
    gains = np.maximum(raw, 0.0)
    gain_total = gains.sum()
    if gain_total > 0:
        gains = gains * (-capped.sum() / gain_total)
    return np.asarray(gains + capped, dtype=np.float64)
