"""Tables read through pymrio: its bundled six-region test system, priced end to end."""

from __future__ import annotations

import numpy as np
import pytest

from tradetalks import DataError
from tradetalks.data import net_inventories, read_pymrio
from tradetalks.economics import ShockEntry, Target, calibrate, make_shock, solve, solve_targets

pymrio = pytest.importorskip("pymrio")


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return read_pymrio(None, "test")


def test_reads_the_test_system_as_pymrio_sees_it(table) -> None:  # type: ignore[no-untyped-def]
    system = pymrio.load_test().calc_all()
    assert table.countries == tuple(system.get_regions())
    assert table.sectors == tuple(system.get_sectors())
    assert "INVEN" in table.final_categories  # "Changes in inventories"
    np.testing.assert_allclose(table.intermediate_musd.reshape(48, 48), system.Z.to_numpy())
    # gross output: pymrio's x less the sales outside the table ("Export")
    exports = system.Y.xs("Export", axis=1, level=1).sum(axis=1).to_numpy()
    np.testing.assert_allclose(table.gross_output_musd.reshape(-1),
                               system.x.to_numpy()[:, 0] - exports, rtol=1e-9)  # fmt: skip


def test_calibrates_and_prices_a_tariff_and_a_quota(table) -> None:  # type: ignore[no-untyped-def]
    netted = net_inventories(table)
    assert not netted.final_musd[..., netted.final_categories.index("INVEN")].any()
    base = calibrate(table)
    same = solve(base, make_shock(base, []))
    np.testing.assert_allclose(same.welfare_hat, 1.0, atol=1e-10)
    tariff = solve(base, make_shock(base, [ShockEntry("reg1", "reg2", ("manufactoring",), 0.2)]))
    assert tariff.welfare_residual is not None
    assert np.max(np.abs(tariff.welfare_residual)) < 1e-6
    assert tariff.welfare_hat[1] < 1.0  # the exporter loses
    flow = float(base.sales_musd[0, 1, base.sector_index("manufactoring")])
    sol = solve_targets(base, [], [Target("reg1", "reg2", ("manufactoring",), "ver", 0.7 * flow)])
    assert sol.outcomes[0].achieved == pytest.approx(0.7 * flow, rel=1e-3)


def test_bad_sources() -> None:
    with pytest.raises(DataError, match="unknown table format"):
        read_pymrio("somewhere", "xls")
    with pytest.raises(DataError, match="unreadable"):
        read_pymrio("/nonexistent/folder", "pymrio")


def _run_json(capsys, *args: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    import json

    from tradetalks.cli import main

    try:
        main([*args, "--json"])
    except SystemExit as done:
        assert done.code in (0, None)
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _welfare(report: dict) -> dict[str, float]:  # type: ignore[type-arg]
    return {r["country"]: r["welfare_change"] for r in report["countries"]}


SHOCK = "reg1<-reg2 manufactoring tariff +0.2"


def test_price_data_routes_agree(tmp_path, capsys, table) -> None:  # type: ignore[no-untyped-def]
    """``--data-format test`` and a folder saved by pymrio (``--data-format pymrio``)."""
    pymrio.load_test().save_all(tmp_path / "testsys")
    bundled = _run_json(capsys, "price", "--data-format", "test", "--shock", SHOCK)
    saved = _run_json(capsys, "price", "--data", str(tmp_path / "testsys"),
                      "--data-format", "pymrio", "--shock", SHOCK)  # fmt: skip
    assert _welfare(bundled) == pytest.approx(_welfare(saved), rel=1e-9, abs=1e-12)
    # the same figure as the Python API on the same table
    base = calibrate(table)
    direct = solve(base, make_shock(base, [ShockEntry("reg1", "reg2", ("manufactoring",), 0.2,
                                                      "tariff", "change")]))  # fmt: skip
    assert _welfare(bundled)["reg2"] == pytest.approx(float(direct.welfare_change[1]), rel=1e-9)
    crc = _run_json(capsys, "price", "--data-format", "test", "--shock", SHOCK,
                    "--inventories", "crc")  # fmt: skip
    assert _welfare(crc) != _welfare(bundled)  # the test system has inventory changes


def test_a_scenario_names_a_pymrio_table(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The cp2015 test scenario, moved onto pymrio's test system saved beside it."""
    from pathlib import Path

    from tradetalks.game import outcome_entries, scenario_baseline
    from tradetalks.scenario import load_scenario

    pymrio.load_test().save_all(tmp_path / "testsys")
    text = (Path(__file__).parents[1] / "economics" / "reference" / "nafta-cp2015.toml").read_text()
    for old, new in (("USA", "reg1"), ("MEX", "reg2"), ("Textile", "food"),
                     ("Auto", "manufactoring"),
                     ('table = "cp2015"', 'table = "testsys"\ntable_format = "pymrio"\n'
                                          'inventories = "crc"')):  # fmt: skip
        text = text.replace(old, new)
    path = tmp_path / "mrio.toml"
    path.write_text(text)
    s = load_scenario(path)
    assert s.economics.inventories == "crc" and s.parties[0].code == "reg1"
    base = scenario_baseline(s)
    assert base.countries == ("reg1", "reg2", "reg3", "reg4", "reg5", "reg6")
    free = solve(base, make_shock(base, outcome_entries(s, {"mex_auto_tariff": "free"}, base)))  # type: ignore[arg-type]
    cli = _run_json(capsys, "price", str(path), "--outcome", "mex_auto_tariff=free")
    assert _welfare(cli)["reg2"] == pytest.approx(float(free.welfare_change[1]), rel=1e-9)
    drop = _run_json(capsys, "price", str(path), "--outcome", "mex_auto_tariff=free",
                     "--inventories", "drop")  # fmt: skip
    assert _welfare(drop)["reg1"] != pytest.approx(_welfare(cli)["reg1"], rel=1e-6)
