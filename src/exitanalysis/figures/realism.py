"""The figures of the target-realism report: the funnel's distribution and what moves it, the
comparable programmes' rates, the scenarios' probability of reaching each target, and the
population-size estimates."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..text import Language, label, number, percent, probability
from .style import (
    ALERT,
    GREY,
    PALETTE,
    finish,
    mark_synthetic,
    new_axes,
    plain_log_axis,
    plot_unavailable,
    set_alt_text,
    set_caption,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..assess.realism import PopulationSizes, TargetRealism
    from ..models.population import PopulationEstimate
    from ..models.targets import FunnelCheck, ReferenceClass, ScenarioResults

#: The funnel's bars and a new programme's predictive interval.
_DRAWS = "#555555"

#: Figure → the part of :class:`~exitanalysis.assess.realism.TargetRealism` it draws.
FIGURES = {"funnel": "funnel", "tornado": "funnel", "reference": "reference",
           "scenarios": "scenarios", "population": "population"}


def funnel_figure(funnel: FunnelCheck, ax: Axes | None = None, *, language: Language = "en",
                  synthetic: bool = False) -> Axes:
    """A histogram of the persons the funnel allows (log scale), with the target."""
    ax = new_axes(ax)
    values = np.asarray(funnel.values, dtype=float)
    positive = values[values > 0]
    bins = np.geomspace(max(positive.min(), 1.0), max(positive.max(), funnel.target * 1.1), 60)
    ax.hist(positive, bins=list(bins), color=_DRAWS, alpha=0.8,
            weights=np.full(len(positive), 1 / len(values)))
    plain_log_axis(ax, language)
    ax.axvline(funnel.target, color=ALERT, lw=2,
               label=label("realism_target_line", language,
                           target=number(funnel.target, language)))
    q10, q50, q90 = funnel.quantiles([0.1, 0.5, 0.9])
    set_alt_text(ax.figure, label("alt_realism_funnel", language,
                                  median=number(round(q50), language),
                                  low=number(round(q10), language),
                                  high=number(round(q90), language),
                                  target=number(funnel.target, language),
                                  p=probability(funnel.p_reach, language)))
    return finish(ax, title=label("title_realism_funnel", language),
                  xlabel=label("realism_includable", language),
                  ylabel=label("realism_share_of_draws", language), legend=True,
                  synthetic=synthetic, language=language)


def tornado_figure(funnel: FunnelCheck, ax: Axes | None = None, *, language: Language = "en",
                   synthetic: bool = False) -> Axes:
    """Each factor at its low and its high end (the others drawn): the funnel's median."""
    table = funnel.tornado()
    ax = new_axes(ax, size=(8.0, 1.2 + 0.5 * len(table)))
    y = np.arange(len(table))[::-1]
    median = float(funnel.quantiles([0.5])[0])
    for position, row in zip(y, table.itertuples(index=False), strict=True):
        ax.plot([row.low_value, row.high_value], [position, position], color=PALETTE[0], lw=6,
                solid_capstyle="butt")
    ax.axvline(median, color=GREY, lw=1, ls="--",
               label=label("realism_median_line", language, value=number(round(median),
                                                                         language)))
    ax.axvline(funnel.target, color=ALERT, lw=2,
               label=label("realism_target_line", language,
                           target=number(funnel.target, language)))
    plain_log_axis(ax, language)
    names = [label(f"funnel_{f}", language) for f in table["factor"]]
    ax.set_yticks(y, names)
    top = table.iloc[0]
    set_alt_text(ax.figure, label("alt_realism_tornado", language,
                                  factor=label(f"funnel_{top['factor']}", language),
                                  low=number(round(top["low_value"]), language),
                                  high=number(round(top["high_value"]), language)))
    return finish(ax, title=label("title_realism_tornado", language),
                  xlabel=label("realism_includable_median", language), legend=True,
                  synthetic=synthetic, language=language)


def reference_class_figure(model: ReferenceClass, ax: Axes | None = None, *,
                           required_rate: float | None = None, language: Language = "en",
                           synthetic: bool = False, seed: int = 0) -> Axes:
    """Each comparable programme's monthly rate (exact 95 % interval), a new programme's
    predictive 80 % and 95 % intervals, and the rate the target requires."""
    table = model.to_frame()
    ax = new_axes(ax, size=(8.0, 1.8 + 0.5 * len(table)))
    rows = len(table)
    y = np.arange(rows + 1)[::-1]
    for position, row in zip(y[:rows], table.itertuples(index=False), strict=True):
        ax.plot([row.rate_low, row.rate_high], [position, position], color=PALETTE[0], lw=2)
        ax.plot([row.rate], [position], "o", color=PALETTE[0], ms=7)
    draws = model.sample_rate(np.random.default_rng(seed), 20_000)
    lo95, lo80, mid, hi80, hi95 = np.quantile(draws, [0.025, 0.1, 0.5, 0.9, 0.975])
    ax.plot([lo95, hi95], [y[-1], y[-1]], color=_DRAWS, lw=2,
            label=label("realism_predictive_95", language))
    ax.plot([lo80, hi80], [y[-1], y[-1]], color=_DRAWS, lw=6,
            label=label("realism_predictive_80", language))
    ax.plot([mid], [y[-1]], "o", color="white", ms=5, mec=_DRAWS)
    if required_rate is not None:
        ax.axvline(required_rate, color=ALERT, lw=2,
                   label=label("realism_required_rate", language,
                               rate=number(required_rate, language, 1)))
    plain_log_axis(ax, language)
    ax.set_yticks(y, [*map(str, table["name"]), label("realism_new_programme", language)])
    set_alt_text(ax.figure, label("alt_realism_reference", language,
                                  low=number(lo80, language, 1), high=number(hi80, language, 1),
                                  required=number(required_rate or float("nan"), language, 1)))
    return finish(ax, title=label("title_realism_reference", language),
                  xlabel=label("realism_persons_per_month", language), legend=True,
                  synthetic=synthetic, language=language)


