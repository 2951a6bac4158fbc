"""The figures of outcomes: the funnel from first contact to each outcome, the share achieving
each outcome, and the odds ratios of the components (associations, not effects)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..models.outcomes import ALL
from ..text import Language, label, number, percent
from .style import (
    GREY,
    colours,
    finish,
    new_axes,
    plot_unavailable,
    ratio_intervals,
    set_alt_text,
    set_caption,
    share_axis,
    shares_in_words,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..assess.outcomes import OutcomeAssessment
    from ..models.outcomes import ComponentAssociations, Funnel, OutcomeRates

_SHOWN = "#0072B2"
_OVERALL = "#000000"

def _step_name(step: str, outcome: str, language: Language) -> str:
    if step == "achieved":
        return label("step_achieved", language, outcome=label(outcome, language))
    return label(step, language) if step != "assessed" else label("step_assessed", language)


def plot_funnel(funnel: Funnel, ax: Axes | None = None, *, language: Language = "en",
                synthetic: bool = False) -> Axes:
    """Bars: the persons at each step, from first contact to each outcome achieved, split by
    group when the funnel is; beside each bar, the persons lost since the step before (for
    an outcome, how many of those assessed for it achieved it)."""
    table = funnel.table
    overall = table[table["group"] == ALL].reset_index(drop=True)
    ax = new_axes(ax, size=(8.0, 1.6 + 0.45 * len(overall)))
    y = np.arange(len(overall))[::-1]
    groups = [str(g) for g in table["group"].unique() if g != ALL]
    if groups:
        palette = colours(groups, sorted(groups))
        left = np.zeros(len(overall))
        keys = overall[["step", "outcome"]]
        for group in groups:
            part = keys.merge(table[table["group"] == group], on=["step", "outcome"],
                              how="left")["persons"].fillna(0).to_numpy(dtype=float)
            ax.barh(y, part, left=left, height=0.7, color=palette[group],
                    label=label(group, language))
            left += part
    else:
        ax.barh(y, overall["persons"], height=0.7, color=_SHOWN)
    top = float(max(overall["persons"].max(), 1))
    words = []
    for position, row in zip(y, overall.itertuples(index=False), strict=True):
        persons = number(row.persons, language)
        if row.step == "contacted":
            text = persons
        elif row.step == "achieved":
            text = label("funnel_achieved", language, persons=persons,
                         assessed=number(row.from_persons, language),
                         share=percent(row.persons / row.from_persons if row.from_persons
                                       else float("nan"), language))
        else:
            text = label("funnel_lost", language, persons=persons,
                         lost=number(row.lost, language),
                         share=percent(row.share_lost, language))
        ax.text(row.persons + 0.01 * top, position, text, va="center", fontsize=9)
        words.append(f"{_step_name(row.step, row.outcome, language)} {text}")
    ax.set_yticks(list(y), [_step_name(r.step, r.outcome, language)
                            for r in overall.itertuples(index=False)])
    ax.set_xlim(0, top * 1.45)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    set_alt_text(ax.figure, label("alt_funnel", language, steps="; ".join(words)))
    title = (label("title_funnel_by", language, by=label(funnel.by, language).lower())
             if funnel.by else label("title_funnel", language))
    return finish(ax, title=title, xlabel=label("funnel_persons", language),
                  legend=bool(groups), synthetic=synthetic, language=language)


def plot_outcome_rates(rates: OutcomeRates, ax: Axes | None = None, *,
                       language: Language = "en", synthetic: bool = False) -> Axes:
    """Dots: the share of the persons assessed for each outcome who achieved it; bars: its
    Wilson interval. With groups, one dot per group below the overall one (black). Hollow
    dots and pale bars: too few to tell."""
    table = rates.table
    outcomes = list(dict.fromkeys(table["outcome"]))
    groups = [ALL, *[str(g) for g in table["group"].unique() if g != ALL]]
    ax = new_axes(ax, size=(8.0, 1.4 + (0.45 + 0.15 * (len(groups) - 1)) * len(outcomes)))
    y = np.arange(len(outcomes))[::-1].astype(float)
    spread = 0.0 if len(groups) == 1 else 0.6 / (len(groups) - 1)
    palette = colours(groups[1:], sorted(groups[1:]))
    for k, group in enumerate(groups):
        rows = table[table["group"] == group].set_index("outcome").reindex(outcomes)
        colour = (_SHOWN if len(groups) == 1 else _OVERALL) if group == ALL else palette[group]
        offset = 0.3 - k * spread if spread else 0.0
        name = label("group_all", language) if group == ALL else label(group, language)
        for position, row in zip(y + offset, rows.itertuples(), strict=True):
            if not row.assessed or not np.isfinite(row.share):
                continue
            ax.plot([row.share_low, row.share_high], [position, position], color=colour,
                    lw=2, alpha=1.0 if row.enough else 0.45)
            ax.plot([row.share], [position], "o", ms=6 if spread else 7, color=colour,
                    markerfacecolor=colour if row.enough else "white")
        if len(groups) > 1:
            ax.plot([], [], "o", color=colour, label=name)  # the legend's key
    names = [label(o, language) for o in outcomes]
    share_axis(ax, y, names, language)
    overall = table[table["group"] == ALL].set_index("outcome").reindex(outcomes)
    level = percent(rates.level, language)
    set_alt_text(ax.figure, label("alt_outcome_rates", language, level=level,
                                  shares=shares_in_words(names, overall["share"],
                                                         overall["share_low"],
                                                         overall["share_high"], language)))
    return finish(ax, title=label("title_outcome_rates", language),
                  xlabel=label("share_achieved", language, level=level),
                  legend=len(groups) > 1, synthetic=synthetic, language=language)


def plot_associations(associations: ComponentAssociations, ax: Axes | None = None, *,
                      language: Language = "en", synthetic: bool = False) -> Axes:
    """A forest plot: each component's odds ratio of achieving the outcome, received against
    not, with its interval, on a log scale around 1; its E-value (and that of the interval
    limit nearest 1) at the right. Components without an odds ratio are left out."""
    table = associations.table
    shown = table[np.isfinite(table["odds_ratio"].to_numpy(dtype=float))].reset_index(drop=True)
    ax = new_axes(ax, size=(8.0, 1.6 + 0.45 * max(len(shown), 1)))
    outcome = label(associations.outcome, language)
    level = percent(associations.level, language)
    title = label("title_associations", language, outcome=outcome)
    if shown.empty:
        ax.text(0.5, 0.5, label("no_associations", language, outcome=outcome), ha="center",
                va="center", wrap=True, transform=ax.transAxes, color=GREY)
        ax.set_axis_off()
        set_alt_text(ax.figure, f"{title}. "
                     + label("no_associations", language, outcome=outcome))
        return finish(ax, title=title, synthetic=synthetic, language=language)
    frame = pd.DataFrame({"rate_ratio": shown["odds_ratio"], "low": shown["or_low"],
                          "high": shown["or_high"]})
    names = [label(str(e), language) for e in shown["exposure"]]
    ratio_intervals(ax, frame, names, language)
    positions = np.arange(len(shown))[::-1]
    ratios = []
    for position, name, row in zip(positions, names, shown.itertuples(index=False),
                                   strict=True):
        note = label("e_value_note", language, point=number(row.e_value, language, 2),
                     limit=number(row.e_value_limit, language, 2))
        ax.text(1.02, position, note, transform=ax.get_yaxis_transform(), va="center",
                fontsize=8, color=GREY)
        ratios.append(f"{name} {number(row.odds_ratio, language, 2)} "
                      f"({number(row.or_low, language, 2)}–{number(row.or_high, language, 2)}),"
                      f" {note}")
    set_alt_text(ax.figure, label("alt_associations", language, outcome=outcome, level=level,
                                  ratios="; ".join(ratios)))
    return finish(ax, title=title, xlabel=label("odds_ratio_axis", language, level=level),
                  synthetic=synthetic, language=language)


def plot_outcome_part(assessment: OutcomeAssessment, part: str, ax: Axes | None = None, *,
                      language: Language = "en") -> Axes:
    """The figure of one part of the outcomes report (``funnel``, ``rates``,
    ``associations``, ``time``), with a caption saying what it rests on, or the reason the
    part is missing."""
    from .survival import plot_survival

    if part not in ("funnel", "rates", "associations", "time", "time_by"):
        raise ValueError(f"no figure for {part!r}; expected funnel, rates, associations, "
                         f"time or time_by")
    result = getattr(assessment, part)
    if result is None:
        why = assessment.missing.get(part, assessment.missing.get("time", "why_model_failed"))
        return plot_unavailable(why, ax, language)
    synthetic = assessment.synthetic
    if part == "funnel":
        ax = plot_funnel(result, ax, language=language, synthetic=synthetic)
    elif part == "rates":
        ax = plot_outcome_rates(result, ax, language=language, synthetic=synthetic)
    elif part == "associations":
        ax = plot_associations(result, ax, language=language, synthetic=synthetic)
    else:
        ax = plot_survival(result, ax, language=language, synthetic=synthetic)
    title = assessment.figure_title(part, language)
    if title is not None:  # the finding, from the result; the caption says what it rests on
        ax.set_title(title)
    if part not in ("time", "time_by"):  # the survival figure writes its own caption
        set_caption(ax.figure, label(f"caption_outcomes_{part}", language))
    return ax


__all__ = ["plot_associations", "plot_funnel", "plot_outcome_part", "plot_outcome_rates"]
