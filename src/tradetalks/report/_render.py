"""A :class:`Report` as one self-contained HTML page, or as Markdown with SVG files beside it.

The HTML page embeds every plot as inline SVG and its style inline: it loads nothing from
files or the network, so it can be mailed or archived as is. Every
piece of text from the run is HTML-escaped (scenario titles are user input), in Markdown
too, where Markdown's own marks are backslash-escaped as well.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape as _escape_attr

from tradetalks import __version__
from tradetalks.report._model import Report, ReportFigure, ReportTable, Section

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
.meta{color:#555;margin-top:0}nav a{margin-right:1em}
figure{margin:1.2em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#444;font-size:.95em;max-width:80ch}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}caption{text-align:left;font-weight:600;padding:.3em 0}
.absent{color:#7a4b00;background:#fff7e6;border-left:3px solid #e69f00;padding:.4em .8em}
.note{color:#555;font-size:.9em}footer{color:#888;font-size:.85em;margin-top:3em}
"""


def escape(text: str) -> str:
    """Text for an HTML text node (quotes kept as is; they are only special in attributes)."""
    return _escape_attr(text, quote=False)


def data_uri(png: bytes) -> str:
    """``png`` as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _html_table(table: ReportTable) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (
        f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{note}"
    )


def _html_figure(figure: ReportFigure) -> str:
    return (
        f'<figure id="fig-{_escape_attr(figure.slug)}"><h3>{escape(figure.title)}</h3>'
        f"{figure.svg}"
        f"<figcaption>{escape(figure.caption)}</figcaption></figure>"
    )


def _html_section(section: Section) -> str:
    parts = [f'<section id="{_escape_attr(section.id)}"><h2>{escape(section.title)}</h2>']
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    parts += [_html_figure(f) for f in section.figures]
    parts += [_html_table(t) for t in section.tables]
    parts += [f'<p class="absent">{escape(a)}</p>' for a in section.absent]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    """The report as one HTML page with everything embedded."""
    meta = " · ".join(f"{escape(k)}: {escape(v)}" for k, v in report.meta)
    nav = "".join(f'<a href="#{_escape_attr(s.id)}">{escape(s.title)}</a>' for s in report.sections)
    body = "\n".join(_html_section(s) for s in report.sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)} ({escape(report.run_id)})</title>"
        f"<style>{_CSS}</style></head><body>\n"
        f'<header><h1>{escape(report.title)}</h1><p class="meta">{meta}</p></header>\n'
        f"<nav>{nav}</nav>\n{body}\n"
        f"<footer>tradetalks {escape(__version__)}, report of run {escape(report.run_id)}"
        "</footer>\n</body></html>\n"
    )


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]()#!|~"})


def md_text(text: str) -> str:
    """Text for Markdown that renders as written, never as markup.

    HTML is escaped (``<script>`` shows as text) and Markdown's marks
    (``* _ [ ] ( ) # ! | ~`` and backticks) are backslash-escaped.
    """
    return _escape_attr(text, quote=False).translate(_MD_SPECIAL)


def _md_cell(text: str) -> str:
    return md_text(text).replace("\n", " ")


def _md_table(table: ReportTable) -> str:
    lines = [
        f"**{_md_cell(table.title)}**",
        "",
        "| " + " | ".join(_md_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    if table.note:
        lines += ["", f"*{_md_cell(table.note)}*"]
    return "\n".join(lines)


def figure_file_names(report: Report, stem: str) -> dict[str, str]:
    """The SVG file name of each figure (by slug) for Markdown output: ``<stem>-<slug>.svg``."""
    return {f.slug: f"{stem}-{f.slug}.svg" for f in report.figures}


def render_markdown(report: Report, image_files: Mapping[str, str]) -> str:
    """The report as Markdown; plots are linked as ``image_files[slug]`` (relative paths)."""
    lines = [f"# {_md_cell(report.title)}", ""]
    lines += [f"- **{_md_cell(k)}**: {_md_cell(v)}" for k, v in report.meta]
    for section in report.sections:
        lines += ["", f"## {_md_cell(section.title)}", ""]
        for p in section.paragraphs:
            lines += [md_text(p), ""]
        for f in section.figures:
            lines += [
                f"### {_md_cell(f.title)}",
                "",
                f"![{_md_cell(f.title)}]({image_files[f.slug]})",
                "",
                md_text(f.caption),
                "",
            ]
        for t in section.tables:
            lines += [_md_table(t), ""]
        for a in section.absent:
            lines += [f"> {_md_cell(a)}", ""]
    lines += ["", f"*tradetalks {__version__}, report of run {_md_cell(report.run_id)}*", ""]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
