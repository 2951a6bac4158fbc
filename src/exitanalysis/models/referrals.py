"""Referrals in the partners' network: who refers whom, month by month, how many of the
persons included came through a referral, and whether the reactivated bridge-builder network
(brobyggernetværk) came with more referrals.

The referrals table (CONTRACT §3) has one row per referral: ``date``, ``from_party``,
``to_party`` and, optionally, ``person_id``. A party is one of the programme's organisations
or one of the services in :data:`SERVICES`; every party that is not a service is taken to be
an organisation (the validation step allows nothing else). A referral without a person id is
an anonymous case consultation: it counts as a referral, never as a person.

Each referral has one *kind* (:data:`KINDS`): ``anonymous`` when it has no person; otherwise
``inbound`` (a service refers a person to an organisation), ``between_partners`` (one
organisation to another), ``outbound`` (an organisation to a service) or
``between_services`` (neither party is an organisation). With the persons table one more,
overlapping, kind can be told apart: ``partner_intake``, the between-partner referral that
brought a person to the programme (see :func:`referrals_by_month`).

Whether the network came with more referrals is a before/during comparison of two Poisson
counts (:func:`network_rate_ratio`); what such a comparison cannot show is in its Notes.
All results hold counts, shares, rates and quantiles of groups only: no person id and no
person's date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ArgumentError
from .checks import summary_html
from .conversion import wilson_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .interrupted import InterruptedTimeSeries

#: The parties that are not organisations of the programme, in the order tables show them.
SERVICES: tuple[str, ...] = ("municipality", "jobcenter", "health", "police", "other")
#: The kinds of referral: every referral has exactly one.
KINDS: tuple[str, ...] = ("inbound", "between_partners", "outbound", "anonymous",
                          "between_services")
#: What :func:`network_rate_ratio` can count: a kind, the partner intake (a subset of
#: ``between_partners``; needs the persons table) or all referrals.
RateKind = Literal["inbound", "between_partners", "outbound", "anonymous", "between_services",
                   "partner_intake", "all"]
RATE_KINDS: tuple[str, ...] = (*KINDS, "partner_intake", "all")
#: The tests of two Poisson rates on offer.
Method = Literal["exact-cond", "score"]
METHODS: tuple[str, ...] = ("exact-cond", "score")
#: What a matrix can count.
MatrixKind = Literal["referrals", "persons", "anonymous"]
MATRIX_KINDS: tuple[str, ...] = ("referrals", "persons", "anonymous")
#: The contact channels through which someone else sends a person to the programme.
REFERRAL_CHANNELS: tuple[str, ...] = ("partner_referral", "municipal_referral", "health_service")
#: Fewer persons than this in a group: no quantiles of their delays and no test (a median of
#: one or two persons is their own delay).
MIN_PERSONS = 5
#: Monthly counts whose Pearson dispersion is above this vary more than Poisson counts do:
#: the result says its interval is too narrow.
OVERDISPERSED = 1.5


# --- who refers whom ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralMatrix:
    """Referrals from each party to each party.

    Attributes
    ----------
    parties
        Every party, in the order of the tables: the organisations, then the services in the
        order of :data:`SERVICES` (or the order given).
    organisations
        The parties that are organisations of the programme.
    cells
        One row per (from, to) pair of ``parties``, zeros included: ``from_party``,
        ``to_party``, ``referrals`` (all referrals), ``persons`` (distinct persons among the
        referrals with a person id) and ``anonymous`` (referrals without one).
    referrals
        All referrals.
    persons
        Distinct persons referred at least once (a person referred twice counts once here,
        and once in each cell they are in).
    anonymous
        Referrals without a person id (case consultations).
    """

    parties: tuple[str, ...]
    organisations: tuple[str, ...]
    cells: pd.DataFrame
    referrals: int
    persons: int
    anonymous: int

    def to_frame(self) -> pd.DataFrame:
        """The long table: ``from_party``, ``to_party``, ``referrals``, ``persons``,
        ``anonymous``, one row per pair of parties."""
        return self.cells.copy()

    def table(self, kind: MatrixKind = "referrals") -> pd.DataFrame:
        """The wide table of one count: rows ``from_party``, columns ``to_party``, both in
        the order of :attr:`parties`.

        Parameters
        ----------
        kind
            ``"referrals"``, ``"persons"`` or ``"anonymous"``.
        """
        if kind not in MATRIX_KINDS:
            raise ArgumentError("kind", f"expected one of {', '.join(MATRIX_KINDS)}")
        wide = self.cells.pivot(index="from_party", columns="to_party", values=kind)
        wide = wide.reindex(index=list(self.parties), columns=list(self.parties))
        return wide.astype(int)

    def summary(self) -> str:
        """The largest flows in a few lines of plain text."""
        lines = [f"{self.referrals:,} referral{_s(self.referrals)} between "
                 f"{len(self.parties)} parties: {self.persons:,} distinct person"
                 f"{_s(self.persons)} referred, {self.anonymous:,} anonymous case "
                 f"consultation{_s(self.anonymous)}."]
        flows = self.cells[self.cells["referrals"] > 0].sort_values(
            ["referrals", "from_party", "to_party"], ascending=[False, True, True],
            kind="stable")
        for row in flows.head(10).itertuples(index=False):
            line = (f"{row.from_party} → {row.to_party}: {row.referrals:,} referral"
                    f"{_s(row.referrals)} ({row.persons:,} person{_s(row.persons)}")
            line += f", {row.anonymous:,} anonymous)" if row.anonymous else ")"
            lines.append(line)
        if len(flows) > 10:
            lines.append(f"… and {len(flows) - 10} smaller flow{_s(len(flows) - 10)}.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table(), index=True)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The heatmap of referrals from × to."""
        from ..figures.referrals import plot_referral_heatmap

        return plot_referral_heatmap(self, ax=ax)


