"""A synthetic exit programme with documented truth, for tests, demos and the default report.

Nothing here describes real people. The generator imitates the *shape* of the Copenhagen
Exitpakke case (three partners, 2020–2023, about 64 persons contacted by the middle of the
period, lockdowns, a shift of selling towards online) so that every analysis can be run end to
end and checked against a known truth. Every row carries ``synthetic = true`` and the true
parameters are written beside the data (``truth.json``) and listed in :func:`generate`'s
docstring. Same seed, same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .validation import CONTACT_CHANNELS, SALES_CHANNELS

ORGANISATIONS = ("reden_kbh", "reden_int", "liva")
GENERATOR_VERSION = 1

# Selling arenas modelled; "unknown" is never true of a person, only of a record.
_ARENAS = ("street", "venue", "online", "other")
# Contact channels the synthetic programme uses.
_CHANNELS = (
    "street_outreach",
    "venue_outreach",
    "online_outreach",
    "drop_in",
    "partner_referral",
    "municipal_referral",
    "self_referral",
)


def _frozen(mapping: Mapping[str, Any]) -> Any:
    return field(default_factory=lambda: dict(mapping))


@dataclass(frozen=True)
class SyntheticTruth:
    """The true parameters of the synthetic programme.

    Attributes
    ----------
    start, end
        The planned recruitment period.
    closure
        The funder closes the programme: no contact, activity or assessment after this day.
    midpoint, contacted_by_midpoint
        Calibration: contact rates are scaled so that the *expected* number of persons first
        contacted before ``midpoint`` is ``contacted_by_midpoint`` (the published 64).
    hidden_population
        Persons selling sex in the programme's area (an assumption for the simulation).
    arena_share_start, arena_share_end
        Where the population sells, at ``start`` and at ``end``; linear in between.
    reach
        Relative monthly contact hazard, per 1,000 persons, of each contact channel for a
        person selling in each arena (before calibration scaling).
    lockdowns, lockdown_factor, offline_channels
        During the Danish lockdowns offline channels run at ``lockdown_factor`` of their rate;
        online outreach and referrals do not.
    network_reactivated, network_factor
        From this day the bridge-builder network multiplies partner referrals by the factor.
    organisation_share
        Which partner a person contacted through each channel comes to.
    inclusion_logit
        Log-odds of inclusion: ``intercept`` plus an effect of the selling arena and of the
        contact channel (0 where not listed).
    inclusion_delay_days
        Mean days from first contact to inclusion (geometric); an inclusion that would fall
        after the closure does not happen.
    component_rate
        Sessions per month after inclusion, by component. ``group_course`` is instead a course
        of ``course_sessions`` weekly sessions, taken with ``course_uptake`` probability and
        attended per session with ``course_attendance`` probability.
    assessment_months
        Months after inclusion at which outcomes are assessed (if before the closure).
    outcome_logit
        Log-odds of achieving each outcome: ``intercept``; ``course`` (any group-course session
        before the assessment), ``conversations`` (at least four individual conversations),
        ``support`` (any accompaniment, home visit or bisidning), ``later`` (the 12-month
        assessment rather than the 6-month one).
    referral_out
        Probability that an included person is referred by their partner to each party
        (``partner`` = another partner organisation), 7–180 days after inclusion.
    anonymous_referrals_per_month
        Case consultations without a person id in the network, per month once reactivated.
    """

    start: dt.date = dt.date(2020, 1, 1)
    end: dt.date = dt.date(2023, 12, 31)
    closure: dt.date = dt.date(2023, 6, 30)
    midpoint: dt.date = dt.date(2022, 1, 1)
    contacted_by_midpoint: float = 64.0
    hidden_population: int = 1500
    arena_share_start: dict[str, float] = _frozen(
        {"street": 0.15, "venue": 0.50, "online": 0.30, "other": 0.05}
    )
    arena_share_end: dict[str, float] = _frozen(
        {"street": 0.10, "venue": 0.32, "online": 0.53, "other": 0.05}
    )
    reach: dict[str, dict[str, float]] = _frozen(
        {
            "street_outreach": {"street": 8.0, "venue": 0.3, "online": 0.1, "other": 0.5},
            "venue_outreach": {"street": 0.2, "venue": 1.2, "online": 0.1, "other": 0.2},
            "online_outreach": {"street": 0.1, "venue": 0.2, "online": 0.4, "other": 0.1},
            "drop_in": {"street": 3.0, "venue": 0.3, "online": 0.2, "other": 1.0},
            "partner_referral": {"street": 0.3, "venue": 0.3, "online": 0.2, "other": 0.3},
            "municipal_referral": {"street": 0.3, "venue": 0.2, "online": 0.15, "other": 0.3},
            "self_referral": {"street": 0.15, "venue": 0.15, "online": 0.15, "other": 0.15},
        }
    )
    lockdowns: tuple[tuple[dt.date, dt.date], ...] = (
        (dt.date(2020, 3, 11), dt.date(2020, 5, 31)),
        (dt.date(2020, 12, 9), dt.date(2021, 2, 28)),
    )
    lockdown_factor: float = 0.1
    offline_channels: tuple[str, ...] = ("street_outreach", "venue_outreach", "drop_in")
    network_reactivated: dt.date = dt.date(2021, 6, 1)
    network_factor: float = 2.5
    organisation_share: dict[str, dict[str, float]] = _frozen(
        {
            "street_outreach": {"reden_kbh": 0.75, "reden_int": 0.25, "liva": 0.0},
            "venue_outreach": {"reden_kbh": 0.30, "reden_int": 0.60, "liva": 0.10},
            "online_outreach": {"reden_kbh": 0.30, "reden_int": 0.40, "liva": 0.30},
            "drop_in": {"reden_kbh": 0.70, "reden_int": 0.20, "liva": 0.10},
            "partner_referral": {"reden_kbh": 1 / 3, "reden_int": 1 / 3, "liva": 1 / 3},
            "municipal_referral": {"reden_kbh": 0.30, "reden_int": 0.20, "liva": 0.50},
            "self_referral": {"reden_kbh": 0.20, "reden_int": 0.20, "liva": 0.60},
        }
    )
    inclusion_logit: dict[str, float] = _frozen(
        {
            "intercept": 0.3,
            "arena:online": -0.9,
            "arena:other": -0.3,
            "channel:online_outreach": -0.4,
            "channel:partner_referral": 0.8,
            "channel:municipal_referral": 0.6,
            "channel:self_referral": 1.0,
        }
    )
    inclusion_delay_days: float = 21.0
    component_rate: dict[str, float] = _frozen(
        {
            "individual_conversation": 1.2,
            "accompaniment": 0.35,
            "home_visit": 0.2,
            "bisidning": 0.15,
        }
    )
    course_uptake: float = 0.45
    course_sessions: int = 8
    course_attendance: float = 0.8
    assessment_months: tuple[int, ...] = (6, 12)
    outcome_logit: dict[str, dict[str, float]] = _frozen(
        {
            "employment": {"intercept": -2.2, "course": 0.9, "conversations": 0.2,
                           "support": 0.1, "later": 0.3},
            "education": {"intercept": -2.5, "course": 0.6, "conversations": 0.2,
                          "support": 0.0, "later": 0.3},
            "own_housing": {"intercept": -1.5, "course": 0.0, "conversations": 0.2,
                            "support": 0.8, "later": 0.3},
            "substance_treatment": {"intercept": -1.8, "course": 0.0, "conversations": 0.3,
                                    "support": 0.6, "later": 0.3},
            "stopped_selling": {"intercept": -1.6, "course": 0.4, "conversations": 0.5,
                                "support": 0.2, "later": 0.3},
            "improved_wellbeing": {"intercept": -0.4, "course": 0.2, "conversations": 0.7,
                                   "support": 0.3, "later": 0.3},
        }
    )
    referral_out: dict[str, float] = _frozen(
        {"jobcenter": 0.30, "health": 0.25, "municipality": 0.20, "partner": 0.15,
         "police": 0.03, "other": 0.05}
    )
    anonymous_referrals_per_month: float = 0.5
    age_band_share: dict[str, float] = _frozen(
        {"18-24": 0.18, "25-34": 0.34, "35-44": 0.26, "45-54": 0.15, "55+": 0.05,
         "unknown": 0.02}
    )
    origin_share: dict[str, dict[str, float]] = _frozen(
        {
            "reden_kbh": {"denmark": 0.60, "eu": 0.15, "non_eu": 0.20, "unknown": 0.05},
            "reden_int": {"denmark": 0.07, "eu": 0.35, "non_eu": 0.55, "unknown": 0.03},
            "liva": {"denmark": 0.75, "eu": 0.08, "non_eu": 0.12, "unknown": 0.05},
        }
    )

    def to_json(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


# --- the contact process (closed forms the tests compare against) ---------------------------


def days(truth: SyntheticTruth) -> pd.DatetimeIndex:
    """Every day of the planned period."""
    return pd.date_range(truth.start, truth.end, freq="D")


def arena_shares(truth: SyntheticTruth, when: pd.DatetimeIndex) -> pd.DataFrame:
    """Share of the population selling in each arena on each day (rows: days)."""
    span = (pd.Timestamp(truth.end) - pd.Timestamp(truth.start)).days
    frac = np.clip((when - pd.Timestamp(truth.start)).days.to_numpy() / span, 0.0, 1.0)
    return pd.DataFrame(
        {
            a: truth.arena_share_start[a]
            + frac * (truth.arena_share_end[a] - truth.arena_share_start[a])
            for a in _ARENAS
        },
        index=when,
    )


def daily_factor(truth: SyntheticTruth, when: pd.DatetimeIndex) -> pd.DataFrame:
    """Multiplier of each channel's rate on each day: lockdowns, the network, the closure."""
    factor = pd.DataFrame(1.0, index=when, columns=list(_CHANNELS))
    for first, last in truth.lockdowns:
        in_lockdown = (when >= pd.Timestamp(first)) & (when <= pd.Timestamp(last))
        factor.loc[in_lockdown, list(truth.offline_channels)] *= truth.lockdown_factor
    factor.loc[when >= pd.Timestamp(truth.network_reactivated), "partner_referral"] *= (
        truth.network_factor
    )
    factor.loc[when > pd.Timestamp(truth.closure)] = 0.0
    return factor


