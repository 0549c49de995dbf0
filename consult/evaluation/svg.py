"""The evaluation charts as small SVG documents written here: bars with 95% intervals, and
lines by month. They are simple enough not to need a chart library; pygal (about 85 ms to
import, and 10-40 ms to draw each chart) stays for the opinion-group map only, so the
dashboard's first request pays for neither. Each chart is an image with a text
alternative (the page's ``alt`` and the tables beside it); the SVG carries its title too.
Text is escaped; no script, no external reference (the CSP allows data: images)."""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Sequence

from markupsafe import escape

WIDTH = 720
FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
INK, SUBTLE, GRID = "#1f2933", "#6b7280", "#e5e7eb"
COLORS = ("#1d4ed8", "#047857", "#b45309")
# The bar labels' column (px) at font size 13: a Chinese character is about 13 px wide,
# a Latin letter or digit about 7.5 (an estimate: the SVG is drawn by the browser, in
# whatever CJK font it has, so nothing here can measure the text).
LABEL_WIDTH = 236


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def text_width(text: str) -> float:
    return sum(13.0 if unicodedata.east_asian_width(ch) in "WF" else 7.5 for ch in text)


def _label(text: str) -> str:
    """The label, cut with "…" where it would not fit the labels' column."""
    if text_width(text) <= LABEL_WIDTH:
        return text
    while text and text_width(text + "…") > LABEL_WIDTH:
        text = text[:-1]
    return text.rstrip() + "…"


def _document(title: str, height: int, body: list[str]) -> str:
    t = escape(title)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" font-family=\'{FONT}\' '
            f'font-size="13" fill="{INK}"><title>{t}</title>'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="{WIDTH // 2}" y="24" font-size="16" text-anchor="middle">{t}</text>'
            + "".join(body) + "</svg>")


def _ticks(low: float, high: float) -> list[float]:
    step = 20 if high - low > 10 else 1
    return [low + i * step for i in range(int((high - low) / step) + 1)]


def bars(title: str, rows: Sequence[tuple[str, float | None, tuple[float, float] | None]],
         value_range: tuple[float, float]) -> str:
    """Horizontal bars, one per (label, value, (low, high)); a value of None draws no bar
    (too few answers). The interval is drawn as an error bar across the bar's end."""
    low_end, high_end = value_range
    height = max(180, 60 + 44 * len(rows))
    left, right, top, bottom = 250, WIDTH - 30, 44, height - 28
    scale = (right - left) / (high_end - low_end)

    def x(v: float) -> float:
        return left + (min(max(v, low_end), high_end) - low_end) * scale

    body = []
    for tick in _ticks(low_end, high_end):
        body.append(f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{bottom}" '
                    f'stroke="{GRID}"/><text x="{x(tick):.1f}" y="{bottom + 18}" '
                    f'text-anchor="middle" fill="{SUBTLE}">{_fmt(tick)}</text>')
    band = (bottom - top) / max(len(rows), 1)
    for i, (label, value, interval) in enumerate(rows):
        mid = top + band * (i + 0.5)
        body.append(f'<text x="{left - 8}" y="{mid + 4:.1f}" text-anchor="end">'
                    f'{escape(_label(label))}</text>')
        if value is None:
            continue
        bar_h = min(24.0, band * 0.7)
        body.append(f'<rect x="{left}" y="{mid - bar_h / 2:.1f}" width="{x(value) - left:.1f}" '
                    f'height="{bar_h:.1f}" fill="{COLORS[0]}"><title>{escape(label)}: '
                    f'{_fmt(value)}</title></rect>')
        if interval is not None:
            lo, hi = x(interval[0]), x(interval[1])
            cap = bar_h / 3
            body.append(f'<path d="M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - cap:.1f}'
                        f'V{mid + cap:.1f}M{hi:.1f} {mid - cap:.1f}V{mid + cap:.1f}" '
                        f'stroke="{INK}" stroke-width="1.5" fill="none"/>')
    return _document(title, height, body)


def lines(title: str, x_labels: Sequence[str],
          series: Sequence[tuple[str, Sequence[tuple[float, tuple[float, float] | None] | None]]],
          value_range: tuple[float, float] = (0, 100)) -> str:
    """Lines over ``x_labels``, one per (name, points); a point is (value, interval or
    None) or None (no value that month: the line breaks there). With a legend."""
    low_end, high_end = value_range
    height = 300
    left, right, top, bottom = 50, WIDTH - 40, 60, height - 40
    n = len(x_labels)
    step = (right - left) / max(n - 1, 1)
    scale = (bottom - top) / (high_end - low_end)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + (step * i if n > 1 else (right - left) / 2), \
            bottom - (min(max(v, low_end), high_end) - low_end) * scale

    body = []
    for tick in _ticks(low_end, high_end):
        y = xy(0, tick)[1]
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                    f'fill="{SUBTLE}">{_fmt(tick)}</text>')
    every = max(1, -(-n // 12))  # at most about 12 month labels
    for i, label in enumerate(x_labels):
        if i % every == 0:
            body.append(f'<text x="{xy(i, low_end)[0]:.1f}" y="{bottom + 18}" '
                        f'text-anchor="middle" fill="{SUBTLE}">{escape(label)}</text>')
    for k, (name, points) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        legend_x = left + 200 * k
        body.append(f'<rect x="{legend_x}" y="36" width="12" height="12" fill="{color}"/>'
                    f'<text x="{legend_x + 18}" y="47">{escape(name)}</text>')
        path, pen_down = [], False
        for i, point in enumerate(points):
            if point is None:
                pen_down = False
                continue
            value, interval = point
            px, py = xy(i, value)
            path.append(f'{"L" if pen_down else "M"}{px:.1f} {py:.1f}')
            pen_down = True
            body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}">'
                        f'<title>{escape(x_labels[i])}: {_fmt(value)}</title></circle>')
            if interval is not None:
                y_lo, y_hi = xy(i, interval[0])[1], xy(i, interval[1])[1]
                body.append(f'<path d="M{px:.1f} {y_lo:.1f}V{y_hi:.1f}M{px - 4:.1f} {y_lo:.1f}'
                            f'H{px + 4:.1f}M{px - 4:.1f} {y_hi:.1f}H{px + 4:.1f}" '
                            f'stroke="{color}" fill="none"/>')
        if path:
            body.append(f'<path d="{"".join(path)}" stroke="{color}" stroke-width="2" '
                        f'fill="none"/>')
    return _document(title, height, body)
