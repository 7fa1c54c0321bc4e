"""Charts as server-side SVG: values in, markup out. No JavaScript, no build step.

Every text that goes into the markup is escaped (``format_html``). The SVG scales to its container
(a ``viewBox`` and ``width="100%"``), so it never makes a phone's page scroll sideways. A chart is a
picture of numbers that the page also gives as text (a table next to it), so the SVG itself is
hidden from screen readers (``aria-hidden``) rather than read out shape by shape; each bar is still
a link to the list behind it for whoever clicks the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
ROW_HEIGHT = 36
LABEL_WIDTH = 150
VALUE_WIDTH = 130
FONT_SIZE = 14
# Colours as attributes, not a stylesheet: the chart looks the same wherever it is included.
TONES = {"": "#2f6fbd", "ok": "#2e8540", "warning": "#c77700", "danger": "#c0392b"}
AXIS_COLOUR = "#9aa3ad"


@dataclass(frozen=True)
class ChartBar:
    label: str
    value: Decimal
    text: str  # the value as the page shows it ("€ 1.234,56")
    href: str = ""
    tone: str = ""  # a CSS modifier: "", "warning", "danger"


@dataclass(frozen=True)
class ChartPoint:
    label: str
    value: Decimal
    text: str


def _scale(value: Decimal, largest: Decimal, length: float) -> float:
    if largest <= 0 or value <= 0:
        return 0.0
    return round(float(value / largest) * length, 1)


def _svg(height: int, title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" fill="currentColor">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        height,
        title,
        body,
    )


def _linked(href: str, inner: SafeString) -> SafeString:
    return format_html('<a href="{}">{}</a>', href, inner) if href else inner


def bar_chart(bars: Sequence[ChartBar], *, title: str) -> SafeString:
    """Horizontal bars, one row each: the label, the bar, the value."""
    largest = max((bar.value for bar in bars), default=Decimal(0))
    length = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for n, bar in enumerate(bars):
        y = n * ROW_HEIGHT
        width = _scale(bar.value, largest, length)
        inner = format_html(
            '<text x="0" y="{}" font-size="{}">{}</text>'
            '<rect class="bar" fill="{}" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
            '<text x="{}" y="{}" font-size="{}" text-anchor="end">{}</text>',
            y + 23, FONT_SIZE, bar.label,
            TONES.get(bar.tone, TONES[""]), LABEL_WIDTH, y + 8, width, ROW_HEIGHT - 16,
            WIDTH, y + 23, FONT_SIZE, bar.text,
        )  # fmt: skip
        rows.append(_linked(bar.href, inner))
    return _svg(len(bars) * ROW_HEIGHT, title, mark_safe("".join(rows)))  # noqa: S308 (each row escaped)


COLUMN_CHART_HEIGHT = 220
AXIS_SPACE = 40  # below the columns: the labels


def column_chart(bars: Sequence[ChartBar], *, title: str) -> SafeString:
    """Vertical columns (one per week, say), the label under each; values are in the table beside it."""
    largest = max((bar.value for bar in bars), default=Decimal(0))
    slot = WIDTH / max(1, len(bars))
    plot = COLUMN_CHART_HEIGHT - AXIS_SPACE
    columns = []
    for n, bar in enumerate(bars):
        height = _scale(bar.value, largest, plot - 10)
        x = round(n * slot + slot * 0.15, 1)
        inner = format_html(
            '<rect class="bar" fill="{}" x="{}" y="{}" width="{}" height="{}" rx="3"></rect>'
            '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text>',
            TONES.get(bar.tone, TONES[""]), x, round(plot - height, 1), round(slot * 0.7, 1), height,
            round(n * slot + slot / 2, 1), COLUMN_CHART_HEIGHT - 14, FONT_SIZE, bar.label,
        )  # fmt: skip
        columns.append(_linked(bar.href, inner))
    baseline = format_html(
        '<line class="axis" stroke="{}" x1="0" y1="{}" x2="{}" y2="{}"></line>', AXIS_COLOUR, plot, WIDTH, plot
    )
    return _svg(COLUMN_CHART_HEIGHT, title, mark_safe("".join(columns) + baseline))  # noqa: S308 (escaped)


LINE_CHART_HEIGHT = 200


def line_chart(points: Sequence[ChartPoint], *, title: str) -> SafeString:
    """A line through the points, a dot on each, every other label under the axis."""
    if not points:
        return _svg(LINE_CHART_HEIGHT, title, SafeString(""))
    largest = max((point.value for point in points), default=Decimal(0))
    plot = LINE_CHART_HEIGHT - AXIS_SPACE
    step = (WIDTH - 40) / max(1, len(points) - 1)
    coordinates = [
        (round(20 + n * step, 1), round(plot - _scale(point.value, largest, plot - 20), 1))
        for n, point in enumerate(points)
    ]
    path = " ".join(f"{x},{y}" for x, y in coordinates)
    dots = format_html_join(
        "", '<circle class="dot" fill="{}" cx="{}" cy="{}" r="4"></circle>', ((TONES[""], x, y) for x, y in coordinates)
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text>',
        (
            (x, LINE_CHART_HEIGHT - 14, FONT_SIZE, point.label)
            for n, ((x, _y), point) in enumerate(zip(coordinates, points, strict=True))
            if n % 2 == (len(points) - 1) % 2  # the last point always labelled
        ),
    )
    body = format_html(
        '<line class="axis" stroke="{}" x1="0" y1="{}" x2="{}" y2="{}"></line>'
        '<polyline class="line" fill="none" stroke="{}" stroke-width="2" points="{}"></polyline>{}{}',
        AXIS_COLOUR, plot, WIDTH, plot, TONES[""], path, dots, labels,
    )  # fmt: skip
    return _svg(LINE_CHART_HEIGHT, title, body)