def referral_matrix(referrals: pd.DataFrame, *,
                    parties: Sequence[str] | None = None) -> ReferralMatrix:
    """Counts of referrals, and of distinct persons, from each party to each party.

    Parameters
    ----------
    referrals
        The referrals table: ``date``, ``from_party``, ``to_party`` and (optional)
        ``person_id``; an empty person id is an anonymous referral.
    parties
        The order of the parties (the config's organisations, then services); every party of
        the table must be in it, and parties without referrals get rows of zeros. Default:
        the organisations of the table in alphabetical order, then the services of
        :data:`SERVICES` that occur, in that order.

    Returns
    -------
    ReferralMatrix
        ``to_frame()``: ``from_party``, ``to_party``, ``referrals``, ``persons``,
        ``anonymous`` for every pair; ``table(kind)``: the wide from × to table.

    Notes
    -----
    The counts do not depend on the order of the rows. A person referred twice along one
    pair counts twice in ``referrals`` and once in ``persons``.

    Examples
    --------
    >>> referrals = pd.DataFrame({
    ...     "date": pd.to_datetime(["2021-01-04", "2021-02-01", "2021-03-08", "2021-03-09"]),
    ...     "from_party": ["municipality", "liva", "liva", "liva"],
    ...     "to_party": ["liva", "jobcenter", "jobcenter", "reden_kbh"],
    ...     "person_id": ["P1", "P1", "P1", None]})
    >>> matrix = referral_matrix(referrals)
    >>> matrix.parties
    ('liva', 'reden_kbh', 'municipality', 'jobcenter')
    >>> matrix.table("referrals")
    to_party      liva  reden_kbh  municipality  jobcenter
    from_party
    liva             0          1             0          2
    reden_kbh        0          0             0          0
    municipality     1          0             0          0
    jobcenter        0          0             0          0
    >>> int(matrix.table("persons").loc["liva", "jobcenter"]), matrix.anonymous
    (1, 1)
    """
    frame = _referral_frame(referrals)
    present = set(frame["from_party"]) | set(frame["to_party"])
    if parties is None:
        order = ([p for p in sorted(present) if p not in SERVICES]
                 + [p for p in SERVICES if p in present])
    else:
        if isinstance(parties, str):
            raise ArgumentError("parties", "expected a sequence of party names")
        order = [str(p) for p in parties]
        if len(set(order)) != len(order):
            raise ArgumentError("parties", "expected each party once")
        missing = sorted(present - set(order))
        if missing:
            raise ArgumentError("parties", f"expected every party of the referrals; missing "
                                           f"{', '.join(missing)}")
    named = frame[~frame["anonymous"]]
    grid = pd.MultiIndex.from_product([order, order], names=["from_party", "to_party"])
    keys = ["from_party", "to_party"]
    cells = pd.DataFrame({
        "referrals": frame.groupby(keys).size(),
        "persons": named.groupby(keys)["person"].nunique(),
        "anonymous": frame[frame["anonymous"]].groupby(keys).size(),
    }).reindex(grid, fill_value=0).fillna(0).astype(int).reset_index()
    return ReferralMatrix(parties=tuple(order),
                          organisations=tuple(p for p in order if p not in SERVICES),
                          cells=cells, referrals=len(frame),
                          persons=int(named["person"].nunique()),
                          anonymous=int(frame["anonymous"].sum()))


# --- month by month ----------------------------------------------------------------------------


def referrals_by_month(referrals: pd.DataFrame, *, start: object, end: object,
                       persons: pd.DataFrame | None = None) -> pd.DataFrame:
    """Referrals per month by kind, every month from ``start`` to ``end`` (zeros included).

    Parameters
    ----------
    referrals
        The referrals table (``date``, ``from_party``, ``to_party``, optional ``person_id``).
    start, end
        The first and last month (``"YYYY-MM"``, ``pandas.Period`` or a date, which stands
        for its month); referrals outside are left out.
    persons
        The persons table (``person_id``, ``contact_channel``, ``organisation``): when given,
        a column ``partner_intake`` is added.

    Returns
    -------
    pandas.DataFrame
        One row per month: ``month`` (``"YYYY-MM"``), one column per kind of :data:`KINDS`
        (``inbound``: a service to an organisation; ``between_partners``: an organisation to
        another; ``outbound``: an organisation to a service; ``anonymous``: no person id,
        whoever the parties; ``between_services``: no organisation among the parties), then
        ``total`` (their sum) and, with ``persons``, ``partner_intake``.

    Notes
    -----
    ``partner_intake`` is a part of ``between_partners``, not another kind: for each person
    whose contact channel is ``partner_referral``, the earliest referral from another party
    that is an organisation to the organisation the person came to. It is the referral that
    brought the person to the programme, as opposed to the referrals between partners of
    persons already included.

    Examples
    --------
    >>> referrals = pd.DataFrame({
    ...     "date": pd.to_datetime(["2021-01-04", "2021-01-20", "2021-03-08", "2021-03-09"]),
    ...     "from_party": ["municipality", "liva", "liva", "liva"],
    ...     "to_party": ["liva", "jobcenter", "reden_kbh", "reden_kbh"],
    ...     "person_id": ["P1", "P1", "P2", None]})
    >>> print(referrals_by_month(referrals, start="2021-01", end="2021-03").to_string())
         month  inbound  between_partners  outbound  anonymous  between_services  total
    0  2021-01        1                 0         1          0                 0      2
    1  2021-02        0                 0         0          0                 0      0
    2  2021-03        0                 1         0          1                 0      2
    """
    frame = _referral_frame(referrals)
    first, last = _month(start, "start"), _month(end, "end")
    if last < first:
        raise ArgumentError("end", f"expected a month on or after start ({first})")
    months = pd.period_range(first, last, freq="M")
    if persons is not None:
        frame["partner_intake"] = _intake(frame, persons)
    month = frame["date"].dt.to_period("M")
    inside = frame[(month >= first) & (month <= last)].assign(month=month)
    table = pd.DataFrame({"month": months.astype(str)})
    for kind in KINDS:
        table[kind] = _per_month(inside.loc[inside["kind"] == kind, "month"], months)
    table["total"] = table[list(KINDS)].sum(axis=1)
    if persons is not None:
        table["partner_intake"] = _per_month(inside.loc[inside["partner_intake"], "month"],
                                             months)
    return table


