"""The input tables of CONTRACT §3: their columns, how cells are typed, and the rules they obey.

Validation runs in two pandera passes per table, both lazy so that every problem is gathered:

1. **Text pass** on the cells as read (:mod:`.reading`): known and required columns,
   required values, uniqueness, vocabularies, date/boolean/number formats, and CPR-shaped values.
2. **Typed pass** on the parsed frame: the programme period, ``as_of``, inclusion after contact,
   counts, and references to persons and organisations.

Failures are reported as :class:`~exitanalysis.errors.Problem` (file, column, rule, rows) and
never quote a cell: the data are about people who must not be identifiable from a log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..errors import Problem
from .config import EXTERNAL_PARTIES
from .identifiers import identifier_kinds, looks_like_cpr, looks_like_name, valid_date
from .reading import per_value

# --- vocabularies (CONTRACT §3) -------------------------------------------------------------

CONTACT_CHANNELS = (
    "street_outreach",
    "venue_outreach",
    "online_outreach",
    "drop_in",
    "municipal_referral",
    "partner_referral",
    "health_service",
    "self_referral",
    "other",
)
SALES_CHANNELS = ("street", "venue", "online", "other", "unknown")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+", "unknown")
ORIGINS = ("denmark", "eu", "non_eu", "unknown")
COMPONENTS = (
    "group_course",
    "individual_conversation",
    "accompaniment",
    "home_visit",
    "bisidning",
    "other",
)
OUTCOMES = (
    "employment",
    "education",
    "own_housing",
    "substance_treatment",
    "stopped_selling",
    "improved_wellbeing",
)

_TRUE = {"true", "yes", "ja", "1"}
_FALSE = {"false", "no", "nej", "0"}

# --- cell formats ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DateFormat:
    """A written date format: its name for messages, a pattern and the order of its parts."""

    name: str
    pattern: re.Pattern[str]
    order: tuple[str, str, str]  # which group is year, month, day


DATE_FORMATS = (
    DateFormat("YYYY-MM-DD", re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    DateFormat("DD-MM-YYYY", re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), ("d", "m", "y")),
    DateFormat("DD.MM.YYYY", re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$"), ("d", "m", "y")),
    DateFormat("DD/MM/YYYY", re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
)
DATE_FORMAT_NAMES = ", ".join(f.name for f in DATE_FORMATS)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-0?1)?$")
# Counts of persons: up to nine digits (a 23-digit "count" is a pasting mistake).
_INTEGER = re.compile(r"^[+-]?\d{1,9}(?:[.,]0+)?$")
def _date_parts(value: str, fmt: DateFormat) -> tuple[int, int, int] | None:
    match = fmt.pattern.match(value)
    if match is None:
        return None
    parts = dict(zip(fmt.order, map(int, match.groups()), strict=True))
    return parts["y"], parts["m"], parts["d"]


def detect_date_format(values: pd.Series) -> DateFormat | None:
    """The format most non-missing values of a column are written in (``None`` if none)."""
    present = values.dropna()
    counts = {f.name: int(present.str.match(f.pattern).sum()) for f in DATE_FORMATS}
    best = max(DATE_FORMATS, key=lambda f: counts[f.name])
    return best if counts[best.name] else None


def parse_dates(values: pd.Series, fmt: DateFormat | None) -> pd.Series:
    """Text to dates in one format; anything else (or an impossible date) becomes NaT."""

    def one(value: Any) -> pd.Timestamp:
        if fmt is None or not isinstance(value, str):
            return pd.NaT
        parts = _date_parts(value, fmt)
        if parts is None or not _plausible(*parts):
            return pd.NaT
        return pd.Timestamp(*parts)

    return pd.to_datetime(per_value(values, one), errors="coerce").astype("datetime64[ns]")


#: Dates outside these years are typing mistakes (3000-06-01, 0001-01-01), and would not fit
#: the arithmetic of dates either: they are refused, not silently dropped.
PLAUSIBLE_YEARS = (1900, 2100)


def _plausible(y: int, m: int, d: int) -> bool:
    return PLAUSIBLE_YEARS[0] <= y <= PLAUSIBLE_YEARS[1] and valid_date(y, m, d)


def _plausible_month(value: str) -> bool:
    match = _MONTH.match(value)
    if match is None:
        return False
    year, month = int(match.group(1)), int(match.group(2))
    return 1 <= month <= 12 and PLAUSIBLE_YEARS[0] <= year <= PLAUSIBLE_YEARS[1]


def parse_months(values: pd.Series) -> pd.Series:
    """``YYYY-MM`` (or the first of the month, as spreadsheets store it) to month periods."""

    def one(value: Any) -> Any:
        if not isinstance(value, str) or not _plausible_month(value):
            return pd.NaT
        match = _MONTH.match(value)
        assert match is not None
        return pd.Period(year=int(match.group(1)), month=int(match.group(2)), freq="M")

    return pd.Series(pd.PeriodIndex(per_value(values, one), freq="M"), index=values.index)


def parse_booleans(values: pd.Series) -> pd.Series:
    """true/false, yes/no, ja/nej, 1/0 in any case; anything else becomes missing."""
    def one(value: Any) -> Any:
        lowered = value.lower() if isinstance(value, str) else value
        return True if lowered in _TRUE else False if lowered in _FALSE else pd.NA

    return per_value(values, one).astype("boolean")


def parse_integers(values: pd.Series) -> pd.Series:
    """Whole numbers; ``12,0`` and ``12.0`` as spreadsheets write them are accepted."""

    def one(value: Any) -> Any:
        if not isinstance(value, str) or not _INTEGER.match(value):
            return pd.NA
        return int(re.split(r"[.,]", value)[0])

    return per_value(values, one).astype("Int64")


# --- table specifications -------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an input table.

    ``kind`` is one of ``text``, ``date``, ``month``, ``boolean``, ``integer``, ``category``;
    ``vocabulary`` names the allowed values of a category (a tuple, or the name of a set known
    only from the config: ``organisations`` or ``parties``).
    """

    kind: str
    required: bool = True
    nullable: bool = False
    unique: bool = False
    vocabulary: tuple[str, ...] | str | None = None


