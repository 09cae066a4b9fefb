"""A small SVG canvas for the report's plots: panels with axes, marks, bars and legends.

The report draws a handful of scatter, line and bar charts. Written as SVG text directly
they cost milliseconds, where matplotlib took over a second to import and draw them (issue
16: the report's six figures must cost under 0.3 s in all); the result is a vector image
that scales with the page and embeds in HTML as is. Only what the report needs is here:
linear axes with "nice" ticks (1, 2, 2.5 or 5 times a power of ten, as matplotlib's
``MaxNLocator``), matplotlib's marker shapes and its 5% data margins, clipping to the
panel, and legends. Coordinates are SVG pixels (y grows downwards); data go through
:meth:`Panel.px` and :meth:`Panel.py`. Output is deterministic: the same plot gives the
same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

#: Colour-blind safe palette (Okabe & Ito 2008, "Color Universal Design").
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
#: Average glyph width as a share of the font size, to lay out text without measuring it.
CHAR_W = 0.56


def text_width(text: str, size: float) -> float:
    """Estimated width in pixels of ``text`` at font ``size``."""
    return CHAR_W * size * max((len(line) for line in text.split("\n")), default=0)


def _n(v: float) -> str:
    """A coordinate, short: two decimals, no trailing zeros."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def nice_step(span: float, n: int) -> float:
    """The tick step of about ``n`` intervals over ``span``: 1, 2, 2.5 or 5 x 10^k."""
    raw = span / max(n, 1)
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))


def ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """Nice tick positions inside ``[lo, hi]`` (to round-off)."""
    step = nice_step(hi - lo, n)
    tol = 1e-9 * step + 1e-12 * max(abs(lo), abs(hi))
    k = math.ceil(lo / step - 1e-9)
    out = []
    while k * step <= hi + tol:
        if k * step >= lo - tol:
            out.append(k * step)
        k += 1
    return out


def tick_label(value: float, step: float) -> str:
    """``value`` with as many decimals as ``step`` needs, thousands separated."""
    decimals = 0
    while decimals < 8 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(value) == 0 else text.replace("-", "−")


def limits(values: Iterable[float], margin: float = 0.05, *, include: Sequence[float] = ()
           ) -> tuple[float, float]:  # fmt: skip
    """Data limits widened by ``margin`` of the span on each side (matplotlib's default)."""
    finite = [v for v in (*values, *include) if math.isfinite(v)]
    if not finite:
        return (0.0, 1.0)
    lo, hi = min(finite), max(finite)
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        pad = 0.5 if lo == 0 else abs(lo) * 0.05
        return (lo - pad, hi + pad)
    pad = margin * (hi - lo)
    return (lo - pad, hi + pad)


def marker(shape: str, x: float, y: float, r: float, style: str) -> str:
    """One mark of matplotlib's ``shape`` (o . s D ^ X P * or ring) centred on (x, y)."""
    if shape in ("o", "."):
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {style}/>'
    if shape == "s":
        side = _n(2 * r)
        return f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{side}" height="{side}" {style}/>'
    unit = _SHAPES[shape]
    d = "M" + "L".join(f"{_n(x + r * ux)},{_n(y + r * uy)}" for ux, uy in unit) + "Z"
    return f'<path d="{d}" {style}/>'


def _star(points: int, inner: float) -> tuple[tuple[float, float], ...]:
    out = []
    for k in range(2 * points):
        rad = 1.0 if k % 2 == 0 else inner
        a = math.pi * k / points
        out.append((rad * math.sin(a), -rad * math.cos(a)))
    return tuple(out)


_SHAPES: dict[str, tuple[tuple[float, float], ...]] = {
    "D": ((0, -1), (0.75, 0), (0, 1), (-0.75, 0)),
    "^": ((0, -1), (0.87, 0.5), (-0.87, 0.5)),
    "*": _star(5, 0.38),
    "X": ((-1, -0.6), (-0.6, -1), (0, -0.4), (0.6, -1), (1, -0.6), (0.4, 0), (1, 0.6),
          (0.6, 1), (0, 0.4), (-0.6, 1), (-1, 0.6), (-0.4, 0)),
    "P": ((-0.33, -1), (0.33, -1), (0.33, -0.33), (1, -0.33), (1, 0.33), (0.33, 0.33),
          (0.33, 1), (-0.33, 1), (-0.33, 0.33), (-1, 0.33), (-1, -0.33), (-0.33, -0.33)),
}  # fmt: skip


