"""Recruitment month by month: calendar months, exposure, and the monthly history.

The monitoring models (:mod:`exitanalysis.models.monitoring`) read a
:class:`RecruitmentHistory`; the assessment builds one from case data or a published
snapshot (:mod:`exitanalysis.assess.shortfall`).

Times are months since the start of the period (calendar months: 2020-01-01 to 2022-01-01 is
24.0).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .disclosure import safe_cumulative_points


class ReducedTime(Protocol):
    """Days when recruitment could not run normally: ``weight`` is the share of normal
    recruitment time they count for (the config's ``analysis.exposure`` entries)."""

    @property
    def start(self) -> dt.date: ...

    @property
    def end(self) -> dt.date: ...

    @property
    def weight(self) -> float: ...


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The planned accrual curve: the share of the target planned by each point of the period.

    ``share(τ)`` is piecewise linear through ``knots`` (calendar months since the start) and
    ``shares`` (0 at the start, 1 at the end). The default is a straight line: the same
    number of persons every month.

    Attributes
    ----------
    duration
        Length of the period in calendar months (T).
    knots, shares
        The curve's points.
    kind
        ``straight``, ``points`` (planned counts at dates) or ``ramp`` (a linear ramp-up).
    """

    duration: float
    knots: tuple[float, ...]
    shares: tuple[float, ...]
    kind: str = "straight"

    @classmethod
    def straight(cls, duration: float) -> Plan:
        return cls(duration, (0.0, duration), (0.0, 1.0))

    @classmethod
    def from_points(cls, duration: float, months: Sequence[float],
                    shares: Sequence[float]) -> Plan:
        """Through planned shares of the target at ``months`` after the start, then to 1 at
        the end."""
        knots = [0.0, *(float(m) for m in months)]
        values = [0.0, *(float(v) for v in shares)]
        if knots[-1] < duration:
            knots.append(duration)
            values.append(1.0)
        return cls(duration, tuple(knots), tuple(values), "points")

    @classmethod
    def ramp(cls, duration: float, months: float) -> Plan:
        """The monthly rate rises linearly from 0 to full pace over ``months``, then stays.

        The share planned by τ is τ²/(2R) / (T − R/2) during the ramp and (τ − R/2) / (T − R/2)
        after it (R = ``months``): the same target, reached by the end.
        """
        ramp = np.linspace(0.0, months, 41)
        scale = duration - months / 2
        knots = (*ramp, duration)
        shares = (*(ramp**2 / (2 * months) / scale), 1.0)
        return cls(duration, tuple(float(k) for k in knots), tuple(float(v) for v in shares),
                   "ramp")

    def share(self, months: float | np.ndarray) -> np.ndarray:
        """Share of the target planned by ``months`` calendar months after the start."""
        return np.asarray(np.interp(months, self.knots, self.shares))

    def time(self, months: float | np.ndarray) -> np.ndarray:
        """Plan time by ``months``: T · share, the months a steady plan would have taken to
        plan the same number (the time unit of the forecasts)."""
        return self.duration * self.share(months)


# --- calendar months ----------------------------------------------------------------------


def months_between(start: dt.date, when: dt.date) -> float:
    """Calendar months from ``start`` to ``when`` (both at midnight); fractions by day."""
    whole = (when.year - start.year) * 12 + (when.month - start.month)
    days = calendar.monthrange(when.year, when.month)[1]
    return whole + (when.day - start.day) / days


def date_at(start: dt.date, months: float) -> dt.date:
    """The date ``months`` calendar months after ``start`` (inverse of :func:`months_between`)."""
    whole = math.floor(months)
    year, month = divmod(start.month - 1 + whole, 12)
    first = dt.date(start.year + year, month + 1, 1)
    days = calendar.monthrange(first.year, first.month)[1]
    return first + dt.timedelta(days=round((months - whole) * days + start.day - 1))


def exposure_by_month(months: pd.PeriodIndex, periods: Sequence[ReducedTime]) -> np.ndarray:
    """Each month's share of normal recruitment time: the mean daily weight over its days.

    ``months`` are consecutive (a ``period_range``).
    """
    if not len(months) or not periods:
        return np.ones(len(months))
    days = pd.date_range(months[0].start_time, months[-1].end_time.normalize(), freq="D")
    weight = np.ones(len(days))
    for period in periods:
        inside = (days >= pd.Timestamp(period.start)) & (days <= pd.Timestamp(period.end))
        weight[inside] = np.minimum(weight[inside], period.weight)
    lengths = np.asarray(months.days_in_month)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.add.reduceat(weight, starts) / lengths


# --- recruitment history --------------------------------------------------------------------


@dataclass(frozen=True)
class RecruitmentHistory:
    """Recruitment month by month up to the analysis date.

    Attributes
    ----------
    monthly
        One row per month from the start (one row per published figure for a snapshot):
        ``month`` (``YYYY-MM``), ``calendar`` (months counted: 1, or less for the last,
        partial month), ``exposure`` (share of normal recruitment time), ``plan_time`` (the
        month's share of the plan, in plan months: 1 for a steady plan), ``recruited`` (in the
        month), ``cumulative``, ``elapsed`` (calendar months at the month's end) and
        ``effective_elapsed`` (plan months weighted by exposure: the forecasts' time).
    period
        The whole planned period month by month (the columns of ``monthly``, without counts):
        it turns effective time into dates, and its last ``effective_elapsed``
        (:attr:`total_time`) is the horizon of a forecast from any month.
    by_partner
        Persons recruited by each organisation id (empty for a snapshot).
    partner_months
        Persons recruited per month (rows, ``YYYY-MM``) and organisation id (columns).
    measure
        ``included`` or ``contacted``.
    basis
        Where the counts come from: a key of the report vocabulary (``basis_persons``,
        ``basis_monthly``, ``basis_snapshot``) and its fields
        (:func:`exitanalysis.assess.shortfall.describe_basis` puts it in words).
    snapshot
        True when the rows are published figures, not observed months: nothing is known
        between them (no month is filled in).
    synthetic
        True when the counts come from synthetic data.
    published
        For a public report: which months may be shown (between two shown months at least
        ``min_cell`` persons came); ``None`` shows every month.
    """

    monthly: pd.DataFrame
    by_partner: pd.Series
    measure: str
    basis: tuple[str, dict[str, Any]]
    period: pd.DataFrame
    snapshot: bool = False
    synthetic: bool = False
    partner_months: pd.DataFrame | None = None
    published: np.ndarray | None = None

    def shown_months(self) -> pd.DataFrame:
        """The months a report may show."""
        if self.published is None:
            return self.monthly
        return self.monthly.loc[self.published]

    def for_public(self, min_cell: int, withheld: Collection[str] = ()) -> RecruitmentHistory:
        """Cut at the last month that may be published and mark the months that may be
        shown: no difference between shown cumulative counts is below ``min_cell``.

        The last whole month is shown whenever its count may be shown at all, so that the
        total a report states elsewhere is a shown point, not a small step after one.
        ``withheld`` months (``YYYY-MM``) are not shown.
        """
        # A partial last month ends on the analysis date, which may be one person's date.
        whole = self.monthly
        if len(whole) and whole["calendar"].iloc[-1] < 1.0 - 1e-9:
            whole = whole.iloc[:-1]
        months = whole["month"].astype(str).tolist()
        safe = safe_cumulative_points(whole["recruited"].to_numpy(), min_cell, keep_last=True,
                                      withheld=[months.index(m) for m in withheld
                                                if m in months])
        # Nothing safe: no month at all (a first month kept "for shape" would publish its
        # small count through every forecast made from it).
        last = int(np.flatnonzero(safe)[-1]) if safe.any() else -1
        monthly = whole.iloc[: last + 1].reset_index(drop=True)
        partner_months = (self.partner_months.iloc[: last + 1]
                          if self.partner_months is not None else None)
        by_partner = (partner_months.sum().astype(int) if partner_months is not None
                      else self.by_partner)
        return replace(self, monthly=monthly, by_partner=by_partner,
                       partner_months=partner_months, published=safe[: last + 1])

    @property
    def total_time(self) -> float:
        """Effective time of the whole period (plan months weighted by exposure, closed
        months to come included)."""
        return float(self.period["effective_elapsed"].iloc[-1])

    def calendar_time(self, effective: float | np.ndarray) -> np.ndarray:
        """Calendar months since the start at which ``effective`` time is reached; after the
        period, every month counts as one normal month."""
        eff = np.concatenate([[0.0], self.period["effective_elapsed"].to_numpy()])
        cal = np.concatenate([[0.0], self.period["elapsed"].to_numpy()])
        value = np.asarray(effective, dtype=float)
        inside = np.interp(value, eff, cal)
        return np.where(value > eff[-1], cal[-1] + (value - eff[-1]), inside)

    def planned_share(self, elapsed: float) -> float:
        """Share of the target the plan expects by ``elapsed`` calendar months (its calendar
        pace: closed months are not discounted)."""
        cal = np.concatenate([[0.0], self.period["elapsed"].to_numpy()])
        plan = np.concatenate([[0.0], np.cumsum(self.period["plan_time"].to_numpy())])
        return float(np.interp(elapsed, cal, plan / plan[-1]))

    @property
    def recruited(self) -> int:
        return int(self.monthly["cumulative"].iloc[-1]) if len(self.monthly) else 0

    @property
    def elapsed(self) -> float:
        return float(self.monthly["elapsed"].iloc[-1]) if len(self.monthly) else 0.0

    @property
    def effective_elapsed(self) -> float:
        return float(self.monthly["effective_elapsed"].iloc[-1]) if len(self.monthly) else 0.0


def month_frame(start: dt.date, until: dt.date, counts: pd.Series,
                exposure: Sequence[ReducedTime], plan: Plan | None = None) -> pd.DataFrame:
    """Months from ``start`` up to the exclusive end ``until``, with counts and exposure.

    ``counts`` holds persons recruited by month (index ``YYYY-MM``); the columns are those of
    :attr:`RecruitmentHistory.monthly`. Without a ``plan``, every month is one plan month.
    """
    last = until - dt.timedelta(days=1)
    months = pd.period_range(start, max(last, start), freq="M")
    ends = (months + 1).start_time.where((months + 1).start_time <= pd.Timestamp(until),
                                          pd.Timestamp(until))
    # months_between for every month's end at once (see months_between for the rule).
    elapsed = ((ends.year - start.year) * 12 + (ends.month - start.month)
               + (ends.day - start.day) / ends.days_in_month).to_numpy(dtype=float)
    calendar_months = np.diff(np.concatenate([[0.0], elapsed]))
    plan_time = (np.diff(np.concatenate([[0.0], plan.time(elapsed)])) if plan is not None
                 else calendar_months)
    weights = exposure_by_month(months, exposure)
    recruited = counts.reindex(months.astype(str), fill_value=0).to_numpy(dtype=int)
    return pd.DataFrame({
        "month": months.astype(str),
        "calendar": calendar_months,
        "exposure": weights,
        "plan_time": plan_time,
        "recruited": recruited,
        "cumulative": np.cumsum(recruited),
        "elapsed": elapsed,
        "effective_elapsed": np.cumsum(plan_time * weights),
    })


def period_frame(start: dt.date, end: dt.date, exposure: Sequence[ReducedTime],
                 plan: Plan | None = None) -> pd.DataFrame:
    """Every month of a period (``end`` its last day) with its plan time and exposure, so
    that closed months still to come shorten the time left."""
    return month_frame(start, end + dt.timedelta(days=1), pd.Series(dtype=int), exposure, plan)


def snapshot_frame(start: dt.date, figures: Sequence[tuple[dt.date, int]],
                   exposure: Sequence[ReducedTime], plan: Plan | None = None) -> pd.DataFrame:
    """One row per published figure (date, cumulative count), in date order.

    Nothing is filled in between them: ``recruited`` is the count since the figure before.
    """
    rows = []
    for when, count in sorted(figures):
        frame = month_frame(start, when, pd.Series(dtype=int), exposure, plan)
        # Labelled by the figure's own month: it was known then, not at the month before.
        rows.append(frame.iloc[-1].to_dict() | {"cumulative": int(count),
                                                "month": f"{when:%Y-%m}"})
    out = pd.DataFrame(rows)
    out["recruited"] = np.diff(np.concatenate([[0], out["cumulative"].to_numpy()])).astype(int)
    out["cumulative"] = out["cumulative"].astype(int)
    return out[["month", "calendar", "exposure", "plan_time", "recruited", "cumulative",
                "elapsed", "effective_elapsed"]]


__all__ = ["Plan", "RecruitmentHistory", "ReducedTime", "date_at", "exposure_by_month",
           "month_frame", "months_between", "period_frame", "snapshot_frame"]
