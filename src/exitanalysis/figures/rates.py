"""The figure of contact rate ratios: each channel (and period) against the reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text import Language, label, number
from .style import finish, new_axes, period_label, ratio_intervals, set_alt_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.rates import ChannelRates



def plot_rate_ratios(rates: ChannelRates, ax: Axes | None = None, *,
                     language: Language = "en", synthetic: bool = False) -> Axes:
    """Dots and bars: each term's rate ratio with its interval, on a log scale around the
    reference's 1; terms without a ratio (all zeros) are left out."""
    table = rates.to_frame()
    table = table[table["rate_ratio"].notna()].reset_index(drop=True)
    ax = new_axes(ax, size=(8.0, 1.2 + 0.45 * max(len(table), 1)))
    names = [period_label(str(t), language) if kind == "period" else label(str(t), language)
             for t, kind in zip(table["term"], table["kind"], strict=True)]
    ratio_intervals(ax, table, names, language)
    set_alt_text(ax.figure, label("alt_rate_ratios", language,
                                  reference=label(rates.reference, language), ratios="; ".join(
        f"{name} {number(r.rate_ratio, language, 2)}"
        for name, r in zip(names, table.itertuples(index=False), strict=True))))
    return finish(ax, title=label("title_rate_ratios", language,
                                  reference=label(rates.reference, language)),
                  xlabel=label("rate_ratio_axis", language), synthetic=synthetic,
                  language=language)


__all__ = ["plot_rate_ratios"]