def _unscaled_daily_rates(truth: SyntheticTruth) -> pd.DataFrame:
    when = days(truth)
    shares = arena_shares(truth, when)
    per_person_month = pd.DataFrame(
        {c: shares.mul(pd.Series(truth.reach[c])).sum(axis=1) for c in _CHANNELS}
    )
    per_day = per_person_month * truth.hidden_population / 1000.0 * 12.0 / 365.25
    return per_day * daily_factor(truth, when)


def calibration_scale(truth: SyntheticTruth) -> float:
    """Factor on all reach values so that E[contacts before midpoint] = contacted_by_midpoint."""
    rates = _unscaled_daily_rates(truth)
    before = rates.index < pd.Timestamp(truth.midpoint)
    return truth.contacted_by_midpoint / float(rates.loc[before].to_numpy().sum())


def daily_rates(truth: SyntheticTruth) -> pd.DataFrame:
    """Expected first contacts per day by contact channel (rows: days), after calibration."""
    return _unscaled_daily_rates(truth) * calibration_scale(truth)


def monthly_rates(truth: SyntheticTruth) -> pd.DataFrame:
    """Expected first contacts per calendar month by contact channel."""
    rates = daily_rates(truth)
    return rates.groupby(rates.index.to_period("M")).sum()


# --- generation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticProgramme:
    """Generated tables and the truth behind them."""

    persons: pd.DataFrame
    activities: pd.DataFrame
    outcomes: pd.DataFrame
    referrals: pd.DataFrame
    monthly: pd.DataFrame
    truth: SyntheticTruth
    seed: int

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "persons": self.persons,
            "activities": self.activities,
            "outcomes": self.outcomes,
            "referrals": self.referrals,
            "monthly": self.monthly,
        }

    def realised(self) -> dict[str, Any]:
        """Counts in this draw, for the truth file and for calibration checks."""
        first = self.persons["first_contact"]
        return {
            "persons_contacted": len(self.persons),
            "contacted_before_midpoint": int((first < pd.Timestamp(self.truth.midpoint)).sum()),
            "included": int(self.persons["included"].sum()),
            "activities": len(self.activities),
            "outcome_assessments": len(self.outcomes),
            "referrals": len(self.referrals),
        }


