"""Hostile and broken files (issue 9): each is refused with exit 2, the file and what is
wrong, without the content of a cell, or read correctly when it is merely unusual.

Files are written byte by byte, as the exports and attacks that produced them would be.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

import exitanalysis as xa
from exitanalysis.data import reading
from helpers import PERSONS, tables, write_programme

CSV = PERSONS.to_csv(index=False, lineterminator="\n")
P = "data/persons.csv"


ONLY_PERSONS = tables(activities=None, outcomes=None, referrals=None)


def _persons_bytes(folder: Path, data: bytes, suffix: str = ".csv") -> Path:
    """A programme whose persons file holds ``data`` (and no table refers to its ids)."""
    config = write_programme(folder, ONLY_PERSONS, suffix=".csv")
    target = folder / "data" / f"persons{suffix}"
    if suffix != ".csv":
        (folder / "data" / "persons.csv").unlink()
        text = config.read_text(encoding="utf-8").replace("data/persons.csv",
                                                          f"data/persons{suffix}")
        config.write_text(text, encoding="utf-8")
    target.write_bytes(data)
    return config


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _xlsx(frame: pd.DataFrame, hidden_first: bool = False, extra: bytes = b"") -> bytes:
    """A workbook written by openpyxl, optionally with a hidden first sheet or a large
    extra entry (zeros, which compress to almost nothing)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        if hidden_first:
            pd.DataFrame({"note": ["hidden"]}).to_excel(writer, sheet_name="old", index=False)
        frame.to_excel(writer, sheet_name="persons", index=False)
        if hidden_first:
            writer.book["old"].sheet_state = "hidden"
    if not extra:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item, source.read(item.filename))
        z.writestr("xl/media/padding.bin", extra)
    return out.getvalue()


def _billion_laughs() -> bytes:
    """An xlsx whose sheet XML expands entities exponentially."""
    good = _xlsx(PERSONS)
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else
                                                      b"&lol;") * 10) for i in range(1, 10))
            + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + b"<sheetData><row><c t=\"inlineStr\"><is><t>&lol9;</t></is></c></row></sheetData>"
            + b"</worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as z:
        for item in source.infolist():
            data = bomb if item.filename.endswith("sheet1.xml") else source.read(item.filename)
            z.writestr(item, data)
    return out.getvalue()


@dataclass(frozen=True)
class File:
    name: str
    data: Callable[[], bytes]
    expected: list[str]
    secrets: list[str] = field(default_factory=list)
    suffix: str = ".csv"
    code: int = 2


FILES = [
    File("mixed UTF-8 and Windows-1252",
         lambda: ("\n".join(_lines(CSV)[:3]) + "\n").encode("utf-8")
         + ("\n".join(_lines(CSV)[3:])).encode("cp1252"),
         [f"{P}: the file mixes UTF-8 (rows 2-3) and Windows-1252 (rows 5-7) text"]),
    File("a field too many in row 6",
         lambda: "\n".join(line + (",extra" if i == 5 else "")
                           for i, line in enumerate(_lines(CSV))).encode(),
         [f"{P}: not a regular table: row 6 has a different number of fields from the header "
          "row (9)"], secrets=["extra"]),
    File("a 200,000-character cell",
         lambda: CSV.replace("KBH-Ø02", "SECRET" * 33_334).encode(),
         [f"{P}: a cell longer than 1,000 characters", "row 3"], secrets=["SECRETSECRET"]),
    File("NUL bytes (not a text file)", lambda: CSV.encode() + b"\x00\x01\x02",
         [f"{P}: not a text file (it holds NUL bytes)"]),
    File("an unterminated quote", lambda: CSV.replace("KBH-Ø06", '"KBH-Ø06').encode(),
         [f"{P}: not a regular table"], secrets=["KBH-Ø06"]),
    File("hidden first sheet", lambda: _xlsx(PERSONS, hidden_first=True),
         ["data/persons.xlsx: the first sheet of the workbook is hidden"], suffix=".xlsx"),
    File("billion laughs in a workbook", _billion_laughs,
         ["data/persons.xlsx: cannot be read as an Excel workbook"], suffix=".xlsx"),
    File("not a workbook at all", lambda: b"PK\x03\x04 this is not a zip file",
         ["data/persons.xlsx: cannot be read as an Excel workbook"], suffix=".xlsx"),
    File("Excel serial dates", lambda: _xlsx(PERSONS.assign(
        first_contact=[43864, 43997, 44216, 44257, 44469, 44686])),
         ["data/persons.xlsx: column 'first_contact': expected a date written"],
         suffix=".xlsx"),
    File("impossible date", lambda: CSV.replace("2021-03-02,partner", "2021-02-30,partner")
         .encode(), [f"{P}: column 'first_contact': not a calendar date in YYYY-MM-DD: row 5"],
         secrets=["2021-02-30"]),
    File("an exactly duplicated row",
         lambda: (CSV + _lines(CSV)[1] + "\n").encode(),
         [f"{P}: column 'person_id': each value may appear only once: rows 2, 8"]),
    File("Danish column names", lambda: CSV.replace("person_id", "personnummer").encode(),
         [f"{P}: column 'personnummer': unknown column",
          f"{P}: column 'person_id': required column is missing"]),
    # Merely unusual: read as what they are.
    File("CR-only line ends (Excel for Mac)", lambda: CSV.replace("\n", "\r").encode("cp1252"),
         [], code=0),
    File("a separator at the end of every data row",
         lambda: "\n".join(line + ("," if i and line else "")
                           for i, line in enumerate(_lines(CSV))).encode(), [], code=0),
    File("UTF-16 with a byte-order mark", lambda: CSV.encode("utf-16"), [], code=0),
    File("blank lines between rows", lambda: CSV.replace("\n", "\n\n").encode(), [], code=0),
    File("ids 1E5, NA and 00123 stay text",
         lambda: CSV.replace("KBH-Ø01", "1E5").replace("KBH-Ø02", "NA").encode(), [], code=0),
]


