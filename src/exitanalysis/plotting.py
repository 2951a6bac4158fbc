"""All of exitanalysis's figures.

Each function takes a result or a tidy frame and ``ax=None``, draws on the given axes (or a
new figure), and returns the axes. Nothing here calls ``plt.show()`` or ``matplotlib.use()``.
Figures built from synthetic data carry a visible mark (:func:`mark_synthetic`), so a figure
copied out of a report still says what it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .shortfall import date_at, prior_label
from .text import Language, label, number, percent
from .text import date as text_date
from .text import month as month_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .disclosure import SuppressedTable
    from .overview import DataOverview
    from .recruitment import PartnerRates, RecruitmentForecast
    from .shortfall import EarlyWarning, ModelComparison, ShortfallAssessment

#: One palette everywhere (colour-blind safe); categories keep their colour across figures.
PALETTE: tuple[str, ...] = tuple(sns.color_palette("colorblind", 10).as_hex())
SYNTHETIC_GID = "exitanalysis-synthetic-mark"

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


def colours(categories: Sequence[str]) -> dict[str, str]:
    """A fixed colour per category, in the order given."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(categories)}


def _axes(ax: Axes | None, size: tuple[float, float] = (9.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    with plt.rc_context(STYLE):
        _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def mark_synthetic(fig: Figure, language: Language = "en") -> None:
    """Stamp a figure as synthetic (idempotent): red text above the plot, right-aligned.

    The mark is the figure's super-title when it has none, so constrained layout keeps room
    for it and it never covers the axes' own title.
    """
    if is_marked_synthetic(fig):
        return
    style: dict[str, Any] = {"fontsize": 9, "color": "#b2182b", "fontweight": "bold",
                             "gid": SYNTHETIC_GID}
    if not fig.get_suptitle():
        fig.suptitle(label("synthetic_mark", language), x=0.99, ha="right", **style)
    else:
        fig.text(0.01, 0.99, label("synthetic_mark", language), ha="left", va="top", **style)


_ALT = "_exitanalysis_alt_text"


def set_alt_text(fig: Any, text: str) -> None:
    """Attach the description a screen reader gets for ``fig`` (read by show_figure)."""
    setattr(fig, _ALT, text)


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


def plot_contacts_by_month(
    frame: pd.DataFrame,
    by: str = "organisation",
    *,
    ax: Axes | None = None,
    names: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    language: Language = "en",
    synthetic: bool = False,
    suppressed: SuppressedTable | None = None,
) -> Axes:
    """Stacked bars of persons first contacted per month (or quarter), split by ``by``.

    Parameters
    ----------
    frame
        Tidy: ``month`` (``YYYY-MM``), the ``by`` column, ``contacted``.
    by
        ``organisation``, ``contact_channel`` or ``sales_channel``.
    names
        Display names of the categories (default: the report words of :mod:`.text`).
    order
        Category order (default: by total, largest first).
    suppressed
        For a public report: quarter × category counts after disclosure control; bars show
        the published cells and a grey segment for what is suppressed in each quarter.
    """
    ax = _axes(ax)
    if suppressed is not None:
        inner = suppressed.counts.iloc[:-1, :-1]
        wide = suppressed.published().iloc[:-1, :-1].fillna(0.0)
        hidden_total = (suppressed.counts.iloc[:-1, -1]
                        - wide.sum(axis=1)).where(~suppressed.suppressed.iloc[:-1, -1], 0.0)
        columns = list(inner.columns)
    else:
        wide = frame.pivot_table(index="month", columns=by, values="contacted", aggfunc="sum",
                                 fill_value=0, observed=False)
        wide = wide.loc[:, wide.sum() > 0]
        hidden_total = None
        columns = list(wide.columns)
    categories = list(order) if order is not None else list(
        wide.sum().sort_values(ascending=False, kind="stable").index
    )
    categories = [c for c in categories if c in columns]
    palette = colours(categories)
    x = np.arange(len(wide.index))
    bottom = np.zeros(len(wide.index))
    for category in categories:
        values = wide[category].to_numpy(dtype=float)
        shown = (names or {}).get(category) or label(str(category), language)
        ax.bar(x, values, bottom=bottom, width=0.85, color=palette[category], label=shown)
        bottom += values
    if suppressed is not None and hidden_total is not None:
        ax.bar(x, hidden_total.to_numpy(dtype=float), bottom=bottom, width=0.85,
               color="#d9d9d9", hatch="///", edgecolor="#969696", lw=0,
               label=label("suppressed_segment", language, k=suppressed.min_cell))
        # A period whose total is itself suppressed: say so rather than draw an empty bar.
        symbol = label("suppressed_symbol", language)
        for position, hidden in enumerate(suppressed.suppressed.iloc[:-1, -1]):
            if hidden:
                ax.annotate(symbol, xy=(position, 0), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=9, color="#636363")
    period_labels = [str(p) for p in wide.index]
    if suppressed is not None:
        ticks = [i for i, p in enumerate(period_labels) if p.endswith("Q1")]
    else:
        ticks = [i for i, p in enumerate(period_labels) if p.endswith(("-01", "-07"))]
    ax.set_xticks(ticks, [period_labels[i] for i in ticks], rotation=45, ha="right")
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.legend(title=label(by, language), loc="upper left", bbox_to_anchor=(1.0, 1.0))
    totals = ", ".join(
        f"{(names or {}).get(c) or label(str(c), language)} {number(wide[c].sum(), language)}"
        for c in categories)
    set_alt_text(ax.figure, label("alt_contacts", language, first=period_labels[0],
                                  last=period_labels[-1], by=label(by, language).lower(),
                                  totals=totals))
    public = suppressed is not None
    return _finish(
        ax,
        title=label("title_contacts_by_quarter" if public else "title_contacts_by", language,
                    by=label(by, language).lower()),
        xlabel=label("quarter" if public else "month", language),
        ylabel=label("persons_per_quarter" if public else "persons_first_contacted", language),
        synthetic=synthetic, language=language)


def plot_table_coverage(
    frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    synthetic: bool = False,
    public: bool = False,
) -> Axes:
    """Heat map of rows per quarter for each input table (public: persons per year).

    Parameters
    ----------
    frame
        Tidy: ``table``, ``quarter`` (``YYYYQn``, or a year), ``rows`` (missing where
        suppressed).
    """
    ax = _axes(ax, size=(9.0, 0.6 * max(frame["table"].nunique(), 2) + 1.6))
    wide = frame.pivot_table(index="table", columns="quarter", values="rows", aggfunc="sum",
                             sort=False, dropna=False)
    if not public:
        wide = wide.fillna(0)
    wide.index = [label(str(t), language) for t in wide.index]
    sns.heatmap(wide, ax=ax, cmap="Blues", annot=True, fmt=".0f", cbar=False,
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": 7})
    ax.grid(False)
    set_alt_text(ax.figure, label("alt_coverage", language, tables=", ".join(wide.index),
                                  first=str(wide.columns[0]), last=str(wide.columns[-1])))
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    return _finish(ax, title=label("title_coverage_public" if public else "title_coverage",
                                   language),
                   xlabel=label("year" if public else "quarter", language),
                   ylabel=label("table", language), synthetic=synthetic, language=language)


def plot_overview(overview: DataOverview, by: str = "organisation", ax: Axes | None = None) -> Axes:
    """The overview's first contacts by month (by quarter, suppressed, when public)."""
    order = list(overview.organisation_names) if by == "organisation" else None
    return plot_contacts_by_month(
        overview.contacts,
        by=by,
        ax=ax,
        names=overview.organisation_names if by == "organisation" else None,
        order=order,
        language=overview.language,
        synthetic=overview.synthetic,
        suppressed=overview.safe_counts(by) if overview.public else None,
    )


# --- recruitment ----------------------------------------------------------------------------

_BAND = "#9ecae1"
_BAND_DARK = "#4292c6"
_OBSERVED = "#08306b"
_TARGET = "#b2182b"
_GREY = "#737373"


def prior_colours(priors: Sequence[str]) -> dict[str, str]:
    """Numeric prior weights from light to dark blue; hedging and accelerated stand apart."""
    numeric = [p for p in priors if p.startswith("P = ")]
    ramp = sns.color_palette("Blues", len(numeric) + 2).as_hex()[2:]
    out = dict(zip(numeric, ramp, strict=True))
    out.update({"hedging": "#7b3294", "accelerated": "#a6611a"})
    return {p: out.get(p, _GREY) for p in priors}


def _dates(start: dt.date, months: np.ndarray | Sequence[float] | pd.Series) -> np.ndarray:
    """Months since ``start`` as matplotlib date numbers."""
    return np.asarray(mdates.date2num([date_at(start, float(m)) for m in months]))





def _day(when: dt.date) -> float:
    return float(mdates.date2num(when))


def _closure_span(ax: Axes, closure: Any, language: Language) -> None:
    if closure is None:
        return
    ax.axvspan(_day(closure.earliest), _day(closure.latest), color=_GREY, alpha=0.12, lw=0,
               label=f"{label('closed_span', language)} ({closure.earliest:%Y-%m} – "
                     f"{closure.latest:%Y-%m})")


def _finish(ax: Axes, *, title: str, xlabel: str | None = None, ylabel: str | None = None,
            legend: Any = None, synthetic: bool = False,
            language: Language = "en") -> Axes:
    """Title, axis labels, legend and the synthetic mark: the last steps of every figure."""
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    if legend is not None:
        ax.legend(loc=legend, fontsize=8)
    if synthetic:
        mark_synthetic(ax.figure, language)  # type: ignore[arg-type]
    return ax


def plot_forecast_fan(forecast: RecruitmentForecast, ax: Axes | None = None) -> Axes:
    """Fan chart of a bare forecast (time units, no calendar): bands, median, target."""
    ax = _axes(ax)
    bands = forecast.to_frame(step=max((forecast.horizon - forecast.elapsed) / 48, 1e-9))
    ax.fill_between(bands["time"], bands["q025"], bands["q975"], color=_BAND, lw=0,
                    label="95 %")
    ax.fill_between(bands["time"], bands["q25"], bands["q75"], color=_BAND_DARK, lw=0,
                    alpha=0.6, label="50 %")
    ax.plot(bands["time"], bands["q50"], color=_OBSERVED, lw=1.5, label="median")
    ax.plot([0, forecast.elapsed], [0, forecast.recruited], color=_OBSERVED, lw=2, ls="--")
    ax.axhline(forecast.target, color=_TARGET, ls="--", lw=1, label="target")
    ax.set_xlabel("Time")
    ax.set_ylabel("Count (cumulative)")
    ax.set_title("Recruitment forecast")
    ax.legend(loc="upper left")
    return ax


def plot_shortfall_fan(assessment: ShortfallAssessment, ax: Axes | None = None,
                       language: Language = "en") -> Axes:
    """Observed cumulative recruitment, the target, and predictive bands to the end."""
    ax = _axes(ax)
    history = assessment.history
    monthly = history.shown_months()
    start = assessment.start
    observed_x = np.concatenate([[_day(start)], _dates(start, monthly["elapsed"])])
    observed_y = np.concatenate([[0], monthly["cumulative"].to_numpy()])
    if history.assumed_steady:
        ax.plot(observed_x, observed_y, color=_OBSERVED, lw=1.5, ls="--",
                label=label("steady_assumed", language))
        ax.plot([observed_x[-1]], [observed_y[-1]], "o", color=_OBSERVED, ms=7,
                label=f"{label('published_figure', language)}: {observed_y[-1]} "
                      f"({mdates.num2date(observed_x[-1]):%Y-%m-%d})")
    else:
        ax.step(observed_x, observed_y, where="post", color=_OBSERVED, lw=2,
                label=label("observed", language))
    bands = assessment.forecast.to_frame(step=1.0)
    offset = history.elapsed - history.effective_elapsed
    x = _dates(start, bands["time"] + offset)
    ax.fill_between(x, bands["q025"], bands["q975"], color=_BAND, lw=0,
                    label=label("band_95", language))
    ax.fill_between(x, bands["q25"], bands["q75"], color=_BAND_DARK, lw=0, alpha=0.6,
                    label=label("band_50", language))
    ax.plot(x, bands["q50"], color=_OBSERVED, lw=1, label=label("forecast_median", language))
    end = assessment.end
    ax.plot([_day(start), _day(end)], [0, assessment.target], color=_GREY, ls=":", lw=1.2,
            label=label("plan_line", language))
    ax.axhline(assessment.target, color=_TARGET, ls="--", lw=1,
               label=f"{label('target_line', language)}: {assessment.target}")
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
    return _finish(ax, title=label("title_fan", language), xlabel=label("date", language),
                   ylabel=label(f"cumulative_{history.measure}", language), legend="upper left",
                   synthetic=history.synthetic, language=language)


def plot_replay(warning: EarlyWarning, ax: Axes | None = None, language: Language = "en") -> Axes:
    """P(reach target) month by month for each prior, the threshold and the first warning."""

    ax = _axes(ax)
    replay = warning.replay
    start = warning.start
    priors = list(dict.fromkeys(replay["prior"]))
    palette = prior_colours(priors)
    main = prior_label(warning.prior)
    for prior in priors:
        part = replay[replay["prior"] == prior]
        ax.plot(_dates(start, part["elapsed"]), part["p_reach"], color=palette[prior],
                lw=2.2 if prior == main else 1.1, alpha=1.0 if prior == main else 0.8,
                label=prior_label(prior, language))
    pace = replay.drop_duplicates("month")
    ax.plot(_dates(start, pace["elapsed"]), pace["pace_ratio"].clip(upper=1.0), color=_GREY,
            ls="--", lw=1, label=label("pace_ratio", language))
    ax.axhline(warning.threshold, color=_TARGET, ls=":", lw=1.2,
               label=f"{label('warning_threshold', language)} ({warning.threshold:.0%})")
    if warning.first_warning is not None:
        when = _day(pd.Period(warning.first_warning, "M").end_time.date())
        ax.axvline(when, color=_TARGET, lw=1.2)
        ax.annotate(f"{label('first_warning', language)}: {warning.first_warning}",
                    xy=(when, 0.9), xytext=(6, 0), textcoords="offset points", color=_TARGET,
                    fontsize=9)
    for rule in warning.pace_rules.itertuples(index=False):
        if rule.fired is None:
            continue
        when = _day(pd.Period(rule.month, "M").end_time.date())
        ax.plot([when], [rule.limit], marker="v", color=_TARGET if rule.fired else _GREY,
                ms=8, ls="none")
        ax.annotate(f"{label('pace_rule', language)} {rule.limit:.0%}", xy=(when, rule.limit),
                    xytext=(5, 4), textcoords="offset points", fontsize=8, color=_GREY)
    _closure_span(ax, warning.closure, language)
    ax.xaxis_date()
    ax.set_ylim(-0.02, 1.02)
    set_alt_text(ax.figure, label(
        "alt_replay", language, priors=", ".join(prior_label(p, language) for p in priors),
        threshold=percent(warning.threshold, language),
        first=month_text(warning.first_warning, language) if warning.first_warning
        else label("none_yet", language)))
    return _finish(ax, title=label("title_replay", language), xlabel=label("date", language),
                   ylabel=label("probability", language), legend="upper right",
                   synthetic=warning.history.synthetic, language=language)


def plot_partner_rates(partners: PartnerRates, ax: Axes | None = None,
                       names: Mapping[str, str] | None = None, planned: float | None = None,
                       language: Language = "en", synthetic: bool = False,
                       hidden: set[str] | frozenset[str] = frozenset()) -> Axes:
    """Each partner's rate with its 95 % interval, the observed rate and the planned share.

    ``hidden`` partners (small counts in a public report) are left out of the figure.
    """
    ax = _axes(ax, size=(8.0, 1.0 + 0.7 * len(partners.table)))
    table = partners.table[~partners.table["partner"].isin(hidden)]
    table = table.sort_values("rate", kind="stable")
    y = np.arange(len(table))
    shown = [(names or {}).get(p, p) for p in table["partner"]]
    ax.errorbar(table["rate"], y, xerr=[table["rate"] - table["rate_low"],
                                        table["rate_high"] - table["rate"]],
                fmt="o", color=_OBSERVED, capsize=4, label=label("partner_rate", language))
    ax.plot(table["observed_rate"], y, "x", color=_GREY, label=label("observed_rate", language))
    if planned is not None:
        ax.axvline(planned, color=_TARGET, ls="--", lw=1,
                   label=f"{label('planned_share', language)} ({planned:.1f})")
    ax.set_yticks(y, shown)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlim(left=0)
    set_alt_text(ax.figure, label("alt_partners", language, rates="; ".join(
        f"{name} {number(r.rate, language, 2)} ({number(r.rate_low, language, 2)}–"
        f"{number(r.rate_high, language, 2)})"
        for name, r in zip(shown, table.itertuples(index=False), strict=True))))
    return _finish(ax, title=label("title_partners", language),
                   xlabel=label("rate_per_month", language),
                   ylabel=label("organisation", language), legend="lower right",
                   synthetic=synthetic, language=language)


def plot_model_comparison(comparison: ModelComparison, ax: Axes | None = None,
                          language: Language = "en") -> Axes:
    """The final count's 50 % and 95 % predictive intervals under both models."""
    ax = _axes(ax, size=(8.0, 2.6))
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
    ax.axvline(target, color=_TARGET, ls="--", lw=1, label=f"{label('target_line', language)}: "
                                                            f"{target}")
    ax.set_yticks(range(len(forecasts)), [label(f"model_{f.model}", language) for f in forecasts])
    ax.set_ylim(-0.6, len(forecasts) - 0.4)
    ax.set_xlim(left=0)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    set_alt_text(ax.figure, label("alt_models", language, n=number(target, language),
                                  intervals="; ".join(
        f"{label(f.model, language)} {number(q[0], language)}–{number(q[1], language)}"
        for f, q in ((f, f.count_quantiles((0.025, 0.975))) for f in forecasts))))
    return _finish(ax, title=label("title_models", language),
                   xlabel=label("final_count", language), legend="lower right",
                   synthetic=comparison.history.synthetic, language=language)


def plot_required_rate(assessment: ShortfallAssessment, ax: Axes | None = None,
                       language: Language = "en") -> Axes:
    """Planned, observed and required persons per month."""
    ax = _axes(ax, size=(7.0, 3.2))
    need = assessment.what_it_would_take()
    keys = ["planned_rate", "observed_rate", "required_rate"]
    values = [need[k] or 0.0 for k in keys]
    names = [label("planned_rate", language), label("observed_rate_bar", language),
             label("required_rate", language)]
    bars = ax.bar(names, values, color=[_GREY, _OBSERVED, _TARGET], width=0.6)
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(number(value, language, 1), xy=(bar.get_x() + bar.get_width() / 2, value),
                    xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    set_alt_text(ax.figure, label("alt_required", language,
                                  planned=number(values[0], language, 1),
                                  observed=number(values[1], language, 1),
                                  required=number(values[2], language, 1)))
    return _finish(ax, title=label("title_required", language),
                   ylabel=label("rate_per_month", language),
                   synthetic=assessment.history.synthetic, language=language)


def plot_unavailable(reason: str, ax: Axes | None = None) -> Axes:
    """An empty panel that says why there is no figure."""
    ax = _axes(ax, size=(7.0, 1.6))
    ax.text(0.5, 0.5, f"Not available: {reason}", ha="center", va="center",
            transform=ax.transAxes, color=_GREY)
    ax.set_axis_off()
    return ax
