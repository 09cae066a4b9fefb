"""Commands for one-sector structural gravity: PPML, GE counterfactuals, partial equilibrium.

``tradetalks gravity estimate``, ``tradetalks gravity counterfactual`` and ``tradetalks pe``.
pyfixest (and numba behind it) is imported inside the commands so that other commands do not
pay for it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from tradetalks._errors import InputError, Problem
from tradetalks._inputs import check_finite_result, finite_number
from tradetalks.cli._common import console, print_json, progress

if TYPE_CHECKING:
    import pandas as pd

    from tradetalks.economics._gravity_ge import GravityGEResult
    from tradetalks.economics._ppml import PPMLResult

_BUNDLED = ("agtpa_panel", "agtpa_wto", "agtpa_mfn", "gegravity_sample")
_FULL_GE = ("ag2016", "balanced", "first_order")


@dataclass(frozen=True)
class _Counterfactual:
    """A counterfactual: data, estimation and the change in cost variables."""

    data: str
    year: int
    covariates: tuple[str, ...]
    fixed_effects: tuple[str, ...]
    changes: tuple[tuple[str, float], ...]
    pairs: tuple[tuple[str, str], ...] = ()
    sigma: float = 7.0
    reference: str = "DEU"
    full_ge: str = "ag2016"
    output_col: str | None = None
    expenditure_col: str | None = None
    note: str = ""
    # With pair effects: the panel years to estimate on, and AG's stage-2 variables that
    # predict the pair costs of pairs that never trade (Anderson and Yotov 2016).
    estimation_years: tuple[int, ...] = ()
    fill_with: tuple[str, ...] = ("ln_DIST", "CNTG", "LANG", "CLNY")


_EXAMPLES = {
    # gegravity examples/examples_OneSectorGE.py: CAN and JPN sign a PTA; sigma = 5; DEU reference.
    "can-jpn": _Counterfactual(
        data="gegravity_sample",
        year=2006,
        covariates=("lndist", "contiguity", "common_language", "pta", "international"),
        fixed_effects=("exporter", "importer"),
        changes=(("pta", 1.0),),
        pairs=(("CAN", "JPN"), ("JPN", "CAN")),
        sigma=5.0,
        full_ge="first_order",
        output_col="Y",
        expenditure_col="E",
        note="gegravity's documented example (it reports real GDP CAN +0.418%, JPN +0.054%)",
    ),
    # AG ch. 2 application 1 (Yotov et al. 2016, p. 104): remove every international border.
    "trade-without-borders": _Counterfactual(
        data="agtpa_panel",
        year=2006,
        covariates=("ln_DIST", "CNTG", "INTL_BRDR"),
        fixed_effects=("exporter", "importer"),
        changes=(("INTL_BRDR", 0.0),),
        sigma=7.0,
        note="Advanced Guide ch. 2, 'trade without borders' (PPML -0.791, 0.674, -2.474; sigma 7)",
    ),
    # AG ch. 2 application 2 (RTAsEffects.do): pair effects + RTA on the 1986-2006 panel every
    # 4 years, baseline 1994, NAFTA's RTA dummies set to 0.
    "remove-nafta": _Counterfactual(
        data="agtpa_panel",
        year=1994,
        covariates=("RTA",),
        fixed_effects=("exporter_year", "importer_year", "pair"),
        changes=(("RTA", 0.0),),
        pairs=tuple((a, b) for a in ("CAN", "MEX", "USA") for b in ("CAN", "MEX", "USA") if a != b),
        sigma=7.0,
        estimation_years=tuple(range(1986, 2007, 4)),
        note="Advanced Guide ch. 2 application 2: NAFTA's trade-cost effect removed (1994)",
    ),
}


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _load(
    data: str, exporter: str, importer: str, year: str, trade: str, years: tuple[int, ...] | None
) -> pd.DataFrame:
    from tradetalks.data._gravity import load_gravity, read_gravity_file

    if data in _BUNDLED:
        return load_gravity(data, years=years)  # type: ignore[arg-type]
    if not Path(data).exists():
        raise InputError(
            f"{data}: not a bundled data set nor a file",
            [
                Problem(
                    data,
                    "DATA",
                    "not a bundled data set nor a file; expected one of "
                    + ", ".join(_BUNDLED)
                    + " or a file path",
                )
            ],
        )
    return read_gravity_file(
        data, exporter=exporter, importer=importer, year=year, trade=trade, years=years
    )


def _years(value: str | None) -> tuple[int, ...] | None:
    if not value:
        return None
    try:
        return tuple(int(v) for v in _csv(value))
    except ValueError:
        raise InputError(
            f"--years: expected comma-separated years, got {value!r}",
            [Problem("<command line>", "--years", f"expected e.g. 1986,1990, got {value!r}")],
        ) from None


def _estimate(frame: pd.DataFrame, spec: _Counterfactual, vcov: str = "hetero") -> PPMLResult:
    from tradetalks.economics._ppml import estimate_ppml

    with progress() as bar:
        task = bar.add_task("PPML estimation", total=1)
        fit = estimate_ppml(
            frame,
            list(spec.covariates),
            fixed_effects=spec.fixed_effects,  # type: ignore[arg-type]
            vcov=vcov,  # type: ignore[arg-type]
            years=list(spec.estimation_years or (spec.year,)),
        )
        bar.advance(task)
    return fit


def _solve(spec: _Counterfactual, frame: pd.DataFrame, fit: PPMLResult) -> GravityGEResult:
    import numpy as np

    from tradetalks.economics._gravity_ge import (
        GravityEconomy,
        solve_gravity_ge,
        trade_cost_factor,
    )
    from tradetalks.economics._ppml import fill_pair_costs, pair_matrices

    names = [c for c in spec.covariates if c in fit.coefficients.index]
    columns = [*names, "trade"]
    if fit.pair_effects is not None:
        columns += [c for c in spec.fill_with if c not in columns]
    for col in (spec.output_col, spec.expenditure_col):
        if col and col not in columns:
            columns.append(col)
    countries, cov = pair_matrices(frame, columns, year=spec.year)
    coefs = {k: float(fit.coefficients[k]) for k in names}
    new_cov = dict(cov)
    index = {c: k for k, c in enumerate(countries)}
    for name, value in spec.changes:
        if name not in coefs:
            raise InputError(
                f"--set {name}: not an estimated trade-cost variable",
                [Problem("<command line>", "--set", f"{name!r} is not one of {names}")],
            )
        changed = new_cov[name].copy()
        if spec.pairs:
            for exporter, importer in spec.pairs:
                unknown = [c for c in (exporter, importer) if c not in index]
                if unknown:
                    raise InputError(
                        f"--pairs: unknown country {unknown[0]!r}",
                        [Problem("<command line>", "--pairs", f"{unknown[0]!r} not in the data")],
                    )
                changed[index[exporter], index[importer]] = value
        else:
            changed = np.where(np.isfinite(changed), value, changed)
        new_cov[name] = changed
    t0 = trade_cost_factor({k: cov[k] for k in names}, coefs)
    t1 = trade_cost_factor({k: new_cov[k] for k in names}, coefs)
    if fit.pair_effects is not None:
        # AG's t_ij = exp(gamma_ij + b'x_ij), gamma from the pair effects (domestic = 0).
        pair_costs, _ = fill_pair_costs(
            fit.pair_cost_matrix(countries), {k: cov[k] for k in spec.fill_with}
        )
        t0, t1 = t0 * pair_costs, t1 * pair_costs
    if spec.output_col and spec.expenditure_col:
        output = np.nanmax(cov[spec.output_col], axis=1)
        expenditure = np.nanmax(cov[spec.expenditure_col], axis=0)
        economy = GravityEconomy(countries, output, expenditure, spec.reference, spec.sigma)
    else:
        economy = GravityEconomy.from_trade(
            countries, cov["trade"], reference=spec.reference, sigma=spec.sigma
        )
    return solve_gravity_ge(economy, t0, t1, full_ge=spec.full_ge)  # type: ignore[arg-type]


def _parse_changes(values: list[str]) -> tuple[tuple[str, float], ...]:
    out = []
    for item in values:
        name, sep, value = item.partition("=")
        try:
            out.append((name.strip(), float(value)))
        except ValueError:
            sep = ""
        if not sep or not name.strip():
            raise InputError(
                f"--set: expected VARIABLE=VALUE, got {item!r}",
                [Problem("<command line>", "--set", f"expected e.g. pta=1, got {item!r}")],
            )
    return tuple(out)


def _parse_pairs(value: str | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in _csv(value):
        exporter, sep, importer = item.partition("-")
        if not sep or not exporter or not importer:
            raise InputError(
                f"--pairs: expected EXPORTER-IMPORTER, got {item!r}",
                [Problem("<command line>", "--pairs", f"expected e.g. CAN-JPN, got {item!r}")],
            )
        pairs.append((exporter, importer))
    return tuple(pairs)


def _fit_table(fit: PPMLResult, title: str) -> Table:
    table = Table(title=f"{title} (SE: {fit.vcov})")
    for col in ("variable", "coefficient", "std. error", "z"):
        table.add_column(col, justify="left" if col == "variable" else "right")
    for name, row in fit.table().iterrows():
        table.add_row(
            str(name), f"{row['coefficient']:.4f}", f"{row['std_error']:.4f}", f"{row['z']:.2f}"
        )
    return table


def _fit_json(fit: PPMLResult) -> dict[str, Any]:
    return {
        "coefficients": fit.coefficients.to_dict(),
        "std_errors": fit.std_errors.to_dict(),
        "vcov": fit.vcov,
        "n_obs": fit.n_obs,
        "n_dropped": fit.n_dropped,
        "fixed_effects": list(fit.fixed_effects),
        "notes": list(fit.notes),
    }


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    gravity = typer.Typer(
        help="Structural gravity: PPML estimation and general-equilibrium counterfactuals.",
        no_args_is_help=True,
    )
    app.add_typer(gravity, name="gravity")

    @gravity.command("estimate")
    def estimate(
        data: Annotated[
            str, typer.Argument(help="Bundled data set (" + ", ".join(_BUNDLED) + ") or a file.")
        ] = "agtpa_panel",
        covariates: Annotated[
            str, typer.Option(help="Comma-separated regressors.")
        ] = "ln_DIST,CNTG,LANG,CLNY",
        fe: Annotated[
            str,
            typer.Option(
                help="Fixed effects: exporter_year, importer_year, exporter, importer, pair."
            ),
        ] = "exporter_year,importer_year",
        years: Annotated[
            str | None,
            typer.Option(
                help="Comma-separated years (default: AG's 1986,1990,...,2006 for agtpa_panel, "
                "else all)."
            ),
        ] = None,
        international_only: Annotated[
            bool, typer.Option("--international-only", help="Drop intra-national flows.")
        ] = False,
        vcov: Annotated[str, typer.Option(help="cluster (by pair) or hetero.")] = "cluster",
        exporter_col: Annotated[str, typer.Option(help="Exporter column of a file.")] = "exporter",
        importer_col: Annotated[str, typer.Option(help="Importer column of a file.")] = "importer",
        year_col: Annotated[str, typer.Option(help="Year column of a file.")] = "year",
        trade_col: Annotated[str, typer.Option(help="Trade column of a file.")] = "trade",
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Estimate a gravity equation by PPML (pyfixest), as in the Advanced Guide ch. 1."""
        from tradetalks.economics._ppml import estimate_ppml

        if vcov not in ("cluster", "hetero"):
            raise InputError(
                f"--vcov: expected cluster or hetero, got {vcov!r}",
                [Problem("<command line>", "--vcov", f"expected cluster or hetero, got {vcov!r}")],
            )
        wanted = _years(years)
        if wanted is None and data == "agtpa_panel":
            wanted = tuple(range(1986, 2007, 4))  # AG ch. 1 uses every fourth year
        frame = _load(data, exporter_col, importer_col, year_col, trade_col, wanted)
        with progress() as bar:
            task = bar.add_task("PPML estimation", total=1)
            fit = estimate_ppml(
                frame,
                list(_csv(covariates)),
                fixed_effects=_csv(fe),  # type: ignore[arg-type]
                international_only=international_only,
                vcov=vcov,  # type: ignore[arg-type]
            )
            bar.advance(task)
        if as_json:
            print_json({"data": data, **_fit_json(fit)})
            return
        console.print(_fit_table(fit, f"PPML on {data}: FE {fe}"))
        console.print(f"{fit.n_obs} observations ({fit.n_dropped} dropped), SE {fit.vcov}")
        for note in fit.notes:
            console.print(f"[dim]note: {note}[/]")

    @gravity.command("counterfactual")
    def counterfactual(
        ctx: typer.Context,
        example: Annotated[
            str | None,
            typer.Argument(help="A ready example: " + ", ".join(_EXAMPLES) + "."),
        ] = None,
        data: Annotated[
            str,
            typer.Option(
                help="Bundled data set, or a CSV/Parquet file with columns exporter, importer, "
                "year, trade and the cost variables."
            ),
        ] = "agtpa_panel",
        year: Annotated[int, typer.Option(help="Year of the baseline.")] = 2006,
        covariates: Annotated[
            str, typer.Option(help="Trade-cost variables.")
        ] = "ln_DIST,CNTG,INTL_BRDR",
        fe: Annotated[str, typer.Option(help="Fixed effects.")] = "exporter,importer",
        estimation_years: Annotated[
            str | None,
            typer.Option(help="Years to estimate on (needed with pair effects; default: --year)."),
        ] = None,
        set_: Annotated[
            list[str] | None,
            typer.Option("--set", help="Counterfactual value, VARIABLE=VALUE (repeatable)."),
        ] = None,
        pairs: Annotated[
            str | None,
            typer.Option(help="Pairs the --set applies to, EXP-IMP,... (default: all)."),
        ] = None,
        output_col: Annotated[
            str | None, typer.Option(help="Column with exporter output Y (default: row sums).")
        ] = None,
        expenditure_col: Annotated[
            str | None,
            typer.Option(help="Column with importer expenditure E (default: column sums)."),
        ] = None,
        sigma: Annotated[float | None, typer.Option(help="Elasticity of substitution.")] = None,
        reference: Annotated[str | None, typer.Option(help="Reference importer.")] = None,
        full_ge: Annotated[
            str | None, typer.Option(help="Full-GE rule: ag2016, balanced or first_order.")
        ] = None,
        top: Annotated[
            int | None, typer.Option(help="Show only the N largest real GDP changes.")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Estimate trade costs by PPML, then solve baseline, conditional and full GE."""
        if example is not None:
            if example not in _EXAMPLES:
                raise InputError(
                    f"unknown example {example!r}",
                    [
                        Problem(
                            "<command line>",
                            "EXAMPLE",
                            f"unknown example {example!r}; expected " + ", ".join(_EXAMPLES),
                        )
                    ],
                )
            _refuse_with_example(ctx, example)
            spec = _EXAMPLES[example]
        else:
            if not set_:
                raise InputError(
                    "nothing to simulate: give an EXAMPLE or at least one --set VARIABLE=VALUE",
                    [
                        Problem(
                            "<command line>",
                            "--set",
                            "nothing to simulate: give an EXAMPLE or --set VARIABLE=VALUE",
                        )
                    ],
                )
            spec = _Counterfactual(
                data=data,
                year=year,
                covariates=_csv(covariates),
                fixed_effects=_csv(fe),
                changes=_parse_changes(set_),
                pairs=_parse_pairs(pairs),
                output_col=output_col,
                expenditure_col=expenditure_col,
                estimation_years=_years(estimation_years) or (),
            )
            if (output_col is None) != (expenditure_col is None):
                raise InputError(
                    "--output-col and --expenditure-col go together",
                    [
                        Problem(
                            "<command line>",
                            "--output-col/--expenditure-col",
                            "give both columns, or neither (then trade sums are used)",
                        )
                    ],
                )
        if full_ge is not None and full_ge not in _FULL_GE:
            raise InputError(
                f"--full-ge: unknown rule {full_ge!r}",
                [
                    Problem(
                        "<command line>",
                        "--full-ge",
                        f"unknown rule {full_ge!r}; expected " + ", ".join(_FULL_GE),
                    )
                ],
            )
        if sigma is not None:
            spec = replace(spec, sigma=sigma)
        if reference is not None:
            spec = replace(spec, reference=reference)
        if full_ge is not None:
            spec = replace(spec, full_ge=full_ge)
        if "pair" in spec.fixed_effects and len(spec.estimation_years) < 2:
            raise InputError(
                "pair fixed effects need a panel",
                [
                    Problem(
                        "<command line>",
                        "--estimation-years",
                        "pair fixed effects need several years, e.g. 1986,1990,...,2006",
                    )
                ],
            )
        years = tuple(sorted({spec.year, *spec.estimation_years}))
        frame = _load(spec.data, "exporter", "importer", "year", "trade", years)
        fit = _estimate(frame, spec)
        result = _solve(spec, frame, fit)
        _show_counterfactual(spec, fit, result, top, as_json)

    @app.command("pe")
    def pe(
        imports_musd: Annotated[
            float, typer.Option(help="Base imports from the partner, million USD.")
        ],
        tariff: Annotated[float, typer.Option(help="Base tariff (0.025 = 2.5%).")],
        new_tariff: Annotated[float, typer.Option(help="Tariff after the change.")],
        import_elasticity: Annotated[
            float, typer.Option(help="Import-demand elasticity (negative).")
        ] = -1.0,
        substitution: Annotated[
            float, typer.Option(help="Substitution elasticity between partners (SMART: 1.5).")
        ] = 1.5,
        supply: Annotated[
            float, typer.Option(help="Export-supply elasticity (SMART: 99 = infinite).")
        ] = 99.0,
        partner: Annotated[str, typer.Option(help="Partner's code.")] = "PARTNER",
        rest_imports_musd: Annotated[
            float | None, typer.Option(help="Imports from the rest of the world, million USD.")
        ] = None,
        rest_tariff: Annotated[
            float | None, typer.Option(help="Rest of world's tariff (kept unchanged).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Partial equilibrium of a tariff cut on one line (SMART): creation, diversion, surplus."""
        from tradetalks.economics._pe import smart_partial_equilibrium, tariff_line

        for name, value in (
            ("--imports-musd", imports_musd),
            ("--tariff", tariff),
            ("--new-tariff", new_tariff),
            ("--import-elasticity", import_elasticity),
            ("--substitution", substitution),
            ("--supply", supply),
            ("--rest-imports-musd", rest_imports_musd),
            ("--rest-tariff", rest_tariff),
        ):
            if value is not None:
                finite_number(value, name)
        partners, imports, t0, t1 = [partner], [imports_musd], [tariff], [new_tariff]
        if rest_imports_musd is not None:
            rest = tariff if rest_tariff is None else rest_tariff
            partners.append("REST")
            imports.append(rest_imports_musd)
            t0.append(rest)
            t1.append(rest)
        result = smart_partial_equilibrium(
            tariff_line(partners, imports, t0, t1),
            import_demand_elasticity=import_elasticity,
            substitution_elasticity=substitution,
            export_supply_elasticity=supply,
        )
        frame = result.to_frame()
        totals = {
            "tariff_revenue_musd": result.tariff_revenue_musd,
            "tariff_revenue_change_musd": result.tariff_revenue_change_musd,
            "consumer_surplus_change_musd": result.consumer_surplus_change_musd,
            "importer_welfare_change_musd": result.importer_welfare_change_musd,
        }
        elasticities = {
            "import_demand": import_elasticity,
            "substitution": substitution,
            "export_supply": supply,
        }
        out = {
            "elasticities": elasticities,
            "partners": frame.reset_index().to_dict(orient="records"),
            **totals,
        }
        check_finite_result(out, "pe")  # before anything is printed, table or JSON
        if as_json:
            print_json(out)
            return
        table = Table(title="Partial equilibrium (SMART), million USD")
        for col in ("partner", "imports", "tariff", "new", "creation", "diversion", "duties saved"):
            table.add_column(col, justify="left" if col == "partner" else "right")
        for name, row in frame.iterrows():
            table.add_row(
                str(name),
                f"{row['imports_musd']:,.1f}",
                f"{row['tariff_rate']:.2%}",
                f"{row['new_tariff_rate']:.2%}",
                f"{row['trade_creation_musd']:,.1f}",
                f"{row['trade_diversion_musd']:,.1f}",
                f"{row['duties_saved_musd']:,.1f}",
            )
        console.print(table)
        for key, value in totals.items():
            console.print(f"{key}: {value:,.1f}")
        console.print(
            f"[dim]elasticities: import demand {import_elasticity}, substitution "
            f"{substitution}, export supply {supply}[/]"
        )


# What an example fixes; --sigma, --reference and --full-ge may still change how it is solved.
_EXAMPLE_FIXES = {
    "data": "--data",
    "year": "--year",
    "covariates": "--covariates",
    "fe": "--fe",
    "estimation_years": "--estimation-years",
    "set_": "--set",
    "pairs": "--pairs",
    "output_col": "--output-col",
    "expenditure_col": "--expenditure-col",
}


def _refuse_with_example(ctx: typer.Context, example: str) -> None:
    """Refuse options that would change an example's data or experiment (not ignore them)."""
    given = [
        flag
        for name, flag in _EXAMPLE_FIXES.items()
        if (source := ctx.get_parameter_source(name)) is not None and source.name != "DEFAULT"
    ]
    if given:
        raise InputError(
            f"{', '.join(given)} cannot change the example {example!r}",
            [
                Problem(
                    "<command line>",
                    flag,
                    f"the example {example!r} fixes its data and experiment; drop {flag}, or "
                    "leave out the example and give --data, --covariates, --set... yourself",
                )
                for flag in given
            ],
        )


def _show_counterfactual(
    spec: _Counterfactual,
    fit: PPMLResult,
    result: GravityGEResult,
    top: int | None,
    as_json: bool,
) -> None:
    frame = result.to_frame()
    if top is not None:
        frame = frame.loc[frame["real_gdp_pct"].abs().sort_values(ascending=False).index[:top]]
    info = result.info
    solver = {
        "full_ge": info.full_ge,
        "converged": info.converged,
        "iterations": info.iterations,
        "last_price_update_change": info.last_price_update_change,
    }
    if as_json:
        print_json(
            {
                "note": spec.note,
                "data": spec.data,
                "year": spec.year,
                "sigma": spec.sigma,
                "reference": spec.reference,
                "changes": dict(spec.changes),
                "pairs": ["-".join(p) for p in spec.pairs],
                "ppml": _fit_json(fit),
                "solver": solver,
                "countries": frame.reset_index().to_dict(orient="records"),
            }
        )
        return
    if spec.note:
        console.print(f"[bold]{spec.note}[/]")
    console.print(_fit_table(fit, f"Trade costs: PPML on {spec.data} {spec.year}"))
    title = (
        f"Changes in percent (sigma {spec.sigma:g}, reference {spec.reference}, "
        f"full GE: {info.full_ge}, {info.iterations} iteration(s))"
    )
    table = Table(title=title)
    columns = {
        "exports_conditional_pct": "exports CDL",
        "exports_full_pct": "exports full",
        "factory_price_pct": "factory price",
        "omr_full_pct": "outward MR",
        "imr_full_pct": "inward MR",
        "real_gdp_pct": "real GDP",
    }
    table.add_column("country")
    for label in columns.values():
        table.add_column(label, justify="right")
    for country, row in frame.iterrows():
        table.add_row(str(country), *(f"{row[c]:.3f}" for c in columns))
    console.print(table)