def generate(seed: int = 20200101, truth: SyntheticTruth | None = None) -> SyntheticProgramme:
    """Generate a synthetic exit programme (all tables of CONTRACT §3).

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed gives the same tables.
    truth
        The true parameters (the defaults are listed below and in ``truth.json``).

    Returns
    -------
    SyntheticProgramme
        ``persons``, ``activities``, ``outcomes``, ``referrals``, ``monthly`` and the truth.

    Notes
    -----
    First contacts through channel *c* form a Poisson process with daily rate
    ``s · N/1000 · Σ_a share_a(t) · reach[c, a] · factor_c(t) · 12/365.25``, where *N* is the
    hidden population, ``share_a(t)`` the share selling in arena *a*, ``factor_c(t)`` the
    lockdown, network and closure multipliers, and *s* the calibration scale that makes the
    expected count before the midpoint equal the published 64. A contacted person's arena is
    drawn with probability proportional to ``share_a(t) · reach[c, a]``, so reach depends on
    where people sell. Inclusion, components, outcomes and referrals follow the models in
    :class:`SyntheticTruth`.

    Examples
    --------
    >>> from exitanalysis.data.synth import generate
    >>> programme = generate(seed=1)
    >>> bool(programme.persons["synthetic"].all())
    True
    """
    truth = truth or SyntheticTruth()
    rng = np.random.default_rng(seed)
    persons = _persons(truth, rng)
    activities = _activities(truth, persons, rng)
    outcomes = _outcomes(truth, persons, activities, rng)
    referrals = _referrals(truth, persons, rng)
    monthly = _monthly(truth, persons)
    return SyntheticProgramme(persons, activities, outcomes, referrals, monthly, truth, seed)


