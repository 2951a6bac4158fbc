"""What data a run uses: sources, synthetic or not, coverage by month, organisation, channel.

With ``audience: public`` the overview publishes only counts of distinct persons, by quarter
rather than month, with small cells suppressed (:mod:`exitanalysis.models.disclosure`), and never a
single person's date.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..data.programme import InputSource, Programme
from ..models.disclosure import SuppressedTable, safe_count, suppress_counts
from ..text import Language, file_format, label, number
from ..text import date as date_text
from ..text import month as month_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class DataOverview:
    """A description of a programme's input data.

    Attributes
    ----------
    programme
        The programme's name.
    start, end
        The recruitment period.
    target
        Persons to include.
    as_of
        The analysis date (the config's, or the last date in the data).
    synthetic
        Whether any input row is synthetic.
    sources
        One row per input table: ``table``, ``path``, ``rows``, ``file_format``,
        ``synthetic_rows``, ``persons_count``, ``sha256``.
    snapshots
        Published figures from the config: ``as_of``, ``contacted``, ``included``, ``source``.
    contacts
        Tidy counts of persons by month of first contact: ``month`` (``YYYY-MM``),
        ``organisation``, ``contact_channel``, ``sales_channel``, ``contacted``, ``included``
        (of those first contacted that month, how many were included). Every month of the
        period up to ``as_of`` appears, with zeros.
    coverage
        Tidy rows per quarter for every table: ``table``, ``quarter``, ``rows``.
    persons_by_year
        Distinct persons per table and year of its main date: ``table``, ``year``,
        ``persons`` (what the public report shows instead of ``coverage``).
    validation
        One row per table: ``rows``, ``columns``, ``rules_checked``, ``date_formats``,
        ``problems``.
    organisation_names
        Display name by organisation id, in the config's order.
    language
        Language of labels and sentences.
    audience
        ``internal`` or ``public`` (small counts suppressed, quarters instead of months).
    min_cell
        The smallest count of persons a public table may show.
    inputs
        The input tables' sources (for their formats in the report's language).
    """

    programme: str
    start: dt.date
    end: dt.date
    target: int
    as_of: dt.date | None
    synthetic: bool
    sources: pd.DataFrame
    snapshots: pd.DataFrame
    contacts: pd.DataFrame
    coverage: pd.DataFrame
    persons_by_year: pd.DataFrame
    validation: pd.DataFrame
    organisation_names: Mapping[str, str]
    language: Language = "en"
    audience: str = "internal"
    min_cell: int = 5
    inputs: tuple[InputSource, ...] = ()

    @property
    def public(self) -> bool:
        return self.audience == "public"

    def to_frame(self) -> pd.DataFrame:
        """The tidy monthly contact counts (``contacts``)."""
        return self.contacts.copy()

    # -- tables as a report shows them -------------------------------------------------

    def sources_table(self) -> pd.DataFrame:
        """Where each table came from, in the report's language; public: persons, not rows."""
        table = self.sources.copy()
        if self.inputs:
            table["file_format"] = [file_format(s.kind, s.encoding, s.separator, self.language)
                                    for s in self.inputs]
        if self.public:
            # No file names or digests in public: they could confirm a candidate file.
            table["persons_count"] = table["persons_count"].map(self._safe)
            return table[["table", "file_format", "persons_count"]]
        return table.drop(columns="persons_count")

    def validation_table(self) -> pd.DataFrame:
        """Rules applied and date formats per table (public: without row counts)."""
        return self.validation.drop(columns="rows") if self.public else self.validation.copy()

    def snapshots_table(self) -> pd.DataFrame:
        return self.snapshots.copy()

    def counts_table(self, period: str, by: str) -> pd.DataFrame:
        """Persons first contacted, ``period`` (``month`` or ``quarter``) × ``by``."""
        contacts = self.contacts.assign(
            quarter=pd.PeriodIndex(self.contacts["month"], freq="M").asfreq("Q").astype(str))
        table = contacts.pivot_table(index=period, columns=by, values="contacted",
                                     aggfunc="sum", fill_value=0, observed=False)
        return table.loc[:, table.sum() > 0]

    def safe_counts(self, by: str) -> SuppressedTable:
        """Quarter × ``by`` counts with small cells and their revealers suppressed."""
        return suppress_counts(self.counts_table("quarter", by), self.min_cell)

    def crosstab(
        self, rows: str = "organisation", columns: str = "contact_channel"
    ) -> pd.DataFrame:
        """Persons first contacted, ``rows`` × ``columns``, with totals; display names.

        Public: small cells, and any that would reveal them, show as ``..``.
        """
        table = self.contacts.pivot_table(index=rows, columns=columns, values="contacted",
                                          aggfunc="sum", fill_value=0, observed=False)
        table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
        total = label("total", self.language)
        if self.public:
            safe = suppress_counts(table, self.min_cell, total_label=total)
            shown = safe.counts.astype(object).where(~safe.suppressed,
                                                     label("suppressed_symbol", self.language))
        else:
            shown = table.copy()
            shown[total] = shown.sum(axis=1)
            shown.loc[total] = shown.sum(axis=0)
        return shown.rename(index=self._name, columns=self._name)

    def _name(self, key: object) -> str:
        if str(key) == label("total", self.language):
            return str(key)
        return self.organisation_names.get(str(key)) or label(str(key), self.language)

    def _safe(self, value: object) -> object:
        if value is None or pd.isna(value):
            return value
        shown = safe_count(int(value), self.min_cell)  # type: ignore[call-overload]
        return shown if shown is not None else label("fewer_than", self.language,
                                                     k=self.min_cell)

    # -- numbers and sentences ---------------------------------------------------------

    @property
    def persons_contacted(self) -> int:
        return int(self.contacts["contacted"].sum())

    @property
    def persons_included(self) -> int:
        return int(self.contacts["included"].sum())

    def summary(self) -> str:
        """What the run uses, in sentences."""
        lang = self.language
        lines = []
        if self.synthetic:
            lines.append(label("overview_synthetic", lang))
        lines.append(label("overview_programme", lang, name=self.programme,
                           target=number(self.target, lang), start=date_text(self.start, lang),
                           end=date_text(self.end, lang)))
        if len(self.sources):
            lines.append(label("overview_tables", lang, tables=number(len(self.sources), lang)))
            if self.as_of is not None:
                # public: the month only; the last date in the data is one person's date
                as_of = (month_text(f"{self.as_of:%Y-%m}", lang) if self.public
                         else date_text(self.as_of, lang))
                lines.append(label("overview_contacts", lang, as_of=as_of,
                                   contacted=self._count(self.persons_contacted),
                                   included=self._count(self.persons_included)))
        for snap in self.snapshots.itertuples(index=False):
            count = snap.contacted if pd.notna(snap.contacted) else snap.included
            what = "contacted" if pd.notna(snap.contacted) else "included"
            lines.append(label("overview_published", lang, count=number(count, lang),
                               what=label(what, lang), as_of=date_text(snap.as_of, lang)))
        return "\n".join(lines)

    def _count(self, value: int) -> str:
        shown = self._safe(value) if self.public else value
        return number(shown, self.language) if isinstance(shown, int) else str(shown)

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(line)}</p>" for line in self.summary().splitlines())

    # -- figures -----------------------------------------------------------------------

    def plot(self, ax: Axes | None = None, by: str = "organisation") -> Axes:
        """Stacked bars of first contacts by ``by`` (organisation, contact_channel,
        sales_channel): monthly; quarterly with suppression for a public report."""
        from ..figures.overview import plot_overview
        from ..figures.style import plot_unavailable

        if not self.persons_contacted:
            return plot_unavailable("no_case_data", ax=ax, language=self.language)
        return plot_overview(self, by=by, ax=ax)

    def plot_coverage(self, ax: Axes | None = None) -> Axes:
        """Heat map of rows per quarter in each input table (public: persons per year)."""
        from ..figures.overview import plot_table_coverage
        from ..figures.style import plot_unavailable

        if not len(self.coverage):
            return plot_unavailable("no_case_data", ax=ax, language=self.language)
        if self.public:
            safe = suppress_counts(self.persons_by_year.pivot_table(
                index="table", columns="year", values="persons", aggfunc="sum", fill_value=0,
                sort=False), self.min_cell)
            published = safe.published().drop(index="total", columns="total")
            tidy = published.stack(future_stack=True).rename("rows").reset_index()
            tidy.columns = ["table", "quarter", "rows"]
            return plot_table_coverage(tidy, ax=ax, language=self.language,
                                       synthetic=self.synthetic, public=True)
        return plot_table_coverage(self.coverage, ax=ax, language=self.language,
                                   synthetic=self.synthetic)


