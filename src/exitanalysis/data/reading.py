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
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, format_rows

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
_SEPARATORS = (";", ",", "\t")
#: Limits on what is read, far above any programme's data (a national register of a decade
#: has some 10⁶ persons), low enough that a wrong file or a zip bomb stops with a message
#: instead of filling the memory. Documented in the README.
MAX_BYTES = 200 * 1024**2  # a file on disk, and an xlsx workbook unzipped
MAX_ROWS = 2_000_000
MAX_CELL = 1_000  # characters: no value of the contract comes near


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
        names = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252",
                 "utf-16": "UTF-16"}
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
    if not path.is_file():
        raise ReadError(Problem(shown, None, "not a regular file"))
    if path.stat().st_size > MAX_BYTES:
        raise ReadError(Problem(shown, None, f"the file is larger than {MAX_BYTES // 1024**2} MB, "
                                             "the most exitanalysis reads"))
    if suffix == ".xlsx":
        table = _read_xlsx(path, shown)
    elif suffix == ".parquet":
        table = _read_parquet(path, shown)
    else:
        table = _read_text(path, shown)
    frame = table.frame
    if len(frame) > MAX_ROWS:
        raise ReadError(Problem(shown, None, f"the table has more than {MAX_ROWS:,} rows, the "
                                             "most exitanalysis reads"))
    frame.columns = _clean_header(frame.columns, shown)
    for col in frame.columns:
        frame[col] = _clean_cells(frame[col])
    long = pd.Series(False, index=frame.index)
    for col in frame.columns:
        long |= per_value(frame[col], _too_long).astype(bool)
    if long.any():
        raise ReadError(Problem(shown, None, f"a cell longer than {MAX_CELL:,} characters, which "
                                             f"no column of the contract holds: "
                                             f"{format_rows(list(frame.index[long]))}"))
    empty = frame.isna().all(axis=1)
    return RawTable(
        frame=frame.loc[~empty],
        path=path,
        kind=table.kind,
        encoding=table.encoding,
        separator=table.separator,
    )


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with a BOM or, failing those,
    Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _mixed_encoding(data: bytes) -> tuple[list[int], list[int]] | None:
    """Rows (line numbers) written in UTF-8 and in Windows-1252, when a file mixes them: read
    as Windows-1252 the UTF-8 rows would turn Ø into Ã˜ without a word."""
    utf8, other = [], []
    for number, line in enumerate(data.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8.append(number)
    return (utf8, other) if utf8 and other else None


def _read_text(path: Path, shown: str) -> RawTable:
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(Problem(shown, None, "not a text file (it holds NUL bytes)"))
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError:
        raise ReadError(
            Problem(shown, None, "the file is neither UTF-8 nor Windows-1252 text")
        ) from None
    if encoding == "cp1252" and (mixed := _mixed_encoding(data)) is not None:
        utf8, other = mixed
        raise ReadError(Problem(
            shown, None, f"the file mixes UTF-8 ({format_rows(utf8)}) and Windows-1252 "
                         f"({format_rows(other)}) text: save it again in one encoding"))
    # Excel for Mac ends lines with CR alone; the csv module wants them as LF.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header = next((line for line in text.splitlines() if line.strip()), "")
    if not header:
        raise ReadError(Problem(shown, None, "the file is empty: expected a header row"))
    separator = max(_SEPARATORS, key=header.count)
    csv.field_size_limit(MAX_BYTES)
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ReadError(Problem(shown, None, f"not a regular table at row {reader.line_num} "
                                             f"({str(exc).split(':')[0]})")) from None
    if not rows:
        raise ReadError(Problem(shown, None, "the file is empty: expected a header row"))
    (_, names), body = rows[0], rows[1:]
    width = len(names)
    # A separator at the end of every data row (some exports write one) is not a column.
    if body and all(len(r) == width + 1 and not r[-1].strip() for _, r in body):
        body = [(n, r[:-1]) for n, r in body]
    uneven = [n for n, r in body if len(r) != width]
    if uneven:
        raise ReadError(Problem(
            shown, None, f"not a regular table: {format_rows(uneven)} "
                         f"{'has' if len(uneven) == 1 else 'have'} a different number of "
                         f"fields from the header row ({width})"))
    frame = pd.DataFrame([r for _, r in body], columns=names, dtype=object)
    frame = frame.where(frame != "", None)
    frame.index = pd.Index([n for n, _ in body])
    return RawTable(frame, path, "csv", encoding, separator)


def _read_xlsx(path: Path, shown: str) -> RawTable:
    _check_workbook(path, shown)
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ReadError(
            Problem(shown, None, f"cannot be read as an Excel workbook ({type(exc).__name__})")
        ) from None
    frame = frame.map(_cell_text)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return RawTable(frame, path, "xlsx")


def _check_workbook(path: Path, shown: str) -> None:
    """Refuse a workbook that unzips to more than :data:`MAX_BYTES` (a zip bomb) or whose
    first sheet is hidden (the table read would not be the one shown in Excel). Its XML is
    parsed with defusedxml (openpyxl uses it when installed): no entity expansion."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            workbook = archive.read("xl/workbook.xml") if unzipped <= MAX_BYTES else b""
    except (zipfile.BadZipFile, KeyError, OSError):
        raise ReadError(Problem(shown, None, "cannot be read as an Excel workbook")) from None
    if unzipped > MAX_BYTES:
        raise ReadError(Problem(shown, None, f"the workbook unzips to more than "
                                             f"{MAX_BYTES // 1024**2} MB, the most exitanalysis "
                                             "reads"))
    first = re.search(rb"<(?:\w+:)?sheet\b[^>]*>", workbook)
    if first is not None and re.search(rb'state="(?:hidden|veryHidden)"', first.group(0)):
        raise ReadError(Problem(shown, None, "the first sheet of the workbook is hidden: put "
                                             "the table on the first, visible sheet"))


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


def per_value(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``values.map(function)``, calling ``function`` once per distinct value: a column of a
    million cells holds a few thousand distinct dates or a handful of categories, so each
    cell costs a lookup instead of a Python call. Missing cells get ``function`` of the first
    missing value, as ``map`` would give them."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(values), dtype=object)
    if len(uniques):
        results = np.empty(len(uniques), dtype=object)
        results[:] = [function(u) for u in uniques]
        present = codes >= 0
        mapped[present] = results[codes[present]]
    missing = codes < 0
    if missing.any():
        mapped[missing] = function(values.iloc[int(np.flatnonzero(missing)[0])])
    return pd.Series(mapped, index=values.index, name=values.name).infer_objects()


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and len(value) > MAX_CELL


def _stripped(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    return None if value == "" else value


def _clean_cells(column: pd.Series) -> pd.Series:
    """Strip surrounding spaces; empty text becomes missing."""
    values = column.astype(object).where(column.notna(), None)
    return per_value(values, _stripped).astype(object)
