"""The figure of reach: the share of persons reached who sell in each arena, against the
population's share where one is given."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..text import Language, label
from .style import GREY, finish, new_axes, set_alt_text, share_axis, shares_in_words

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.reach import Reach

_REACHED = "#0072B2"


def plot_reach(reach: Reach, ax: Axes | None = None, *, language: Language = "en",
               synthetic: bool = False) -> Axes:
    """Dots and bars: the share reached with its 95 % interval; grey bands: the population's
    share as a range (published or assumed, see the caption)."""
    table = reach.table
    ax = new_axes(ax, size=(8.0, 1.2 + 0.5 * len(table)))
    y = np.arange(len(table))[::-1]
    band_label: str | None = label("population_share", language)  # on the first band only
    for position, row in zip(y, table.itertuples(index=False), strict=True):
        if not np.isnan(row.population_low):
            ax.fill_betweenx([position - 0.3, position + 0.3], row.population_low,
                             row.population_high, color=GREY, alpha=0.3, lw=0, label=band_label)
            band_label = None
        ax.plot([row.low, row.high], [position, position], color=_REACHED, lw=2)
        ax.plot([row.share], [position], "o", color=_REACHED, ms=7,
                label=label("reached_share", language) if position == y[0] else None)
    shown = [label(str(c), language) for c in table["category"]]
    share_axis(ax, y, shown, language)
    set_alt_text(ax.figure, label("alt_reach", language, shares=shares_in_words(
        shown, table["share"], table["low"], table["high"], language)))
    return finish(ax, title=label("title_reach", language),
                  xlabel=label("share_of_persons_reached", language), legend=True,
                  synthetic=synthetic, language=language)


__all__ = ["plot_reach"]
