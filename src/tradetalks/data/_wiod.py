"""World Input-Output Database (2013 release) as labelled numpy arrays.

The bundled tables (``tradetalks/data/wiod/``, see its SOURCES.md) are long
Parquet files: one row per flow from a selling country-industry to a buying
country's industry (intermediate use) or final-demand category, in millions of
current US dollars. :func:`load_wiod` reads one year of them (or a user table in
the same long format, CSV or Parquet), checks it and returns a
:class:`WiodTable`.

Array conventions (41 regions × 35 industries for WIOD)
-------------------------------------------------------
``intermediate_musd[i, j, n, k]``
    sales of industry ``j`` of country ``i`` to industry ``k`` of country ``n``.
``final_musd[i, j, n, f]``
    sales of industry ``j`` of country ``i`` to final-demand category ``f`` of ``n``.
``trade_musd[n, i, j]``
    what country ``n`` buys from country ``i`` of industry ``j`` goods, for
    intermediate and final use together (importer first, as ``π_ni^j`` in
    Caliendo and Parro 2015); ``i == n`` is internal trade.

Flows are at basic prices: they exclude tariffs and other taxes on products
(Timmer et al. 2015, section 2), which is why the economics layer adds tariffs
on top of them.

Inventories
-----------
Changes in inventories (``INVEN``) and a handful of gross-fixed-capital-formation
cells (``GFCF``) are negative in the source; a static model has no stocks. Two
treatments are offered (:data:`INVENTORY_METHODS`, see ``docs/instruments.md``), both
ending with gross output recomputed from the remaining final demand with every
country-industry's input coefficients held fixed, ``y = (I − A)⁻¹ f`` (a Leontief
inverse), so that the table stays balanced (intermediate flows become ``A · diag(y)``):

``"drop"`` (the default)
    the whole ``INVEN`` column is set to zero: stocks built up are not demanded, stocks
    run down are produced this year instead.
``"crc"``
    Costinot and Rodríguez-Clare's (2014, Handbook of International Economics vol. 4,
    ch. 4) procedure as implemented by Krebs' ``iotr`` (``io_rm_dynamics``, which cites
    it): a positive change in inventories is treated as consumed in the year (moved to the
    buyer's household consumption, the first other final category), a negative one as
    produced in the year (set to zero).

In both, negative ``GFCF`` cells (sales of used capital goods) are set to zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradetalks._errors import DataError, Problem
from tradetalks._inputs import numeric_columns

__all__ = [
    "FINAL_CATEGORIES",
    "INVENTORY_METHODS",
    "WIOD_SECTORS",
    "WIOD_YEARS",
    "WiodTable",
    "load_wiod",
    "net_inventories",
    "read_wiod_table",
]

FloatArray = npt.NDArray[np.float64]

#: Industry codes of the WIOD 2013 release, in order (SOURCES.md).
WIOD_SECTORS: tuple[str, ...] = tuple(f"c{k}" for k in range(1, 36))
#: Final-demand categories of the WIOD 2013 release.
FINAL_CATEGORIES: tuple[str, ...] = ("CONS_h", "CONS_np", "CONS_g", "GFCF", "INVEN")
#: Treatments of the inventory column offered by :func:`net_inventories`.
INVENTORY_METHODS: tuple[str, ...] = ("drop", "crc")
#: Years bundled with the package.
WIOD_YEARS: tuple[int, ...] = tuple(range(1995, 2012))

_TABLE_COLUMNS = ("from_country", "from_industry", "to_country", "use", "value")
_OUTPUT_COLUMNS = ("country", "industry", "gross_output")
_NEGATIVE_ALLOWED = frozenset({"INVEN", "GFCF"})
_CODE = re.compile(r"^[A-Za-z]{3}$")


@dataclass(frozen=True, eq=False)
class WiodTable:
    """One year of a world input-output table, as labelled arrays (millions of US dollars).

    Parameters
    ----------
    countries
        Region codes, in array order (``RoW`` is the rest of the world).
    sectors
        Industry codes ``c1``..``c35``, in array order.
    intermediate_musd
        ``[i, j, n, k]``: sales of industry ``j`` in ``i`` to industry ``k`` in ``n``.
    final_musd
        ``[i, j, n, f]``: sales of industry ``j`` in ``i`` to final-demand category
        ``f`` of ``n`` (order :data:`FINAL_CATEGORIES`).
    gross_output_musd
        ``[i, j]``: gross output as reported (row sums when no output was supplied).
    year
        The data year, if known.
    source
        Where the table was read from (for messages).
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    intermediate_musd: FloatArray
    final_musd: FloatArray
    gross_output_musd: FloatArray
    year: int | None = None
    source: str = "<memory>"
    final_categories: tuple[str, ...] = field(default=FINAL_CATEGORIES)

    def __post_init__(self) -> None:
        for array in (self.intermediate_musd, self.final_musd, self.gross_output_musd):
            array.setflags(write=False)

    @property
    def n_countries(self) -> int:
        """Number of regions."""
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        """Number of industries."""
        return len(self.sectors)

    def country_index(self, code: str) -> int:
        """Position of a region code; :class:`DataError` if unknown."""
        try:
            return self.countries.index(code)
        except ValueError:
            raise DataError(
                f"unknown country code {code!r}",
                [
                    Problem(
                        self.source,
                        "country",
                        f"unknown code {code!r}; known: " + ", ".join(self.countries),
                    )
                ],
            ) from None

    def sector_index(self, code: str) -> int:
        """Position of an industry code; :class:`DataError` if unknown."""
        try:
            return self.sectors.index(code)
        except ValueError:
            raise DataError(
                f"unknown sector code {code!r}",
                [Problem(self.source, "sector", f"unknown code {code!r}; expected c1..c35")],
            ) from None

    @property
    def trade_musd(self) -> FloatArray:
        """``[n, i, j]``: purchases by ``n`` of industry-``j`` goods made in ``i`` (all uses)."""
        inter = self.intermediate_musd.sum(axis=3)  # [i, j, n]
        final = self.final_musd.sum(axis=3)
        return np.transpose(inter + final, (2, 0, 1)).copy()

    @property
    def row_sums_musd(self) -> FloatArray:
        """``[i, j]``: total sales of each country-industry in the table."""
        return np.asarray(
            self.intermediate_musd.sum(axis=(2, 3)) + self.final_musd.sum(axis=(2, 3)),
            dtype=np.float64,
        )

    @property
    def intermediate_use_musd(self) -> FloatArray:
        """``[n, k]``: intermediate purchases of each country-industry (column sums)."""
        return np.asarray(self.intermediate_musd.sum(axis=(0, 1)), dtype=np.float64)

    @property
    def value_added_musd(self) -> FloatArray:
        """``[n, k]``: gross output minus intermediate purchases."""
        return self.gross_output_musd - self.intermediate_use_musd

    @property
    def final_demand_musd(self) -> FloatArray:
        """``[n, j, f]``: final purchases of industry-``j`` goods by ``n`` (all origins)."""
        return np.asarray(self.final_musd.sum(axis=0), dtype=np.float64).transpose(1, 0, 2)

    @property
    def trade_deficit_musd(self) -> FloatArray:
        """``[n]``: purchases from the world minus sales to the world (imports − exports)."""
        trade = self.trade_musd
        return np.asarray(trade.sum(axis=(1, 2)) - trade.sum(axis=(0, 2)), dtype=np.float64)

    def bilateral_musd(self, exporter: str, importer: str, sector: str | None = None) -> float:
        """Flow of goods (all uses) from ``exporter`` to ``importer``, one sector or all."""
        n, i = self.country_index(importer), self.country_index(exporter)
        flows = self.trade_musd[n, i]
        return float(flows.sum() if sector is None else flows[self.sector_index(sector)])


