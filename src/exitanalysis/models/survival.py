"""Time to an event: Kaplan–Meier curves with pointwise intervals and a band for the whole
curve, median times with intervals, and the log-rank test across groups; and the time from
inclusion to a person's first outcome, built from the programme's tables.

A Kaplan–Meier curve answers "what share has not (yet) had the event by time t" when some
persons are still being followed and their event, if it comes, is not yet seen (censoring).
It assumes that a person whose follow-up ends is like those still followed (censoring that
says nothing about the event). The estimates and their Greenwood variances come from
statsmodels' ``SurvfuncRight``, the log-rank statistic from its ``survdiff``.

What the result holds is aggregate: one row per distinct time and group, with the number at
risk, events and censorings there. A curve with steps at single events still shows single
persons' times; :meth:`SurvivalCurves.coarsened` gives the curve on whole months without the
tail where fewer than ``min_cell`` persons are at risk, for a public report.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from ..errors import ArgumentError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: How pointwise intervals (and so the median's interval) are formed: on the scale of
#: log(-log S) (Kalbfleisch & Prentice; SAS's and Stata's default) or of log S (R's default).
Transform = Literal["log-log", "log"]
TRANSFORMS: tuple[str, ...] = get_args(Transform)
#: Days in a month (a year of 365.25 days over 12).
MONTH_DAYS = 30.4375
#: Months after inclusion within which a component must be received to count, in the
#: landmark comparison by component.
LANDMARK_MONTHS = 3.0
#: Person columns a curve may be split by (fixed at or before inclusion; CONTRACT §3).
PERSON_COLUMNS = ("organisation", "contact_channel", "sales_channel", "age_band", "origin")
#: Programme components (CONTRACT §3, activities) and outcomes (CONTRACT §3, outcomes).
COMPONENTS = ("group_course", "individual_conversation", "accompaniment", "home_visit",
              "bisidning", "other")
OUTCOMES = ("employment", "education", "own_housing", "substance_treatment", "stopped_selling",
            "improved_wellbeing")
#: Columns of :meth:`SurvivalCurves.to_frame`.
COLUMNS = ("group", "time", "at_risk", "events", "censored", "survival", "low", "high",
           "band_low", "band_high")
#: A survival probability this close to 0.5 is taken as exactly one half (the median rule).
_HALF_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LogRank:
    """The log-rank test of equal hazards across groups.

    Attributes
    ----------
    statistic
        The chi-square statistic, (O − E)ᵀ V⁻¹ (O − E) over the groups but one.
    df
        Degrees of freedom: the number of groups less one.
    p_value
        The upper tail of the chi-square distribution with ``df`` degrees of freedom.
    table
        One row per group: ``group``, ``n`` (persons), ``observed`` (events) and ``expected``
        (events expected if all groups had the same hazard); ``None`` in a coarsened result,
        where the counts per group are not shown.
    """

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row: ``statistic``, ``df``, ``p_value``."""
        return pd.DataFrame({"statistic": [self.statistic], "df": [self.df],
                             "p_value": [self.p_value]})

    def summary(self) -> str:
        return (f"Log-rank test: chi-square {self.statistic:.2f} on {self.df} df, "
                f"p {_p_text(self.p_value)}.")


