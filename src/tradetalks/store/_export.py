"""A saved run's tables written out as CSV, Parquet or an Excel workbook.

One table goes to one file. All of a run's tables go to one workbook (a sheet per table
and a ``run`` sheet with its inputs and summary) or to a folder with one CSV/Parquet file
per table and ``run.json``. Every file is written to a temporary file beside it and
renamed into place, so a reader never sees half a file. Parquet keeps dtypes exactly
(``pandas.read_parquet`` gives the same DataFrame back); CSV and Excel keep values.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from tradetalks._errors import InputError, StoreError
from tradetalks.store._records import RunRecord

ExportFormat = Literal["csv", "parquet", "xlsx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
#: Rows an Excel sheet holds (Office specifications), one of them the header.
EXCEL_MAX_ROWS = 1_048_575


def check_format(fmt: str) -> ExportFormat:
    """``fmt`` if it is an export format, else one InputError naming the ones there are."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"--format: unknown export format {fmt!r}; expected csv, parquet or xlsx")
    return fmt


def run_sheet(record: RunRecord) -> pd.DataFrame:
    """A run's inputs and summary as two columns (field, value), values as text or JSON."""
    info = record.info
    rows: list[tuple[str, str]] = [
        ("run_id", info.run_id),
        ("kind", info.kind),
        ("scenario_id", info.scenario_id),
        ("status", info.status),
        ("created_utc", info.created_utc.isoformat()),
        ("data_version", info.data_version),
        ("seed", "" if info.seed is None else str(info.seed)),
        ("tradetalks_version", info.tradetalks_version),
        ("settings", json.dumps(record.settings, ensure_ascii=False, default=str)),
        ("summary", json.dumps(record.summary, ensure_ascii=False, default=str)),
        ("scenario_text", record.scenario_text),
    ]
    return pd.DataFrame(rows, columns=["field", "value"])


def _plain_index(frame: pd.DataFrame) -> bool:
    index = frame.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _for_excel(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if len(frame) > EXCEL_MAX_ROWS:
        raise InputError(
            f"table {name!r} has {len(frame):,} rows; an Excel sheet holds {EXCEL_MAX_ROWS:,}: "
            "export it as csv or parquet"
        )
    out = frame if _plain_index(frame) else frame.reset_index()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):  # Excel has no time zones
            out = out.assign(**{column: out[column].dt.tz_convert("UTC").dt.tz_localize(None)})
    return out


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise InputError(f"{path}: cannot write: {error.strerror or error}") from error
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise InputError(f"{path}: cannot write: {error.strerror or error}") from error
        raise


def write_table(frame: pd.DataFrame, path: Path, fmt: ExportFormat, name: str) -> None:
    """One table to ``path`` in ``fmt`` (atomically)."""
    if fmt == "csv":
        _atomic(path, lambda p: frame.to_csv(p, index=not _plain_index(frame)))
    elif fmt == "parquet":
        _atomic(path, lambda p: frame.to_parquet(p, engine="pyarrow"))
    else:
        write_workbook({name: frame}, path)


def write_workbook(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Tables as the sheets of one ``.xlsx`` workbook (sheet names cut to Excel's 31 chars)."""
    ready = {name[:31]: _for_excel(frame, name) for name, frame in sheets.items()}

    def write(p: Path) -> None:
        with pd.ExcelWriter(p, engine="openpyxl") as book:
            for name, frame in ready.items():
                frame.to_excel(book, sheet_name=name, index=False)

    _atomic(path, write)


def _destination(path: Path, *, folder: bool) -> Path:
    if folder:
        if path.exists() and not path.is_dir():
            raise InputError(f"{path}: exists and is not a folder; give a folder for all tables")
        if not path.parent.is_dir():
            raise InputError(f"{path}: the folder {path.parent} does not exist")
        path.mkdir(exist_ok=True)
        return path
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name (-o)")
    if not path.parent.is_dir():
        raise InputError(f"{path}: the folder {path.parent} does not exist")
    return path


def default_export_path(run_id: str, fmt: ExportFormat, table: str | None) -> Path:
    """``<run>-<table>.<fmt>`` for one table, ``<run>.xlsx`` or a folder ``<run>-<fmt>``."""
    if table is not None:
        return Path(f"{run_id}-{table}.{fmt}")
    return Path(f"{run_id}.xlsx") if fmt == "xlsx" else Path(f"{run_id}-{fmt}")


def export_run(
    record: RunRecord, fmt: str, path: str | os.PathLike[str] | None = None, *, table: str | None
) -> list[Path]:
    """Write a run's table ``table`` (or all its tables) in ``fmt``; return the files written.

    Raises
    ------
    InputError
        Unknown format, a destination that cannot be written, a table too long for Excel.
    StoreError
        The run has no table ``table``.
    """
    kind = check_format(fmt)
    info = record.info
    if table is not None and table not in record.tables:
        raise StoreError(
            f"run {info.run_id} has no table {table!r}; it has {sorted(record.tables) or 'none'}"
        )
    target = Path(path) if path is not None else default_export_path(info.run_id, kind, table)
    if table is not None:
        target = _destination(target, folder=False)
        write_table(record.tables[table], target, kind, table)
        return [target]
    if kind == "xlsx":
        target = _destination(target, folder=False)
        write_workbook({"run": run_sheet(record), **record.tables}, target)
        return [target]
    folder = _destination(target, folder=True)
    written = []
    for name, frame in record.tables.items():
        out = folder / f"{name}.{kind}"
        write_table(frame, out, kind, name)
        written.append(out)
    meta: dict[str, Any] = dict(zip(*run_sheet(record).to_dict("list").values(), strict=True))
    meta["settings"], meta["summary"] = record.settings, record.summary
    out = folder / "run.json"
    text = json.dumps(meta, indent=2, ensure_ascii=False, default=str)

    def write_json(p: Path) -> None:
        p.write_text(text, encoding="utf-8")

    _atomic(out, write_json)
    return [*written, out]
