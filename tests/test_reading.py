"""Danish exports load as naturally as clean ones: every encoding, separator, line end and
file type gives the same typed frames."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

import exitanalysis as xa
from exitanalysis.data.reading import read_raw
from exitanalysis.data.validation import SALES_CHANNELS
from helpers import MONTHLY, PERSONS, tables, write_programme


def _load(folder: Path, frames: dict[str, pd.DataFrame] | None = None, **options: object):
    return xa.load_programme(xa.load_config(write_programme(folder, frames, **options)))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> xa.Programme:
    return _load(tmp_path_factory.mktemp("reference"))


CSV_VARIANTS = list(
    itertools.product(["utf-8", "utf-8-sig", "cp1252"], [",", ";", "\t"], ["\n", "\r\n"])
)


@pytest.mark.parametrize("encoding, sep, newline", CSV_VARIANTS,
                         ids=[f"{e}-{s!r}-{n!r}" for e, s, n in CSV_VARIANTS])
def test_csv_variants_load_to_identical_frames(tmp_path: Path, reference: xa.Programme,
                                               encoding: str, sep: str, newline: str) -> None:
    programme = _load(tmp_path, encoding=encoding, sep=sep, newline=newline)
    for name, frame in reference.tables.items():
        pd.testing.assert_frame_equal(programme.tables[name], frame, check_exact=True)
    detected = {s.name: s.file_format for s in programme.sources}
    assert detected["persons"].startswith("CSV")


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_spreadsheet_and_parquet_load_to_identical_frames(tmp_path: Path, reference: xa.Programme,
                                                          suffix: str) -> None:
    programme = _load(tmp_path, suffix=suffix)
    for name, frame in reference.tables.items():
        pd.testing.assert_frame_equal(programme.tables[name], frame, check_exact=True)


def test_typed_cells_in_spreadsheets_are_read_as_their_text(tmp_path: Path,
                                                            reference: xa.Programme) -> None:
    # Excel and Parquet store real dates and booleans; they must load like the text export.
    persons = PERSONS.copy()
    persons["first_contact"] = pd.to_datetime(persons["first_contact"])
    persons["inclusion_date"] = pd.to_datetime(persons["inclusion_date"].replace("", None))
    persons["included"] = persons["included"].eq("true")
    for suffix in (".xlsx", ".parquet"):
        programme = _load(tmp_path / suffix[1:], tables(persons=persons), suffix=suffix)
        pd.testing.assert_frame_equal(programme.persons, reference.persons, check_exact=True)


def test_danish_conventions(tmp_path: Path, reference: xa.Programme) -> None:
    persons = PERSONS.copy()
    persons["first_contact"] = pd.to_datetime(persons["first_contact"]).dt.strftime("%d-%m-%Y")
    persons["inclusion_date"] = pd.to_datetime(persons["inclusion_date"].replace("", None)) \
        .dt.strftime("%d.%m.%Y").fillna("")
    persons["included"] = persons["included"].map({"true": "Ja", "false": "nej"})
    persons["contact_channel"] = persons["contact_channel"].str.upper()
    persons[" Person_ID "] = persons.pop("person_id")  # header case and spaces
    programme = _load(tmp_path, tables(persons=persons), encoding="cp1252", sep=";",
                      newline="\r\n")
    pd.testing.assert_frame_equal(
        programme.persons[reference.persons.columns], reference.persons, check_exact=True
    )
    source = {s.name: s for s in programme.sources}["persons"]
    assert source.file_format == "CSV, Windows-1252, ';'-separated"
    assert dict(source.date_formats) == {"first_contact": "DD-MM-YYYY",
                                         "inclusion_date": "DD.MM.YYYY"}


def test_types_and_identifiers(reference: xa.Programme) -> None:
    persons = reference.persons
    assert persons["person_id"].tolist()[2] == "00123"  # identifiers stay text
    assert str(persons["first_contact"].dtype) == "datetime64[ns]"
    assert str(persons["included"].dtype) == "boolean"
    assert list(persons["sales_channel"].cat.categories) == list(SALES_CHANNELS)
    assert reference.as_of.isoformat() == "2022-06-10"  # the last date in any table
    assert not reference.synthetic


def test_monthly_counts_with_decimal_commas(tmp_path: Path) -> None:
    monthly = MONTHLY.copy()
    monthly["contacted"] = monthly["contacted"] + ",0"
    monthly["month"] = ["2020-01-01", "2020-01", "2020-02", "2020-02", "2020-03"]
    programme = _load(tmp_path, {"monthly": monthly}, sep=";")
    frame = programme.monthly
    assert frame["contacted"].tolist() == [4, 2, 3, 0, 1]
    assert frame["month"].astype(str).tolist() == ["2020-01", "2020-01", "2020-02", "2020-02",
                                                   "2020-03"]
    assert programme.as_of.isoformat() == "2020-03-31"


def test_blank_lines_do_not_shift_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n\n3,4\n\n", encoding="utf-8")
    raw = read_raw(path)
    assert raw.frame.index.tolist() == [2, 4]
