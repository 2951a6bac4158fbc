"""The figure of a rate decomposition: each factor's effect as a bar, and the difference."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..text import Language, label, number
from .style import ALERT, GREY, finish, new_axes, set_alt_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.decomposition import RateDecomposition

_UP = "#0072B2"


def plot_decomposition(decomposition: RateDecomposition, ax: Axes | None = None, *,
                       names: dict[str, str] | None = None, language: Language = "en",
                       synthetic: bool = False, decimals: int = 1) -> Axes:
    """Horizontal bars: each factor's effect on R(b) − R(a), then the difference itself.

    ``names`` gives display names of the factors (default: the names as given).
    """
    frame = decomposition.to_frame()
    shown = [(names or {}).get(f, f) for f in frame["factor"]]
    ax = new_axes(ax, size=(8.0, 1.2 + 0.5 * (len(shown) + 1)))
    values = [*frame["effect"].to_numpy(dtype=float), decomposition.difference]
    y = np.arange(len(values))[::-1]
    colours = [_UP if v >= 0 else ALERT for v in values[:-1]] + [GREY]
    ax.barh(y, values, color=colours, height=0.6)
    for position, value in zip(y, values, strict=True):
        ax.annotate(number(value, language, decimals), xy=(value, position),
                    xytext=(4 if value >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if value >= 0 else "right", va="center", fontsize=9)
    total = label("decomposition_total", language)
    ax.set_yticks(y, [*shown, total])
    ax.axvline(0, color=GREY, lw=0.8)
    ax.margins(x=0.18)  # room for the numbers at the bars' ends, clear of the names
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    set_alt_text(ax.figure, label("alt_decomposition", language, effects="; ".join(
        f"{name} {number(v, language, decimals)}" for name, v in zip(shown, values, strict=False)),
        total=number(decomposition.difference, language, decimals)))
    return finish(ax, title=label("title_decomposition", language),
                  xlabel=label("decomposition_effect", language), synthetic=synthetic,
                  language=language)


__all__ = ["plot_decomposition"]