@pytest.mark.parametrize("case", FILES, ids=[f.name for f in FILES])
def test_hostile_files(tmp_path: Path, cli, case: File) -> None:
    config = _persons_bytes(tmp_path, case.data(), case.suffix)
    outcome = cli("validate", config)
    assert outcome.code == case.code, outcome.err
    for text in case.expected:
        assert text in outcome.err, f"expected {text!r} in:\n{outcome.err}"
    for secret in case.secrets:
        assert secret not in outcome.err + outcome.out
    assert "Traceback" not in outcome.err


def test_unusual_files_read_as_the_plain_one(tmp_path: Path) -> None:
    plain = xa.load_programme(xa.load_config(write_programme(tmp_path / "plain",
                                                             ONLY_PERSONS))).persons
    for case in (c for c in FILES if c.code == 0 and "ids" not in c.name):
        folder = tmp_path / case.name.replace(" ", "_")
        config = _persons_bytes(folder, case.data(), case.suffix)
        persons = xa.load_programme(xa.load_config(config)).persons
        pd.testing.assert_frame_equal(persons, plain, obj=case.name)
    odd = [c for c in FILES if "ids" in c.name][0]
    config = _persons_bytes(tmp_path / "ids", odd.data(), odd.suffix)
    ids = xa.load_programme(xa.load_config(config)).persons["person_id"].tolist()
    assert ids[:3] == ["1E5", "NA", "00123"]


def test_size_limits(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limits (200 MB, 2,000,000 rows) lowered, so the test writes little.
    monkeypatch.setattr(reading, "MAX_BYTES", 2_000)
    config = _persons_bytes(tmp_path / "big", (CSV * 10).encode())
    outcome = cli("validate", config)
    assert outcome.code == 2 and f"{P}: the file is larger than" in outcome.err
    monkeypatch.setattr(reading, "MAX_BYTES", 1_000_000)
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    outcome = cli("validate", _persons_bytes(tmp_path / "rows", CSV.encode()))
    assert outcome.code == 2 and "the table has more than 5 rows" in outcome.err
    monkeypatch.setattr(reading, "MAX_ROWS", 2_000_000)
    bomb = _xlsx(PERSONS, extra=bytes(2_000_000))  # compresses to a few kB
    assert len(bomb) < 50_000
    outcome = cli("validate", _persons_bytes(tmp_path / "bomb", bomb, ".xlsx"))
    assert outcome.code == 2 and "the workbook unzips to more than" in outcome.err


def test_a_symlink_to_a_system_file_is_refused_without_quoting_it(tmp_path: Path, cli) -> None:
    config = write_programme(tmp_path)
    persons = tmp_path / "data" / "persons.csv"
    persons.unlink()
    persons.symlink_to("/etc/passwd")
    outcome = cli("validate", config)
    assert outcome.code == 2
    assert "root:" not in outcome.err and "/bin/" not in outcome.err


@pytest.mark.parametrize(("text", "message"), [
    ("programme: " + "{a: " * 20_000 + "1" + "}" * 20_000,
     "the YAML is nested too deeply to be a programme config"),
    ("# " + "x" * 1_100_000, "the config file is larger than 1 MB"),
])
def test_configs_built_to_break_the_reader(tmp_path: Path, cli, text: str, message: str) -> None:
    path = tmp_path / "attack.yaml"
    path.write_text(text, encoding="utf-8")
    outcome = cli("validate", path)
    assert outcome.code == 2 and message in outcome.err


def test_yaml_1_1_traps_get_a_hint(tmp_path: Path, cli) -> None:
    config = write_programme(tmp_path)
    text = config.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["programme"]["organisations"][0]["id"] = "__NO__"
    data["programme"]["organisations"][1]["id"] = "__OCTAL__"
    text = yaml.safe_dump(data, sort_keys=False).replace("'__NO__'", "no").replace(
        "__NO__", "no").replace("'__OCTAL__'", "0101").replace("__OCTAL__", "0101")
    config.write_text(text, encoding="utf-8")
    outcome = cli("validate", config)
    assert outcome.code == 2
    assert "key 'programme.organisations[0].id': expected text (YAML reads yes/no/on/off" in (
        outcome.err)
    assert "key 'programme.organisations[1].id': expected text" in outcome.err


def test_a_corrupt_notebook_is_an_error_not_a_crash(tmp_path: Path, cli) -> None:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "broken.ipynb").write_text("{not json", encoding="utf-8")
    outcome = cli("run", write_programme(tmp_path / "p"), "--out", tmp_path / "out",
                  "--notebooks", notebooks)
    assert outcome.code == 2
    assert "broken.ipynb in the notebooks folder cannot be read as a notebook" in outcome.err


def test_catalogue_size() -> None:
    from test_bad_input import CASES

    # The hostile inputs tried as tests: bad tables, bad files, bad configs and arguments.
    assert len(CASES) + len(FILES) + 6 >= 60
