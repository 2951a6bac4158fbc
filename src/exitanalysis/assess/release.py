"""One disclosure gate for a whole public report.

A public report publishes counts of persons on several pages: totals in sentences, tables
with margins, bars by quarter, a cumulative series month by month, partners' counts, the
persons in each input table (in the report and in ``manifest.json``). Each is safe alone, but
a reader holds them all at once: "59 included" on one page and "56 included by May" on the
other give 3 persons in June. :func:`public_release` therefore decides every count a public
report shows, in one place, for all pages:

1. **One cutoff.** Every count runs from the start of the period to the end of the last whole
   month up to the analysis date (a part month would end on one person's date), and counts
   the same thing on every page: a person is included when the persons table says so and
   dates it.
2. **Each table protected alone**: small cells and their revealers suppressed
   (:func:`~exitanalysis.models.disclosure.suppress_counts`), series points at least
   ``min_cell`` apart with the total as the last one, small partners hidden.
3. **The whole report audited**: every published count becomes the set of persons it counts,
   and :func:`~exitanalysis.models.disclosure.audit_counts` looks for a small set a reader
   could pin down by combining them, across pages and tables. The least important count
   that reveals one (a point of the series before a cell of a table, a cell before a total)
   is withheld on every page, the tables are protected again, and the audit runs again until
   nothing is revealed.

The pages (:func:`exitanalysis.data_overview`, :func:`exitanalysis.assess_shortfall`) and the
manifest take their public counts from the release, so what was audited is what is shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data.programme import Programme
from ..errors import NotPublishableError
from ..models.disclosure import CountAudit, SuppressedTable, audit_counts, suppress_counts
from ..models.history import RecruitmentHistory
from .cases import MAIN_DATE, NOT_A_CHANNEL, recruitment_history

#: The categories the overview draws by quarter.
QUARTER_BY: tuple[str, ...] = ("organisation", "contact_channel", "sales_channel")
#: Withheld first when the audit finds a small set: the higher, the more a count matters to a
#: reader (the totals last).
PRIORITY = {"series": 0, "halves": 0, "years": 1, "outcome": 1, "quarter_cell": 2,
            "crosstab_cell": 3, "quarter_margin": 4, "crosstab_margin": 5, "partner": 6,
            "table": 7, "total": 8}
#: Periods the contact charts may use, finest first, and the largest share of persons a
#: chart may hide before the next coarser period is taken: a chart that is mostly hatching
#: tells a reader nothing (issue 10). Years are the last resort.
PERIODS: tuple[str, ...] = ("quarter", "half_year", "year")
MAX_HIDDEN_SHARE = 0.2
#: Rounds of withholding before giving up (each withholds at least one count).
MAX_ROUNDS = 200


@dataclass(frozen=True)
class PublishedCount:
    """One count a public report shows, as the set of units (persons) it counts."""

    key: tuple[str, ...]
    kind: str  # a key of PRIORITY
    members: np.ndarray = field(repr=False)
    #: Counts of one group are disjoint (the cells of a table, or one of its margins).
    group: str = ""

    @property
    def name(self) -> str:
        return "/".join(self.key)


@dataclass(frozen=True)
class PublicRelease:
    """Every count of persons a public report may show, audited together.

    Attributes
    ----------
    cutoff
        The last month (``YYYY-MM``) any count includes; ``None`` without case data.
    totals
        ``contacted`` and ``included`` by the cutoff: the number, or ``None`` when hidden.
    table_persons
        Persons in each input table with a row dated by the cutoff (``None``: hidden).
    quarters
        Persons first contacted per period × organisation, contact channel, sales channel:
        by quarter, half-year or year, the finest at which the table alone hides at most
        :data:`MAX_HIDDEN_SHARE` of the persons (:func:`choose_period`).
    periods
        The period of each of ``quarters``: ``quarter``, ``half_year`` or ``year``.
    crosstab
        Persons first contacted, organisation × contact channel.
    persons_by_year
        Persons in each input table by the year of its main date (no margins are shown).
    conversion
        Persons first contacted by contact channel × ``included`` / ``not_included`` (by the
        cutoff), when there is a persons table: the channel report's conversion.
    network
        Persons first contacted through a partner referral ``before`` and ``during`` the
        partners' network (``analysis.network``), to the cutoff (``None``: hidden): the
        partner-network report's rate ratio.
    outcomes
        Persons assessed for each outcome (``assessed/<outcome>``) and persons who achieved
        it (``achieved/<outcome>``) at an assessment by the cutoff (``None``: hidden): the
        outcomes report's funnel and rates.
    halves
        Persons first contacted through a channel (not ``unknown``), and of them included,
        in the first and the second half of the months from the start to the cutoff
        (``contacted/first`` … ``included/second``; ``None``: hidden): the channel report's
        mix decomposition.
    history
        The public monthly history (shown months marked), or ``None``.
    hidden_partners
        Organisations whose counts are not shown.
    small
        Keys of counts hidden because they are small themselves (the rest were withheld
        because they would reveal one).
    audit
        The audit of everything published.
    withheld
        Counts withheld by the audit (beyond each table's own protection).
    rounds
        Audits run until nothing was revealed.
    min_cell
        The smallest count that may be shown.
    counts
        Every count the pages show, as the set of units it counts (what was audited).
    """

    cutoff: str | None
    totals: Mapping[str, int | None]
    table_persons: Mapping[str, int | None]
    quarters: Mapping[str, SuppressedTable]
    crosstab: SuppressedTable | None
    persons_by_year: SuppressedTable | None
    history: RecruitmentHistory | None
    hidden_partners: frozenset[str]
    small: frozenset[str]
    audit: CountAudit
    withheld: frozenset[tuple[str, ...]]
    rounds: int
    min_cell: int
    counts: tuple[PublishedCount, ...] = field(default=(), repr=False)
    periods: Mapping[str, str] = field(default_factory=dict)
    conversion: SuppressedTable | None = None
    halves: Mapping[str, int | None] = field(default_factory=dict)
    outcomes: Mapping[str, int | None] = field(default_factory=dict)
    network: Mapping[str, int | None] = field(default_factory=dict)

    @property
    def shows_recruitment(self) -> bool:
        """Whether the public series shows anything: a month with recruits, or a true zero
        at the cutoff."""
        if self.history is None or self.history.published is None:
            return False
        shown = self.history.shown_months()
        return bool(len(shown)) and bool(shown["cumulative"].iloc[-1] > 0
                                         or str(shown["month"].iloc[-1]) == self.cutoff)

    def to_frame(self) -> pd.DataFrame:
        """What the audit withheld, one row per count (internal use: no values)."""
        return pd.DataFrame({"withheld": ["/".join(k) for k in sorted(self.withheld)]})

    def summary(self) -> str:
        withheld = (f"; {len(self.withheld)} count(s) withheld across pages"
                    if self.withheld else "")
        return f"{self.audit.summary()} ({self.rounds} round(s){withheld})"


# --- the units: who each count counts ------------------------------------------------------


def month_number(months: pd.Series | pd.PeriodIndex) -> np.ndarray:
    """Monthly periods as whole numbers (year × 12 + month - 1), NaN where there is none."""
    values = pd.PeriodIndex(months, freq="M")
    return np.where(values.isna(), np.nan, values.year * 12 + values.month - 1).astype(float)


def _units(programme: Programme, first: int, last: int) -> tuple[pd.DataFrame,
                                                                  dict[str, pd.Series]]:
    """One row per unit (a person, or a cell of the monthly table with its weight) with what
    the counts select on: ``month`` of first contact and ``included_month`` (month numbers;
    NaN for none, or outside ``first`` .. ``last``), ``organisation``, the channels and
    ``weight``; and, per input table with persons, each person's dated months in the window.
    """
    def window(months: np.ndarray) -> np.ndarray:
        return np.where((months >= first) & (months <= last), months, np.nan)

    dated: dict[str, pd.Series] = {}
    if programme.persons is not None:
        persons = programme.persons
        included = (persons["included"].fillna(False).astype(bool)
                    & persons["inclusion_date"].notna()).to_numpy()
        units = pd.DataFrame({
            "person_id": persons["person_id"].astype(str).to_numpy(),
            "month": window(month_number(persons["first_contact"].dt.to_period("M"))),
            "included_month": np.where(included, window(month_number(
                persons["inclusion_date"].dt.to_period("M"))), np.nan),
            "organisation": persons["organisation"].astype(str).to_numpy(),
            "contact_channel": persons["contact_channel"].astype(str).to_numpy(),
            "sales_channel": persons["sales_channel"].astype(str).to_numpy(),
            "weight": 1.0,
        })
        # Persons who appear only in another table are units too: they are counted there.
        others = {str(p) for name, frame in programme.tables.items()
                  if name != "persons" and "person_id" in frame
                  for p in frame["person_id"].dropna()}
        extra = sorted(others - set(units["person_id"]))
        if extra:
            units = pd.concat([units, pd.DataFrame({"person_id": extra, "month": np.nan,
                                                    "included_month": np.nan,
                                                    "weight": 1.0})], ignore_index=True)
        for name, frame in programme.tables.items():
            if "person_id" not in frame or name not in MAIN_DATE:
                continue
            rows = frame.dropna(subset=["person_id", MAIN_DATE[name]])
            months = window(month_number(rows[MAIN_DATE[name]].dt.to_period("M")))
            keep = ~np.isnan(months)
            dated[name] = (pd.Series(months[keep])
                           .groupby(rows["person_id"].astype(str).to_numpy()[keep])
                           .agg(frozenset))
    elif programme.monthly is not None:
        monthly = programme.monthly
        month = window(month_number(monthly["month"]))
        base = pd.DataFrame({
            "person_id": None,
            "month": month,
            "organisation": monthly["organisation"].astype(str).to_numpy(),
            "contact_channel": (monthly["contact_channel"].astype(str).to_numpy()
                                if "contact_channel" in monthly else "unknown"),
            "sales_channel": "unknown",
        })
        contacted = monthly["contacted"].astype(float).to_numpy()
        included = monthly["included"].astype(float).to_numpy()
        # The monthly table dates inclusions by the month of first contact.
        units = pd.concat([base.assign(weight=included, included_month=month),
                           base.assign(weight=contacted - included, included_month=np.nan)],
                          ignore_index=True)
        units = units[units["weight"] > 0]
    else:
        units = pd.DataFrame(columns=["person_id", "month", "included_month", "organisation",
                                      "contact_channel", "sales_channel", "weight"])
    return units.reset_index(drop=True), dated


def public_cutoff(programme: Programme) -> pd.Period | None:
    """The last whole month up to the analysis date and the end of the period (``None``
    before one whole month has passed)."""
    spec = programme.config.programme
    until = min(programme.as_of or spec.end, spec.end) + dt.timedelta(days=1)
    last = pd.Period(until - dt.timedelta(days=1), freq="M")
    cutoff = last if until.day == 1 else last - 1
    return cutoff if cutoff >= pd.Period(spec.start, freq="M") else None


# --- the release ----------------------------------------------------------------------------


def public_release(programme: Programme) -> PublicRelease:
    """Decide, for a public report, every count of persons each page may show.

    Computed once per programme (the pages of one run ask for it in turn, and all get the
    same answer). See the module notes for what it does.

    Parameters
    ----------
    programme
        From :func:`exitanalysis.load_programme`; its config gives ``analysis.min_cell``.

    Returns
    -------
    PublicRelease

    Examples
    --------
    >>> import exitanalysis as xa
    >>> config = xa.load_config("configs/exitpakke.yaml").with_overrides(audience="public")
    >>> release = public_release(xa.load_programme(config))
    >>> release.cutoff, release.audit.safe
    ('2023-06', True)
    """
    key = id(programme)
    cached = _CACHE.get(key)
    if cached is not None and cached[0]() is programme:
        return cached[1]
    release = _build_release(programme)
    _CACHE[key] = (weakref.ref(programme), release)
    weakref.finalize(programme, _CACHE.pop, key, None)
    return release


_CACHE: dict[int, tuple[weakref.ref[Programme], PublicRelease]] = {}


def _build_release(programme: Programme) -> PublicRelease:
    min_cell = programme.config.analysis.min_cell
    cutoff = public_cutoff(programme)
    has_case = programme.persons is not None or programme.monthly is not None
    history = recruitment_history(programme) if has_case else None
    if cutoff is None or history is None:
        return PublicRelease(
            cutoff=None, totals={"contacted": None, "included": None}, table_persons={},
            quarters={}, crosstab=None, persons_by_year=None,
            history=history.for_public(min_cell) if history is not None else None,
            hidden_partners=frozenset(), small=frozenset(),
            audit=CountAudit((), (), min_cell, 0), withheld=frozenset(), rounds=0,
            min_cell=min_cell)
    first = int(month_number(pd.PeriodIndex([programme.config.programme.start], freq="M"))[0])
    last = int(month_number(pd.PeriodIndex([cutoff]))[0])
    units, dated = _units(programme, first, last)
    month = units["month"].to_numpy(dtype=float)
    contacted = ~np.isnan(month)
    included = ~np.isnan(units["included_month"].to_numpy(dtype=float))
    measure_month = (units["included_month"] if history.measure == "included"
                     else units["month"]).to_numpy(dtype=float)
    weights = units["weight"].to_numpy(dtype=float)
    first_month = pd.Period(programme.config.programme.start, freq="M")
    periods = {by: choose_period(month, units[by].where(contacted), weights, min_cell,
                                 first_month, cutoff) for by in QUARTER_BY}
    rows_of = {by: period_labels(month, periods[by], first_month, cutoff) for by in QUARTER_BY}

    outcome_members = _outcome_members(programme, units, first, last)
    network_members = _network_members(programme, units, first, last)
    withheld: set[tuple[str, ...]] = set()
    for rounds in range(1, MAX_ROUNDS + 1):
        counts: list[PublishedCount] = []
        small: set[str] = set()

        shown_alone = {"contacted": contacted, "included": included}
        totals = {name: _single(("total", name), "total", members, weights, min_cell,
                                withheld, counts, small)
                  for name, members in shown_alone.items()}
        table_persons: dict[str, int | None] = {}
        for name in programme.tables:
            if name == "persons":
                members = contacted
            elif name in dated:
                members = units["person_id"].isin(set(dated[name].index)).to_numpy()
            else:
                continue
            table_persons[name] = _single(("table", name), "table", members, weights,
                                          min_cell, withheld, counts, small)
        quarters = {by: _table(("quarters", by), *rows_of[by], units[by].where(contacted),
                               weights, min_cell, withheld, counts, "quarter")
                    for by in QUARTER_BY}
        crosstab = _table(("crosstab",), units["organisation"].where(contacted), None,
                          units["contact_channel"].where(contacted), weights, min_cell,
                          withheld, counts, "crosstab")
        conversion = (_table(("conversion",), units["contact_channel"].where(contacted), None,
                             pd.Series(np.where(included, "included", "not_included"))
                             .where(contacted), weights, min_cell, withheld, counts,
                             "crosstab")
                      if programme.persons is not None else None)
        halves = {name: _single(("halves", name), "halves", members, weights, min_cell,
                                withheld, counts, small)
                  for name, members in _halves(units, first, last, included).items()}
        outcomes = {name: _single(("outcomes", name), "outcome", members, weights, min_cell,
                                  withheld, counts, small)
                    for name, members in outcome_members.items()}
        network = {name: _single(("network", name), "halves", members, weights, min_cell,
                                 withheld, counts, small)
                   for name, members in network_members.items()}
        years = _persons_by_year(units, dated, min_cell, withheld, counts)
        public_history = history.for_public(
            min_cell, withheld={k[1] for k in withheld if k[0] == "series"})
        shown = public_history.shown_months()["month"].astype(str).tolist()
        shown_number = month_number(pd.PeriodIndex(shown, freq="M"))
        for name, number in zip(shown, shown_number, strict=True):
            counts.append(PublishedCount(("series", name), "series", measure_month <= number,
                                         group=f"series/{name}"))
        hidden = _hidden_partners(public_history, min_cell, withheld)
        if shown:
            for partner in public_history.by_partner.index:
                if str(partner) in hidden:
                    continue
                members = ((measure_month <= shown_number[-1])
                           & (units["organisation"] == str(partner)).to_numpy())
                counts.append(PublishedCount(("partner", str(partner)), "partner", members,
                                             group="partner"))
        audit = audit_counts(np.column_stack([c.members for c in counts])
                             if counts else np.zeros((len(units), 0), dtype=bool),
                             min_cell, weights=weights, names=[c.name for c in counts],
                             groups=[c.group for c in counts])
        if audit.safe:
            return PublicRelease(
                cutoff=str(cutoff), totals=totals, table_persons=table_persons,
                quarters={k: v for k, v in quarters.items() if v is not None},
                crosstab=crosstab, persons_by_year=years, history=public_history,
                hidden_partners=frozenset(hidden), small=frozenset(small), audit=audit,
                withheld=frozenset(withheld), rounds=rounds, min_cell=min_cell,
                counts=tuple(counts), periods=periods, conversion=conversion, halves=halves,
                outcomes=outcomes, network=network)
        withheld |= _to_withhold(audit, counts)
    raise RuntimeError("the public release did not converge")  # pragma: no cover


def _halves(units: pd.DataFrame, first: int, last: int,
            included: np.ndarray) -> dict[str, np.ndarray]:
    """Who the channel report's mix decomposition counts: persons first contacted through a
    channel, and of them included, in each half of the months ``first`` .. ``last`` (the
    first half has the fewer months when they are odd, as in the decomposition)."""
    month = units["month"].to_numpy(dtype=float)
    channel = ~units["contact_channel"].astype(str).isin(NOT_A_CHANNEL).to_numpy()
    middle = first + (last - first + 1) // 2
    halves = {"first": (month >= first) & (month < middle),
              "second": (month >= middle) & (month <= last)}
    found = {}
    for half, inside in halves.items():
        found[f"contacted/{half}"] = inside & channel
        found[f"included/{half}"] = inside & channel & included
    return found


def _network_members(programme: Programme, units: pd.DataFrame, first: int,
                     last: int) -> dict[str, np.ndarray]:
    """Who the partner-network report's rate ratio counts: persons first contacted through
    a partner referral before the network began, and while it was active (to ``last``)."""
    network = programme.config.analysis.network
    if network is None or "contact_channel" not in units:
        return {}
    start = int(month_number(pd.PeriodIndex([network.start], freq="M"))[0])
    end = (last if network.end is None
           else min(last, int(month_number(pd.PeriodIndex([network.end], freq="M"))[0])))
    month = units["month"].to_numpy(dtype=float)
    partner = (units["contact_channel"].astype(str) == "partner_referral").to_numpy()
    return {"before": partner & (month >= first) & (month < start),
            "during": partner & (month >= start) & (month <= end)}


def _outcome_members(programme: Programme, units: pd.DataFrame, first: int,
                     last: int) -> dict[str, np.ndarray]:
    """Who the outcomes report counts: per outcome, the persons assessed for it and the
    persons who achieved it, at assessments in the months ``first`` .. ``last``."""
    outcomes = programme.outcomes
    if outcomes is None or not len(outcomes) or programme.persons is None:
        return {}
    months = month_number(outcomes["assessed_on"].dt.to_period("M"))
    rows = outcomes[(months >= first) & (months <= last)]
    ids = units["person_id"].astype(str)
    achieved = rows["achieved"].fillna(False).astype(bool)
    found: dict[str, np.ndarray] = {}
    for name in sorted(rows["outcome"].astype(str).unique()):
        mine = rows["outcome"].astype(str) == name
        found[f"assessed/{name}"] = ids.isin(set(rows.loc[mine, "person_id"].astype(str))
                                             ).to_numpy()
        found[f"achieved/{name}"] = ids.isin(set(rows.loc[mine & achieved, "person_id"]
                                                 .astype(str))).to_numpy()
    return found


def as_released(programme: Programme, release: PublicRelease) -> Programme:
    """The programme as a public release counts it: persons first contacted from the start
    to the end of the cutoff month, included only when dated by then; monthly rows and
    outcome assessments up to the cutoff. A page's public analysis runs on this, so its
    counts are the audited ones."""
    if release.cutoff is None:
        raise ValueError("the release has no cutoff: nothing of the case data is released")
    cutoff = pd.Period(release.cutoff, freq="M")
    start = pd.Timestamp(programme.config.programme.start)
    end = cutoff.end_time.normalize()
    tables = dict(programme.tables)
    persons = programme.persons
    if persons is not None:
        persons = persons[(persons["first_contact"] >= start)
                          & (persons["first_contact"] <= end)].copy()
        dated = persons["inclusion_date"].notna() & (persons["inclusion_date"] <= end)
        persons["included"] = persons["included"].fillna(False).astype(bool) & dated
        tables["persons"] = persons
    if programme.monthly is not None:
        monthly = programme.monthly
        tables["monthly"] = monthly[pd.PeriodIndex(monthly["month"], freq="M") <= cutoff]
    if programme.outcomes is not None:
        outcomes = programme.outcomes
        tables["outcomes"] = outcomes[outcomes["assessed_on"] <= end]
    return dataclasses.replace(programme, tables=tables, as_of=end.date())


def require_publishable(programme: Programme) -> None:
    """Refuse a public report that could show no recruitment at all.

    Raises
    ------
    NotPublishableError
        The case data give no count that may be shown (all below ``min_cell``, or revealing
        one) and the config has no published figure to rest the report on.
    """
    config = programme.config
    if config.audience != "public" or config.observed:
        return
    if public_release(programme).shows_recruitment:
        return
    raise NotPublishableError(
        f"a public report of {config.path.name} cannot show recruitment: every count the "
        f"case data give is below analysis.min_cell ({config.analysis.min_cell}) or would "
        "reveal one, and the config has no published figure (observed). Run it with "
        "--audience internal, wait for more data, or add a published figure.")


def _single(key: tuple[str, ...], kind: str, members: np.ndarray, weights: np.ndarray,
            min_cell: int, withheld: set[tuple[str, ...]], counts: list[PublishedCount],
            small: set[str]) -> int | None:
    """A count shown on its own: its value, or ``None`` when small or withheld."""
    value = int(round(float(weights[members].sum())))
    if 0 < value < min_cell:
        small.add("/".join(key))
        return None
    if key in withheld:
        return None
    counts.append(PublishedCount(key, kind, members, group="/".join(key)))
    return value


def _to_withhold(audit: CountAudit, counts: list[PublishedCount]) -> set[tuple[str, ...]]:
    """For each revealed set, the least important count that reveals it, with every count of
    the same persons (publishing the same set twice publishes it)."""
    picks = set()
    for revealed in audit.revealed:
        involved = [counts[i] for i in revealed.counts]
        pick = min(involved, key=lambda c: (PRIORITY[c.kind], int(c.members.sum()), c.key))
        picks |= {c.key for c in counts if np.array_equal(c.members, pick.members)}
    return picks


def period_labels(month: np.ndarray, period: str, first: pd.Period, cutoff: pd.Period,
                  ) -> tuple[pd.Series, list[str]]:
    """Each unit's period (``2020Q1``, ``2020H1`` or ``2020``; ``None`` when not contacted)
    from its month number, and every period of the window (a gap is shown as a gap)."""
    def name(m: float) -> str:
        year, within = int(m // 12), int(m % 12)
        return (f"{year}Q{within // 3 + 1}" if period == "quarter" else
                f"{year}H{within // 6 + 1}" if period == "half_year" else str(year))

    labels = pd.Series([name(m) if not np.isnan(m) else None for m in month], dtype=object)
    start, end = (int(month_number(pd.PeriodIndex([p], freq="M"))[0])
                  for p in (first, cutoff.asfreq("M")))
    every = list(dict.fromkeys(name(float(m)) for m in range(start, end + 1)))
    return labels, every


def choose_period(month: np.ndarray, categories: pd.Series, weights: np.ndarray, min_cell: int,
                  first: pd.Period, cutoff: pd.Period) -> str:
    """The finest period (quarter, half-year, year) at which a chart of ``categories`` alone
    hides at most :data:`MAX_HIDDEN_SHARE` of its persons after its own protection; the year
    when none does. The report-wide audit may hide more later, never less."""
    known = categories.notna().to_numpy()
    total = float(weights[known].sum())
    for period in PERIODS:
        rows, every = period_labels(month, period, first, cutoff)
        frame = pd.DataFrame({"row": rows.to_numpy()[known],
                              "column": categories.astype(str).to_numpy()[known],
                              "weight": weights[known]})
        table = frame.pivot_table(index="row", columns="column", values="weight",
                                  aggfunc="sum", fill_value=0).round().astype(int)
        table = table.reindex(every, fill_value=0)
        safe = suppress_counts(table, min_cell)
        inner = safe.counts.iloc[:-1, :-1]
        hidden = float(inner.where(safe.suppressed.iloc[:-1, :-1], 0).to_numpy().sum())
        if not total or hidden / total <= MAX_HIDDEN_SHARE:
            return period
    return PERIODS[-1]


def _table(key: tuple[str, ...], rows: pd.Series, rows_shown: list[str] | None,
           columns: pd.Series, weights: np.ndarray, min_cell: int,
           withheld: set[tuple[str, ...]], counts: list[PublishedCount],
           kind: str) -> SuppressedTable | None:
    """A two-way table of the units, protected, with its published cells (margins
    included) added to ``counts``; ``rows_shown`` are its rows, zeros included."""
    known = rows.notna().to_numpy() & columns.notna().to_numpy()  # by position, not index
    if not known.any():
        return None
    row_values = rows.astype(str).to_numpy()
    column_values = columns.astype(str).to_numpy()
    frame = pd.DataFrame({"row": row_values[known], "column": column_values[known],
                          "weight": weights[known]})
    table = frame.pivot_table(index="row", columns="column", values="weight", aggfunc="sum",
                              fill_value=0).round().astype(int)
    if rows_shown is not None:
        table = table.reindex(rows_shown, fill_value=0)
    table.index.name, table.columns.name = None, None
    force = [(k[-2], k[-1]) for k in withheld if k[:-2] == key]
    safe = suppress_counts(table, min_cell, force=force)
    for r in safe.counts.index:
        for c in safe.counts.columns:
            if safe.suppressed.loc[r, c] or safe.counts.loc[r, c] == 0:
                continue
            members = known.copy()
            if r != "total":
                members &= row_values == r
            if c != "total":
                members &= column_values == c
            part = ("cells" if "total" not in (r, c) else "total" if r == c
                    else "row totals" if c == "total" else "column totals")
            counts.append(PublishedCount((*key, str(r), str(c)),
                                         f"{kind}_{'cell' if part == 'cells' else 'margin'}",
                                         members, group="/".join((*key, part))))
    return safe


def _persons_by_year(units: pd.DataFrame, dated: Mapping[str, pd.Series], min_cell: int,
                     withheld: set[tuple[str, ...]],
                     counts: list[PublishedCount]) -> SuppressedTable | None:
    """Persons per table and year: only the cells are shown (a person may count in two
    years, so the margins are not counts of persons)."""
    ids = units["person_id"].astype(str)
    cells: dict[tuple[str, str], np.ndarray] = {}
    for name, months in dated.items():
        years = months.map(lambda ms: {str(int(m // 12)) for m in ms})
        for year in sorted(set().union(*years)):
            cells[(name, year)] = ids.isin({p for p, ys in years.items() if year in ys}
                                           ).to_numpy()
    if not cells:
        return None
    table = (pd.Series({k: int(v.sum()) for k, v in cells.items()}).unstack(fill_value=0)
             .reindex([name for name in dated if any(k[0] == name for k in cells)]))
    force = [(k[1], k[2]) for k in withheld if k[0] == "years"]
    safe = suppress_counts(table, min_cell, force=force)
    for (name, year), members in cells.items():
        if not safe.suppressed.loc[name, year] and members.any():
            counts.append(PublishedCount(("years", name, year), "years", members,
                                         group=f"years/{name}"))
    return safe


def _hidden_partners(history: RecruitmentHistory, min_cell: int,
                     withheld: set[tuple[str, ...]]) -> set[str]:
    """Partners whose counts are small or withheld, and one more when a single hidden count
    could be recovered from the published total."""
    counts = history.by_partner
    hidden = {str(p) for p, k in counts.items()
              if 0 < k < min_cell or ("partner", str(p)) in withheld}
    if len(hidden) == 1:
        others = counts.drop(index=list(hidden))
        others = others[others > 0]
        if len(others):
            hidden.add(str(others.idxmin()))
    return hidden


__all__ = ["PublicRelease", "PublishedCount", "as_released", "month_number", "public_cutoff",
           "public_release", "require_publishable"]
