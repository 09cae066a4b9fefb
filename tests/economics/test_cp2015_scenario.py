"""A scenario priced on Caliendo and Parro's own data (the cp2015 layout), not WIOD.

``reference/nafta-cp2015.toml`` names the folder ``reference/cp2015`` beside it; it is
priced through ``tradetalks price <scenario>`` and the Python API, and must give what the
independent ``--data`` route (the table read and calibrated directly) gives.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tradetalks import ScenarioError
from tradetalks.cli import main
from tradetalks.data import read_cp2015
from tradetalks.economics import calibrate_cp2015, make_shock, solve
from tradetalks.game import outcome_entries, scenario_baseline
from tradetalks.scenario import load_scenario

REFERENCE = Path(__file__).parent / "reference"
SCENARIO = REFERENCE / "nafta-cp2015.toml"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    try:
        main([*args, "--json"])
    except SystemExit as done:
        assert done.code in (0, None)
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_the_scenario_names_the_tables_codes() -> None:
    s = load_scenario(SCENARIO)
    assert s.economics.table == str((REFERENCE / "cp2015").resolve())
    assert [i.sectors for i in s.issues] == [["Textile"], ["Auto"]]  # CP's sectors, not c1..c35


def test_python_api_prices_it_like_the_table_itself() -> None:
    s = load_scenario(SCENARIO)
    base = scenario_baseline(s)
    direct = calibrate_cp2015(read_cp2015(REFERENCE / "cp2015"))
    np.testing.assert_allclose(base.trade_share, direct.trade_share, rtol=1e-12)
    np.testing.assert_allclose(base.theta, read_cp2015(REFERENCE / "cp2015").theta)
    # the status quo is the data: nothing moves
    same = solve(base, make_shock(base, outcome_entries(s, {}, base)))
    np.testing.assert_allclose(same.welfare_hat, 1.0, atol=1e-10)
    free = outcome_entries(s, {"us_textile_tariff": "free"}, base)
    result = solve(base, make_shock(base, free))  # type: ignore[arg-type]
    mex, usa = base.country_index("MEX"), base.country_index("USA")
    assert result.welfare_change[mex] > 0  # the exporter gains from the cut
    assert result.trade_musd is not None
    textile = base.sector_index("Textile")
    assert result.trade_musd[usa, mex, textile] > base.sales_musd[usa, mex, textile]


def test_cli_scenario_route_equals_the_data_route(capsys: pytest.CaptureFixture[str]) -> None:
    via_scenario = _json(capsys, "price", str(SCENARIO), "--outcome", "us_textile_tariff=free",
                         "--outcome", "mex_auto_tariff=free")  # fmt: skip
    via_data = _json(capsys, "price", "--data", str(REFERENCE / "cp2015"),
                     "--shock", "USA<-MEX Textile tariff =0",
                     "--shock", "MEX<-USA Auto tariff =0")  # fmt: skip
    a = {r["country"]: r["welfare_change"] for r in via_scenario["countries"]}
    b = {r["country"]: r["welfare_change"] for r in via_data["countries"]}
    assert a.keys() == b.keys() and len(a) == 31
    np.testing.assert_allclose([a[c] for c in a], [b[c] for c in a], rtol=1e-6, atol=1e-12)
    assert a["MEX"] > 0 and via_scenario["year"] == 1993


def _variant(tmp_path: Path, old: str, new: str, *, table: bool = True) -> Path:
    """A copy of the scenario (and its table) with ``old`` replaced by ``new``."""
    if table and not (tmp_path / "cp2015").exists():
        shutil.copytree(REFERENCE / "cp2015", tmp_path / "cp2015")
    text = SCENARIO.read_text()
    assert old in text
    path = tmp_path / "variant.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            '"MEX"\nsectors = ["Textile"]',
            '"MEX"\nsectors = ["c4"]',
            "issues[0].sectors",
            "unknown sector code(s) ['c4']; the scenario's table has Agriculture",
        ),
        (
            'applied_to = "MEX"',
            'applied_to = "ROM"',
            "issues[0].applied_to",
            "'ROM' is neither a party",
        ),
        ('table = "cp2015"', 'table = "nowhere"', "economics.table", "cannot be read"),
        ('table = "cp2015"', 'table = "../cp2015"', "economics.table", "outside the file's folder"),
        (
            'table = "cp2015"',
            'table = "cp2015"\ntable_format = "xlsx"',
            "economics.table_format",
            "Input should be 'wiod', 'cp2015'",
        ),
        (
            'table = "cp2015"',
            'table = "cp2015/theta.parquet"\ntable_format = "wiod"',
            "economics.table",
            "cannot be read",
        ),
        (
            'table = "cp2015"',
            'table = "cp2015"\ninventories = "fifo"',
            "economics.inventories",
            "Input should be 'drop' or 'crc'",
        ),
    ],
)
def test_wrong_tables_and_codes_give_one_located_message(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    mine = [p for p in info.value.problems if not isinstance(p, str) and p.field == field]
    assert mine, info.value.lines()
    assert message in mine[0].message
    assert mine[0].source == str(path) and mine[0].line is not None


def test_a_folder_missing_a_file_is_named(tmp_path: Path) -> None:
    path = _variant(tmp_path, "year = 1993", "year = 1993")
    (tmp_path / "cp2015" / "deficit.parquet").unlink()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = "\n".join(info.value.lines())
    assert "economics.table" in text and "missing deficit.parquet or deficit.csv" in text


def test_the_game_says_it_needs_wiod_codes() -> None:
    from tradetalks import InputError
    from tradetalks.game import prepare_game

    with pytest.raises(InputError, match="priced on WIOD's 41 regions and 35 sectors"):
        prepare_game(load_scenario(SCENARIO))


def test_show_and_validate_read_it(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("validate", "show"):
        try:
            main([command, str(SCENARIO)])
        except SystemExit as done:
            assert done.code in (0, None)
    out = capsys.readouterr().out
    assert f"ok {SCENARIO}" in out and "Textile" in out
    flat = " ".join(out.split())  # the console wraps long paths at its width
    assert "inventories: drop" in flat and "cp2015 (by its layout)" in flat


def test_data_folder_missing_the_layout_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["price", "--data", str(tmp_path), "--shock", "USA<-MEX Auto tariff =0"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "missing trade.parquet or trade.csv (cp2015 layout)" in err and "Traceback" not in err
