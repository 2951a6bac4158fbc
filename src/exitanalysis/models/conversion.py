"""Conversion from contact to inclusion by category (contact channel, where a person sells):
shares with Wilson intervals, and odds ratios adjusted for the organisation.

A share of 3 in 4 and a share of 30 in 40 are not the same evidence: the Wilson score interval
(Wilson 1927; recommended by Newcombe 1998 and by Brown, Cai & DasGupta 2001 over the normal
approximation, which fails at small counts and near 0 or 1) says how sure each share is. The
odds ratios compare each category with the largest one from a logistic regression that adjusts
for the organisation (partners differ in how they include, and in which channels they work).
A category with fewer than ``min_events`` persons included, or not included, cannot be told
apart from the others: it gets a share with its (wide) interval but no odds ratio, and says so.
These are associations: who is reached through which channel is not random.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Fewer persons than this included (or not included) in a category: no odds ratio.
MIN_EVENTS = 5


def wilson_interval(successes: int | np.ndarray, trials: int | np.ndarray,
                    level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``successes`` in ``trials`` (NaN where there are none).

    >>> low, high = wilson_interval(81, 263)  # Newcombe (1998), Table II: 0.2553 to 0.3662
    >>> round(float(low), 4), round(float(high), 4)
    (0.2553, 0.3662)
    """
    from statsmodels.stats.proportion import proportion_confint

    count = np.asarray(successes, dtype=float)
    nobs = np.asarray(trials, dtype=float)
    safe = np.where(nobs > 0, nobs, 1.0)
    low, high = proportion_confint(count, safe, alpha=1 - level, method="wilson")
    return (np.where(nobs > 0, low, np.nan), np.where(nobs > 0, high, np.nan))


@dataclass(frozen=True)
class Conversion:
    """Contact → inclusion by category.

    Attributes
    ----------
    by
        The category column (``contact_channel``, ``sales_channel``).
    table
        One row per category: ``category``, ``contacted``, ``included``, ``share``,
        ``share_low``, ``share_high`` (Wilson, 95 %), ``enough`` (whether the category has
        at least ``min_events`` persons included and not included), ``odds_ratio``,
        ``or_low``, ``or_high``, ``p_value`` (against ``reference``, adjusted; NaN where not
        enough or for the reference).
    reference
        The category the odds ratios compare with (the largest with enough persons).
    adjusted_for
        The covariates of the logistic regression (the organisation); empty when only one
        organisation has enough persons.
    min_events
        The rule for "enough".
    note
        Why there are no odds ratios, when there are none (``None`` otherwise).
    """

    by: str
    table: pd.DataFrame
    reference: str | None
    adjusted_for: tuple[str, ...]
    min_events: int
    note: str | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        lines = [f"Conversion by {self.by} (Wilson 95% intervals; odds ratios against "
                 f"{self.reference}, adjusted for {', '.join(self.adjusted_for) or 'nothing'}):"]
        for r in self.table.itertuples(index=False):
            line = (f"{r.category}: {r.included} of {r.contacted} ({r.share:.0%}, "
                    f"{r.share_low:.0%} to {r.share_high:.0%})")
            if r.category == self.reference:
                line += ", reference"
            elif not r.enough:
                line += f", too few to tell (fewer than {self.min_events} either way)"
            elif not math.isnan(r.odds_ratio):
                line += f", OR {r.odds_ratio:.2f} ({r.or_low:.2f} to {r.or_high:.2f})"
            lines.append(line)
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.conversion import plot_conversion

        return plot_conversion(self, ax=ax)