def _resource_path(name: str) -> Path:
    return Path(str(resources.files("tradetalks.data").joinpath("wiod", name)))


def load_wiod(year: int) -> WiodTable:
    """Load one bundled year of WIOD (1995–2011), checked, with inventories as in the source.

    Parameters
    ----------
    year
        Data year, 1995 to 2011.

    Returns
    -------
    WiodTable
        41 regions × 35 industries. Call :func:`net_inventories` before calibrating a model.
    """
    if year not in WIOD_YEARS:
        raise DataError(
            f"no bundled WIOD table for {year}",
            [Problem("wiod", "year", f"{year} is not bundled; choose 1995..2011")],
        )
    return read_wiod_table(
        _resource_path(f"wiot_{year}.parquet"), _resource_path(f"output_{year}.parquet"), year=year
    )


def _read_frame(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: no such file", [Problem(str(path), "", "no such file")])
    try:
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(path)
        elif path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise DataError(
                f"{path}: unsupported format",
                [Problem(str(path), "", "expected a .csv or .parquet file")],
            )
    except DataError:
        raise
    except Exception as error:  # pandas/pyarrow raise many types on unreadable files
        raise DataError(
            f"{path}: unreadable", [Problem(str(path), "", f"cannot be read: {error}")]
        ) from error
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing columns",
            [Problem(str(path), c, "missing column") for c in missing],
        )
    numbers = ("value", "gross_output", "year")
    return numeric_columns(frame, numbers, str(path), whole=("year",), error=DataError)