_SYNTHETIC = ColumnSpec("boolean", required=False, nullable=True)

TABLE_SPECS: dict[str, dict[str, ColumnSpec]] = {
    "persons": {
        "person_id": ColumnSpec("text", unique=True),
        "organisation": ColumnSpec("category", vocabulary="organisations"),
        "first_contact": ColumnSpec("date"),
        "contact_channel": ColumnSpec("category", vocabulary=CONTACT_CHANNELS),
        "sales_channel": ColumnSpec("category", vocabulary=SALES_CHANNELS),
        "included": ColumnSpec("boolean"),
        "inclusion_date": ColumnSpec("date", nullable=True),
        "age_band": ColumnSpec("category", required=False, nullable=True, vocabulary=AGE_BANDS),
        "origin": ColumnSpec("category", required=False, nullable=True, vocabulary=ORIGINS),
        "synthetic": _SYNTHETIC,
    },
    "activities": {
        "person_id": ColumnSpec("text"),
        "date": ColumnSpec("date"),
        "component": ColumnSpec("category", vocabulary=COMPONENTS),
        "organisation": ColumnSpec("category", vocabulary="organisations"),
        "synthetic": _SYNTHETIC,
    },
    "outcomes": {
        "person_id": ColumnSpec("text"),
        "assessed_on": ColumnSpec("date"),
        "outcome": ColumnSpec("category", vocabulary=OUTCOMES),
        "achieved": ColumnSpec("boolean"),
        "synthetic": _SYNTHETIC,
    },
    "referrals": {
        "date": ColumnSpec("date"),
        "from_party": ColumnSpec("category", vocabulary="parties"),
        "to_party": ColumnSpec("category", vocabulary="parties"),
        "person_id": ColumnSpec("text", required=False, nullable=True),
        "synthetic": _SYNTHETIC,
    },
    "monthly": {
        "month": ColumnSpec("month"),
        "organisation": ColumnSpec("category", vocabulary="organisations"),
        "contact_channel": ColumnSpec("category", required=False, vocabulary=CONTACT_CHANNELS),
        "contacted": ColumnSpec("integer"),
        "included": ColumnSpec("integer"),
        "synthetic": _SYNTHETIC,
    },
}


