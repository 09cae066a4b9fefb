"""PPML on the Advanced Guide's chapter 1 specification: tradetalks (pyfixest) vs gme 1.3 (USITC).

Run: .venv/bin/python benchmarks/bench_ppml.py [--skip-gme]

Specification (Yotov et al. 2016, ch. 1, application 1, "PPML" column): international flows of
the 69-country panel, 1986-2006 every 4 years, exporter-year and importer-year fixed effects,
ln DIST, CNTG, LANG, CLNY, standard errors clustered by pair. gme builds the fixed effects as
dummy columns and fits a GLM with statsmodels: expect minutes. ``--skip-gme`` skips it.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from tradetalks.data._gravity import load_gravity
from tradetalks.economics._ppml import estimate_ppml

COVARIATES = ["ln_DIST", "CNTG", "LANG", "CLNY"]
YEARS = list(range(1986, 2007, 4))
BOOK = {"ln_DIST": -0.841, "CNTG": 0.437, "LANG": 0.247, "CLNY": -0.222}


def ours(panel, vcov: str = "cluster"):  # type: ignore[no-untyped-def]
    return estimate_ppml(panel, COVARIATES, international_only=True, years=YEARS, vcov=vcov)


def run_gme(panel):  # type: ignore[no-untyped-def]
    import gme

    data = panel[panel["year"].isin(YEARS) & (panel["exporter"] != panel["importer"])].copy()
    data["ln_DIST"] = np.log(data["DIST"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est_data = gme.EstimationData(
            data, imp_var_name="importer", exp_var_name="exporter", trade_var_name="trade",
            year_var_name="year",
        )  # fmt: skip
        model = gme.EstimationModel(
            est_data, lhs_var="trade", rhs_var=COVARIATES,
            fixed_effects=[["exporter", "year"], ["importer", "year"]],
        )  # fmt: skip
        model.estimate()
    return model.results_dict["all"].params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-gme", action="store_true", help="do not run gme (minutes)")
    args = parser.parse_args()
    panel = load_gravity("agtpa_panel")
    start = time.perf_counter()
    first = ours(panel)
    t_first = time.perf_counter() - start
    start = time.perf_counter()
    fit = ours(panel)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    ours(panel, "hetero")
    t_hetero = time.perf_counter() - start
    print("AG ch. 1 PPML, exporter-year + importer-year FE, 28,152 international flows")
    print(f"{'':10}{'book':>8}{'ours':>10}")
    for name, beta in BOOK.items():
        print(f"{name:10}{beta:8.3f}{fit.coefficients[name]:10.4f}")
    assert first.coefficients.equals(fit.coefficients)
    print(f"ours (pyfixest): {t_ours:.2f} s with clustered SEs, {t_hetero:.2f} s robust; "
          f"first call in a process {t_first:.2f} s (numba compilation)")  # fmt: skip
    if args.skip_gme:
        print("gme: skipped (--skip-gme)")
        return
    start = time.perf_counter()
    params = run_gme(panel)
    t_gme = time.perf_counter() - start
    gaps = {name: abs(params[name] - fit.coefficients[name]) for name in BOOK}
    print(f"gme: {t_gme:.1f} s; max |coefficient gap| vs ours {max(gaps.values()):.1e}")
    print(f"ratio gme / ours: {t_gme / t_ours:.0f}x")


if __name__ == "__main__":
    main()
