"""The report as data: sections of paragraphs, plots (SVG text) and tables of text.

Building (:mod:`._build`) and rendering (:mod:`._render`) are separate so the same report
becomes HTML or Markdown, and tests can inspect it without parsing either.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, eq=False)
class ReportFigure:
    """One plot.

    Attributes
    ----------
    slug
        File-name friendly id, unique in a report (``utility-space``); Markdown output writes
        the plot to ``<stem>-<slug>.svg``.
    title, caption
        Heading and the short paragraph saying what the plot shows.
    svg
        The image: one standalone ``<svg>`` element.
    """

    slug: str
    title: str
    caption: str
    svg: str


@dataclass(frozen=True)
class ReportTable:
    """A small table of already formatted text cells."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


@dataclass(frozen=True, eq=False)
class Section:
    """A part of the report; ``absent`` says, in plain sentences, what it could not show."""

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    figures: tuple[ReportFigure, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Report:
    """A whole report: a title, a line of metadata per entry of ``meta``, and sections."""

    title: str
    run_id: str
    meta: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]

    @property
    def figures(self) -> tuple[ReportFigure, ...]:
        """Every plot, in the order they appear."""
        return tuple(f for s in self.sections for f in s.figures)

    def section(self, section_id: str) -> Section:
        """The section with this id (``KeyError`` if there is none)."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)
