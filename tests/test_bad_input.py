"""Bad input gets a clear error and loses nothing (CONTRACT §1 and §3).

Each case breaks one rule. ``exitanalysis validate`` must exit 2 with a message naming the
file, column, rule and rows, must never print the offending cell, and ``run`` must publish
nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers import ACTIVITIES, MONTHLY, OUTCOMES, PERSONS, REFERRALS, tables, write_programme


@dataclass(frozen=True)
class Case:
    name: str
    frames: Callable[[], dict[str, pd.DataFrame]]
    expected: list[str]
    secrets: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    suffix: str = ".csv"


def persons_with(**cells: dict[int, str]) -> Callable[[], dict[str, pd.DataFrame]]:
    """Persons with cells replaced: ``column={row_position: value}``."""

    def make() -> dict[str, pd.DataFrame]:
        persons = PERSONS.copy()
        for column, values in cells.items():
            for position, value in values.items():
                persons.loc[position, column] = value
        return tables(persons=persons)

    return make


def replaced(name: str, frame_fn: Callable[[], pd.DataFrame]) -> Callable[[], dict]:
    return lambda: tables(**{name: frame_fn()})


def _with(frame: pd.DataFrame, column: str, position: int, value: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[position, column] = value
    return frame


P = "data/persons.csv"
CASES = [
    Case("missing column", replaced("persons", lambda: PERSONS.drop(columns="sales_channel")),
         [f"{P}: column 'sales_channel': required column is missing"]),
    Case("unknown column",
         replaced("persons", lambda: PERSONS.assign(name=["Anna Hansen"] * len(PERSONS))),
         [f"{P}: column 'name': unknown column (allowed in persons: person_id, organisation"],
         secrets=["Anna Hansen"]),
    Case("duplicate ids", persons_with(person_id={2: "KBH-Ø01"}),
         [f"{P}: column 'person_id': each value may appear only once: rows 2, 4"],
         secrets=["KBH-Ø01"]),
    Case("unknown organisation", persons_with(organisation={1: "reden_aarhus"}),
         [f"{P}: column 'organisation': expected one of: reden_kbh, liva: row 3"],
         secrets=["reden_aarhus"]),
    Case("unknown category", persons_with(contact_channel={3: "tiktok"}),
         [f"{P}: column 'contact_channel': expected one of: street_outreach, venue_outreach"],
         secrets=["tiktok"]),
    Case("date outside the period", persons_with(first_contact={0: "2019-12-31"}),
         [f"{P}: column 'first_contact': dates must lie within the programme period "
          "2020-01-01 to 2023-12-31: row 2"],
         secrets=["2019-12-31"]),
    Case("inclusion before contact", persons_with(inclusion_date={3: "2021-02-27"}),
         [f"{P}: column 'inclusion_date': must not be before first_contact: row 5"],
         secrets=["2021-02-27"]),
    Case("included without a date", persons_with(inclusion_date={0: ""}),
         [f"{P}: column 'inclusion_date': required when included is true: row 2"]),
    Case("negative counts",
         lambda: {"monthly": _with(MONTHLY, "contacted", 4, "-1")},
         ["data/monthly.csv: column 'contacted': must not be negative: row 6"]),
    Case("included above contacted",
         lambda: {"monthly": _with(MONTHLY, "included", 1, "3")},
         ["data/monthly.csv: column 'included': must not exceed contacted: row 3"]),
    Case("CPR-shaped identifier", persons_with(person_id={4: "010190-1234"}),
         [f"{P}: column 'person_id': a value shaped like a Danish CPR number", "row 6",
          "the whole file is rejected"],
         secrets=["010190-1234", "0101901234"]),
    Case("CPR without dash in another table",
         replaced("referrals", lambda: _with(REFERRALS, "person_id", 2, "2512871234")),
         ["data/referrals.csv: column 'person_id': a value shaped like a Danish CPR number",
          "row 4"],
         secrets=["2512871234"]),
    Case("ambiguous date column", persons_with(first_contact={1: "15-06-2020", 2: "20-01-2021"}),
         [f"{P}: column 'first_contact': one date format per column: this column is mostly "
          "YYYY-MM-DD, so the column is ambiguous: rows 3-4"],
         secrets=["15-06-2020"]),
    Case("month-first date",
         lambda: tables(persons=PERSONS.assign(
             first_contact=["03/02/2020", "06/15/2020", "20/01/2021", "02/03/2021",
                            "30/09/2021", "05/05/2022"],
             inclusion_date=["", "", "", "", "", ""], included=["false"] * 6),
             activities=None, outcomes=None),
         [f"{P}: column 'first_contact': not a calendar date in DD/MM/YYYY (dates are day "
          "first; month-first dates are not accepted): row 3"],
         secrets=["06/15/2020"]),
    Case("not a date", persons_with(first_contact={5: "soon"}),
         [f"{P}: column 'first_contact': expected a date written YYYY-MM-DD, DD-MM-YYYY, "
          "DD.MM.YYYY, DD/MM/YYYY: row 7"],
         secrets=["soon"]),
    Case("bad boolean", persons_with(included={1: "maybe"}),
         [f"{P}: column 'included': expected true/false, yes/no, ja/nej or 1/0: row 3"],
         secrets=["maybe"]),
    Case("empty required value", persons_with(organisation={2: ""}),
         [f"{P}: column 'organisation': a value is required in every row: row 4"]),
    Case("contact after as_of", persons_with(),
         [f"{P}: column 'first_contact': must not be after analysis.as_of (2021-06-30): "
          "rows 6-7"],
         config={"analysis.as_of": "2021-06-30"}),
    Case("unknown person", replaced("activities", lambda: _with(ACTIVITIES, "person_id", 1, "X-9")),
         ["data/activities.csv: column 'person_id': must be a person_id from the persons table: "
          "row 3"],
         secrets=["X-9"]),
    Case("outcome before contact",
         replaced("outcomes", lambda: _with(OUTCOMES, "assessed_on", 1, "2021-01-19")),
         ["data/outcomes.csv: column 'assessed_on': must not be before the person's first "
          "contact: row 3"]),
    Case("referral to itself", replaced("referrals", lambda: _with(REFERRALS, "to_party", 0,
                                                                   "reden_kbh")),
         ["data/referrals.csv: column 'to_party': must differ from from_party: row 2"]),
    Case("duplicate month rows", lambda: {"monthly": _with(MONTHLY, "contact_channel", 4,
                                                           "street_outreach").assign(
        month=["2020-01", "2020-01", "2020-02", "2020-02", "2020-02"])},
         ["data/monthly.csv: column 'month': one row per month, organisation and contact "
          "channel: rows 4, 6"]),
    Case("bad YAML key", tables, ["key 'analysis.warning_treshold': unknown key"],
         config={"analysis.warning_treshold": 0.2}),
    Case("missing file", tables, ["key 'data.outcomes': file not found: data/gone.csv"],
         config={"data.outcomes": "data/gone.csv"}),
    Case("unsupported file type", tables,
         ["data/persons.json: unsupported file type '.json' (use .csv, .xlsx or .parquet)"],
         config={"data.persons": "data/persons.json"}),
]


CPR = f"{P}: column 'person_id': a value shaped like a Danish CPR number"
# Issue 9: what a red-team run got through, each a case that passed validation before.
CASES += [
    *(Case(f"CPR written {how}", persons_with(person_id={4: value}), [CPR, "row 6"],
           secrets=[value])
      for how, value in [("with a space", "010190 1234"), ("in pairs", "01 01 90 1234"),
                         ("with an en dash", "010190\u20131234"),
                         ("with dots", "01.01.90-1234")]),
    Case("CPR in a number cell (leading zero lost)", persons_with(person_id={4: 101901234}),
         [f"{P.replace('.csv', '.xlsx')}: column 'person_id': a value shaped like a Danish CPR"],
         secrets=["101901234", "0101901234"], suffix=".xlsx"),
    Case("CPR as a column header",
         replaced("persons", lambda: PERSONS.rename(columns={"origin": "0101901234"})),
         [f"{P}: the header of column 9 looks like data, not a column name (not shown)"],
         secrets=["0101901234"]),
    Case("e-mail as id", persons_with(person_id={4: "anna.h@example.org"}),
         [f"{P}: column 'person_id': a value shaped like an e-mail address", "row 6"],
         secrets=["anna.h@example.org"]),
    Case("e-mail in another table", replaced("referrals", lambda: _with(
        REFERRALS, "person_id", 2, "kontakt@reden.dk")),
         ["data/referrals.csv: column 'person_id': a value shaped like an e-mail address"],
         secrets=["kontakt@reden.dk"]),
    Case("phone number as id", persons_with(person_id={4: "+45 12 34 56 78"}),
         [f"{P}: column 'person_id': a value shaped like a Danish phone number", "row 6"],
         secrets=["12 34 56 78"]),
    Case("full name as id", persons_with(person_id={4: "Anna Hansen"}),
         [f"{P}: column 'person_id': looks like a person's name: ids must be pseudonymous: "
          "row 6"], secrets=["Anna Hansen"]),
    Case("file exported without its header row",
         replaced("activities", lambda: ACTIVITIES.iloc[1:].set_axis(
             list(ACTIVITIES.iloc[0]), axis=1)),
         ["data/activities.csv: the header of column 1 looks like data",
          "data/activities.csv: column 'date': required column is missing"],
         secrets=["KBH-Ø01", "2020-03-01"]),
    Case("persons without ids and contact dates",
         lambda: tables(persons=PERSONS.drop(columns=["person_id", "first_contact"]),
                        activities=None, outcomes=None),
         [f"{P}: column 'first_contact': required column is missing",
          f"{P}: column 'person_id': required column is missing"]),
    Case("a year far in the future", persons_with(first_contact={2: "3000-06-01"}),
         [f"{P}: column 'first_contact': a year outside 1900–2100: row 4"],
         secrets=["3000-06-01"]),
    Case("year one", persons_with(first_contact={2: "0001-01-01"}),
         [f"{P}: column 'first_contact': a year outside 1900–2100: row 4"]),
    Case("month zero", lambda: {"monthly": _with(MONTHLY, "month", 2, "2020-0-01")},
         ["data/monthly.csv: column 'month': expected a month written YYYY-MM: row 4"],
         secrets=["2020-0-01"]),
    Case("header-only persons", lambda: tables(persons=PERSONS.iloc[0:0], activities=None,
                                               outcomes=None, referrals=None),
         [f"{P}: the table has no data rows"]),
    Case("CPR in a published source", tables,
         ["key 'observed[0].source': must not hold a CPR number, an e-mail address or a "
          "phone number"], secrets=["010190-1234"],
         config={"observed": [{"as_of": "2022-01-01", "contacted": 5,
                               "source": "borger 010190-1234"}]}),
    Case("e-mail in an organisation's name", tables,
         ["key 'programme.organisations[1].name': must not hold a CPR number"],
         secrets=["leder@liva.dk"],
         config={"programme.organisations": [{"id": "reden_kbh", "name": "Reden"},
                                             {"id": "liva", "name": "leder@liva.dk"}]}),
    Case("end in year 9999", tables, ["key 'programme.end': expected a year between 1900"],
         config={"programme.end": "9999-12-31"}),
    Case("start in year 1", tables, ["key 'programme.start': expected a year between 1900"],
         config={"programme.start": "0001-01-01"}),
    Case("one-day programme", tables,
         ["key 'programme.end': the period must be at least four weeks long"],
         config={"programme.start": "2020-01-01", "programme.end": "2020-01-01"}),
    Case("a bad target and a bad period, both", tables,
         ["key 'programme.target': expected a number ≥ 1",
          "key 'programme.end': must not be before start"],
         config={"programme.target": -3, "programme.start": "2024-06-01"}),
    Case("a 23-digit count", lambda: {"monthly": _with(MONTHLY, "contacted", 0,
                                                        "12345678901234567890123")},
         ["data/monthly.csv: column 'contacted': expected a whole number of at most nine "
          "digits: row 2"], secrets=["12345678901234567890123"]),
]


def test_a_case_number_is_not_a_cpr_number(tmp_path: Path, cli) -> None:
    # 202003-0001 has the shape DDMMYY-NNNN but 20/20/03 is no date: a case number.
    persons = PERSONS.copy()
    persons.loc[4, "person_id"] = "202003-0001"
    outcome = cli("validate", write_programme(tmp_path, tables(persons=persons)))
    assert outcome.code == 0, outcome.err


def _write(case: Case, folder: Path) -> Path:
    config = write_programme(folder, case.frames(), case.config, suffix=case.suffix)
    if case.name == "unsupported file type":
        (folder / "data" / "persons.json").write_text("{}", encoding="utf-8")
    return config


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_rejects_with_a_precise_message(tmp_path: Path, cli, case: Case) -> None:
    config = _write(case, tmp_path)
    outcome = cli("validate", config)
    assert outcome.code == 2, outcome
    for text in case.expected:
        assert text in outcome.err, f"expected {text!r} in:\n{outcome.err}"
    for secret in case.secrets:
        assert secret not in outcome.err + outcome.out, f"cell content {secret!r} leaked"
    assert "Traceback" not in outcome.err


def test_at_least_forty_distinct_bad_inputs() -> None:
    assert len({c.name for c in CASES}) >= 40


def test_all_problems_in_all_files_are_reported_together(tmp_path: Path, cli) -> None:
    persons = PERSONS.copy()
    persons.loc[0, "organisation"] = "nowhere"
    persons.loc[1, "included"] = "maybe"
    referrals = _with(REFERRALS, "to_party", 0, "reden_kbh")
    config = write_programme(tmp_path, tables(persons=persons, referrals=referrals))
    outcome = cli("validate", config)
    assert outcome.code == 2
    assert "invalid input (3 problem(s))" in outcome.err
    assert "column 'organisation'" in outcome.err and "column 'included'" in outcome.err
    assert "data/referrals.csv: column 'to_party'" in outcome.err


def test_undecodable_and_empty_files(tmp_path: Path, cli) -> None:
    config = write_programme(tmp_path)
    (tmp_path / "data" / "persons.csv").write_bytes(b"")
    (tmp_path / "data" / "referrals.csv").write_bytes(b"date,from_party\n\x81\x8d,x\n")
    outcome = cli("validate", config)
    assert outcome.code == 2
    assert "data/persons.csv: the file is empty: expected a header row" in outcome.err
    assert "data/referrals.csv: the file is neither UTF-8 nor Windows-1252 text" in outcome.err
