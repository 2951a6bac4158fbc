"""What data a run uses: sources, synthetic or not, coverage by month, organisation, channel.

With ``audience: public`` the overview publishes only counts of distinct persons, by quarter
rather than month, up to the end of the last whole month, and never a single person's date.
Every such count comes from the report's public release (:mod:`exitanalysis.assess.release`),
which audits all pages together, so no page can be subtracted from another to reveal a small
count.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ..data.programme import InputSource, Programme
from ..models.disclosure import SuppressedTable
from ..text import Language, file_format, label, month_of, number
from ..text import date as date_text
from ..text import month as month_text
from .cases import monthly_contacts, persons_by_year, table_coverage
from .findings import KeyFindings, SectionNote, note_on_hidden_counts
from .release import PublicRelease, public_release

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
    release
        For a public report: every count it may show, audited with the other pages.
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
    release: PublicRelease | None = None

    @property
    def public(self) -> bool:
        return self.audience == "public"

    def _released(self) -> PublicRelease:
        if self.release is None:
            raise ValueError("a public overview needs its release (use data_overview())")
        return self.release

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
            release = self._released()
            table["persons_count"] = [
                self._shown(release.table_persons.get(name), ("table", name))
                if name in release.table_persons else None for name in table["table"]]
            return table[["table", "file_format", "persons_count"]]
        return table.drop(columns="persons_count")

    def validation_table(self) -> pd.DataFrame:
        """Rules applied and date formats per table (public: without row counts)."""
        return self.validation.drop(columns="rows") if self.public else self.validation.copy()

    def snapshots_table(self) -> pd.DataFrame:
        """The published figures; a date the source gives only roughly reads "about"."""
        table = self.snapshots.copy()
        table["as_of"] = [month_of(d, self.language, approximate=True) if rough else d.isoformat()
                          for d, rough in zip(table["as_of"], table["approximate"], strict=True)]
        return table.drop(columns="approximate")

    def counts_table(self, period: str, by: str) -> pd.DataFrame:
        """Persons first contacted, ``period`` (``month`` or ``quarter``) × ``by``."""
        contacts = self.contacts.assign(
            quarter=pd.PeriodIndex(self.contacts["month"], freq="M").asfreq("Q").astype(str))
        table = contacts.pivot_table(index=period, columns=by, values="contacted",
                                     aggfunc="sum", fill_value=0, observed=False)
        return table.loc[:, table.sum() > 0]

    def safe_counts(self, by: str) -> SuppressedTable:
        """Quarter × ``by`` counts as a public report shows them: small cells, and whatever
        would reveal them on any page, suppressed."""
        return self._released().quarters[by]

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
            if (rows, columns) != ("organisation", "contact_channel"):
                raise ValueError("a public report shows organisation × contact_channel only")
            safe = self._released().crosstab
            if safe is None:
                return pd.DataFrame()
            shown = safe.counts.astype(object).where(~safe.suppressed,
                                                     label("suppressed_symbol", self.language))
            shown = shown.rename(index={"total": total}, columns={"total": total})
            shown.index.name, shown.columns.name = rows, columns
        else:
            shown = table.copy()
            shown[total] = shown.sum(axis=1)
            shown.loc[total] = shown.sum(axis=0)
        return shown.rename(index=self._name, columns=self._name)

    def _name(self, key: object) -> str:
        if str(key) == label("total", self.language):
            return str(key)
        return self.organisation_names.get(str(key)) or label(str(key), self.language)

    def _shown(self, value: int | None, key: tuple[str, ...]) -> object:
        """A released count as the report shows it: the number, "fewer than k" when it is
        small itself, the suppression symbol when it was withheld to protect another."""
        if value is not None:
            return value
        if "/".join(key) in self._released().small:
            return label("fewer_than", self.language, k=self.min_cell)
        return label("suppressed_symbol", self.language)

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
        contacts = self._contacts_sentence()
        if contacts:
            lines.append(contacts)
        for snap in self.snapshots.itertuples(index=False):
            count = snap.contacted if pd.notna(snap.contacted) else snap.included
            what = "contacted" if pd.notna(snap.contacted) else "included"
            when = (month_of(snap.as_of, lang, approximate=True)
                    if getattr(snap, "approximate", False) else date_text(snap.as_of, lang))
            lines.append(label("overview_published", lang, count=number(count, lang),
                               what=label(what, lang), as_of=when))
        return "\n".join(lines)

    def key_findings(self) -> KeyFindings:
        """What the run rests on, in two or three sentences: the tables and their checks, and
        the persons they count (the released counts in a public report). The published
        figures are not among them: a real number must not stand beside synthetic ones."""
        lang = self.language
        sentences = []
        contacts = self._contacts_sentence()
        if contacts:
            sentences.append(contacts)
        if len(self.sources):
            sentences.append(label("overview_tables", lang,
                                   tables=number(len(self.sources), lang)))
        if not sentences:  # published figures only
            return KeyFindings((label("overview_no_tables", lang),),
                               label("overview_published_only", lang), False, lang)
        basis = label("overview_synthetic" if self.synthetic else "overview_real", lang)
        return KeyFindings(tuple(sentences), basis, self.synthetic, lang)

    def _contacts_sentence(self) -> str | None:
        """Persons contacted and included up to the cutoff (the released counts in public)."""
        lang = self.language
        if not len(self.sources):
            return None
        if self.public and self._released().cutoff is not None:
            # Up to the last whole month: the last date in the data is one person's.
            release = self._released()
            return label("overview_contacts", lang, as_of=month_text(str(release.cutoff), lang),
                         contacted=self._count(release.totals["contacted"], "contacted"),
                         included=self._count(release.totals["included"], "included"))
        if not self.public and self.as_of is not None:
            return label("overview_contacts", lang, as_of=date_text(self.as_of, lang),
                         contacted=number(self.persons_contacted, lang),
                         included=number(self.persons_included, lang))
        return None

    def disclosure_note(self) -> SectionNote:
        """The public report's note on what ``..`` means (nothing in an internal one)."""
        return note_on_hidden_counts(self.min_cell if self.public else None, self.language)

    def _count(self, value: int | None, total: str) -> str:
        shown = self._shown(value, ("total", total))
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
        ax = plot_overview(self, by=by, ax=ax)
        return self.plot_titled(ax, by)

    def plot_titled(self, ax: Axes, by: str) -> Axes:
        """``ax`` titled with its finding (the largest group, when it may be shown) and the
        caption that says what it rests on."""
        from ..figures.style import set_caption

        finding = self.largest_group(by)
        if finding is not None:
            top, count, total = finding
            ax.set_title(label(f"fig_contacts_{by}", self.language, top=top,
                               count=number(count, self.language),
                               total=number(total, self.language)))
        period = self._released().periods.get(by, "quarter") if self.public else "month"
        set_caption(ax.figure, label("cap_contacts_public" if self.public else "cap_contacts",
                                     self.language, k=self.min_cell,
                                     period=label(period, self.language).lower(),
                                     symbol=label("suppressed_symbol", self.language)))
        return ax

    def largest_group(self, by: str) -> tuple[str, int, int] | None:
        """The category of ``by`` with the most persons first contacted, its count and the
        total; in a public report only from counts the release shows (else ``None``)."""
        if self.public:
            shown = self.safe_counts(by).published()
            totals = shown.loc["total"].drop("total")
            total = shown.loc["total", "total"]
            if totals.isna().all() or pd.isna(total):
                return None
        else:
            totals = self.contacts.groupby(by, observed=True)["contacted"].sum()
            total = totals.sum()
        if not len(totals.dropna()) or not total:
            return None
        top = totals.astype(float).idxmax()
        # Public: the largest shown group is the largest only if the hidden ones together
        # hold fewer persons (secondary suppression can hide a large count).
        if int(totals[top]) < total - totals.sum():
            return None
        return self._name(top), int(totals[top]), int(total)

    def plot_coverage(self, ax: Axes | None = None) -> Axes:
        """Heat map of rows per quarter in each input table (public: persons per year)."""
        from ..figures.overview import plot_table_coverage
        from ..figures.style import plot_unavailable

        if not len(self.coverage):
            return plot_unavailable("no_case_data", ax=ax, language=self.language)
        if self.public:
            safe = self._released().persons_by_year
            if safe is None:
                return plot_unavailable("no_case_data", ax=ax, language=self.language)
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
        columns=["as_of", "approximate", "contacted", "included", "source"],
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
        release=public_release(programme) if config.audience == "public" else None,
    )


__all__ = ["DataOverview", "data_overview", "monthly_contacts", "persons_by_year",
           "table_coverage"]
