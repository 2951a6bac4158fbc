"""What the case data say before any model: persons by month, quarter, organisation and
channel, table coverage, and monthly recruitment with its plan.

The overview and the shortfall assessment both count from here, and so does the public
release (:mod:`exitanalysis.assess.release`), which must see exactly the counts the pages
publish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..data.config import Config
from ..data.programme import Programme
from ..models.history import Plan, RecruitmentHistory, month_frame, months_between, period_frame


def period_months(config: Config) -> float:
    """The planned period in calendar months (2020-01-01 to 2023-12-31 is 48.0)."""
    spec = config.programme
    return months_between(spec.start, spec.end + dt.timedelta(days=1))


def accrual_plan(config: Config) -> Plan:
    """The planned accrual curve of the config: ``programme.plan`` (planned counts at dates),
    ``programme.ramp_up_months``, or a straight line."""
    spec = config.programme
    duration = period_months(config)
    if spec.plan:
        return Plan.from_points(duration, [months_between(spec.start, p.date) for p in spec.plan],
                                [p.count / spec.target for p in spec.plan])
    if spec.ramp_up_months is not None:
        return Plan.ramp(duration, spec.ramp_up_months)
    return Plan.straight(duration)


def planned_period(config: Config) -> pd.DataFrame:
    """The whole planned period month by month (:attr:`RecruitmentHistory.period`)."""
    spec = config.programme
    return period_frame(spec.start, spec.end, config.analysis.exposure, accrual_plan(config))


def recruitment_history(programme: Programme, measure: str | None = None) -> RecruitmentHistory:
    """Monthly recruitment from a programme's case data (persons, or the monthly table).

    Parameters
    ----------
    programme
        With a persons or monthly table.
    measure
        ``included`` (by inclusion date) or ``contacted`` (by first contact); default the
        config's ``analysis.recruitment_measure``.

    Notes
    -----
    The monthly table counts, for each month of first contact, how many were contacted and
    how many of them were included; ``included`` from it is therefore dated by first contact.
    """
    config = programme.config
    measure = measure or config.analysis.recruitment_measure
    spec = config.programme
    as_of = programme.as_of or spec.end
    until = min(as_of, spec.end) + dt.timedelta(days=1)
    if programme.persons is not None:
        persons = programme.persons
        column = "inclusion_date" if measure == "included" else "first_contact"
        rows = persons[persons[column].notna() & (persons[column] < pd.Timestamp(until))]
        if measure == "included":
            rows = rows[rows["included"].fillna(False).astype(bool)]
        month = rows[column].dt.to_period("M").astype(str)
        counts = month.value_counts()
        partner_months = pd.crosstab(month, rows["organisation"].astype(str))
        dated = "dated_inclusion" if measure == "included" else "dated_first_contact"
        basis: tuple[str, dict[str, Any]] = ("basis_persons", {"measure": measure,
                                                                "dated": dated})
    elif programme.monthly is not None:
        monthly = programme.monthly
        month = monthly["month"].astype(str)
        counts = monthly.groupby(month)[measure].sum().astype(int)
        partner_months = monthly.pivot_table(index=month, columns=monthly["organisation"]
                                             .astype(str), values=measure, aggfunc="sum",
                                             fill_value=0)
        basis = ("basis_monthly", {"measure": measure})
    else:
        raise ValueError("no case data: the programme has neither a persons nor a monthly table")
    frame = month_frame(spec.start, until, counts, config.analysis.exposure, accrual_plan(config))
    synthetic = any(s.synthetic for s in programme.sources if s.name in ("persons", "monthly"))
    partner_months = partner_months.reindex(index=frame["month"],
                                            columns=list(spec.organisation_ids), fill_value=0)
    return RecruitmentHistory(frame, partner_months.sum().astype(int), measure, basis,
                              planned_period(config), snapshot=False, synthetic=synthetic,
                              partner_months=partner_months.astype(int))




def monthly_contacts(programme: Programme) -> pd.DataFrame:
    """Persons first contacted per month, organisation, contact and sales channel.

    From the persons table when there is one, else from the monthly table (whose sales
    channel is ``unknown``). Months run from the start of the period to ``as_of``.
    """
    columns = ["month", "organisation", "contact_channel", "sales_channel", "contacted",
               "included"]
    if programme.persons is not None:
        persons = programme.persons
        counts = (
            persons.assign(month=persons["first_contact"].dt.to_period("M"))
            .groupby(["month", "organisation", "contact_channel", "sales_channel"],
                     observed=True)
            .agg(contacted=("person_id", "size"), included=("included", "sum"))
            .reset_index()
        )
    elif programme.monthly is not None:
        monthly = programme.monthly
        counts = monthly.assign(
            contact_channel=monthly.get("contact_channel", "unknown"), sales_channel="unknown"
        )[columns].copy()
    else:
        return pd.DataFrame(columns=columns)
    counts["contacted"] = counts["contacted"].astype(int)
    counts["included"] = counts["included"].astype(int)
    spec = programme.config.programme
    last = programme.as_of or spec.end
    months = pd.period_range(spec.start, min(last, spec.end), freq="M")
    present = counts.groupby("month", observed=True).size().index
    empty = pd.DataFrame(
        {"month": [m for m in months if m not in present],
         "organisation": spec.organisation_ids[0], "contact_channel": "other",
         "sales_channel": "unknown", "contacted": 0, "included": 0}
    )
    counts["month"] = counts["month"].astype(str)
    empty["month"] = empty["month"].astype(str)
    for column in ("organisation", "contact_channel", "sales_channel"):
        counts[column] = counts[column].astype(str)
    tidy = pd.concat([counts, empty], ignore_index=True) if len(empty) else counts
    return tidy.sort_values(columns[:4], kind="stable").reset_index(drop=True)[columns]


#: Channels whose counts say nothing about a channel (left out of channel rates and mixes).
NOT_A_CHANNEL = ("unknown",)

#: Each table's main date: what its rows are counted by.
MAIN_DATE = {
    "persons": "first_contact",
    "activities": "date",
    "outcomes": "assessed_on",
    "referrals": "date",
}


def table_coverage(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per quarter of each table's main date (first contact, activity date, ...)."""
    parts = []
    for name, frame in tables.items():
        if name == "monthly":
            quarter = frame["month"].dt.asfreq("Q")
            rows = frame.groupby(quarter.astype(str))["contacted"].size()
        else:
            dates = frame[MAIN_DATE[name]].dropna()
            rows = dates.groupby(dates.dt.to_period("Q").astype(str)).size()
        parts.append(pd.DataFrame({"table": name, "quarter": rows.index, "rows": rows.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["table", "quarter", "rows"])
    coverage = pd.concat(parts, ignore_index=True)
    coverage["rows"] = coverage["rows"].astype(int)
    return coverage


def persons_by_year(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Distinct persons per table and year of the table's main date."""
    parts = []
    for name, frame in tables.items():
        if name == "monthly" or "person_id" not in frame:
            continue
        rows = frame.dropna(subset=["person_id", MAIN_DATE[name]])
        years = rows[MAIN_DATE[name]].dt.year.astype(str)
        persons = rows.groupby(years)["person_id"].nunique()
        parts.append(pd.DataFrame({"table": name, "year": persons.index,
                                   "persons": persons.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["table", "year", "persons"])
    return pd.concat(parts, ignore_index=True)


__all__ = [
    "MAIN_DATE",
    "NOT_A_CHANNEL",
    "accrual_plan",
    "monthly_contacts",
    "period_months",
    "persons_by_year",
    "planned_period",
    "recruitment_history",
    "table_coverage",
]
