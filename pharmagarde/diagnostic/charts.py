"""A radar (polar) chart as SVG markup, framework-free.

One axis per theme, scores from 0 to 100. The chart must stay readable without colour (and
in black-and-white print): each series has its own line pattern (solid, dashed, dotted) and
its own point marker (disc, square, diamond), repeated in a legend. It carries a <title> and
a <desc> that say the values in words, for screen readers.

The strict Content-Security-Policy forbids `style` attributes and <style> elements: only
presentation attributes (fill, stroke, stroke-dasharray…) are used, so the same markup works
inline in a page, as a standalone .svg file and in a PDF rendered by WeasyPrint.
"""

import math
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SVG_NS = "http://www.w3.org/2000/svg"
RINGS = (20, 40, 60, 80, 100)
INK, MUTED, GRID = "#1b1f24", "#4a5360", "#8a949f"


@dataclass(frozen=True)
class SeriesStyle:
    stroke: str
    dasharray: str  # "" for a solid line
    marker: str  # "disc", "square" or "diamond"
    fill: str = "none"
    fill_opacity: str = "0"
    width: str = "2.5"


STYLES = {
    "current": SeriesStyle("#0b6b4f", "", "disc", fill="#0b6b4f", fill_opacity="0.15",
                           width="3"),
    "previous": SeriesStyle("#1b1f24", "8 5", "square"),
    "peers": SeriesStyle("#7a3e00", "2 4", "diamond"),
}


@dataclass(frozen=True)
class Series:
    """One outline: `values` in axis order, each between 0 and 100, or None (not assessed)."""

    name: str
    values: tuple
    style: str = "current"


@dataclass(frozen=True)
class Layout:
    """Geometry: the first axis points up; below the centre, the chart only goes as far as
    its lowest axis (a triangle needs less room than a circle)."""

    count: int = 6
    radius: float = 170
    margin_x: float = 185
    margin_top: float = 70
    margin_bottom: float = 66
    legend_line: float = 24

    def width(self):
        return 2 * (self.radius + self.margin_x)

    def center(self):
        return self.radius + self.margin_x, self.radius + self.margin_top

    def bottom(self):
        lowest = max(math.sin(angle(i, self.count)) for i in range(self.count))
        return self.center()[1] + self.radius * lowest + self.margin_bottom

    def wrap_width(self):
        return 20 if self.count <= 8 else 16 if self.count <= 12 else 15

    def max_lines(self):
        return 3 if self.count <= 16 else 2