@dataclass(frozen=True)
class SurvivalCurves:
    """Kaplan–Meier curves by group, with intervals, bands and a log-rank test.

    Attributes
    ----------
    table
        The curves, one row per group and distinct time (an event, a censoring, or the start
        at 0): ``group``; ``time``; ``at_risk`` (persons still followed and without the event
        just before ``time``); ``events`` and ``censored`` at ``time``; ``survival`` (the
        Kaplan–Meier estimate just after ``time``); ``low``, ``high`` (pointwise interval at
        ``level``); ``band_low``, ``band_high`` (Hall–Wellner band at ``level`` for the whole
        curve at once). Intervals are NaN where the curve has reached 0.
    logrank
        The log-rank test across the groups; ``None`` with a single group, or when no
        comparison can be made (no events).
    level
        The confidence level of the intervals, band and median intervals.
    transform
        The scale the pointwise intervals are formed on (:data:`Transform`).
    by
        What the groups are (a column, a component), or ``None`` for a single curve.
    time_unit
        The unit of ``time`` (``months``, ``weeks``).
    event
        What the event is (``first outcome``, ``employment``, ``event``).
    origin
        What time is counted from (``inclusion``, ``start``).
    landmark
        For a comparison by a component: the landmark in ``time_unit`` (persons still
        without the event and followed at the landmark, grouped by whether they received the
        component before it); ``None`` otherwise.
    min_cell
        Set when the curve is coarsened (:meth:`coarsened`): times are whole units and no
        row has fewer than ``min_cell`` persons at risk.
    notes
        What a reader must know about who is in the curves (persons left out, and why).
    """

    table: pd.DataFrame
    logrank: LogRank | None
    level: float
    transform: Transform = "log-log"
    by: str | None = None
    time_unit: str = "months"
    event: str = "event"
    origin: str = "start"
    landmark: float | None = None
    min_cell: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def groups(self) -> list[str]:
        """The groups, in the order of the table (sorted)."""
        return list(dict.fromkeys(self.table["group"]))

    def to_frame(self) -> pd.DataFrame:
        """The curve table (:data:`COLUMNS`), a copy."""
        return self.table.copy()

    def medians(self) -> pd.DataFrame:
        """Median time to the event by group, with its interval.

        Columns ``group``, ``n`` (persons at the start), ``events`` (events in the table),
        ``median``, ``median_low``, ``median_high``, ``reached`` (whether the curve falls to
        one half). ``median`` is NaN when the curve does not fall to one half within
        follow-up; ``median_high`` is NaN when the interval has no upper end within follow-up
        (so the median may lie beyond it). In a coarsened result, "within follow-up" means
        within the part that is shown.

        Notes
        -----
        The median is the first time at which the curve is below one half; where it is
        exactly one half over a stretch, the middle of that stretch, which ends at the next
        step or at the last time followed (R's ``quantile.survfit``; the usual median of
        uncensored data). The interval is the set of times whose pointwise interval
        holds one half (Brookmeyer & Crowley 1982, Biometrics 38:29–41): its ends are the
        first time whose interval holds one half and the first time after the last such
        time. This is statsmodels' ``SurvfuncRight.quantile_ci`` on the same transform, read
        off the same table as the curve, so the figure and this table cannot disagree.
        """
        rows = []
        for group, part in self.table.groupby("group", sort=False):
            median, low, high = _median(part)
            rows.append({"group": group, "n": int(part["at_risk"].iloc[0]),
                         "events": int(part["events"].sum()), "median": median,
                         "median_low": low, "median_high": high,
                         "reached": bool(np.isfinite(median))})
        return pd.DataFrame(rows, columns=["group", "n", "events", "median", "median_low",
                                           "median_high", "reached"])

    def at(self, times: Sequence[float] | np.ndarray | float) -> pd.DataFrame:
        """The curves at given times: the number at risk (the table under a Kaplan–Meier
        plot) and the estimate with its interval and band.

        Columns ``group``, ``time``, ``at_risk`` (persons still followed and without the
        event just before ``time``), ``survival``, ``low``, ``high``, ``band_low``,
        ``band_high``. Beyond the last time of a group's table the estimate is not defined
        (NaN); its number at risk is 0, or missing in a coarsened result (fewer than
        ``min_cell``, not shown).
        """
        points = np.atleast_1d(np.asarray(times, dtype=float))
        if points.ndim != 1 or not np.all(np.isfinite(points)) or np.any(points < 0):
            raise ArgumentError("times", "expected finite times ≥ 0")
        frames = []
        values = ["survival", "low", "high", "band_low", "band_high"]
        for group, part in self.table.groupby("group", sort=False):
            time = part["time"].to_numpy()
            last = np.searchsorted(time, points, side="right") - 1  # the row in force
            inside = (last >= 0) & (points <= time[-1])
            frame = pd.DataFrame({"group": group, "time": points})
            for column in values:
                column_values = part[column].to_numpy(dtype=float)
                frame[column] = np.where(inside, column_values[np.clip(last, 0, None)], np.nan)
            nxt = np.searchsorted(time, points, side="left")  # first row at or after
            risk = part["at_risk"].to_numpy()
            beyond = pd.NA if self.min_cell is not None else 0
            frame["at_risk"] = pd.array([int(risk[i]) if i < len(risk) else beyond
                                         for i in nxt], dtype="Int64")
            frames.append(frame[["group", "time", "at_risk", *values]])
        if not frames:  # a coarsened result that can show no group
            return pd.DataFrame(columns=["group", "time", "at_risk", *values])
        return pd.concat(frames, ignore_index=True)

    def coarsened(self, min_cell: int) -> SurvivalCurves:
        """The curves on whole units of time, without what fewer than ``min_cell`` persons
        would show: for a public report.

        Each time is rounded to the nearest whole unit (an assessment six calendar months
        after inclusion lies 5.95 to 6.05 months of 30.4375 days later; rounding up would
        split it over months 6 and 7) and the curves are estimated again from the rounded
        times, with their intervals and band. Then every row with fewer than ``min_cell``
        persons at risk is dropped: the tail of each curve, and a whole group with fewer
        than ``min_cell`` persons. The log-rank test is that of the rounded times, without
        the counts per group.

        Notes
        -----
        This keeps every step of a shown curve computed on at least ``min_cell`` persons. It
        does not make each count in the table at least ``min_cell``: a month's ``events`` or
        ``censored`` can be 1, and the difference of two numbers at risk shows how many left
        the risk set in between. A public table should show ``at_risk`` at a few times
        (:meth:`at`) and the curve, not the event counts.

        Examples
        --------
        >>> curves = kaplan_meier([1.2, 2.9, 3.1, 3.4, 4.8, 6.0, 6.1], [1, 1, 0, 1, 1, 0, 1])
        >>> curves.coarsened(3).to_frame()[["time", "at_risk", "survival"]]
           time  at_risk  survival
        0   0.0        7  1.000000
        1   1.0        7  0.857143
        2   3.0        6  0.571429
        3   5.0        3  0.380952
        """
        from .checks import whole

        k = whole("min_cell", min_cell, low=1)
        durations, events, groups = _expand(self.table)
        rounded = np.floor(durations + 0.5)
        fine = _fit(rounded, events, groups, self.level, self.transform)
        logrank = fine.logrank and replace(fine.logrank, table=None)
        kept = fine.table[fine.table["at_risk"] >= k].reset_index(drop=True)
        notes = list(self.notes)
        hidden = sorted(set(fine.table["group"]) - set(kept["group"]))
        notes.append(f"Times rounded to whole {self.time_unit or 'units'}; rows with fewer "
                     f"than {k} persons at risk are not shown.")
        if hidden:
            notes.append(f"Not shown, fewer than {k} persons: {', '.join(hidden)}.")
        return replace(self, table=kept, logrank=logrank, min_cell=k, notes=tuple(notes))

    def summary(self) -> str:
        """The method, each group's persons, events and median, and the log-rank test."""
        unit = self.time_unit
        lines = [f"Time to {self.event} (Kaplan–Meier){f' by {self.by}' if self.by else ''}, "
                 f"{unit or 'time'} since {self.origin}; {self.level:.0%} {self.transform} "
                 f"pointwise intervals and a {self.level:.0%} Hall–Wellner band for the whole "
                 f"curve."]
        for row in self.medians().itertuples(index=False):
            line = f"{row.group}: {row.n} persons, {row.events} events; "
            if row.reached:
                high = (f"{row.median_high:.3g}" if np.isfinite(row.median_high)
                        else "beyond follow-up")
                line += (f"median {row.median:.3g} {unit} ({self.level:.0%} interval "
                         f"{row.median_low:.3g} to {high})")
            else:
                line += ("median not reached: more than half had not had the event by the end "
                         "of follow-up")
                if np.isfinite(row.median_low):
                    line += (f"; its {self.level:.0%} interval starts at {row.median_low:.3g} "
                             f"{unit}")
            lines.append(line)
        if self.logrank is not None:
            lines.append(self.logrank.summary())
        elif len(self.groups) > 1:
            lines.append("No log-rank test: no group has an event.")
        if self.landmark is not None:
            lines.append(
                f"Landmark comparison: only persons without the event and still followed "
                f"{self.landmark:g} {unit} after {self.origin} are compared, grouped by whether "
                f"they received {self.by} in those {self.landmark:g} {unit}. Groups by whether "
                f"a person ever received it would credit the component with the time a person "
                f"had to stay without the event to receive it (immortal-time bias); and "
                f"receipt is not random, so this is an association, not an effect.")
        lines.extend(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        text = "".join(f"<p>{html.escape(s)}</p>" for s in self.summary().splitlines())
        return text + self.medians().to_html(index=False, na_rep="")

    def plot(self, ax: Axes | None = None) -> Axes:
        """The cumulative share with the event by group, with bands and medians."""
        from ..figures.survival import plot_survival

        return plot_survival(self, ax=ax)


def kaplan_meier(durations: Sequence[float] | np.ndarray | pd.Series,
                 events: Sequence[bool] | np.ndarray | pd.Series,
                 groups: Sequence[Any] | np.ndarray | pd.Series | None = None, *,
                 level: float = 0.95, transform: Transform = "log-log",
                 time_unit: str = "months", by: str | None = None) -> SurvivalCurves:
    """Kaplan–Meier curves by group, with intervals, a band, medians and a log-rank test.

    Parameters
    ----------
    durations
        Time from the start to the event, or to the end of follow-up (censoring); ≥ 0.
    events
        Whether the event was seen at ``durations`` (true, 1) or follow-up ended (false, 0).
    groups
        A group label per person (compared by the log-rank test); ``None`` for one curve.
    level
        Confidence level of the intervals, the band and the medians' intervals.
    transform
        The scale of the pointwise intervals (:data:`Transform`).
    time_unit, by
        Words for the result: the unit of ``durations`` and what the groups are.

    Returns
    -------
    SurvivalCurves
        The curves (:data:`COLUMNS`), medians, log-rank test.

    Notes
    -----
    The product-limit estimate S(t) = ∏ (1 − dⱼ/nⱼ) over event times tⱼ ≤ t (Kaplan & Meier
    1958, JASA 53:457–481), with Greenwood's variance S(t)² Σ dⱼ/(nⱼ(nⱼ − dⱼ)); both from
    statsmodels' ``SurvfuncRight``.

    Pointwise interval on the log-log scale: S^exp(± z σ), σ = se/(S |log S|); on the log
    scale S·exp(∓ z se/S), capped at 1. Transformed intervals keep their coverage at small
    numbers at risk far better than S ± z se (Borgan & Liestøl 1990, Scand J Stat 17:35–41).

    Band: Hall & Wellner (1980, Biometrika 67:133–143), log-transformed as in Klein &
    Moeschberger (2003, Survival Analysis, 2nd ed., §4.4): S^(1/θ) to S^θ with
    θ = exp(c (1 + n σ²) / (√n log S)), σ² the Greenwood sum Σ dⱼ/(nⱼ(nⱼ − dⱼ)) and n the
    group's persons. c is the ``level`` quantile of the supremum of a Brownian bridge on
    [0, 1] (Kolmogorov's distribution; 1.3581 at 95 %): the band for the whole range, and
    conservative on any part of it. statsmodels' ``simultaneous_cb`` puts the number at risk
    at each time where the band has n, and takes only 95 %; in simulation its coverage
    strayed further from 95 % (0.93 to 0.97) than this one's (0.94 to 0.96).

    Log-rank test: Mantel (1966); Peto & Peto (1972), as in statsmodels' ``survdiff``, with
    p from the chi-square upper tail (precise for small p). Observed and expected events per
    group are computed here (E = Σ over event times of dⱼ n_gj / nⱼ, as R's ``survdiff``).
    It has most power when one group's hazard is a constant multiple of another's; against
    curves that cross it can miss a difference the curves show plainly.

    Examples
    --------
    Freireich et al.'s (1963) 6-MP remission times in weeks (``+`` censored): 6, 6, 6, 6+, 7,
    9+, 10, 10+, 11+, 13, 16, 17+, 19+, 20+, 22, 23, 25+, 32+, 32+, 34+, 35+.

    >>> weeks = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    >>> seen = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> curves = kaplan_meier(weeks, seen, time_unit="weeks")
    >>> round(float(curves.at(13)["survival"].iloc[0]), 4)
    0.6902
    >>> curves.medians()[["n", "events", "median", "median_low", "median_high"]]
        n  events  median  median_low  median_high
    0  21       9    23.0        13.0          NaN
    """
    times, seen, labels = _arrays(durations, events, groups)
    level = _level(level)
    if transform not in TRANSFORMS:
        raise ArgumentError("transform", f"expected one of {', '.join(TRANSFORMS)}")
    curves = _fit(times, seen, labels, level, transform)
    return replace(curves, time_unit=time_unit, by=by if groups is not None else None)


def time_to_first_outcome(persons: pd.DataFrame, outcomes: pd.DataFrame,
                          activities: pd.DataFrame | None = None, *, as_of: Any,
                          outcome: str | None = None, by: str | None = None,
                          landmark: float = LANDMARK_MONTHS,
                          level: float = 0.95) -> SurvivalCurves:
    """Months from inclusion until a person is first assessed as having achieved an outcome.

    Parameters
    ----------
    persons
        The persons table (CONTRACT §3): ``person_id``, ``included``, ``inclusion_date`` and
        the ``by`` column.
    outcomes
        The outcomes table: ``person_id``, ``assessed_on``, ``outcome``, ``achieved``.
    activities
        The activities table (``person_id``, ``date``, ``component``); needed when ``by`` is
        a component.
    as_of
        The date of the analysis: inclusions and assessments after it are not yet known.
    outcome
        One outcome (:data:`OUTCOMES`); ``None`` for the first of any.
    by
        A person column (:data:`PERSON_COLUMNS`), a component (:data:`COMPONENTS`), or
        ``None`` for one curve.
    landmark
        With a component: the months after inclusion within which it counts as received.

    Returns
    -------
    SurvivalCurves
        Curves in months since inclusion (the time of every included person with at least one
        assessment after inclusion by ``as_of``).

    Notes
    -----
    *The event* is the first assessment after the inclusion date, and by ``as_of``, at which
    the outcome (any outcome) is recorded as achieved. An assessment on the day of inclusion
    describes where the person starts and is not counted.

    *Time in whole months*: the days from inclusion to the assessment over 30.4375, rounded
    to the nearest whole month. Assessments are scheduled in months, and the six-month
    assessments of different persons fall 181 to 184 days after inclusion. In days, a person
    censored at day 181 would leave the risk set before another's outcome at day 184 of the
    same round, and the share with the outcome would come out too high (in the synthetic
    programme 0.293 for 0.274 at six months, 30 programmes). In whole months they tie, and at
    a tie the Kaplan–Meier estimate counts the outcomes among all assessed then. An outcome
    recorded within half a month of inclusion is at month 0.

    *Censoring at the last assessment, not at* ``as_of``. An outcome is only seen at an
    assessment. A person last assessed in March without the outcome may have reached it in
    April, and nobody would know until the next assessment; counting the months from March
    to ``as_of`` as months without the outcome would make outcomes look slower than they
    are. So a person without the outcome is censored at the last assessment by ``as_of``.
    Included persons with no assessment after inclusion have no follow-up and are not in the
    curves (the notes count them).

    *What the times mean.* The outcome was reached some time between the assessment before
    and the one that recorded it: the times are when it was first seen, an upper bound, and
    with assessments at fixed months the curve steps only at those months. Estimating the
    time of reaching it (interval censoring, Turnbull's estimator) is out of scope.

    *Groups by component: a landmark comparison.* Whether a person "received the component
    before the event" depends on the time to the event: a person must stay without the
    outcome long enough to receive it, so naive groups by receipt credit the component with
    that time (immortal-time bias; Suissa 2008, Am J Epidemiol 167:492–499). Instead,
    receipt is fixed at a landmark (Anderson, Cain & Gelber 1983, J Clin Oncol 1:710–719):
    whether the person received the component within ``landmark`` months after inclusion.
    Only persons still without the outcome and followed beyond the landmark are compared;
    the curves are conditional on reaching it, and time is still counted from inclusion.
    Receipt is not random: persons who take up a component differ from those who do not,
    so the comparison is an association, not the component's effect.

    Examples
    --------
    >>> persons = pd.DataFrame({
    ...     "person_id": ["a", "b", "c", "d"], "included": [True, True, True, False],
    ...     "inclusion_date": pd.to_datetime(["2021-01-04", "2021-02-01", "2021-03-01", None])})
    >>> outcomes = pd.DataFrame({
    ...     "person_id": ["a", "a", "b", "c"],
    ...     "assessed_on": pd.to_datetime(["2021-07-04", "2022-01-04", "2021-08-01",
    ...                                    "2021-09-01"]),
    ...     "outcome": "employment", "achieved": [False, True, False, True]})
    >>> curves = time_to_first_outcome(persons, outcomes, as_of="2021-12-31")
    >>> curves.to_frame()[["time", "at_risk", "events", "censored", "survival"]]
       time  at_risk  events  censored  survival
    0   0.0        3       0         0  1.000000
    1   6.0        3       1         2  0.666667

    Person ``a``'s assessment of January 2022 is after ``as_of``: ``a`` is censored at the
    July assessment (181 days, month 6), as is ``b``; ``c`` reached employment at 184 days,
    month 6 too, when all three were assessed; ``d`` was not included.
    """
    as_of_day = _as_of(as_of)
    if outcome is not None and outcome not in OUTCOMES:
        raise ArgumentError("outcome", f"expected one of {', '.join(OUTCOMES)}, or None for "
                                       f"any")
    if by is not None and by not in PERSON_COLUMNS + COMPONENTS:
        raise ArgumentError("by", f"expected a person column ({', '.join(PERSON_COLUMNS)}) or "
                                  f"a component ({', '.join(COMPONENTS)})")
    component = by if by in COMPONENTS else None
    if component is not None and activities is None:
        raise ArgumentError("activities", f"needed to group by the component {by!r}")
    landmark = _positive("landmark", landmark)
    follow = _follow_up(persons, outcomes, as_of_day, outcome, by if component is None else None)
    notes = list(follow.notes)
    table = follow.table
    if component is not None:
        assert activities is not None
        table, left_out = _landmark_groups(table, activities, component, landmark, as_of_day)
        if left_out:
            notes.append(f"{left_out} person(s) with the outcome or their last assessment "
                         f"within {landmark:g} months of inclusion are not in the landmark "
                         f"comparison.")
    if table.empty:
        raise ArgumentError("outcomes", f"no included person has an assessment after "
                                        f"inclusion by {as_of_day.date()}")
    groups = table["group"].to_numpy() if by is not None else None
    curves = kaplan_meier(table["months"].to_numpy(), table["event"].to_numpy(), groups,
                          level=level, time_unit="months", by=by)
    event = outcome.replace("_", " ") if outcome else "first outcome"
    return replace(curves, event=event, origin="inclusion",
                   landmark=landmark if component else None,
                   notes=tuple(notes))


# --- the computation -------------------------------------------------------------------------


def _fit(times: np.ndarray, seen: np.ndarray, labels: np.ndarray, level: float,
         transform: Transform) -> SurvivalCurves:
    """Curves for each label, and the log-rank test across them."""
    from scipy.stats import kstwobign, norm

    names = sorted(set(labels.tolist()))
    z, critical = float(norm.ppf(0.5 + level / 2)), float(kstwobign.ppf(level))
    parts = [_curve(times[labels == name], seen[labels == name], z, critical, transform)
             for name in names]
    columns: dict[str, Any] = {"group": np.repeat(np.array(names, dtype=object),
                                                  [len(p["time"]) for p in parts])}
    for column in COLUMNS[1:]:
        columns[column] = np.concatenate([p[column] for p in parts])
    logrank = _logrank(times, seen, labels, names) if len(names) > 1 else None
    return SurvivalCurves(table=pd.DataFrame(columns), logrank=logrank, level=level,
                          transform=transform)


def _curve(time: np.ndarray, seen: np.ndarray, z: float, critical: float,
           transform: Transform) -> dict[str, np.ndarray]:
    """One group's curve at each distinct time (and at 0), with intervals and band."""
    from statsmodels.duration.survfunc import SurvfuncRight

    n = len(time)
    distinct, where = np.unique(time, return_inverse=True)
    events = np.bincount(where, weights=seen, minlength=len(distinct)).astype(int)
    leaving = np.bincount(where, minlength=len(distinct))
    at_risk = n - (np.cumsum(leaving) - leaving)
    if distinct[0] > 0:  # the curve starts at 1 at time 0
        distinct, events = np.r_[0.0, distinct], np.r_[0, events]
        leaving, at_risk = np.r_[0, leaving], np.r_[n, at_risk]
    fit = SurvfuncRight(time, seen)
    # Before the first event (and throughout, without one) the curve is 1 with no error.
    step = np.searchsorted(fit.surv_times, distinct, side="right") - 1
    survival, se = np.ones(len(distinct)), np.zeros(len(distinct))
    after = step >= 0
    survival[after], se[after] = fit.surv_prob[step[after]], fit.surv_prob_se[step[after]]
    low, high = _pointwise(survival, se, z, transform)
    band_low, band_high = hall_wellner(survival, se, n, critical=critical)
    return {"time": distinct.astype(float), "at_risk": at_risk.astype(int),
            "events": events, "censored": (leaving - events).astype(int),
            "survival": survival, "low": low, "high": high,
            "band_low": band_low, "band_high": band_high}


def _pointwise(survival: np.ndarray, se: np.ndarray, z: float,
               transform: Transform) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval; 1 to 1 before the first event, NaN once the curve is 0."""
    inside = (survival > 0) & (survival < 1) & np.isfinite(se)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if transform == "log-log":
            sigma = se / (survival * -np.log(survival))
            low, high = survival ** np.exp(z * sigma), survival ** np.exp(-z * sigma)
        else:
            sigma = se / survival
            low, high = survival * np.exp(-z * sigma), np.minimum(1.0, survival
                                                                   * np.exp(z * sigma))
    start = survival >= 1
    return (np.where(start, 1.0, np.where(inside, low, np.nan)),
            np.where(start, 1.0, np.where(inside, high, np.nan)))


def hall_wellner(survival: np.ndarray, se: np.ndarray, n: float | np.ndarray, *,
                 level: float = 0.95, critical: float | None = None,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The log-transformed Hall–Wellner band for a Kaplan–Meier curve.

    Parameters
    ----------
    survival, se
        The estimate and its Greenwood standard error at each time.
    n
        Persons in the group (statsmodels' ``simultaneous_cb`` passes the number at risk at
        each time instead).
    level
        The band's confidence level, for ``critical`` when it is not given.
    critical
        The critical value; default: the ``level`` quantile of Kolmogorov's distribution.

    Returns
    -------
    tuple of arrays
        Lower and upper ends: 1 where the estimate is 1, NaN where it is 0.

    Examples
    --------
    S = 0.8 with se 0.08 in a group of 25: σ² = 0.01, θ = exp(1.3581 · 1.25 / (5 · log 0.8))
    = 0.2184, and the band is 0.8^(1/θ) to 0.8^θ.

    >>> low, high = hall_wellner(np.array([0.8]), np.array([0.08]), 25)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.3599, 0.9524)
    """
    if critical is None:
        from scipy.stats import kstwobign

        critical = float(kstwobign.ppf(level))
    inside = (survival > 0) & (survival < 1) & np.isfinite(se)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        greenwood = (se / survival) ** 2
        theta = np.exp(critical * (1 + n * greenwood) / (np.sqrt(n) * np.log(survival)))
        low, high = survival ** (1 / theta), survival ** theta
    start = survival >= 1
    return (np.where(start, 1.0, np.where(inside, low, np.nan)),
            np.where(start, 1.0, np.where(inside, high, np.nan)))


def _logrank(times: np.ndarray, seen: np.ndarray, labels: np.ndarray,
             names: list[str]) -> LogRank | None:
    """statsmodels' log-rank statistic, with observed and expected events per group."""
    from scipy.stats import chi2
    from statsmodels.duration.survfunc import survdiff

    if not seen.any():
        return None
    event_times, deaths = np.unique(times[seen == 1], return_counts=True)
    at_risk_all = len(times) - np.searchsorted(np.sort(times), event_times, side="left")
    rows = []
    for name in names:
        mine = labels == name
        mine_sorted = np.sort(times[mine])
        at_risk = mine.sum() - np.searchsorted(mine_sorted, event_times, side="left")
        rows.append({"group": name, "n": int(mine.sum()), "observed": int(seen[mine].sum()),
                     "expected": float(np.sum(deaths * at_risk / at_risk_all))})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            statistic, _ = survdiff(times, seen, labels)
    except np.linalg.LinAlgError:  # a group without anyone at risk at any event time
        return None
    statistic = float(statistic)
    if not math.isfinite(statistic):
        return None
    df = len(names) - 1
    return LogRank(statistic=statistic, df=df, p_value=float(chi2.sf(statistic, df)),
                   table=pd.DataFrame(rows, columns=["group", "n", "observed", "expected"]))


def _median(part: pd.DataFrame) -> tuple[float, float, float]:
    """Median, and its interval's ends, read off one group's curve table."""
    time = part["time"].to_numpy(dtype=float)
    survival = part["survival"].to_numpy(dtype=float)
    below = survival < 0.5 - _HALF_TOLERANCE
    half = np.abs(survival - 0.5) <= _HALF_TOLERANCE
    median = math.nan
    if half.any():
        start = time[np.argmax(half)]
        later = time[below & (time > start)]
        median = float((start + (later[0] if later.size else time[-1])) / 2)
    elif below.any():
        median = float(time[np.argmax(below)])
    with np.errstate(invalid="ignore"):
        holds = (part["low"].to_numpy(dtype=float) <= 0.5) & (
            part["high"].to_numpy(dtype=float) >= 0.5)
    if not holds.any():
        return median, math.nan, math.nan
    first = int(np.argmax(holds))
    last = len(holds) - 1 - int(np.argmax(holds[::-1]))
    high = float(time[last + 1]) if last + 1 < len(time) else math.nan
    return median, float(time[first]), high


def _expand(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Durations, events and groups that give ``table`` (one per person, from the counts)."""
    counts = table["events"].to_numpy() + table["censored"].to_numpy()
    durations = np.repeat(table["time"].to_numpy(dtype=float), counts)
    events = np.concatenate([np.r_[np.ones(e), np.zeros(c)] for e, c in
                             zip(table["events"], table["censored"], strict=True)])
    groups = np.repeat(table["group"].to_numpy(dtype=object).astype(str), counts)
    return durations, events, groups


# --- arguments and tables --------------------------------------------------------------------


def _arrays(durations: Any, events: Any,
            groups: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    try:
        times = np.asarray(durations, dtype=float)
    except (TypeError, ValueError):
        raise ArgumentError("durations", "expected numbers") from None
    if times.ndim != 1 or not len(times):
        raise ArgumentError("durations", "expected a sequence of one or more times")
    if not np.all(np.isfinite(times)) or np.any(times < 0):
        raise ArgumentError("durations", "expected finite times ≥ 0 (no missing values)")
    raw = np.asarray(events)
    if raw.shape != times.shape:
        raise ArgumentError("events", f"expected one value per duration ({len(times)})")
    try:
        seen = raw.astype(float)
    except (TypeError, ValueError):
        raise ArgumentError("events", "expected true/false or 1/0") from None
    if not np.all(np.isin(seen, (0.0, 1.0))):
        raise ArgumentError("events", "expected true/false or 1/0")
    if groups is None:
        labels = np.full(len(times), "all", dtype=object)
    else:
        values = pd.Series(np.asarray(groups, dtype=object))
        if len(values) != len(times):
            raise ArgumentError("groups", f"expected one label per duration ({len(times)})")
        if values.isna().any():
            raise ArgumentError("groups", "expected a label for every duration (no missing "
                                          "values)")
        labels = values.astype(str).to_numpy(dtype=object)
    return times, seen, labels


def _level(level: object) -> float:
    from .checks import finite

    value = finite("level", level)
    if not 0 < value < 1:
        raise ArgumentError("level", "expected a number strictly between 0 and 1")
    return value


def _positive(name: str, value: object) -> float:
    from .checks import finite

    return finite(name, value, above=0.0)


def _as_of(as_of: Any) -> pd.Timestamp:
    try:
        day = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ArgumentError("as_of", "expected a date (YYYY-MM-DD)") from None
    if pd.isna(day):
        raise ArgumentError("as_of", "expected a date (YYYY-MM-DD)")
    return day.normalize()


@dataclass(frozen=True)
class _FollowUp:
    """One row per included person with follow-up: ``person_id``, ``inclusion_date``,
    ``months``, ``event`` and ``group``; and notes on who is left out."""

    table: pd.DataFrame
    notes: tuple[str, ...]


def _need(frame: pd.DataFrame, name: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ArgumentError(name, f"expected the column(s) {', '.join(map(repr, missing))}")


def _follow_up(persons: pd.DataFrame, outcomes: pd.DataFrame, as_of: pd.Timestamp,
               outcome: str | None, column: str | None) -> _FollowUp:
    _need(persons, "persons", ["person_id", "included", "inclusion_date",
                               *([column] if column else [])])
    _need(outcomes, "outcomes", ["person_id", "assessed_on", "outcome", "achieved"])
    people = persons[["person_id", "included", "inclusion_date",
                      *([column] if column else [])]].copy()
    people["inclusion_date"] = pd.to_datetime(people["inclusion_date"]).dt.normalize()
    people = people[people["included"].astype(bool) & people["inclusion_date"].notna()
                    & (people["inclusion_date"] <= as_of)]
    people["group"] = "all" if column is None else people[column]
    notes = []
    if column is not None and people["group"].isna().any():
        notes.append(f"{int(people['group'].isna().sum())} included person(s) without a "
                     f"{column} are not in the curves.")
        people = people[people["group"].notna()]
    people["group"] = people["group"].astype(str)
    seen = outcomes[["person_id", "assessed_on", "outcome", "achieved"]].copy()
    seen["assessed_on"] = pd.to_datetime(seen["assessed_on"]).dt.normalize()
    if outcome is not None:
        seen = seen[seen["outcome"] == outcome]
    seen = seen[seen["assessed_on"] <= as_of].merge(
        people[["person_id", "inclusion_date"]], on="person_id", how="inner")
    seen = seen[seen["assessed_on"] > seen["inclusion_date"]]
    last = seen.groupby("person_id")["assessed_on"].max()
    first = seen[seen["achieved"].astype(bool)].groupby("person_id")["assessed_on"].min()
    followed = people[people["person_id"].isin(last.index)].copy()
    without = len(people) - len(followed)
    if without:
        notes.append(f"{without} included person(s) had no assessment after inclusion by "
                     f"{as_of.date()} and are not in the curves.")
    end = followed["person_id"].map(first).fillna(followed["person_id"].map(last))
    followed["event"] = followed["person_id"].isin(first.index).astype(float)
    followed["months"] = np.floor((end - followed["inclusion_date"]).dt.days / MONTH_DAYS + 0.5)
    return _FollowUp(followed[["person_id", "inclusion_date", "months", "event", "group"]]
                     .reset_index(drop=True), tuple(notes))


def _landmark_groups(table: pd.DataFrame, activities: pd.DataFrame, component: str,
                     landmark: float, as_of: pd.Timestamp) -> tuple[pd.DataFrame, int]:
    """Persons followed beyond the landmark, grouped by receipt of ``component`` before it."""
    _need(activities, "activities", ["person_id", "date", "component"])
    kept = table[table["months"] > landmark].copy()
    sessions = activities.loc[activities["component"] == component, ["person_id", "date"]]
    sessions = sessions.assign(date=pd.to_datetime(sessions["date"]).dt.normalize()).merge(
        kept[["person_id", "inclusion_date"]], on="person_id", how="inner")
    days = (sessions["date"] - sessions["inclusion_date"]).dt.days
    early = sessions[(days >= 0) & (days <= landmark * MONTH_DAYS)
                     & (sessions["date"] <= as_of)]
    kept["group"] = np.where(kept["person_id"].isin(early["person_id"]), "received",
                             "not_received")
    return kept.reset_index(drop=True), len(table) - len(kept)


def _p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


__all__ = ["COLUMNS", "COMPONENTS", "LANDMARK_MONTHS", "MONTH_DAYS", "OUTCOMES",
           "PERSON_COLUMNS", "TRANSFORMS", "LogRank", "SurvivalCurves", "Transform",
           "hall_wellner", "kaplan_meier", "time_to_first_outcome"]
