"""Commands of the economics layer: ``tradetalks price`` (Caliendo–Parro on WIOD)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from tradetalks._errors import InputError, Problem
from tradetalks._inputs import DECOMPOSITION_RTOL, check_finite_result, decomposition_gap
from tradetalks.cli._common import console, err_console, print_json
from tradetalks.data import (
    INVENTORY_METHODS,
    PYMRIO_FORMATS,
    WIOD_SECTORS,
    Cp2015Table,
    WiodTable,
    is_cp2015_dir,
    load_wiod,
    read_cp2015,
    read_pymrio,
    read_table,
)
from tradetalks.economics import (
    CPBaseline,
    CPResult,
    CPShock,
    ShockEntry,
    Target,
    TargetOutcome,
    calibrate,
    calibrate_cp2015,
    column_shock,
    cp_decomposition,
    default_elasticities,
    equilibrium_baseline,
    is_target_text,
    make_shock,
    parse_shock,
    parse_target,
    solve,
    solve_targets,
    tariff_array,
)
from tradetalks.game import outcome_entries, scenario_baseline
from tradetalks.scenario import load_scenario

# Published trade elasticities lie within 0.4-65 (CP 2015 Table 1; Simonovska-Waugh 2014);
# far outside, 1/theta over- or underflows and the solver diverges on the user's number.
_THETA_RANGE = (0.01, 1000.0)


def _elasticities(overrides: list[str]) -> tuple[float, ...] | None:
    if not overrides:
        return None
    theta = list(default_elasticities(WIOD_SECTORS))
    for text in overrides:
        code, _, value = text.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if code not in WIOD_SECTORS or not _THETA_RANGE[0] <= number <= _THETA_RANGE[1]:
            raise InputError(
                f"bad --theta {text!r}",
                [
                    Problem(
                        "--theta",
                        code,
                        f"{text!r}: expected SECTOR=VALUE, e.g. c15=1.01, with a trade "
                        f"elasticity from {_THETA_RANGE[0]:g} to {_THETA_RANGE[1]:g}",
                    )
                ],
            )
        theta[WIOD_SECTORS.index(code)] = number
    return tuple(theta)


# The highest applied tariffs on record are a few hundred percent (Japan's rice, 778%).
_MAX_BASELINE_TARIFF = 20.0


def _baseline_tariffs(texts: list[str]) -> list[tuple[str, str, list[str], float]]:
    rows = []
    for text in texts:
        try:
            entry = parse_shock(text, WIOD_SECTORS)
        except InputError as error:  # its message names --shock: say which option it was
            lines = [line.replace("--shock", "--baseline-tariff") for line in error.lines()]
            raise InputError(f"bad --baseline-tariff {text!r}", lines) from None
        if entry.kind != "tariff" or entry.mode != "level":
            raise InputError(
                f"bad --baseline-tariff {text!r}",
                [Problem("--baseline-tariff", "", f"{text!r}: expected a tariff level, e.g. "
                         "'USA<-JPN c15 tariff 0.025'")],
            )  # fmt: skip
        if not 0.0 <= entry.rate <= _MAX_BASELINE_TARIFF:
            limit = f"{_MAX_BASELINE_TARIFF:g} ({_MAX_BASELINE_TARIFF:.0%})"
            raise InputError(
                f"bad --baseline-tariff {text!r}",
                [Problem("--baseline-tariff", "", f"{text!r}: a tariff level from 0 to "
                         f"{limit}, got {entry.rate:g}")],
            )  # fmt: skip
        rows.append((entry.importer, entry.exporter, list(entry.sectors), entry.rate))
    return rows


Item = ShockEntry | Target


def _parse_item(text: str, sectors: tuple[str, ...] | None) -> Item:
    """A ``--shock``: a wedge (``parse_shock``) or a quantity (``parse_target``)."""
    return parse_target(text, sectors) if is_target_text(text) else parse_shock(text, sectors)


def _check_labels(
    countries: tuple[str, ...], sectors: tuple[str, ...], entries: list[Item]
) -> None:
    """Fail fast on unknown codes, before the (slower) calibration."""
    for e in entries:
        for code in (e.importer, e.exporter):
            if code != "*" and code not in countries:
                raise InputError(
                    f"unknown country {code!r}",
                    [Problem("--shock", "country", f"unknown country {code!r}; known: "
                             + ", ".join(countries))],
                )  # fmt: skip
        for code in e.sectors:
            if code not in sectors:
                raise InputError(
                    f"unknown sector {code!r}",
                    [Problem("--shock", "sector", f"unknown sector {code!r}; known: "
                             f"{sectors[0]}..{sectors[-1]}")],
                )  # fmt: skip


def _scenario_outcome(
    scenario: str, outcome: list[str], shocks: list[str], inventories: str | None = None
) -> tuple[CPBaseline, list[Item], str, int | None, str]:
    """The scenario's baseline, the entries that move it to the chosen outcome, its data."""
    s = load_scenario(scenario)
    if inventories is not None:  # --inventories overrides the scenario's [economics] choice
        econ = s.economics.model_copy(update={"inventories": inventories})
        s = s.model_copy(update={"economics": econ})
    choices: dict[str, str] = {}
    for item in outcome:
        issue, eq, option = item.partition("=")
        if not eq or not issue or not option:
            raise InputError(f"bad --outcome {item!r}: expected ISSUE=OPTION")
        choices[issue.strip()] = option.strip()
    extra = [_parse_item(text, WIOD_SECTORS) for text in shocks]
    with err_console.status(f"calibrating the model for {s.id}..."):
        base = scenario_baseline(s)
        entries = outcome_entries(s, choices, base) + extra
    label = f"{s.id}: " + (", ".join(f"{k}={v}" for k, v in choices.items()) or "status quo")
    if shocks:
        label += "; " + "; ".join(shocks)
    where = "WIOD" if s.economics.table is None else "table"
    return base, entries, label, s.economics.year, where


