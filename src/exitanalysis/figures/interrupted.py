"""Figures of the interrupted time series: one channel's months against the counterfactual,
and the level change of every channel in each interruption."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import pandas as pd

from ..text import Language, label, number
from .style import ALERT, GREY, finish, new_axes, period_label, ratio_intervals, set_alt_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.interrupted import ChannelInterruptions, InterruptedTimeSeries

_OBSERVED = "#0072B2"


def _day(month: object) -> float:
    return float(mdates.date2num(pd.Period(str(month), freq="M").to_timestamp()))


def plot_interrupted(fit: InterruptedTimeSeries, ax: Axes | None = None, *,
                     language: Language = "en", synthetic: bool = False) -> Axes:
    """Monthly counts (dots), the fitted model (line) and the counterfactual without the
    interruptions (dashed), with each interruption shaded."""
    ax = new_axes(ax)
    series = fit.fitted()
    x = [_day(m) for m in series["month"]]
    for period in fit.interruptions:
        ax.axvspan(_day(period.start), _day(period.end) + 28, color=GREY, alpha=0.18, lw=0,
                   label=label("interruption_span", language)
                   if period is fit.interruptions[0] else None)
    ax.plot(x, series["observed"], "o", color=_OBSERVED, ms=4, label=label("observed", language))
    ax.plot(x, series["fitted"], color=_OBSERVED, lw=1.5, label=label("its_fitted", language))
    ax.plot(x, series["counterfactual"], color=ALERT, lw=1.2, ls="--",
            label=label("its_counterfactual", language))
    ax.xaxis_date()
    ax.set_ylim(bottom=0)
    effects = fit.to_frame()
    levels = effects[effects["effect"] == "level"]
    set_alt_text(ax.figure, label("alt_interrupted", language, changes="; ".join(
        f"{period_label(str(r.interruption), language)}: {number(r.rate_ratio, language, 2)} "
        f"({number(r.low, language, 2)}–{number(r.high, language, 2)})"
        for r in levels.itertuples(index=False))))
    return finish(ax, title=label("title_interrupted", language),
                  xlabel=label("date", language), ylabel=label("count_per_month", language),
                  legend=True, synthetic=synthetic, language=language)


def plot_interrupted_channels(channels: ChannelInterruptions, ax: Axes | None = None, *,
                              language: Language = "en", synthetic: bool = False) -> Axes:
    """Each channel's level rate ratio in each interruption with its interval, on a log
    scale: below 1 the channel fell, above 1 it rose."""
    table = channels.to_frame()
    table = table[table["effect"] == "level"].reset_index(drop=True)
    ax = new_axes(ax, size=(8.0, 1.2 + 0.45 * max(len(table), 1)))
    names = [f"{label(str(r.channel), language)}, {period_label(str(r.interruption), language)}"
             for r in table.itertuples(index=False)]
    ratio_intervals(ax, table, names, language)
    set_alt_text(ax.figure, label("alt_interrupted_channels", language, changes="; ".join(
        f"{name} {number(r.rate_ratio, language, 2)} ({number(r.low, language, 2)}–"
        f"{number(r.high, language, 2)})"
        for name, r in zip(names, table.itertuples(index=False), strict=True))))
    return finish(ax, title=label("title_interrupted_channels", language),
                  xlabel=label("rate_ratio_level", language), synthetic=synthetic,
                  language=language)


__all__ = ["plot_interrupted", "plot_interrupted_channels"]