class _Codes:
    """A column of codes as integer positions, without a Python loop over rows."""

    def __init__(self, series: pd.Series) -> None:
        cat = series.astype("category")
        self.categories = [str(c) for c in cat.cat.categories]
        self.codes = cat.cat.codes.to_numpy()
        used = np.unique(self.codes)
        self.present = [self.categories[c] for c in used if c >= 0]

    def unknown(self, labels: tuple[str, ...]) -> list[str]:
        known = set(labels)
        return [c for c in self.present if c not in known][:5]

    def positions(self, labels: tuple[str, ...]) -> npt.NDArray[np.int64]:
        pos = {c: k for k, c in enumerate(labels)}
        lut = np.array([pos.get(c, -1) for c in self.categories] + [-1], dtype=np.int64)
        return np.asarray(lut[self.codes], dtype=np.int64)


def _row_problems(
    source: str, frame: pd.DataFrame, mask: pd.Series, column: str, message: str, csv: bool
) -> list[Problem]:
    rows = np.flatnonzero(mask.to_numpy())[:5]
    # A CSV header is line 1, so data row r sits on line r + 2.
    return [Problem(source, column, message, line=int(r) + 2 if csv else None) for r in rows]


def read_wiod_table(
    table_path: str | Path,
    output_path: str | Path | None = None,
    *,
    year: int | None = None,
    output_abs_tol_musd: float = 150.0,
    output_rel_tol: float = 1e-3,
) -> WiodTable:
    """Read and check a world input-output table in the bundled long format.

    Parameters
    ----------
    table_path
        CSV or Parquet with columns ``from_country, from_industry, to_country, use, value``
        (and optionally ``year``).
    output_path
        Optional CSV or Parquet with ``country, industry, gross_output``; without it
        gross output is the row sum of the table.
    year
        Keep only this year when the table has a ``year`` column with several years.
    output_abs_tol_musd, output_rel_tol
        Allowed gap between reported gross output and the row sum of the table:
        ``|gap| <= abs_tol + rel_tol * output``. The source keeps gaps of up to
        about 110 million dollars (SOURCES.md), hence the default of 150.

    Raises
    ------
    DataError
        Naming the file, the field and the cause: missing columns or values, unknown
        industry or use codes, negative flows other than inventories/GFCF, a country
        without internal trade, inconsistent totals.
    """
    path = Path(table_path)
    source = str(path)
    csv = path.suffix.lower() == ".csv"
    frame = _read_frame(path, _TABLE_COLUMNS)
    if "year" in frame.columns:
        years = sorted(pd.unique(frame["year"].dropna()))
        if year is not None:
            frame = frame[frame["year"] == year]
            if frame.empty:
                raise DataError(
                    f"{source}: no rows for {year}",
                    [Problem(source, "year", f"no rows for {year}; found {years}")],
                )
        elif len(years) > 1:
            raise DataError(
                f"{source}: several years",
                [Problem(source, "year", f"several years {years}; pass year=")],
            )
        elif years:
            year = int(years[0])
    frame = frame.reset_index(drop=True)
    problems: list[Problem] = []
    for column in _TABLE_COLUMNS:
        na = frame[column].isna()
        if na.any():
            problems += _row_problems(source, frame, na, column, "missing value", csv)
    if problems:
        raise DataError(f"{source}: missing values", problems)
    value = pd.to_numeric(frame["value"], errors="coerce")
    if value.isna().any():
        raise DataError(
            f"{source}: non-numeric values",
            _row_problems(source, frame, value.isna(), "value", "not a number", csv),
        )
    vals = value.to_numpy(dtype=np.float64)
    codes = {c: _Codes(frame[c]) for c in ("from_country", "from_industry", "to_country", "use")}

    sectors = WIOD_SECTORS
    uses = (*sectors, *FINAL_CATEGORIES)
    problems += [
        Problem(source, "from_industry", f"unknown industry code {c!r}; expected c1..c35")
        for c in codes["from_industry"].unknown(sectors)
    ]
    problems += [
        Problem(
            source,
            "use",
            f"unknown use code {c!r}; expected c1..c35 or " + ", ".join(FINAL_CATEGORIES),
        )
        for c in codes["use"].unknown(uses)
    ]
    for column in ("from_country", "to_country"):
        problems += [
            Problem(source, column, f"unknown country code {c!r}; expected 3 letters")
            for c in codes[column].present
            if not _CODE.match(c)
        ]
    sellers, buyers = set(codes["from_country"].present), set(codes["to_country"].present)
    for code in sorted(sellers ^ buyers):
        side = "from_country" if code in sellers else "to_country"
        problems.append(
            Problem(
                source,
                side,
                f"country {code!r} only appears as a "
                + ("seller" if side == "from_country" else "buyer"),
            )
        )
    countries = tuple(sorted(sellers))
    i = codes["from_country"].positions(countries)
    j = codes["from_industry"].positions(sectors)
    n = codes["to_country"].positions(countries)
    u = codes["use"].positions(uses)
    allowed_negative = np.isin(u, [uses.index(c) for c in _NEGATIVE_ALLOWED])
    negative = pd.Series((vals < 0) & ~allowed_negative)
    if negative.any():
        problems += _row_problems(
            source,
            frame,
            negative,
            "value",
            "negative flow (only INVEN and GFCF may be negative)",
            csv,
        )
    if problems:
        raise DataError(f"{source}: invalid input-output table", problems)
    N, J, F = len(countries), len(sectors), len(FINAL_CATEGORIES)
    flat = ((i * J + j) * N + n) * len(uses) + u
    duplicated = pd.Series(pd.Index(flat).duplicated())
    if duplicated.any():
        raise DataError(
            f"{source}: duplicate flows",
            _row_problems(source, frame, duplicated, "use", "duplicate flow", csv),
        )
    is_final = u >= J
    inter = np.zeros((N, J, N, J))
    inter[i[~is_final], j[~is_final], n[~is_final], u[~is_final]] = vals[~is_final]
    final = np.zeros((N, J, N, F))
    final[i[is_final], j[is_final], n[is_final], u[is_final] - J] = vals[is_final]

    row_sums = inter.sum(axis=(2, 3)) + final.sum(axis=(2, 3))
    if output_path is None:
        gross = row_sums
    else:
        gross = _read_output(
            Path(output_path),
            countries,
            sectors,
            year,
            csv_tol=(output_abs_tol_musd, output_rel_tol),
            row_sums=row_sums,
        )

    internal = inter[np.arange(N), :, np.arange(N), :].sum(axis=(1, 2)) + final[
        np.arange(N), :, np.arange(N), :
    ].sum(axis=(1, 2))
    no_internal = [countries[c] for c in np.flatnonzero(internal <= 0)]
    if no_internal:
        raise DataError(
            f"{source}: no internal trade",
            [
                Problem(source, "to_country", f"{c} buys nothing from itself (no internal trade)")
                for c in no_internal
            ],
        )
    return WiodTable(
        countries=countries,
        sectors=sectors,
        intermediate_musd=inter,
        final_musd=final,
        gross_output_musd=np.asarray(gross, dtype=np.float64),
        year=year,
        source=source,
    )


