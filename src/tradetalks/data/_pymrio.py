"""Multi-regional input-output tables read through ``pymrio`` (OECD ICIO, EXIOBASE, Eora).

pymrio (Stadler 2021, "Pymrio – A Python Based Multi-Regional Input-Output Analysis
Toolbox", Journal of Open Research Software 9(1): 8) parses the published formats of the
big MRIO databases into one ``IOSystem`` (``Z`` intermediate flows, ``Y`` final demand by
region and category). :func:`read_pymrio` turns one into a
:class:`~tradetalks.data.WiodTable` so the Caliendo–Parro calibration and every
``tradetalks price`` option work on it unchanged; we write no parser of our own.

Final-demand categories keep their names, except that the changes in inventories (a
category whose name contains "inventor", e.g. EXIOBASE's and the test system's
"Changes in inventories", OECD's "INVNT") become ``INVEN``, which
:func:`~tradetalks.data.net_inventories` treats exactly as for WIOD (``drop`` or ``crc``;
other categories such as "Changes in valuables" stay final demand). Columns of sales to
outside the table (``Export``) are dropped: the model's world is the table's regions.
Flows are read in the table's unit; pass ``scale`` to convert to million USD.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from tradetalks._errors import DataError, Problem
from tradetalks.data._wiod import WiodTable

__all__ = ["PYMRIO_FORMATS", "read_pymrio"]

#: ``format`` names and the pymrio function that reads each.
PYMRIO_FORMATS: dict[str, str] = {
    "pymrio": "load",  # a folder saved with IOSystem.save / save_all
    "oecd": "parse_oecd",
    "exiobase3": "parse_exiobase3",
    "eora26": "parse_eora26",
    "test": "load_test",  # pymrio's bundled six-region test system
}
_INVENTORY = re.compile(r"inventor|invnt", re.IGNORECASE)
_OUTSIDE = re.compile(r"^export", re.IGNORECASE)


def _system(source: Any, fmt: str) -> Any:
    if not isinstance(source, str | Path) and fmt != "test":
        return source  # already an IOSystem
    try:
        import pymrio
    except ImportError as error:
        raise DataError(
            "pymrio is not installed",
            [Problem(str(source), "", "install the 'mrio' extra: pip install 'tradetalks[mrio]'")],
        ) from error
    if fmt not in PYMRIO_FORMATS:
        raise DataError(
            f"unknown table format {fmt!r}",
            [Problem(str(source), "format", "expected one of " + ", ".join(PYMRIO_FORMATS))],
        )
    reader = getattr(pymrio, PYMRIO_FORMATS[fmt])
    try:
        return reader() if fmt == "test" else reader(str(source))
    except Exception as error:  # pymrio raises many types on files it cannot parse
        raise DataError(
            f"{source}: unreadable as {fmt}",
            [Problem(str(source), "", f"pymrio cannot read it as {fmt}: {error}")],
        ) from error


def read_pymrio(
    source: Any, fmt: str = "pymrio", *, year: int | None = None, scale: float = 1.0
) -> WiodTable:
    """Read an MRIO table with pymrio (a path with ``fmt``, or an ``IOSystem``).

    Raises
    ------
    DataError
        pymrio missing, an unreadable file, a table without ``Z`` and ``Y`` or with
        negative intermediate flows.
    """
    system = _system(source, fmt)
    where = str(source) if isinstance(source, str | Path) else f"<pymrio {fmt}>"
    if getattr(system, "Z", None) is None or getattr(system, "Y", None) is None:
        try:
            system.calc_system()
        except Exception as error:
            raise DataError(f"{where}: no Z and Y", [Problem(where, "Z", str(error))]) from error
    Z, Y = system.Z, system.Y
    regions = tuple(str(r) for r in Z.index.get_level_values(0).unique())
    sectors = tuple(str(s) for s in Z.index.get_level_values(1).unique())
    N, J = len(regions), len(sectors)
    if Z.shape != (N * J, N * J):
        raise DataError(f"{where}: Z is not square by region x sector",
                        [Problem(where, "Z", f"shape {Z.shape}")])  # fmt: skip
    Z = Z.reindex(index=Z.index, columns=Z.index)  # columns in row order
    inter = Z.to_numpy(dtype=float).reshape(N, J, N, J) * scale
    categories = [str(c) for c in Y.columns.get_level_values(1).unique()]
    kept = [c for c in categories if not _OUTSIDE.search(c)]
    names = tuple("INVEN" if _INVENTORY.search(c) else c for c in kept)
    final = np.zeros((N, J, N, len(kept)))
    for n, region in enumerate(regions):
        for f, category in enumerate(kept):
            final[:, :, n, f] = Y[(region, category)].to_numpy(dtype=float).reshape(N, J)
    final *= scale
    if "INVEN" not in names:
        final = np.concatenate((final, np.zeros((N, J, N, 1))), axis=3)
        names = (*names, "INVEN")
    if not np.all(np.isfinite(inter)) or not np.all(np.isfinite(final)) or inter.min() < 0:
        raise DataError(
            f"{where}: bad flows",
            [Problem(where, "Z", "flows must be finite and intermediate flows non-negative")],
        )
    output = inter.sum(axis=(2, 3)) + final.sum(axis=(2, 3))
    return WiodTable(
        countries=regions,
        sectors=sectors,
        intermediate_musd=inter,
        final_musd=final,
        gross_output_musd=output,
        year=year,
        source=where,
        final_categories=names,
    )
