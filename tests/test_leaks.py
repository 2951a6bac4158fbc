"""A leak scanner (issue 9): canaries planted in the input must never come out.

A small real-looking programme (not marked synthetic) carries planted values: person ids that
exist nowhere else, a numeric id, and a last first-contact date that belongs to one person.
It is run for both audiences and with a notebook that fails on purpose, and every file the
runs leave (published and private, SVG text, PNG text chunks, images embedded in HTML) and
every line they print is searched. Ids may appear nowhere; the person's date nowhere in a
public report or a log. Failed notebooks are kept for the analyst on purpose (0700, with
their data) and are only checked for their permissions.
"""

from __future__ import annotations

import base64
import io
import re
import stat
from pathlib import Path

import pytest
from PIL import Image

from helpers import PERSONS, tables, write_notebook, write_programme

IDS = ["CANARY-QX01", "CANARY-QX02", "48213977", "CANARY-QX04", "CANARY-QX05", "CANARY-QX06"]
#: The last person's first contact: one person's date, in every way a report could write it.
DATE_FORMS = ["2022-06-10", "10 June 2022", "10. juni 2022", "10/06/2022", "10.06.2022",
              "10-06-2022", "2022-06-10T"]


def _programme(folder: Path) -> Path:
    persons = PERSONS.assign(person_id=IDS)
    persons.loc[5, "first_contact"] = "2022-06-10"
    persons.loc[5, "inclusion_date"] = "2022-06-10"
    frames = tables(persons=persons, activities=None, outcomes=None, referrals=None)
    return write_programme(folder, frames, {"analysis.min_cell": 2})


def _texts(path: Path) -> list[str]:
    """What a file says: its text, PNG text chunks, and those of images embedded in it."""
    data = path.read_bytes()
    found = [data.decode("utf-8", errors="ignore")]
    images = [data] if path.suffix == ".png" else [
        base64.b64decode(m) for m in re.findall(rb"data:image/png;base64,([A-Za-z0-9+/=]+)", data)]
    for image in images:
        found += [str(v) for v in Image.open(io.BytesIO(image)).info.values()]
    return found


def _leaks(folder: Path, secrets: list[str]) -> list[str]:
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "failed" in path.relative_to(folder).parts:
            continue
        texts = _texts(path)
        out += [f"{path.relative_to(folder)}: {s}" for s in secrets
                if any(s in text for text in texts)]
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    import contextlib

    from exitanalysis.cli import main

    folder = tmp_path_factory.mktemp("leaks")
    config = _programme(folder / "programme")
    logs = []
    for audience in ("internal", "public"):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", str(config), "--out", str(folder / audience), "--audience",
                         audience, "--jobs", "2"])
        assert code == 0, err.getvalue()
        logs.append(out.getvalue() + err.getvalue())
    notebooks = folder / "notebooks"
    write_notebook(notebooks, "fails",
                   "import exitanalysis as xa\n"
                   "p = xa.load_programme(xa.load_config(config_path))\n"
                   "raise RuntimeError('bad person ' + p.persons.person_id.iloc[0] + ' on '"
                   " + str(p.persons.first_contact.max()))")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(config), "--out", str(folder / "failing"), "--notebooks",
                     str(notebooks)])
    assert code == 1
    logs.append(out.getvalue() + err.getvalue())
    return folder, logs


def test_no_id_leaves_any_run(runs) -> None:
    folder, logs = runs
    for run in ("internal", "public", "failing"):  # every output folder, private parts too
        assert _leaks(folder / run, IDS) == []
    assert [s for s in IDS for log in logs if s in log] == []


def test_no_single_persons_date_in_a_public_report_or_a_log(runs) -> None:
    folder, logs = runs
    assert _leaks(folder / "public", DATE_FORMS) == []
    assert [s for s in DATE_FORMS for log in logs if s in log] == []


def test_the_scanner_finds_what_it_looks_for(runs, tmp_path: Path) -> None:
    # A scanner that never finds anything proves nothing: plant the canaries where it looks.
    (tmp_path / "page.html").write_text(f"<p>{IDS[0]}</p>", encoding="utf-8")
    buffer = io.BytesIO()
    image = Image.new("RGB", (2, 2))
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", DATE_FORMS[0])
    image.save(buffer, format="PNG", pnginfo=info)
    (tmp_path / "figure.png").write_bytes(buffer.getvalue())
    embedded = base64.b64encode(buffer.getvalue()).decode()
    (tmp_path / "report.html").write_text(f'<img src="data:image/png;base64,{embedded}">',
                                          encoding="utf-8")
    assert len(_leaks(tmp_path, IDS + DATE_FORMS)) == 3


def test_failed_notebooks_are_kept_privately(runs) -> None:
    folder, _ = runs
    kept = list((folder / "failing" / ".exitanalysis" / "failed").rglob("*.ipynb"))
    assert kept
    for path in kept:
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
