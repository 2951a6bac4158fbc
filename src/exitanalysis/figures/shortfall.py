"""Figures of the recruitment-shortfall report: the fan chart, the early-warning replay, the
partners' rates, the two models' intervals and what it would take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from ..models.history import date_at
from ..text import Language, label, month_of, number, percent
from ..text import date as text_date
from ..text import month as month_text
from .style import ALERT, GREY, finish, new_axes, set_alt_text, short_month

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..assess.shortfall import ModelComparison, ShortfallAssessment
    from ..models.monitoring import EarlyWarning
    from ..models.partners import PartnerRates
    from ..models.recruitment import RecruitmentForecast

_BAND = "#9ecae1"
_BAND_DARK = "#4292c6"
_OBSERVED = "#08306b"


def _dates(start: dt.date, months: np.ndarray | Sequence[float] | pd.Series) -> np.ndarray:
    """Months since ``start`` as matplotlib date numbers."""
    return np.asarray(mdates.date2num([date_at(start, float(m)) for m in months]))


def _day(when: dt.date) -> float:
    return float(mdates.date2num(when))


def _closure_label(earliest: dt.date, latest: dt.date, language: Language) -> str:
    """What the closure mark says: ``closed at an unknown date in 2023 (Jan–Dec)``."""
    if earliest == latest:
        return label("closed_on", language, date=text_date(earliest, language))
    if earliest.year == latest.year:
        return label("closed_unknown_in_year", language, year=earliest.year,
                     first=short_month(earliest, language, year=False),
                     last=short_month(latest, language, year=False))
    return label("closed_unknown_between", language, first=short_month(earliest, language),
                 last=short_month(latest, language))


def _closure_span(ax: Axes, closure: Any, language: Language) -> None:
    """Mark when the programme closed.

    The config gives only a range (the year): a light hatched band over it, which reads as
    "some time in here", where a solid block read as "closed all of that time".
    """
    if closure is None:
        return
    text = _closure_label(closure.earliest, closure.latest, language)
    if closure.earliest == closure.latest:
        ax.axvline(_day(closure.earliest), color=GREY, lw=1.2, label=text)
        return
    ax.axvspan(_day(closure.earliest), _day(closure.latest), facecolor="none",
               edgecolor=GREY, hatch="//", lw=0, alpha=0.35, label=text)


def plot_forecast_fan(forecast: RecruitmentForecast, ax: Axes | None = None,
                      language: Language = "en") -> Axes:
    """Fan chart of a bare forecast (time units, no calendar): bands, median, target."""
    ax = new_axes(ax)
    bands = forecast.to_frame(step=max((forecast.horizon - forecast.elapsed) / 48, 1e-9))
    ax.fill_between(bands["time"], bands["q025"], bands["q975"], color=_BAND, lw=0,
                    label=label("band_95", language))
    ax.fill_between(bands["time"], bands["q25"], bands["q75"], color=_BAND_DARK, lw=0,
                    alpha=0.6, label=label("band_50", language))
    ax.plot(bands["time"], bands["q50"], color=_OBSERVED, lw=1.5,
            label=label("forecast_median", language))
    ax.plot([0, forecast.elapsed], [0, forecast.recruited], color=_OBSERVED, lw=2, ls="--")
    ax.axhline(forecast.target, color=ALERT, ls="--", lw=1,
               label=f"{label('target_line', language)}: {number(forecast.target, language)}")
    return finish(ax, title=label("title_forecast", language),
                  xlabel=label("time_units", language),
                  ylabel=label("count_cumulative", language), legend=True, language=language)


def plot_shortfall_fan(assessment: ShortfallAssessment, ax: Axes | None = None,
                       language: Language = "en") -> Axes:
    """Observed cumulative recruitment, the target, and predictive bands to the end."""
    ax = new_axes(ax)
    history = assessment.history
    monthly = history.shown_months()
    start = assessment.start
    observed_x = np.concatenate([[_day(start)], _dates(start, monthly["elapsed"])])
    observed_y = np.concatenate([[0], monthly["cumulative"].to_numpy()])
    if history.snapshot:
        # Only the start (nobody yet) and the published figures are known: no line joins them.
        ax.plot(observed_x, observed_y, "o", color=_OBSERVED, ms=7,
                label=label("published_points", language))
        when = mdates.num2date(observed_x[-1]).date()
        # "about January 2022" when the source gives no exact date
        said = (month_of(when, language, approximate=True)
                if history.basis[1].get("approximate") else text_date(when, language))
        ax.annotate(f"{label('published_figure', language)}: "
                    f"{number(observed_y[-1], language)} ({said})",
                    xy=(observed_x[-1], observed_y[-1]), xytext=(-8, 8),
                    textcoords="offset points", ha="right", fontsize=8, color=_OBSERVED)
    else:
        ax.step(observed_x, observed_y, where="post", color=_OBSERVED, lw=2,
                label=label("observed", language))
    bands = assessment.forecast.to_frame(step=1.0)
    x = _dates(start, history.calendar_time(bands["time"].to_numpy()))
    ax.fill_between(x, bands["q025"], bands["q975"], color=_BAND, lw=0,
                    label=label("band_95", language))
    ax.fill_between(x, bands["q25"], bands["q75"], color=_BAND_DARK, lw=0, alpha=0.6,
                    label=label("band_50", language))
    ax.plot(x, bands["q50"], color=_OBSERVED, lw=1, label=label("forecast_median", language))
    end = assessment.end
    ax.plot([_day(start), _day(end)], [0, assessment.target], color=GREY, ls=":", lw=1.2,
            label=label("plan_line", language))
    ax.axhline(assessment.target, color=ALERT, ls="--", lw=1,
               label=f"{label('target_line', language)}: {number(assessment.target, language)}")
    _closure_span(ax, assessment.warning.closure, language)
    ax.set_xlim(_day(start), _day(end))
    ax.xaxis_date()
    ax.set_ylim(0, assessment.target * 1.08)
    final = assessment.forecast.to_dict()["final_count"]
    set_alt_text(ax.figure, label(
        "alt_fan", language, m=number(history.recruited, language),
        measure=label(history.measure, language),
        date=text_date(date_at(start, history.elapsed), language),
        end=text_date(end, language), median=number(final["q50"], language),
        low=number(final["q025"], language), high=number(final["q975"], language),
        n=number(assessment.target, language)))
    return finish(ax, title=label("title_fan", language), xlabel=label("date", language),
                   ylabel=label(f"cumulative_{history.measure}", language), legend=True,
                   synthetic=history.synthetic, language=language)


def plot_replay(warning: EarlyWarning, ax: Axes | None = None, language: Language = "en") -> Axes:
    """Recruitment at each review against the plan's expected count and the warning
    boundary, with the first warning and the pace rules marked.

    One quantity on the y axis, persons (cumulative): the warning boundary is a count (its
    false-alarm rate is named only in the legend), and each pace rule is a marker at the count
    its limit required at the review where it was checked.
    """
    ax = new_axes(ax)
    start = warning.start
    rule = warning.rule.boundaries
    x_rule = np.concatenate([[_day(start)], _dates(start, rule["elapsed"])])
    ax.plot(x_rule, np.concatenate([[0.0], rule["expected"]]), color=GREY, ls=":", lw=1.2,
            label=label("plan_expected", language))
    shown = rule["boundary"].to_numpy(dtype=float)
    shown[shown < 0] = np.nan  # no count can warn yet
    ax.step(x_rule, np.concatenate([[np.nan], shown]), where="post", color=ALERT, ls="--",
            lw=1.2, label=f"{label('warning_boundary', language)} "
                          f"({percent(warning.rule.false_alarm, language, 1)})")
    replay = warning.replay
    x = _dates(start, replay["elapsed"])
    if warning.history.snapshot:
        ax.plot(x, replay["recruited"], "o", color=_OBSERVED, ms=7,
                label=label("published_points", language))
    else:
        ax.step(np.concatenate([[_day(start)], x]),
                np.concatenate([[0], replay["recruited"]]), where="post", color=_OBSERVED,
                lw=2, label=label(f"cumulative_{warning.history.measure}", language))
    row = warning.first_warning_row()
    if row is not None:
        when = _dates(start, [float(row["elapsed"])])[0]
        ax.axvline(when, color=ALERT, lw=1.0)
        ax.annotate(f"{label('first_warning', language)}: "
                    f"{month_text(str(row['month']), language)}",
                    xy=(when, float(rule["expected"].max()) * 0.92), xytext=(6, 0),
                    textcoords="offset points", color=ALERT, fontsize=9)
    for pace_rule in warning.pace_rules.itertuples(index=False):
        if pace_rule.fired is None:
            continue
        at = replay[replay["month"] == pace_rule.month].iloc[0]
        level = pace_rule.limit * float(at["recruited"]) / float(pace_rule.pace_ratio)
        when = _dates(start, [float(at["elapsed"])])[0]
        ax.plot([when], [level], marker="v", color=ALERT if pace_rule.fired else GREY, ms=8,
                ls="none")
        ax.annotate(f"{label('pace_rule', language)} {percent(pace_rule.limit, language)}",
                    xy=(when, level), xytext=(5, 4), textcoords="offset points", fontsize=8,
                    color=GREY)
    _closure_span(ax, warning.closure, language)
    ax.xaxis_date()
    ax.set_ylim(bottom=0)
    set_alt_text(ax.figure, label(
        "alt_replay", language,
        first=month_text(warning.first_warning, language) if warning.first_warning
        else label("none_yet", language)))
    return finish(ax, title=label("title_replay", language), xlabel=label("date", language),
                  ylabel=label("persons_cumulative", language), legend=True,
                  synthetic=warning.history.synthetic, language=language)


def plot_partner_rates(partners: PartnerRates, ax: Axes | None = None,
                       names: Mapping[str, str] | None = None,
                       planned: Mapping[str, float] | None = None,
                       language: Language = "en", synthetic: bool = False,
                       hidden: set[str] | frozenset[str] = frozenset()) -> Axes:
    """Each partner's rate with its 95 % interval, the observed rate and, when the config
    gives each partner's planned share, its planned rate.

    ``hidden`` partners (small counts in a public report) are left out of the figure.
    """
    ax = new_axes(ax, size=(8.0, 1.0 + 0.7 * len(partners.table)))
    table = partners.table[~partners.table["partner"].isin(hidden)]
    table = table.sort_values("rate", kind="stable")
    y = np.arange(len(table))
    shown = [(names or {}).get(p, p) for p in table["partner"]]
    ax.errorbar(table["rate"], y, xerr=[table["rate"] - table["rate_low"],
                                        table["rate_high"] - table["rate"]],
                fmt="o", color=_OBSERVED, capsize=4, label=label("partner_rate", language))
    ax.plot(table["observed_rate"], y, "x", color=GREY, label=label("observed_rate", language))
    if planned:
        ax.plot([planned[p] for p in table["partner"]], y, "|", color=ALERT, ms=14, mew=2,
                label=label("planned_share", language))
    ax.set_yticks(y, shown)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlim(left=0)
    set_alt_text(ax.figure, label("alt_partners", language, rates="; ".join(
        f"{name} {number(r.rate, language, 1)} ({number(r.rate_low, language, 1)}–"
        f"{number(r.rate_high, language, 1)})"
        for name, r in zip(shown, table.itertuples(index=False), strict=True))))
    return finish(ax, title=label("title_partners", language),
                   xlabel=label("rate_per_month", language),
                   ylabel=label("organisation", language), legend=True,
                   synthetic=synthetic, language=language)


def plot_model_comparison(comparison: ModelComparison, ax: Axes | None = None,
                          language: Language = "en") -> Axes:
    """The final count's 50 % and 95 % predictive intervals under both models."""
    ax = new_axes(ax, size=(8.0, 2.6))
    forecasts = [comparison.poisson, comparison.overdispersed]
    for i, forecast in enumerate(forecasts):
        q = forecast.count_quantiles((0.025, 0.25, 0.5, 0.75, 0.975))
        ax.plot([q[0], q[4]], [i, i], color=_BAND, lw=8, solid_capstyle="butt",
                label=label("band_95", language) if i == 0 else None)
        ax.plot([q[1], q[3]], [i, i], color=_BAND_DARK, lw=8, solid_capstyle="butt",
                label=label("band_50", language) if i == 0 else None)
        ax.plot([q[2]], [i], "|", color=_OBSERVED, ms=16, mew=2,
                label=label("forecast_median", language) if i == 0 else None)
    target = comparison.poisson.target
    ax.axvline(target, color=ALERT, ls="--", lw=1,
               label=f"{label('target_line', language)}: {number(target, language)}")
    ax.set_yticks(range(len(forecasts)), [label(f"model_{f.model}", language) for f in forecasts])
    ax.set_ylim(-0.6, len(forecasts) - 0.4)
    ax.set_xlim(left=0)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    set_alt_text(ax.figure, label("alt_models", language, n=number(target, language),
                                  intervals="; ".join(
        f"{label(f.model, language)} {number(q[0], language)}–{number(q[1], language)}"
        for f, q in ((f, f.count_quantiles((0.025, 0.975))) for f in forecasts))))
    return finish(ax, title=label("title_models", language),
                   xlabel=label("final_count", language), legend=True,
                   synthetic=comparison.history.synthetic, language=language)


def plot_required_rate(assessment: ShortfallAssessment, ax: Axes | None = None,
                       language: Language = "en") -> Axes:
    """Planned, observed and required persons per month."""
    ax = new_axes(ax, size=(7.0, 3.2))
    need = assessment.what_it_would_take()
    keys = ["planned_rate", "observed_rate", "required_rate"]
    values = [need[k] or 0.0 for k in keys]
    names = [label("planned_rate", language), label("observed_rate_bar", language),
             label("required_rate", language)]
    bars = ax.bar(names, values, color=[GREY, _OBSERVED, ALERT], width=0.6)
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(number(value, language, 1), xy=(bar.get_x() + bar.get_width() / 2, value),
                    xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    set_alt_text(ax.figure, label("alt_required", language,
                                  planned=number(values[0], language, 1),
                                  observed=number(values[1], language, 1),
                                  required=number(values[2], language, 1)))
    return finish(ax, title=label("title_required", language),
                   ylabel=label("rate_per_month", language),
                   synthetic=assessment.history.synthetic, language=language)


__all__ = ["plot_forecast_fan", "plot_model_comparison", "plot_partner_rates", "plot_replay",
           "plot_required_rate", "plot_shortfall_fan"]
