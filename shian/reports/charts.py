"""Charts as PNG, drawn by matplotlib with the CJK font, so Chinese labels render as text.

A Figure with an Agg canvas is made per chart (no pyplot): no global figure state, safe in
a web worker. The pixel size depends only on the chart's width and kind, never on its text.
matplotlib is imported on first use: it takes most of a second to load.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from typing import TYPE_CHECKING, Literal

from .document import Chart
from .fonts import cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 150
CM_PER_INCH = 2.54
# rcParams are global to the process: two threads (waitress serves with several) drawing at once
# would swap each other's fonts back, so charts are drawn one at a time.
_DRAWING = threading.Lock()
# A sober palette that stays readable when printed in grey.
PALETTE = ("#2f5597", "#c55a11", "#548235", "#bf9000", "#7030a0", "#2e75b6", "#a5a5a5", "#843c0c")


@functools.cache
def _font_family() -> str:
    from matplotlib import font_manager

    font = cjk_font()
    if font.path not in {f.fname for f in font_manager.fontManager.ttflist}:
        font_manager.fontManager.addfont(font.path)
    # matplotlib names the face by the font's own family name, which may differ from fc-list's.
    for entry in font_manager.fontManager.ttflist:
        if entry.fname == font.path and getattr(entry, "index", 0) == font.subfont_index:
            return str(entry.name)
    return font_manager.FontProperties(fname=font.path).get_name()


def chart_size_px(chart: Chart, dpi: int = DPI) -> tuple[int, int]:
    """The PNG's size in pixels: its width from the chart, its height from the kind."""
    width = chart.width_cm / CM_PER_INCH
    if chart.kind == "hbar":
        # Room for every category on its own line, between 0.5 and 1.2 times the width.
        height = min(
            max(0.5 * width, 0.9 + 0.28 * len(chart.categories) * len(chart.series) ** 0.5), 1.2 * width
        )
    elif chart.kind == "pie":
        height = 0.62 * width
    else:
        height = 0.58 * width
    return round(width * dpi), round(height * dpi)


def _figure_size_in(chart: Chart, dpi: int) -> tuple[float, float]:
    # A quarter pixel over, so that matplotlib's truncation to whole pixels lands on chart_size_px.
    width_px, height_px = chart_size_px(chart, dpi)
    return (width_px + 0.25) / dpi, (height_px + 0.25) / dpi


