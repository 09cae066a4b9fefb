"""`tradetalks gravity estimate|counterfactual` and `tradetalks pe`: tables, JSON, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import run


def test_can_jpn_example_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gravity", "counterfactual", "can-jpn", "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    rows = {r["country"]: r for r in result["countries"]}
    assert len(rows) == 30
    assert rows["CAN"]["real_gdp_pct"] == pytest.approx(0.418261, abs=1e-5)
    assert rows["JPN"]["real_gdp_pct"] == pytest.approx(0.053755, abs=1e-5)
    assert result["solver"]["full_ge"] == "first_order"
    assert result["ppml"]["coefficients"]["pta"] == pytest.approx(0.4711383, abs=1e-5)


def test_trade_without_borders_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gravity", "counterfactual", "trade-without-borders", "--top", "3"], capsys)
    assert code == 0
    assert "NPL" in out and "72.41" in out  # the authors: +72.41% real GDP for Nepal
    assert "ag2016" in out


def test_remove_nafta_with_pair_effects(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gravity", "counterfactual", "remove-nafta", "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["ppml"]["coefficients"]["RTA"] == pytest.approx(0.5571853, abs=1e-6)
    rows = {r["country"]: r for r in result["countries"]}
    for member in ("CAN", "MEX", "USA"):
        assert rows[member]["real_gdp_pct"] < 0
        assert rows[member]["exports_full_pct"] < 0
    assert rows["JPN"]["real_gdp_pct"] > 0  # trade diverted towards the rest of the world


def test_general_counterfactual_with_set_and_pairs(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "gravity", "counterfactual", "--data", "gegravity_sample",
        "--covariates", "lndist,contiguity,common_language,pta,international",
        "--set", "pta=1", "--pairs", "USA-JPN,JPN-USA", "--sigma", "5",
        "--output-col", "Y", "--expenditure-col", "E",
        "--full-ge", "balanced", "--json",
    ]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    rows = {r["country"]: r for r in json.loads(out)["countries"]}
    assert rows["USA"]["real_gdp_pct"] > 0 and rows["JPN"]["real_gdp_pct"] > 0


def test_estimate_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gravity", "estimate", "--international-only", "--json"], capsys)
    assert code == 0
    coefs = json.loads(out)["coefficients"]
    assert coefs["ln_DIST"] == pytest.approx(-0.841, abs=5e-4)


def test_estimate_bundled_sample_all_years(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["gravity", "estimate", "gegravity_sample", "--covariates",
            "lndist,contiguity,common_language,pta,international", "--fe", "exporter,importer",
            "--vcov", "hetero", "--json"]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    assert json.loads(out)["coefficients"]["international"] == pytest.approx(-3.412584, abs=1e-5)


def test_estimate_user_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["o,d,y,v,dist"]
    for i, a in enumerate("ABCD"):
        for j, b in enumerate("ABCD"):
            flow = 100.0 / (1 + abs(i - j)) ** 1.5 * (1.3 if i == j else 1.0) + i + 2 * j
            lines.append(f"{a},{b},2000,{flow},{1 + abs(i - j)}")
    path = tmp_path / "flows.csv"
    path.write_text("\n".join(lines))
    args = [
        "gravity", "estimate", str(path), "--covariates", "dist", "--fe", "exporter,importer",
        "--years", "2000", "--vcov", "hetero", "--exporter-col", "o", "--importer-col", "d",
        "--year-col", "y", "--trade-col", "v",
    ]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "dist" in out and "observations" in out


def test_pe_seed_figures(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["pe", "--imports-musd", "37800", "--tariff", "0.025", "--new-tariff", "0", "--json"]
    code, out, _ = run(args, capsys)
    assert code == 0
    result = json.loads(out)
    assert result["partners"][0]["duties_saved_musd"] == pytest.approx(945.0)
    assert result["tariff_revenue_change_musd"] == pytest.approx(-945.0)
    code, out, _ = run([*args[:-1], "--rest-imports-musd", "10000"], capsys)
    assert code == 0 and "REST" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["gravity", "counterfactual", "nope"], "unknown example"),
        (["gravity", "counterfactual"], "nothing to simulate"),
        (["gravity", "counterfactual", "--set", "pta"], "expected e.g. pta=1"),
        (["gravity", "counterfactual", "can-jpn", "--full-ge", "x"], "unknown rule"),
        (["gravity", "counterfactual", "--set", "pta=1", "--output-col", "Y"], "give both"),
        (["gravity", "counterfactual", "--set", "pta=1"], "not one of"),
        (["gravity", "counterfactual", "--fe", "pair", "--set", "RTA=0"], "need several years"),
        (
            ["gravity", "counterfactual", "--data", "gegravity_sample", "--covariates", "pta",
             "--fe", "exporter,importer", "--set", "pta=1", "--pairs", "XXX-JPN"],
            "'XXX' not in the data",
        ),
        (["gravity", "estimate", "missing.csv"], "not a bundled data set"),
        (["gravity", "estimate", "--years", "19x6"], "expected e.g. 1986"),
        (["gravity", "estimate", "--covariates", "NOPE"], "NOPE"),
        (
            ["pe", "--imports-musd", "-5", "--tariff", "0.1", "--new-tariff", "0"],
            "imports must be >= 0",
        ),
        (
            ["pe", "--imports-musd", "5", "--tariff", "0.1", "--new-tariff", "0",
             "--import-elasticity", "2"],
            "must be negative",
        ),
    ],
)  # fmt: skip
def test_bad_input_one_clear_error(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(args, capsys)
    assert code == 2
    assert expected in err
    assert "Traceback" not in err