@dataclass(frozen=True)
class Context:
    """What the rules need to know beyond the table itself.

    Attributes
    ----------
    organisations
        Organisation ids from the config.
    start, end
        The programme period.
    as_of
        The analysis date given in the config (``None``: the last date in the data).
    first_contact
        First contact date by person id, from the persons table; ``None`` until the persons
        table has been read (rules that refer to persons are then skipped, not failed).
    """

    organisations: tuple[str, ...]
    start: dt.date
    end: dt.date
    as_of: dt.date | None = None
    first_contact: Mapping[str, pd.Timestamp] | None = None

    def vocabulary(self, spec: ColumnSpec) -> tuple[str, ...]:
        if spec.vocabulary == "organisations":
            return self.organisations
        if spec.vocabulary == "parties":
            return (*self.organisations, *EXTERNAL_PARTIES)
        assert isinstance(spec.vocabulary, tuple)
        return spec.vocabulary


# --- the two passes -------------------------------------------------------------------------

_NOT_NULL = "a value is required in every row"
_UNIQUE = "each value may appear only once"


def _text_schema(
    table: str, raw: pd.DataFrame, ctx: Context
) -> tuple[pa.DataFrameSchema, dict[str, DateFormat | None]]:
    """Pass 1: the columns and the form of each cell."""
    specs = TABLE_SPECS[table]
    date_formats: dict[str, DateFormat | None] = {}
    columns: dict[str, pa.Column] = {}
    for name, spec in specs.items():
        checks: list[pa.Check] = []
        if spec.kind == "category":
            allowed = ctx.vocabulary(spec)
            lowered = {a.lower() for a in allowed}
            checks.append(
                pa.Check(
                    lambda s, ok=frozenset(lowered): s.str.lower().isin(ok),
                    error=f"expected one of: {', '.join(allowed)}",
                )
            )
        elif spec.kind == "boolean":
            checks.append(
                pa.Check(
                    lambda s: s.str.lower().isin(_TRUE | _FALSE),
                    error="expected true/false, yes/no, ja/nej or 1/0",
                )
            )
        elif spec.kind == "integer":
            checks.append(
                pa.Check(lambda s: s.str.match(_INTEGER),
                         error="expected a whole number of at most nine digits")
            )
        elif spec.kind == "month":
            checks.append(
                pa.Check(
                    lambda s: per_value(s, _plausible_month),
                    error="expected a month written YYYY-MM",
                )
            )
        elif spec.kind == "date" and name in raw.columns:
            fmt = detect_date_format(raw[name].astype(object).where(raw[name].notna()))
            date_formats[name] = fmt
            checks.extend(_date_checks(fmt))
        if name == "person_id":
            checks.append(pa.Check(lambda s: ~s.map(looks_like_name),
                                   error="looks like a person's name: ids must be pseudonymous"))
        columns[name] = pa.Column(
            dtype=None,
            nullable=spec.nullable,
            unique=spec.unique,
            required=spec.required,
            checks=checks,
        )
    # Scanned once for all three kinds (the check runs on this same raw frame).
    kinds = identifier_kinds(raw)
    identifiers = [
        pa.Check(lambda frame, kind=kind: (kinds != kind).reindex(
            index=frame.index, columns=frame.columns, fill_value=True), error=kind)
        for kind in ("cpr", "email", "phone")
    ]
    schema = pa.DataFrameSchema(columns, strict=True, checks=identifiers, name=table)
    return schema, date_formats


def _date_checks(fmt: DateFormat | None) -> list[pa.Check]:
    def any_format(s: pd.Series) -> pd.Series:
        return per_value(s, lambda v: any(f.pattern.match(v) for f in DATE_FORMATS))

    checks = [
        pa.Check(any_format, error=f"expected a date written {DATE_FORMAT_NAMES}"),
    ]
    if fmt is None:
        return checks

    def same_format(s: pd.Series) -> pd.Series:
        in_any = any_format(s)
        return ~in_any | s.str.match(fmt.pattern)

    def real_date(s: pd.Series) -> pd.Series:
        def ok(value: str) -> bool:
            parts = _date_parts(value, fmt)
            return parts is None or valid_date(*parts)

        return per_value(s, ok)

    def plausible(s: pd.Series) -> pd.Series:
        def ok(value: str) -> bool:
            parts = _date_parts(value, fmt)
            return parts is None or not valid_date(*parts) or _plausible(*parts)

        return per_value(s, ok)

    hint = ""
    if fmt.order[0] == "d":
        hint = " (dates are day first; month-first dates are not accepted)"
    checks += [
        pa.Check(
            same_format,
            error=f"one date format per column: this column is mostly {fmt.name}, "
            "so the column is ambiguous",
        ),
        pa.Check(real_date, error=f"not a calendar date in {fmt.name}{hint}"),
        pa.Check(plausible, error=f"a year outside {PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[1]}"),
    ]
    return checks


