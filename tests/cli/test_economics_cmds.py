"""``tradetalks price``: JSON for scripts, rich tables for people, one clear line on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tradetalks.cli import main
from tradetalks.scenario import load_scenario


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([*args])
    out = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), out.out, out.err


def _run_ok(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        main([*args])
    except SystemExit as info:  # typer may exit 0 explicitly
        assert info.code in (0, None)
    return capsys.readouterr().out


def test_price_json(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_ok(
        [
            "price", "--year", "2011", "--shock", "USA<-JPN c15 tariff +0.25",
            "--shock", "JPN<-USA c1,c3 ntb -0.05", "--json",
        ],
        capsys,
    )  # fmt: skip
    report = json.loads(out)
    countries = {row["country"]: row for row in report["countries"]}
    assert len(countries) == 41
    assert countries["JPN"]["welfare_change"] < 0
    assert report["max_excess_demand"] < 1e-9
    cells = {(c["importer"], c["exporter"], c["sector"]): c for c in report["cells"]}
    car = cells[("USA", "JPN", "c15")]
    assert car["flow_after_musd"] < car["flow_before_musd"]
    assert cells[("JPN", "USA", "c1")]["flow_change"] > 0  # lower NTB, more US farm exports
    assert countries["USA"]["tariff_revenue_change_musd"] > 0


def test_price_tables(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_ok(
        [
            "price", "--shock", "USA<-JPN c15 tariff 0", "--baseline-tariff",
            "USA<-JPN c15 tariff 0.025", "--top", "2", "--theta", "c15=1.5",
        ],
        capsys,
    )  # fmt: skip
    assert "Welfare" in out and "JPN" in out and "USA" in out
    assert "Affected flows" in out and "c15" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--shock", "USA<-JPN c15 tarif +0.25"], "tarif"),
        (["--shock", "USA-JPN c15 tariff +0.25"], "cannot read"),
        (["--shock", "USA<-XYZ c15 tariff +0.25"], "unknown country 'XYZ'"),
        (["--shock", "USA<-JPN c99 tariff +0.25"], "unknown sector 'c99'"),
        (["--shock", "USA<-JPN c15 tariff -2"], "non-positive"),
        (["--shock", "USA<-JPN c15 tariff 0", "--theta", "c15=-1"], "c15=-1"),
        (["--shock", "USA<-JPN c15 tariff 0", "--year", "1990"], "1990"),
    ],
)
def test_bad_input_gives_one_clear_line(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["price", *args], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error:") and expected in lines[0]
    assert "Traceback" not in err


def test_price_on_a_user_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        (fc, fi, tc, use, (10.0 if fc == tc else 2.0) if use != "INVEN" else -1.0)
        for fc in ("AAA", "BBB")
        for fi in ("c1", "c2")
        for tc in ("AAA", "BBB")
        for use in ("c1", "c2", "CONS_h", "INVEN")
    ]
    frame = pd.DataFrame(
        rows, columns=["from_country", "from_industry", "to_country", "use", "value"]
    )
    frame.insert(0, "year", 2014)
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    out = _run_ok(
        ["price", "--data", str(path), "--shock", "AAA<-BBB c1 tariff +0.2", "--json"], capsys
    )
    report = json.loads(out)
    assert report["year"] == 2014
    aaa, bbb = report["countries"]
    assert aaa["tariff_revenue_musd"] > 0 and bbb["welfare_change"] < 0
    parts = aaa["terms_of_trade"] + aaa["volume_of_trade"] + aaa["ntb_cost"]
    assert parts == pytest.approx(aaa["welfare_change"], rel=1e-2)
    code, _, err = _run(
        ["price", "--data", str(path), "--year", "2011", "--shock", "AAA<-BBB c1 tariff 0"], capsys
    )
    assert code == 2 and "no rows for 2011" in err


def test_price_a_scenario_outcome(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["price", "us-japan-2018-bilateral", "--outcome", "us_car_tariff=eliminate", "--json"]
    report = json.loads(_run_ok(args, capsys))
    assert report["year"] == 2011
    assert report["outcome"] == ["us_car_tariff=eliminate"]
    cells = [c for c in report["cells"] if c["importer"] == "USA" and c["sector"] == "c15"]
    assert cells
    # The scenario's 2.5% baseline tariff is removed: Japan's exports rise, as in the shock form.
    assert all(c["flow_change"] > 0 for c in cells)
    # The same outcome in the shock grammar: every baseline tariff of the scenario, then the cut.
    baseline = [
        arg
        for line in load_scenario("us-japan-2018-bilateral").economics.baseline_tariffs
        for arg in (
            "--baseline-tariff",
            f"{line.importer}<-{line.exporter} {','.join(line.sectors)} tariff {line.rate.value:g}",
        )
    ]
    assert len(baseline) > 4  # the competitors' tariffs are in the baseline too
    shock_form = json.loads(
        _run_ok(
            ["price", "--year", "2011", *baseline, "--shock", "USA<-JPN c15 tariff 0", "--json"],
            capsys,
        )
    )
    welfare = {r["country"]: r["welfare_change"] for r in report["countries"]}
    expected = {r["country"]: r["welfare_change"] for r in shock_form["countries"]}
    assert welfare["JPN"] == pytest.approx(expected["JPN"], rel=1e-6)
    assert welfare["USA"] == pytest.approx(expected["USA"], rel=1e-6)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["price", "us-japan-2018-bilateral", "--outcome", "rice=open"], "unknown issue 'rice'"),
        (["price", "us-japan-2018-bilateral", "--outcome", "us_car_tariff=halve"], "no option"),
        (["price", "us-japan-2018-bilateral", "--outcome", "us_car_tariff"], "ISSUE=OPTION"),
        (["price", "--outcome", "us_car_tariff=keep"], "needs a SCENARIO"),
        (["price"], "at least one --shock"),
    ],
)
def test_price_scenario_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(args, capsys)
    assert code == 2
    assert message in err


def test_price_quantity_instruments(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_ok(["price", "--year", "1995", "--shock", "JPN<-USA c15 purchase 10000",
                   "--shock", "USA<-JPN c15 ver cap 20000", "--json"], capsys)  # fmt: skip
    report = json.loads(out)
    targets = {t["kind"]: t for t in report["targets"]}
    assert abs(targets["purchase"]["achieved"] / 10000 - 1) < 1e-3
    assert abs(targets["ver"]["achieved"] / 20000 - 1) < 1e-3 and targets["ver"]["rent_musd"] > 0
    countries = {row["country"]: row for row in report["countries"]}
    assert countries["JPN"]["exporter_rent_musd"] > 0  # the restraint's rent goes to Japan
    text = _run_ok(["price", "--year", "1995", "--shock", "USA<-JPN c15 quota cap 20000"], capsys)
    assert "Quantity instruments" in text and "binding" in text
