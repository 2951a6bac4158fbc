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
from collections.abc import Sequence
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
    """Each month's share of normal recruitment time: the mean daily weight over its days."""
    out = np.ones(len(months))
    for i, month in enumerate(months):
        days = pd.date_range(month.start_time, month.end_time.normalize(), freq="D")
        weight = np.ones(len(days))
        for period in periods:
            inside = (days >= pd.Timestamp(period.start)) & (days <= pd.Timestamp(period.end))
            weight[inside] = np.minimum(weight[inside], period.weight)
        out[i] = weight.mean()
    return out


# --- recruitment history --------------------------------------------------------------------


@dataclass(frozen=True)
class RecruitmentHistory:
    """Recruitment month by month up to the analysis date.

    Attributes
    ----------
    monthly
        One row per month from the start: ``month`` (``YYYY-MM``), ``calendar`` (months
        counted: 1, or less for the last, partial month), ``exposure`` (share of normal
        recruitment time), ``recruited`` (in the month), ``cumulative``, ``elapsed`` (calendar
        months at the month's end) and ``effective_elapsed`` (exposure-weighted).
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
    assumed_steady
        True when the months are not observed but spread evenly to match a snapshot.
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
    assumed_steady: bool = False
    synthetic: bool = False
    partner_months: pd.DataFrame | None = None
    published: np.ndarray | None = None

    def shown_months(self) -> pd.DataFrame:
        """The months a report may show."""
        if self.published is None:
            return self.monthly
        return self.monthly.loc[self.published]

    def for_public(self, min_cell: int) -> RecruitmentHistory:
        """Cut at the last month that may be published and mark the months that may be
        shown: no difference between shown cumulative counts is below ``min_cell``."""
        safe = safe_cumulative_points(self.monthly["recruited"].to_numpy(), min_cell)
        last = int(np.flatnonzero(safe)[-1]) if safe.any() else 0
        monthly = self.monthly.iloc[: last + 1].reset_index(drop=True)
        partner_months = (self.partner_months.iloc[: last + 1]
                          if self.partner_months is not None else None)
        by_partner = (partner_months.sum().astype(int) if partner_months is not None
                      else self.by_partner)
        return replace(self, monthly=monthly, by_partner=by_partner,
                       partner_months=partner_months, published=safe[: last + 1])

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
                exposure: Sequence[ReducedTime]) -> pd.DataFrame:
    """Months from ``start`` up to the exclusive end ``until``, with counts and exposure.

    ``counts`` holds persons recruited by month (index ``YYYY-MM``); the columns are those of
    :attr:`RecruitmentHistory.monthly`.
    """
    last = until - dt.timedelta(days=1)
    months = pd.period_range(start, max(last, start), freq="M")
    elapsed = np.array([months_between(start, min(m.end_time.date() + dt.timedelta(days=1),
                                                   until)) for m in months])
    calendar_months = np.diff(np.concatenate([[0.0], elapsed]))
    weights = exposure_by_month(months, exposure)
    recruited = counts.reindex(months.astype(str), fill_value=0).to_numpy(dtype=int)
    return pd.DataFrame({
        "month": months.astype(str),
        "calendar": calendar_months,
        "exposure": weights,
        "recruited": recruited,
        "cumulative": np.cumsum(recruited),
        "elapsed": elapsed,
        "effective_elapsed": np.cumsum(calendar_months * weights),
    })


def steady_frame(start: dt.date, until: dt.date, count: int,
                 exposure: Sequence[ReducedTime]) -> pd.DataFrame:
    """Months up to ``until`` with ``count`` persons spread evenly over calendar time.

    The cumulative count at the end of each month is ``floor(m · elapsed / t)``, so it reaches
    ``count`` exactly at ``until``: the assumption behind a published snapshot.
    """
    frame = month_frame(start, until, pd.Series(dtype=int), exposure)
    total = months_between(start, until)
    cumulative = np.floor(count * frame["elapsed"].to_numpy() / total + 1e-9).astype(int)
    cumulative[-1] = count
    frame["cumulative"] = cumulative
    frame["recruited"] = np.diff(np.concatenate([[0], cumulative]))
    return frame


__all__ = ["RecruitmentHistory", "ReducedTime", "date_at", "exposure_by_month",
           "month_frame", "months_between", "steady_frame"]