def _pct(x: float) -> str:
    return f"{100.0 * x:+.4f}%"


def _parts_add_up(result: CPResult) -> bool:
    if result.welfare_residual is None:
        return True
    return decomposition_gap(np.log(result.welfare_hat), result.welfare_residual) is None


def _at(values: np.ndarray | None, n: int) -> float:
    return 0.0 if values is None else float(values[n])


def _country_rows(base: CPBaseline, result: CPResult) -> list[dict[str, Any]]:
    rows = []
    for n, code in enumerate(result.countries):
        row: dict[str, Any] = {
            "country": code,
            "welfare_change": float(result.welfare_change[n]),
            "real_wage_change": float(result.real_wage_hat[n] - 1.0),
            "tariff_revenue_musd": float(result.tariff_revenue_musd[n]),
            "tariff_revenue_change_musd": float(
                result.tariff_revenue_musd[n] - base.tariff_revenue_musd[n]
            ),
            # rents by recipient: the importer's government is tariff_revenue_musd
            "holder_rent_musd": _at(result.holder_rent_musd, n),
            "exporter_rent_musd": _at(result.exporter_rent_musd, n),
            "exports_musd": float(result.exports_musd[n].sum()),
            "imports_musd": float(result.imports_musd[n].sum()),
        }
        if result.welfare_tot is not None and _parts_add_up(result):
            assert result.welfare_vot is not None and result.welfare_ntb is not None
            row.update(
                terms_of_trade=float(result.welfare_tot[n]),
                volume_of_trade=float(result.welfare_vot[n]),
                ntb_cost=float(result.welfare_ntb[n]),
                licence_rents=_at(result.welfare_licence, n),
                exporter_rents=_at(result.welfare_rent, n),
            )
        rows.append(row)
    return rows