def style(fill: str = "none", stroke: str = "none", width: float = 0.0, dash: str = "",
          opacity: float = 1.0) -> str:  # fmt: skip
    """SVG presentation attributes."""
    out = f'fill="{fill}"'
    if stroke != "none" and width > 0:
        out += f' stroke="{stroke}" stroke-width="{_n(width)}"'
    if dash:
        out += f' stroke-dasharray="{dash}"'
    if opacity < 1:
        out += f' opacity="{_n(opacity)}"'
    return out


#: Dash patterns of matplotlib's line styles, in pixels.
DASHED, DOTTED = "5,3", "1.5,2.5"


@dataclass(frozen=True)
class Swatch:
    """What a legend entry shows: a mark, a line (maybe with a mark) or a filled patch."""

    kind: str  # "mark", "line" or "patch"
    colour: str
    shape: str = "o"
    style: str = ""
    dash: str = ""
    width: float = 1.0

    def svg(self, x: float, y: float) -> str:
        if self.kind == "patch":
            return (
                f'<rect x="{_n(x)}" y="{_n(y - 5)}" width="16" height="10" fill="{self.colour}"/>'
            )
        if self.kind == "line":
            line = (f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 18)}" y2="{_n(y)}" '
                    f'{style(stroke=self.colour, width=self.width, dash=self.dash)}/>')  # fmt: skip
            return line + (marker(self.shape, x + 9, y, 3, self.style) if self.style else "")
        return marker(self.shape, x + 9, y, 5, self.style)


