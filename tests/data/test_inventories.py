"""The two treatments of the inventory column ("drop", "crc"): identities and closed forms.

``docs/instruments.md`` states what each does; these tests hold them to it on random
tables (hypothesis), on closed forms (an independent Leontief inverse) and on WIOD 1995.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks import DataError
from tradetalks.data import INVENTORY_METHODS, WiodTable, load_wiod, net_inventories
from tradetalks.economics import calibrate

CATEGORIES = ("CONS_h", "GFCF", "INVEN")
N, J = 3, 2


def _table(seed: int, inventories: str = "mixed") -> WiodTable:
    """A random balanced table; ``inventories``: mixed signs, positive, or zero."""
    rng = np.random.default_rng(seed)
    inter = rng.uniform(0.0, 1.0, (N, J, N, J))
    inter[np.arange(N), :, np.arange(N), :] += 3.0  # home bias
    final = rng.uniform(1.0, 5.0, (N, J, N, len(CATEGORIES)))
    inven = rng.uniform(-2.0, 2.0, (N, J, N))
    final[..., 2] = {"mixed": inven, "positive": np.abs(inven), "zero": 0.0 * inven}[inventories]
    output = inter.sum(axis=(2, 3)) + final.sum(axis=(2, 3))
    return WiodTable(("AAA", "BBB", "CCC"), ("c1", "c2"), inter, final, output,
                     final_categories=CATEGORIES)  # fmt: skip


def _coefficients(table: WiodTable) -> np.ndarray:
    y = table.gross_output_musd.reshape(-1)
    return table.intermediate_musd.reshape(N * J, N * J) / y[None, :]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), method=st.sampled_from(INVENTORY_METHODS))
def test_both_treatments_keep_the_table_balanced(seed: int, method: str) -> None:
    raw = _table(seed)
    out = net_inventories(raw, method)
    # gross output = intermediate + final use (row sums), input coefficients unchanged
    np.testing.assert_allclose(out.gross_output_musd, out.row_sums_musd, rtol=1e-10)
    np.testing.assert_allclose(_coefficients(out), _coefficients(raw), rtol=1e-10)
    assert not out.final_musd[..., 2].any() and out.final_musd.min() >= 0.0
    # final demand, summed over categories: the non-inventory part, plus (crc only) the
    # stocks built up, now consumed by the same buyer
    kept = raw.final_musd[..., :2].sum(axis=3)
    added = np.clip(raw.final_musd[..., 2], 0.0, None) if method == "crc" else 0.0
    np.testing.assert_allclose(out.final_musd.sum(axis=3), kept + added, rtol=1e-12)
    assert abs(out.trade_deficit_musd.sum()) < 1e-9  # deficits still sum to zero


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_crc_output_closed_form_and_dominance(seed: int) -> None:
    raw = _table(seed)
    A = _coefficients(raw)
    leontief = np.linalg.inv(np.eye(N * J) - A)  # independent of the solver used inside
    f = raw.final_musd.sum(axis=(2, 3)).reshape(-1)
    inven = raw.final_musd[..., 2].sum(axis=2).reshape(-1)
    drawdown = np.clip(raw.final_musd[..., 2], None, 0.0).sum(axis=2).reshape(-1)
    crc = net_inventories(raw, "crc").gross_output_musd.reshape(-1)
    drop = net_inventories(raw, "drop").gross_output_musd.reshape(-1)
    # crc: y' = L (f - drawdowns); drop: y' = L (f - inventories)
    np.testing.assert_allclose(crc, leontief @ (f - drawdown), rtol=1e-9)
    np.testing.assert_allclose(drop, leontief @ (f - inven), rtol=1e-9)
    assert np.all(crc >= drop - 1e-9)  # crc keeps the stocks built up as demand


def test_crc_leaves_positive_inventories_and_trade_balances_alone() -> None:
    raw = _table(7, "positive")
    crc = net_inventories(raw, "crc")
    np.testing.assert_allclose(crc.gross_output_musd, raw.gross_output_musd, rtol=1e-10)
    np.testing.assert_allclose(crc.trade_deficit_musd, raw.trade_deficit_musd, atol=1e-9)
    np.testing.assert_allclose(crc.trade_musd, raw.trade_musd, rtol=1e-10)
    drop = net_inventories(raw, "drop")  # drop loses them: less output everywhere
    assert np.all(drop.gross_output_musd < raw.gross_output_musd)


def test_zero_inventories_give_identical_results() -> None:
    raw = _table(3, "zero")
    drop, crc = net_inventories(raw, "drop"), net_inventories(raw, "crc")
    for a, b in ((drop.intermediate_musd, crc.intermediate_musd),
                 (drop.final_musd, crc.final_musd),
                 (drop.gross_output_musd, crc.gross_output_musd)):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(drop.gross_output_musd, raw.gross_output_musd, rtol=1e-10)
    b_drop, b_crc = calibrate(raw, inventories="drop"), calibrate(raw, inventories="crc")
    np.testing.assert_array_equal(b_drop.trade_share, b_crc.trade_share)
    np.testing.assert_array_equal(b_drop.expenditure_musd, b_crc.expenditure_musd)


def test_wiod_1995_under_both_treatments() -> None:
    raw = load_wiod(1995)
    drop, crc = net_inventories(raw, "drop"), net_inventories(raw, "crc")
    inven = raw.final_categories.index("INVEN")
    for table in (drop, crc):
        assert not table.final_musd[..., inven].any()
        np.testing.assert_allclose(table.gross_output_musd, table.row_sums_musd,
                                   rtol=1e-9, atol=1e-6)  # fmt: skip
    # crc's final demand is drop's plus the stocks built up (moved to household consumption)
    built_up = np.clip(raw.final_musd[..., inven], 0.0, None)
    cons = raw.final_categories.index("CONS_h")
    np.testing.assert_allclose(crc.final_musd[..., cons] - drop.final_musd[..., cons], built_up,
                               atol=1e-9)  # fmt: skip
    assert crc.gross_output_musd.sum() > drop.gross_output_musd.sum()


def test_unknown_treatment_is_a_clear_error() -> None:
    with pytest.raises(DataError, match="unknown inventory treatment 'fifo'"):
        net_inventories(_table(1), "fifo")
