"""Outcomes of the programme: who got how far, how many achieved what, and which programme
components go with achieving it.

Three questions, one result type each. :func:`outcome_funnel` follows the persons contacted
through inclusion and assessment to each outcome achieved, counting distinct persons at every
step, so that no one is counted twice and the drop between steps is a number of persons.
:func:`outcome_rates` gives, for each outcome, the share of the persons assessed for it who
achieved it, with a Wilson interval (as :mod:`.conversion` does for inclusion): 3 of 4 is not
the evidence 30 of 40 is. :func:`component_associations` compares the persons who had received
a component before their last assessment of an outcome with those who had not, in a logistic
regression adjusted for the organisation, the contact channel and the time in the programme,
and says with an E-value (VanderWeele & Ding 2017) how strong a characteristic left out of the
regression would have to be to explain each association away.

These are associations, not effects. Who receives a component is not random: a person who is
more stable, more motivated or in contact for longer takes part in more of the programme and
may achieve more anyway, and a worker offers a course to those they expect to benefit. The
regression holds fixed only the differences it is given.

No result holds a person id or a single person's date: every table is counts of distinct
persons and statistics computed from them.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ArgumentError
from .checks import summary_html
from .conversion import MIN_EVENTS, wilson_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The outcomes of CONTRACT §3, in the order tables list them (others follow, sorted).
OUTCOMES: tuple[str, ...] = ("employment", "education", "own_housing", "substance_treatment",
                             "stopped_selling", "improved_wellbeing")
#: The programme components of CONTRACT §3 (``other`` is not an exposure by default).
COMPONENTS: tuple[str, ...] = ("group_course", "individual_conversation", "accompaniment",
                               "home_visit", "bisidning")
#: The group that holds every person, in tables by a column.
ALL = "all"
#: An outcome achieved by fewer than this share of the persons fitted is rare: its odds ratio
#: approximates the risk ratio (VanderWeele & Ding 2017, Table 2; EValue's ``rare``).
RARE = 0.15
#: Days in an average month (the time in the programme is in months).
DAYS_PER_MONTH = 365.25 / 12
#: The name of the time-in-programme covariate in ``adjusted_for``.
MONTHS = "months_in_programme"
#: A log odds ratio beyond ±this is a fit that ran off towards infinity (separation).
MAX_LOG_ODDS = 15.0

#: Exposure name → (the components that count, the fewest sessions that make it received).
Exposures = Mapping[str, tuple[Sequence[str], int]]


# --- E-values ---------------------------------------------------------------------------------


def e_value(rr: float, low: float | None = None,
            high: float | None = None) -> tuple[float, float | None]:
    """The E-value of a risk ratio, and of the limit of its interval closest to 1.

    The E-value is the smallest strength of association, on the risk-ratio scale, that an
    unmeasured confounder would need with both the exposure and the outcome (beyond the
    covariates adjusted for) to explain the observed risk ratio away; weaker confounding
    could not (VanderWeele & Ding 2017).

    Parameters
    ----------
    rr
        The risk ratio (> 0).
    low, high
        Its interval. Only the limit closest to 1 is used: ``low`` when ``rr`` ≥ 1, ``high``
        when ``rr`` < 1.

    Returns
    -------
    tuple
        The E-value of ``rr``; the E-value of the limit closest to 1 (1 when the interval
        holds 1, ``None`` when that limit is not given).

    Notes
    -----
    E = RR + √(RR·(RR − 1)) for RR ≥ 1, and the same of 1/RR for RR < 1 (VanderWeele, T. J.
    & Ding, P. (2017). Sensitivity analysis in observational research: introducing the
    E-value. *Annals of Internal Medicine* 167:268–274). An odds ratio or hazard ratio is first
    converted to a risk ratio (:func:`risk_ratio_from_odds`).

    Examples
    --------
    The paper's example (formula feeding and infant death, RR 3.9, 95 % CI 1.8 to 8.7):

    >>> point, limit = e_value(3.9, 1.8, 8.7)
    >>> round(point, 2), round(limit, 2)
    (7.26, 3.0)
    >>> e_value(0.8, 0.6, 1.1)[1]  # the interval holds 1
    1.0
    """
    _positive(rr, "rr")
    if low is not None:
        _positive(low, "low")
        if low > rr:
            raise ArgumentError("low", "expected a lower limit no larger than rr")
    if high is not None:
        _positive(high, "high")
        if high < rr:
            raise ArgumentError("high", "expected an upper limit no smaller than rr")
    limit = low if rr >= 1 else high
    if limit is None:
        return _e(rr), None
    holds_one = limit <= 1 if rr >= 1 else limit >= 1
    return _e(rr), 1.0 if holds_one else _e(limit)


def risk_ratio_from_odds(odds_ratio: float, *, rare: bool) -> float:
    """The risk ratio an odds ratio stands for, as VanderWeele recommends for E-values.

    For a rare outcome (below 15 % at the end of follow-up) the odds ratio approximates the
    risk ratio; for a common one, its square root does (VanderWeele, T. J. (2017). On a
    square-root transformation of the odds ratio for a common outcome. *Epidemiology*
    28:e58–e60; the ``rare = FALSE`` conversion of R's EValue).

    Examples
    --------
    >>> risk_ratio_from_odds(4.0, rare=False), risk_ratio_from_odds(4.0, rare=True)
    (2.0, 4.0)
    """
    _positive(odds_ratio, "odds_ratio")
    return float(odds_ratio) if rare else math.sqrt(odds_ratio)


def _e(ratio: float) -> float:
    ratio = max(ratio, 1.0 / ratio)
    return float(ratio + math.sqrt(ratio * (ratio - 1.0)))


def _positive(value: float, name: str) -> None:
    if not (isinstance(value, int | float | np.number) and math.isfinite(value) and value > 0):
        raise ArgumentError(name, "expected a finite ratio > 0")


# --- the funnel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    """Distinct persons at each step from first contact to each outcome achieved.

    Attributes
    ----------
    by
        The persons column the table is split by (``organisation``, ``contact_channel``), or
        ``None``.
    table
        One row per group and step: ``group`` (:data:`ALL` for every person, then each
        category of ``by``), ``step`` (``contacted``, ``included``, ``assessed``,
        ``achieved``), ``outcome`` (for ``achieved``; empty otherwise), ``persons`` (distinct
        persons at the step), ``from_persons`` (persons at the step before: for ``achieved``,
        the persons included and assessed for that outcome), ``lost`` (``from_persons`` −
        ``persons``) and ``share_lost`` (``lost`` / ``from_persons``). ``contacted`` loses no
        one. A person achieved an outcome if any of their assessments of it says so.
    outcomes
        The outcomes in the table, in its order.
    assessed_not_included
        Persons with an assessment who were not included: they are in no step after
        ``included``.
    """

    by: str | None
    table: pd.DataFrame
    outcomes: tuple[str, ...]
    assessed_not_included: int = 0

    def to_frame(self) -> pd.DataFrame:
        """The table (see the class attributes)."""
        return self.table.copy()

    def summary(self) -> str:
        """The funnel of every person in a few lines of plain text."""
        overall = self.table[self.table["group"] == ALL]
        lines = ["From first contact to outcomes (distinct persons):"]
        for row in overall.itertuples(index=False):
            if row.step == "contacted":
                lines.append(f"contacted: {row.persons}")
            elif row.step == "achieved":
                lines.append(f"achieved {row.outcome}: {row.persons} of the {row.from_persons} "
                             f"assessed for it ({_share(row.persons, row.from_persons)})")
            else:
                lines.append(f"{row.step}: {row.persons} (lost {row.lost}, "
                             f"{_share(row.lost, row.from_persons)} of the step before)")
        if self.by is not None:
            groups = [g for g in self.table["group"].unique() if g != ALL]
            lines.append(f"By {self.by}: {len(groups)} groups ({', '.join(map(str, groups))}); "
                         "see to_frame().")
        if self.assessed_not_included:
            lines.append(f"{self.assessed_not_included} person(s) assessed but not included are "
                         "left out after the inclusion step.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bars of persons at each step, with the drop from the step before."""
        from ..figures.outcomes import plot_funnel

        return plot_funnel(self, ax=ax)


def outcome_funnel(persons: pd.DataFrame, outcomes: pd.DataFrame,
                   by: str | None = None) -> Funnel:
    """Contacted → included → assessed → achieved each outcome, in distinct persons.

    Parameters
    ----------
    persons
        One row per person contacted: ``person_id``, ``included`` and the ``by`` column.
    outcomes
        One row per assessment: ``person_id``, ``outcome``, ``achieved``.
    by
        A persons column to split by (``organisation``, ``contact_channel``); a person
        without a value is in ``unknown``.

    Returns
    -------
    Funnel
        Its ``to_frame()`` has ``group``, ``step``, ``outcome``, ``persons``,
        ``from_persons``, ``lost``, ``share_lost``.

    Notes
    -----
    Every count is of distinct persons: a person assessed twice is one person assessed, and a
    person achieved an outcome if any assessment of it says achieved. ``assessed`` counts the
    persons included with at least one assessment (of any outcome); each outcome's
    ``achieved`` step starts from the persons included and assessed for that outcome. Each
    person is in one group, so the groups add up to :data:`ALL` at every step.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["a", "b", "c", "d"],
    ...                         "included": [True, True, True, False]})
    >>> outcomes = pd.DataFrame({"person_id": ["a", "a", "b"],
    ...                          "outcome": ["employment"] * 3,
    ...                          "achieved": [False, True, False]})
    >>> funnel = outcome_funnel(persons, outcomes)
    >>> funnel.to_frame()[["step", "persons", "lost"]].values.tolist()
    [['contacted', 4, 0], ['included', 3, 1], ['assessed', 2, 1], ['achieved', 1, 1]]
    """
    people = _persons(persons, by)
    assessments, names = _assessments(outcomes, people)
    included_ids = set(people.index[people["included"]])
    not_included = int(assessments.loc[~assessments["person_id"].isin(included_ids),
                                       "person_id"].nunique())
    assessments = assessments[assessments["person_id"].isin(included_ids)]
    groups: list[tuple[str, pd.Index]] = [(ALL, people.index)]
    if by is not None:
        groups += [(str(g), people.index[people["group"] == g])
                   for g in sorted(people["group"].unique())]
    rows: list[dict[str, Any]] = []
    for group, ids in groups:
        mine = people.loc[ids]
        theirs = assessments[assessments["person_id"].isin(ids)]
        contacted, included = len(mine), int(mine["included"].sum())
        assessed = int(theirs["person_id"].nunique())
        rows.append(_step(group, "contacted", None, contacted, contacted))
        rows.append(_step(group, "included", None, included, contacted))
        rows.append(_step(group, "assessed", None, assessed, included))
        per_person = theirs.groupby(["outcome", "person_id"])["achieved"].any()
        counts = per_person.groupby(level="outcome").agg(["size", "sum"])
        for outcome in names:
            assessed_for, achieved = (counts.loc[outcome] if outcome in counts.index
                                      else (0, 0))
            rows.append(_step(group, "achieved", outcome, int(achieved), int(assessed_for)))
    table = pd.DataFrame(rows, columns=["group", "step", "outcome", "persons", "from_persons",
                                        "lost", "share_lost"])
    return Funnel(by, table, names, not_included)


def _step(group: str, step: str, outcome: str | None, persons: int,
          before: int) -> dict[str, Any]:
    lost = before - persons
    return {"group": group, "step": step, "outcome": outcome or "", "persons": persons,
            "from_persons": before, "lost": lost,
            "share_lost": lost / before if before else math.nan}


# --- rates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRates:
    """The share of the persons assessed for each outcome who achieved it.

    Attributes
    ----------
    by
        The persons column the table is split by, or ``None``.
    table
        One row per group and outcome: ``group`` (:data:`ALL`, then each category of
        ``by``), ``outcome``, ``assessed`` (persons included and assessed for it),
        ``achieved`` (those of them with any assessment saying achieved), ``share``,
        ``share_low``, ``share_high`` (Wilson interval at ``level``), ``enough`` (at least
        ``min_events`` persons achieved it and at least ``min_events`` did not).
    level
        The level of the intervals.
    min_events
        The rule for ``enough``: a share from fewer is shown, with its wide interval, but is
        too few to compare.
    """

    by: str | None
    table: pd.DataFrame
    level: float
    min_events: int = MIN_EVENTS

    def to_frame(self) -> pd.DataFrame:
        """The table (see the class attributes)."""
        return self.table.copy()

    def summary(self) -> str:
        """Each outcome's share achieved, in a few lines of plain text."""
        lines = [f"Outcomes achieved among the persons included and assessed for each "
                 f"(Wilson {self.level:.0%} intervals):"]
        for row in self.table.itertuples(index=False):
            where = "" if row.group == ALL else f" [{self.by} {row.group}]"
            line = (f"{row.outcome}{where}: {row.achieved} of {row.assessed} "
                    f"({_share(row.achieved, row.assessed)}")
            if row.assessed:
                line += f", {row.share_low:.0%} to {row.share_high:.0%}"
            line += ")"
            if not row.enough:
                line += f", too few to tell (fewer than {self.min_events} either way)"
            lines.append(line)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Each outcome's share achieved with its interval."""
        from ..figures.outcomes import plot_outcome_rates

        return plot_outcome_rates(self, ax=ax)


def outcome_rates(persons: pd.DataFrame, outcomes: pd.DataFrame, by: str | None = None,
                  level: float = 0.95) -> OutcomeRates:
    """For each outcome, the share of the persons included and assessed for it who achieved
    it, with a Wilson interval; overall and by a persons column.

    Parameters
    ----------
    persons
        One row per person contacted: ``person_id``, ``included`` and the ``by`` column.
    outcomes
        One row per assessment: ``person_id``, ``outcome``, ``achieved``.
    by
        A persons column to split by (``organisation``, ``contact_channel``).
    level
        Level of the intervals.

    Returns
    -------
    OutcomeRates
        Its ``to_frame()`` has ``group``, ``outcome``, ``assessed``, ``achieved``, ``share``,
        ``share_low``, ``share_high``, ``enough``.

    Notes
    -----
    A person counts once per outcome: achieved if any of their assessments of it says so.
    A person assessed twice has had two chances, so the share is "achieved by the last
    assessment", not "at a given time"; :func:`component_associations` uses the last
    assessment and the time in the programme. The Wilson score interval is
    :func:`~exitanalysis.models.conversion.wilson_interval` (Wilson 1927; Newcombe 1998).

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": list("abcdef"), "included": True})
    >>> outcomes = pd.DataFrame({"person_id": list("abcdef"), "outcome": "employment",
    ...                          "achieved": [True, True, False, False, False, False]})
    >>> row = outcome_rates(persons, outcomes).to_frame().iloc[0]
    >>> int(row.achieved), int(row.assessed), round(float(row.share_low), 3), bool(row.enough)
    (2, 6, 0.097, False)
    """
    _level(level)
    people = _persons(persons, by)
    assessments, names = _assessments(outcomes, people)
    assessments = assessments[assessments["person_id"].isin(people.index[people["included"]])]
    per_person = (assessments.groupby(["outcome", "person_id"])["achieved"].any()
                  .rename("achieved").reset_index())
    per_person["group"] = people.loc[per_person["person_id"], "group"].to_numpy()
    groups = [ALL] + ([str(g) for g in sorted(people["group"].unique())] if by else [])
    rows = []
    for group in groups:
        mine = per_person if group == ALL else per_person[per_person["group"] == group]
        counts = mine.groupby("outcome")["achieved"].agg(["size", "sum"])
        for outcome in names:
            assessed, achieved = ((int(counts.loc[outcome, "size"]),
                                   int(counts.loc[outcome, "sum"]))
                                  if outcome in counts.index else (0, 0))
            rows.append({"group": group, "outcome": outcome, "assessed": assessed,
                         "achieved": achieved})
    table = pd.DataFrame(rows, columns=["group", "outcome", "assessed", "achieved"])
    table["share"] = table["achieved"] / table["assessed"].where(table["assessed"] > 0)
    low, high = wilson_interval(table["achieved"].to_numpy(), table["assessed"].to_numpy(),
                                level)
    table["share_low"], table["share_high"] = low, high
    table["enough"] = ((table["achieved"] >= MIN_EVENTS)
                       & (table["assessed"] - table["achieved"] >= MIN_EVENTS))
    return OutcomeRates(by, table, level, MIN_EVENTS)


# --- components and outcomes ------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentAssociations:
    """Odds ratios of achieving an outcome for persons who had received each component
    before their last assessment of it, against those who had not; with E-values.

    Associations, not effects: who receives a component is not random.

    Attributes
    ----------
    outcome
        The outcome.
    table
        One row per exposure (a component, or several counted together): ``exposure``,
        ``components`` (the components that count, joined by ``+``), ``min_sessions``
        (sessions before the assessment that make it received), ``exposed`` and
        ``exposed_achieved`` (persons who had received it, and those of them who achieved the
        outcome at their last assessment), ``unexposed`` and ``unexposed_achieved``,
        ``enough`` (each of the four cells exposed/unexposed × achieved/not holds at least
        ``min_events`` persons), ``odds_ratio``, ``or_low``, ``or_high`` (Wald interval at
        ``level``), ``p_value`` (Wald test of OR = 1), ``risk_ratio``, ``rr_low``,
        ``rr_high`` (the odds ratio converted as :func:`risk_ratio_from_odds`, by ``rare``),
        ``e_value`` (of ``risk_ratio``), ``e_value_limit`` (of the interval limit closest to
        1; 1 when the interval holds 1) and ``note`` (why an exposure has no odds ratio).
    persons
        Persons included and assessed for the outcome (but not those whose last assessment
        of it is before their inclusion).
    achieved
        Those of them who achieved it at their last assessment.
    prevalence
        ``achieved`` / ``persons``.
    rare
        Whether ``prevalence`` is below :data:`RARE` (the odds ratio then stands for the risk
        ratio; otherwise its square root does).
    adjusted_for
        The covariates of the regression that was fitted: categorical persons columns and
        :data:`MONTHS`.
    requested
        The covariates asked for (``adjust`` and :data:`MONTHS`).
    level
        The level of the intervals.
    min_events
        The rule for ``enough``.
    note
        What was left out or changed, and why (``None`` when nothing was).
    """

    outcome: str
    table: pd.DataFrame
    persons: int
    achieved: int
    prevalence: float
    rare: bool
    adjusted_for: tuple[str, ...]
    requested: tuple[str, ...]
    level: float
    min_events: int = MIN_EVENTS
    note: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The table (see the class attributes)."""
        return self.table.copy()

    def summary(self) -> str:
        """The associations, what they are adjusted for, and why they are not effects."""
        adjusted = _names(self.adjusted_for)
        lines = [f"{self.outcome}: {self.achieved} of {self.persons} persons included and "
                 f"assessed for it achieved it at their last assessment "
                 f"({_share(self.achieved, self.persons)}). Odds ratios of achieving it for "
                 f"persons who had received each component before that assessment against "
                 f"those who had not, from one logistic regression of all components "
                 f"together, adjusted for {adjusted} ({self.level:.0%} Wald intervals):"]
        for row in self.table.itertuples(index=False):
            what = "" if row.components == row.exposure else f"{row.components}, "
            line = (f"{row.exposure} ({what}at least {row.min_sessions} "
                    f"session{'' if row.min_sessions == 1 else 's'}): achieved by "
                    f"{row.exposed_achieved} of {row.exposed} who had it and "
                    f"{row.unexposed_achieved} of {row.unexposed} who had not")
            if math.isfinite(row.odds_ratio):
                line += (f"; OR {row.odds_ratio:.2f} ({row.or_low:.2f} to {row.or_high:.2f}), "
                         f"p {_p(row.p_value)}; E-value {row.e_value:.2f} (interval limit "
                         f"{row.e_value_limit:.2f})")
            elif row.note:
                line += f"; {row.note}"
            lines.append(line)
        conversion = ("rare, so the odds ratio stands for the risk ratio" if self.rare else
                      "common, so the risk ratio is taken as the square root of the odds "
                      "ratio (VanderWeele 2017)")
        lines.append(
            "These are associations, not effects of the components: who receives a component "
            "is not random. Persons who are more stable, more motivated or in contact for "
            "longer take part in more of the programme and may achieve more anyway, workers "
            "offer components to those they expect to benefit, and a component may have been "
            "received after the outcome was reached, or stopped because it was. The "
            f"regression holds fixed only {adjusted}. An E-value is how strongly a "
            "characteristic left out would have to be associated, on the risk-ratio scale, "
            "with both receiving the component and the outcome to explain the association "
            f"away (VanderWeele & Ding 2017); the outcome is {conversion}.")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table)

    def plot(self, ax: Axes | None = None) -> Axes:
        """A forest plot of the odds ratios on a log scale."""
        from ..figures.outcomes import plot_associations

        return plot_associations(self, ax=ax)


def component_associations(persons: pd.DataFrame, activities: pd.DataFrame,
                           outcomes: pd.DataFrame, outcome: str, *,
                           components: Sequence[str] | Exposures | None = None,
                           adjust: Sequence[str] = ("organisation", "contact_channel"),
                           level: float = 0.95) -> ComponentAssociations:
    """Odds ratios of achieving ``outcome`` by the components received before it was assessed,
    adjusted, with E-values: associations, not effects.

    Parameters
    ----------
    persons
        One row per person contacted: ``person_id``, ``included``, ``inclusion_date`` and the
        ``adjust`` columns.
    activities
        One row per session: ``person_id``, ``date``, ``component``.
    outcomes
        One row per assessment: ``person_id``, ``assessed_on``, ``outcome``, ``achieved``.
    outcome
        The outcome to study (``employment``, ...).
    components
        The exposures: a list of components (each received with one session), or a mapping
        from an exposure's name to the components that count for it and the fewest sessions
        that make it received, e.g. ``{"support": (["accompaniment", "home_visit",
        "bisidning"], 1), "conversations": (["individual_conversation"], 4)}``. Default:
        each component of :data:`COMPONENTS` that occurs in ``activities``.
    adjust
        Persons columns adjusted for, as categories. The time in the programme
        (:data:`MONTHS`) is always adjusted for.
    level
        Level of the intervals.

    Returns
    -------
    ComponentAssociations
        Its ``to_frame()`` has one row per exposure (see the class).

    Notes
    -----
    One row per person included and assessed for ``outcome``, at their last assessment of it
    (on a day with several, achieved if any says so); a person whose last assessment of it
    is before their inclusion is left out. A person received an exposure if they had at
    least ``min_sessions`` sessions of its components dated strictly before that assessment
    (a session logged on the day may have followed it, and cannot have brought about the
    state assessed; the synthetic generator counts the same way). :data:`MONTHS` is the
    time from inclusion to the assessment in months (days / 30.44): longer in the programme
    means more sessions and more time to achieve anything. The outcome is a state at the
    assessment, so a component received after the outcome was reached (but before the
    assessment) counts as received although it cannot have brought it about, and reaching an
    outcome can change who goes on to receive a component (a person in work has less time
    for a course): one more reason these are associations.

    The model is one logistic regression (statsmodels GLM, binomial family, logit link) of
    achieved on every exposure together, the ``adjust`` columns as categories and
    :data:`MONTHS`, rather than one regression per component. Components are received
    together (the person who comes to the course also has conversations and is accompanied),
    so a component's odds ratio from a model without the others would carry theirs; the joint
    model compares persons who differ in one component with the others held fixed. Its cost
    is more parameters for the same events: an exposure without ``min_events`` persons in each
    cell (received or not × achieved or not) is left out of the model and gets no odds ratio,
    and when the fit fails (separation, no convergence, a coefficient running off towards
    infinity) the ``adjust`` columns are dropped from the last, then :data:`MONTHS`, and the
    note says which adjustment was used. A covariate with one value among the persons fitted
    is left out.

    Odds ratios and their Wald intervals are exp of the coefficients and their intervals;
    the p-value is the Wald test. Risk ratios for the E-values are the odds ratios when the
    outcome is rare (prevalence below :data:`RARE`) and their square roots otherwise
    (VanderWeele 2017, *Epidemiology* 28:e58); E-values as :func:`e_value`.

    Examples
    --------
    >>> day = pd.Timestamp("2021-01-01")
    >>> persons = pd.DataFrame({"person_id": [f"p{i}" for i in range(40)], "included": True,
    ...                         "inclusion_date": day})
    >>> course = [f"p{i}" for i in range(20)]  # half took the course; 12 of them achieved
    >>> activities = pd.DataFrame({"person_id": course, "component": "group_course",
    ...                            "date": day + pd.Timedelta(days=30)})
    >>> outcomes = pd.DataFrame({"person_id": persons["person_id"], "outcome": "employment",
    ...                          "assessed_on": day + pd.Timedelta(days=182),
    ...                          "achieved": [i < 12 or 20 <= i < 26 for i in range(40)]})
    >>> result = component_associations(persons, activities, outcomes, "employment",
    ...                                 components=["group_course"], adjust=())
    >>> round(float(result.to_frame().loc[0, "odds_ratio"]), 3)  # (12/8) / (6/14)
    3.5
    """
    _level(level)
    exposures = _exposures(components, activities)
    people = _persons(persons, None, adjust=adjust, dates=True)
    last = _last_assessments(outcomes, people, outcome)
    notes = []
    before = int((last["months"] < 0).sum())
    if before:
        notes.append(f"{before} person(s) whose last assessment was before their inclusion "
                     "left out")
        last = last[last["months"] >= 0]
    exposed = _exposed(last, activities, exposures)
    y = last["achieved"].to_numpy(dtype=float)
    table = _cells(exposures, exposed, y)
    persons_fitted, achieved = len(last), int(y.sum())
    prevalence = achieved / persons_fitted if persons_fitted else math.nan
    rare = bool(prevalence < RARE)

    def result(adjusted_for: tuple[str, ...]) -> ComponentAssociations:
        return ComponentAssociations(
            outcome=outcome, table=table, persons=persons_fitted, achieved=achieved,
            prevalence=prevalence, rare=rare, adjusted_for=adjusted_for,
            requested=(*adjust, MONTHS), level=level, min_events=MIN_EVENTS,
            note=_sentence(notes))

    if min(achieved, persons_fitted - achieved) < MIN_EVENTS:
        notes.append(f"fewer than {MIN_EVENTS} persons achieved {outcome}, or did not: no "
                     "odds ratios")
        table["note"] = np.where(table["note"] == "", "no model", table["note"])
        return result(())
    modelled = table.loc[table["enough"], "exposure"].tolist()
    if not modelled:
        notes.append("no component has enough persons in each cell: no odds ratios")
        return result(())
    covariates = {c: last[c].astype(str).to_numpy() for c in adjust
                  if last[c].astype(str).nunique() > 1}
    single = [c for c in adjust if c not in covariates]
    if single:
        notes.append(f"left out {', '.join(single)} (one value among the persons fitted)")
    months = last["months"].to_numpy(dtype=float)
    use_months = bool(np.ptp(months) > 1e-9) if len(months) else False
    if not use_months:
        notes.append("left out the months in the programme (the same for everyone)")
    attempts = _attempts(list(covariates), use_months)
    fitted = None
    for used in attempts:
        fitted = _fit(y, {e: exposed[e] for e in modelled},
                      {c: covariates[c] for c in used if c != MONTHS},
                      months if MONTHS in used else None, level)
        if fitted is not None:
            break
    full = attempts[0]
    if fitted is None:
        notes.append("the regression did not converge even without covariates (separation): "
                     "no odds ratios")
        table.loc[table["enough"], "note"] = "no model"
        return result(())
    if used != full:
        notes.append(f"the regression adjusted for {_names(full)} did not converge "
                     f"(separation or too few persons in some category), so it is adjusted "
                     f"for {_names(used)} only")
    for name, (odds, low, high, p) in fitted.items():
        rr = [risk_ratio_from_odds(v, rare=rare) for v in (odds, low, high)]
        point, limit = e_value(*rr)
        table.loc[table["exposure"] == name,
                  ["odds_ratio", "or_low", "or_high", "p_value", "risk_ratio", "rr_low",
                   "rr_high", "e_value", "e_value_limit"]] = [odds, low, high, p, *rr, point,
                                                              limit]
    return result(tuple(used))


def _exposures(components: Sequence[str] | Exposures | None,
               activities: pd.DataFrame) -> dict[str, tuple[tuple[str, ...], int]]:
    """Exposure name → (components, fewest sessions), checked."""
    if "component" not in activities.columns or "person_id" not in activities.columns \
            or "date" not in activities.columns:
        raise ArgumentError("activities", "expected the columns 'person_id', 'date', "
                                          "'component'")
    if components is None:
        present = set(activities["component"].dropna().astype(str))
        chosen: dict[str, tuple[tuple[str, ...], int]] = {
            c: ((c,), 1) for c in COMPONENTS if c in present}
        if not chosen:
            raise ArgumentError("activities", f"expected sessions of at least one of "
                                              f"{', '.join(COMPONENTS)}")
        return chosen
    if isinstance(components, str):
        raise ArgumentError("components", "expected a list of components or a mapping, not "
                                          "a single string")
    if isinstance(components, Mapping):
        chosen = {}
        for name, spec in components.items():
            try:
                parts, fewest = spec
            except (TypeError, ValueError):
                raise ArgumentError("components", f"{name!r}: expected (components, fewest "
                                                  "sessions)") from None
            if isinstance(parts, str):
                parts = (parts,)
            if not (isinstance(fewest, int | np.integer) and fewest >= 1):
                raise ArgumentError("components", f"{name!r}: expected a whole number of "
                                                  "sessions ≥ 1")
            if not parts:
                raise ArgumentError("components", f"{name!r}: expected at least one component")
            chosen[str(name)] = (tuple(str(p) for p in parts), int(fewest))
    else:
        chosen = {str(c): ((str(c),), 1) for c in components}
    if not chosen:
        raise ArgumentError("components", "expected at least one component")
    return chosen


def _last_assessments(outcomes: pd.DataFrame, people: pd.DataFrame,
                      outcome: str) -> pd.DataFrame:
    """One row per included person assessed for ``outcome``: ``person_id``, ``assessed_on``,
    ``achieved`` (at the last assessment), ``months`` and the persons' columns."""
    assessments, names = _assessments(outcomes, people, dates=True)
    if outcome not in names:
        raise ArgumentError("outcome", f"expected an outcome assessed in the outcomes table "
                                       f"({', '.join(names) or 'none'})")
    mine = assessments[(assessments["outcome"] == outcome)
                       & assessments["person_id"].isin(people.index[people["included"]])]
    # Sorted so that each person's last row is their last day, achieved if any row of it is.
    last = (mine.sort_values(["person_id", "assessed_on", "achieved"], kind="stable")
            .drop_duplicates("person_id", keep="last")
            .set_index("person_id")[["assessed_on", "achieved"]])
    joined = last.join(people, how="left")
    if joined["inclusion_date"].isna().any():
        raise ArgumentError("persons", f"{int(joined['inclusion_date'].isna().sum())} included "
                                       "person(s) assessed have no inclusion_date")
    joined["months"] = ((joined["assessed_on"] - joined["inclusion_date"]).dt.days
                        / DAYS_PER_MONTH)
    return joined.reset_index()


def _exposed(last: pd.DataFrame, activities: pd.DataFrame,
             exposures: Mapping[str, tuple[tuple[str, ...], int]]) -> dict[str, np.ndarray]:
    """For each exposure, whether each person in ``last`` had received it before the
    assessment (in the order of ``last``)."""
    sessions = activities[["person_id", "date", "component"]].dropna()
    sessions = sessions.assign(person_id=sessions["person_id"].astype(str),
                               date=_dates(sessions["date"], "activities", "date"),
                               component=sessions["component"].astype(str))
    sessions = sessions.merge(last[["person_id", "assessed_on"]], on="person_id", how="inner")
    sessions = sessions[sessions["date"] < sessions["assessed_on"]]
    found = {}
    for name, (parts, fewest) in exposures.items():
        counts = sessions[sessions["component"].isin(parts)].groupby("person_id").size()
        found[name] = (counts.reindex(last["person_id"], fill_value=0).to_numpy() >= fewest)
    return found


def _cells(exposures: Mapping[str, tuple[tuple[str, ...], int]],
           exposed: Mapping[str, np.ndarray], y: np.ndarray) -> pd.DataFrame:
    """The exposure table's counts and empty estimate columns."""
    rows = []
    achieved = y > 0.5
    for name, (parts, fewest) in exposures.items():
        had = exposed[name]
        cells = {"exposed": int(had.sum()), "exposed_achieved": int((had & achieved).sum()),
                 "unexposed": int((~had).sum()),
                 "unexposed_achieved": int((~had & achieved).sum())}
        enough = min(cells["exposed_achieved"], cells["exposed"] - cells["exposed_achieved"],
                     cells["unexposed_achieved"],
                     cells["unexposed"] - cells["unexposed_achieved"]) >= MIN_EVENTS
        rows.append({"exposure": name, "components": "+".join(parts), "min_sessions": fewest,
                     **cells, "enough": enough,
                     "note": "" if enough else f"too few to tell (fewer than {MIN_EVENTS} "
                                               "persons in a cell)"})
    table = pd.DataFrame(rows)
    for column in ("odds_ratio", "or_low", "or_high", "p_value", "risk_ratio", "rr_low",
                   "rr_high", "e_value", "e_value_limit"):
        table[column] = math.nan
    order = ["exposure", "components", "min_sessions", "exposed", "exposed_achieved",
             "unexposed", "unexposed_achieved", "enough", "odds_ratio", "or_low", "or_high",
             "p_value", "risk_ratio", "rr_low", "rr_high", "e_value", "e_value_limit", "note"]
    return table[order]


def _attempts(covariates: Sequence[str], use_months: bool) -> list[tuple[str, ...]]:
    """The adjustments to try, fullest first: the categorical covariates dropped from the
    last, then the time in the programme."""
    base = (MONTHS,) if use_months else ()
    tries = [(*covariates[:k], *base) for k in range(len(covariates), -1, -1)]
    if use_months:
        tries.append(())
    return tries


def _fit(y: np.ndarray, exposures: Mapping[str, np.ndarray], categories: Mapping[str, Any],
         months: np.ndarray | None,
         level: float) -> dict[str, tuple[float, float, float, float]] | None:
    """exp(coefficient), its Wald interval and p-value for each exposure, or ``None`` when
    the logistic regression fails (separation, no convergence)."""
    import statsmodels.api as sm
    from statsmodels.tools import sm_exceptions

    columns = {f"exposure:{name}": had.astype(float) for name, had in exposures.items()}
    design = pd.DataFrame(columns)
    for name, values in categories.items():
        levels = pd.Series(values).value_counts(sort=True).index.tolist()  # largest first
        dummies = pd.get_dummies(pd.Categorical(values, categories=levels), drop_first=True,
                                 dtype=float)
        dummies.columns = [f"{name}={c}" for c in dummies.columns]
        design = pd.concat([design, dummies], axis=1)
    if months is not None:
        design[MONTHS] = months
    design = sm.add_constant(design, has_constant="add")
    failures = (sm_exceptions.PerfectSeparationWarning, sm_exceptions.ConvergenceWarning,
                sm_exceptions.HessianInversionWarning, RuntimeWarning)
    with warnings.catch_warnings():
        for failure in failures:
            warnings.simplefilter("error", failure)  # separation is not a result
        try:
            fit = sm.GLM(y, design, family=sm.families.Binomial()).fit()
        except (*failures, sm_exceptions.PerfectSeparationError, np.linalg.LinAlgError,
                ValueError):
            return None
    params = np.asarray(fit.params, dtype=float)
    if (not getattr(fit, "converged", True) or not np.all(np.isfinite(params))
            or np.any(np.abs(params) > MAX_LOG_ODDS)
            or not np.all(np.isfinite(np.asarray(fit.bse, dtype=float)))):
        return None
    bounds = fit.conf_int(alpha=1 - level)
    return {name: (float(np.exp(fit.params[f"exposure:{name}"])),
                   float(np.exp(bounds.loc[f"exposure:{name}", 0])),
                   float(np.exp(bounds.loc[f"exposure:{name}", 1])),
                   float(fit.pvalues[f"exposure:{name}"]))
            for name in exposures}


# --- inputs -----------------------------------------------------------------------------------


def _persons(persons: pd.DataFrame, by: str | None, *, adjust: Sequence[str] = (),
             dates: bool = False) -> pd.DataFrame:
    """The persons indexed by ``person_id`` (text), with ``included`` (bool), ``group`` (the
    ``by`` value, ``unknown`` where missing), the ``adjust`` columns and ``inclusion_date``."""
    needed = ["person_id", "included", *([by] if by else []), *adjust,
              *(["inclusion_date"] if dates else [])]
    missing = [c for c in dict.fromkeys(needed) if c not in persons.columns]
    if by is not None and by in missing:
        raise ArgumentError("by", f"expected a column of persons; there is no {by!r}")
    absent = [c for c in adjust if c in missing]
    if absent:
        raise ArgumentError("adjust", f"expected columns of persons; there is no "
                                      f"{', '.join(map(repr, absent))}")
    if missing:
        raise ArgumentError("persons", f"expected the column(s) {', '.join(map(repr, missing))}")
    ids = persons["person_id"]
    if ids.isna().any():
        raise ArgumentError("persons", f"{int(ids.isna().sum())} row(s) have no person_id")
    ids = ids.astype(str)
    repeated = int(ids.duplicated().sum())
    if repeated:
        raise ArgumentError("persons", f"expected one row per person; {repeated} row(s) repeat "
                                       "a person_id")
    frame = pd.DataFrame({"included": _flags(persons["included"], "persons", "included")},
                         index=pd.Index(ids.to_numpy(), name="person_id"))
    frame["group"] = (persons[by].astype(object).where(persons[by].notna(), "unknown")
                      .astype(str).to_numpy() if by else ALL)
    for column in adjust:
        frame[column] = (persons[column].astype(object).where(persons[column].notna(),
                                                              "unknown").astype(str).to_numpy())
    if dates:
        frame["inclusion_date"] = _dates(persons["inclusion_date"], "persons",
                                         "inclusion_date").to_numpy()
    return frame.sort_index(kind="stable")


def _assessments(outcomes: pd.DataFrame, people: pd.DataFrame, *,
                 dates: bool = False) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The assessments (``person_id``, ``outcome``, ``achieved`` and ``assessed_on``), and
    the outcomes they cover in the contract's order."""
    needed = ["person_id", "outcome", "achieved", *(["assessed_on"] if dates else [])]
    missing = [c for c in needed if c not in outcomes.columns]
    if missing:
        raise ArgumentError("outcomes", f"expected the column(s) "
                                        f"{', '.join(map(repr, missing))}")
    blank = outcomes[["person_id", "outcome"]].isna().any(axis=1)
    if blank.any():
        raise ArgumentError("outcomes", f"{int(blank.sum())} row(s) have no person_id or "
                                        "outcome")
    frame = pd.DataFrame({"person_id": outcomes["person_id"].astype(str).to_numpy(),
                          "outcome": outcomes["outcome"].astype(str).to_numpy(),
                          "achieved": _flags(outcomes["achieved"], "outcomes", "achieved")})
    if dates:
        frame["assessed_on"] = _dates(outcomes["assessed_on"], "outcomes",
                                      "assessed_on").to_numpy()
        if frame["assessed_on"].isna().any():
            raise ArgumentError("outcomes", f"{int(frame['assessed_on'].isna().sum())} row(s) "
                                            "have no assessed_on date")
    unknown = ~frame["person_id"].isin(people.index)
    if unknown.any():
        raise ArgumentError("outcomes", f"{int(unknown.sum())} row(s) name a person_id that is "
                                        "not in persons")
    present = set(frame["outcome"])
    names = (*[o for o in OUTCOMES if o in present], *sorted(present - set(OUTCOMES)))
    return frame, names


def _flags(values: pd.Series, table: str, column: str) -> np.ndarray:
    """A boolean column as booleans; a missing value is an error."""
    if values.isna().any():
        raise ArgumentError(table, f"{int(values.isna().sum())} row(s) have no value in "
                                   f"{column!r}")
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=bool)
    mapped = [_flag(v) for v in values]
    if any(v is None for v in mapped):
        raise ArgumentError(table, f"expected true or false in {column!r}")
    return np.array(mapped, dtype=bool)


