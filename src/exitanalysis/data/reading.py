"""Read an input file into a frame of text cells, whatever the export looked like.

Danish exports arrive as Windows-1252 or UTF-8 (with or without a byte-order mark), with ``;``
or ``,`` or tab separators and CRLF line ends; spreadsheets as ``.xlsx``; pipelines write
``.parquet``. All of them are read here into the same thing: a frame of stripped text (or
missing) cells whose index is the row number a spreadsheet would show (header = row 1), and
whose column names are lower-cased. Typing the cells is the job of :mod:`.validation`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
_SEPARATORS = (";", ",", "\t")


@dataclass(frozen=True)
class RawTable:
    """An input file as text cells.

    Attributes
    ----------
    frame
        Text cells (``str``) or missing (``None``); index = spreadsheet row number.
    path
        The file read.
    kind
        ``csv``, ``xlsx`` or ``parquet``.
    encoding
        For text files: ``utf-8``, ``utf-8-sig`` (with byte-order mark) or ``cp1252``.
    separator
        For text files: the field separator found in the header line.
    """

    frame: pd.DataFrame
    path: Path
    kind: str
    encoding: str | None = None
    separator: str | None = None

    def describe(self) -> str:
        """The detected format in words, e.g. ``CSV, Windows-1252, ';'-separated``."""
        if self.kind != "csv":
            return self.kind
        names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252"}
        sep = "tab" if self.separator == "\t" else f"'{self.separator}'"
        return f"CSV, {names.get(self.encoding or '', self.encoding)}, {sep}-separated"


class ReadError(Exception):
    """The file cannot be read as a table at all; carries one :class:`Problem`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def read_raw(path: Path, shown_as: str | None = None) -> RawTable:
    """Read ``path`` (CSV, XLSX or Parquet) into text cells.

    Parameters
    ----------
    path
        The file.
    shown_as
        How to name the file in error messages (default: its name).

    Raises
    ------
    ReadError
        When the file is not a readable table (unknown format, undecodable bytes, no header).
    """
    shown = shown_as or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            Problem(shown, None, f"unsupported file type '{suffix}' (use .csv, .xlsx or .parquet)")
        )
    if suffix == ".xlsx":
        table = _read_xlsx(path, shown)
    elif suffix == ".parquet":
        table = _read_parquet(path, shown)
    else:
        table = _read_text(path, shown)
    frame = table.frame
    frame.columns = _clean_header(frame.columns, shown)
    for col in frame.columns:
        frame[col] = _clean_cells(frame[col])
    empty = frame.isna().all(axis=1)
    return RawTable(
        frame=frame.loc[~empty],
        path=path,
        kind=table.kind,
        encoding=table.encoding,
        separator=table.separator,
    )


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM) or, failing that, Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _read_text(path: Path, shown: str) -> RawTable:
    data = path.read_bytes()
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise ReadError(
            Problem(shown, None, "the file is neither UTF-8 nor Windows-1252 text")
        ) from None
    header = next((line for line in text.splitlines() if line.strip()), "")
    if not header:
        raise ReadError(Problem(shown, None, "the file is empty: expected a header row"))
    separator = max(_SEPARATORS, key=header.count)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            quoting=csv.QUOTE_MINIMAL,
            engine="python",
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        line = _line_of(str(exc))
        where = f" near row {line}" if line else ""
        raise ReadError(
            Problem(shown, None, f"not a regular table{where}: rows have different lengths")
        ) from None
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return RawTable(frame, path, "csv", encoding, separator)


def _line_of(message: str) -> int | None:
    for token in message.replace(",", " ").split():
        if token.isdigit():
            return int(token)
    return None


def _read_xlsx(path: Path, shown: str) -> RawTable:
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ReadError(
            Problem(shown, None, f"cannot be read as an Excel workbook ({type(exc).__name__})")
        ) from None
    frame = frame.map(_cell_text)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return RawTable(frame, path, "xlsx")


def _read_parquet(path: Path, shown: str) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds for a broken file
        raise ReadError(
            Problem(shown, None, f"cannot be read as a Parquet file ({type(exc).__name__})")
        ) from None
    frame = frame.astype(object).map(_cell_text)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return RawTable(frame, path, "parquet")


def _cell_text(value: Any) -> str | None:
    """Typed spreadsheet or Parquet cells back to the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        if value.time() != dt.time(0, 0):
            return value.isoformat(sep=" ")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if value is pd.NA:
        return None
    return str(value)


def _clean_header(columns: pd.Index, shown: str) -> list[str]:
    names = [str(c).strip().lower() for c in columns]
    unnamed = [i + 1 for i, n in enumerate(names) if not n or n.startswith("unnamed:")]
    if unnamed:
        raise ReadError(
            Problem(
                shown,
                None,
                "every column needs a name in the header row; unnamed column(s) at position "
                + ", ".join(map(str, unnamed)),
            )
        )
    return names


def _clean_cells(column: pd.Series) -> pd.Series:
    """Strip surrounding spaces; empty text becomes missing."""
    values = column.astype(object).where(column.notna(), None)
    stripped = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    return stripped.map(lambda v: None if v == "" else v).astype(object)