def parse_table(
    table: str, raw: pd.DataFrame, formats: Mapping[str, DateFormat | None], ctx: Context
) -> pd.DataFrame:
    """Type the known columns of a text frame; cells that do not parse become missing."""
    specs = TABLE_SPECS[table]
    typed: dict[str, pd.Series] = {}
    for name, spec in specs.items():
        if name not in raw.columns:
            continue
        values = raw[name].astype(object).where(raw[name].notna(), None)
        if spec.kind == "date":
            typed[name] = parse_dates(values, formats.get(name))
        elif spec.kind == "month":
            typed[name] = parse_months(values)
        elif spec.kind == "boolean":
            typed[name] = parse_booleans(values)
        elif spec.kind == "integer":
            typed[name] = parse_integers(values)
        elif spec.kind == "category":
            allowed = ctx.vocabulary(spec)
            by_lower = {a.lower(): a for a in allowed}
            def canonical_name(v: Any, known: dict[str, str] = by_lower) -> str | None:
                return known.get(v.lower()) if isinstance(v, str) else None

            canonical = per_value(values, canonical_name)
            typed[name] = pd.Series(
                pd.Categorical(canonical, categories=list(allowed)), index=raw.index
            )
        else:
            typed[name] = values.astype("string")
    return pd.DataFrame(typed, index=raw.index)


def _typed_schema(table: str, frame: pd.DataFrame, ctx: Context) -> pa.DataFrameSchema:
    """Pass 2: rules between values, columns and tables. Missing values pass here."""
    start, end = pd.Timestamp(ctx.start), pd.Timestamp(ctx.end)
    checks: list[pa.Check] = []

    def rule(
        column: str, text: str, fn: Callable[[pd.DataFrame], pd.Series], needs: Iterable[str] = ()
    ) -> None:
        needed = {column, *needs}
        checks.append(
            pa.Check(
                lambda d, fn=fn, needed=needed: _guarded(d, fn, needed),
                error=f"{column}: {text}",
            )
        )

    def within_period(column: str) -> None:
        rule(
            column,
            f"dates must lie within the programme period {ctx.start} to {ctx.end}",
            lambda d: d[column].isna() | d[column].between(start, end),
        )

    known = frozenset(ctx.first_contact or {})
    first_contact = pd.Series(ctx.first_contact or {}, dtype="datetime64[ns]")

    def known_person() -> None:
        if ctx.first_contact is None:
            return
        rule(
            "person_id",
            "must be a person_id from the persons table",
            lambda d: d["person_id"].isna() | d["person_id"].isin(known),
        )

    def not_before_first_contact(column: str) -> None:
        if ctx.first_contact is None:
            return
        rule(
            column,
            "must not be before the person's first contact",
            lambda d: ~(d[column] < d["person_id"].map(first_contact)).fillna(False),
            needs=["person_id"],
        )

    if table == "persons":
        within_period("first_contact")
        if ctx.as_of is not None:
            as_of = pd.Timestamp(ctx.as_of)
            rule(
                "first_contact",
                f"must not be after analysis.as_of ({ctx.as_of})",
                lambda d: d["first_contact"].isna() | (d["first_contact"] <= as_of),
            )
        rule(
            "inclusion_date",
            "required when included is true",
            lambda d: ~(d["included"].fillna(False) & d["inclusion_date"].isna()),
            needs=["included"],
        )
        rule(
            "inclusion_date",
            "must be empty when included is false",
            lambda d: ~((~d["included"].fillna(True)) & d["inclusion_date"].notna()),
            needs=["included"],
        )
        rule(
            "inclusion_date",
            "must not be before first_contact",
            lambda d: ~(d["inclusion_date"] < d["first_contact"]).fillna(False),
            needs=["first_contact"],
        )
    elif table == "activities":
        known_person()
        not_before_first_contact("date")
    elif table == "outcomes":
        known_person()
        not_before_first_contact("assessed_on")
    elif table == "referrals":
        if "person_id" in frame.columns:
            known_person()
        rule(
            "to_party",
            "must differ from from_party",
            lambda d: d["to_party"].isna()
            | d["from_party"].isna()
            | (d["to_party"].astype(object) != d["from_party"].astype(object)),
            needs=["from_party"],
        )
    elif table == "monthly":
        first, last = pd.Period(ctx.start, "M"), pd.Period(ctx.end, "M")
        rule(
            "month",
            f"months must lie within the programme period {first} to {last}",
            lambda d: d["month"].isna() | ((d["month"] >= first) & (d["month"] <= last)),
        )
        if ctx.as_of is not None:
            as_of_month = pd.Period(ctx.as_of, "M")
            rule(
                "month",
                f"must not be after the month of analysis.as_of ({as_of_month})",
                lambda d: d["month"].isna() | (d["month"] <= as_of_month),
            )
        rule("contacted", "must not be negative", lambda d: ~(d["contacted"] < 0).fillna(False))
        rule("included", "must not be negative", lambda d: ~(d["included"] < 0).fillna(False))
        rule(
            "included",
            "must not exceed contacted",
            lambda d: ~(d["included"] > d["contacted"]).fillna(False),
            needs=["contacted"],
        )
        key = [c for c in ("month", "organisation", "contact_channel") if c in frame.columns]
        rule(
            "month",
            "one row per month, organisation and contact channel",
            lambda d: ~d[key].astype(str).duplicated(keep=False),
            needs=key,
        )
    return pa.DataFrameSchema(checks=checks, name=table)


