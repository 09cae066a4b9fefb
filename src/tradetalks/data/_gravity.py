"""Gravity panels as tidy, checked pandas frames.

Bundled files (see ``tradetalks/data/gravity/SOURCES.md``):

- the Advanced Guide panel (Yotov, Piermartini, Monteiro and Larch 2016, *An Advanced Guide
  to Trade Policy Analysis*, WTO/UNCTAD): 69 countries, 1986-2006, manufacturing trade
  including intra-national flows on the diagonal;
- the chapter 1 exercise files (WTO membership, 65 countries; MFN tariffs, 52 countries);
- the ``gegravity`` sample data set (30 countries, 2006, with ``Y`` and ``E`` columns).

Every loader returns one row per (exporter, importer, year) with the columns ``exporter``,
``importer``, ``year``, ``trade`` first, then the gravity variables. Codes are the files' own:
Romania is ``ROM`` in the AG files and Germany is ``DEU`` (the authors' scripts rename it ``ZZZ``;
we do not). Trade is in millions of current US dollars.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tradetalks._errors import DataError, Problem

__all__ = [
    "GRAVITY_DATASETS",
    "GravityDataset",
    "check_gravity_frame",
    "load_gravity",
    "read_gravity_file",
]

GravityDataset = Literal["agtpa_panel", "agtpa_wto", "agtpa_mfn", "gegravity_sample"]

#: Bundled gravity files, by name.
GRAVITY_DATASETS: dict[str, str] = {
    "agtpa_panel": "agtpa_panel_69c_1986_2006.parquet",
    "agtpa_wto": "agtpa_ch1_exercise1_wto_65c.parquet",
    "agtpa_mfn": "agtpa_ch1_exercise2_mfn_tariff_52c.parquet",
    "gegravity_sample": "gegravity_sample_data_set_30c_2006.csv",
}

_KEYS = ("exporter", "importer", "year")
_KNOWN_COLUMNS = frozenset(
    {
        *_KEYS,
        "trade",
        "pair_id",
        "DIST",
        "CNTG",
        "LANG",
        "CLNY",
        "RTA",
        "RTA_LAG3",
        "RTA_LAG4",
        "RTA_LAG6",
        "RTA_LAG8",
        "RTA_LAG9",
        "RTA_LAG12",
        "RTA_LEAD4",
        "WTO",
        "MFN_TARIFF",
        "Y",
        "E",
        "pta",
        "contiguity",
        "common_language",
        "lndist",
        "international",
    }
)


def load_gravity(
    name: GravityDataset = "agtpa_panel",
    *,
    years: Iterable[int] | None = None,
    require_internal: bool | None = None,
) -> pd.DataFrame:
    """Load one bundled gravity data set as a checked, tidy frame.

    Parameters
    ----------
    name
        One of :data:`GRAVITY_DATASETS`.
    years
        Keep only these years (all by default).
    require_internal
        Demand intra-national flows (exporter == importer) for every country and year.
        By default required for the files that have them (the AG panel, the MFN file and
        the gegravity sample), not for the WTO exercise, which has international flows only.

    Returns
    -------
    pandas.DataFrame
        Sorted by year, exporter, importer, with a fresh index.
    """
    if name not in GRAVITY_DATASETS:
        raise DataError(
            f"unknown gravity data set {name!r}",
            [
                Problem(
                    "<bundled>",
                    "name",
                    f"unknown gravity data set {name!r}; expected one of "
                    + ", ".join(sorted(GRAVITY_DATASETS)),
                )
            ],
        )
    file_name = GRAVITY_DATASETS[name]
    ref = resources.files("tradetalks.data").joinpath("gravity", file_name)
    with resources.as_file(ref) as path:
        frame = _read_table(path)
    if require_internal is None:
        require_internal = name != "agtpa_wto"
    return check_gravity_frame(
        frame, source=file_name, years=years, require_internal=require_internal
    )


def read_gravity_file(
    path: str | Path,
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    year: str = "year",
    trade: str = "trade",
    columns: Sequence[str] | None = None,
    years: Iterable[int] | None = None,
    require_internal: bool = True,
) -> pd.DataFrame:
    """Read a user's gravity panel (CSV or Parquet) with named columns and check it.

    Parameters
    ----------
    path
        A ``.csv`` or ``.parquet`` file.
    exporter, importer, year, trade
        Names of the key columns in the file; they are renamed to the standard names.
    columns
        Further columns to keep (the gravity variables); each must exist. By default all
        other columns are kept.
    years
        Keep only these years.
    require_internal
        Demand intra-national flows for every country and year (needed by structural gravity).
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise DataError(f"{source}: no such file", [Problem(source, "", "no such file")])
    frame = _read_table(path)
    mapping = {exporter: "exporter", importer: "importer", year: "year", trade: "trade"}
    missing = [col for col in mapping if col not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing columns {missing}",
            [
                Problem(source, col, f"column not found; the file has {list(frame.columns)}")
                for col in missing
            ],
        )
    clash = [
        f"{flag}-col {col!r}"
        for col, std in mapping.items()
        for flag in (f"--{std}",)
        if col != std and std in frame.columns
    ]
    if clash:  # renaming would give two columns of one name
        raise DataError(
            f"{source}: {', '.join(clash)} would duplicate a column",
            [
                Problem(
                    source, c, "the file already has a column of the standard name; name that one"
                )
                for c in clash
            ],
        )
    frame = frame.rename(columns=mapping)
    if columns is not None:
        absent = [col for col in columns if col not in frame.columns]
        if absent:
            raise DataError(
                f"{source}: unknown columns {absent}",
                [Problem(source, col, "column not found in the file") for col in absent],
            )
        frame = frame[[*_KEYS, "trade", *columns]]
    return check_gravity_frame(
        frame, source=source, years=years, require_internal=require_internal, strict=False
    )