def conversion_by(persons: pd.DataFrame, by: str, *,
                  adjust: Sequence[str] = ("organisation",), reference: str | None = None,
                  min_events: int = MIN_EVENTS, level: float = 0.95) -> Conversion:
    """Shares included by category, with Wilson intervals, and adjusted odds ratios.

    Parameters
    ----------
    persons
        One row per person contacted, with ``included`` (boolean), ``by`` and the
        ``adjust`` columns.
    by
        The category column.
    adjust
        Covariates of the logistic regression (categorical); one with a single level is
        left out.
    reference
        The category to compare with (default: the one with most persons contacted among
        those with enough persons).
    min_events
        A category needs at least this many persons included and not included for an odds
        ratio.

    Notes
    -----
    The logistic regression is fitted with statsmodels' GLM (binomial family, logit link) on
    the persons of the categories with enough events; odds ratios and Wald intervals are
    ``exp`` of the coefficients and their intervals.
    """
    frame = persons[[by, "included", *adjust]].dropna(subset=[by]).copy()
    frame["included"] = frame["included"].astype(bool)
    frame[by] = frame[by].astype(str)
    grouped = frame.groupby(by, observed=True)["included"]
    table = pd.DataFrame({"contacted": grouped.size(), "included": grouped.sum()})
    table = table.sort_values("contacted", ascending=False, kind="stable")
    table.index.name = "category"
    table = table.reset_index()
    table["included"] = table["included"].astype(int)
    table["share"] = table["included"] / table["contacted"]
    low, high = wilson_interval(table["included"].to_numpy(), table["contacted"].to_numpy(),
                                level)
    table["share_low"], table["share_high"] = low, high
    table["enough"] = ((table["included"] >= min_events)
                       & (table["contacted"] - table["included"] >= min_events))
    for column in ("odds_ratio", "or_low", "or_high", "p_value"):
        table[column] = math.nan
    usable = table.loc[table["enough"], "category"].tolist()
    if len(usable) < 2:
        return Conversion(by, table, usable[0] if usable else None, (), min_events,
                          note="fewer than two categories have enough persons to compare")
    if reference is None:
        reference = usable[0]
    elif reference not in usable:
        raise ValueError(f"reference {reference!r}: not a category of {by!r} with at least "
                         f"{min_events} persons included and not included")
    fitted = frame[frame[by].isin(usable)]
    covariates = tuple(c for c in adjust if fitted[c].nunique() > 1)
    odds = _odds_ratios(fitted, by, reference, covariates, level)
    if odds is None:
        return Conversion(by, table, reference, covariates, min_events,
                          note="the regression did not converge (a category may be all "
                               "included or none within an organisation)")
    for category, values in odds.items():
        table.loc[table["category"] == category, ["odds_ratio", "or_low", "or_high",
                                                  "p_value"]] = values
    return Conversion(by, table, reference, covariates, min_events)


def _odds_ratios(frame: pd.DataFrame, by: str, reference: str, covariates: Sequence[str],
                 level: float) -> dict[str, tuple[float, float, float, float]] | None:
    """exp(coefficient), its interval and p-value for each category against ``reference``."""
    import statsmodels.api as sm

    levels = [reference, *sorted(c for c in frame[by].unique() if c != reference)]
    design = pd.get_dummies(pd.Categorical(frame[by], categories=levels), drop_first=True,
                            dtype=float)
    design.columns = levels[1:]
    for covariate in covariates:
        values = frame[covariate].astype(str)
        dummies = pd.get_dummies(pd.Categorical(values, categories=sorted(values.unique())),
                                 drop_first=True, dtype=float)
        dummies.columns = [f"{covariate}={c}" for c in dummies.columns]
        design = pd.concat([design, dummies], axis=1)
    design.index = frame.index
    design = sm.add_constant(design, has_constant="add")
    outcome = frame["included"].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # separation and non-convergence are not results
        try:
            fit = sm.GLM(outcome, design, family=sm.families.Binomial()).fit()
        except Exception:  # statsmodels raises several kinds here; all mean "no estimate"
            return None
    bounds = fit.conf_int(alpha=1 - level)
    if not np.all(np.isfinite(fit.params)) or np.any(np.abs(fit.params) > 15):
        return None  # quasi-separation: coefficients run off towards infinity
    return {c: (float(np.exp(fit.params[c])), float(np.exp(bounds.loc[c, 0])),
                float(np.exp(bounds.loc[c, 1])), float(fit.pvalues[c]))
            for c in levels[1:]}


__all__ = ["MIN_EVENTS", "Conversion", "conversion_by", "wilson_interval"]
