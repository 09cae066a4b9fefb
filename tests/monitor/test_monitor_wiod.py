"""WIOD indicators against the figures in SOURCES.md and an independent DuckDB query."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from tradetalks import MonitorError
from tradetalks.monitor import wiod_indicator
from tradetalks.monitor._wiod import INDUSTRIES, bundled_wiod_dir

WIOD = bundled_wiod_dir()


@pytest.mark.parametrize(
    ("exporter", "importer", "industries", "value_1995"),
    [
        # tradetalks/data/wiod/SOURCES.md, "Checks seen on the data"
        ("JPN", "USA", ["c15"], 32_127),
        ("USA", "JPN", ["c15"], 5_743),
        ("JPN", "USA", list(INDUSTRIES), 107_255),
        ("USA", "JPN", list(INDUSTRIES), 69_623),
    ],
)
def test_flows_match_sources_md(
    exporter: str, importer: str, industries: list[str], value_1995: float
) -> None:
    s = wiod_indicator(
        measure="flow", exporters=[exporter], importers=[importer], industries=industries
    )
    assert s.labels[0] == "1995" and s.labels[-1] == "2011" and not s.gaps
    assert s.values[0] == pytest.approx(value_1995, abs=0.5)
    assert s.unit == "million USD"


def _sql(where: str) -> np.ndarray:
    files = [str(p) for p in sorted(WIOD.glob("wiot_*.parquet"))]
    rows = duckdb.sql(
        f"select year, sum(value) from read_parquet({files}) where {where} "
        "group by year order by year"
    ).fetchall()
    return np.array([v for _, v in rows])


def test_final_use_flow_matches_duckdb() -> None:
    s = wiod_indicator(
        measure="flow", exporters=["USA"], importers=["JPN"], industries=["c15"], uses="final"
    )
    ref = _sql(
        "from_industry = 'c15' and from_country = 'USA' and to_country = 'JPN' "
        "and use in ('CONS_h', 'CONS_np', 'CONS_g', 'GFCF', 'INVEN')"
    )
    np.testing.assert_allclose(s.values, ref, rtol=1e-12)


def test_import_share_matches_duckdb_and_shares_sum_to_one() -> None:
    s = wiod_indicator(measure="share", exporters=["USA"], importers=["JPN"], industries=["c28"])
    num = _sql("from_industry = 'c28' and from_country = 'USA' and to_country = 'JPN'")
    den = _sql("from_industry = 'c28' and from_country <> 'JPN' and to_country = 'JPN'")
    np.testing.assert_allclose(s.values, num / den, rtol=1e-12)
    foreign = wiod_indicator(
        measure="share", exporters=["*"], importers=["JPN"], industries=["c28"]
    )
    np.testing.assert_allclose(foreign.values, 1.0)
    market = wiod_indicator(
        measure="share",
        exporters=["*"],
        importers=["JPN"],
        industries=["c28"],
        denominator="purchases",
    )
    everyone = _sql("from_industry = 'c28' and to_country = 'JPN'")
    np.testing.assert_allclose(market.values, den / everyone, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"exporters": ["XXX"], "importers": ["JPN"], "industries": ["c15"]},
            "unknown WIOD country",
        ),
        (
            {"exporters": ["USA"], "importers": ["JPN"], "industries": ["c99"]},
            "unknown WIOD industry",
        ),
        (
            {
                "exporters": ["USA"],
                "importers": ["JPN", "KOR"],
                "industries": ["c15"],
                "measure": "share",
            },
            "exactly one importer",
        ),
    ],
)
def test_bad_codes_are_monitor_errors(kwargs: dict[str, object], message: str) -> None:
    kwargs = {"measure": "flow", **kwargs}
    with pytest.raises(MonitorError) as info:
        wiod_indicator(**kwargs)  # type: ignore[arg-type]
    assert any(message in line for line in info.value.lines())


def test_missing_wiod_directory(tmp_path: Path) -> None:
    with pytest.raises(MonitorError, match="no WIOD data"):
        wiod_indicator(
            measure="flow",
            exporters=["USA"],
            importers=["JPN"],
            industries=["c1"],
            data_dir=tmp_path,
        )
