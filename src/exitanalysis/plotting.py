"""All of exitanalysis's figures.

Each function takes a result or a tidy frame and ``ax=None``, draws on the given axes (or a
new figure), and returns the axes. Nothing here calls ``plt.show()`` or ``matplotlib.use()``.
Figures built from synthetic data carry a visible mark (:func:`mark_synthetic`), so a figure
copied out of a report still says what it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .text import Language, label

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .overview import DataOverview

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
) -> Axes:
    """Stacked bars of persons first contacted per month, split by ``by``.

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
    """
    ax = _axes(ax)
    wide = frame.pivot_table(index="month", columns=by, values="contacted", aggfunc="sum",
                             fill_value=0, observed=False)
    wide = wide.loc[:, wide.sum() > 0]
    categories = list(order) if order is not None else list(
        wide.sum().sort_values(ascending=False, kind="stable").index
    )
    categories = [c for c in categories if c in wide.columns]
    palette = colours(categories)
    x = np.arange(len(wide.index))
    bottom = np.zeros(len(wide.index))
    for category in categories:
        values = wide[category].to_numpy(dtype=float)
        shown = (names or {}).get(category) or label(str(category), language)
        ax.bar(x, values, bottom=bottom, width=0.85, color=palette[category], label=shown)
        bottom += values
    ticks = [i for i, m in enumerate(wide.index) if str(m).endswith(("-01", "-07"))]
    ax.set_xticks(ticks, [str(wide.index[i]) for i in ticks], rotation=45, ha="right")
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_xlabel(label("month", language))
    ax.set_ylabel(label("persons_first_contacted", language))
    ax.set_title(label("title_contacts_by", language, by=label(by, language).lower()))
    ax.legend(title=label(by, language), loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if synthetic:
        mark_synthetic(ax.figure, language)  # type: ignore[arg-type]
    return ax


def plot_table_coverage(
    frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    synthetic: bool = False,
) -> Axes:
    """Heat map of rows per quarter for each input table.

    Parameters
    ----------
    frame
        Tidy: ``table``, ``quarter`` (``YYYYQn``), ``rows``.
    """
    ax = _axes(ax, size=(9.0, 0.6 * max(frame["table"].nunique(), 2) + 1.6))
    wide = frame.pivot_table(index="table", columns="quarter", values="rows", aggfunc="sum",
                             fill_value=0, sort=False)
    wide.index = [label(str(t), language) for t in wide.index]
    sns.heatmap(wide, ax=ax, cmap="Blues", annot=True, fmt="d", cbar=False,
                linewidths=0.5, linecolor="white", annot_kws={"fontsize": 7})
    ax.grid(False)
    ax.set_xlabel(label("quarter", language))
    ax.set_ylabel(label("table", language))
    ax.set_title(label("title_coverage", language))
    ax.tick_params(axis="x", rotation=90)
    ax.tick_params(axis="y", rotation=0)
    if synthetic:
        mark_synthetic(ax.figure, language)  # type: ignore[arg-type]
    return ax


def plot_overview(overview: DataOverview, by: str = "organisation", ax: Axes | None = None) -> Axes:
    """The overview's monthly first contacts, split by ``by``."""
    order = list(overview.organisation_names) if by == "organisation" else None
    return plot_contacts_by_month(
        overview.contacts,
        by=by,
        ax=ax,
        names=overview.organisation_names if by == "organisation" else None,
        order=order,
        language=overview.language,
        synthetic=overview.synthetic,
    )