def render_chart(chart: Chart, *, with_title: bool = True, dpi: int = DPI) -> bytes:
    """The chart as PNG bytes. Documents pass with_title=False and print "图N title" under it."""
    from matplotlib import rc_context

    with _DRAWING:
        style = {
            "font.family": [_font_family(), "DejaVu Sans"],
            "font.size": 9,
            "axes.unicode_minus": False,  # U+2212 is missing from some CJK fonts; "-" never is
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
        with rc_context(style):  # type: ignore[arg-type]  # the stubs want literal keys only
            return _draw(chart, with_title=with_title, dpi=dpi)


def _draw(chart: Chart, *, with_title: bool, dpi: int) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=_figure_size_in(chart, dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _DRAW[chart.kind](ax, chart)
    if with_title:
        ax.set_title(chart.title, fontsize=11)  # the CJK font has no bold face
    buffer = io.BytesIO()
    # No "Software" tag: the file does not name the library version that drew it.
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def _values(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"


def _value_axis(ax: Axes, chart: Chart, axis: Literal["x", "y"]) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    formatter = FuncFormatter(lambda v, _pos: _number(v))
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(formatter)
    target.set_major_locator(MaxNLocator(nbins=6))
    if chart.unit:
        target.set_label_text(f"单位：{chart.unit}")
    ax.grid(axis=axis, color="#d9d9d9", linewidth=0.6)
    ax.set_axisbelow(True)


def _category_ticks(ax: Axes, chart: Chart) -> None:
    # Rotate the labels when the longest would not fit under its bar: the axes take about 85%
    # of the width, and a 9-point CJK character is about 0.32 cm wide.
    longest = max((len(c) for c in chart.categories), default=0)
    room = 0.85 * chart.width_cm / max(len(chart.categories), 1) / 0.32
    if longest > room:
        for label in ax.get_xticklabels():
            label.set_rotation(40)
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


def _legend(ax: Axes, chart: Chart) -> None:
    # A figure legend "outside": the constrained layout makes room for it below the axes.
    if len(chart.series) > 1:
        ax.figure.legend(frameon=False, ncols=min(len(chart.series), 4), loc="outside lower center")


def _draw_bar(ax: Axes, chart: Chart) -> None:
    n = len(chart.series)
    width = 0.8 / n
    positions = range(len(chart.categories))
    for i, series in enumerate(chart.series):
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        bars = ax.bar(
            offsets, _values(series.values), width, label=series.name, color=PALETTE[i % len(PALETTE)]
        )
        if n == 1 and len(chart.categories) <= 15:
            ax.bar_label(
                bars,
                labels=[_number(v) if v is not None else "" for v in series.values],
                padding=2,
                fontsize=7.5,
            )
    ax.set_xticks(list(positions), chart.categories)
    _value_axis(ax, chart, "y")
    _category_ticks(ax, chart)
    _legend(ax, chart)


def _draw_stacked_bar(ax: Axes, chart: Chart) -> None:
    bottoms = [0.0] * len(chart.categories)
    positions = list(range(len(chart.categories)))
    for i, series in enumerate(chart.series):
        values = [0.0 if v is None else float(v) for v in series.values]
        ax.bar(positions, values, 0.6, bottom=bottoms, label=series.name, color=PALETTE[i % len(PALETTE)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.set_xticks(positions, chart.categories)
    _value_axis(ax, chart, "y")
    _category_ticks(ax, chart)
    _legend(ax, chart)


def _draw_hbar(ax: Axes, chart: Chart) -> None:
    n = len(chart.series)
    height = 0.8 / n
    positions = range(len(chart.categories))
    for i, series in enumerate(chart.series):
        offsets = [p - 0.4 + height * (i + 0.5) for p in positions]
        bars = ax.barh(
            offsets, _values(series.values), height, label=series.name, color=PALETTE[i % len(PALETTE)]
        )
        if n == 1:
            ax.bar_label(
                bars,
                labels=[_number(v) if v is not None else "" for v in series.values],
                padding=2,
                fontsize=7.5,
            )
    ax.set_yticks(list(positions), chart.categories)
    ax.invert_yaxis()  # the first category on top, as read
    _value_axis(ax, chart, "x")
    _legend(ax, chart)


def _draw_line(ax: Axes, chart: Chart) -> None:
    positions = list(range(len(chart.categories)))
    for i, series in enumerate(chart.series):
        ax.plot(
            positions,
            _values(series.values),
            marker="o",
            markersize=3.5,
            linewidth=1.6,
            label=series.name,
            color=PALETTE[i % len(PALETTE)],
        )
    ax.set_xticks(positions, chart.categories)
    _value_axis(ax, chart, "y")
    _category_ticks(ax, chart)
    _legend(ax, chart)


def _draw_pie(ax: Axes, chart: Chart) -> None:
    values = [0.0 if v is None else max(float(v), 0.0) for v in chart.series[0].values]
    total = sum(values)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(values))]
    wedges, _texts, autotexts = ax.pie(
        values,
        colors=colors,
        startangle=90,
        counterclock=False,
        autopct=lambda pct: f"{pct:.1f}%" if pct >= 4 else "",
        pctdistance=0.72,
        wedgeprops={"linewidth": 1, "edgecolor": "white"},
    )
    for text in autotexts:
        text.set_color("white")
        text.set_fontsize(8)
    unit = chart.unit
    labels = [
        f"{name}  {_number(v)}{unit}（{v / total:.1%}）" if total else name
        for name, v in zip(chart.categories, values, strict=True)
    ]
    ax.figure.legend(wedges, labels, frameon=False, loc="outside right center")
    ax.set_aspect("equal")


_DRAW = {
    "bar": _draw_bar,
    "stacked_bar": _draw_stacked_bar,
    "hbar": _draw_hbar,
    "line": _draw_line,
    "pie": _draw_pie,
}