@dataclass
class Panel:
    """Axes: a pixel box ``(x, y, w, h)`` in the figure showing ``xlim`` x ``ylim``."""

    x: float
    y: float
    w: float
    h: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    clip: str
    marks: list[str] = field(default_factory=list)
    axes: list[str] = field(default_factory=list)
    legend: dict[str, Swatch] = field(default_factory=dict)

    def px(self, v: float) -> float:
        x0, x1 = self.xlim
        return self.x + (v - x0) / (x1 - x0) * self.w

    def py(self, v: float) -> float:
        y0, y1 = self.ylim
        return self.y + self.h - (v - y0) / (y1 - y0) * self.h

    def _label(self, label: str | None, swatch: Swatch) -> None:
        if label:
            self.legend.setdefault(label, swatch)

    def scatter(self, xs: Iterable[float], ys: Iterable[float], *, shape: str = "o",
                r: float = 3.0, fill: str = PALETTE[0], stroke: str = "none", width: float = 0.0,
                label: str | None = None) -> None:  # fmt: skip
        """A mark at each (x, y); non-finite points are left out."""
        look = style(fill, stroke, width)
        self.marks += [marker(shape, self.px(x), self.py(y), r, look) for x, y in zip(xs, ys,
                       strict=True) if math.isfinite(x) and math.isfinite(y)]  # fmt: skip
        self._label(label, Swatch("mark", fill, shape, look))

    def line(self, xs: Sequence[float], ys: Sequence[float], *, colour: str, width: float = 1.0,
             dash: str = "", shape: str = "", r: float = 2.5,
             label: str | None = None) -> None:  # fmt: skip
        """A polyline through the points, with a mark at each if ``shape``."""
        pts = [(self.px(x), self.py(y)) for x, y in zip(xs, ys, strict=True)
               if math.isfinite(x) and math.isfinite(y)]  # fmt: skip
        if len(pts) > 1:
            d = " ".join(f"{_n(a)},{_n(b)}" for a, b in pts)
            self.marks.append(
                f'<polyline points="{d}" {style(stroke=colour, width=width, dash=dash)}/>'
            )
        look = style(colour) if shape else ""
        if shape:
            self.marks += [marker(shape, a, b, r, look) for a, b in pts]
        self._label(label, Swatch("line", colour, shape or "o", look, dash, width))

    def hline(self, y: float, *, colour: str, width: float = 1.0, dash: str = "",
              label: str | None = None) -> None:  # fmt: skip
        if math.isfinite(y):
            py = self.py(y)
            look = style(stroke=colour, width=width, dash=dash)
            self.marks.append(_line(self.x, py, self.x + self.w, py, look))
            self._label(label, Swatch("line", colour, dash=dash, width=width))

    def vline(self, x: float, *, colour: str, width: float = 1.0, dash: str = "",
              label: str | None = None) -> None:  # fmt: skip
        if math.isfinite(x):
            px = self.px(x)
            look = style(stroke=colour, width=width, dash=dash)
            self.marks.append(_line(px, self.y, px, self.y + self.h, look))
            self._label(label, Swatch("line", colour, dash=dash, width=width))

    def bar(self, at: float, length: float, *, thickness: float, colour: str,
            base: float = 0.0, horizontal: bool = False, label: str | None = None,
            edge: str = "none") -> None:  # fmt: skip
        """A bar centred on ``at`` (x, or y if ``horizontal``) from ``base`` to base + length."""
        if not math.isfinite(length):
            return
        if horizontal:
            x0, x1 = sorted((self.px(base), self.px(base + length)))
            y0, y1 = sorted((self.py(at - thickness / 2), self.py(at + thickness / 2)))
        else:
            x0, x1 = sorted((self.px(at - thickness / 2), self.px(at + thickness / 2)))
            y0, y1 = sorted((self.py(base), self.py(base + length)))
        self.marks.append(f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" '
                          f'height="{_n(y1 - y0)}" {style(colour, edge, 0.8)}/>')  # fmt: skip
        self._label(label, Swatch("patch", colour))

    def errorbar(self, x: float, low: float, high: float, *, cap: float = 4.0,
                 label: str | None = None) -> None:  # fmt: skip
        """A vertical interval from ``low`` to ``high`` at ``x``, with caps."""
        px, y0, y1 = self.px(x), self.py(low), self.py(high)
        look = style(stroke="black", width=1)
        self.marks.append(
            f'<path d="M{_n(px)},{_n(y0)}V{_n(y1)}M{_n(px - cap)},{_n(y0)}H{_n(px + cap)}'
            f'M{_n(px - cap)},{_n(y1)}H{_n(px + cap)}" {look}/>'
        )
        self._label(label, Swatch("line", "black"))

    def rect(self, x0: float, x1: float, y0: float, y1: float, *, colour: str = "grey") -> None:
        """An unfilled box around data coordinates."""
        a, b = sorted((self.px(x0), self.px(x1)))
        c, d = sorted((self.py(y0), self.py(y1)))
        self.marks.append(f'<rect x="{_n(a)}" y="{_n(c)}" width="{_n(b - a)}" height="{_n(d - c)}" '
                          f'{style(stroke=colour, width=1)}/>')  # fmt: skip

    def note(self, text: str, x: float, y: float, *, dx: float = 0.0, dy: float = -2.0,
             size: float = 9, anchor: str = "middle") -> None:  # fmt: skip
        """Text at data point (x, y) moved by (dx, dy) pixels (e.g. a bar's value)."""
        self.axes.append(svg_text(text, self.px(x) + dx, self.py(y) + dy, size=size,
                                  anchor=anchor))  # fmt: skip

    def frame(self, *, title: str = "", xlabel: str = "", ylabel: str = "",
              xticks: Sequence[tuple[float, str]] | None = None,
              yticks: Sequence[tuple[float, str]] | None = None, grid: str = "xy",
              rotate: float = 0.0, tick_size: float = 10) -> None:  # fmt: skip
        """Box, ticks with labels (nice ones when not given), grid lines and labels."""
        xt = xticks if xticks is not None else _auto(self.xlim)
        yt = yticks if yticks is not None else _auto(self.ylim)
        grey = style(stroke="#000000", width=0.8, opacity=0.15)
        for v, text in xt:
            px = self.px(v)
            bottom = self.y + self.h
            if "x" in grid:
                self.axes.append(_line(px, self.y, px, bottom, grey))
            self.axes.append(_line(px, bottom, px, bottom + 4, 'stroke="black"'))
            if rotate:
                self.axes.append(svg_text(text, px + 3, bottom + 9, size=tick_size, anchor="end",
                                          rotate=-rotate))  # fmt: skip
            else:
                self.axes.append(svg_text(text, px, bottom + 6 + tick_size, size=tick_size))
        for v, text in yt:
            py = self.py(v)
            if "y" in grid:
                self.axes.append(_line(self.x, py, self.x + self.w, py, grey))
            self.axes.append(_line(self.x - 4, py, self.x, py, 'stroke="black"'))
            self.axes.append(svg_text(text, self.x - 6, py + tick_size / 3, size=tick_size,
                                      anchor="end"))  # fmt: skip
        self.axes.append(f'<rect x="{_n(self.x)}" y="{_n(self.y)}" width="{_n(self.w)}" '
                         f'height="{_n(self.h)}" {style(stroke="black", width=0.8)}/>')  # fmt: skip
        if title:
            lines = title.split("\n")
            for k, line in enumerate(lines):
                above = self.y - 8 - 14 * (len(lines) - 1 - k)
                self.axes.append(svg_text(line, self.x + self.w / 2, above, size=12))
        if xlabel:
            if rotate:  # slanted labels reach down about half their length (30 degrees)
                drop = 22 + 0.5 * max((text_width(t, tick_size) for _, t in xt), default=0)
            else:
                drop = 22 + 1.2 * tick_size * max((t.count("\n") + 1 for _, t in xt), default=1)
            below = self.y + self.h + drop
            self.axes.append(svg_text(xlabel, self.x + self.w / 2, below, size=11))
        if ylabel:
            left = max((text_width(t, tick_size) for _, t in yt), default=0)
            self.axes.append(svg_text(ylabel, self.x - left - 16, self.y + self.h / 2, size=11,
                                      rotate=-90))  # fmt: skip

    def svg(self) -> str:
        clip = (f'<clipPath id="{self.clip}"><rect x="{_n(self.x)}" y="{_n(self.y)}" '
                f'width="{_n(self.w)}" height="{_n(self.h)}"/></clipPath>')  # fmt: skip
        marks = "".join(self.marks)
        return f'{clip}<g clip-path="url(#{self.clip})">{marks}</g>{"".join(self.axes)}'