def _flag(value: object) -> bool | None:
    """``True``/``False`` (or 1/0) as a bool; anything else ``None``."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value)
    return None


def _dates(values: pd.Series, table: str, column: str) -> pd.Series:
    try:
        return pd.to_datetime(values)
    except (ValueError, TypeError):
        raise ArgumentError(table, f"expected dates in {column!r}") from None


def _level(level: float) -> None:
    if not (isinstance(level, int | float) and 0 < level < 1):
        raise ArgumentError("level", "expected a number strictly between 0 and 1")


# --- text -------------------------------------------------------------------------------------


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _names(covariates: Sequence[str]) -> str:
    """``organisation, contact_channel and the months in the programme``."""
    words = ["the months in the programme" if c == MONTHS else c for c in covariates]
    if not words:
        return "nothing"
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"= {value:.3f}"


def _sentence(notes: Sequence[str]) -> str | None:
    if not notes:
        return None
    text = "; ".join(notes)
    return text[:1].upper() + text[1:] + "."


__all__ = ["ALL", "COMPONENTS", "MONTHS", "OUTCOMES", "RARE", "ComponentAssociations",
           "Exposures", "Funnel", "OutcomeRates", "component_associations", "e_value",
           "outcome_funnel", "outcome_rates", "risk_ratio_from_odds"]
