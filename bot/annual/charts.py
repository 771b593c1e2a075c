"""The yearly report's charts as SVG (matplotlib), so the PDF holds them as vector drawings."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.figures import GroupTotal, RuleShare, YearFigures
from bot.formatting import format_count
from bot.report import TransportMode

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

__all__ = [
    "MODE_COLOURS",
    "co2_per_month_svg",
    "destinations_svg",
    "grouped_destinations",
    "rule_share_svg",
]

#: One colour per mode, the same in every chart (Den Haag green for the train).
MODE_COLOURS: dict[TransportMode, str] = {
    TransportMode.VLIEGTUIG: "#b5452b",
    TransportMode.TREIN: "#00603a",
    TransportMode.BUS: "#d99a1e",
    TransportMode.AUTO: "#5b6770",
    TransportMode.VEERBOOT: "#2c78b0",
}
_OTHER_GROUND = "#8fb9a5"
_INK = "#1d1d1b"
_GRID = "#d9d9d9"
_CM = 1 / 2.54
_WIDTH_CM = 16.0
_SHORT_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
#: Destinations shown by name; the rest are summed in one 'overige' bar.
TOP_DESTINATIONS = 12


#: matplotlib's style settings are global: one chart is drawn at a time.
_DRAWING = threading.Lock()


@contextmanager
def _figure(height_cm: float) -> Iterator[Figure]:
    """A matplotlib Figure of the document's width in the report's style."""
    import matplotlib
    from matplotlib.figure import Figure

    with (
        _DRAWING,
        matplotlib.rc_context(
            {
                "font.family": "DejaVu Sans",
                "font.size": 8,
                "axes.edgecolor": _GRID,
                "axes.labelcolor": _INK,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "xtick.color": _INK,
                "ytick.color": _INK,
                "svg.fonttype": "none",  # text stays text: sharp, searchable, in the PDF's own font
                "svg.hashsalt": "reisverslag",  # the same figures give the same file
                "text.parse_math": False,  # a '$' in a place name is text, not TeX
            }
        ),
    ):
        yield Figure(figsize=(_WIDTH_CM * _CM, height_cm * _CM))


def _svg(figure: Figure) -> str:
    """The figure as an SVG document without a timestamp."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def co2_per_month_svg(figures: YearFigures) -> str:
    """Kg CO2e per month of departure, stacked by transport mode."""
    from matplotlib.ticker import FuncFormatter

    used = [m.mode for m in figures.by_mode if m.kg_co2e > 0] or [TransportMode.VLIEGTUIG]
    with _figure(7.2) as fig:
        axes = fig.add_subplot()
        bottoms = [0.0] * 12
        for mode in used:
            values = [month.kg_by_mode.get(mode, 0.0) for month in figures.by_month]
            axes.bar(
                range(12), values, bottom=bottoms, color=MODE_COLOURS[mode], label=mode.label,
                width=0.7, edgecolor="white", linewidth=0.4,
            )  # fmt: skip
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        axes.set_xticks(range(12), _SHORT_MONTHS)
        axes.set_ylabel("kg CO2e")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_count(v)))
        axes.grid(axis="y", color=_GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        axes.legend(frameon=False, ncols=len(used), loc="upper left", bbox_to_anchor=(0, 1.13))
        fig.subplots_adjust(left=0.1, right=0.99, top=0.87, bottom=0.1)
        return _svg(fig)


def grouped_destinations(figures: YearFigures) -> list[GroupTotal]:
    """The destinations with the most CO2, and one 'overige' group summing the rest."""
    shown = list(figures.by_destination[:TOP_DESTINATIONS])
    rest = figures.by_destination[TOP_DESTINATIONS:]
    if rest:
        shown.append(
            GroupTotal(
                name=f"overige ({len(rest)})",
                trips=sum(g.trips for g in rest),
                travellers=0,
                km=sum(g.km for g in rest),
                kg_co2e=sum(g.kg_co2e for g in rest),
                exceptions=sum(g.exceptions for g in rest),
            )
        )
    return shown


def _bar_labels(axes: Axes, bars: BarContainer, labels: Sequence[str]) -> None:
    """Each bar's value just past its end."""
    axes.bar_label(bars, labels=labels, padding=2, fontsize=7, color=_INK)


def destinations_svg(figures: YearFigures) -> str:
    """Trips (left) and kg CO2e (right) per main destination, most CO2 first."""
    groups = grouped_destinations(figures)
    names = [g.name for g in groups]
    rows = range(len(groups))
    height_cm = 1.4 + 0.5 * max(len(groups), 2)
    with _figure(height_cm) as fig:
        left, right = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.6]})
        trips = left.barh(rows, [g.trips for g in groups], color="#4d8f73", height=0.65)
        _bar_labels(left, trips, [str(g.trips) for g in groups])
        left.set_title("Reizen", fontsize=8.5, loc="left", color=_INK)
        kg = right.barh(
            rows, [g.kg_co2e for g in groups], color=MODE_COLOURS[TransportMode.VLIEGTUIG],
            height=0.65,
        )  # fmt: skip
        _bar_labels(right, kg, [format_count(g.kg_co2e) for g in groups])
        right.set_title("kg CO2e", fontsize=8.5, loc="left", color=_INK)
        left.set_yticks(list(rows), names)
        left.invert_yaxis()
        for axes in (left, right):
            axes.tick_params(axis="y", length=0)
            axes.set_xticks([])
            axes.spines["bottom"].set_visible(False)
            axes.margins(x=0.22)
        right.spines["left"].set_visible(False)
        fig.subplots_adjust(
            left=0.2, right=0.98, top=1 - 0.8 / height_cm, bottom=0.15 / height_cm, wspace=0.08
        )
        return _svg(fig)


def rule_share_svg(shares: Sequence[RuleShare]) -> str:
    """Per year, trips to places within the threshold: share flown, by train, otherwise overland."""
    from matplotlib.ticker import PercentFormatter

    series = (
        ("Vliegtuig", MODE_COLOURS[TransportMode.VLIEGTUIG], [s.flown for s in shares]),
        ("Trein", MODE_COLOURS[TransportMode.TREIN], [s.train for s in shares]),
        ("Bus, auto of boot", _OTHER_GROUND, [s.other_ground for s in shares]),
    )
    labels = [f"{s.year}\n({s.trips} reizen)" for s in shares]
    with _figure(6.6) as fig:
        axes = fig.add_subplot()
        bottoms = [0.0] * len(shares)
        for name, colour, counts in series:
            values = [
                100 * c / s.trips if s.trips else 0 for c, s in zip(counts, shares, strict=True)
            ]
            bars = axes.bar(
                range(len(shares)), values, bottom=bottoms, color=colour, label=name, width=0.55,
                edgecolor="white", linewidth=0.4,
            )  # fmt: skip
            axes.bar_label(
                bars,
                labels=[f"{v:.0f}%" if v >= 8 else "" for v in values],
                label_type="center",
                fontsize=7,
                color=_INK if colour == _OTHER_GROUND else "white",  # contrast on the light bar
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        axes.set_xticks(range(len(shares)), labels)
        axes.set_ylim(0, 100)
        axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        axes.set_xlim(-0.6, max(len(shares), 3) - 0.4)
        axes.legend(frameon=False, ncols=3, loc="upper left", bbox_to_anchor=(0, 1.14))
        fig.subplots_adjust(left=0.08, right=0.99, top=0.86, bottom=0.17)
        return _svg(fig)
