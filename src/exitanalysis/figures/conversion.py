"""The figure of conversion by category: each share included with its Wilson interval."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..text import Language, label
from .style import GREY, finish, new_axes, set_alt_text, share_axis, shares_in_words

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.conversion import Conversion

_SHOWN = "#0072B2"


def plot_conversion(conversion: Conversion, ax: Axes | None = None, *,
                    names: Mapping[str, str] | None = None, language: Language = "en",
                    synthetic: bool = False) -> Axes:
    """Dots: the share of persons contacted who were included, by category; bars: its 95 %
    Wilson interval. Categories with too few persons to tell are grey."""
    table = conversion.table
    ax = new_axes(ax, size=(8.0, 1.2 + 0.45 * len(table)))
    y = np.arange(len(table))[::-1]
    for position, row in zip(y, table.itertuples(index=False), strict=True):
        colour = _SHOWN if row.enough else GREY
        ax.plot([row.share_low, row.share_high], [position, position], color=colour, lw=2)
        ax.plot([row.share], [position], "o", color=colour, ms=7)
    shown = [(names or {}).get(c) or label(str(c), language) for c in table["category"]]
    share_axis(ax, y, shown, language)
    set_alt_text(ax.figure, label("alt_conversion", language, shares=shares_in_words(
        shown, table["share"], table["share_low"], table["share_high"], language)))
    return finish(ax, title=label("title_conversion", language, by=label(conversion.by,
                                                                          language).lower()),
                  xlabel=label("share_included", language), synthetic=synthetic,
                  language=language)


__all__ = ["plot_conversion"]
