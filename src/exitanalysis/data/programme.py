"""Load a programme's input tables: read, validate against CONTRACT §3, type.

:func:`load_programme` is the single entry to a programme's data. It reads every configured
table, validates all of them (gathering every problem before failing), and returns a frozen
:class:`Programme` with typed frames, where each table came from, and a validation summary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from ..errors import InputError, Problem
from .config import Config, display_path
from .reading import RawTable, ReadError, read_raw
from .validation import Context, TableCheck, first_contacts, last_date, validate_table


@dataclass(frozen=True)
class InputSource:
    """Where one input table came from.

    Attributes
    ----------
    name
        The table (``persons``, ``activities``, ...).
    path
        The file, relative to the working directory when possible.
    sha256
        Hash of the file's bytes, so a report can be traced to its exact input.
    rows
        Data rows read.
    file_format
        The detected format in words (``CSV, Windows-1252, ';'-separated``).
    synthetic_rows
        Rows marked ``synthetic = true`` (0 when the column is absent).
    date_formats
        The date format detected for each date column.
    rules_checked
        How many validation rules were applied to the table.
    persons
        Distinct persons the table refers to (``None`` for the monthly table).
    encoding, separator, kind
        The detected format's parts (``file_format`` says them in English).
    """

    name: str
    path: str
    sha256: str
    rows: int
    file_format: str
    synthetic_rows: int
    date_formats: Mapping[str, str]
    rules_checked: int
    persons: int | None = None
    kind: str = "csv"
    encoding: str | None = None
    separator: str | None = None

    @property
    def synthetic(self) -> bool:
        """Whether any row of this table is synthetic."""
        return self.synthetic_rows > 0


@dataclass(frozen=True)
class Programme:
    """A programme's validated data.

    Attributes
    ----------
    config
        The validated config.
    tables
        Typed frames by table name (only the configured ones).
    sources
        Where each table came from, in reading order.
    as_of
        The analysis date: ``analysis.as_of`` or, if not given, the last date in the data
        (``None`` when there is no case data and no date in the config).
    """

    config: Config
    tables: Mapping[str, pd.DataFrame]
    sources: tuple[InputSource, ...]
    as_of: dt.date | None

    @property
    def persons(self) -> pd.DataFrame | None:
        return self.tables.get("persons")

    @property
    def activities(self) -> pd.DataFrame | None:
        return self.tables.get("activities")

    @property
    def outcomes(self) -> pd.DataFrame | None:
        return self.tables.get("outcomes")

    @property
    def referrals(self) -> pd.DataFrame | None:
        return self.tables.get("referrals")

    @property
    def monthly(self) -> pd.DataFrame | None:
        return self.tables.get("monthly")

    @property
    def synthetic(self) -> bool:
        """Whether any input row is synthetic (reports must then say so everywhere)."""
        return any(s.synthetic for s in self.sources)

    def sources_frame(self) -> pd.DataFrame:
        """One row per input table: name, path, rows, format, synthetic rows, persons, sha256."""
        columns = ["table", "path", "rows", "file_format", "synthetic_rows", "persons_count",
                   "sha256"]
        return pd.DataFrame(
            [
                (s.name, s.path, s.rows, s.file_format, s.synthetic_rows, s.persons, s.sha256)
                for s in self.sources
            ],
            columns=columns,
        )

    def validation_frame(self) -> pd.DataFrame:
        """One row per table: rows, columns, rules applied, date formats found, problems (0)."""
        rows = []
        for s in self.sources:
            frame = self.tables[s.name]
            formats = ", ".join(f"{k}: {v}" for k, v in sorted(s.date_formats.items()))
            rows.append((s.name, s.rows, frame.shape[1], s.rules_checked, formats or "-", 0))
        return pd.DataFrame(
            rows, columns=["table", "rows", "columns", "rules_checked", "date_formats", "problems"]
        )


def load_programme(config: Config) -> Programme:
    """Read and validate every table the config names.

    Parameters
    ----------
    config
        From :func:`exitanalysis.load_config`.

    Returns
    -------
    Programme
        Typed tables (ids as text, dates as ``datetime64``, categories with the contract's
        levels, booleans as ``boolean``, counts as ``Int64``).

    Raises
    ------
    InputError
        Listing every problem in every table: file, column, rule and row numbers (the header
        is row 1). Cell contents are never quoted.

    Examples
    --------
    >>> import exitanalysis as xa
    >>> programme = xa.load_programme(xa.load_config("configs/exitpakke.yaml"))  # doctest: +SKIP
    >>> programme.persons.columns[:3].tolist()  # doctest: +SKIP
    ['person_id', 'organisation', 'first_contact']
    """
    spec = config.programme
    ctx = Context(
        organisations=spec.organisation_ids,
        start=spec.start,
        end=spec.end,
        as_of=config.analysis.as_of,
    )
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    sources: list[InputSource] = []
    for name, path in config.data.given().items():
        shown = display_path(path, config_dir=config.path.parent)
        try:
            raw = read_raw(path, shown_as=shown)
        except ReadError as exc:
            problems.append(exc.problem)
            continue
        checked = validate_table(name, raw.frame, ctx, shown)
        problems.extend(checked.problems)
        tables[name] = checked.frame
        if name == "persons":
            ctx = replace(ctx, first_contact=first_contacts(checked.frame))
        sources.append(_source(name, shown, raw, checked))
    if problems:
        raise InputError(problems)
    as_of = config.analysis.as_of or last_date(tables)
    if as_of is None and config.observed:
        as_of = max(s.as_of for s in config.observed)
    return Programme(
        config=config,
        tables=MappingProxyType(tables),
        sources=tuple(sources),
        as_of=as_of,
    )


def _source(name: str, shown: str, raw: RawTable, checked: TableCheck) -> InputSource:
    frame = checked.frame
    synthetic_rows = int(frame["synthetic"].fillna(False).sum()) if "synthetic" in frame else 0
    persons = int(frame["person_id"].dropna().nunique()) if "person_id" in frame else None
    return InputSource(
        name=name,
        path=shown,
        sha256=sha256_of(raw.path),
        rows=len(frame),
        file_format=raw.describe(),
        synthetic_rows=synthetic_rows,
        date_formats=MappingProxyType(dict(checked.date_formats)),
        rules_checked=checked.rules_checked,
        persons=persons,
        kind=raw.kind,
        encoding=raw.encoding,
        separator=raw.separator,
    )


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
