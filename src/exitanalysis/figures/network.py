"""The partner-network report's figures: one per part of
:class:`~exitanalysis.assess.network.NetworkAssessment`, in the reader's language, with a
caption saying what it rests on, or the reason a part is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..text import Language, label
from .referrals import (
    plot_network_rate_ratio,
    plot_referral_flows,
    plot_referral_heatmap,
    plot_referral_inclusions,
    plot_referrals_by_month,
)
from .style import plot_unavailable, set_caption

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..assess.network import NetworkAssessment

#: The figures, and the part of the analysis each draws.
FIGURES = {"matrix": "matrix", "flows": "matrix", "by_month": "by_month",
           "inclusions": "inclusions", "network": "network"}


def plot_network_part(effects: NetworkAssessment, part: str, ax: Axes | None = None, *,
                      language: Language = "en") -> Axes:
    """The figure of one part of the partner-network analysis (a key of :data:`FIGURES`)."""
    if part not in FIGURES:
        raise ValueError(f"no figure for {part!r}; expected one of {', '.join(FIGURES)}")
    result: Any = getattr(effects, FIGURES[part])
    if result is None:
        return plot_unavailable(effects.missing.get(FIGURES[part], "why_model_failed"), ax,
                                language)
    synthetic = effects.synthetic
    if part == "matrix":
        ax = plot_referral_heatmap(result, ax, names=effects.names, language=language,
                                   synthetic=synthetic)
    elif part == "flows":
        ax = plot_referral_flows(result, ax, names=effects.names, language=language,
                                 synthetic=synthetic)
    elif part == "by_month":
        period = effects.network_period
        ax = plot_referrals_by_month(result, ax,
                                     network_start=period[0] if period else None,
                                     network_end=period[1] if period else None,
                                     language=language, synthetic=synthetic)
    elif part == "inclusions":
        ax = plot_referral_inclusions(result, ax, language=language, synthetic=synthetic)
    else:
        ax = plot_network_rate_ratio(result, ax, language=language, synthetic=synthetic)
    title = effects.figure_title(part, language)
    if title is not None:  # the finding, from the result; the caption says what it rests on
        ax.set_title(title)
    set_caption(ax.figure, label(f"caption_network_{part}", language))
    return ax


__all__ = ["FIGURES", "plot_network_part"]