def scenario_sweep_figure(results: ScenarioResults, ax: Axes | None = None, *,
                          names: Callable[[str], str] | None = None,
                          language: Language = "en", synthetic: bool = False) -> Axes:
    """P(reach a target) against the target, one line per scenario; the programme's target
    and the assurance level as reference lines."""
    ax = new_axes(ax)
    sweep = results.sweep_frame()
    name_of = names or (lambda n: label(f"scenario_{n.replace(' ', '_')}", language))
    colours = iter([c for c in PALETTE if c != "#000000"] * 3)  # black is "all"
    for scenario, rows in sweep.groupby("scenario", sort=False):
        style: dict[str, Any]
        if scenario == "status quo":
            style = {"color": GREY, "lw": 2.5, "ls": "--"}
        elif scenario == "all":
            style = {"color": "black", "lw": 2.6}
        else:  # combinations dash-dotted, so that no colour has to mean two things
            style = {"color": next(colours), "lw": 1.8,
                     "ls": "-." if " + " in str(scenario) else "-"}
        # Wrapped: a scenario's name can be a sentence, and a legend wider than the figure
        # would widen the image and shrink its text on a phone.
        ax.plot(rows["target"], rows["p_reach"],
                label=textwrap.fill(name_of(str(scenario)), 38), **style)
    ax.axvline(results.target, color=ALERT, lw=1.5)
    ax.axhline(results.assurance, color=GREY, lw=1, ls=":")
    ax.set_ylim(-0.02, 1.02)
    frame = results.to_frame().set_index("scenario")
    set_alt_text(ax.figure, label("alt_realism_scenarios", language,
                                  target=number(results.target, language),
                                  status=probability(frame.loc["status quo", "p_reach"],
                                                     language),
                                  best=probability(frame["p_reach"].max(), language)))
    ax.yaxis.set_major_formatter(lambda v, _: percent(v, language))
    return finish(ax, title=label("title_realism_scenarios", language),
                  xlabel=label("realism_target_axis", language),
                  ylabel=label("realism_p_reach_axis", language), legend=True,
                  synthetic=synthetic, language=language)


def population_figure(sizes: PopulationSizes, ax: Axes | None = None, *,
                      multiplier: PopulationEstimate | None = None,
                      language: Language = "en", synthetic: bool = False) -> Axes:
    """Each estimate of the population size with its 95 % interval, and the persons seen."""
    estimates = [*sizes.estimates.values(), *([multiplier] if multiplier is not None else [])]
    names = [sizes.method_name(key, language) for key in sizes.estimates]
    if multiplier is not None:
        names.append(label("method_multiplier", language))
    if not estimates:
        ax = plot_unavailable("why_no_estimate", ax, language)
        if synthetic:  # the lists it could not use are synthetic: say so on the panel too
            mark_synthetic(ax.figure, language)  # type: ignore[arg-type]
        return ax
    ax = new_axes(ax, size=(8.0, 1.4 + 0.5 * len(estimates)))
    y = np.arange(len(estimates))[::-1]
    for position, estimate in zip(y, estimates, strict=True):
        ax.plot([estimate.ci_low, estimate.ci_high], [position, position], color=PALETTE[0],
                lw=2)
        ax.plot([estimate.estimate], [position], "o", color=PALETTE[0], ms=7)
    ax.axvline(sizes.observed, color=GREY, lw=1.5, ls="--",
               label=label("realism_observed_line", language,
                           n=number(sizes.observed, language)))
    ax.set_yticks(y, names)
    set_alt_text(ax.figure, label("alt_realism_population", language,
                                  n=number(len(estimates), language),
                                  observed=number(sizes.observed, language)))
    return finish(ax, title=label("title_realism_population", language),
                  xlabel=label("realism_persons_in_all", language), legend=True,
                  synthetic=synthetic, language=language)


def plot_realism_part(result: TargetRealism, part: str, ax: Axes | None = None, *,
                      language: Language = "en") -> Axes:
    """The figure of one part of the target-realism analysis (a key of :data:`FIGURES`)."""
    if part not in FIGURES:
        raise ValueError(f"no figure for {part!r}; expected one of {', '.join(FIGURES)}")
    source = FIGURES[part]
    value: Any = getattr(result, source)
    if value is None:
        return plot_unavailable(result.missing.get(source, "why_model_failed"), ax, language)
    synthetic = source in result.synthetic_parts
    if part == "funnel":
        ax = funnel_figure(value, ax, language=language, synthetic=synthetic)
    elif part == "tornado":
        ax = tornado_figure(value, ax, language=language, synthetic=synthetic)
    elif part == "reference":
        ax = reference_class_figure(value.model, ax, required_rate=result.target / result.horizon,
                                    language=language, synthetic=synthetic)
    elif part == "scenarios":
        ax = scenario_sweep_figure(value, ax,
                                   names=lambda n: result.scenario_label(n, language),
                                   language=language, synthetic=synthetic)
    else:
        ax = population_figure(value, ax, multiplier=result.multiplier, language=language,
                               synthetic=synthetic)
    set_caption(ax.figure, label(f"caption_realism_{part}", language))
    return ax


__all__ = ["FIGURES", "funnel_figure", "plot_realism_part", "population_figure",
           "reference_class_figure", "scenario_sweep_figure", "tornado_figure"]
