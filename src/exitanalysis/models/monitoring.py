"""Monitoring recruitment: forecasts from a monthly history, a warning rule with known
operating characteristics, its replay, pace rules and sensitivity to the prior.

Everything here reads a :class:`~exitanalysis.models.history.RecruitmentHistory`; the
report's sentences about it are assembled in :mod:`exitanalysis.assess.shortfall`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from .checks import finite
from .history import RecruitmentHistory, date_at, months_between
from .priors import PriorWeight, prior_key
from .recruitment import RecruitmentForecast, forecast_overdispersed, forecast_recruitment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Priors of the sensitivity table (CONTRACT: P ∈ {0, 0.25, 0.5, 1}, hedging).
REPLAY_PRIORS: tuple[PriorWeight, ...] = (0.0, 0.25, 0.5, 1.0, "hedging")
#: Pace rules of the Japan Clinical Oncology Group, enforced since 2019 (Sasaki et al. 2024,
#: Trials 25:665, Table 5): below 20 % of the planned accrual pace 1.5 years after accrual
#: opens, or below 50 % at 2.5 years, a trial is terminated in principle; a trial with
#: research funds of its own gets a one-year grace period instead. An oncology rule, used here
#: by analogy, on the planned calendar pace (no discount for closed months).
PACE_RULES: tuple[tuple[float, float], ...] = ((18.0, 0.20), (30.0, 0.50))
#: Paces (shares of the plan) at which the warning rule's detection is reported.
DETECTION_PACES: tuple[float, ...] = (0.3, 0.5, 0.8)
#: The false-alarm probability the default warning rule spends over the whole period.
FALSE_ALARM = 0.10


class ClosureRange(Protocol):
    """When a programme was closed early: between ``earliest`` and ``latest`` (the config's
    ``programme.closed``)."""

    @property
    def earliest(self) -> dt.date: ...

    @property
    def latest(self) -> dt.date: ...


# --- forecasts from a history ----------------------------------------------------------------


def forecast_from_history(history: RecruitmentHistory, *, target: int, duration: float,
                          prior_weight: PriorWeight | str,
                          month: int | None = None) -> RecruitmentForecast:
    """The Gamma–Poisson forecast at the end of month ``month`` (default: the last).

    Time is the history's effective time (plan months weighted by exposure), and the final
    count is taken at the effective time of the whole period: months still to come count for
    what the plan and the exposure say, closed months included.
    """
    row = history.monthly.iloc[-1 if month is None else month]
    effective = float(row["effective_elapsed"])
    return forecast_recruitment(
        target=target, duration=duration, elapsed=effective, recruited=int(row["cumulative"]),
        prior_weight=prior_weight, horizon=max(history.total_time, effective),
    )


def overdispersed_from_history(history: RecruitmentHistory, *, target: int, duration: float,
                               prior_weight: PriorWeight | str) -> RecruitmentForecast:
    """The negative-binomial (clustered months) forecast from a monthly history."""
    monthly = history.monthly
    weight = 0.5 if prior_weight == "hedging" else prior_weight
    return forecast_overdispersed(
        monthly["recruited"].to_numpy(),
        exposure=(monthly["plan_time"] * monthly["exposure"]).to_numpy(),
        target=target, duration=duration, prior_weight=weight,
        horizon=max(history.total_time, history.effective_elapsed),
    )


# --- a warning rule with known operating characteristics ---------------------------------


def obrien_fleming_spending(alpha: float, information: np.ndarray | float) -> np.ndarray:
    """Cumulative false-alarm probability spent by information fraction τ:
    α(τ) = 2 − 2Φ(Φ⁻¹(1 − α/2)/√τ), the Lan & DeMets (1983, Biometrika 70:659) function that
    approximates O'Brien–Fleming boundaries (gsDesign's ``sfLDOF``)."""
    tau = np.clip(np.asarray(information, dtype=float), 0.0, 1.0)
    z = stats.norm.isf(alpha / 2)
    with np.errstate(divide="ignore"):
        spent = 2.0 * stats.norm.sf(z / np.sqrt(tau))
    return np.asarray(np.where(tau > 0, np.minimum(spent, alpha), 0.0))


@dataclass(frozen=True)
class WarningRule:
    """Warn at the first monthly review at which the count so far is at or below that
    review's boundary.

    The boundaries are the largest counts that a programme recruiting exactly as planned
    (Poisson, at the plan's pace weighted by exposure) reaches or falls below, at some review
    up to that one, with probability at most the false alarm spent by then. Every number here
    is exact (a recursion over the count's distribution), not simulated.

    Attributes
    ----------
    boundaries
        One row per monthly review of the whole period: ``month`` (``YYYY-MM``), ``elapsed``
        (calendar months), ``expected`` (the count a programme on plan expects by then),
        ``boundary`` (warn when the count is at most this; −1 where no count can warn yet),
        ``spent`` (false-alarm probability spent by then).
    alpha
        The false-alarm probability the rule may spend over the whole period.
    false_alarm
        The exact probability that a programme on plan is warned about at some review.
    detection
        One row per pace (share of the plan): ``pace``, ``p_by_end`` (probability of a
        warning by the end), ``month_median`` (calendar months until the first warning, for
        half of such programmes; missing when fewer than half are warned about).
    """

    boundaries: pd.DataFrame
    alpha: float
    false_alarm: float
    detection: pd.DataFrame

    @property
    def description(self) -> str:
        return (f"warn at the first monthly review at which the count so far is at or below "
                f"a boundary that a programme recruiting as planned (Poisson) crosses with "
                f"probability {self.false_alarm:.3f} over the whole period: O'Brien-Fleming-"
                f"type spending of {self.alpha:g} (Lan & DeMets 1983)")

    def boundary_at(self, elapsed: float) -> int:
        """The boundary of the last monthly review at or before ``elapsed`` calendar months
        (a review between months, such as a published figure, uses the one before it: the
        boundaries rise with time, so this never warns earlier than the rule would)."""
        rows = self.boundaries[self.boundaries["elapsed"] <= elapsed + 1e-9]
        return int(rows["boundary"].iloc[-1]) if len(rows) else -1

    def to_frame(self) -> pd.DataFrame:
        return self.detection.copy()

    def to_dict(self) -> dict[str, Any]:
        """``headline.warning_rule`` of the manifest (CONTRACT §4)."""
        return {"description": self.description, "false_alarm": round(self.false_alarm, 6),
                "alpha": self.alpha, "spending": "Lan-DeMets O'Brien-Fleming",
                "detection": [{"pace": float(r.pace),
                               "month_median": (None if pd.isna(r.month_median)
                                                else float(r.month_median)),
                               "p_by_end": round(float(r.p_by_end), 6)}
                              for r in self.detection.itertuples(index=False)]}


def _step(mass: np.ndarray, mean: float) -> np.ndarray:
    """The count's distribution one review later: add a Poisson(mean) increment; the last
    cell holds every count at or above it (such counts never fall back below a boundary)."""
    top = len(mass) - 1
    increment = stats.poisson.pmf(np.arange(top + 1), mean)
    out = np.convolve(mass, increment)[: top + 1]
    out[top] += mass.sum() - out.sum()  # counts beyond the grid: all at or above the top
    return out


def _first_warnings(means: np.ndarray, boundaries: np.ndarray, top: int) -> np.ndarray:
    """P(first warning at review k) for Poisson increments ``means`` and fixed boundaries."""
    mass = np.zeros(top + 1)
    mass[0] = 1.0
    first = np.zeros(len(means))
    for k, mean in enumerate(means):
        mass = _step(mass, float(mean))
        if boundaries[k] >= 0:
            first[k] = mass[: boundaries[k] + 1].sum()
            mass[: boundaries[k] + 1] = 0.0
    return first


def warning_rule(period: pd.DataFrame, *, target: int, duration: float,
                 alpha: float = FALSE_ALARM,
                 paces: Sequence[float] = DETECTION_PACES) -> WarningRule:
    """The warning rule for a programme's plan, with its false-alarm rate and detection.

    Parameters
    ----------
    period
        The whole period month by month (:attr:`RecruitmentHistory.period`): the plan's
        time and the exposure of every month.
    target, duration
        The plan: ``target`` persons over ``duration`` plan months.
    alpha
        False-alarm probability to spend over the whole period (default 0.10).
    paces
        Shares of the plan at which to report detection.

    Notes
    -----
    Monthly counts of a programme on plan are Poisson with means n/T · plan time · exposure.
    The information at review k is the share of the plan's expected count by then; the
    boundary c_k is the largest count with P(warned by k | on plan) ≤ α(τ_k), the
    Lan–DeMets O'Brien–Fleming-type spending function, computed exactly by recursion over the
    distribution of the count among programmes not yet warned about (the discrete analogue of
    group-sequential boundaries; Jennison & Turnbull 2000, ch. 7). Detection uses the same
    boundaries with means scaled by the pace.
    """
    alpha = finite("alpha", alpha, above=0.0, high=0.5)
    means = (target / duration * period["plan_time"] * period["exposure"]).to_numpy()
    expected = np.cumsum(means)
    information = expected / expected[-1]
    allowed = obrien_fleming_spending(alpha, information)
    top = int(expected[-1] + 12 * math.sqrt(expected[-1]) + 30)
    mass = np.zeros(top + 1)
    mass[0] = 1.0
    spent = 0.0
    boundaries = np.full(len(means), -1)
    spent_by = np.zeros(len(means))
    for k, mean in enumerate(means):
        mass = _step(mass, float(mean))
        cumulative = np.cumsum(mass)
        # Largest c with what is spent so far plus P(count <= c, not yet warned) within α(τ).
        fits = np.flatnonzero(spent + cumulative <= allowed[k] * (1 + 1e-12))
        if len(fits):
            c = int(fits[-1])
            boundaries[k] = c
            spent += float(cumulative[c])
            mass[: c + 1] = 0.0
        spent_by[k] = spent
    table = pd.DataFrame({"month": period["month"].to_numpy(),
                          "elapsed": period["elapsed"].to_numpy(), "expected": expected,
                          "boundary": boundaries, "spent": spent_by})
    rows = []
    months = period["elapsed"].to_numpy()
    for pace in paces:
        first = _first_warnings(pace * means, boundaries, top)
        by = np.cumsum(first)
        half = np.flatnonzero(by >= 0.5)
        rows.append({"pace": float(pace), "p_by_end": float(by[-1]),
                     "month_median": float(months[half[0]]) if len(half) else np.nan})
    return WarningRule(boundaries=table, alpha=alpha, false_alarm=spent,
                       detection=pd.DataFrame(rows))


# --- the replay ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlyWarning:
    """A replay of monitoring: at every review, what the data known then said.

    Attributes
    ----------
    replay
        One row per review (a month of case data, or a published figure): ``month``,
        ``elapsed`` (calendar months), ``recruited`` (so far), ``expected`` (by the plan,
        exposure-weighted), ``boundary`` (of the warning rule), ``warn`` (count at or below
        it), ``pace_ratio`` (recruited against the planned count by then, calendar pace),
        ``p_reach`` (P(reach target) from the data known then alone, P = 0; missing before
        the first recruit).
    rule
        The warning rule and its operating characteristics.
    first_warning
        The first review (``YYYY-MM``) at which the rule warned, or ``None``.
    pace_rules
        The JCOG pace rules: ``at_months``, ``limit``, ``month`` (the first review at or
        after ``at_months``), ``pace_ratio`` (calendar pace then), ``fired`` (``None`` when
        no review reaches that month).
    history
        The history replayed.
    start
        First day of the period (to turn months into dates).
    closure
        When the programme was closed, if it was.
    """

    replay: pd.DataFrame
    rule: WarningRule
    first_warning: str | None
    pace_rules: pd.DataFrame
    history: RecruitmentHistory
    start: dt.date
    closure: ClosureRange | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.replay.copy()

    def first_warning_row(self) -> pd.Series | None:
        if self.first_warning is None:
            return None
        return self.replay[self.replay["month"] == self.first_warning].iloc[0]

    def months_before_closure(self) -> tuple[float, float] | None:
        """How many months before the closure the warning fired: (least, most)."""
        row = self.first_warning_row()
        if row is None or self.closure is None:
            return None
        warned = date_at(self.start, float(row["elapsed"]))
        return (months_between(warned, self.closure.earliest),
                months_between(warned, self.closure.latest))

    def summary(self) -> str:
        """The replay in a few lines (a report's sentences come from
        :func:`exitanalysis.assess.shortfall.warning_sentences`)."""
        lines = [f"Rule: {self.rule.description}.",
                 f"First warning: {self.first_warning or 'none'}."]
        if self.history.snapshot:
            lines.append("Only published figures are known: one review at each.")
        for rule in self.pace_rules.itertuples(index=False):
            if rule.fired is not None:
                lines.append(f"Pace below {rule.limit:.0%} of plan after {rule.at_months:g} "
                             f"months: {'fired' if rule.fired else 'did not fire'} "
                             f"(pace {rule.pace_ratio:.0%} in {rule.month}).")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_replay

        return plot_replay(self, ax=ax)


def replay_warnings(
    history: RecruitmentHistory,
    *,
    target: int,
    duration: float,
    start: dt.date,
    rule: WarningRule | None = None,
    pace_rules: Sequence[tuple[float, float]] = PACE_RULES,
    closure: ClosureRange | None = None,
) -> EarlyWarning:
    """Replay monitoring at every review of ``history``, each using only what was known then.

    Parameters
    ----------
    rule
        Default: :func:`warning_rule` for the history's plan, with a false-alarm
        probability of 0.10 over the whole period.

    Returns
    -------
    EarlyWarning
    """
    rule = rule or warning_rule(history.period, target=target, duration=duration)
    shown = (np.ones(len(history.monthly), dtype=bool) if history.published is None
             else history.published)
    records = []
    for i, row in enumerate(history.monthly.itertuples(index=False)):
        if not shown[i]:
            continue
        boundary = rule.boundary_at(float(row.elapsed))
        planned = target * history.planned_share(float(row.elapsed))
        try:
            p = forecast_from_history(history, target=target, duration=duration,
                                      prior_weight=0.0, month=i).p_reach_target
        except ValueError:  # no recruits yet: the data alone say nothing
            p = np.nan
        records.append({"month": row.month, "elapsed": row.elapsed,
                        "recruited": int(row.cumulative),
                        "expected": target * row.effective_elapsed / duration,
                        "boundary": boundary, "warn": bool(row.cumulative <= boundary),
                        "pace_ratio": row.cumulative / planned if planned > 0 else np.nan,
                        "p_reach": p})
    replay = pd.DataFrame(records, columns=["month", "elapsed", "recruited", "expected",
                                            "boundary", "warn", "pace_ratio", "p_reach"])
    warned = replay.loc[replay["warn"], "month"]
    rules = []
    for at, limit in pace_rules:
        reached = replay[replay["elapsed"] >= at - 1e-9]
        if not len(reached):
            rules.append({"at_months": at, "limit": limit, "month": None,
                          "pace_ratio": None, "fired": None})
            continue
        row = reached.iloc[0]
        rules.append({"at_months": at, "limit": limit, "month": row["month"],
                      "pace_ratio": float(row["pace_ratio"]),
                      "fired": bool(row["pace_ratio"] < limit)})
    return EarlyWarning(
        replay=replay, rule=rule, first_warning=str(warned.iloc[0]) if len(warned) else None,
        pace_rules=pd.DataFrame(rules), history=history, start=start, closure=closure,
    )


# --- sensitivity ----------------------------------------------------------------------------


def prior_sensitivity(history: RecruitmentHistory, *, target: int, duration: float,
                      priors: Sequence[PriorWeight | str] = (*REPLAY_PRIORS, "accelerated"),
                      ) -> pd.DataFrame:
    """The headline forecast under each prior weight.

    Columns: ``prior``, ``effective_prior_weight``, ``p_reach_target``, ``final_q025``,
    ``final_q50``, ``final_q975``, ``time_to_target_q50``.
    """
    rows = []
    for choice in priors:
        try:
            d = forecast_from_history(history, target=target, duration=duration,
                                      prior_weight=choice).to_dict()
        except ValueError:
            continue
        rows.append({"prior": prior_key(choice),
                     "effective_prior_weight": d["effective_prior_weight"],
                     "p_reach_target": d["p_reach_target"],
                     "final_q025": d["final_count"]["q025"],
                     "final_q50": d["final_count"]["q50"],
                     "final_q975": d["final_count"]["q975"],
                     "time_to_target_q50": d["time_to_target"]["q50"]})
    return pd.DataFrame(rows)


__all__ = [
    "DETECTION_PACES",
    "FALSE_ALARM",
    "PACE_RULES",
    "REPLAY_PRIORS",
    "ClosureRange",
    "EarlyWarning",
    "WarningRule",
    "forecast_from_history",
    "overdispersed_from_history",
    "prior_sensitivity",
    "obrien_fleming_spending",
    "replay_warnings",
    "warning_rule",
]
