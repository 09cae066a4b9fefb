"""PPML gravity estimation against the Advanced Guide's published chapter 1 and 2 estimates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradetalks._errors import InputError
from tradetalks.data._gravity import load_gravity
from tradetalks.economics._gravity_ge import GravityEconomy, solve_gravity_ge
from tradetalks.economics._ppml import PPMLResult, estimate_ppml, fill_pair_costs, pair_matrices

AG_YEARS = list(range(1986, 2007, 4))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_gravity("agtpa_panel")


@pytest.fixture(scope="module")
def rta_pair_fe(panel: pd.DataFrame) -> PPMLResult:
    return estimate_ppml(
        panel, ["RTA"], fixed_effects=("exporter_year", "importer_year", "pair"), years=AG_YEARS
    )


def test_chapter1_structural_gravity_coefficients(panel: pd.DataFrame) -> None:
    # AG ch. 1, application 1, column "PPML" with exporter-year and importer-year effects.
    fit = estimate_ppml(
        panel, ["ln_DIST", "CNTG", "LANG", "CLNY"], international_only=True, years=AG_YEARS
    )
    book = {"ln_DIST": -0.841, "CNTG": 0.437, "LANG": 0.247, "CLNY": -0.222}
    for name, beta in book.items():
        assert round(fit.coefficients[name], 3) == pytest.approx(beta, abs=1e-3), name
    assert fit.n_obs == 28_152
    assert fit.vcov == "cluster(pair)"
    assert (fit.std_errors > 0).all()
    table = fit.table()
    assert list(table.columns) == ["coefficient", "std_error", "z"]


def test_rta_effect_with_symmetric_pair_effects(rta_pair_fe: PPMLResult) -> None:
    # AG ch. 1 / ch. 2: RTA 0.557 with exporter-year, importer-year and pair effects.
    assert rta_pair_fe.coefficients["RTA"] == pytest.approx(0.5571853, abs=1e-6)
    assert rta_pair_fe.n_obs == 28_482
    assert rta_pair_fe.n_dropped == 84
    assert any("separation" in note for note in rta_pair_fe.notes)


def test_pair_effects_follow_the_books_convention(
    panel: pd.DataFrame, rta_pair_fe: PPMLResult
) -> None:
    effects = rta_pair_fe.pair_effects
    assert effects is not None
    # Symmetric: i->j and j->i share one effect; all domestic pairs share one, normalised to 0.
    assert effects.loc[("JPN", "USA")] == effects.loc[("USA", "JPN")]
    domestic = effects[effects.index.get_level_values(0) == effects.index.get_level_values(1)]
    assert len(domestic) == 69 and np.allclose(domestic, 0.0)
    countries, cov = pair_matrices(
        panel, ["ln_DIST", "CNTG", "LANG", "CLNY", "RTA", "trade"], year=1994
    )
    tij = rta_pair_fe.pair_cost_matrix(countries)
    assert np.allclose(np.diag(tij), 1.0)
    missing = ~np.isfinite(tij)
    # Pairs that never trade have no effect: exactly the dropped (separated) observations.
    assert missing.sum() == rta_pair_fe.n_dropped // len(AG_YEARS)
    assert np.all(cov["trade"][missing] == 0)
    filled, stage2 = fill_pair_costs(tij, {k: cov[k] for k in ["ln_DIST", "CNTG", "LANG", "CLNY"]})
    assert np.isfinite(filled).all() and (filled > 0).all()
    assert np.array_equal(filled[~missing], tij[~missing])
    assert stage2["ln_DIST"] < 0


def test_pair_effects_reproduce_fitted_trade(panel: pd.DataFrame, rta_pair_fe: PPMLResult) -> None:
    # Exporter-year and importer-year effects cancel in mu_ij mu_ji / (mu_ii mu_jj), leaving
    # exp(2 gamma_ij + b (RTA_ij + RTA_ji)) with gamma_ii = 0 (Head and Mayer 2014, "tetrads").
    import warnings

    import pyfixest as pf

    data = panel[panel["year"].isin(AG_YEARS)].copy()
    data["et"] = data["exporter"] + data["year"].astype(str)
    data["it"] = data["importer"] + data["year"].astype(str)
    first = data["exporter"] <= data["importer"]
    data["pair"] = data["exporter"].where(first, data["importer"]) + data["importer"].where(
        first, data["exporter"]
    )
    data.loc[data["exporter"] == data["importer"], "pair"] = "domestic"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.fepois("trade ~ RTA | et + it + pair", data=data, vcov="hetero")
        data["mu"] = np.asarray(fit.predict(newdata=data, type="response"))
    mu = data[data["year"] == 2006].set_index(["exporter", "importer"])["mu"]
    rta = data[data["year"] == 2006].set_index(["exporter", "importer"])["RTA"]
    effects = rta_pair_fe.pair_effects
    assert effects is not None
    b = rta_pair_fe.coefficients["RTA"]
    for i, j in [("FRA", "DEU"), ("JPN", "USA"), ("ARG", "AUS"), ("CAN", "USA")]:
        tetrad = mu[(i, j)] * mu[(j, i)] / (mu[(i, i)] * mu[(j, j)])
        expected = np.exp(2 * effects.loc[(i, j)] + b * (rta[(i, j)] + rta[(j, i)]))
        # Two separate pyfixest fits (different level labels) agree to its solver tolerance.
        assert tetrad == pytest.approx(expected, rel=2e-4), (i, j)


def test_pair_effect_costs_feed_the_ge_model(panel: pd.DataFrame, rta_pair_fe: PPMLResult) -> None:
    """AG ch. 2 application 2 pipeline: pair FE + RTA costs (1994), then remove NAFTA."""
    fit = rta_pair_fe
    names = ["ln_DIST", "CNTG", "LANG", "CLNY"]
    countries, cov = pair_matrices(panel, [*names, "RTA", "trade"], year=1994)
    tij_bar, _ = fill_pair_costs(fit.pair_cost_matrix(countries), {k: cov[k] for k in names})
    beta = float(fit.coefficients["RTA"])
    nafta = [countries.index(c) for c in ("CAN", "MEX", "USA")]
    rta_cfl = cov["RTA"].copy()
    for i in nafta:
        for j in nafta:
            if i != j:
                rta_cfl[i, j] = 0.0
    t0 = tij_bar * np.exp(beta * cov["RTA"])
    t1 = tij_bar * np.exp(beta * rta_cfl)
    economy = GravityEconomy.from_trade(countries, cov["trade"], reference="DEU", sigma=7.0)
    for rule in ("ag2016", "balanced", "first_order"):
        frame = solve_gravity_ge(economy, t0, t1, full_ge=rule).to_frame()
        members = frame.loc[["CAN", "MEX", "USA"]]
        assert (members["real_gdp_pct"] < 0).all(), rule
        assert (members["exports_full_pct"] < 0).all(), rule
        assert frame.drop(["CAN", "MEX", "USA"])["real_gdp_pct"].abs().max() < 0.5


def test_bad_estimation_input_is_one_clear_error(panel: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="unknown columns"):
        estimate_ppml(panel, ["NOPE"])
    with pytest.raises(InputError, match="unknown fixed effects"):
        estimate_ppml(panel, ["RTA"], fixed_effects=("country",))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no observations"):
        estimate_ppml(panel, ["RTA"], years=[1900])
    with pytest.raises(InputError, match="expected"):
        pair_matrices(panel.iloc[:-1], ["RTA"], year=2006)