def _num(value):
    """Coordinates with one decimal, without a trailing '.0'."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _format_score(value):
    if value is None:
        return "–"
    # The reader's decimal separator: "62,5" in French, "62.5" in English.
    rounded = round(value, 1)
    return number_format(rounded, decimal_pos=0 if rounded == int(rounded) else 1)


def angle(index, count):
    """Axis angle in radians: the first axis points up, the others follow clockwise."""
    return -math.pi / 2 + 2 * math.pi * index / count


def point(index, count, value, layout=None):
    """(x, y) of a score on an axis; None counts as 0 (the centre)."""
    layout = layout or Layout()
    cx, cy = layout.center()
    r = layout.radius * max(0.0, min(float(value or 0), 100.0)) / 100
    a = angle(index, count)
    return round(cx + r * math.cos(a), 1), round(cy + r * math.sin(a), 1)


def wrap_label(label, width=20, max_lines=3):
    """A theme title cut into at most `max_lines` lines of `width` characters."""
    lines = textwrap.wrap(str(label), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _marker(kind, x, y, style):
    common = (f'fill="{style.stroke}" stroke="#ffffff" stroke-width="1"')
    if kind == "square":
        return (f'<rect x="{_num(x - 4.5)}" y="{_num(y - 4.5)}" width="9" height="9" '
                f'{common}/>')
    if kind == "diamond":
        pts = f"{_num(x)},{_num(y - 6)} {_num(x + 6)},{_num(y)} {_num(x)},{_num(y + 6)} " \
              f"{_num(x - 6)},{_num(y)}"
        return f'<polygon points="{pts}" {common}/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="5" {common}/>'


def _outline(series, count, layout):
    style = STYLES[series.style]
    points = [point(i, count, v, layout) for i, v in enumerate(series.values)]
    coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
    dash = f' stroke-dasharray="{style.dasharray}"' if style.dasharray else ""
    parts = [f'<g class="radar__series radar__series--{series.style}">',
             f'<polygon points="{coords}" fill="{style.fill}" fill-opacity="{style.fill_opacity}" '
             f'stroke="{style.stroke}" stroke-width="{style.width}" stroke-linejoin="round"'
             f'{dash}/>']
    parts += [_marker(style.marker, x, y, style) for x, y in points]
    parts.append("</g>")
    return parts


def _value_labels(series, count, layout):
    """The current series' values, written next to each point, on a white halo."""
    parts = ['<g class="radar__values" font-size="14" font-weight="700" '
             f'fill="{INK}" text-anchor="middle">']
    cx, cy = layout.center()
    for index, value in enumerate(series.values):
        x, y = point(index, count, value, layout)
        a = angle(index, count)
        # Pushed outward along the axis, so the label does not sit on the line.
        # Outward from the point, or inward near the rim (where the theme title is) and
        # just off the centre for a score close to 0.
        shown = float(value or 0)
        distance = layout.radius * min(shown, 100) / 100
        distance = 18 if shown < 8 else distance - 18 if shown > 85 else distance + 16
        lx, ly = cx + distance * math.cos(a), cy + distance * math.sin(a) + 4.5
        text = escape(_format_score(value))
        parts.append(f'<text x="{_num(lx)}" y="{_num(ly)}" stroke="#ffffff" stroke-width="4" '
                     f'stroke-linejoin="round" paint-order="stroke">{text}</text>')
    parts.append("</g>")
    return parts


