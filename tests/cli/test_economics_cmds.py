"""``tradetalks price``: JSON for scripts, rich tables for people, one clear line on bad input."""

from __future__ import annotations

import json

import pytest

from tradetalks.cli import main


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
