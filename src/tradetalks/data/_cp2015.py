"""Input-output tables in the layout of Caliendo and Parro (2015) (the R package ``cp2015``).

Caliendo, L. and F. Parro (2015), "Estimates of the Trade and Welfare Effects of NAFTA",
Review of Economic Studies 82(1): 1–44; their data as repackaged by the R package
``cp2015`` (github.com/paulofelipe/cp2015, ``data/cp2015_nafta.rda``). A folder holds one
table per file, CSV or Parquet, column names as in the package:

=============================  ===========================================================
``trade``                      ``sector, exporter, importer, value, tariff`` and any other
                               tariff (``tariff_*``) or iceberg-change (``d_*``) columns;
                               ``value`` is net of tariffs
``intermediate_consumption``   ``input, sector, region, value`` (tariff inclusive)
``final_consumption``          ``sector, region, value`` (tariff inclusive)
``value_added``                ``sector, region, value``
``deficit``                    ``region, D`` (imports minus exports)
``theta``                      ``sector, value`` (trade elasticities)
=============================  ===========================================================

Money is read in the file's unit and divided by ``unit`` (1e6 for the package's dollars)
so that arrays are in million USD like the rest of tradetalks. Regions are given short
codes (ISO 3166 alpha-3 where the name is a country, ``RoW`` for the rest of the world)
and sectors codes without spaces, so that ``--shock`` can name them; the original
names are kept in :attr:`Cp2015Table.country_names` / ``sector_names``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._errors import DataError, Problem

__all__ = ["CP2015_FILES", "Cp2015Table", "is_cp2015_dir", "read_cp2015"]

FloatArray = npt.NDArray[np.float64]

#: Files of the layout and their required columns.
CP2015_FILES: dict[str, tuple[str, ...]] = {
    "trade": ("sector", "exporter", "importer", "value", "tariff"),
    "intermediate_consumption": ("input", "sector", "region", "value"),
    "final_consumption": ("sector", "region", "value"),
    "value_added": ("sector", "region", "value"),
    "deficit": ("region", "D"),
    "theta": ("sector", "value"),
}

_ISO3 = {
    "Argentina": "ARG", "Australia": "AUS", "Austria": "AUT", "Brazil": "BRA", "Canada": "CAN",
    "Chile": "CHL", "China": "CHN", "Denmark": "DNK", "Finland": "FIN", "France": "FRA",
    "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN", "India": "IND", "Indonesia": "IDN",
    "Ireland": "IRL", "Italy": "ITA", "Japan": "JPN", "Korea": "KOR", "Mexico": "MEX",
    "Netherlands": "NLD", "New Zealand": "NZL", "Norway": "NOR", "Portugal": "PRT",
    "Row": "RoW", "RoW": "RoW", "ROW": "RoW", "South Africa": "ZAF", "Spain": "ESP",
    "Sweden": "SWE", "Turkey": "TUR", "UK": "GBR", "United Kingdom": "GBR", "USA": "USA",
    "United States": "USA",
}  # fmt: skip


@dataclass(frozen=True, eq=False)
class Cp2015Table:
    """One table in the ``cp2015`` layout, as arrays (million USD).

    Axes: ``n`` importer / region, ``i`` exporter, ``j``/``k`` sectors.

    ``trade_musd[n, i, j]`` flows net of tariffs; ``tariffs[name][n, i, j]`` every tariff
    column of ``trade`` (rates, 0.05 = 5%); ``iceberg[name][n, i, j]`` every ``d_*``
    column; ``intermediate_musd[n, k, j]`` spending of ``n``'s sector ``j`` on inputs of
    sector ``k``; ``final_musd[n, j]``, ``value_added_musd[n, j]``, ``deficit_musd[n]``,
    ``theta[j]``.
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    country_names: tuple[str, ...]
    sector_names: tuple[str, ...]
    trade_musd: FloatArray
    tariffs: dict[str, FloatArray]
    iceberg: dict[str, FloatArray]
    intermediate_musd: FloatArray
    final_musd: FloatArray
    value_added_musd: FloatArray
    deficit_musd: FloatArray
    theta: FloatArray
    source: str
    year: int | None = None


def _file(folder: Path, name: str) -> Path | None:
    for suffix in (".parquet", ".pq", ".csv"):
        path = folder / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def is_cp2015_dir(path: str | Path) -> bool:
    """Whether ``path`` is a folder with the ``trade`` and ``intermediate_consumption`` files."""
    folder = Path(path)
    return folder.is_dir() and all(
        _file(folder, n) is not None for n in ("trade", "intermediate_consumption")
    )


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = _file(folder, name)
    if path is None:
        raise DataError(
            f"{folder}: no {name} table",
            [Problem(str(folder), name, f"missing {name}.parquet or {name}.csv (cp2015 layout)")],
        )
    try:
        frame = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    except Exception as error:  # pandas/pyarrow raise many types on unreadable files
        raise DataError(
            f"{path}: unreadable", [Problem(str(path), "", f"cannot be read: {error}")]
        ) from error
    missing = [c for c in CP2015_FILES[name] if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing columns", [Problem(str(path), c, "missing column") for c in missing]
        )
    numeric = [c for c in frame.columns if c in ("value", "D") or c.startswith(("tariff", "d_"))]
    for column in numeric:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any() or not np.all(np.isfinite(values.to_numpy(dtype=float))):
            row = int(np.flatnonzero(values.isna().to_numpy() | ~np.isfinite(values))[0])
            raise DataError(
                f"{path}: bad number",
                [Problem(str(path), column, f"row {row}: not a finite number")],
            )
        frame[column] = values.astype(float)
    return frame


