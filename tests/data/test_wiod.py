"""WIOD loader: the published checks, the inventory netting, and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradetalks import DataError
from tradetalks.data import (
    FINAL_CATEGORIES,
    WIOD_SECTORS,
    WiodTable,
    load_wiod,
    net_inventories,
    read_wiod_table,
)


@pytest.fixture(scope="module")
def wiod1995() -> WiodTable:
    return load_wiod(1995)


def test_sources_md_checks_1995(wiod1995: WiodTable) -> None:
    # SOURCES.md: 1995 JPN->USA 107,255; USA->JPN 69,623; c15 32,127 and 5,743 ($ million).
    assert wiod1995.bilateral_musd("JPN", "USA") == pytest.approx(107_255, abs=0.5)
    assert wiod1995.bilateral_musd("USA", "JPN") == pytest.approx(69_623, abs=0.5)
    assert wiod1995.bilateral_musd("JPN", "USA", "c15") == pytest.approx(32_127, abs=0.5)
    assert wiod1995.bilateral_musd("USA", "JPN", "c15") == pytest.approx(5_743, abs=0.5)


def test_labels_and_shapes(wiod1995: WiodTable) -> None:
    assert wiod1995.n_countries == 41
    assert wiod1995.sectors == WIOD_SECTORS
    assert "RoW" in wiod1995.countries and "ROM" in wiod1995.countries
    assert wiod1995.intermediate_musd.shape == (41, 35, 41, 35)
    assert wiod1995.final_musd.shape == (41, 35, 41, len(FINAL_CATEGORIES))
    assert wiod1995.year == 1995
    # Arrays are read-only: a table is a value.
    with pytest.raises(ValueError, match="read-only"):
        wiod1995.intermediate_musd[0, 0, 0, 0] = 1.0


def test_quirks_are_present_in_the_raw_table(wiod1995: WiodTable) -> None:
    inven = wiod1995.final_musd[..., FINAL_CATEGORIES.index("INVEN")]
    assert (inven < 0).sum() == 185  # SOURCES.md: 185 negative INVEN cells in 1995
    assert (wiod1995.gross_output_musd == 0).sum() == 18  # SOURCES.md: 18 zero-output cells
    # Deficits are an identity of the table: they sum to zero.
    assert abs(wiod1995.trade_deficit_musd.sum()) < 1e-6


def test_net_inventories_balances_the_table(wiod1995: WiodTable) -> None:
    netted = net_inventories(wiod1995)
    inven = netted.final_musd[..., FINAL_CATEGORIES.index("INVEN")]
    assert np.all(inven == 0)
    assert netted.final_musd.min() >= 0
    assert netted.intermediate_musd.min() >= 0
    # Row sums equal gross output (balanced), value added is never negative, no NaN.
    np.testing.assert_allclose(netted.row_sums_musd, netted.gross_output_musd, rtol=1e-9, atol=1e-6)
    assert netted.value_added_musd.min() > -1e-6
    for array in (netted.intermediate_musd, netted.final_musd, netted.gross_output_musd):
        assert np.all(np.isfinite(array))
    # Input coefficients are kept: a cell's inputs per unit of output are unchanged.
    raw_out = wiod1995.row_sums_musd
    cell = (wiod1995.countries.index("JPN"), WIOD_SECTORS.index("c15"))
    before = wiod1995.intermediate_use_musd[cell] / raw_out[cell]
    after = netted.intermediate_use_musd[cell] / netted.gross_output_musd[cell]
    assert after == pytest.approx(before, rel=1e-9)
    # Netting inventories moves output by less than their size.
    inven_total = np.abs(wiod1995.final_musd[..., FINAL_CATEGORIES.index("INVEN")]).sum()
    assert np.abs(netted.gross_output_musd - raw_out).sum() < 3 * inven_total


def _tiny_frame() -> pd.DataFrame:
    """Two countries, flows in c1/c2 only; consistent and valid."""
    rows = []
    for fc in ("AAA", "BBB"):
        for fi in ("c1", "c2"):
            for tc in ("AAA", "BBB"):
                for use in ("c1", "c2", "CONS_h", "INVEN"):
                    value = 10.0 if fc == tc else 2.0
                    if use == "INVEN":
                        value = -1.0
                    rows.append((fc, fi, tc, use, value))
    return pd.DataFrame(
        rows, columns=["from_country", "from_industry", "to_country", "use", "value"]
    )


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "t.csv") -> Path:
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_user_table_round_trip(tmp_path: Path, name: str) -> None:
    frame = _tiny_frame()
    table = read_wiod_table(_write(tmp_path, frame, name))
    assert table.countries == ("AAA", "BBB")
    assert table.bilateral_musd("AAA", "BBB", "c1") == pytest.approx(2 * 2 + 2 - 1)
    assert table.intermediate_musd.sum() == pytest.approx(
        frame[frame.use.str.startswith("c")].value.sum()
    )
    np.testing.assert_allclose(table.gross_output_musd, table.row_sums_musd)
    # The zero-output industries c3..c35 give no NaN after netting.
    netted = net_inventories(table)
    assert np.all(np.isfinite(netted.gross_output_musd))
    assert netted.gross_output_musd[:, 2:].sum() == 0


def _error_lines(tmp_path: Path, frame: pd.DataFrame, output: pd.DataFrame | None = None) -> str:
    table_path = _write(tmp_path, frame)
    output_path = None if output is None else _write(tmp_path, output, "out.csv")
    with pytest.raises(DataError) as info:
        read_wiod_table(table_path, output_path)
    lines = info.value.lines()
    assert all(str(table_path) in line or "out.csv" in line for line in lines)
    return "\n".join(lines)


def test_negative_flow_is_rejected_with_its_line(tmp_path: Path) -> None:
    frame = _tiny_frame()
    frame.loc[5, "value"] = -3.0  # an intermediate flow
    text = _error_lines(tmp_path, frame)
    assert "negative flow" in text and ":7:" in text  # row 5 is on line 7 (header is line 1)


def test_negative_inventories_and_gfcf_are_accepted(tmp_path: Path) -> None:
    frame = _tiny_frame()
    frame.loc[len(frame)] = ("AAA", "c1", "BBB", "GFCF", -0.5)
    table = read_wiod_table(_write(tmp_path, frame))
    assert table.final_musd.min() < 0


def test_missing_value(tmp_path: Path) -> None:
    frame = _tiny_frame()
    frame.loc[3, "value"] = np.nan
    assert "missing value" in _error_lines(tmp_path, frame)


def test_unknown_codes(tmp_path: Path) -> None:
    frame = _tiny_frame()
    frame.loc[0, "from_industry"] = "c99"
    frame.loc[1, "use"] = "EXPORTS"
    text = _error_lines(tmp_path, frame)
    assert "'c99'" in text and "'EXPORTS'" in text


def test_missing_column(tmp_path: Path) -> None:
    assert "value: missing column" in _error_lines(tmp_path, _tiny_frame().drop(columns="value"))


def test_no_internal_trade(tmp_path: Path) -> None:
    frame = _tiny_frame()
    frame = frame[~((frame.from_country == "BBB") & (frame.to_country == "BBB"))]
    assert "BBB buys nothing from itself" in _error_lines(tmp_path, frame)


def test_duplicate_flow(tmp_path: Path) -> None:
    frame = _tiny_frame()
    frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    assert "duplicate flow" in _error_lines(tmp_path, frame)


def test_inconsistent_gross_output(tmp_path: Path) -> None:
    frame = _tiny_frame()
    table = read_wiod_table(_write(tmp_path, frame))
    out = pd.DataFrame(
        [
            (c, s, table.row_sums_musd[table.country_index(c), k])
            for c in table.countries
            for k, s in enumerate(("c1", "c2"))
        ],
        columns=["country", "industry", "gross_output"],
    )
    read_wiod_table(_write(tmp_path, frame), _write(tmp_path, out, "out.csv"))  # consistent: fine
    out.loc[0, "gross_output"] += 1_000.0
    text = _error_lines(tmp_path, frame, out)
    assert "gross_output" in text and "AAA c1" in text


def test_unknown_year_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="1990"):
        load_wiod(1990)
    with pytest.raises(DataError, match="no such file"):
        read_wiod_table(tmp_path / "absent.csv")