def _guarded(
    frame: pd.DataFrame, fn: Callable[[pd.DataFrame], pd.Series], needed: set[str]
) -> pd.Series:
    """Run a rule only when the columns it needs exist (a missing column is reported once)."""
    if not needed <= set(frame.columns):
        return pd.Series(True, index=frame.index)
    return fn(frame).astype(bool)


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableCheck:
    """The outcome of validating one table: its typed frame and every problem found."""

    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    date_formats: Mapping[str, str]
    rules_checked: int


def validate_table(table: str, raw: pd.DataFrame, ctx: Context, shown: str) -> TableCheck:
    """Validate a text frame read from ``shown`` as table ``table`` and type it.

    Returns the typed frame (index reset to 0..n-1) and every problem found, each with the
    file, column, rule and spreadsheet row numbers.
    """
    text_schema, formats = _text_schema(table, raw, ctx)
    problems = list(_run(text_schema, raw, shown, table, list(raw.columns)))
    if table in ("persons", "monthly") and not len(raw):
        problems.append(Problem(shown, None, "the table has no data rows: give at least one, "
                                             "or leave the table out of the config"))
    typed = parse_table(table, raw, formats, ctx)
    typed_schema = _typed_schema(table, typed, ctx)
    problems += _run(typed_schema, typed, shown, table)
    rules = sum(len(c.checks) + 2 for c in text_schema.columns.values()) + len(
        typed_schema.checks
    ) + 1
    return TableCheck(
        frame=typed.reset_index(drop=True),
        problems=tuple(sorted(set(problems), key=lambda p: p.sort_key)),
        date_formats={k: v.name for k, v in formats.items() if v is not None},
        rules_checked=rules,
    )


def _run(schema: pa.DataFrameSchema, frame: pd.DataFrame, shown: str, table: str,
         header: list[str] | None = None) -> list[Problem]:
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        return _problems(exc.failure_cases, shown, table, header or [])
    return []


#: What a column name may look like to be printed: letters (Danish ones too), underscores
#: and spaces. Anything else may be a cell that ended up as a header (a file exported
#: without its header row): an id, a date, a number, a CPR number.
_PLAIN_HEADER = re.compile(r"^[a-zæøåäöü_ ]{1,40}$")