def _line(x1: float, y1: float, x2: float, y2: float, look: str) -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" {look}/>'


def legend_height(n_labels: int, ncols: int, size: float = 10) -> float:
    """Pixels a legend of ``n_labels`` entries in ``ncols`` columns takes."""
    return math.ceil(n_labels / max(ncols, 1)) * (size + 8) + 6


def _auto(lim: tuple[float, float]) -> list[tuple[float, str]]:
    pos = ticks(*lim)
    step = pos[1] - pos[0] if len(pos) > 1 else 1.0
    return [(v, tick_label(v, step)) for v in pos]


def svg_text(text: str, x: float, y: float, *, size: float = 11, anchor: str = "middle",
             rotate: float = 0.0) -> str:  # fmt: skip
    """A text element, escaped, a line per newline; ``rotate`` degrees about (x, y)."""
    turn = f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"' if rotate else ""
    lines = [escape(line, quote=False) for line in text.split("\n")]
    body = lines[0] + "".join(f'<tspan x="{_n(x)}" dy="{_n(1.2 * size)}">{line}</tspan>'
                              for line in lines[1:])  # fmt: skip
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}"'
            f"{turn}>{body}</text>")  # fmt: skip


def integer_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    """Nice ticks at whole numbers only (rounds, counts)."""
    return [(v, f"{v:,.0f}") for v in ticks(lo, hi) if v == int(v)]


@dataclass
class Figure:
    """A whole image: ``width`` x ``height`` pixels of panels, text and legends."""

    width: float
    height: float
    name: str  # unique in a page: prefixes the clip-path ids
    panels: list[Panel] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    def panel(self, x: float, y: float, w: float, h: float, xlim: tuple[float, float],
              ylim: tuple[float, float]) -> Panel:  # fmt: skip
        p = Panel(x, y, w, h, xlim, ylim, f"{self.name}-clip{len(self.panels)}")
        self.panels.append(p)
        return p

    def legend(self, entries: dict[str, Swatch], x: float, y: float, *, ncols: int = 1,
               size: float = 10, anchor: str = "start", boxed: bool = True) -> float:  # fmt: skip
        """Entries in ``ncols`` columns from (x, y); returns the legend's height in pixels.

        ``anchor="end"``: x is the legend's right edge; ``"middle"``: its centre.
        """
        if not entries:
            return 0.0
        labels = list(entries)
        ncols = max(1, min(ncols, len(labels)))
        col_w = 30 + max(text_width(t, size) for t in labels)
        rows = math.ceil(len(labels) / ncols)
        row_h = size + 8
        width, height = ncols * col_w + 8, rows * row_h + 6
        left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
        out = []
        if boxed:
            out.append(f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(width)}" '
                       f'height="{_n(height)}" rx="3" fill="white" fill-opacity="0.85" '
                       f'stroke="#cccccc"/>')  # fmt: skip
        for k, label in enumerate(labels):
            cx = left + 6 + (k // rows) * col_w
            cy = y + 3 + row_h * (k % rows) + row_h / 2
            out.append(entries[label].svg(cx, cy))
            out.append(svg_text(label, cx + 24, cy + size / 3, size=size, anchor="start"))
        self.parts.append(f'<g class="legend">{"".join(out)}</g>')
        return height

    def svg(self) -> str:
        """The image as an ``<svg>`` element (standalone: it declares its namespace)."""
        body = "".join(p.svg() for p in self.panels) + "".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(self.width)} '
            f'{_n(self.height)}" width="{_n(self.width)}" height="{_n(self.height)}" '
            f'font-family="{FONT}" role="img">'
            f'<rect width="100%" height="100%" fill="white"/>{body}</svg>'
        )


def merged_legend(panels: Iterable[Panel]) -> dict[str, Swatch]:
    """The legend entries of several panels, each label once, in order of appearance."""
    out: dict[str, Swatch] = {}
    for p in panels:
        for label, swatch in p.legend.items():
            out.setdefault(label, swatch)
    return out
