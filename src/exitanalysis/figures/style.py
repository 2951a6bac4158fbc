"""The look every figure shares: palette, rc style, the synthetic stamp, alt text, finishing.

Figures built from synthetic data carry a visible mark (:func:`mark_synthetic`), so a figure
copied out of a report still says what it is. Nothing here calls ``plt.show()`` or
``matplotlib.use()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import seaborn as sns

from ..text import Language, label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: One palette everywhere (colour-blind safe); categories keep their colour across figures.
PALETTE: tuple[str, ...] = tuple(sns.color_palette("colorblind", 10).as_hex())
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


def colours(categories: Sequence[str]) -> dict[str, str]:
    """A fixed colour per category, in the order given."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(categories)}


def new_axes(ax: Axes | None, size: tuple[float, float] = (9.0, 4.5)) -> Axes:
    """``ax`` when given, else the axes of a new figure in the house style."""
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
           legend: Any = None, synthetic: bool = False, language: Language = "en") -> Axes:
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


def plot_unavailable(reason: str, ax: Axes | None = None, language: Language = "en") -> Axes:
    """An empty panel that says why there is no figure (``reason`` is a catalogue key)."""
    ax = new_axes(ax, size=(7.0, 1.6))
    ax.text(0.5, 0.5, label("not_available", language, reason=label(reason, language)),
            ha="center", va="center", transform=ax.transAxes, color=GREY)
    ax.set_axis_off()
    return ax


__all__ = ["ALERT", "GREY", "PALETTE", "STYLE", "alt_text", "colours", "figure_title",
           "finish", "is_marked_synthetic", "mark_synthetic", "new_axes", "plot_unavailable",
           "set_alt_text"]
