"""The figure of time to an event: the cumulative share of persons with the event by time,
one step curve per group, with its band for the whole curve, the median and the censorings.

The curves go up: the share who *have reached* the first outcome, 1 − S(t), rather than
the Kaplan–Meier S(t), the share still without it. The event here is good news (a job, a
home), and a committee reads "higher is better" from a rising line without translating "the
share without a job yet falls"; Pocock, Clayton & Altman (2002, Lancet 359:1686–1689)
recommend plots going up for the same reason, and because differences between low event
rates are easier to see there. The shaded area is the Hall–Wellner band: the whole curve
lies in it with the stated confidence, so a reader may compare curves over time, which a
pointwise interval does not allow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..text import Language, has_label, label, number, percent
from .style import GREY, colours, finish, new_axes, set_alt_text, set_caption

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..models.survival import SurvivalCurves

def _word(key: str, language: Language) -> str:
    """A category or outcome as the catalogue writes it (``group_course``: group course)."""
    return label(key.replace(" ", "_"), language)


def _months(value: float, language: Language) -> str:
    return number(value, language, 0 if float(value).is_integer() else 1)


def _group_name(curves: SurvivalCurves, group: str, language: Language) -> str:
    if curves.landmark is not None and group in ("received", "not_received"):
        component = _word(curves.by or "", language).capitalize()
        return f"{component}: {label(group, language, months=_months(curves.landmark, language))}"
    if group == "all":
        return label("group_all", language)
    return _word(group, language)


def _described(value: str, kind: str, language: Language) -> str:
    """An event, unit or origin in words: ``event_first_outcome`` when the catalogue or this
    module knows it, else the value as a catalogue word (``own housing``)."""
    key = f"{kind}_{value.replace(' ', '_')}"
    if has_label(key):
        return label(key, language)
    return _word(value, language)


def plot_survival(curves: SurvivalCurves, ax: Axes | None = None, *, language: Language = "en",
                  synthetic: bool = False, keys: Sequence[str] | None = None) -> Axes:
    """Step curves of the cumulative share with the event by group: band shaded, censorings
    ticked, medians marked where half have had the event.

    ``keys`` is every value the groups can take (the config's organisations), so that a
    group has the colour it has in every other figure (:func:`.style.colours`); by default
    the groups shown.
    """
    table = curves.to_frame()
    groups = curves.groups
    ax = new_axes(ax, size=(8.0, 4.8))
    palette = colours(groups, list(keys) if keys is not None else groups)
    medians = curves.medians().set_index("group")
    for group in groups:
        part = table[table["group"] == group]
        colour = palette[group]
        time = part["time"].to_numpy(dtype=float)
        share = 1 - part["survival"].to_numpy(dtype=float)
        name = _group_name(curves, group, language)
        ax.step(time, share, where="post", color=colour, lw=2, label=name)
        low, high = 1 - part["band_high"].to_numpy(dtype=float), 1 - part[
            "band_low"].to_numpy(dtype=float)
        shown = np.isfinite(low) & np.isfinite(high)
        ax.fill_between(time, np.where(shown, low, np.nan), np.where(shown, high, np.nan),
                        step="post", color=colour, alpha=0.15, lw=0)
        ticks = (part["censored"] > 0).to_numpy()
        ax.plot(time[ticks], share[ticks], ls="none", marker="|", ms=8, mew=1.2,
                color=colour)
        median = float(medians.loc[group, "median"])
        if math.isfinite(median):
            ax.plot([median, median], [0, 0.5], ls=":", color=colour, lw=1.2)
            ax.plot([median], [0.5], marker="o", ms=5, color=colour)
    ax.axhline(0.5, ls=":", color=GREY, lw=0.8)
    if curves.landmark is not None:
        ax.axvline(curves.landmark, color=GREY, lw=0.8, ls="--")
        ax.annotate(label("landmark_line", language, months=_months(curves.landmark, language)),
                    (curves.landmark, 1.0), xytext=(3, -3), textcoords="offset points",
                    ha="left", va="top", fontsize=8, color=GREY)
    ax.set_ylim(0, 1)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(lambda y, _: percent(y, language))
    event = _described(curves.event, "event", language)
    unit = _described(curves.time_unit, "unit", language).capitalize()
    origin = _described(curves.origin, "origin", language)
    level = percent(curves.level, language)
    words = []
    for group in groups:
        row = medians.loc[group]
        name = _group_name(curves, group, language)
        if not row["reached"]:
            words.append(f"{name}: {label('median_not_reached', language)}")
            continue
        high = (number(row["median_high"], language, 1) if math.isfinite(row["median_high"])
                else label("beyond_follow_up", language))
        words.append(label("median_in_words", language, group=name,
                           median=number(row["median"], language, 1),
                           low=number(row["median_low"], language, 1), high=high))
    set_alt_text(ax.figure, label("alt_survival", language, event=event, unit=unit.lower(),
                                  origin=origin, level=level, medians="; ".join(words)))
    caption = label("cap_survival", language, event=event, level=level)
    if curves.landmark is not None:
        caption += " " + label("cap_survival_landmark", language, event=event,
                               months=_months(curves.landmark, language))
    set_caption(ax.figure, caption)
    if curves.by:
        title = label("title_survival", language, event=event,
                      by=label(curves.by, language).lower())
    else:
        title = label("title_survival_all", language, event=event)
    return finish(ax, title=title,
                  xlabel=label("time_since", language, unit=unit, origin=origin),
                  ylabel=label("share_with_event", language, event=event),
                  legend=len(groups) > 1, synthetic=synthetic, language=language)


__all__ = ["plot_survival"]