def _table2_rows(base: CPBaseline, shock: CPShock, result: CPResult) -> list[dict[str, Any]]:
    """CP (2015) Table 2 columns, in percent as published (discrete eq. 19 at baseline flows)."""
    dec = cp_decomposition(base, shock, result)
    return [
        {
            "country": code,
            "welfare_pct": 100.0 * float(dec.welfare[n]),
            "terms_of_trade_pct": 100.0 * float(dec.terms_of_trade[n]),
            "volume_of_trade_pct": 100.0 * float(dec.volume_of_trade[n]),
            "technical_pct": 100.0 * float(dec.technical[n]),
            "real_wage_pct": 100.0 * float(result.real_wage_hat[n] - 1.0),
        }
        for n, code in enumerate(base.countries)
    ]


def _cp2015_baseline(
    data: Path,
    baseline_column: str,
    counterfactual_column: str | None,
    zero_deficits: bool,
    shocks: list[str],
    label: str,
) -> tuple[CPBaseline, CPShock | None, list[Item], int | None]:
    """Calibrate on a folder in the cp2015 layout; the shock is a tariff column or ``shocks``."""
    table = read_cp2015(data)
    entries = [_parse_item(text, table.sectors) for text in shocks]
    _check_labels(table.countries, table.sectors, entries)
    if counterfactual_column is not None and entries:
        raise InputError(
            "give either --counterfactual-column or --shock, not both",
            [Problem("--counterfactual-column", "", "a column already sets every tariff")],
        )
    base = calibrate_cp2015(table, baseline_column, zero_deficits=zero_deficits)
    if counterfactual_column is None:
        return base, None, entries, table.year
    if counterfactual_column not in table.tariffs:
        raise InputError(
            f"no tariff column {counterfactual_column!r}",
            [Problem(str(data), "--counterfactual-column", f"{counterfactual_column!r} is not "
                     "a column of trade; columns: " + ", ".join(table.tariffs))],
        )  # fmt: skip
    iceberg = table.iceberg.get("d_" + counterfactual_column.removeprefix("tariff_"))
    shock = column_shock(base, table.tariffs[counterfactual_column], iceberg, label=label)
    return base, shock, entries, table.year


def _target_rows(outcomes: tuple[TargetOutcome, ...]) -> list[dict[str, Any]]:
    return [
        {
            "importer": o.target.importer,
            "exporter": o.target.exporter,
            "sectors": list(o.target.sectors),
            "kind": o.target.kind,
            "target": o.target.value,
            "achieved": o.achieved,
            "binding": o.binding,
            "regime": o.regime,
            "shadow_price": o.shadow_price,
            "rent_musd": o.rent_musd,
            "subsidy_musd": o.subsidy_musd,
        }
        for o in outcomes
    ]


def _solve_items(
    base: CPBaseline, items: list[Item], label: str
) -> tuple[CPShock, CPResult, tuple[TargetOutcome, ...]]:
    entries = [e for e in items if isinstance(e, ShockEntry)]
    targets = [t for t in items if isinstance(t, Target)]
    if not targets:
        shock = make_shock(base, entries, label=label)
        return shock, solve(base, shock), ()
    sol = solve_targets(base, entries, targets, label=label)
    return sol.shock, sol.result, sol.outcomes


def _cell_rows(base: CPBaseline, result: CPResult, entries: list[Item]) -> list[dict[str, Any]]:
    assert result.trade_musd is not None
    before_all = base.sales_musd
    cells = sorted(
        {
            (n, i, base.sector_index(s))
            for e in entries
            for n in ([base.country_index(e.importer)] if e.importer != "*" else [])
            for i in ([base.country_index(e.exporter)] if e.exporter != "*" else [])
            for s in e.sectors
        }
    )
    rows = []
    gross0 = base.gross_output_musd
    for n, i, j in cells:
        before, after = float(before_all[n, i, j]), float(result.trade_musd[n, i, j])
        rows.append(
            {
                "importer": base.countries[n],
                "exporter": base.countries[i],
                "sector": base.sectors[j],
                "flow_before_musd": before,
                "flow_after_musd": after,
                "flow_change": after / before - 1.0 if before > 0 else None,
                "exporter_output_change": float(result.gross_output_musd[i, j] / gross0[i, j] - 1)
                if gross0[i, j] > 0
                else None,
                "importer_output_change": float(result.gross_output_musd[n, j] / gross0[n, j] - 1)
                if gross0[n, j] > 0
                else None,
                "bilateral_balance_exporter_musd": float(result.bilateral_balance_musd[i, n]),
                "bilateral_balance_exporter_before_musd": float(
                    before_all[n, i].sum() - before_all[i, n].sum()
                ),
            }
        )
    return rows


