"""Figures of the data-overview report: first contacts over time, and table coverage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import seaborn as sns

from ..data.validation import CONTACT_CHANNELS, SALES_CHANNELS
from ..text import Language, label, number
from .style import colours, finish, new_axes, period_label, place_legend, set_alt_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..assess.overview import DataOverview
    from ..models.disclosure import SuppressedTable

#: Every key a channel can take, in the schema's order: what fixes each channel's colour.
_CHANNELS = {"contact_channel": CONTACT_CHANNELS, "sales_channel": SALES_CHANNELS}


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
        Display names of the categories (default: the report words of :mod:`exitanalysis.text`);
        for organisations, every one of the config in its order, which fixes their colours.
    order
        Category order (default: by total, largest first).
    suppressed
        For a public report: quarter × category counts after disclosure control; bars show
        the published cells and a grey segment for what is suppressed in each quarter.
    """
    ax = new_axes(ax)
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
    # Colours follow the full list of keys, not the categories present, so a category has
    # the same colour in the internal and public reports and in both languages.
    palette = colours(categories, _CHANNELS.get(by, list(names or order or ())))
    x = np.arange(len(wide.index))
    bottom = np.zeros(len(wide.index))
    for category in categories:
        values = wide[category].to_numpy(dtype=float)
        if suppressed is not None and not values.any():
            continue  # nothing of it is shown: no legend entry for a colour never drawn
        shown = (names or {}).get(category) or label(str(category), language)
        ax.bar(x, values, bottom=bottom, width=0.85, color=palette[category], label=shown)
        bottom += values
    if suppressed is not None and hidden_total is not None:
        ax.bar(x, hidden_total.to_numpy(dtype=float), bottom=bottom, width=0.85,
               color="#d9d9d9", hatch="///", edgecolor="#969696", lw=0,
               label=label("suppressed_segment", language,
                           symbol=label("suppressed_symbol", language)))
        # A period whose total is itself suppressed: say so rather than draw an empty bar.
        symbol = label("suppressed_symbol", language)
        for position, hidden in enumerate(suppressed.suppressed.iloc[:-1, -1]):
            if hidden:
                ax.annotate(symbol, xy=(position, 0), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=9, color="#636363")
    periods = [str(p) for p in wide.index]
    # Public charts are by quarter, half-year or year, whichever hides little (the release
    # chooses): every period labelled when few, else the first of each year.
    period = ("month" if suppressed is None else "quarter" if "Q" in periods[0]
              else "half_year" if "H" in periods[0] else "year")
    if period == "month":
        ticks = [i for i, p in enumerate(periods) if p.endswith(("-01", "-07"))]
    elif len(periods) <= 8:
        ticks = list(range(len(periods)))
    else:
        ticks = [i for i, p in enumerate(periods) if p.endswith(("Q1", "H1"))]
    ax.set_xticks(ticks, [period_label(periods[i], language) for i in ticks], rotation=45,
                  ha="right")
    ax.set_xlim(-0.6, len(x) - 0.4)
    place_legend(ax, title=label(by, language))
    public = suppressed is not None
    if suppressed is not None:
        # The published category totals: a hidden one is not a zero.
        symbol = label("suppressed_symbol", language)
        margin = suppressed.published().iloc[-1]
        in_all = {c: (number(margin[c], language) if pd.notna(margin[c]) else symbol)
                  for c in categories}
    else:
        in_all = {c: number(wide[c].sum(), language) for c in categories}
    totals = ", ".join(f"{(names or {}).get(c) or label(str(c), language)} {in_all[c]}"
                       for c in categories)
    set_alt_text(ax.figure, label("alt_contacts_public" if public else "alt_contacts", language,
                                  period=label(f"each_{period}", language),
                                  first=period_label(periods[0], language),
                                  last=period_label(periods[-1], language),
                                  by=label(by, language).lower(), totals=totals,
                                  symbol=label("suppressed_symbol", language)))
    return finish(
        ax,
        title=label("title_contacts_by_period" if public else "title_contacts_by", language,
                    by=label(by, language).lower(), period=label(f"each_{period}", language)),
        xlabel=label(period, language),
        ylabel=label(f"persons_per_{period}" if public else "persons_first_contacted",
                     language),
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
    ax = new_axes(ax, size=(9.0, 0.6 * max(frame["table"].nunique(), 2) + 1.6))
    wide = frame.pivot_table(index="table", columns="quarter", values="rows", aggfunc="sum",
                             sort=False, dropna=False)
    if not public:
        wide = wide.fillna(0)
    wide.index = [label(str(t), language) for t in wide.index]
    wide.columns = [period_label(str(p), language) for p in wide.columns]
    # Counts written as the reader writes them (1.234 in Danish); seaborn leaves the cells
    # that are missing (suppressed) blank.
    cells = wide.map(lambda count: number(count, language)).to_numpy()
    sns.heatmap(wide, ax=ax, cmap="Blues", annot=cells, fmt="", cbar=False,
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": 9})
    ax.grid(False)
    set_alt_text(ax.figure, label("alt_coverage_public" if public else "alt_coverage",
                                  language, tables=", ".join(wide.index),
                                  first=wide.columns[0], last=wide.columns[-1]))
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    return finish(ax, title=label("title_coverage_public" if public else "title_coverage",
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


__all__ = ["plot_contacts_by_month", "plot_overview", "plot_table_coverage"]
