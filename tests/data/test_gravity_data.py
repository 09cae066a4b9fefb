"""Gravity data loaders: bundled files and users' files, with one clear error per problem."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tradetalks._errors import DataError
from tradetalks.data._gravity import (
    GRAVITY_DATASETS,
    check_gravity_frame,
    load_gravity,
    read_gravity_file,
)


@pytest.mark.parametrize(
    ("name", "rows", "countries", "years"),
    [
        ("agtpa_panel", 99_981, 69, 21),
        ("agtpa_wto", 25_350, 65, 6),
        ("agtpa_mfn", 18_928, 52, 7),
        ("gegravity_sample", 900, 30, 1),
    ],
)
def test_bundled_sets_load_tidy(name: str, rows: int, countries: int, years: int) -> None:
    frame = load_gravity(name)  # type: ignore[arg-type]
    assert len(frame) == rows
    assert list(frame.columns[:4]) == ["exporter", "importer", "year", "trade"]
    assert frame["exporter"].nunique() == countries
    assert frame["year"].nunique() == years
    assert (frame["trade"] >= 0).all()
    assert not frame.duplicated(["exporter", "importer", "year"]).any()


def test_conventions_from_sources() -> None:
    panel = load_gravity("agtpa_panel", years=[2006])
    assert len(panel) == 69 * 69
    assert {"ROM", "DEU"} <= set(panel["exporter"])  # AG codes, Germany not renamed ZZZ
    internal = panel[panel["exporter"] == panel["importer"]]
    assert (internal["trade"] > 0).all()
    sample = load_gravity("gegravity_sample")
    assert set(sample["international"]) == {0, 1}
    assert ((sample["exporter"] != sample["importer"]) == (sample["international"] == 1)).all()


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "flows.csv") -> Path:
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False)
    return path


def _tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": ["A", "A", "B", "B"],
            "dest": ["A", "B", "A", "B"],
            "yr": [2000] * 4,
            "value": [10.0, 2.0, 3.0, 20.0],
            "dist_km": [1.0, 5.0, 5.0, 1.0],
        }
    )


@pytest.mark.parametrize("name", ["flows.csv", "flows.parquet"])
def test_user_file_with_named_columns(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, _tiny(), name)
    frame = read_gravity_file(
        path, exporter="origin", importer="dest", year="yr", trade="value", columns=["dist_km"]
    )
    assert list(frame.columns) == ["exporter", "importer", "year", "trade", "dist_km"]
    assert frame["trade"].sum() == 35.0


def test_user_file_problems_are_named(tmp_path: Path) -> None:
    bad = _tiny()
    bad.loc[1, "value"] = -2.0
    bad.loc[2, "value"] = float("nan")
    path = _write(tmp_path, bad)
    with pytest.raises(DataError) as info:
        read_gravity_file(path, exporter="origin", importer="dest", year="yr", trade="value")
    lines = info.value.lines()
    assert any(str(path) in line and "negative" in line and "A->B 2000" in line for line in lines)
    assert any("missing" in line and "B->A" in line for line in lines)
    assert info.value.exit_code == 2


def test_missing_internal_trade_and_duplicates(tmp_path: Path) -> None:
    no_internal = _tiny().iloc[1:]
    path = _write(tmp_path, no_internal)
    with pytest.raises(DataError, match="problem") as info:
        read_gravity_file(path, exporter="origin", importer="dest", year="yr", trade="value")
    assert "no intra-national trade" in info.value.lines()[0]
    assert " A" in info.value.lines()[0]
    doubled = pd.concat([_tiny(), _tiny().iloc[:1]])
    path = _write(tmp_path, doubled, "dup.csv")
    with pytest.raises(DataError) as info:
        read_gravity_file(path, exporter="origin", importer="dest", year="yr", trade="value")
    assert "duplicate" in info.value.lines()[0]


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, _tiny())
    with pytest.raises(DataError) as info:
        read_gravity_file(path)
    assert any("exporter" in line and "column not found" in line for line in info.value.lines())
    with pytest.raises(DataError, match="unknown columns"):
        read_gravity_file(
            path, exporter="origin", importer="dest", year="yr", trade="value", columns=["x"]
        )
    frame = _tiny().rename(
        columns={"origin": "exporter", "dest": "importer", "yr": "year", "value": "trade"}
    )
    with pytest.raises(DataError) as info:
        check_gravity_frame(frame, source="mine")
    assert info.value.lines() == ["mine: dist_km: unknown column"]


def test_bad_paths_and_names(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_gravity_file(tmp_path / "absent.csv")
    other = tmp_path / "flows.xlsx"
    other.write_text("x")
    with pytest.raises(DataError, match="unsupported"):
        read_gravity_file(other)
    with pytest.raises(DataError, match="unknown gravity data set"):
        load_gravity("nope")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="no rows for years"):
        load_gravity("gegravity_sample", years=[1999])
    assert set(GRAVITY_DATASETS) == {"agtpa_panel", "agtpa_wto", "agtpa_mfn", "gegravity_sample"}
