"""Server-rendered SVG charts for the dashboard (no script, no external library).

`peg_svg` draws one stablecoin's peg history: the trusted price over time as a line, broken
where a reading failed closed (no trusted price), with those stretches shaded; a dashed line
at $1.00; and a marker at each decision the worker took, whose tooltip is its reason. Every
piece of outside text (reasons, problems, ids) is made visible (`steward.display.visible`) and
escaped with `markupsafe.escape`; everything else in the markup is numbers formatted here.
The page's CSP forbids inline styles, so colours are SVG presentation attributes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple, Sequence

from markupsafe import Markup, escape

from steward.display import visible

MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 62, 14, 14, 30
# A flat peg still gets a readable band around it: at least this many USD top to bottom.
MIN_PRICE_SPAN = 0.01
LINE_COLOUR = "#2f5bea"
FAILED_COLOUR = "#d92d20"
MARKER_COLOURS = {"acted": "#12b76a", "blocked": "#d92d20", "waiting": "#f79009",
                  "alert": "#9e77ed"}
MARKED_OUTCOMES = tuple(MARKER_COLOURS)


class PegPoint(NamedTuple):
    at: int                 # unix seconds
    price: float | None     # USD per token; None: the reading failed closed
    problem: str | None = None


class Marker(NamedTuple):
    at: int                 # unix seconds
    outcome: str            # one of MARKED_OUTCOMES
    reason: str
    order_id: str = ""
    proposal_id: str | None = None


class _Frame(NamedTuple):
    """Where the plot sits in the SVG and what its edges mean."""
    width: int
    height: int
    start: int
    end: int
    low: float
    high: float

    def x(self, at: int) -> float:
        room = self.width - MARGIN_LEFT - MARGIN_RIGHT
        span = self.end - self.start
        return MARGIN_LEFT + (room * (at - self.start) / span if span else room / 2)

    def y(self, price: float) -> float:
        room = self.height - MARGIN_TOP - MARGIN_BOTTOM
        return MARGIN_TOP + room * (self.high - price) / (self.high - self.low)

    @property
    def top(self) -> float:
        return MARGIN_TOP

    @property
    def bottom(self) -> float:
        return self.height - MARGIN_BOTTOM


def _text(value: object) -> Markup:
    """Outside text for markup: hidden characters shown, then escaped."""
    return escape(visible(str(value)))


def _num(value: float) -> str:
    return f"{value:.1f}"


def _when(at: int) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _frame(points: Sequence[PegPoint], width: int, height: int) -> _Frame:
    prices = [p.price for p in points if p.price is not None] + [1.0]
    low, high = min(prices), max(prices)
    pad = max((high - low) * 0.1, (MIN_PRICE_SPAN - (high - low)) / 2, 0.0)
    return _Frame(width, height, min(p.at for p in points), max(p.at for p in points),
                  low - pad, high + pad)


def runs(points: Sequence[PegPoint]) -> tuple[list[list[PegPoint]], list[list[PegPoint]]]:
    """The points split where the price is missing: (priced runs, failed runs), each in time
    order."""
    priced: list[list[PegPoint]] = []
    failed: list[list[PegPoint]] = []
    previous_priced: bool | None = None
    for point in points:
        is_priced = point.price is not None
        target = priced if is_priced else failed
        if is_priced != previous_priced:
            target.append([])
        target[-1].append(point)
        previous_priced = is_priced
    return priced, failed


def _price_lines(frame: _Frame, priced: list[list[PegPoint]]) -> list[str]:
    parts = []
    for run in priced:
        coordinates = " ".join(f"{_num(frame.x(p.at))},{_num(frame.y(p.price))}" for p in run)
        parts.append(f'<polyline class="peg-line" points="{coordinates}" fill="none" '
                     f'stroke="{LINE_COLOUR}" stroke-width="1.6" stroke-linejoin="round"/>')
        if len(run) == 1:  # a line of one point draws nothing: show the reading as a dot
            point = run[0]
            parts.append(f'<circle class="peg-dot" cx="{_num(frame.x(point.at))}" '
                         f'cy="{_num(frame.y(point.price))}" r="2.5" fill="{LINE_COLOUR}"/>')
    return parts


def _failed_bands(frame: _Frame, failed: list[list[PegPoint]]) -> list[str]:
    parts = []
    for run in failed:
        left, right = frame.x(run[0].at), frame.x(run[-1].at)
        if right - left < 3.0:  # one reading (or a few close together): a visible sliver
            left, right = (left + right) / 2 - 1.5, (left + right) / 2 + 1.5
        width = right - left
        count = len(run)
        first = run[0]
        what = f"{count} reading{'s' if count != 1 else ''} failed closed from {_when(first.at)}"
        if count > 1:
            what += f" to {_when(run[-1].at)}"
        what += f": {first.problem or 'no trusted price'}"
        parts.append(
            f'<g class="peg-failed" data-count="{count}"><title>{_text(what)}</title>'
            f'<rect x="{_num(left)}" y="{_num(frame.top)}" '
            f'width="{_num(width)}" height="{_num(frame.bottom - frame.top)}" '
            f'fill="{FAILED_COLOUR}" fill-opacity="0.14"/>'
            f'<text x="{_num(left + width / 2)}" y="{_num(frame.bottom - 4)}" '
            f'text-anchor="middle" font-size="11" fill="{FAILED_COLOUR}">×</text></g>')
    return parts


def _price_at(points: Sequence[PegPoint], at: int) -> float | None:
    """The last trusted price at or before `at` (None: none yet, or that reading failed)."""
    found = None
    for point in points:
        if point.at > at:
            break
        found = point.price
    return found


def _markers(frame: _Frame, points: Sequence[PegPoint], markers: Sequence[Marker]) -> list[str]:
    parts = []
    for marker in sorted(markers, key=lambda m: m.at):
        if marker.outcome not in MARKER_COLOURS or not frame.start <= marker.at <= frame.end:
            continue
        colour = MARKER_COLOURS[marker.outcome]
        x = frame.x(marker.at)
        price = _price_at(points, marker.at)
        y = frame.y(price) if price is not None else frame.top + 6
        tip = f"{_when(marker.at)} · {marker.outcome}"
        if marker.order_id:
            tip += f" · {marker.order_id}"
        tip += f": {marker.reason}"
        shape = (f'<line x1="{_num(x)}" y1="{_num(frame.top)}" x2="{_num(x)}" '
                 f'y2="{_num(frame.bottom)}" stroke="{colour}" stroke-width="1" '
                 f'stroke-opacity="0.5"/>'
                 f'<circle cx="{_num(x)}" cy="{_num(y)}" r="5" fill="{colour}" '
                 f'stroke="#ffffff" stroke-width="1.5"/>')
        body = f"<title>{_text(tip)}</title>{shape}"
        if marker.proposal_id:
            body = f'<a href="/proposals/{_text(marker.proposal_id)}">{body}</a>'
        parts.append(f'<g class="marker marker-{_text(marker.outcome)}" '
                     f'data-outcome="{_text(marker.outcome)}" data-at="{int(marker.at)}">'
                     f'{body}</g>')
    return parts


def _axes(frame: _Frame) -> list[str]:
    one = frame.y(1.0)
    left, right = MARGIN_LEFT, frame.width - MARGIN_RIGHT
    label = 'font-size="11" fill="#667085"'
    parts = [
        f'<rect x="{left}" y="{_num(frame.top)}" width="{right - left}" '
        f'height="{_num(frame.bottom - frame.top)}" fill="none" stroke="#eaecf0"/>',
        f'<line class="peg-one" x1="{left}" y1="{_num(one)}" x2="{right}" y2="{_num(one)}" '
        f'stroke="#667085" stroke-width="1" stroke-dasharray="5 4"/>',
        f'<text x="{left - 6}" y="{_num(one + 4)}" text-anchor="end" {label}>$1.00</text>',
    ]
    for price in (frame.high, frame.low):
        if abs(frame.y(price) - one) > 18:  # keep labels from overlapping
            parts.append(f'<text x="{left - 6}" y="{_num(frame.y(price) + 4)}" '
                         f'text-anchor="end" {label}>${price:.4f}</text>')
    bottom = _num(frame.bottom + 18)
    parts.append(f'<text x="{left}" y="{bottom}" {label}>{_when(frame.start)}</text>')
    if frame.end != frame.start:
        parts.append(f'<text x="{right}" y="{bottom}" text-anchor="end" {label}>'
                     f'{_when(frame.end)}</text>')
    return parts


def legend() -> Markup:
    """The markers' colours and what they mean, as small inline SVG dots beside words."""
    items = [f'<span class="legend-item legend-{outcome}"><svg width="10" height="10" '
             f'viewBox="0 0 10 10" aria-hidden="true"><circle cx="5" cy="5" r="4.5" '
             f'fill="{colour}"/></svg> {outcome}</span>'
             for outcome, colour in MARKER_COLOURS.items()]
    items.append(f'<span class="legend-item legend-failed"><svg width="10" height="10" '
                 f'viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" '
                 f'fill="{FAILED_COLOUR}" fill-opacity="0.25"/></svg> failed closed</span>')
    return Markup(" · ".join(items))


def peg_svg(points: Sequence[PegPoint], markers: Sequence[Marker] = (), width: int = 680,
            height: int = 220, *, label: str = "peg history") -> Markup:
    """An inline SVG of a peg history (points oldest first) with decision markers; markers
    outside the points' time span are left out. No points: an empty string."""
    if not points:
        return Markup("")
    points = sorted(points, key=lambda p: p.at)
    frame = _frame(points, width, height)
    priced, failed = runs(points)
    parts = [f'<svg class="chart peg-chart" role="img" aria-label="{_text(label)}" '
             f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'preserveAspectRatio="xMinYMin meet">']
    parts += _axes(frame)
    parts += _failed_bands(frame, failed)
    parts += _price_lines(frame, priced)
    parts += _markers(frame, points, markers)
    parts.append("</svg>")
    return Markup("\n".join(parts))


__all__ = ["MARKED_OUTCOMES", "Marker", "PegPoint", "legend", "peg_svg", "runs"]
