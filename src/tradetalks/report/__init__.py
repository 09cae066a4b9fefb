"""Reports: plots and HTML pages built from saved runs.

>>> from tradetalks.store import RunStore
>>> from tradetalks.report import write_report
>>> record = RunStore().get_run("r20261123")  # doctest: +SKIP
>>> write_report(record, "report.html")  # doctest: +SKIP

:func:`build_report` turns a saved run into a :class:`Report` (sections of plots as inline
SVG, tables of text, and sentences saying what the run lacks); :func:`render_html` and
:func:`render_markdown` lay it out; :func:`write_report` does both and writes atomically.
"""

from tradetalks.report._build import SECTION_IDS, build_report
from tradetalks.report._calendar import calendar_in_words
from tradetalks.report._model import Report, ReportFigure, ReportTable, Section
from tradetalks.report._render import data_uri, figure_file_names, render_html, render_markdown
from tradetalks.report._view import IssueInfo, RunView, run_view
from tradetalks.report._write import (
    FORMATS,
    ReportFormat,
    WrittenReport,
    default_report_path,
    write_report,
)

__all__ = [
    "FORMATS",
    "SECTION_IDS",
    "IssueInfo",
    "Report",
    "ReportFigure",
    "ReportFormat",
    "ReportTable",
    "RunView",
    "Section",
    "WrittenReport",
    "build_report",
    "calendar_in_words",
    "data_uri",
    "default_report_path",
    "figure_file_names",
    "render_html",
    "render_markdown",
    "run_view",
    "write_report",
]
