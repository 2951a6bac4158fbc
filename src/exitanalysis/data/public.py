"""Published reference figures shipped in ``data/public/`` (see its CATALOGUE.md).

Every row has a source and a status; the loader refuses a table where one is missing, so a
figure without provenance can never reach a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import pandas as pd

from ..errors import InputError, Problem
from .paths import public_data_dir

PublicTable = Literal["exitpakke_case", "prevalence_denmark", "comparable_programmes",
                      "disclosure_thresholds", "lockdowns_denmark"]
PUBLIC_TABLES: tuple[str, ...] = (
    "exitpakke_case",
    "prevalence_denmark",
    "comparable_programmes",
    "disclosure_thresholds",
    "lockdowns_denmark",
)
STATUSES = ("verified", "secondary", "decision")


@dataclass(frozen=True)
class PublicData:
    """The public reference tables, each a frame with ``source`` and ``status`` columns."""

    tables: MappingProxyType[str, pd.DataFrame]
    folder: Path

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def to_frame(self) -> pd.DataFrame:
        """One row per table: name, rows, and how many rows have each status."""
        rows = []
        for name, frame in self.tables.items():
            counts = frame["status"].value_counts()
            rows.append(
                {"table": name, "file": f"{name}.csv", "rows": len(frame),
                 **{s: int(counts.get(s, 0)) for s in STATUSES}}
            )
        return pd.DataFrame(rows)


def load_public(folder: str | Path | None = None) -> PublicData:
    """Load every public reference table.

    Parameters
    ----------
    folder
        Where the CSV files are (default: the project's ``data/public``).

    Returns
    -------
    PublicData
        Frames by name (``exitpakke_case``, ``prevalence_denmark``, ``comparable_programmes``,
        ``disclosure_thresholds``, ``lockdowns_denmark``); numeric ``value`` columns are numbers.

    Raises
    ------
    InputError
        If a file is missing, or a row lacks a source or has a status other than
        ``verified``, ``secondary`` or ``decision``.

    Examples
    --------
    >>> import exitanalysis as xa
    >>> case = xa.load_public()["exitpakke_case"]
    >>> int(case.set_index("fact").loc["target", "value"])
    465
    """
    base = Path(folder) if folder is not None else public_data_dir()
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    for name in PUBLIC_TABLES:
        path = base / f"{name}.csv"
        if not path.is_file():
            problems.append(Problem(str(path), None, "public reference table is missing"))
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        if not isinstance(frame.index, pd.RangeIndex):
            problems.append(Problem(path.name, None, "rows have more fields than the header "
                                    "(quote text that contains commas)"))
            continue
        for column in ("source", "status"):
            if column not in frame.columns:
                problems.append(Problem(path.name, column, "required column is missing"))
        if {"source", "status"} <= set(frame.columns):
            no_source = frame.index[frame["source"].str.strip() == ""] + 2
            if len(no_source):
                problems.append(Problem(path.name, "source", "every figure needs a source",
                                        tuple(no_source)))
            bad = frame.index[~frame["status"].isin(STATUSES)] + 2
            if len(bad):
                problems.append(Problem(path.name, "status",
                                        f"expected one of: {', '.join(STATUSES)}", tuple(bad)))
        for column in ("value", "min_cell"):
            if column in frame.columns:
                numeric = pd.to_numeric(frame[column], errors="coerce")
                if numeric.notna().all():
                    frame[column] = numeric
        tables[name] = frame
    if problems:
        raise InputError(problems)
    return PublicData(MappingProxyType(tables), base)
