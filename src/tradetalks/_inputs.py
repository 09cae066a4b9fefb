"""The input boundary: every file, TOML document, table and number a user gives passes here.

One function per kind of input, each turning every way the input can be wrong into one
:class:`~tradetalks.InputError` (or the subclass the caller names) that says where and what,
never a traceback and never the file's contents:

- :func:`read_text`: a regular, readable, UTF-8 file under a size limit (a FIFO would hang,
  a device never ends, random bytes are not text);
- :func:`parse_toml`: TOML with the line of a syntax error, nested at most
  :data:`MAX_TOML_DEPTH` levels (``tomllib`` recurses, so deep nesting is a RecursionError);
- :func:`resolve_inside`: a path written in a file resolves inside that file's folder (or a
  folder the user passed explicitly), so a goals file cannot read ``/etc/shadow``;
- :func:`read_table`: a CSV/Parquet table, checked as a file and by its rows;
- :func:`finite_number`, :func:`numeric_columns`: numbers from the command line and tables.

And on the way out, :func:`check_finite_result`, :func:`json_text` and
:func:`decomposition_gap`: results with a non-finite number are an error, never a printed
number, JSON is always standard JSON, a decomposition that does not add up is flagged;
:func:`save_figure` draws text from inputs as written (no mathtext); :func:`write_text` and
:func:`output_folder` check a destination before writing.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from tradetalks._errors import InputError, Problem, ResultError

# numpy is imported where it is used: the CLI's `--help` and `validate` load this module and
# must start without it.

MAX_TEXT_BYTES = 8 * 2**20
"""Largest TOML file read (8 MiB); the biggest built-in scenario is under 50 KiB."""
MAX_TOML_DEPTH = 32
"""Deepest nesting of tables and arrays in a TOML document (the formats need 6)."""
MAX_TABLE_ROWS = 5_000_000
"""Most rows read from a user's table (CSV/Parquet)."""
MAX_YEARS = 500
"""Widest span of years in a yearly series."""


