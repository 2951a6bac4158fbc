"""What data a run uses: sources, synthetic or not, coverage by month, organisation, channel."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .data import Programme
from .text import Language, label, number

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
        ``synthetic_rows``, ``sha256``.
    snapshots
        Published figures from the config: ``as_of``, ``contacted``, ``included``, ``source``.
    contacts
        Tidy counts of persons by month of first contact: ``month`` (``YYYY-MM``),
        ``organisation``, ``contact_channel``, ``sales_channel``, ``contacted``, ``included``
        (of those first contacted that month, how many were included). Every month of the
        period up to ``as_of`` appears, with zeros.
    coverage
        Tidy rows per quarter for every table: ``table``, ``quarter``, ``rows``.
    validation
        One row per table: ``rows``, ``columns``, ``rules_checked``, ``date_formats``,
        ``problems``.
    organisation_names
        Display name by organisation id, in the config's order.
    language
        Language of labels and sentences.
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
    validation: pd.DataFrame
    organisation_names: Mapping[str, str]
    language: Language = "en"

    def to_frame(self) -> pd.DataFrame:
        """The tidy monthly contact counts (``contacts``)."""
        return self.contacts.copy()

    def crosstab(
        self, rows: str = "organisation", columns: str = "contact_channel"
    ) -> pd.DataFrame:
        """Persons first contacted, ``rows`` × ``columns``, with totals; display names."""
        table = self.contacts.pivot_table(index=rows, columns=columns, values="contacted",
                                          aggfunc="sum", fill_value=0, observed=False)
        table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
        total = label("total", self.language)
        table[total] = table.sum(axis=1)
        table.loc[total] = table.sum(axis=0)
        return table.rename(index=self._name, columns=self._name)

    def _name(self, key: object) -> str:
        return self.organisation_names.get(str(key)) or label(str(key), self.language)

    @property
    def persons_contacted(self) -> int:
        return int(self.contacts["contacted"].sum())

    @property
    def persons_included(self) -> int:
        return int(self.contacts["included"].sum())

    def summary(self) -> str:
        """What the run uses, in sentences."""
        lang = self.language
        n_rows = int(self.sources["rows"].sum()) if len(self.sources) else 0
        lines = []
        if self.synthetic:
            lines.append(
                "SYNTHETIC DATA: the case-level tables are generated and describe no real person."
                if lang == "en" else
                "SYNTETISKE DATA: tabellerne på personniveau er genererede og beskriver ingen "
                "virkelige personer."
            )
        if lang == "da":
            lines.append(
                f"{self.programme}: mål {number(self.target, lang)} inkluderede i perioden "
                f"{self.start} til {self.end}."
            )
            if len(self.sources):
                lines.append(
                    f"Kørslen bruger {len(self.sources)} tabeller med {number(n_rows, lang)} "
                    f"rækker i alt, alle valideret uden fejl."
                )
                lines.append(
                    f"Frem til {self.as_of} var {number(self.persons_contacted, lang)} personer "
                    f"i første kontakt; {number(self.persons_included, lang)} af dem blev "
                    "inkluderet."
                )
        else:
            lines.append(
                f"{self.programme}: target {number(self.target)} persons included over "
                f"{self.start} to {self.end}."
            )
            if len(self.sources):
                lines.append(
                    f"This run uses {len(self.sources)} tables with {number(n_rows)} rows in "
                    "all, each validated with no problems."
                )
                lines.append(
                    f"Up to {self.as_of}, {number(self.persons_contacted)} persons were first "
                    f"contacted; {number(self.persons_included)} of them were included."
                )
        for snap in self.snapshots.itertuples(index=False):
            count = snap.contacted if pd.notna(snap.contacted) else snap.included
            what = "contacted" if pd.notna(snap.contacted) else "included"
            if lang == "da":
                what = "i kontakt" if what == "contacted" else "inkluderet"
                lines.append(f"Offentliggjort tal: {number(count, lang)} {what} pr. {snap.as_of}.")
            else:
                lines.append(f"Published figure: {number(count)} {what} by {snap.as_of}.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "".join(f"<p>{html.escape(line)}</p>" for line in self.summary().splitlines())

    def plot(self, ax: Axes | None = None, by: str = "organisation") -> Axes:
        """Stacked bars of monthly first contacts by ``by`` (organisation, contact_channel,
        sales_channel)."""
        from .plotting import plot_overview

        return plot_overview(self, by=by, ax=ax)

    def plot_coverage(self, ax: Axes | None = None) -> Axes:
        """Heat map of rows per quarter in each input table."""
        from .plotting import plot_table_coverage

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
        validation=programme.validation_frame(),
        organisation_names={o.id: o.name for o in spec.organisations},
        language=language or config.language,
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
