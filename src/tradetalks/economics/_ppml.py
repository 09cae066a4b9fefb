r"""Gravity estimation by Poisson pseudo-maximum likelihood (PPML) through ``pyfixest``.

.. math::

    X_{ij,t} = \exp(\pi_{i,t} + \chi_{j,t} + \gamma_{ij} + x_{ij,t}'\beta)\,\varepsilon_{ij,t}

(Santos Silva and Tenreyro 2006, "The log of gravity", REStat 88(4); Yotov, Piermartini,
Monteiro and Larch 2016, *An Advanced Guide to Trade Policy Analysis*, "AG", ch. 1), with
exporter-time :math:`\pi_{i,t}` and importer-time :math:`\chi_{j,t}` fixed effects (the
multilateral resistances) and optional pair effects :math:`\gamma_{ij}`.

Pair effects follow AG's convention (ch. 1; ch. 2 application 2, ``RTAsEffects.do``): one effect per
**symmetric** pair (``pair_id``: i→j and j→i share it) and **one effect for all domestic pairs**,
which is the normalisation :math:`\gamma_{ii} = 0`. Standard errors are clustered by symmetric
pair, as in AG, or heteroskedasticity-robust.

The GE model takes trade costs as :math:`t_{ij}^{1-\sigma} = \exp(\gamma_{ij} + x_{ij}'\beta)`.
Pairs whose effect cannot be estimated (no trade in any year) get, as in AG (Anderson and Yotov
2016, two-stage procedure), the prediction of a PPML of :math:`\exp(\hat\gamma_{ij})` on exporter
and importer effects and standard gravity variables (:func:`fill_pair_costs`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tradetalks._errors import InputError, Problem

__all__ = [
    "GravityFixedEffects",
    "PPMLResult",
    "estimate_ppml",
    "fill_pair_costs",
    "pair_matrices",
]

FloatArray = NDArray[np.float64]
GravityFixedEffects = Literal["exporter_year", "importer_year", "exporter", "importer", "pair"]
VcovType = Literal["cluster", "hetero"]
_FE_COLUMNS = {
    "exporter_year": "_fe_exporter_year",
    "importer_year": "_fe_importer_year",
    "exporter": "exporter",
    "importer": "importer",
    "pair": "_fe_pair",
}
_DOMESTIC = "domestic"


class EstimationError(InputError):
    """The gravity equation cannot be estimated on these data (missing columns, no variation)."""


@dataclass(frozen=True)
class PPMLResult:
    """A PPML gravity estimate.

    ``pair_effects`` (log, domestic pairs = 0) is indexed by (exporter, importer) for every
    directed pair whose symmetric pair effect was estimated; ``None`` without pair effects.
    """

    coefficients: pd.Series
    std_errors: pd.Series
    vcov: str
    n_obs: int
    n_dropped: int
    fixed_effects: tuple[str, ...]
    pair_effects: pd.Series | None
    notes: tuple[str, ...]

    def table(self) -> pd.DataFrame:
        """Coefficients, standard errors and z statistics, one row per variable."""
        return pd.DataFrame(
            {
                "coefficient": self.coefficients,
                "std_error": self.std_errors,
                "z": self.coefficients / self.std_errors,
            }
        )

    def pair_cost_matrix(self, countries: Sequence[str]) -> FloatArray:
        r"""Matrix of :math:`\exp(\hat\gamma_{ij})`, exporter × importer; NaN where not estimated.

        Domestic pairs are 1 (AG's normalisation).
        """
        if self.pair_effects is None:
            raise EstimationError("this estimate has no pair fixed effects")
        index = {c: k for k, c in enumerate(countries)}
        out = np.full((len(countries), len(countries)), np.nan)
        for (exporter, importer), gamma in self.pair_effects.items():
            if exporter in index and importer in index:
                out[index[exporter], index[importer]] = np.exp(gamma)
        np.fill_diagonal(out, 1.0)
        return out


def estimate_ppml(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    fixed_effects: Sequence[GravityFixedEffects] = ("exporter_year", "importer_year"),
    international_only: bool = False,
    vcov: VcovType = "cluster",
    years: Sequence[int] | None = None,
) -> PPMLResult:
    """Estimate the gravity equation by PPML with high-dimensional fixed effects.

    Parameters
    ----------
    frame
        A tidy gravity panel (see :func:`tradetalks.data.load_gravity`): ``exporter``,
        ``importer``, ``year``, ``trade`` and the covariates. ``ln_DIST`` is built from
        ``DIST`` and ``INTL_BRDR`` from the codes when asked for and absent.
    covariates
        Regressors, e.g. ``["ln_DIST", "CNTG", "LANG", "CLNY"]`` (AG ch. 1).
    fixed_effects
        Any of ``exporter_year``, ``importer_year``, ``exporter``, ``importer``, ``pair``
        (symmetric pair effects, all domestic pairs pooled in one).
    international_only
        Drop intra-national flows (AG ch. 1's traditional specifications).
    vcov
        ``"cluster"`` (by symmetric pair, AG) or ``"hetero"`` (robust).
    years
        Keep only these years (AG ch. 1 uses 1986, 1990, ..., 2006).
    """
    import pyfixest as pf  # heavy (numba): imported only when estimating

    data = _prepare(frame, covariates, fixed_effects, international_only, years)
    fe_part = " + ".join(_FE_COLUMNS[fe] for fe in fixed_effects)
    formula = "trade ~ " + " + ".join(covariates) + (f" | {fe_part}" if fe_part else "")
    vcov_arg: str | dict[str, str] = {"CRV1": "_cluster_pair"} if vcov == "cluster" else "hetero"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = pf.fepois(formula, data=data, vcov=vcov_arg)
        except Exception as exc:  # pyfixest raises many types for singular designs
            raise EstimationError(
                f"PPML failed: {exc}", [Problem("<data>", "covariates", str(exc))]
            ) from exc
    # Keep what concerns the user (separation, convergence), not pyfixest's own deprecations.
    notes = tuple(
        str(w.message)
        for w in caught
        if not issubclass(w.category, DeprecationWarning | FutureWarning)
        and "inplace" not in str(w.message)
    )
    n_obs = int(fit._N)
    pair_effects = _pair_effects(fit, data) if "pair" in fixed_effects else None
    return PPMLResult(
        coefficients=fit.coef().rename("coefficient"),
        std_errors=fit.se().rename("std_error"),
        vcov="cluster(pair)" if vcov == "cluster" else "hetero",
        n_obs=n_obs,
        n_dropped=len(data) - n_obs,
        fixed_effects=tuple(fixed_effects),
        pair_effects=pair_effects,
        notes=notes,
    )


def pair_matrices(
    frame: pd.DataFrame, columns: Sequence[str], *, year: int | None = None
) -> tuple[tuple[str, ...], dict[str, FloatArray]]:
    """Exporter × importer matrices of ``columns`` for one year, countries sorted.

    ``ln_DIST`` and ``INTL_BRDR`` are derived when absent (see :func:`estimate_ppml`).
    Raises :class:`EstimationError` if the year has missing pairs.
    """
    data = frame if year is None else frame[frame["year"] == year]
    if data.empty:
        raise EstimationError(f"no rows for year {year}")
    data = _derive(data, columns)
    countries = tuple(sorted(set(data["exporter"]) | set(data["importer"])))
    n = len(countries)
    if len(data) != n * n or data.duplicated(["exporter", "importer"]).any():
        raise EstimationError(
            f"year {year}: expected {n * n} exporter-importer rows (every pair once), "
            f"got {len(data)}"
        )
    codes = pd.Categorical(data["exporter"], categories=countries).codes
    dest = pd.Categorical(data["importer"], categories=countries).codes
    out: dict[str, FloatArray] = {}
    for column in columns:
        matrix = np.full((n, n), np.nan)
        matrix[codes, dest] = pd.to_numeric(data[column], errors="coerce").to_numpy(float)
        out[column] = matrix
    return countries, out


def fill_pair_costs(
    pair_costs: FloatArray, covariates: Mapping[str, FloatArray]
) -> tuple[FloatArray, pd.Series]:
    r"""Fill unestimated pair costs with AG's second stage (Anderson and Yotov 2016).

    PPML of :math:`\exp(\hat\gamma_{ij})` on exporter and importer effects and ``covariates``
    (international pairs with an estimate), then the prediction where :math:`\hat\gamma_{ij}`
    is missing. Domestic pairs stay 1. Returns the filled matrix and the stage-2 coefficients.
    """
    import pyfixest as pf

    n = pair_costs.shape[0]
    rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    table = pd.DataFrame(
        {
            "tij": pair_costs.ravel(),
            "exporter": rows.ravel().astype(str),
            "importer": cols.ravel().astype(str),
            **{k: np.asarray(v, dtype=float).ravel() for k, v in covariates.items()},
        }
    )
    international = rows.ravel() != cols.ravel()
    known = international & np.isfinite(table["tij"].to_numpy())
    formula = "tij ~ " + " + ".join(covariates) + " | exporter + importer"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.fepois(formula, data=table[known], vcov="hetero")
        predicted = np.asarray(fit.predict(newdata=table, type="response"), dtype=float)
    filled = pair_costs.copy().ravel()
    missing = international & ~np.isfinite(filled)
    filled[missing] = predicted[missing]
    out = filled.reshape(n, n)
    np.fill_diagonal(out, 1.0)
    return out, fit.coef()


def _derive(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    data = frame
    if "ln_DIST" in columns and "ln_DIST" not in frame.columns:
        if "DIST" not in frame.columns:
            raise EstimationError("ln_DIST asked for but there is no DIST column")
        data = data.assign(ln_DIST=np.log(frame["DIST"].to_numpy(float)))
    if "INTL_BRDR" in columns and "INTL_BRDR" not in frame.columns:
        data = data.assign(INTL_BRDR=(frame["exporter"] != frame["importer"]).astype(np.int8))
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise EstimationError(
            f"unknown columns {missing}",
            [Problem("<data>", c, f"no such column; have {list(frame.columns)}") for c in missing],
        )
    return data


def _prepare(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    fixed_effects: Sequence[str],
    international_only: bool,
    years: Sequence[int] | None,
) -> pd.DataFrame:
    unknown = [fe for fe in fixed_effects if fe not in _FE_COLUMNS]
    if unknown:
        raise EstimationError(
            f"unknown fixed effects {unknown}; expected any of {sorted(_FE_COLUMNS)}"
        )
    if not covariates:
        raise EstimationError("at least one covariate is needed")
    data = frame if years is None else frame[frame["year"].isin(list(years))]
    if international_only:
        data = data[data["exporter"] != data["importer"]]
    if data.empty:
        raise EstimationError("no observations left after selecting years and flows")
    data = _derive(data, covariates)
    columns = ["exporter", "importer", "year", "trade", *covariates]
    data = data[columns].copy()
    text = [c for c in covariates if not pd.api.types.is_numeric_dtype(data[c])]
    if text:
        raise EstimationError(
            f"covariates must be numbers: {text} hold text",
            [Problem("<data>", c, "the covariate holds text, not numbers") for c in text],
        )
    bad = ~np.isfinite(data[list(covariates)].to_numpy(float)).all(axis=1)
    if bad.any():
        raise EstimationError(f"{int(bad.sum())} rows have missing or infinite covariates")
    year = data["year"].astype(str)
    data["_fe_exporter_year"] = data["exporter"] + "_" + year
    data["_fe_importer_year"] = data["importer"] + "_" + year
    first = data["exporter"] <= data["importer"]
    low = data["exporter"].where(first, data["importer"])
    high = data["importer"].where(first, data["exporter"])
    symmetric = low + "-" + high
    data["_cluster_pair"] = symmetric
    domestic = data["exporter"] == data["importer"]
    data["_fe_pair"] = symmetric.where(~domestic, _DOMESTIC)
    _check_degrees_of_freedom(data, covariates, fixed_effects)
    return data


def _check_degrees_of_freedom(
    data: pd.DataFrame, covariates: Sequence[str], fixed_effects: Sequence[str]
) -> None:
    """Refuse a design with no more rows than parameters.

    pyfixest's compiled demeaning panics and aborts the whole process on such designs (one
    row, two countries with their own effects): it must never be called with one. The
    parameters are the covariates and the fixed-effect levels, less one per extra set.
    """
    levels = [data[_FE_COLUMNS[fe]].nunique() for fe in fixed_effects]
    params = len(covariates) + sum(levels) - max(len(levels) - 1, 0)
    if len(data) <= params:
        raise EstimationError(
            f"{len(data)} observations for {params} parameters: too few to estimate",
            [
                Problem(
                    "<data>",
                    "",
                    f"PPML needs more observations ({len(data)}) than parameters ({params}: "
                    f"{len(covariates)} covariates and the fixed effects' levels)",
                )
            ],
        )


def _pair_effects(fit: object, data: pd.DataFrame) -> pd.Series:
    effects = fit.fixef()["C(_fe_pair)"]  # type: ignore[attr-defined]
    gamma = pd.Series({str(k): float(v) for k, v in effects.items()})
    # Pairs that never trade are separated (dropped); of the rest, pyfixest omits one reference
    # level of the third set of effects, whose value is 0 (checked against its predictions).
    total = data.groupby("_fe_pair")["trade"].sum()
    kept = total.index[total.to_numpy() > 0]
    gamma = gamma.reindex(kept).fillna(0.0)
    if _DOMESTIC in gamma.index:
        gamma = gamma - gamma[_DOMESTIC]
    pairs = data[["exporter", "importer", "_fe_pair"]].drop_duplicates(["exporter", "importer"])
    pairs = pairs[pairs["_fe_pair"].isin(gamma.index)]
    values = gamma.reindex(pairs["_fe_pair"]).to_numpy()
    index = pd.MultiIndex.from_arrays(
        [pairs["exporter"].to_numpy(), pairs["importer"].to_numpy()],
        names=["exporter", "importer"],
    )
    return pd.Series(values, index=index, name="pair_effect")