def _sector_code(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", name) or name


def _positions(
    path: str, frame: pd.DataFrame, column: str, labels: tuple[str, ...]
) -> npt.NDArray[np.int64]:
    pos = {c: k for k, c in enumerate(labels)}
    values = frame[column].astype(str)
    unknown = sorted(set(values) - set(pos))
    if unknown:
        raise DataError(
            f"{path}: unknown {column}",
            [Problem(path, column, f"{u!r} is not in the trade table") for u in unknown[:5]],
        )
    return np.asarray(values.map(pos).to_numpy(), dtype=np.int64)


def read_cp2015(path: str | Path, *, unit: float = 1e6, year: int | None = None) -> Cp2015Table:
    """Read a folder in the ``cp2015`` layout (see the module docstring).

    Raises
    ------
    DataError
        A missing file or column, a number that is not finite, a region or sector of one
        table that the trade table does not have, a duplicated cell, negative trade flows.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder", [Problem(str(folder), "", "no such folder")])
    frames = {name: _read(folder, name) for name in CP2015_FILES}
    trade = frames["trade"]
    names = tuple(sorted(set(trade["importer"].astype(str)) | set(trade["exporter"].astype(str))))
    sector_names = tuple(dict.fromkeys(frames["theta"]["sector"].astype(str)))
    countries = tuple(_ISO3.get(c, re.sub(r"[^A-Za-z]", "", c).upper()) for c in names)
    sectors = tuple(_sector_code(s) for s in sector_names)
    if len(set(countries)) != len(countries) or len(set(sectors)) != len(sectors):
        raise DataError(
            f"{folder}: ambiguous labels",
            [Problem(str(folder), "region/sector", "two names map to the same code")],
        )
    N, J = len(names), len(sector_names)
    src = str(folder / "trade")
    n = _positions(src, trade, "importer", names)
    i = _positions(src, trade, "exporter", names)
    j = _positions(src, trade, "sector", sector_names)
    if pd.Series(n * N * J + i * J + j).duplicated().any():
        raise DataError(f"{src}: duplicated cells", [Problem(src, "", "a cell appears twice")])

    def cube(column: str, fill: float) -> FloatArray:
        out = np.full((N, N, J), fill)
        out[n, i, j] = trade[column].to_numpy(dtype=float)
        return out

    flows = cube("value", 0.0) / unit
    tariffs = {c: cube(c, 0.0) for c in trade.columns if c.startswith("tariff")}
    iceberg = {c: cube(c, 1.0) for c in trade.columns if c.startswith("d_")}

    def matrix(name: str) -> FloatArray:
        frame, where = frames[name], str(folder / name)
        out = np.zeros((N, J))
        rows = _positions(where, frame, "region", names)
        cols = _positions(where, frame, "sector", sector_names)
        np.add.at(out, (rows, cols), frame["value"].to_numpy(dtype=float) / unit)
        return out

    ic = frames["intermediate_consumption"]
    where = str(folder / "intermediate_consumption")
    inter = np.zeros((N, J, J))
    np.add.at(
        inter,
        (
            _positions(where, ic, "region", names),
            _positions(where, ic, "input", sector_names),
            _positions(where, ic, "sector", sector_names),
        ),
        ic["value"].to_numpy(dtype=float) / unit,
    )
    deficit = np.zeros(N)
    d = frames["deficit"]
    deficit[_positions(str(folder / "deficit"), d, "region", names)] = d["D"].to_numpy() / unit
    theta = frames["theta"]["value"].to_numpy(dtype=float)
    problems = []
    # The NAFTA data has one slightly negative input cell (-9.5 million dollars); the
    # package keeps it, and so do we: only trade flows must be non-negative.
    if np.any(flows < 0):
        problems.append(Problem(src, "value", "negative trade flows"))
    if np.any(~(theta > 0)):
        problems.append(Problem(str(folder / "theta"), "value", "trade elasticities must be > 0"))
    if any(np.any(t <= -1.0) for t in tariffs.values()):
        problems.append(Problem(src, "tariff", "tariff rates must exceed -1"))
    if problems:
        raise DataError(f"{folder}: bad values", problems)
    return Cp2015Table(
        countries=countries,
        sectors=sectors,
        country_names=names,
        sector_names=sector_names,
        trade_musd=flows,
        tariffs=tariffs,
        iceberg=iceberg,
        intermediate_musd=inter,
        final_musd=matrix("final_consumption"),
        value_added_musd=matrix("value_added"),
        deficit_musd=deficit,
        theta=theta,
        source=str(folder),
        year=year,
    )