def read_text(
    path: str | os.PathLike[str],
    *,
    error: type[InputError] = InputError,
    max_bytes: int = MAX_TEXT_BYTES,
) -> str:
    """The text of a regular UTF-8 file, or one ``error`` naming the file and the cause.

    Checks (in order): the file exists, is a regular file (not a folder, FIFO, socket or
    device: reading those hangs or never ends), is at most ``max_bytes`` long, is readable
    and is UTF-8 text. The message never quotes the file's contents.
    """
    src = str(path)
    _regular_file(path, error, max_bytes)
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as e:
        raise error(f"cannot read {src}", [Problem(src, "", _os_reason(e))]) from None
    if len(raw) > max_bytes:  # grew while we looked
        raise error(f"{src} is too large", [Problem(src, "", f"over {max_bytes:,} bytes")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise error(
            f"{src} is not UTF-8 text",
            [Problem(src, "", f"not UTF-8 text (byte {e.start + 1} is invalid)", line)],
        ) from None


def _regular_file(path: str | os.PathLike[str], error: type[InputError], max_bytes: int) -> None:
    src = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"no such file: {src}", [Problem(src, "", "no such file")]) from None
    except OSError as e:
        raise error(f"cannot read {src}", [Problem(src, "", _os_reason(e))]) from None
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{src} is a folder", [Problem(src, "", "is a folder, not a file")])
    if not stat.S_ISREG(info.st_mode):
        raise error(
            f"{src} is not a regular file",
            [Problem(src, "", "not a regular file (a FIFO, socket or device); give a file")],
        )
    if info.st_size > max_bytes:
        raise error(
            f"{src} is too large",
            [Problem(src, "", f"file is {info.st_size:,} bytes; the limit is {max_bytes:,}")],
        )


def _os_reason(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "permission denied (the file cannot be read)"
    return e.strerror or type(e).__name__


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")


def parse_toml(
    text: str, source: str, *, error: type[InputError] = InputError, max_depth: int = MAX_TOML_DEPTH
) -> dict[str, Any]:
    """Parse TOML ``text``; a syntax error names the line, deep nesting is refused."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = _TOML_POSITION.search(str(e))
        line = int(found.group(1)) if found else None
        message = _TOML_POSITION.sub("", str(e))
        raise error(
            f"{source} is not valid TOML", [Problem(source, "", f"invalid TOML: {message}", line)]
        ) from None
    except RecursionError:
        raise _too_deep(source, max_depth, error) from None
    if _depth(data, max_depth) > max_depth:
        raise _too_deep(source, max_depth, error)
    return data


def _too_deep(source: str, max_depth: int, error: type[InputError]) -> InputError:
    return error(
        f"{source} is nested too deeply",
        [Problem(source, "", f"tables and arrays nested over {max_depth} levels deep")],
    )


def _depth(node: Any, limit: int) -> int:
    """Nesting depth of dicts and lists, counted without recursion (stops past ``limit``)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(node, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def resolve_inside(
    name: str,
    folder: Path,
    *,
    source: str,
    field: str,
    allowed: Sequence[Path] = (),
    error: type[InputError] = InputError,
) -> Path:
    """The path ``name`` (written in the file ``source``) resolved inside ``folder``.

    Relative names are read from ``folder``; the result (symbolic links followed) must lie
    inside ``folder`` or one of the ``allowed`` folders the user passed explicitly, so a
    file someone sends you cannot make tradetalks read ``/etc/shadow`` or ``../../.ssh``.
    """
    raw = Path(name).expanduser()
    target = (raw if raw.is_absolute() else folder / raw).resolve()
    roots = [folder.resolve(), *(Path(a).resolve() for a in allowed)]
    if any(target == root or target.is_relative_to(root) for root in roots):
        return target
    where = ", ".join(str(r) for r in roots)
    raise error(
        f"{field} points outside the allowed folders",
        [
            Problem(
                source,
                field,
                f"path {name!r} is outside the file's folder ({where}); put the file "
                "beside it or pass its folder explicitly",
            )
        ],
    )


MAX_TABLE_BYTES = 2 * 2**30
"""Largest table file read (2 GiB)."""


def read_table(
    path: str | os.PathLike[str], *, error: type[InputError] = InputError
) -> pd.DataFrame:
    """A user's CSV (or, by its suffix, Parquet) table, checked as a file and by its size.

    The same file checks as :func:`read_text` (a FIFO is refused, not read forever); a file
    pandas cannot parse is one ``error`` naming the file and, for CSV, the line, without
    quoting the file.
    """
    import pandas as pd

    src = str(path)
    _regular_file(path, error, MAX_TABLE_BYTES)
    parquet = str(path).lower().endswith(".parquet")
    try:
        frame = pd.read_parquet(path) if parquet else pd.read_csv(path)
    except Exception as e:  # pandas/pyarrow raise many types for unreadable files
        found = re.search(r"line (\d+)", str(e))
        kind = "Parquet" if parquet else "CSV"
        raise error(
            f"cannot read {src}",
            [
                Problem(
                    src,
                    "",
                    f"not a readable {kind} table ({type(e).__name__})",
                    int(found.group(1)) if found else None,
                )
            ],
        ) from None
    if len(frame) > MAX_TABLE_ROWS:  # an empty table is the caller's to judge
        check_rows(len(frame), src, error=error)
    return frame


def numeric_columns(
    frame: pd.DataFrame,
    columns: Iterable[str],
    source: str,
    *,
    whole: Iterable[str] = (),
    error: type[InputError] = InputError,
) -> pd.DataFrame:
    """``frame`` with ``columns`` (those present) as numbers; text in one is one ``error``.

    Columns in ``whole`` (years) must also hold whole numbers. The problem names the column
    and the first rows (CSV line numbers: the header is line 1), not the cells' text.
    """
    import numpy as np
    import pandas as pd

    whole = set(whole)
    problems = []
    out = frame.copy()
    for column in (c for c in columns if c in frame.columns):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame[column].notna() & values.isna()
        if column in whole:
            bad |= values.notna() & (values != values.round())
        if bad.any():
            lines = ", ".join(str(i + 2) for i in np.flatnonzero(bad.to_numpy())[:5])
            kind = "whole numbers" if column in whole else "numbers"
            problems.append(Problem(source, column, f"expected {kind}; rows at lines {lines}"))
        else:
            out[column] = (
                values.astype("int64") if column in whole and values.notna().all() else values
            )
    if problems:
        raise error(f"{source}: text where numbers are expected", problems)
    return out


def check_rows(n_rows: int, source: str, *, error: type[InputError] = InputError) -> None:
    """A table has at least one row and at most :data:`MAX_TABLE_ROWS`."""
    if n_rows == 0:
        raise error(f"{source} is empty", [Problem(source, "", "the table has no rows")])
    if n_rows > MAX_TABLE_ROWS:
        raise error(
            f"{source} is too large",
            [Problem(source, "", f"{n_rows:,} rows; the limit is {MAX_TABLE_ROWS:,}")],
        )


def finite_number(
    value: float,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    source: str = "<command line>",
    error: type[InputError] = InputError,
) -> float:
    """``value`` if finite and within ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    import numpy as np

    problem = None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        problem = f"expected a number, got {type(value).__name__}"
    elif not math.isfinite(float(value)):
        problem = f"must be a finite number, got {value}"
    elif low is not None and (value <= low if low_open else value < low):
        problem = f"must be {'>' if low_open else '>='} {low:g}, got {value:g}"
    elif high is not None and value > high:
        problem = f"must be <= {high:g}, got {value:g}"
    if problem is not None:
        raise error(f"bad {name}", [Problem(source, name, problem)])
    return float(value)


def check_finite_result(values: Mapping[str, Any], what: str) -> None:
    """Raise :class:`ResultError` if any number in ``values`` (nested) is NaN or infinite.

    A result with a non-finite number is not a result: printing it as a number is the
    silent nonsense this guards against. The message names the first offending entry.
    """
    for key, number in _numbers(values, ""):
        if not math.isfinite(number):
            name = key or "result"
            raise ResultError(
                f"{what}: {name} is {number}, not a finite number; the inputs are outside "
                "what the model can compute"
            )


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """The leaves of nested dicts and lists as ``(dotted.key[i], value)`` in order."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from flatten(item, f"{prefix}[{i}]")
    else:
        yield prefix, value


def _numbers(node: Any, key: str) -> Iterable[tuple[str, float]]:
    import numpy as np

    for name, leaf in flatten(node, key):
        if isinstance(leaf, bool) or leaf is None:
            continue
        if isinstance(leaf, int | float | np.number):
            yield name, float(leaf)
        elif (
            isinstance(leaf, np.ndarray)
            and leaf.dtype.kind in "fc"
            and leaf.size
            and not np.isfinite(leaf).all()
        ):
            bad = np.argwhere(~np.isfinite(leaf))[0]
            yield f"{name}[{', '.join(map(str, bad))}]", float(leaf[tuple(bad)])


def json_text(obj: Any) -> str:
    """``obj`` as standard JSON (indented); a NaN or infinity is a :class:`ResultError`."""
    check_finite_result({"": obj} if not isinstance(obj, Mapping) else obj, "JSON output")
    return json.dumps(obj, indent=2, ensure_ascii=False, default=_default, allow_nan=False)


def _default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def output_folder(path: Path, *, field: str, error: type[InputError] = InputError) -> Path:
    """``path`` as a folder to write into: created if missing, refused if it is a file."""
    if path.exists() and not path.is_dir():
        raise error(
            f"{path} is not a folder",
            [Problem(str(path), "", f"{field} names an existing file; give a folder")],
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise error(f"cannot create {path}", [Problem(str(path), "", _os_reason(e))]) from None
    return path


def write_text(path: Path, text: str, *, field: str, error: type[InputError] = InputError) -> Path:
    """Write ``text`` to the file ``path``, whose folder must exist; one error if it cannot."""
    problem = None
    if path.is_dir():
        problem = f"{field} names a folder; give a file name"
    elif not path.parent.is_dir():
        problem = f"the folder {path.parent} does not exist; create it first"
    if problem is not None:
        raise error(f"cannot write {path}", [Problem(str(path), "", problem)])
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise error(f"cannot write {path}", [Problem(str(path), "", _os_reason(e))]) from None
    return path


def save_figure(fig: Any, target: Any, **kwargs: Any) -> None:
    r"""``fig.savefig(target, **kwargs)`` with every text shown as written, never as mathtext.

    Labels come from inputs (issue labels, titles, ids); a ``$`` in one would otherwise be
    read as TeX and ``$\frac{1}{$`` would stop the report after the run was saved. Texts
    that exist are switched off here; tick labels made while drawing read the rc setting.
    """
    import matplotlib
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
    with matplotlib.rc_context({"text.parse_math": False}):
        fig.savefig(target, **kwargs)


DECOMPOSITION_RTOL = 0.01
"""A decomposition's parts may miss its total by 1% of the largest total (plus 1e-9)."""


def decomposition_gap(total: Any, residual: Any) -> float | None:
    r"""The largest ``|residual|`` when the parts do not add up to ``total``, else ``None``.

    ``total`` and ``residual`` are arrays (e.g. :math:`\ln \hat W_n` and
    :math:`\ln \hat W_n - (ToT_n + VoT_n + NTB_n)`, CP 2015 eq. 19). The parts add up when
    :math:`\max_n |r_n| \le 0.01 \max_n |\ln \hat W_n| + 10^{-9}`; the first-order
    decomposition drifts from the exact change for large shocks (a tariff of +10 misses by
    12%), and then its parts must not be printed as if they added up.
    """
    import numpy as np

    gap = float(np.max(np.abs(residual))) if np.size(residual) else 0.0
    scale = float(np.max(np.abs(total))) if np.size(total) else 0.0
    if not math.isfinite(gap) or gap > DECOMPOSITION_RTOL * scale + 1e-9:
        return gap
    return None