def _axis_labels(labels, layout, font_size):
    count = len(labels)
    cx, cy = layout.center()
    line_height = font_size * 1.2
    parts = [f'<g class="radar__labels" font-size="{_num(font_size)}" fill="{INK}">']
    for index, label in enumerate(labels):
        a = angle(index, count)
        cos, sin = math.cos(a), math.sin(a)
        x = cx + (layout.radius + 16) * cos
        y = cy + (layout.radius + 16) * sin
        anchor = "start" if cos > 0.08 else "end" if cos < -0.08 else "middle"
        lines = wrap_label(label, layout.wrap_width(), layout.max_lines())
        # Labels above the chart grow upwards, those below grow downwards.
        if sin < -0.2:
            first_y = y - line_height * (len(lines) - 1)
        elif sin > 0.2:
            first_y = y + font_size * 0.8
        else:
            first_y = y - line_height * (len(lines) - 1) / 2 + font_size * 0.35
        tspans = "".join(
            f'<tspan x="{_num(x)}" y="{_num(first_y + i * line_height)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines))
        parts.append(f'<text text-anchor="{anchor}">{tspans}</text>')
    parts.append("</g>")
    return parts


def _grid(count, layout):
    cx, cy = layout.center()
    parts = [f'<g class="radar__grid" fill="none" stroke="{GRID}" stroke-width="1">']
    for ring in RINGS:
        coords = " ".join(f"{_num(x)},{_num(y)}"
                          for x, y in (point(i, count, ring, layout) for i in range(count)))
        parts.append(f'<polygon points="{coords}"/>')
    for index in range(count):
        x, y = point(index, count, 100, layout)
        parts.append(f'<line x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" y2="{_num(y)}"/>')
    parts.append("</g>")
    # Ring values halfway between the first two axes, away from the points' value labels.
    parts.append(f'<g class="radar__rings" font-size="11" fill="{MUTED}" '
                 'text-anchor="middle">')
    half = -math.pi / 2 + math.pi / count
    for ring in RINGS:
        r = layout.radius * ring / 100 * math.cos(math.pi / count) - 7
        x, y = cx + r * math.cos(half), cy + r * math.sin(half) + 4
        parts.append(f'<text x="{_num(x)}" y="{_num(y)}">{ring}</text>')
    parts.append("</g>")
    return parts


def _legend(series_list, layout, top):
    parts = [f'<g class="radar__legend" font-size="13" fill="{INK}">']
    x = 20
    for index, series in enumerate(series_list):
        style = STYLES[series.style]
        y = top + index * layout.legend_line
        dash = f' stroke-dasharray="{style.dasharray}"' if style.dasharray else ""
        parts.append(f'<line x1="{x}" y1="{_num(y)}" x2="{x + 44}" y2="{_num(y)}" '
                     f'stroke="{style.stroke}" stroke-width="{style.width}"{dash}/>')
        parts.append(_marker(style.marker, x + 22, y, style))
        parts.append(f'<text x="{x + 54}" y="{_num(y + 4.5)}">{escape(series.name)}</text>')
    parts.append("</g>")
    return parts


def describe(labels, series_list):
    """The chart in words: one sentence per series, every value named."""
    sentences = []
    for series in series_list:
        values = _(" ; ").join(
            _("%(theme)s : %(score)s sur 100") % {"theme": label, "score": _format_score(v)}
            if v is not None else _("%(theme)s : non évalué") % {"theme": label}
            for label, v in zip(labels, series.values, strict=True))
        sentences.append(f"{series.name} — {values}.")
    return " ".join(sentences)


def radar_svg(labels, series_list, *, title, description=None, id_prefix="radar",
              standalone=False):
    """SVG markup of a radar chart.

    labels: the axes (theme titles), 3 to 20 of them.
    series_list: Series objects; the first one is the main series (value labels shown).
    standalone: add the XML declaration, for a .svg file.
    """
    count = len(labels)
    if not 3 <= count <= 20:
        raise ValueError(f"Un radar a besoin de 3 à 20 axes, pas {count}.")
    series_list = [s for s in series_list if s is not None]
    for series in series_list:
        if len(series.values) != count:
            raise ValueError(f"« {series.name} » a {len(series.values)} valeurs pour "
                             f"{count} axes.")
        if series.style not in STYLES:
            raise ValueError(f"Style inconnu : {series.style}")
    # Many axes: a larger circle, so that neighbouring titles do not overlap.
    layout = Layout(count=count, radius=170 if count <= 12 else 215)
    font_size = 14 if count <= 10 else 13 if count <= 16 else 12
    legend_top = layout.bottom()
    height = legend_top + len(series_list) * layout.legend_line + 10
    description = description or describe(labels, series_list)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = []
    if standalone:
        parts.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    parts.append(
        f'<svg xmlns="{SVG_NS}" class="radar" viewBox="0 0 {_num(layout.width())} '
        f'{_num(height)}" width="{_num(layout.width())}" height="{_num(height)}" role="img" '
        f'aria-labelledby={quoteattr(f"{title_id} {desc_id}")} '
        f'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, Arial, sans-serif">')
    parts.append(f'<title id={quoteattr(title_id)}>{escape(title)}</title>')
    parts.append(f'<desc id={quoteattr(desc_id)}>{escape(description)}</desc>')
    parts.append(f'<rect x="0" y="0" width="{_num(layout.width())}" height="{_num(height)}" '
                 'fill="#ffffff"/>')
    parts += _grid(count, layout)
    # The main series last, so that it is drawn on top of the others.
    for series in reversed(series_list):
        parts += _outline(series, count, layout)
    if series_list:
        parts += _value_labels(series_list[0], count, layout)
    parts += _axis_labels(labels, layout, font_size)
    parts += _legend(series_list, layout, legend_top)
    parts.append("</svg>")
    return "".join(parts)
