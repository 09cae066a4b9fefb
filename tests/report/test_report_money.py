"""How the report and the command line print utilities and stakes in money."""

from __future__ import annotations

from tradetalks.report._derive import fmt_money


def test_money_reads_like_money() -> None:
    """Utilities in million USD: separators, three figures, no exponent, 0 for solver noise."""
    cases = {
        5316.9: "+5,317", -23.344: "-23.3", 57.408: "+57.4", 0.8614: "+0.861",
        0.02254: "+0.023", 6.54e-06: "0", -3e-4: "0", 0.0: "0", 1.234e6: "+1,234,000",
    }  # fmt: skip
    assert {v: fmt_money(v) for v in cases} == cases
    assert fmt_money(None) == fmt_money(float("nan")) == "–"