def data_overview(programme: Programme, language: Language | None = None) -> DataOverview:
    """Describe the data a programme run uses.

    Parameters
    ----------
    programme
        From :func:`exitanalysis.load_programme`.
    language
        Language of labels and sentences (default: the config's).

    Returns
    -------
    DataOverview
        With the config's audience: a public overview shows only safe counts of persons.

    Examples
    --------
    >>> import exitanalysis as xa
    >>> config = xa.load_config("configs/exitpakke.yaml")
    >>> overview = xa.data_overview(xa.load_programme(config))
    >>> overview.synthetic
    True
    """
    config = programme.config
    spec = config.programme
    snapshots = pd.DataFrame(
        [s.model_dump() for s in config.observed],
        columns=["as_of", "contacted", "included", "source"],
    )
    return DataOverview(
        programme=spec.name,
        start=spec.start,
        end=spec.end,
        target=spec.target,
        as_of=programme.as_of,
        synthetic=programme.synthetic,
        sources=programme.sources_frame(),
        snapshots=snapshots,
        contacts=monthly_contacts(programme),
        coverage=table_coverage(programme.tables),
        persons_by_year=persons_by_year(programme.tables),
        validation=programme.validation_frame(),
        organisation_names={o.id: o.name for o in spec.organisations},
        language=language or config.language,
        audience=config.audience,
        min_cell=config.analysis.min_cell,
        inputs=programme.sources,
    )


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


_DATE_COLUMNS = {
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
            dates = frame[_DATE_COLUMNS[name]].dropna()
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
        rows = frame.dropna(subset=["person_id", _DATE_COLUMNS[name]])
        years = rows[_DATE_COLUMNS[name]].dt.year.astype(str)
        persons = rows.groupby(years)["person_id"].nunique()
        parts.append(pd.DataFrame({"table": name, "year": persons.index,
                                   "persons": persons.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["table", "year", "persons"])
    return pd.concat(parts, ignore_index=True)
