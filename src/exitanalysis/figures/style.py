"""The look every figure shares: palette, rc style, locale-aware ticks, legends, the synthetic
stamp, alt text, finishing.

Figures built from synthetic data carry a visible mark (:func:`mark_synthetic`), so a figure
copied out of a report still says what it is. Nothing here calls ``plt.show()`` or
``matplotlib.use()``.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from babel.dates import format_skeleton
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import (
    AutoLocator,
    Formatter,
    LogLocator,
    MaxNLocator,
    NullLocator,
    ScalarFormatter,
)

from ..text import LOCALES, Language, label, number, percent, quarter

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Okabe & Ito's colour-blind-safe colours (Color Universal Design, 2008), strongest contrasts
#: first and black last. Unlike seaborn's "colorblind", whose 5th and 7th colours are two
#: pinks, all eight stay distinct side by side in a stacked bar.
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                            "#F0E442", "#000000")
#: Categories that mean "none of the others" are grey in every figure.
NEUTRAL: dict[str, str] = {"other": "#999999", "unknown": "#c8c8c8"}
SYNTHETIC_GID = "exitanalysis-synthetic-mark"
#: Neutral lines and notes; alerts (targets, warnings, the synthetic stamp).
GREY = "#737373"
ALERT = "#b2182b"

STYLE: dict[Any, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.alpha": 0.3,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 9,
}


def colours(categories: Sequence[str], keys: Sequence[str]) -> dict[str, str]:
    """The colour of each category, fixed by its key so that it is the same in every figure.

    Parameters
    ----------
    categories
        The categories a figure shows.
    keys
        Every key the categories can take, in a fixed order (the config's organisations, the
        schema's channels). A category's colour is the palette colour at its place here, so
        pass the whole vocabulary, not the categories present: a category missing from one
        version of a report (public, another language) must not shift the others' colours.

    Notes
    -----
    ``other`` and ``unknown`` are grey (:data:`NEUTRAL`). A category outside ``keys`` takes its
    colour from a CRC-32 checksum of its key, which, unlike ``hash``, is the same in every run.

    Examples
    --------
    >>> colours(["liva", "other"], ["reden_kbh", "liva"])
    {'liva': '#E69F00', 'other': '#999999'}
    """
    order = list(keys)
    shown: dict[str, str] = {}
    for category in categories:
        slot = order.index(category) if category in order else zlib.crc32(category.encode())
        shown[category] = NEUTRAL.get(category, PALETTE[slot % len(PALETTE)])
    return shown


def new_axes(ax: Axes | None, size: tuple[float, float] = (9.0, 4.5)) -> Axes:
    """``ax`` when given, else the axes of a new figure in the house style.

    Figures are at most 9 inches wide, so that a PNG saved at twice 100 dpi stays within
    1800 pixels.
    """
    if ax is not None:
        return ax
    with plt.rc_context(STYLE):
        _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def short_month(day: dt.date, language: Language, year: bool = True) -> str:
    """A month as an axis writes it, in the reader's locale: ``Jan 2020``, ``jan. 2020``
    (``Jan``, ``jan.`` without the year)."""
    return format_skeleton("yMMM" if year else "MMM", day, locale=LOCALES[language])


def period_label(period: str, language: Language) -> str:
    """A period key of a table as a reader writes it: ``2020-01`` is ``jan. 2020`` and
    ``2020Q1`` is ``1. kvt. 2020`` and ``2020H1`` ``1. halvår 2020`` in Danish (``Jan 2020``,
    ``Q1 2020``, ``H1 2020`` in English), a span of months ``2020-03 to 2020-05`` is
    ``Mar 2020–May 2020``; anything else (a year) is left as it is."""
    span = re.fullmatch(r"(\d{4}-\d{2}) to (\d{4}-\d{2})", period)
    if span:
        return f"{period_label(span[1], language)}–{period_label(span[2], language)}"
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return short_month(dt.date(int(period[:4]), int(period[5:]), 1), language)
    if re.fullmatch(r"\d{4}H[12]", period):
        return label("half_year_value", language, h=period[5], year=period[:4])
    if re.fullmatch(r"\d{4}Q[1-4]", period):
        return quarter(int(period[:4]), int(period[5]), language)
    return period


class _NumberTicks(Formatter):
    """Tick labels written as the reader writes numbers (``0,5`` in Danish), with as many
    decimals as the ticks need: none for steps of 100, one for steps of 0.5."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.decimals = 0

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        self.decimals = next((d for d in range(6)
                              if np.allclose(locs, np.round(locs, d), rtol=0.0, atol=1e-9)), 6)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return number(x + 0.0, self.language, self.decimals)  # + 0.0 turns -0.0 into 0.0


class _MonthTicks(Formatter):
    """Date ticks as short month and year in the reader's locale; the year alone when every
    tick falls on 1 January."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.years_only = False

    def set_locs(self, locs: Any) -> None:
        super().set_locs(locs)
        days = [mdates.num2date(x).date() for x in locs]
        self.years_only = bool(days) and all((d.month, d.day) == (1, 1) for d in days)

    def __call__(self, x: float, pos: int | None = None) -> str:
        day = mdates.num2date(x).date()
        # A year is a name, not a quantity: no thousands separator ("2.020").
        return str(day.year) if self.years_only else short_month(day, self.language)


def locale_ticks(ax: Axes, language: Language) -> None:
    """Write the number and date ticks of ``ax`` as a reader of ``language`` does.

    Only matplotlib's own number and date labels are replaced; labels a figure set itself
    (categories, periods) are left as they are.
    """
    for axis in (ax.xaxis, ax.yaxis):
        current = axis.get_major_formatter()
        if isinstance(current, ScalarFormatter):
            axis.set_major_formatter(_NumberTicks(language))
        elif isinstance(current, mdates.AutoDateFormatter | mdates.ConciseDateFormatter
                        | mdates.DateFormatter):
            axis.set_major_formatter(_MonthTicks(language))


def place_legend(ax: Axes, title: str | None = None) -> None:
    """Put the legend of ``ax`` where it covers no data.

    Below the figure when ``ax`` is its only axes (constrained layout makes room, and the
    full width suits a phone), else beside the axes. Inside the axes, a legend hid the
    target line of the fan chart.
    """
    handles, names = ax.get_legend_handles_labels()
    if not handles:
        return
    fig = ax.figure  # a SubFigure (not a Figure) gets its legend beside the axes
    size = STYLE["legend.fontsize"]
    if (isinstance(fig, Figure) and len(fig.axes) == 1
            and isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)):
        # About half an em a character, plus the key and the gap between columns (5 em).
        column = size * (0.5 * max(len(n) for n in names) + 5.0) / 72.0
        across = max(1, min(len(names), int(0.95 * fig.get_figwidth() // column)))
        fig.legend(handles, names, title=title, loc="outside lower center", ncols=across,
                   fontsize=size, title_fontsize=size, frameon=False)
    else:
        ax.legend(title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=size,
                  title_fontsize=size, frameon=False)


#: Width of a figure drawn for a phone (inches): at 390 px its 9 pt text stays about 10 px.
PHONE_WIDTH = 4.6


def fit_width(fig: Figure, width: float = PHONE_WIDTH) -> None:
    """Redraw ``fig`` for a narrower screen: ``width`` inches wide, a little taller, and its
    legend laid out again for the new width (a phone gets its own drawing rather than a
    desktop figure shrunk until its text is 5 px)."""
    old_width, old_height = fig.get_size_inches()
    fig.set_size_inches(width, old_height * min(1.6, max(1.0, old_width / width * 0.7)))
    for ax in fig.axes:
        # A title wider than the figure would widen the image and shrink everything in it.
        if ax.get_title():
            ax.set_title(textwrap.fill(ax.get_title(), 40))
        if isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator):
            # minticks below its default of 5: with maxticks 5, a span of a few years had no
            # interval to pick, and the notebook showed a warning.
            ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=2, maxticks=5))
        elif isinstance(ax.xaxis.get_major_locator(), MaxNLocator | AutoLocator):
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        names = [t.get_text() for t in ax.get_yticklabels()]
        if any(len(n) > 20 for n in names):  # long category names on the y axis: wrapped
            ax.set_yticks(ax.get_yticks(), [textwrap.fill(n, 20) for n in names])
        labels = ax.get_xticklabels()
        if len(labels) > 6:  # categorical periods: every other label
            for i, tick in enumerate(labels):
                tick.set_visible(i % 2 == 0)
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        suptitle.set_text(textwrap.fill(suptitle.get_text(), 40))
    for legend in list(fig.legends):
        title = legend.get_title().get_text() or None
        legend.remove()
        if fig.axes:
            place_legend(fig.axes[0], title=title)


def share_axis(ax: Axes, positions: Sequence[float] | np.ndarray, names: Sequence[str],
               language: Language) -> None:
    """Categories down the y axis, a share from 0 to 100 % along x (dot-and-interval charts
    of conversion and reach)."""
    ax.set_yticks(list(positions), list(names))
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _: percent(x, language))
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)


def ratio_intervals(ax: Axes, table: Any, names: Sequence[str], language: Language = "en",
                    ) -> None:
    """A forest plot of ratios: one row per line of ``table`` (``rate_ratio``, ``low``,
    ``high``), top to bottom, on a log scale around 1 with plain ticks (0.1, 0.2, 0.5, 1, 2
    in the reader's format); red when the whole interval is below 1, blue when above, grey
    when it holds 1 (a missing end is drawn at the ratio)."""
    positions = np.arange(len(table))[::-1]
    for position, row in zip(positions, table.itertuples(index=False), strict=True):
        low = row.low if np.isfinite(row.low) else row.rate_ratio
        high = row.high if np.isfinite(row.high) else row.rate_ratio
        colour = ALERT if high < 1 else ("#0072B2" if low > 1 else GREY)
        ax.plot([low, high], [position, position], color=colour, lw=2)
        ax.plot([row.rate_ratio], [position], "o", color=colour, ms=6)
    ax.axvline(1.0, color=GREY, lw=0.8)
    plain_log_axis(ax, language)
    ax.set_yticks(list(positions), list(names))
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)


def plain_log_axis(ax: Axes, language: Language = "en") -> None:
    """A log-scaled x axis with plain ticks at 1, 2 and 5 of each decade (0.2, 0.5, 1, 2,
    200, written the reader's way), not ``2×10²``."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(
        lambda x, _: number(x, language, max(0, min(3, -int(np.floor(np.log10(x)))))))


def shares_in_words(names: Sequence[str], shares: Sequence[float], lows: Sequence[float],
                    highs: Sequence[float], language: Language) -> str:
    """``street 43% (41%–44%); online 18% (17%–20%)``: shares and intervals for alt text."""
    return "; ".join(f"{name} {percent(s, language)} ({percent(lo, language)}–"
                     f"{percent(hi, language)})"
                     for name, s, lo, hi in zip(names, shares, lows, highs, strict=True))


def mark_synthetic(fig: Figure, language: Language = "en") -> None:
    """Stamp a figure as synthetic (idempotent): red text above the plot, right-aligned.

    The mark is the figure's super-title when it has none, so constrained layout keeps room
    for it and it never covers the axes' own title.
    """
    if is_marked_synthetic(fig):
        return
    style: dict[str, Any] = {"fontsize": 9, "color": ALERT, "fontweight": "bold",
                             "gid": SYNTHETIC_GID}
    if not fig.get_suptitle():
        fig.suptitle(label("synthetic_mark", language), x=0.99, ha="right", **style)
    else:
        fig.text(0.01, 0.99, label("synthetic_mark", language), ha="left", va="top", **style)


_ALT = "_exitanalysis_alt_text"


def set_alt_text(fig: Any, text: str) -> None:
    """Attach the description a screen reader gets for ``fig`` (read by show_figure)."""
    setattr(fig, _ALT, text)


_CAPTION = "_exitanalysis_caption"


def set_caption(fig: Any, text: str) -> None:
    """Attach the caption a report shows under ``fig``: where the data come from, what the
    bands mean, what is assumed (the title states the finding)."""
    setattr(fig, _CAPTION, text)


def caption(fig: Any) -> str | None:
    """The caption :func:`set_caption` attached, if any."""
    text = getattr(fig, _CAPTION, None)
    return str(text) if text else None


def alt_text(fig: Any, language: Language = "en") -> str:
    """The figure's alt text: what its plotting function wrote, else title and axes."""
    text = getattr(fig, _ALT, None)
    if text:
        return str(text)
    ax = fig.axes[0] if fig.axes else None
    return label("figure_alt_generic", language, title=figure_title(fig),
                 x=ax.get_xlabel() if ax else "", y=ax.get_ylabel() if ax else "")


def figure_title(fig: Any) -> str:
    """The title of the figure's first axes (or its super-title)."""
    for ax in fig.axes:
        if ax.get_title():
            return str(ax.get_title())
    return str(fig.get_suptitle() or "")


def is_marked_synthetic(fig: Figure) -> bool:
    """Whether :func:`mark_synthetic` has stamped ``fig``."""
    texts = [*fig.texts, getattr(fig, "_suptitle", None)]  # no public getter of the Text
    return any(t is not None and t.get_gid() == SYNTHETIC_GID for t in texts)


def finish(ax: Axes, *, title: str, xlabel: str | None = None, ylabel: str | None = None,
           legend: bool = False, synthetic: bool = False, language: Language = "en") -> Axes:
    """The last steps of every figure: title, axis labels, ticks in the reader's locale, the
    legend where it covers no data (:func:`place_legend`) and the synthetic mark."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    locale_ticks(ax, language)
    if legend:
        place_legend(ax)
    if synthetic:
        mark_synthetic(ax.figure, language)  # type: ignore[arg-type]
    return ax


def plot_unavailable(reason: str, ax: Axes | None = None, language: Language = "en") -> Axes:
    """An empty panel that says why there is no figure (``reason`` is a catalogue key)."""
    ax = new_axes(ax, size=(7.0, 2.0))
    # Wrapped to fit a phone's drawing too: one long line would widen the image.
    text = textwrap.fill(label("not_available", language, reason=label(reason, language)), 45)
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_axis_off()
    return ax


__all__ = [
    "ALERT", "GREY", "NEUTRAL", "PALETTE", "PHONE_WIDTH", "STYLE", "alt_text", "caption",
    "colours", "figure_title", "finish", "fit_width", "is_marked_synthetic", "locale_ticks",
    "mark_synthetic", "new_axes", "period_label", "place_legend", "plain_log_axis",
    "plot_unavailable",
    "ratio_intervals", "set_alt_text", "set_caption", "share_axis", "shares_in_words",
    "short_month",
]