def _read_output(
    path: Path,
    countries: tuple[str, ...],
    sectors: tuple[str, ...],
    year: int | None,
    csv_tol: tuple[float, float],
    row_sums: FloatArray,
) -> FloatArray:
    source = str(path)
    csv = path.suffix.lower() == ".csv"
    frame = _read_frame(path, _OUTPUT_COLUMNS)
    if year is not None and "year" in frame.columns:
        frame = frame[frame["year"] == year]
    frame = frame.reset_index(drop=True)
    problems: list[Problem] = []
    for column in _OUTPUT_COLUMNS:
        na = frame[column].isna()
        if na.any():
            problems += _row_problems(source, frame, na, column, "missing value", csv)
    if problems:
        raise DataError(f"{source}: missing values", problems)
    frame["country"] = frame["country"].astype(str)
    frame["industry"] = frame["industry"].astype(str)
    unknown_c = sorted(set(frame["country"]) - set(countries))
    unknown_s = sorted(set(frame["industry"]) - set(sectors))
    problems += [Problem(source, "country", f"unknown country code {c!r}") for c in unknown_c]
    problems += [Problem(source, "industry", f"unknown industry code {s!r}") for s in unknown_s]
    negative = frame["gross_output"] < 0
    if negative.any():
        problems += _row_problems(source, frame, negative, "gross_output", "negative output", csv)
    if problems:
        raise DataError(f"{source}: invalid gross output", problems)
    c_pos = {c: k for k, c in enumerate(countries)}
    s_pos = {s: k for k, s in enumerate(sectors)}
    gross = np.zeros((len(countries), len(sectors)))
    gross[frame["country"].map(c_pos).to_numpy(), frame["industry"].map(s_pos).to_numpy()] = frame[
        "gross_output"
    ].to_numpy(dtype=np.float64)
    abs_tol, rel_tol = csv_tol
    gap = np.abs(gross - row_sums)
    bad = np.argwhere(gap > abs_tol + rel_tol * np.abs(gross))
    if bad.size:
        raise DataError(
            f"{source}: gross output inconsistent with the table",
            [
                Problem(
                    source,
                    "gross_output",
                    f"{countries[c]} {sectors[s]}: reported {gross[c, s]:,.0f} but the table's "
                    f"row sums to {row_sums[c, s]:,.0f} (tolerance {abs_tol:g} + "
                    f"{rel_tol:g}×output)",
                )
                for c, s in bad[:5]
            ],
        )
    return gross