def _pick(rng: np.random.Generator, shares: Mapping[str, float]) -> str:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys], dtype=float)
    return str(keys[rng.choice(len(keys), p=weights / weights.sum())])


def _logistic(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


def _persons(truth: SyntheticTruth, rng: np.random.Generator) -> pd.DataFrame:
    rates = daily_rates(truth)
    shares = arena_shares(truth, rates.index)
    closure = pd.Timestamp(truth.closure)
    counts = rng.poisson(rates.to_numpy())  # days × channels
    records = []
    for day_index, channel_index in zip(*np.nonzero(counts), strict=True):
        day = rates.index[day_index]
        channel = _CHANNELS[channel_index]
        weights = {a: shares.iloc[day_index][a] * truth.reach[channel][a] for a in _ARENAS}
        for _ in range(int(counts[day_index, channel_index])):
            arena = _pick(rng, weights)
            organisation = _pick(rng, truth.organisation_share[channel])
            logit = (
                truth.inclusion_logit["intercept"]
                + truth.inclusion_logit.get(f"arena:{arena}", 0.0)
                + truth.inclusion_logit.get(f"channel:{channel}", 0.0)
            )
            included = bool(rng.random() < _logistic(logit))
            delay = int(rng.geometric(1.0 / truth.inclusion_delay_days))
            inclusion = day + pd.Timedelta(days=delay) if included else pd.NaT
            if included and inclusion > closure:
                included, inclusion = False, pd.NaT
            records.append(
                {
                    "organisation": organisation,
                    "first_contact": day,
                    "contact_channel": channel,
                    "sales_channel": arena,
                    "included": included,
                    "inclusion_date": inclusion,
                    "age_band": _pick(rng, truth.age_band_share),
                    "origin": _pick(rng, truth.origin_share[organisation]),
                }
            )
    persons = pd.DataFrame.from_records(records)
    persons.insert(0, "person_id", [f"SYN-{i + 1:04d}" for i in range(len(persons))])
    persons["synthetic"] = True
    return persons


def _activities(
    truth: SyntheticTruth, persons: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    closure = pd.Timestamp(truth.closure)
    records = []
    for person in persons.loc[persons["included"]].itertuples(index=False):
        start = person.inclusion_date
        months = max((closure - start).days, 0) / (365.25 / 12)
        for component, rate in truth.component_rate.items():
            n = int(rng.poisson(rate * months))
            offsets = np.sort(rng.integers(0, max((closure - start).days, 0) + 1, size=n))
            records += [(person.person_id, start + pd.Timedelta(days=int(o)), component,
                         person.organisation) for o in offsets]
        if rng.random() < truth.course_uptake:
            first_session = start + pd.offsets.Week(weekday=0) + pd.Timedelta(weeks=1)
            for k in range(truth.course_sessions):
                session = first_session + pd.Timedelta(weeks=k)
                if session <= closure and rng.random() < truth.course_attendance:
                    records.append((person.person_id, session, "group_course",
                                    person.organisation))
    activities = pd.DataFrame.from_records(
        records, columns=["person_id", "date", "component", "organisation"]
    )
    activities = activities.sort_values(["date", "person_id", "component"], kind="stable")
    activities["synthetic"] = True
    return activities.reset_index(drop=True)


def _outcomes(
    truth: SyntheticTruth, persons: pd.DataFrame, activities: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    closure = pd.Timestamp(truth.closure)
    by_person = dict(tuple(activities.groupby("person_id")))
    empty = activities.iloc[0:0]
    records = []
    for person in persons.loc[persons["included"]].itertuples(index=False):
        mine = by_person.get(person.person_id, empty)
        for months in truth.assessment_months:
            when = person.inclusion_date + pd.DateOffset(months=months)
            if when > closure:
                continue
            before = mine.loc[mine["date"] < when, "component"]
            exposure = {
                "course": float((before == "group_course").any()),
                "conversations": float((before == "individual_conversation").sum() >= 4),
                "support": float(before.isin(["accompaniment", "home_visit", "bisidning"]).any()),
                "later": float(months > min(truth.assessment_months)),
            }
            for outcome, coef in truth.outcome_logit.items():
                logit = coef["intercept"] + sum(coef[k] * v for k, v in exposure.items())
                achieved = bool(rng.random() < _logistic(logit))
                records.append((person.person_id, when, outcome, achieved))
    outcomes = pd.DataFrame.from_records(
        records, columns=["person_id", "assessed_on", "outcome", "achieved"]
    )
    outcomes["synthetic"] = True
    return outcomes


def _other_partner(rng: np.random.Generator, organisation: str) -> str:
    """One of the other partner organisations, uniformly."""
    others = [o for o in ORGANISATIONS if o != organisation]
    return others[int(rng.integers(len(others)))]


def _referrals(
    truth: SyntheticTruth, persons: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    closure = pd.Timestamp(truth.closure)
    records: list[tuple[Any, ...]] = []
    inbound = {"municipal_referral": "municipality"}
    for person in persons.itertuples(index=False):
        if person.contact_channel == "partner_referral":
            source = _other_partner(rng, person.organisation)
            records.append((person.first_contact, source, person.organisation, person.person_id))
        elif person.contact_channel in inbound:
            records.append((person.first_contact, inbound[person.contact_channel],
                            person.organisation, person.person_id))
        if not person.included:
            continue
        for party, probability in truth.referral_out.items():
            if rng.random() >= probability:
                continue
            when = person.inclusion_date + pd.Timedelta(days=int(rng.integers(7, 181)))
            if when > closure:
                continue
            if party == "partner":
                party = _other_partner(rng, person.organisation)
            records.append((when, person.organisation, party, person.person_id))
    months = pd.period_range(truth.network_reactivated, truth.closure, freq="M")
    for month in months:
        for _ in range(int(rng.poisson(truth.anonymous_referrals_per_month))):
            day = month.start_time + pd.Timedelta(days=int(rng.integers(month.days_in_month)))
            source, target = rng.choice(len(ORGANISATIONS), size=2, replace=False)
            records.append((day, ORGANISATIONS[source], ORGANISATIONS[target], None))
    referrals = pd.DataFrame.from_records(
        records, columns=["date", "from_party", "to_party", "person_id"]
    )
    referrals = referrals.sort_values(["date", "from_party", "to_party"], kind="stable")
    referrals["synthetic"] = True
    return referrals.reset_index(drop=True)


def _monthly(truth: SyntheticTruth, persons: pd.DataFrame) -> pd.DataFrame:
    months = pd.period_range(truth.start, truth.closure, freq="M")
    combos = [
        (o, c) for c in _CHANNELS for o in ORGANISATIONS if truth.organisation_share[c][o] > 0
    ]
    grid = pd.MultiIndex.from_tuples(
        [(m, o, c) for m in months for o, c in combos],
        names=["month", "organisation", "contact_channel"],
    )
    keyed = persons.assign(month=persons["first_contact"].dt.to_period("M"))
    counts = keyed.groupby(["month", "organisation", "contact_channel"]).agg(
        contacted=("person_id", "size"), included=("included", "sum")
    )
    monthly = counts.reindex(grid, fill_value=0).reset_index()
    monthly["month"] = monthly["month"].astype(str)
    monthly["synthetic"] = True
    columns = ["month", "organisation", "contact_channel", "contacted", "included", "synthetic"]
    return monthly[columns]


# --- writing --------------------------------------------------------------------------------

_README = """\
# Synthetic data: not real persons

Every file in this folder was generated by `exitanalysis synth --seed {seed}` (generator
version {version}) and describes **no real person**. Every row has `synthetic = true`.
The true parameters are in `truth.json` and in the docstring of
`exitanalysis.data.synth.generate`; the same seed gives the same bytes.

| file | rows | what |
|---|---|---|
{table_rows}

Realised in this draw: {contacted_before_midpoint} persons first contacted before {midpoint}
(calibrated expectation: {expected:g}), {persons_contacted} in all up to the closure on
{closure}, {included} included.
"""

_DESCRIPTIONS = {
    "persons": "one row per person contacted (first contact, channels, inclusion)",
    "activities": "sessions of each programme component after inclusion",
    "outcomes": "outcome assessments 6 and 12 months after inclusion",
    "referrals": "referrals between partners, the municipality and other parties",
    "monthly": "persons first contacted per month, organisation and channel (aggregate form)",
}


def write(programme: SyntheticProgramme, out: Path) -> list[Path]:
    """Write every table as CSV, ``truth.json`` and a README into ``out`` (byte-stable)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in programme.tables().items():
        path = out / f"{name}.csv"
        _to_csv(frame, path)
        written.append(path)
    truth = {
        "description": "True parameters of the synthetic exit programme. NOT REAL DATA.",
        "synthetic": True,
        "generator": "exitanalysis.data.synth.generate",
        "generator_version": GENERATOR_VERSION,
        "seed": programme.seed,
        "parameters": programme.truth.to_json(),
        "calibration_scale": calibration_scale(programme.truth),
        "expected_contacts_by_month": {
            str(k): round(float(v), 6)
            for k, v in monthly_rates(programme.truth).sum(axis=1).items()
            if v > 0
        },
        "realised": programme.realised(),
    }
    truth_path = out / "truth.json"
    truth_path.write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(truth_path)
    realised = programme.realised()
    readme = _README.format(
        seed=programme.seed,
        version=GENERATOR_VERSION,
        table_rows="\n".join(
            f"| `{n}.csv` | {len(f)} | {_DESCRIPTIONS[n]} |" for n, f in programme.tables().items()
        ) + "\n| `truth.json` | | the true parameters and the realised counts |",
        midpoint=programme.truth.midpoint,
        expected=programme.truth.contacted_by_midpoint,
        closure=programme.truth.closure,
        **realised,
    )
    readme_path = out / "README.md"
    readme_path.write_text(readme, encoding="utf-8")
    written.append(readme_path)
    return written


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    text = frame.copy()
    for column in text.columns:
        values = text[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text[column] = values.dt.strftime("%Y-%m-%d").where(values.notna(), "")
        elif pd.api.types.is_bool_dtype(values) or values.map(type).eq(bool).all():
            text[column] = values.map({True: "true", False: "false"})
    text.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 12)
    return value


def _truth_table(truth: SyntheticTruth) -> str:
    """The default truth as an indented listing, appended to :func:`generate`'s docstring."""
    lines = json.dumps(truth.to_json(), indent=2, sort_keys=True).splitlines()
    return "\n".join("        " + line for line in lines)


generate.__doc__ = (generate.__doc__ or "") + (
    "\n    True parameters (defaults of :class:`SyntheticTruth`, as in ``truth.json``)::\n\n"
    + _truth_table(SyntheticTruth())
    + "\n"
)

# The vocabularies used here must be the contract's.
assert set(_CHANNELS) <= set(CONTACT_CHANNELS) and set(_ARENAS) <= set(SALES_CHANNELS)
