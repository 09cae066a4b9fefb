"""Caliendo and Parro (2015) Table 2 from the authors' own data (golden test).

Published figures (percent, two decimals): CP (2015) Table 2, tariff changes only, deficits
removed first; the case that keeps the deficits is the R package ``cp2015``'s own test
(``tests/testthat/test-run_cp2015.R``). See ``reference/SOURCES.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tradetalks import DataError, InputError
from tradetalks.cli import main
from tradetalks.data import is_cp2015_dir, read_cp2015
from tradetalks.economics import (
    calibrate_cp2015,
    column_shock,
    cp_decomposition,
    equilibrium_baseline,
    make_shock,
    solve,
)

DATA = Path(__file__).parent / "reference" / "cp2015"

# country: (welfare, terms of trade, volume of trade, real wage), percent
TABLE2_ZERO_DEFICITS = {
    "CAN": (-0.06, -0.11, 0.04, 0.32),
    "MEX": (1.31, -0.41, 1.72, 1.72),
    "USA": (0.08, 0.04, 0.04, 0.11),
}
TABLE2_WITH_DEFICITS = {
    "CAN": (-0.04, -0.08, 0.04, 0.33),
    "MEX": (1.17, -0.41, 1.59, 1.64),
    "USA": (0.08, 0.05, 0.04, 0.12),
}


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return read_cp2015(DATA)


def test_loader_reads_the_layout(table) -> None:  # type: ignore[no-untyped-def]
    assert is_cp2015_dir(DATA)
    assert len(table.countries) == 31 and len(table.sectors) == 40
    assert {"CAN", "MEX", "USA", "RoW"} <= set(table.countries)
    assert set(table.tariffs) == {"tariff", "tariff_bln", "tariff_cfl"}
    # gross output = value added + inputs equals the trade table's row sums (SOURCES.md)
    output = table.value_added_musd + table.intermediate_musd.sum(axis=1)
    np.testing.assert_allclose(output, table.trade_musd.sum(axis=0), rtol=1e-6, atol=1e-3)
    # the deficit table is imports minus exports of the trade table
    M = table.trade_musd
    np.testing.assert_allclose(table.deficit_musd, M.sum(axis=(1, 2)) - M.sum(axis=(0, 2)),
                               atol=1e-6)  # fmt: skip


@pytest.mark.parametrize(
    ("zero_deficits", "expected"),
    [(True, TABLE2_ZERO_DEFICITS), (False, TABLE2_WITH_DEFICITS)],
)
def test_table2_api(table, zero_deficits: bool, expected: dict[str, tuple[float, ...]]) -> None:  # type: ignore[no-untyped-def]
    base = calibrate_cp2015(table, zero_deficits=zero_deficits)
    shock = column_shock(base, table.tariffs["tariff_cfl"], table.iceberg["d_cfl"])
    result = solve(base, shock, decompose=False)
    dec = cp_decomposition(base, shock, result)
    for code, figures in expected.items():
        n = base.countries.index(code)
        got = (
            100 * dec.welfare[n],
            100 * dec.terms_of_trade[n],
            100 * dec.volume_of_trade[n],
            100 * (result.real_wage_hat[n] - 1),
        )
        assert [round(float(g), 2) for g in got] == list(figures), (code, got)
    np.testing.assert_allclose(dec.technical, 0.0, atol=1e-15)  # no iceberg change


def test_table2_cli(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        main(["price", "--data", str(DATA), "--counterfactual-column", "tariff_cfl",
              "--zero-deficits", "--json"])  # fmt: skip
    except SystemExit as done:
        assert done.code in (0, None)
    report = json.loads(capsys.readouterr().out)
    assert report["zero_deficits"] is True
    rows = {r["country"]: r for r in report["cp_table2"]}
    for code, (welfare, tot, vot, wage) in TABLE2_ZERO_DEFICITS.items():
        r = rows[code]
        assert round(r["welfare_pct"], 2) == welfare
        assert round(r["terms_of_trade_pct"], 2) == tot
        assert round(r["volume_of_trade_pct"], 2) == vot
        assert round(r["real_wage_pct"], 2) == wage


def test_zero_deficit_baseline_is_an_equilibrium(table) -> None:  # type: ignore[no-untyped-def]
    base = calibrate_cp2015(table, zero_deficits=True)
    np.testing.assert_array_equal(base.deficit_musd, 0.0)
    result = solve(base, make_shock(base, []), decompose=False)
    np.testing.assert_allclose(result.welfare_hat, 1.0, atol=1e-8)
    # solving again for zero deficits from there changes nothing
    again = equilibrium_baseline(base, zero_deficits=True)
    np.testing.assert_allclose(again.expenditure_musd, base.expenditure_musd, rtol=1e-7)


def test_decomposition_is_first_order_exact_for_small_shocks(table) -> None:  # type: ignore[no-untyped-def]
    """CP's discrete split differs from the exact real income at second order only."""
    base = calibrate_cp2015(table, zero_deficits=True)
    gaps = []
    for eps in (0.02, 0.01):
        small = base.tariff_rate + eps * (table.tariffs["tariff_cfl"] - base.tariff_rate)
        shock = column_shock(base, small)
        result = solve(base, shock, decompose=False)
        dec = cp_decomposition(base, shock, result)
        gaps.append(float(np.max(np.abs(dec.welfare - np.log(result.welfare_hat)))))
    assert gaps[1] < 0.3 * gaps[0]  # halving the shock quarters the gap


def test_bad_column_and_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["price", "--data", str(DATA), "--counterfactual-column", "tariff_xyz"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "tariff_xyz" in err and "Traceback" not in err
    (tmp_path / "trade.csv").write_text("sector,exporter,importer,value\nA,X,Y,1\n")
    (tmp_path / "intermediate_consumption.csv").write_text("input,sector,region,value\n")
    with pytest.raises(DataError, match=r"missing column|no final_consumption"):
        read_cp2015(tmp_path)
    with pytest.raises(InputError):
        read_cp2015(tmp_path / "nowhere")


def test_table2_cli_text_keeps_the_deficits_without_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        main(["price", "--data", str(DATA), "--counterfactual-column", "tariff_cfl", "--top", "0"])
    except SystemExit as done:
        assert done.code in (0, None)
    out = capsys.readouterr().out
    table = out[out.index("Table 2") :]
    for code, (welfare, tot, vot, wage) in TABLE2_WITH_DEFICITS.items():
        row = next(line for line in table.splitlines() if f" {code} " in line)
        cells = [c.strip() for c in row.strip("│ ").split("│")]
        assert [float(c) for c in cells[1:]] == [welfare, tot, vot, wage]
