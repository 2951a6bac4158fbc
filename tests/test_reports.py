"""Reports reviewers can trust: identical bytes for identical inputs, Danish throughout,
and public reports that publish no person."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from bs4 import BeautifulSoup

import exitanalysis as xa
from conftest import DEFAULT_CONFIG, ROOT, _run_default
from exitanalysis.assess.shortfall import snapshot_date_sensitivity
from exitanalysis.text import labels
from helpers import ORGANISATIONS, write_notebook, write_programme

# --- identical inputs, identical bytes ------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_two_runs_give_identical_bytes_apart_from_manifest_timestamps(
        default_report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pages show the run's date: the second run gets the first's (SOURCE_DATE_EPOCH), so
    # a suite that crosses midnight between the two runs compares like with like.
    day = json.loads((default_report / "manifest.json").read_text("utf-8"))["run_date"]
    midnight = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(midnight.timestamp())))
    again = _run_default(tmp_path, "--jobs", "1")
    first, second = _files(default_report), _files(again)
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == ["manifest.json"], differing
    one, two = (json.loads(d["manifest.json"]) for d in (first, second))
    for manifest in (one, two):
        manifest.pop("created_utc")  # the run's clock: when it started, how long each took
        for notebook in manifest["notebooks"]:
            notebook.pop("seconds")
    assert one == two


# --- Danish ---------------------------------------------------------------------------------

#: English words that have no place in a Danish report's prose.
ENGLISH = ("the", "and", "with", "which", "would", "persons", "month", "months", "target",
           "probability", "forecast", "published", "recruited", "contacted", "included")


def _visible_text(page: str) -> str:
    """What a reader sees, without code and without file names (identifiers, not words)."""
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["style", "script", "code", "title"]):
        tag.decompose()
    return re.sub(r"[\w./-]+\.(csv|xlsx|parquet|md)\b", " ", soup.get_text(" "))


def _english_left(text: str) -> list[str]:
    english, danish = labels("en"), labels("da")
    found = [w for w in ENGLISH if re.search(rf"\b{w}\b", text, flags=re.IGNORECASE)]
    for key, word in english.items():
        if word == danish[key] or len(word) < 6 or "{" in word:
            continue
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
            found.append(word)
    return found


@pytest.mark.parametrize("page", ["index.html", "data_overview.html",
                                  "recruitment_shortfall.html", "channel_effects.html",
                                  "partner_network.html", "outcomes.html",
                                  "target_realism.html"])
def test_danish_report_has_no_english_label_left(danish_report: Path, page: str) -> None:
    text = _visible_text((danish_report / page).read_text(encoding="utf-8"))
    assert _english_left(text) == []
    assert 'lang="da"' in (danish_report / page).read_text(encoding="utf-8")


def test_danish_figures_and_numbers(danish_report: Path) -> None:
    for svg in (danish_report / "figures").glob("*.svg"):
        root = ElementTree.parse(svg).getroot()
        text = " ".join(t for element in root.iter() for t in (element.text or "",))
        assert text.strip(), f"{svg.name}: SVG text should be text, not paths"
        assert _english_left(text) == [], svg.name
    page = _visible_text((danish_report / "recruitment_shortfall.html").read_text("utf-8"))
    assert "16,7 personer om måneden" in page  # decimal comma
    assert "under 1\u00a0%" in page  # CLDR da: a no-break space before %
    assert "1.461" not in page and "2.475" in _visible_text(
        (danish_report / "data_overview.html").read_text("utf-8"))  # thousands separator


def test_landing_page_cards_in_reading_order(default_report: Path) -> None:
    # The headline report first, then why (channels), then what the data are.
    page = (default_report / "index.html").read_text(encoding="utf-8")
    first = [page.index(f'href="{name}.html"') for name in
             ("recruitment_shortfall", "channel_effects", "outcomes", "partner_network",
              "target_realism", "data_overview")]
    assert first == sorted(first)


def test_english_report_is_english(default_report: Path) -> None:
    text = _visible_text((default_report / "recruitment_shortfall.html").read_text("utf-8"))
    assert "the probability of reaching the target of 465" in text
    assert "Sandsynlighed" not in text


# --- public audience --------------------------------------------------------------------------


def test_public_report_publishes_no_person(public_report: Path) -> None:
    names = {str(p.relative_to(public_report)) for p in public_report.rglob("*") if p.is_file()}
    assert not any(n.startswith("notebooks/") for n in names)
    assert {Path(n).suffix for n in names} <= {".html", ".png", ".svg", ".csv", ".json"}
    persons = pd.read_csv(ROOT / "data/synthetic/persons.csv", dtype=str)
    ids = set(persons["person_id"])
    # Dates of single persons: every date in the case tables (config dates are not persons').
    dates = set()
    for name, column in (("persons", "first_contact"), ("persons", "inclusion_date"),
                         ("activities", "date"), ("outcomes", "assessed_on"),
                         ("referrals", "date")):
        dates |= set(pd.read_csv(ROOT / f"data/synthetic/{name}.csv", dtype=str)[column]
                     .dropna())
    # Dates that are not persons': the config's, and the hypothetical snapshot dates of the
    # sensitivity table (shares of the period).
    config = xa.load_config(DEFAULT_CONFIG)
    hypothetical = snapshot_date_sensitivity(config, config.observed[0])["as_of"]
    dates -= {"2020-01-01", "2022-01-01", "2023-12-31", "2023-01-01", *hypothetical}
    dates -= {str(day) for p in config.analysis.exposure for day in (p.start, p.end)}
    if config.analysis.network is not None:
        dates -= {str(config.analysis.network.start), str(config.analysis.network.end)}
    for name in names:
        text = (public_report / name).read_text(encoding="utf-8", errors="ignore")
        assert not any(i in text for i in ids), name
        leaked = sorted(d for d in dates if d in text)
        assert leaked == [], (name, leaked[:3])


def test_public_tables_show_no_small_count(public_report: Path) -> None:
    crosstab = list(csv.reader(open(public_report / "tables/contacts_organisation_by_channel.csv",
                                    encoding="utf-8")))
    for row in crosstab[1:]:
        for cell in row[1:]:
            assert cell == ".." or int(cell) == 0 or int(cell) >= 5, row
    sources = pd.read_csv(public_report / "tables/data_sources.csv")
    assert "rows" not in sources.columns and "synthetic_rows" not in sources.columns
    manifest = json.loads((public_report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audience"] == "public"
    assert all(i["rows"] is None for i in manifest["inputs"])
    assert all(i["persons"] is None or i["persons"] >= 5 for i in manifest["inputs"])
    text = _visible_text((public_report / "data_overview.html").read_text("utf-8"))
    assert "Up to June 2023, 115 persons" in text  # the month, not the last person's day


def test_labels_are_escaped_and_csv_is_formula_safe(tmp_path: Path, cli) -> None:
    config = write_programme(tmp_path / "p", config_changes={
        "programme.name": "<script>alert('x')</script> Exit & co",
        "programme.organisations": [
            {"id": ORGANISATIONS[0]["id"], "name": "=HYPERLINK(\"http://x\")"},
            {"id": ORGANISATIONS[1]["id"], "name": "<img src=x onerror=alert(1)>"},
        ],
    })
    out = tmp_path / "reports"
    outcome = cli("run", config, "--out", out, "--only", "data_overview")
    assert outcome.code == 0, outcome.err
    report = out / "programme"
    for page in ("index.html", "data_overview.html"):
        text = (report / page).read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text or "&lt;img" in text
    cells = [c for row in csv.reader(open(report / "tables/contacts_organisation_by_channel.csv",
                                          encoding="utf-8")) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "=HYPERLINK(\"http://x\")" not in cells


def test_a_stray_file_type_is_not_published(tmp_path: Path, cli) -> None:
    config = write_programme(tmp_path / "p")
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "writer",
                   "import pathlib\npathlib.Path(figures_dir, 'data.xlsx').write_text('x')")
    outcome = cli("run", config, "--out", tmp_path / "reports", "--notebooks", notebooks)
    assert outcome.code == 1
    assert "refusing to publish" in outcome.err and "figures/data.xlsx" in outcome.err
    assert not (tmp_path / "reports" / "programme").exists()


def test_index_says_the_status_and_the_run_block_is_complete(default_report: Path) -> None:
    page = (default_report / "recruitment_shortfall.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    run = soup.find(id="run")
    assert run is not None
    text = run.get_text(" ")
    for expected in ("sha256:d0c028362cc4", "prior_weight", "pandas 2.3.3", "Commit"):
        assert expected in text
    assert soup.find("nav", class_="xa-toc") is not None
    figures = soup.find_all("figure", class_="xa-figure")
    assert figures and all(f.img.get("alt") and f.figcaption.get_text() for f in figures)
    # The first screen: the key findings, resting on the published figure, under a note that
    # says which parts are synthetic (not a banner calling the whole page synthetic).
    first_screen = soup.find("main").get_text(" ")[:2000]
    assert "Key findings" in first_screen and "Rests on the published figure" in first_screen
    assert "SYNTHETIC" in first_screen and "must not be read" not in first_screen
