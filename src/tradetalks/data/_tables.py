"""One reader for every input-output table a user may name: long format, cp2015, pymrio.

:func:`read_table` picks the reader from ``fmt`` (:data:`TABLE_FORMATS`); without it a
folder is read in the ``cp2015`` layout and a file in the bundled WIOD long format. A
scenario's ``[economics] table`` goes through it. Tables are cached by path, format and
modification time, because a scenario file's table is read once for its codes
(validation) and once for its numbers (pricing).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tradetalks._errors import DataError, Problem
from tradetalks.data._cp2015 import Cp2015Table, read_cp2015
from tradetalks.data._pymrio import PYMRIO_FORMATS, read_pymrio
from tradetalks.data._wiod import WiodTable, read_wiod_table

__all__ = ["TABLE_FORMATS", "read_table"]

#: Formats a table may be named in (pymrio's bundled ``test`` system has no file).
TABLE_FORMATS: tuple[str, ...] = ("wiod", "cp2015", *(f for f in PYMRIO_FORMATS if f != "test"))


def _stamp(path: str | Path | None) -> int:
    if path is None:
        return 0
    p = Path(path)
    return p.stat().st_mtime_ns if p.exists() else -1


def read_table(
    path: str | Path,
    output: str | Path | None = None,
    *,
    fmt: str | None = None,
    year: int | None = None,
) -> WiodTable | Cp2015Table:
    """Read an input-output table in any supported format (module docstring).

    Raises
    ------
    DataError
        An unknown format, ``output`` with a format other than the long one, or whatever
        the format's reader finds wrong with the files.
    """
    # A folder is read as the cp2015 layout, whose reader names the file it misses.
    fmt = fmt or ("cp2015" if Path(path).is_dir() else "wiod")
    if fmt not in TABLE_FORMATS:
        raise DataError(
            f"unknown table format {fmt!r}",
            [Problem(str(path), "format", "expected one of " + ", ".join(TABLE_FORMATS))],
        )
    if output is not None and fmt != "wiod":
        raise DataError(
            f"{path}: a separate gross-output file is for the long format only",
            [Problem(str(output), "output", f"a {fmt} table carries its own output")],
        )
    key = (str(path), None if output is None else str(output), fmt, year)
    return _cached(*key, _stamp(path), _stamp(output))


@lru_cache(maxsize=4)
def _cached(
    path: str, output: str | None, fmt: str, year: int | None, _stamp: int, _out_stamp: int
) -> WiodTable | Cp2015Table:
    if fmt == "cp2015":
        return read_cp2015(path, year=year)
    if fmt == "wiod":
        return read_wiod_table(path, output, year=year)
    return read_pymrio(path, fmt, year=year)