# --- did the network come with more referrals? -------------------------------------------------


@dataclass(frozen=True)
class NetworkRateRatio:
    """Referrals a month while the network was active against before it, as a rate ratio.

    Attributes
    ----------
    kind
        What was counted (one of :data:`RATE_KINDS`).
    method
        The test and interval: ``"exact-cond"`` (conditional binomial test and
        Clopper-Pearson interval, as R's ``poisson.test``) or ``"score"``.
    level
        The level of the intervals.
    table
        One row (what :meth:`to_frame` returns): ``kind``, ``before_first``,
        ``before_last``, ``before_months``, ``before_referrals``, ``before_rate`` (a month),
        ``before_low``, ``before_high`` (exact Poisson interval of the rate), the same six
        for ``during``, ``rate_ratio`` (during over before), ``low``, ``high``, ``p_value``
        (of a ratio of 1), ``method``, ``dispersion``, and ``trend_rate_ratio``,
        ``trend_low``, ``trend_high``, ``trend_p_value`` (the interrupted time series' level
        change; NaN when it was not run).
    dispersion
        Pearson X² of the monthly counts around their period's mean over its degrees of
        freedom (months − 2): about 1 for Poisson months; above :data:`OVERDISPERSED` the
        interval is too narrow.
    trend_check
        The interrupted time series (log-linear trend, a change of level while the network
        is active; :func:`~exitanalysis.models.interrupted.interrupted_time_series`), or
        ``None`` when not asked for or not possible (see ``note``).
    note
        What the comparison left out or could not do (``None`` when nothing).
    """

    kind: str
    method: str
    level: float
    table: pd.DataFrame
    dispersion: float
    trend_check: InterruptedTimeSeries | None = None
    note: str | None = None

    @property
    def rate_ratio(self) -> float:
        """Referrals a month during the network over referrals a month before it."""
        return float(self.table["rate_ratio"].iloc[0])

    @property
    def interval(self) -> tuple[float, float]:
        """The interval of the rate ratio at :attr:`level`."""
        return float(self.table["low"].iloc[0]), float(self.table["high"].iloc[0])

    @property
    def p_value(self) -> float:
        """The p-value of a rate ratio of 1."""
        return float(self.table["p_value"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        """The one-row table (see the class attributes): rows of several kinds stack."""
        return self.table.copy()

    def summary(self) -> str:
        """The comparison and what it cannot show, in a few lines of plain text."""
        r = self.table.iloc[0]
        percent = f"{self.level:.0%}"
        test = ("exact conditional test and Clopper-Pearson interval" if self.method == METHODS[0]
                else "score test and interval")
        lines = [f"Referrals ({self.kind.replace('_', ' ')}) before and while the network was "
                 f"active, {test}:"]
        for period, name in (("before", "Before the network"), ("during", "While active")):
            lines.append(f"{name} ({r[f'{period}_first']} to {r[f'{period}_last']}, "
                         f"{r[f'{period}_months']} months): {r[f'{period}_referrals']:,} "
                         f"referrals, {r[f'{period}_rate']:.2f} a month ({percent} "
                         f"{r[f'{period}_low']:.2f} to {r[f'{period}_high']:.2f}).")
        lines.append(f"Rate ratio {_ratio(r['rate_ratio'])} ({percent} CI {_ratio(r['low'])} "
                     f"to {_ratio(r['high'])}), {_p(r['p_value'])}.")
        if math.isfinite(self.dispersion):
            verdict = ("more than Poisson counts do: the interval is too narrow"
                       if self.dispersion > OVERDISPERSED else "about as Poisson counts do")
            lines.append(f"Months vary {verdict} (dispersion {self.dispersion:.2f}).")
        if self.trend_check is not None:
            lines.append(f"Allowing for a log-linear trend (interrupted time series, "
                         f"{self.trend_check.errors} errors): level change "
                         f"{_ratio(r['trend_rate_ratio'])} ({percent} CI "
                         f"{_ratio(r['trend_low'])} to {_ratio(r['trend_high'])}), "
                         f"{_p(r['trend_p_value'])}.")
        lines.append("A before/during comparison: anything else that changed when the network "
                     "began (recording, staff, other services), and any trend, is inside the "
                     "ratio.")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table)

    def plot(self, ax: Axes | None = None) -> Axes:
        """Referrals a month before and during the network, with their intervals."""
        from ..figures.referrals import plot_network_rate_ratio

        return plot_network_rate_ratio(self, ax=ax)


def network_rate_ratio(referrals: pd.DataFrame, *, network_start: object,
                       network_end: object | None = None, start: object, end: object,
                       kind: RateKind = "between_partners",
                       persons: pd.DataFrame | None = None, method: Method = "exact-cond",
                       trend: bool = False, level: float = 0.95) -> NetworkRateRatio:
    """Referrals a month while the network was active against before it: a rate ratio with
    its interval and p-value.

    Parameters
    ----------
    referrals
        The referrals table.
    network_start, network_end
        The first and last month the network was active (``"YYYY-MM"``, ``pandas.Period`` or
        a date, which stands for its month); ``network_end=None``: active until ``end``.
        Months after ``network_end`` are in neither period (but are in the trend check).
    start, end
        The first and last month compared.
    kind
        What to count: a kind of :data:`KINDS`, ``"partner_intake"`` (the between-partner
        referrals that brought a person to the programme; needs ``persons``; see
        :func:`referrals_by_month`) or ``"all"``.
    persons
        The persons table, for ``kind="partner_intake"``.
    method
        ``"exact-cond"`` or ``"score"`` (see Notes).
    trend
        Also fit an interrupted time series with a log-linear trend (see Notes).
    level
        Level of the intervals.

    Returns
    -------
    NetworkRateRatio
        ``to_frame()`` has one row: months, referrals, rate and its interval for ``before``
        and ``during``, ``rate_ratio``, ``low``, ``high``, ``p_value``, ``dispersion`` and
        the trend check's level change.

    Notes
    -----
    With x₁ referrals in t₁ months during the network and x₂ in t₂ months before it, both
    Poisson, the rate ratio is θ = (x₁/t₁)/(x₂/t₂). Given x₁ + x₂ = n, x₁ is binomial with
    p = θt₁/(θt₁ + t₂), whatever the common rate: the ``"exact-cond"`` method (the default)
    tests θ = 1 with the two-sided binomial test (statsmodels'
    ``test_poisson_2indep(method="exact-cond")``, which sums the probabilities no larger than
    that of x₁, as R's ``binom.test`` does) and turns the Clopper-Pearson interval
    (p_L, p_U) of p into (p_L/(1 − p_L)·t₂/t₁, p_U/(1 − p_U)·t₂/t₁). This is R's
    ``poisson.test(c(x1, x2), c(t1, t2))``, so a reviewer can check it; it holds its level at
    any count (a network's first months may have a handful of referrals) at the price of
    being conservative. ``"score"`` (statsmodels' score test and its inverted interval, Gu
    et al. 2008, Biometrical Journal 50:2) is closer to its level on average with large
    counts; where a count is 0 its interval degenerates, and the exact one is used instead.
    The rate of each period has the exact (Garwood 1936) Poisson interval.

    Both assume Poisson months: independent, with one rate within each period. The
    ``dispersion`` checks that; months that vary more (lockdowns, a worker on leave) make the
    interval too narrow. And the comparison cannot tell the network from anything else that
    changed when it began (how referrals were recorded, new staff, a new municipal
    practice) or from a trend already under way: all of that is inside the ratio. With
    ``trend=True`` an interrupted time series (quasi-Poisson, log-linear trend, a change of
    level while the network is active, no season: Lopez Bernal et al. 2017) separates a
    steady trend from the change at the start; it needs
    :data:`~exitanalysis.models.interrupted.MIN_BEFORE` months before the network and
    enough counts, and says in ``note`` when it could not run. It still cannot separate a
    change that coincided with the network.

    Examples
    --------
    Four referrals a month for a year, then eight a month for a year:

    >>> months = pd.period_range("2020-01", "2021-12", freq="M")
    >>> per_month = [4] * 12 + [8] * 12
    >>> referrals = pd.DataFrame({
    ...     "date": [m.start_time for m, k in zip(months, per_month) for _ in range(k)],
    ...     "from_party": "liva", "to_party": "reden_kbh", "person_id": "P"})
    >>> result = network_rate_ratio(referrals, network_start="2021-01", start="2020-01",
    ...                             end="2021-12")
    >>> round(result.rate_ratio, 2), [round(x, 2) for x in result.interval]
    (2.0, [1.4, 2.89])
    >>> result.to_frame()[["before_referrals", "before_months", "during_referrals"]]
       before_referrals  before_months  during_referrals
    0                48             12                96
    """
    if kind not in RATE_KINDS:
        raise ArgumentError("kind", f"expected one of {', '.join(RATE_KINDS)}")
    if method not in METHODS:
        raise ArgumentError("method", f"expected one of {', '.join(METHODS)}")
    level = _level(level)
    if kind == "partner_intake" and persons is None:
        raise ArgumentError("persons", "expected the persons table to tell which referrals "
                                       "brought a person (kind 'partner_intake')")
    monthly = referrals_by_month(referrals, start=start, end=end,
                                 persons=persons if kind == "partner_intake" else None)
    months = pd.PeriodIndex(pd.PeriodIndex(monthly["month"], freq="M"))
    counts = monthly["total" if kind == "all" else kind].to_numpy(dtype=float)
    first, last = months[0], months[-1]
    net_first = _month(network_start, "network_start")
    net_last = last if network_end is None else _month(network_end, "network_end")
    if not first < net_first <= last:
        raise ArgumentError("network_start", f"expected a month after start ({first}) and not "
                                             f"after end ({last})")
    if not net_first <= net_last <= last:
        raise ArgumentError("network_end", f"expected a month from network_start ({net_first})"
                                           f" to end ({last})")
    before = np.asarray(months < net_first)
    during = np.asarray((months >= net_first) & (months <= net_last))
    x2, t2 = int(counts[before].sum()), int(before.sum())
    x1, t1 = int(counts[during].sum()), int(during.sum())
    if x1 + x2 == 0:
        raise ArgumentError("referrals", f"expected referrals of kind {kind!r} between {first} "
                                         f"and {net_last}: there are none, so no rate to compare")
    notes = []
    if _mid_month(network_start):
        notes.append(f"the network began within {net_first}, which counts as a month of it")
    ratio, low, high, p, used = _rate_ratio(x1, t1, x2, t2, method, level)
    if used != method:
        notes.append("a count is 0, so the interval and test are the exact conditional ones")
    row: dict[str, object] = {"kind": kind}
    for name, inside, x, t in (("before", before, x2, t2), ("during", during, x1, t1)):
        rate_low, rate_high = _poisson_interval(x, level)
        row.update({f"{name}_first": str(months[inside][0]),
                    f"{name}_last": str(months[inside][-1]), f"{name}_months": t,
                    f"{name}_referrals": int(x), f"{name}_rate": x / t,
                    f"{name}_low": rate_low / t, f"{name}_high": rate_high / t})
    dispersion = _dispersion(counts[before], counts[during])
    row.update({"rate_ratio": ratio, "low": low, "high": high, "p_value": p, "method": used,
                "dispersion": dispersion})
    check = None
    if trend:
        check, why = _trend_check(counts, months, net_first, net_last, network_end, level)
        if why:
            notes.append(f"no trend check: {why}")
    effect = check.to_frame().iloc[0] if check is not None else None
    for column, source in (("trend_rate_ratio", "rate_ratio"), ("trend_low", "low"),
                           ("trend_high", "high"), ("trend_p_value", "p_value")):
        row[column] = float(effect[source]) if effect is not None else math.nan
    if net_last < last:
        notes.append(f"the months after the network ({net_last + 1} to {last}) are in neither "
                     f"period")
    if kind == "partner_intake" and persons is not None:
        unmatched = _unmatched_intake(referrals, persons, first, last)
        if unmatched:
            notes.append(f"{unmatched} person{_s(unmatched)} first contacted through a partner "
                         f"referral in the period {'have' if unmatched > 1 else 'has'} no "
                         f"such referral in the table and {'are' if unmatched > 1 else 'is'} "
                         f"not counted")
    note = "; ".join(notes)
    return NetworkRateRatio(kind=kind, method=used, level=level, table=pd.DataFrame([row]),
                            dispersion=dispersion, trend_check=check,
                            note=note[:1].upper() + note[1:] + "." if note else None)


def _rate_ratio(x1: int, t1: int, x2: int, t2: int, method: str,
                level: float) -> tuple[float, float, float, float, str]:
    """θ = (x₁/t₁)/(x₂/t₂), its interval, the p-value of θ = 1, and the method used."""
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.rates import confint_poisson_2indep, test_poisson_2indep

    if method == "score" and min(x1, x2) == 0:
        method = "exact-cond"  # the score interval degenerates to a point at a zero count
    ratio = math.inf if x2 == 0 else (x1 / t1) / (x2 / t2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = float(test_poisson_2indep(x1, t1, x2, t2, method=method).pvalue)
    if method == "exact-cond":
        p_low, p_high = proportion_confint(x1, x1 + x2, alpha=1 - level, method="beta")
        low = float(p_low) / (1 - float(p_low)) * t2 / t1
        high = math.inf if p_high >= 1 else float(p_high) / (1 - float(p_high)) * t2 / t1
    else:
        bounds = confint_poisson_2indep(x1, t1, x2, t2, method="score", compare="ratio",
                                        alpha=1 - level)
        low, high = float(bounds[0]), float(bounds[1])
    return ratio, low, high, min(p, 1.0), method


def _poisson_interval(x: float, level: float) -> tuple[float, float]:
    """The exact (Garwood 1936) interval of a Poisson mean given a count x."""
    alpha = 1 - level
    low = 0.0 if x == 0 else float(stats.chi2.ppf(alpha / 2, 2 * x)) / 2
    return low, float(stats.chi2.ppf(1 - alpha / 2, 2 * x + 2)) / 2


def _dispersion(*periods: np.ndarray) -> float:
    """Pearson X² of monthly counts around their period's mean, over months − periods."""
    chi2, df = 0.0, 0
    for y in periods:
        mean = float(np.mean(y)) if len(y) else 0.0
        if mean > 0:
            chi2 += float(np.sum((y - mean) ** 2) / mean)
            df += len(y) - 1
    return chi2 / df if df > 0 else math.nan


def _trend_check(counts: np.ndarray, months: pd.PeriodIndex, net_first: pd.Period,
                 net_last: pd.Period, network_end: object | None, level: float,
                 ) -> tuple[InterruptedTimeSeries | None, str | None]:
    """The interrupted time series of the monthly counts, or why it could not be fitted."""
    from .interrupted import interrupted_time_series

    series = pd.Series(counts, index=months)
    try:
        fit = interrupted_time_series(
            series, interruptions=[(net_first, None if network_end is None else net_last)],
            harmonics=0, slope=False, level=level)
    except ArgumentError as error:
        return None, error.expected
    return fit, None


# --- inclusions through referral ---------------------------------------------------------------


@dataclass(frozen=True)
class ReferralInclusions:
    """How many inclusions came through referral channels, and how referred persons convert.

    Attributes
    ----------
    referral_channels
        The contact channels counted as referral.
    table
        One row per group, ``referred`` then ``not_referred``: ``group``, ``contacted``,
        ``included``, ``conversion`` (included / contacted), ``conversion_low``,
        ``conversion_high`` (Wilson), ``delay_persons`` (included persons with both dates),
        ``delay_median``, ``delay_q25``, ``delay_q75`` (days from first contact to
        inclusion; NaN for fewer than :data:`MIN_PERSONS` persons).
    share, share_low, share_high
        The share of all inclusions that came through a referral channel, with its Wilson
        interval.
    difference, difference_low, difference_high
        Conversion of the referred minus that of the others, with Newcombe's hybrid score
        interval.
    delay_u, delay_p
        The Mann-Whitney U statistic of the referred persons' delays against the others',
        and its two-sided p-value (NaN when a group has fewer than :data:`MIN_PERSONS`).
    delay_superiority
        U / (n₁n₂): the probability that a referred person's delay is longer than another
        person's (ties count half); 0.5 when neither group waits longer.
    level
        The level of the intervals.
    note
        What was left out (``None`` when nothing).
    """

    referral_channels: tuple[str, ...]
    table: pd.DataFrame
    share: float
    share_low: float
    share_high: float
    difference: float
    difference_low: float
    difference_high: float
    delay_u: float
    delay_p: float
    delay_superiority: float
    level: float
    note: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """One row per group (see the class attributes)."""
        return self.table.copy()

    def summary(self) -> str:
        """The share, the conversion and the delays in a few lines of plain text."""
        percent = f"{self.level:.0%}"
        rows = self.table.set_index("group")
        referred = rows.loc["referred"]
        total = int(rows["included"].sum())
        lines = [f"{int(referred['included'])} of {total} inclusions came through a referral "
                 f"channel ({', '.join(self.referral_channels)}): {_share(self.share)} "
                 f"({percent} {_share(self.share_low)} to {_share(self.share_high)})."]
        for group, name in (("referred", "Referred"), ("not_referred", "Not referred")):
            r = rows.loc[group]
            line = (f"{name}: {int(r['included'])} of {int(r['contacted'])} contacted "
                    f"included, {_share(r['conversion'])} ({_share(r['conversion_low'])} to "
                    f"{_share(r['conversion_high'])})")
            if math.isfinite(r["delay_median"]):
                line += (f"; days from first contact to inclusion: median "
                         f"{r['delay_median']:g} (quartiles {r['delay_q25']:g} to "
                         f"{r['delay_q75']:g})")
            lines.append(line + ".")
        lines.append(f"Difference in conversion {self.difference * 100:+.1f} percentage points "
                     f"({percent} CI {self.difference_low * 100:+.1f} to "
                     f"{self.difference_high * 100:+.1f}; Newcombe).")
        if math.isfinite(self.delay_p):
            lines.append(f"Delays (Mann-Whitney): a referred person waits longer than another "
                         f"with probability {self.delay_superiority:.2f}, {_p(self.delay_p)}.")
        lines.append("Persons contacted shortly before the data end may be included later: "
                     "where one group was contacted later than the other, its conversion is "
                     "understated and its long delays not yet seen.")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.table)

    def plot(self, ax: Axes | None = None) -> Axes:
        """The conversion of referred and other persons, with their intervals."""
        from ..figures.referrals import plot_referral_inclusions

        return plot_referral_inclusions(self, ax=ax)


def referral_inclusions(persons: pd.DataFrame, *,
                        referral_channels: Sequence[str] = REFERRAL_CHANNELS,
                        level: float = 0.95) -> ReferralInclusions:
    """The share of inclusions that came through referral, conversion of referred against
    other persons, and their delays from first contact to inclusion.

    Parameters
    ----------
    persons
        One row per person contacted: ``contact_channel``, ``included`` (boolean),
        ``first_contact`` and ``inclusion_date`` (dates).
    referral_channels
        The contact channels that count as referral (someone else sent the person).
    level
        Level of the intervals.

    Returns
    -------
    ReferralInclusions
        ``to_frame()``: per group, persons contacted and included, conversion with its
        Wilson interval and the quartiles of the delays.

    Notes
    -----
    Shares have the Wilson score interval (:func:`~.conversion.wilson_interval`). The
    difference in conversion has Newcombe's (1998, Statistics in Medicine 17:873, method 10)
    hybrid score interval, built from the two Wilson intervals (statsmodels'
    ``confint_proportions_2indep(method="newcomb")``).

    The delays are compared with the two-sided Mann-Whitney U test (scipy's
    ``mannwhitneyu``: exact for small groups without ties, else the normal approximation
    with tie and continuity corrections). It assumes independent persons and tests whether
    one group's delays tend to be longer (P(X > Y) ≠ ½), which is a difference of medians
    only if the two distributions have the same shape. It uses the included persons only,
    and ignores those not yet included: no censoring is allowed for (no Kaplan-Meier). A
    group contacted later in the period has had less time to be included, so its
    conversion is understated and its delays look short; restrict ``persons`` to those
    first contacted long enough before the end of the data to compare like with like.
    These are associations: who is referred is not random.

    Examples
    --------
    >>> persons = pd.DataFrame({
    ...     "contact_channel": ["partner_referral"] * 6 + ["street_outreach"] * 6,
    ...     "included": [True] * 5 + [False] + [True] * 2 + [False] * 4,
    ...     "first_contact": pd.Timestamp("2021-01-01"),
    ...     "inclusion_date": pd.to_datetime(["2021-01-11", "2021-01-21", "2021-01-15",
    ...                                       "2021-01-08", "2021-01-31", None,
    ...                                       "2021-02-10", "2021-01-30"] + [None] * 4)})
    >>> result = referral_inclusions(persons)
    >>> result.to_frame()[["group", "contacted", "included", "delay_median"]]
              group  contacted  included  delay_median
    0      referred          6         5          14.0
    1  not_referred          6         2           NaN
    >>> round(result.share, 3), round(result.difference, 3)  # 5 of 7; 5/6 - 2/6
    (0.714, 0.5)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    level = _level(level)
    if isinstance(referral_channels, str) or not len(referral_channels):
        raise ArgumentError("referral_channels", "expected one or more contact channels")
    channels = tuple(str(c) for c in referral_channels)
    frame = _persons_frame(persons)
    notes = []
    unknown = int(frame["channel"].isna().sum())
    if unknown:
        notes.append(f"{unknown} person{_s(unknown)} without a contact channel left out")
        frame = frame[frame["channel"].notna()]
    frame = frame.assign(referred=frame["channel"].isin(channels))
    rows = []
    delays: dict[str, np.ndarray] = {}
    for group, referred in (("referred", True), ("not_referred", False)):
        part = frame[frame["referred"] == referred]
        delay = part.loc[part["included"], "delay"].dropna().to_numpy(dtype=float)
        delays[group] = delay
        enough = len(delay) >= MIN_PERSONS
        q25, median, q75 = (np.quantile(delay, [0.25, 0.5, 0.75]) if enough
                            else (math.nan,) * 3)
        rows.append({"group": group, "contacted": len(part),
                     "included": int(part["included"].sum()),
                     "delay_persons": len(delay), "delay_median": float(median),
                     "delay_q25": float(q25), "delay_q75": float(q75)})
    table = pd.DataFrame(rows)
    low, high = wilson_interval(table["included"].to_numpy(), table["contacted"].to_numpy(),
                                level)
    with np.errstate(divide="ignore", invalid="ignore"):
        conversion = table["included"] / table["contacted"].where(table["contacted"] > 0)
    table.insert(3, "conversion", conversion.astype(float))
    table.insert(4, "conversion_low", low)
    table.insert(5, "conversion_high", high)
    included = int(table["included"].sum())
    referred_included = int(table.loc[0, "included"])
    share_low, share_high = (float(v) for v in wilson_interval(referred_included, included,
                                                               level))
    share = referred_included / included if included else math.nan
    n1, n2 = (int(table.loc[i, "contacted"]) for i in (0, 1))
    if n1 and n2:
        bounds = confint_proportions_2indep(referred_included, n1, int(table.loc[1, "included"]),
                                            n2, method="newcomb", compare="diff",
                                            alpha=1 - level)
        difference = float(table.loc[0, "conversion"] - table.loc[1, "conversion"])
        diff_low, diff_high = float(bounds[0]), float(bounds[1])
    else:
        difference = diff_low = diff_high = math.nan
        notes.append("one group has no persons: no difference in conversion")
    u = p = superiority = math.nan
    first, second = delays["referred"], delays["not_referred"]
    if min(len(first), len(second)) >= MIN_PERSONS:
        test = stats.mannwhitneyu(first, second, alternative="two-sided")
        u, p = float(test.statistic), float(test.pvalue)
        superiority = u / (len(first) * len(second))
    else:
        notes.append(f"fewer than {MIN_PERSONS} included persons with both dates in a group: "
                     f"no quartiles of its delays and no test")
    note = "; ".join(notes)
    return ReferralInclusions(
        referral_channels=channels, table=table, share=share, share_low=share_low,
        share_high=share_high, difference=difference, difference_low=diff_low,
        difference_high=diff_high, delay_u=u, delay_p=p, delay_superiority=superiority,
        level=level, note=note[:1].upper() + note[1:] + "." if note else None)


# --- the inputs --------------------------------------------------------------------------------


def _referral_frame(referrals: pd.DataFrame) -> pd.DataFrame:
    """Columns ``date`` (timestamps), ``from_party``, ``to_party`` (text), ``person`` (text or
    missing), ``anonymous`` and ``kind``; the input is not changed."""
    if not isinstance(referrals, pd.DataFrame):
        raise ArgumentError("referrals", "expected a pandas DataFrame")
    missing = [c for c in ("date", "from_party", "to_party") if c not in referrals.columns]
    if missing:
        raise ArgumentError("referrals", f"expected the column(s) {', '.join(missing)}")
    dates = pd.to_datetime(referrals["date"], errors="coerce")
    parties = referrals[["from_party", "to_party"]]
    blank = dates.isna() | parties.isna().any(axis=1) | parties.astype(str).apply(
        lambda c: c.str.strip() == "").any(axis=1)
    if blank.any():
        raise ArgumentError("referrals", f"{int(blank.sum())} row(s) have no valid date, "
                                         f"from_party or to_party")
    if "person_id" in referrals.columns:
        person = referrals["person_id"].astype("string").str.strip()
        person = person.where(person.notna() & (person != ""))
    else:
        person = pd.Series(pd.NA, index=referrals.index, dtype="string")
    frame = pd.DataFrame({"date": dates.to_numpy(),
                          "from_party": parties["from_party"].astype(str).str.strip().to_numpy(),
                          "to_party": parties["to_party"].astype(str).str.strip().to_numpy(),
                          "person": person.to_numpy()})
    frame["anonymous"] = frame["person"].isna()
    from_org = ~frame["from_party"].isin(SERVICES)
    to_org = ~frame["to_party"].isin(SERVICES)
    frame["kind"] = np.select([frame["anonymous"], from_org & to_org, to_org, from_org],
                              ["anonymous", "between_partners", "inbound", "outbound"],
                              "between_services")
    return frame


def _intake(frame: pd.DataFrame, persons: pd.DataFrame) -> np.ndarray:
    """Which referrals brought a person: for each person of contact channel
    ``partner_referral``, the earliest referral from an organisation to theirs."""
    info = _person_index(persons, ("contact_channel", "organisation"))
    channel = frame["person"].map(info["contact_channel"])
    organisation = frame["person"].map(info["organisation"])
    candidate = ((frame["kind"] == "between_partners") & (channel == "partner_referral")
                 & (frame["to_party"] == organisation))
    first = (frame[candidate].sort_values(["date", "from_party"], kind="stable")
             .drop_duplicates("person").index)
    return np.asarray(frame.index.isin(first))


def _unmatched_intake(referrals: pd.DataFrame, persons: pd.DataFrame, first: pd.Period,
                      last: pd.Period) -> int:
    """Persons first contacted through a partner referral within the months who have no
    intake referral in the table (only when ``first_contact`` is known)."""
    if "first_contact" not in persons.columns:
        return 0
    frame = _referral_frame(referrals)
    brought = set(frame.loc[_intake(frame, persons), "person"])
    info = _person_index(persons, ("contact_channel", "first_contact"))
    month = pd.to_datetime(info["first_contact"], errors="coerce").dt.to_period("M")
    chosen = (info["contact_channel"] == "partner_referral") & (month >= first) & (month <= last)
    return int(sum(1 for person in info.index[chosen] if person not in brought))


def _person_index(persons: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of the persons table indexed by person id (text)."""
    if not isinstance(persons, pd.DataFrame):
        raise ArgumentError("persons", "expected a pandas DataFrame")
    missing = [c for c in ("person_id", *columns) if c not in persons.columns]
    if missing:
        raise ArgumentError("persons", f"expected the column(s) {', '.join(missing)}")
    ids = persons["person_id"].astype("string").str.strip()
    if ids.isna().any() or ids.duplicated().any():
        raise ArgumentError("persons", "expected one row per person, each with a person_id")
    return persons[list(columns)].set_axis(pd.Index(ids.to_numpy(), dtype=object))


def _persons_frame(persons: pd.DataFrame) -> pd.DataFrame:
    """``channel``, ``included`` (boolean) and ``delay`` (days; NaN unless included with both
    dates) of each person."""
    if not isinstance(persons, pd.DataFrame):
        raise ArgumentError("persons", "expected a pandas DataFrame")
    needed = ("contact_channel", "included", "first_contact", "inclusion_date")
    missing = [c for c in needed if c not in persons.columns]
    if missing:
        raise ArgumentError("persons", f"expected the column(s) {', '.join(missing)}")
    included = persons["included"]
    if included.isna().any() or not included.map(lambda v: isinstance(v, bool | np.bool_)).all():
        raise ArgumentError("persons", "expected included to be true or false in every row")
    first = pd.to_datetime(persons["first_contact"], errors="coerce")
    inclusion = pd.to_datetime(persons["inclusion_date"], errors="coerce")
    delay = (inclusion - first).dt.days.where(included.astype(bool))
    if (delay < 0).any():
        raise ArgumentError("persons", f"{int((delay < 0).sum())} row(s) have an inclusion "
                                       f"date before the first contact")
    channel = persons["contact_channel"].astype("string").str.strip()
    return pd.DataFrame({"channel": channel.where(channel != "").to_numpy(dtype=object),
                         "included": included.astype(bool).to_numpy(),
                         "delay": delay.to_numpy(dtype=float)})


def _per_month(months: pd.Series, index: pd.PeriodIndex) -> np.ndarray:
    """How many of ``months`` fall in each month of ``index``."""
    counts = months.value_counts()
    return counts.reindex(index, fill_value=0).to_numpy(dtype=int)


def _month(value: object, name: str) -> pd.Period:
    """A month from ``"YYYY-MM"``, a Period or a date."""
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    try:
        if isinstance(value, dt.date | pd.Timestamp | np.datetime64):
            return pd.Timestamp(value).to_period("M")
        return pd.Period(str(value), freq="M")
    except (TypeError, ValueError):
        raise ArgumentError(name, "expected a month: 'YYYY-MM', a pandas Period or a "
                                  "date") from None


def _mid_month(value: object) -> bool:
    """Whether ``value`` is a date other than the first of its month."""
    if isinstance(value, pd.Period) or value is None:
        return False
    try:
        day = pd.Timestamp(value) if not isinstance(value, str) or len(value) > 7 else None
    except (TypeError, ValueError):
        return False
    return day is not None and day.day != 1


def _level(level: object) -> float:
    try:
        value = float(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if not 0 < value < 1:
        raise ArgumentError("level", "expected a number strictly between 0 and 1")
    return value


def _s(n: int | float) -> str:
    return "" if n == 1 else "s"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _ratio(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:.2f}"


def _share(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.0%}"


__all__ = [
    "KINDS", "METHODS", "MIN_PERSONS", "OVERDISPERSED", "RATE_KINDS", "REFERRAL_CHANNELS",
    "SERVICES", "MatrixKind", "Method", "NetworkRateRatio", "RateKind", "ReferralInclusions",
    "ReferralMatrix", "network_rate_ratio", "referral_inclusions", "referral_matrix",
    "referrals_by_month",
]