def net_inventories(table: WiodTable, method: str = "drop") -> WiodTable:
    """Remove changes in inventories and negative final demand, keeping the table balanced.

    ``method`` (:data:`INVENTORY_METHODS`) says what becomes of the ``INVEN`` column:
    ``"drop"`` sets all of it to zero; ``"crc"`` (Costinot and Rodríguez-Clare 2014, as
    in ``iotr::io_rm_dynamics``) adds its positive cells to the same buyer's household
    consumption (the first other final category) and sets its negative cells to zero.
    Then, with input coefficients ``A[(i,j),(n,k)] = Z[i,j,n,k] / y[n,k]``
    held fixed, gross output is recomputed from the new final demand,
    ``y' = (I − A)⁻¹ f'``, and intermediate flows become ``Z' = A · diag(y')``. The
    few negative GFCF cells are set to zero first (sales of used capital goods,
    which a static model has no room for), and the few tiny cells whose inputs exceed
    their output (rounding in the source) have their input coefficients scaled to sum
    to one. Zero-output country-industries keep zero
    coefficients, hence zero output, and produce no NaN.

    Returns
    -------
    WiodTable
        Same labels; ``INVEN`` all zero; gross output equal to the new row sums.
    """
    if method not in INVENTORY_METHODS:
        raise DataError(
            f"unknown inventory treatment {method!r}",
            [
                Problem(
                    table.source, "inventories", "expected one of " + ", ".join(INVENTORY_METHODS)
                )
            ],
        )
    N, J = table.n_countries, table.n_sectors
    final = np.array(table.final_musd)
    inven = table.final_categories.index("INVEN")
    if method == "crc":
        others = [f for f, c in enumerate(table.final_categories) if c != "INVEN"]
        if not others:
            raise DataError(
                f"{table.source}: no final demand besides inventories",
                [Problem(table.source, "use", "'crc' moves inventories to consumption: none")],
            )
        final[..., others[0]] += np.clip(final[..., inven], 0.0, None)
    final[..., inven] = 0.0
    np.clip(final, 0.0, None, out=final)
    output = table.row_sums_musd.reshape(N * J)
    Z = table.intermediate_musd.reshape(N * J, N * J)
    with np.errstate(divide="ignore", invalid="ignore"):
        A = np.where(output[None, :] > 0, Z / output[None, :], 0.0)
    # Integer rounding in the source lets a few tiny cells buy more inputs than they
    # produce; cap their input coefficients at a column sum of one (no negative value added).
    column = A.sum(axis=0)
    A /= np.maximum(column, 1.0)[None, :]
    f = final.sum(axis=(2, 3)).reshape(N * J)
    try:
        y = np.linalg.solve(np.eye(N * J) - A, f)
    except np.linalg.LinAlgError:  # a column of A sums to one: no value added anywhere
        raise DataError(
            f"{table.source}: no value added",
            [
                Problem(
                    table.source,
                    "value",
                    "I - A is singular: some country-industries use up all their output as "
                    "inputs (no value added, e.g. a table of one row); give a fuller table",
                )
            ],
        ) from None
    if not np.all(np.isfinite(y)) or y.min() < -1e-6 * max(1.0, float(y.max())):
        raise DataError(
            f"{table.source}: inventories cannot be netted out",
            [Problem(table.source, "value", "the Leontief inverse gives negative output")],
        )
    y = np.clip(y, 0.0, None)
    inter = (A * y[None, :]).reshape(N, J, N, J)
    return replace(
        table,
        intermediate_musd=inter,
        final_musd=final,
        gross_output_musd=y.reshape(N, J),
        source=f"{table.source} (inventories: {method})",
    )
