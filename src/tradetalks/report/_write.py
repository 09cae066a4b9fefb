"""Writing a report to disk, atomically: a reader never sees a half-written file.

Everything is rendered in memory first; each file is then written to a temporary file in
the destination directory, flushed to disk and renamed over the destination
(``os.replace`` is atomic on POSIX and Windows when both are on one file system). An
existing report is replaced whole, or left as it was if anything fails.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from tradetalks._errors import InputError
from tradetalks.report._build import build_report
from tradetalks.report._model import Report
from tradetalks.report._render import figure_file_names, render_html, render_markdown
from tradetalks.store import RunRecord

ReportFormat = Literal["html", "md"]
FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
_SUFFIX_FORMATS: dict[str, ReportFormat] = {".md": "md", ".markdown": "md", ".htm": "html"}


@dataclass(frozen=True, eq=False)
class WrittenReport:
    """Where a report went: the page, the SVG files beside it (Markdown only), the report."""

    path: Path
    images: tuple[Path, ...]
    report: Report


def default_report_path(run_id: str, fmt: ReportFormat = "html") -> Path:
    """``report-<run id>.<html|md>`` in the current directory."""
    return Path(f"report-{run_id}.{fmt}")


def infer_format(path: Path | None, fmt: str | None) -> ReportFormat:
    """The format asked for, else the one the file name implies (``.md``), else HTML."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"--format: unknown report format {fmt!r}; expected html or md")
        return "md" if fmt == "md" else "html"
    if path is not None:
        return _SUFFIX_FORMATS.get(path.suffix.lower(), "html")
    return "html"


def check_destination(path: Path) -> None:
    """Refuse a destination that is a directory or lies in a directory that does not exist."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name for the report (-o)")
    parent = path.parent
    if not parent.exists():
        raise InputError(
            f"{path}: the directory {parent} does not exist; create it or give another -o path"
        )
    if not parent.is_dir():
        raise InputError(f"{path}: {parent} is not a directory")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Raises
    ------
    InputError
        If the file cannot be written (permissions, full disk...); ``path`` is then
        unchanged and no temporary file is left behind.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as error:
        raise InputError(f"{path}: cannot write the report: {error.strerror or error}") from error
    try:
        with os.fdopen(fd, "wb") as sink:
            sink.write(data)
            sink.flush()
            os.fsync(sink.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is an ordinary document
        os.replace(tmp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise InputError(
                f"{path}: cannot write the report: {error.strerror or error}"
            ) from error
        raise


def write_report(
    run: RunRecord | Report, path: str | os.PathLike[str], fmt: str | None = None
) -> WrittenReport:
    """Render a saved run's report and write it to ``path``.

    Parameters
    ----------
    run
        A record from :meth:`RunStore.get_run` (the report is built from it) or a built report.
    path
        The HTML page or Markdown file; its directory must exist. An existing file is replaced.
    fmt
        ``"html"`` (one self-contained page) or ``"md"`` (Markdown, with each plot written
        as ``<stem>-<plot>.svg`` beside it); default: ``md`` for a ``.md`` path, else ``html``.

    Raises
    ------
    InputError
        Unknown format; the destination is a directory, lies in a missing directory, or
        cannot be written.
    """
    target = Path(path).expanduser()
    kind = infer_format(target, fmt)
    check_destination(target)
    report = run if isinstance(run, Report) else build_report(run)
    if kind == "html":
        atomic_write(target, render_html(report).encode("utf-8"))
        return WrittenReport(target, (), report)
    names = figure_file_names(report, target.stem)
    text = render_markdown(report, names)
    images = []
    # Plots first, page last: the page never links to a plot that is not there yet.
    for figure in report.figures:
        image = target.parent / names[figure.slug]
        atomic_write(image, figure.svg.encode("utf-8"))
        images.append(image)
    atomic_write(target, text.encode("utf-8"))
    return WrittenReport(target, tuple(images), report)