def price(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Price an outcome of this scenario (a built-in name or a TOML file); "
            "its data year, baseline tariffs and elasticities are used."
        ),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            help="With SCENARIO: ISSUE=OPTION (issues not named stay at their status quo). "
            "Repeatable.",
        ),
    ] = None,
    shock: Annotated[
        list[str] | None,
        typer.Option(
            "--shock",
            "-s",
            help="IMPORTER<-EXPORTER SECTORS tariff|ntb [+|-|=]RATE, e.g. "
            "'USA<-JPN c15 tariff +0.25' (+/- a change, = or no sign a level; sectors "
            "c1,c3 or *; '*' as a country = all others). Repeat for several.",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(help="WIOD year, 1995-2011 (default 2011); with --data, the year to keep."),
    ] = None,
    baseline_tariff: Annotated[
        list[str] | None,
        typer.Option(
            "--baseline-tariff",
            help="Applied tariff in the data year, e.g. 'USA<-JPN c15 tariff 0.025'. Repeatable.",
        ),
    ] = None,
    theta: Annotated[
        list[str] | None,
        typer.Option("--theta", help="Override a trade elasticity, e.g. c15=1.01. Repeatable."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(help="Your own input-output table (CSV/Parquet, bundled WIOD long format)."),
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Gross output for --data (optional).")] = None,
    data_format: Annotated[
        str | None,
        typer.Option(
            help="Format of --data: wiod (the bundled long format, the default for a file), "
            "cp2015 (the default for a folder with its files), or through pymrio: "
            + ", ".join(PYMRIO_FORMATS)
            + " ('test' is pymrio's bundled test system, no --data)."
        ),
    ] = None,
    counterfactual_column: Annotated[
        str | None,
        typer.Option(
            help="With --data in the cp2015 layout: price the tariffs of this column of "
            "trade (e.g. tariff_cfl, CP 2015's NAFTA), with the matching d_* iceberg column."
        ),
    ] = None,
    baseline_column: Annotated[
        str,
        typer.Option(help="With --data in the cp2015 layout: the data-year tariff column."),
    ] = "tariff",
    zero_deficits: Annotated[
        bool,
        typer.Option(
            "--zero-deficits",
            help="First solve the baseline with every trade deficit at zero and price from "
            "there (CP 2015 Table 2); without it the data's deficits are kept.",
        ),
    ] = False,
    inventories: Annotated[
        str | None,
        typer.Option(
            help="How the inventory column is treated: drop (the default: set to zero) or crc "
            "(Costinot-Rodriguez-Clare 2014: stocks built up are consumed, stocks run down "
            "produced this year); see docs/instruments.md. Overrides a SCENARIO's choice."
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="Also show this many top movers by welfare.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Price tariff / NTB changes with the Caliendo–Parro (2015) model on WIOD.

    Either give shocks (``--shock``), or a SCENARIO and the outcome to price
    (``--outcome ISSUE=OPTION``), e.g. ``tradetalks price us-japan-1995-autos --outcome
    dealer_access=open --outcome purchase_plans=renew``.
    """
    shock = shock or []
    if inventories is not None and inventories not in INVENTORY_METHODS:
        raise InputError(
            f"unknown --inventories {inventories!r}",
            [Problem("--inventories", "", "expected " + " or ".join(INVENTORY_METHODS))],
        )
    if scenario is not None:
        base, entries, label, table_year, where = _scenario_outcome(
            scenario, outcome or [], shock, inventories
        )
        if data is not None or year is not None or baseline_tariff or theta:
            raise InputError(
                "with a SCENARIO, its [economics] section sets the data year, baseline tariffs "
                "and elasticities: drop --data, --year, --baseline-tariff and --theta"
            )
    else:
        if outcome:
            raise InputError("--outcome needs a SCENARIO (tradetalks price SCENARIO --outcome ...)")
        cp2015 = data is not None and is_cp2015_dir(data)
        if not shock and not (cp2015 and counterfactual_column):
            raise InputError(
                "give at least one --shock (or --counterfactual-column with --data in the "
                "cp2015 layout), or a SCENARIO with --outcome ISSUE=OPTION"
            )
        if counterfactual_column is not None and not cp2015:
            raise InputError(
                "--counterfactual-column needs --data DIR in the cp2015 layout "
                "(trade, intermediate_consumption, ... files)"
            )
        label = "; ".join(shock) or f"{counterfactual_column} (from {baseline_column})"
    column: CPShock | None = None
    if scenario is None and data is not None and (data_format == "cp2015" or is_cp2015_dir(data)):
        with err_console.status("calibrating the model on the cp2015 table..."):
            base, column, entries, table_year = _cp2015_baseline(
                data, baseline_column, counterfactual_column, zero_deficits, shock, label
            )
    elif scenario is None:
        fmt = data_format or "wiod"
        if fmt not in ("wiod", "cp2015", *PYMRIO_FORMATS):
            raise InputError(
                f"unknown --data-format {fmt!r}",
                [Problem("--data-format", "", "expected wiod, cp2015 or one of "
                         + ", ".join(PYMRIO_FORMATS))],
            )  # fmt: skip
        with err_console.status("calibrating the model on the input-output table..."):
            table: WiodTable | Cp2015Table
            if fmt in PYMRIO_FORMATS:
                table = read_pymrio(data, fmt, year=year)
            elif data is None:
                table = load_wiod(2011 if year is None else year)
            else:  # a folder without the cp2015 files: read_table names the one missing
                table = read_table(data, output, fmt=data_format, year=year)
            entries = [_parse_item(text, table.sectors) for text in shock]
            labels = (table.countries, table.sectors)
            _check_labels(table.countries, table.sectors, entries)
            tariffs = tariff_array(labels, _baseline_tariffs(baseline_tariff or []))
            base = calibrate(
                table, _elasticities(theta or []), tariffs, inventories=inventories or "drop"
            )
            if zero_deficits:
                base = equilibrium_baseline(base, zero_deficits=True)
        table_year = table.year
    elif zero_deficits:
        base = equilibrium_baseline(base, zero_deficits=True)
    outcomes: tuple[TargetOutcome, ...] = ()
    with err_console.status("solving the counterfactual equilibrium..."):
        if column is not None:
            cp_shock, result = column, solve(base, column)
        else:
            cp_shock, result, outcomes = _solve_items(base, entries, label)
    countries = _country_rows(base, result)
    cells = _cell_rows(base, result, entries)
    check_finite_result({"countries": countries, "cells": cells}, "price")
    gap = None
    if result.welfare_residual is not None and not _parts_add_up(result):
        gap = decomposition_gap(np.log(result.welfare_hat), result.welfare_residual)
    warning = (
        None
        if gap is None
        else f"the welfare decomposition does not add up (its parts miss the total by up to "
        f"{gap:.2g} log points, over the {DECOMPOSITION_RTOL:.0%} tolerance): the shock is too "
        "large for it, so ToT/VoT/NTB are not shown; welfare itself is exact"
    )
    table2 = _table2_rows(base, cp_shock, result)
    if as_json:
        print_json(
            {
                "warning": warning,
                "model": "Caliendo-Parro (2015)",
                "year": table_year,
                "scenario": scenario,
                "outcome": list(outcome or []),
                "shocks": list(shock),
                "baseline_tariffs": list(baseline_tariff or []),
                "iterations": result.iterations,
                "max_excess_demand": result.max_excess_demand,
                "zero_deficits": zero_deficits,
                "countries": countries,
                "cp_table2": table2,
                "targets": _target_rows(outcomes),
                "cells": cells,
            }
        )
        return
    named = {e.importer for e in entries} | {e.exporter for e in entries}
    if column is not None:  # a tariff column: the countries whose tariffs change
        named |= {base.countries[int(n)] for n in np.unique(column.importer)}
    order = np.argsort(-np.abs(result.welfare_change), kind="stable")
    shown = [n for n in range(len(result.countries)) if result.countries[n] in named]
    shown += [int(n) for n in order if int(n) not in shown][: max(top, 0)]
    if scenario is None:
        where = "WIOD" if data is None and data_format in (None, "wiod") else "table"
    welfare = Table(
        title=f"Welfare (real income), {where} {table_year or ''}: {escape(result.label)}"
    )
    for col in ("country", "welfare", "ToT", "VoT", "NTB", "rents", "real wage", "Δ revenue $m"):
        welfare.add_column(col, justify="right" if col != "country" else "left")
    for n in shown:
        row = countries[n]
        welfare.add_row(
            row["country"],
            _pct(row["welfare_change"]),
            *(
                _pct(row[part]) if part in row else "n/a"
                for part in ("terms_of_trade", "volume_of_trade", "ntb_cost")
            ),
            _pct(row["licence_rents"] + row["exporter_rents"]) if "licence_rents" in row else "n/a",
            _pct(row["real_wage_change"]),
            f"{row['tariff_revenue_change_musd']:+,.0f}",
        )
    console.print(welfare)
    if column is not None:
        cp = Table(
            title="Caliendo–Parro (2015) Table 2 decomposition, % (eq. 19 at baseline flows)"
        )
        for col in ("country", "welfare", "terms of trade", "volume of trade", "real wage"):
            cp.add_column(col, justify="right" if col != "country" else "left")
        for n in shown:
            r2 = table2[n]
            parts = ("welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct")
            cp.add_row(r2["country"], *(f"{r2[k]:+.2f}" for k in parts))
        console.print(cp)
    if outcomes:
        quantities = Table(
            title="Quantity instruments ($ million or share; shadow price ad valorem)"
        )
        for col in ("pair", "kind", "target", "achieved", "regime", "shadow", "rent", "subsidy"):
            quantities.add_column(col, justify="right" if col != "pair" else "left")
        for o in outcomes:
            t = o.target
            quantities.add_row(
                f"{t.importer}<-{t.exporter} {','.join(t.sectors)}", t.kind, f"{t.value:,.4g}",
                f"{o.achieved:,.4g}", o.regime, _pct(o.shadow_price), f"{o.rent_musd:,.0f}",
                f"{o.subsidy_musd:,.0f}",
            )  # fmt: skip
        console.print(quantities)
    if cells:
        flows = Table(title="Affected flows ($ million, basic prices)")
        for col in ("pair", "sector", "before", "after", "change", "exp. output", "exp. balance"):
            flows.add_column(col, justify="right" if col != "pair" else "left")
        for c in cells:
            flows.add_row(
                f"{c['importer']}<-{c['exporter']}",
                c["sector"],
                f"{c['flow_before_musd']:,.0f}",
                f"{c['flow_after_musd']:,.0f}",
                "n/a" if c["flow_change"] is None else _pct(c["flow_change"]),
                "n/a" if c["exporter_output_change"] is None else _pct(c["exporter_output_change"]),
                f"{c['bilateral_balance_exporter_before_musd']:+,.0f} → "
                f"{c['bilateral_balance_exporter_musd']:+,.0f}",
            )
        console.print(flows)
    if warning is not None:
        err_console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(
        f"[dim]converged in {result.iterations} iterations, max excess demand "
        f"{result.max_excess_demand:.1e}. ToT/VoT/NTB/rents: terms-of-trade, volume-of-trade, "
        "NTB-cost and quota/restraint-rent parts of welfare (CP 2015 eq. 19; log points). "
        "Flows at basic prices; "
        "exp. = the exporter (its output of the sector, its bilateral balance with the "
        "importer, before → after).[/]"
    )


def register(app: typer.Typer) -> None:
    """Add this layer's commands to ``app``."""
    app.command("price")(price)
