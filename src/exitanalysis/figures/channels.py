"""The channel report's figures: one per part of :class:`~exitanalysis.ChannelEffects`,
drawn by the part's own plotting function in the reader's language, with the part's finding
as the caption, or the reason a part is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..assess.channels import mix_decimals
from ..text import Language, label
from .conversion import plot_conversion
from .decomposition import plot_decomposition
from .interrupted import plot_interrupted_channels
from .rates import plot_rate_ratios
from .reach import plot_reach
from .style import plot_unavailable, set_caption

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..assess.channels import ChannelEffects

#: The parts with a figure (the counterfactual is one number and its interval: a sentence).
FIGURES = ("reach", "conversion", "rates", "lockdown", "mix")
#: The mix decomposition's factors, as the figure names them.
MIX_FACTORS = ("volume", "mix", "conversion")


def plot_channel_part(effects: ChannelEffects, part: str, ax: Axes | None = None, *,
                      language: Language = "en") -> Axes:
    """The figure of one part of the channel analysis (one of :data:`FIGURES`)."""
    if part not in FIGURES:
        raise ValueError(f"no figure for {part!r}; expected one of {', '.join(FIGURES)}")
    result: Any = getattr(effects, part)
    if result is None:
        return plot_unavailable(effects.missing.get(part, "why_model_failed"), ax, language)
    if part == "lockdown" and not result.results:
        return plot_unavailable("why_lockdown_no_channel", ax, language)
    synthetic = effects.synthetic
    if part == "reach":
        ax = plot_reach(result, ax, language=language, synthetic=synthetic)
    elif part == "conversion":
        ax = plot_conversion(result, ax, language=language, synthetic=synthetic)
    elif part == "rates":
        ax = plot_rate_ratios(result, ax, language=language, synthetic=synthetic)
    elif part == "lockdown":
        ax = plot_interrupted_channels(result, ax, language=language, synthetic=synthetic)
    else:
        names = {factor: label(f"mix_factor_{factor}", language) for factor in MIX_FACTORS}
        ax = plot_decomposition(result, ax, names=names, language=language,
                                synthetic=synthetic, decimals=mix_decimals(result))
    # The caption says what the figure rests on; the sentences under it say what it found.
    set_caption(ax.figure, label(f"caption_channel_{part}", language))
    return ax


__all__ = ["FIGURES", "plot_channel_part"]