def _problems(cases: pd.DataFrame, shown: str, table: str,
              header: list[str]) -> list[Problem]:
    """Translate pandera's failure cases into problems, without ever quoting a cell."""
    rows: dict[tuple[str | None, str], set[int]] = defaultdict(set)
    whole: list[Problem] = []
    allowed = ", ".join(TABLE_SPECS[table])
    for case in cases.itertuples(index=False):
        check = str(case.check)
        index = case.index
        if check == "column_in_schema":
            name = str(case.failure_case)
            if not _PLAIN_HEADER.match(name):
                position = header.index(name) + 1 if name in header else "?"
                whole.append(Problem(
                    shown, None, f"the header of column {position} looks like data, not a "
                                 "column name (not shown): is the header row missing?"))
                continue
            whole.append(
                Problem(shown, name, f"unknown column (allowed in {table}: {allowed})")
            )
            continue
        if check == "column_in_dataframe":
            whole.append(Problem(shown, str(case.failure_case), "required column is missing"))
            continue
        if check in _IDENTIFIERS:
            key: tuple[str | None, str] = (_cpr_column(case.failure_case),
                                           _IDENTIFIERS[check])
        elif check == "not_nullable":
            key = (str(case.column), _NOT_NULL)
        elif check == "field_uniqueness":
            key = (str(case.column), _UNIQUE)
        elif case.schema_context == "DataFrameSchema" and ": " in check:
            column, _, text = check.partition(": ")
            key = (column, text)
        else:
            key = (None if case.column is None else str(case.column), check)
        if index is not None and not _is_missing(index):
            rows[key].add(int(index))
        else:  # a check that could not say which rows: reported, never dropped
            whole.append(Problem(shown, key[0], f"{key[1]} (the rows could not be told)"))
    return whole + [Problem(shown, col, rule, tuple(sorted(r))) for (col, rule), r in rows.items()]


_IDENTIFIERS = {
    "cpr": "a value shaped like a Danish CPR number (a date DDMMYY and four digits, with or "
           "without separators); the whole file is rejected: remove CPR numbers before use",
    "email": "a value shaped like an e-mail address; the whole file is rejected: ids and "
             "cells must be pseudonymous",
    "phone": "a value shaped like a Danish phone number; the whole file is rejected: ids and "
             "cells must be pseudonymous",
}


def _cpr_column(failure_case: Any) -> str | None:
    # pandera reports a frame-wide check as {column: value}; keep the column, drop the value.
    if isinstance(failure_case, dict) and len(failure_case) == 1:
        return str(next(iter(failure_case)))
    return None


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def last_date(tables: Mapping[str, pd.DataFrame]) -> dt.date | None:
    """The last date in any date column of the typed tables (a month counts by its last day)."""
    latest: list[pd.Timestamp] = []
    for table, frame in tables.items():
        for name, spec in TABLE_SPECS[table].items():
            if name not in frame.columns or frame[name].isna().all():
                continue
            if spec.kind == "date":
                latest.append(frame[name].max())
            elif spec.kind == "month":
                latest.append(frame[name].max().end_time.normalize())
    return max(latest).date() if latest else None


def first_contacts(persons: pd.DataFrame) -> dict[str, pd.Timestamp] | None:
    """First contact by person id, for the rules of the other tables (``None`` when the
    persons table has no ids: its missing column is reported, and the rules are skipped)."""
    if "person_id" not in persons:
        return None
    ok = persons["person_id"].notna()
    if "first_contact" not in persons:
        return {str(p): pd.NaT for p in persons.loc[ok, "person_id"]}
    pairs = persons.loc[ok, ["person_id", "first_contact"]].drop_duplicates("person_id")
    return dict(zip(pairs["person_id"].astype(str), pairs["first_contact"], strict=True))


__all__ = [
    "AGE_BANDS",
    "COMPONENTS",
    "CONTACT_CHANNELS",
    "OUTCOMES",
    "ORIGINS",
    "SALES_CHANNELS",
    "TABLE_SPECS",
    "ColumnSpec",
    "Context",
    "TableCheck",
    "looks_like_cpr",
    "validate_table",
]