def check_gravity_frame(
    frame: pd.DataFrame,
    *,
    source: str = "<frame>",
    years: Iterable[int] | None = None,
    require_internal: bool = True,
    strict: bool = True,
) -> pd.DataFrame:
    """Check a gravity panel and return it tidy (keys first, sorted, fresh index).

    Raises :class:`~tradetalks.DataError` listing every problem found: missing key columns,
    unknown columns (when ``strict``), missing or negative or non-finite trade, duplicate
    (exporter, importer, year) rows, and countries without intra-national trade when
    ``require_internal``.
    """
    problems: list[Problem] = []
    missing = [col for col in (*_KEYS, "trade") if col not in frame.columns]
    if missing:
        raise DataError(
            f"{source}: missing columns {missing}",
            [Problem(source, col, "required column is missing") for col in missing],
        )
    if strict:
        problems.extend(
            Problem(source, str(col), "unknown column")
            for col in frame.columns
            if col not in _KNOWN_COLUMNS
        )
    frame = frame.copy()
    frame["exporter"] = frame["exporter"].astype(str)
    frame["importer"] = frame["importer"].astype(str)
    year_values = pd.to_numeric(frame["year"], errors="coerce")
    if year_values.isna().any():
        line = int(np.flatnonzero(year_values.isna().to_numpy())[0])
        problems.append(Problem(source, "year", f"not a year in row {line + 1}"))
    else:
        frame["year"] = year_values.astype(np.int64)
    if years is not None:
        wanted = sorted(set(years))
        present = set(frame["year"].tolist())
        absent = [y for y in wanted if y not in present]
        if absent:
            problems.append(Problem(source, "year", f"no rows for years {absent}"))
        frame = frame[frame["year"].isin(wanted)]
    trade = pd.to_numeric(frame["trade"], errors="coerce").astype(np.float64)
    _flag_rows(problems, source, frame, ~np.isfinite(trade.to_numpy()), "trade is missing")
    _flag_rows(problems, source, frame, trade.to_numpy() < 0, "trade is negative")
    frame["trade"] = trade
    duplicated = frame.duplicated(list(_KEYS), keep=False).to_numpy()
    _flag_rows(problems, source, frame, duplicated, "duplicate (exporter, importer, year)")
    if require_internal and not problems:
        problems.extend(_internal_trade_problems(frame, source))
    if problems:
        raise DataError(
            f"{source}: {len(problems)} problem(s) in gravity data, first: {problems[0].message}",
            problems,
        )
    rest = [col for col in frame.columns if col not in (*_KEYS, "trade")]
    frame = frame[[*_KEYS, "trade", *rest]]
    return frame.sort_values(["year", "exporter", "importer"]).reset_index(drop=True)


def _read_table(path: Path) -> pd.DataFrame:
    source = str(path)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() in {".csv", ".dlm", ".txt"}:
            return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{source}: cannot read: {exc}", [Problem(source, "", str(exc))]) from exc
    raise DataError(
        f"{source}: unsupported file type",
        [Problem(source, "", f"unsupported file type {path.suffix!r}; use .csv or .parquet")],
    )


def _flag_rows(
    problems: list[Problem], source: str, frame: pd.DataFrame, mask: np.ndarray, what: str
) -> None:
    count = int(mask.sum())
    if count == 0:
        return
    first = frame.iloc[int(np.flatnonzero(mask)[0])]
    example = f"{first['exporter']}->{first['importer']} {first['year']}"
    problems.append(Problem(source, "trade", f"{what} in {count} row(s), e.g. {example}"))


def _internal_trade_problems(frame: pd.DataFrame, source: str) -> list[Problem]:
    problems = []
    for year, group in frame.groupby("year", sort=True):
        countries = set(group["exporter"]) | set(group["importer"])
        internal = group.loc[group["exporter"] == group["importer"]]
        positive = set(internal.loc[internal["trade"] > 0, "exporter"])
        lacking = sorted(countries - positive)
        if lacking:
            shown = ", ".join(lacking[:8]) + (" ..." if len(lacking) > 8 else "")
            problems.append(
                Problem(
                    source,
                    "trade",
                    f"no intra-national trade (exporter == importer) in {year} for {shown}",
                )
            )
    return problems
