"""Properties of the readers, over many generated inputs (hypothesis; seeded by its
database-free defaults, so a failure is reproducible from the printed example).

1. The same valid data, written in any dialect a Danish export may use, load to the same
   typed frame.
2. Arbitrary bytes, in any supported file type, give the project's input error and nothing
   else: never a crash, never an exit 1.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import exitanalysis as xa
from helpers import PERSONS, tables, write_programme

ONLY_PERSONS = tables(activities=None, outcomes=None, referrals=None)
DATE_FORMATS = {"YYYY-MM-DD": "%Y-%m-%d", "DD-MM-YYYY": "%d-%m-%Y", "DD.MM.YYYY": "%d.%m.%Y",
                "DD/MM/YYYY": "%d/%m/%Y"}
BOOLEANS = {"true/false": ("true", "false"), "ja/nej": ("ja", "nej"), "yes/no": ("yes", "no"),
            "1/0": ("1", "0")}
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder():
    path = Path(tempfile.mkdtemp(prefix="xa-properties-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def plain(folder: Path) -> pd.DataFrame:
    return xa.load_programme(xa.load_config(write_programme(folder / "plain",
                                                           ONLY_PERSONS))).persons


def _dialect(frame: pd.DataFrame, date_format: str, booleans: tuple[str, str],
             upper: bool, padded: bool) -> pd.DataFrame:
    out = frame.copy()
    for column in ("first_contact", "inclusion_date"):
        dates = pd.to_datetime(out[column].replace("", None))
        out[column] = [d.strftime(DATE_FORMATS[date_format]) if pd.notna(d) else ""
                       for d in dates]
    yes, no = (b.upper() if upper else b for b in booleans)
    out["included"] = out["included"].map({"true": yes, "false": no})
    if padded:  # spaces around cells, as hand-edited exports have
        out = out.map(lambda v: f" {v} " if v else v)
    return out


@SETTINGS
@given(encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       separator=st.sampled_from([",", ";", "\t"]),
       newline=st.sampled_from(["\n", "\r\n", "\r"]),
       date_format=st.sampled_from(sorted(DATE_FORMATS)),
       booleans=st.sampled_from(sorted(BOOLEANS)), upper=st.booleans(), padded=st.booleans(),
       trailing=st.booleans())
def test_any_danish_dialect_loads_to_the_same_frame(folder: Path, plain: pd.DataFrame,
                                                    encoding, separator, newline, date_format,
                                                    booleans, upper, padded, trailing) -> None:
    written = _dialect(PERSONS, date_format, BOOLEANS[booleans], upper, padded)
    text = written.to_csv(index=False, sep=separator, lineterminator="\n")
    if trailing:  # a separator after every data row
        lines = text.split("\n")
        text = "\n".join([lines[0]] + [line + separator if line else line for line in lines[1:]])
    path = folder / "dialect"
    config = write_programme(path, ONLY_PERSONS)
    (path / "data" / "persons.csv").write_bytes(text.replace("\n", newline).encode(encoding))
    persons = xa.load_programme(xa.load_config(config)).persons
    pd.testing.assert_frame_equal(persons, plain)


@SETTINGS
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_arbitrary_bytes_give_an_input_error_and_nothing_else(folder: Path, data: bytes,
                                                              suffix: str) -> None:
    path = folder / "bytes"
    config = write_programme(path, ONLY_PERSONS)
    text = config.read_text(encoding="utf-8").replace("data/persons.csv",
                                                      f"data/persons{suffix}")
    config.write_text(text, encoding="utf-8")
    (path / "data" / f"persons{suffix}").write_bytes(data)
    try:
        xa.load_programme(xa.load_config(config))
    except xa.InputError as exc:
        assert exc.exit_code == 2
